/* web_store.c — writes the store bench/web.sh serves with `assay serve`
 * (built there from build/libassay.a; not part of the assay binary).
 *
 *   web_store STORE PACKAGE_FOLDER AGENTS STEPS SEED
 *
 * Through the store API (src/store/store.h), exactly as `assay run` records:
 *   1. one complete run on web-of-sites ("web-bench") with AGENTS agents
 *      (agent-000, ...) x every task of the package, one trial: pass/fail
 *      drawn from a 2PL model (ability, difficulty ~ N(0,1), log
 *      discrimination ~ N(0, 0.3^2)) with a seeded generator, a verdict with a
 *      reason and a five-row trace (message, open, click, answer, reply) per
 *      episode, the task's family, tags, parts and human minutes copied from
 *      the package;
 *   2. one run ("web-bench-long") with one agent (agent-long) and one episode
 *      whose trace has STEPS rows: the instruction, STEPS - 2 tool calls
 *      (open, read, click in turn) and the final reply.
 * Both runs' scenario_json names the benchmark as {"judge":{"bench":...}},
 * where the server reads it. Prints key=value lines: run_id, long_run_id,
 * long_episode_id, episodes, seconds. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/status.h"
#include "package/package.h"
#include "stats/random.h"
#include "store/store.h"

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

static void fail(const char *what, const struct assay_error *error)
{
    fprintf(stderr, "web_store: %s: %s\n", what, error != NULL ? error->message : "failed");
    exit(1);
}

/* a JSON array of strings as text (caller frees), or NULL for an empty list */
static char *string_array(const struct string_list *list)
{
    if (list->count == 0)
        return NULL;
    json_t *array = json_array();
    for (size_t index = 0; index < list->count; index++)
        json_array_append_new(array, json_string(list->items[index]));
    char *text = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    return text;
}

static char *scenario(const char *name, const char *bench, const char *const *agents, size_t count,
                      int trials)
{
    json_t *participants = json_array();
    for (size_t index = 0; index < count; index++)
        json_array_append_new(participants, json_pack("{s:s, s:s}", "name", agents[index], "url",
                                                      "http://127.0.0.1:9000"));
    json_t *document = json_pack("{s:s, s:s, s:{s:s}, s:o, s:{s:s, s:i, s:i, s:i}}", "name", name, "mode",
                                 "remote", "judge", "bench", bench, "participants", participants, "config",
                                 "split", "all", "trials", trials, "concurrency", 4, "seed", 1);
    char *text = json_dumps(document, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(document);
    return text;
}

static char *dump(json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(value);
    return text;
}

static void add_participant(struct store *store, int64_t run_id, const char *name)
{
    struct assay_error error = {0};
    struct store_participant participant = {.run_id = run_id,
                                            .role = name,
                                            .name = name,
                                            .agent_card_json = NULL,
                                            .endpoint_kind = "remote"};
    if (store_participant_add(store, &participant, &error) != ASSAY_OK)
        fail("store_participant_add", &error);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: web_store STORE PACKAGE_FOLDER AGENTS STEPS SEED\n");
        return 2;
    }
    const char *location = argv[1];
    size_t agents = strtoul(argv[3], NULL, 10);
    size_t steps = strtoul(argv[4], NULL, 10);
    uint64_t seed = strtoull(argv[5], NULL, 10);
    if (agents == 0 || agents > 100000 || steps < 3) {
        fprintf(stderr, "web_store: AGENTS must be 1..100000 and STEPS at least 3\n");
        return 2;
    }
    struct package *package = NULL;
    struct package_problems problems = {0};
    if (package_load(argv[2], &package, &problems) != ASSAY_OK) {
        fprintf(stderr, "web_store: cannot load %s: %s\n", argv[2],
                problems.count > 0 ? problems.messages[0] : "unknown problem");
        return 1;
    }
    package_problems_free(&problems);
    const char *bench = package->name;

    struct store *store = NULL;
    struct assay_error error = {0};
    if (store_open(location, &store, &error) != ASSAY_OK)
        fail("store_open", &error);
    double started = seconds_now();

    /* 1. AGENTS x every task */
    char **names = calloc(agents, sizeof(char *));
    for (size_t agent = 0; agent < agents; agent++) {
        char name[32];
        snprintf(name, sizeof(name), "agent-%03zu", agent);
        names[agent] = strdup(name);
    }
    char *scenario_json = scenario("web-bench", bench, (const char *const *)names, agents, 1);
    int64_t start_ms = now_ms() - 3600 * 1000;
    struct store_run run = {.scenario_name = "web-bench",
                            .scenario_json = scenario_json,
                            .mode = "remote",
                            .status = STORE_RUN_RUNNING,
                            .started_at_ms = start_ms};
    if (store_run_create(store, &run, &error) != ASSAY_OK)
        fail("store_run_create", &error);
    for (size_t agent = 0; agent < agents; agent++)
        add_participant(store, run.id, names[agent]);

    struct stats_random random;
    stats_random_seed(&random, seed);
    size_t tasks = package->task_count;
    double *difficulty = calloc(tasks, sizeof(double));
    double *discrimination = calloc(tasks, sizeof(double));
    for (size_t task = 0; task < tasks; task++) {
        difficulty[task] = stats_random_normal(&random);
        discrimination[task] = exp(0.3 * stats_random_normal(&random));
    }
    size_t recorded = 0;
    int64_t at = start_ms;
    for (size_t agent = 0; agent < agents; agent++) {
        double ability = stats_random_normal(&random);
        for (size_t task_index = 0; task_index < tasks; task_index++) {
            const struct task *task = &package->tasks[task_index];
            double probability = 1.0 / (1.0 + exp(-discrimination[task_index] * (ability - difficulty[task_index])));
            int passed = stats_random_uniform(&random) < probability;
            double score = passed ? 1.0 : 0.0;
            const char *reason = passed ? "answer number 48 is within 0.005 of 48" : "no number in the answer";
            char *verdicts = dump(json_pack("{s:b, s:b, s:f, s:s, s:i, s:n, s:[{s:s, s:b, s:s, s:f, s:s}]}",
                                            "done", 1, "passed", passed, "score", score, "reason", reason,
                                            "steps", 3, "safety", "verdicts", "name", "checks[0]", "passed",
                                            passed, "reason", reason, "score", score, "type", "answer"));
            char *tags = string_array(&task->tags);
            char *parts = string_array(&task->subtasks);
            char *message = dump(json_pack("{s:s, s:[{s:s}], s:s}", "messageId", "m", "parts", "text",
                                           task->instruction, "role", "ROLE_USER"));
            char *open = dump(json_pack("{s:{s:s}, s:i, s:s, s:s}", "arguments", "url",
                                        "http://shop.local/search?q=mug", "step", 1, "tool", "open", "url",
                                        "http://shop.local/search?q=mug"));
            char *click = dump(json_pack("{s:{s:s}, s:i, s:s, s:s}", "arguments", "label",
                                         "Ceramic mug (blue) - $12.50", "step", 2, "tool", "click", "url",
                                         "http://shop.local/product/p01"));
            char *answer = dump(json_pack("{s:{s:s}, s:i, s:s, s:s}", "arguments", "text", "$12.50", "step", 3,
                                          "tool", "answer", "url", "http://shop.local/product/p01"));
            char *reply = dump(json_pack("{s:{s:s, s:{s:s}}}", "task", "id", "t", "status", "state",
                                         "TASK_STATE_COMPLETED"));
            int64_t duration = 20 + (int64_t)stats_random_below(&random, 400);
            struct store_trace_entry trace[] = {
                {.direction = "to_agent", .kind = "message", .payload_json = message, .at_ms = at},
                {.direction = "from_agent", .kind = "tool_call", .payload_json = open, .at_ms = at + 1},
                {.direction = "from_agent", .kind = "tool_call", .payload_json = click, .at_ms = at + 2},
                {.direction = "from_agent", .kind = "tool_call", .payload_json = answer, .at_ms = at + 3},
                {.direction = "from_agent", .kind = "message", .payload_json = reply, .at_ms = at + duration},
            };
            struct store_episode episode = {
                .run_id = run.id,
                .participant_role = names[agent],
                .task_id = task->id,
                .trial = 0,
                .score = score,
                .passed = passed,
                .verdicts_json = verdicts,
                .status = STORE_EPISODE_SCORED,
                .error_class = passed ? STORE_ERROR_NONE : STORE_ERROR_WRONG_ANSWER,
                .started_at_ms = at,
                .finished_at_ms = at + duration,
                .duration_ms = duration,
                .steps = 3,
                .input_tokens = -1,
                .output_tokens = -1,
                .cost = -1,
                .task_family = task->family,
                .task_tags_json = tags,
                .task_parts_json = parts,
                .task_human_minutes = task->human_minutes,
                .trace = trace,
                .trace_count = sizeof(trace) / sizeof(trace[0]),
            };
            if (store_episode_record(store, &episode, &error) != ASSAY_OK)
                fail("store_episode_record", &error);
            recorded++;
            at += duration;
            free(verdicts);
            free(tags);
            free(parts);
            free(message);
            free(open);
            free(click);
            free(answer);
            free(reply);
        }
    }
    if (store_run_finish(store, run.id, STORE_RUN_COMPLETE, at, &error) != ASSAY_OK)
        fail("store_run_finish", &error);

    /* 2. one episode with a STEPS-row trace */
    const char *long_agent = "agent-long";
    char *long_scenario = scenario("web-bench-long", bench, &long_agent, 1, 1);
    struct store_run long_run = {.scenario_name = "web-bench-long",
                                 .scenario_json = long_scenario,
                                 .mode = "remote",
                                 .status = STORE_RUN_RUNNING,
                                 .started_at_ms = at};
    if (store_run_create(store, &long_run, &error) != ASSAY_OK)
        fail("store_run_create", &error);
    add_participant(store, long_run.id, long_agent);
    const struct task *task = &package->tasks[0];
    struct store_trace_entry *trace = calloc(steps, sizeof(*trace));
    char **payloads = calloc(steps, sizeof(char *));
    static const char *const tools[] = {"open", "read", "click"};
    for (size_t row = 0; row < steps; row++) {
        if (row == 0) {
            payloads[row] = dump(json_pack("{s:s, s:[{s:s}], s:s}", "messageId", "m", "parts", "text",
                                           task->instruction, "role", "ROLE_USER"));
            trace[row] = (struct store_trace_entry){.direction = "to_agent", .kind = "message"};
        } else if (row == steps - 1) {
            payloads[row] = dump(json_pack("{s:{s:s, s:{s:s}}}", "task", "id", "t", "status", "state",
                                           "TASK_STATE_COMPLETED"));
            trace[row] = (struct store_trace_entry){.direction = "from_agent", .kind = "message"};
        } else {
            const char *tool = tools[row % 3];
            char url[96];
            snprintf(url, sizeof(url), "http://shop.local/search?q=mug&page=%zu", row);
            payloads[row] = dump(json_pack("{s:{s:s}, s:i, s:s, s:s}", "arguments", "url", url, "step", (int)row,
                                           "tool", tool, "url", url));
            trace[row] = (struct store_trace_entry){.direction = "from_agent", .kind = "tool_call"};
        }
        trace[row].payload_json = payloads[row];
        trace[row].at_ms = at + (int64_t)row * 10;
    }
    char *long_verdicts = dump(json_pack("{s:b, s:b, s:f, s:s, s:[{s:s, s:b, s:s, s:f, s:s}]}", "done", 1,
                                         "passed", 0, "score", 0.0, "reason", "no number in the answer",
                                         "verdicts", "name", "checks[0]", "passed", 0, "reason",
                                         "no number in the answer", "score", 0.0, "type", "answer"));
    char *long_tags = string_array(&task->tags);
    struct store_episode long_episode = {
        .run_id = long_run.id,
        .participant_role = long_agent,
        .task_id = task->id,
        .trial = 0,
        .score = 0.0,
        .passed = 0,
        .verdicts_json = long_verdicts,
        .status = STORE_EPISODE_SCORED,
        .error_class = STORE_ERROR_WRONG_ANSWER,
        .started_at_ms = at,
        .finished_at_ms = at + (int64_t)steps * 10,
        .duration_ms = (int64_t)steps * 10,
        .steps = (int64_t)steps - 2,
        .input_tokens = -1,
        .output_tokens = -1,
        .cost = -1,
        .task_family = task->family,
        .task_tags_json = long_tags,
        .task_human_minutes = task->human_minutes,
        .trace = trace,
        .trace_count = steps,
    };
    if (store_episode_record(store, &long_episode, &error) != ASSAY_OK)
        fail("store_episode_record (long trace)", &error);
    if (store_run_finish(store, long_run.id, STORE_RUN_COMPLETE, at + (int64_t)steps * 10, &error) != ASSAY_OK)
        fail("store_run_finish", &error);

    printf("run_id=%lld\nlong_run_id=%lld\nlong_episode_id=%lld\nepisodes=%zu\nseconds=%.3f\n",
           (long long)run.id, (long long)long_run.id, (long long)long_episode.id, recorded,
           seconds_now() - started);
    for (size_t row = 0; row < steps; row++)
        free(payloads[row]);
    free(payloads);
    free(trace);
    free(long_verdicts);
    free(long_tags);
    free(long_scenario);
    free(scenario_json);
    for (size_t agent = 0; agent < agents; agent++)
        free(names[agent]);
    free(names);
    free(difficulty);
    free(discrimination);
    store_close(store);
    package_free(package);
    return 0;
}
