/* run.c — playing a scenario's episodes and summarising them. */
#include "runner/run.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "a2a/client.h"
#include "core/memory.h"
#include "core/sha256.h"
#include "core/version.h"
#include "package/registry.h"
#include "runner/local_agent.h"
#include "runner/proxy.h"
#include "jsonrpc/json_strict.h"
#include "runner/scenario.h"
#include "report/summary.h"
#include "store/store.h"

#include <math.h>

#define AGENT_START_TIMEOUT_MS 15000
#define RUN_MAX_CONCURRENCY 1024

static volatile sig_atomic_t stop_requested;
static void request_stop(int signal_number) { (void)signal_number; stop_requested = 1; }

struct worker_context {
    struct proxy **proxies;        /* proxy mode: one per participant, else NULL */
    struct store *store;           /* one thread at a time: store_lock */
    pthread_mutex_t store_lock;
    const struct scenario *scenario;
    struct run_result *result;
    struct judge *judge;
    struct a2a_client **clients;
    atomic_size_t next;
    atomic_size_t finished;
    pthread_mutex_t output_lock;
    int progress_is_terminal;
    int quiet;
    const struct run_options *options;
};

static void show_progress(struct worker_context *context, size_t done)
{
    if (context->options->progress != NULL)
        context->options->progress(done, context->result->episode_count, context->options->hook_context);
    if (context->quiet)
        return;
    size_t total = context->result->episode_count;
    pthread_mutex_lock(&context->output_lock);
    if (context->progress_is_terminal) {
        int width = 40, filled = (int)(width * done / (total ? total : 1));
        fprintf(stderr, "\r[%.*s%*s] %zu/%zu episodes", filled, "########################################",
                width - filled, "", done, total);
        if (done == total)
            fputc('\n', stderr);
    } else if (total < 20 || done % (total / 10 ? total / 10 : 1) == 0 || done == total) {
        fprintf(stderr, "progress: %zu/%zu episodes\n", done, total);
    }
    fflush(stderr);
    pthread_mutex_unlock(&context->output_lock);
}

static char *dump_or_null(const json_t *value)
{
    return value != NULL ? json_strict_dump_canonical(value) : NULL;
}

static void add_entry(struct store_trace_entry *entries, char **texts, size_t *count, const char *direction,
                      const char *kind, const json_t *payload, long long at_ms)
{
    char *text = dump_or_null(payload);
    if (text == NULL)
        return;
    texts[*count] = text;
    entries[*count] = (struct store_trace_entry){.direction = direction, .kind = kind, .payload_json = text,
                                                 .at_ms = at_ms};
    (*count)++;
}

/* Records one played episode with its trace, in one transaction. */
static void record(struct worker_context *context, const struct run_episode *episode)
{
    const struct judge_outcome *outcome = &episode->outcome;
    const struct task *task = episode->task;
    struct store_trace_entry entries[3 + 256 + 1];
    char *texts[3 + 256 + 1] = {0};
    size_t count = 0;
    add_entry(entries, texts, &count, "to_agent", "message", outcome->request, outcome->started_at_ms);
    size_t index;
    json_t *step;
    json_array_foreach(outcome->tool_calls, index, step)
    {
        if (count >= 2 + 256)
            break; /* bounded: the trace of a runaway agent is cut, the count stays in the verdict */
        add_entry(entries, texts, &count, "from_agent", "tool_call", step, outcome->started_at_ms);
    }
    add_entry(entries, texts, &count, "from_agent", "message", outcome->reply, outcome->finished_at_ms);
    json_array_foreach(outcome->proxied, index, step)
    {
        if (count >= 2 + 256)
            break;
        add_entry(entries, texts, &count, "proxy", "exchange", step, outcome->finished_at_ms);
    }
    char *verdict = dump_or_null(outcome->verdict);
    json_t *tags = json_array();
    for (size_t tag = 0; tag < task->tags.count; tag++)
        json_array_append_new(tags, json_string(task->tags.items[tag]));
    char *tags_text = dump_or_null(tags);
    json_decref(tags);
    char *parts_text = NULL;
    if (task->subtasks.count > 0) {
        json_t *parts = json_array();
        for (size_t part = 0; part < task->subtasks.count; part++)
            json_array_append_new(parts, json_string(task->subtasks.items[part]));
        parts_text = dump_or_null(parts);
        json_decref(parts);
    }
    enum store_error_class error_class = STORE_ERROR_NONE;
    if (outcome->error_class[0] != '\0')
        store_error_class_parse(outcome->error_class, &error_class);
    struct store_episode row = {
        .run_id = context->result->run_id,
        .participant_role = context->scenario->participants[episode->participant].name,
        .task_id = task->id, .trial = episode->trial,
        .score = outcome->scored ? outcome->score : NAN, .passed = outcome->passed, .verdicts_json = verdict,
        .status = !outcome->scored ? STORE_EPISODE_ERROR
                  : error_class == STORE_ERROR_NONE || error_class == STORE_ERROR_WRONG_ANSWER ? STORE_EPISODE_SCORED
                                                                                               : STORE_EPISODE_FAILED,
        .error_class = error_class, .error_message = outcome->error_message[0] ? outcome->error_message : NULL,
        .started_at_ms = outcome->started_at_ms, .finished_at_ms = outcome->finished_at_ms,
        .duration_ms = (int64_t)(outcome->seconds * 1000), .steps = outcome->steps, .input_tokens = outcome->input_tokens,
        .output_tokens = outcome->output_tokens, .cost = -1, .task_family = task->family, .task_tags_json = tags_text,
        .task_parts_json = parts_text, .task_human_minutes = task->human_minutes, .trace = entries, .trace_count = count};
    struct assay_error error = {0};
    pthread_mutex_lock(&context->store_lock);
    int status = store_episode_record(context->store, &row, &error);
    if (status != ASSAY_OK && status != ASSAY_ERR_STATE)
        context->result->store_errors++;
    pthread_mutex_unlock(&context->store_lock);
    if (status != ASSAY_OK && status != ASSAY_ERR_STATE && !context->quiet)
        fprintf(stderr, "\nassay run: cannot record %s/%s: %s\n", row.participant_role, task->id, error.message);
    for (size_t entry = 0; entry < count; entry++)
        assay_free(texts[entry]);
    assay_free(verdict);
    assay_free(tags_text);
    assay_free(parts_text);
}

struct ci_search {
    const struct scenario *scenario;
    long long run_id;
};

static int find_unfinished_run(void *context, const struct store_run *run)
{
    struct ci_search *search = context;
    char needle[96];
    snprintf(needle, sizeof needle, "\"scenario_sha256\":\"%s\"", search->scenario->sha256);
    if (search->run_id == 0 && run->status != STORE_RUN_COMPLETE && run->scenario_name != NULL &&
        strcmp(run->scenario_name, search->scenario->name) == 0 && run->provenance_json != NULL &&
        strstr(run->provenance_json, needle) != NULL)
        search->run_id = run->id; /* runs come newest first */
    return 0;
}

static void *worker(void *argument)
{
    struct worker_context *context = argument;
    for (;;) {
        if (stop_requested || (context->options->stop != NULL && context->options->stop(context->options->hook_context)))
            break;
        size_t index = atomic_fetch_add(&context->next, 1);
        if (index >= context->result->episode_count)
            break;
        struct run_episode *episode = &context->result->episodes[index];
        const struct scenario_participant *participant = &context->scenario->participants[episode->participant];
        struct judge_episode plan = {
            .task = episode->task, .trial = episode->trial,
            .seed = episode->task->seed + context->scenario->seed - 1 + episode->trial - 1,
            .privileged = participant->privileged, .budget_seconds = context->scenario->budget_seconds,
            .budget_steps = context->scenario->budget_steps};
        /* Infrastructure failures are retried with backoff (never scored as
         * 0); agent failures are final. */
        for (int attempt = 0;; attempt++) {
            judge_play(context->judge, context->clients[episode->participant], &plan, &episode->outcome);
            if (context->proxies != NULL)
                episode->outcome.proxied =
                    proxy_take_recording(context->proxies[episode->participant], episode->outcome.token);
            if (judge_error_counts_against_agent(episode->outcome.error_class) || attempt == 2 || stop_requested)
                break;
            judge_outcome_release(&episode->outcome);
            usleep((useconds_t)(200000u << attempt));
        }
        episode->played = 1;
        if (context->store != NULL)
            record(context, episode);
        show_progress(context, atomic_fetch_add(&context->finished, 1) + 1);
    }
    return NULL;
}

static int select_tasks(const struct scenario *scenario, const struct package *package,
                        const struct task ***tasks_out, size_t *count_out, struct assay_error *error)
{
    const struct task **tasks = assay_calloc(package->task_count + 1, sizeof *tasks);
    if (tasks == NULL)
        return ASSAY_ERR_NOMEM;
    size_t count = 0;
    if (scenario->tasks != NULL) {
        for (char **id = scenario->tasks; *id != NULL; id++) {
            const struct task *task = package_find_task(package, *id);
            if (task == NULL) {
                assay_free(tasks);
                return assay_error_set(error, ASSAY_ERR_INVALID, "%s: config.tasks: '%s' is not a task of %s",
                                       scenario->file, *id, package->name);
            }
            tasks[count++] = task;
        }
    } else {
        int all = 0;
        const struct split *split = package_find_split(package, scenario->split, &all);
        if (split == NULL && !all) {
            assay_free(tasks);
            return assay_error_set(error, ASSAY_ERR_INVALID, "%s: config.split: %s has no split '%s'", scenario->file,
                                   package->name, scenario->split);
        }
        for (size_t index = 0; index < package->task_count; index++)
            if (all || string_list_contains(&split->task_ids, package->tasks[index].id))
                tasks[count++] = &package->tasks[index];
    }
    *tasks_out = tasks;
    *count_out = count;
    return ASSAY_OK;
}

int run_scenario(const struct scenario *scenario, const struct run_options *options, struct run_result **out,
                 struct assay_error *error)
{
    *out = NULL;
    struct registry registry;
    registry_scan(options->search_path, &registry);
    char *folder = registry_resolve(&registry, scenario->bench, error);
    registry_free(&registry);
    if (folder == NULL)
        return ASSAY_ERR_NOT_FOUND;
    struct run_result *result = assay_calloc(1, sizeof *result);
    struct package_problems problems = {0};
    int status = result != NULL ? package_load(folder, &result->package, &problems) : ASSAY_ERR_NOMEM;
    assay_free(folder);
    if (status != ASSAY_OK) {
        assay_error_set(error, status, "package %s does not load: %s (run `assay bench check %s`)", scenario->bench,
                        problems.count ? problems.messages[0] : assay_strerror(status), scenario->bench);
        package_problems_free(&problems);
        run_result_free(result);
        return status;
    }
    package_problems_free(&problems);

    const struct task **tasks = NULL;
    size_t task_count = 0;
    struct local_agent **agents = assay_calloc(scenario->participant_count, sizeof *agents);
    struct a2a_client **clients = assay_calloc(scenario->participant_count, sizeof *clients);
    struct judge *judge = NULL;
    struct store *store = NULL;
    struct proxy **proxies = strcmp(scenario->mode, "proxy") == 0
                                 ? assay_calloc(scenario->participant_count + 1, sizeof *proxies)
                                 : NULL;
    if (agents == NULL || clients == NULL) {
        status = ASSAY_ERR_NOMEM;
        goto done;
    }
    if ((status = select_tasks(scenario, result->package, &tasks, &task_count, error)) != ASSAY_OK)
        goto done;
    result->episode_count = scenario->participant_count * task_count * (size_t)scenario->trials;
    result->episodes = assay_calloc(result->episode_count + 1, sizeof *result->episodes);
    if (result->episodes == NULL) {
        status = ASSAY_ERR_NOMEM;
        goto done;
    }
    size_t slot = 0;
    for (size_t participant = 0; participant < scenario->participant_count; participant++)
        for (long trial = 1; trial <= scenario->trials; trial++)
            for (size_t task = 0; task < task_count; task++)
                result->episodes[slot++] = (struct run_episode){.participant = participant, .task = tasks[task],
                                                                .trial = trial};

    /* the store: a new run, or the run being resumed (only what it lacks is played) */
    if ((status = store_open(options->db, &store, error)) != ASSAY_OK)
        goto done;
    long long resume_run = options->resume_run;
    if (resume_run == 0 && strcmp(scenario->mode, "ci") == 0) {
        /* Rerunning a CI scenario redoes only what is missing: continue the
         * newest unfinished run of this very scenario file (same name and
         * SHA-256), if there is one. */
        struct ci_search search = {.scenario = scenario};
        store_runs_list(store, find_unfinished_run, &search, NULL);
        resume_run = search.run_id;
        result->resumed = resume_run > 0;
    }
    if (resume_run > 0) {
        struct store_planned_episode *planned = assay_calloc(result->episode_count + 1, sizeof *planned);
        unsigned char *missing = assay_calloc(result->episode_count + 1, 1);
        size_t missing_count = 0;
        for (size_t index = 0; planned != NULL && index < result->episode_count; index++)
            planned[index] = (struct store_planned_episode){
                .participant_role = scenario->participants[result->episodes[index].participant].name,
                .task_id = result->episodes[index].task->id, .trial = result->episodes[index].trial};
        status = planned != NULL && missing != NULL
                     ? store_episodes_missing(store, resume_run, planned, result->episode_count, missing,
                                              &missing_count, error)
                     : ASSAY_ERR_NOMEM;
        size_t kept = 0;
        for (size_t index = 0; status == ASSAY_OK && index < result->episode_count; index++)
            if (missing[index])
                result->episodes[kept++] = result->episodes[index];
        assay_free(planned);
        assay_free(missing);
        if (status != ASSAY_OK)
            goto done;
        result->already_recorded = result->episode_count - kept;
        result->episode_count = kept;
        result->run_id = resume_run;
    } else {
        /* episodes_planned lets a viewer show progress while the run goes on */
        json_t *provenance = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "assay_version", ASSAY_VERSION, "benchmark",
                                       result->package->name, "benchmark_sha256", result->package->content_hash,
                                       "scenario_sha256", scenario->sha256, "seed", (json_int_t)scenario->seed,
                                       "episodes_planned", (json_int_t)result->episode_count);
        char *scenario_text = json_strict_dump_canonical(scenario->source);
        char *provenance_text = json_strict_dump_canonical(provenance);
        json_decref(provenance);
        struct store_run run = {.scenario_name = scenario->name, .scenario_json = scenario_text, .mode = scenario->mode,
                                .provenance_json = provenance_text, .status = STORE_RUN_RUNNING,
                                .started_at_ms = (int64_t)time(NULL) * 1000};
        status = store_run_create(store, &run, error);
        assay_free(scenario_text);
        assay_free(provenance_text);
        if (status != ASSAY_OK)
            goto done;
        result->run_id = run.id;
        for (size_t index = 0; status == ASSAY_OK && index < scenario->participant_count; index++) {
            struct store_participant participant = {
                .run_id = run.id, .role = scenario->participants[index].name,
                .name = scenario->participants[index].name,
                .endpoint_kind = scenario->participants[index].command != NULL ? "local" : "remote"};
            status = store_participant_add(store, &participant, error);
        }
        if (status != ASSAY_OK)
            goto done;
    }

    result->card_sha256 = assay_calloc(scenario->participant_count + 1, sizeof *result->card_sha256);
    /* agents: started (local) or reached (remote), each named in errors */
    for (size_t index = 0; index < scenario->participant_count; index++) {
        const struct scenario_participant *participant = &scenario->participants[index];
        const char *url = participant->url;
        if (participant->command != NULL) {
            if ((status = local_agent_start(participant->name, participant->command, AGENT_START_TIMEOUT_MS,
                                            &agents[index], error)) != ASSAY_OK)
                goto done;
            url = agents[index]->url;
        }
        const char *token = participant->token_env != NULL ? getenv(participant->token_env) : NULL;
        if (proxies != NULL) {
            /* the judge talks to the proxy; only the proxy knows the agent */
            struct proxy_options proxy_options = {.target = url, .bearer_token = token,
                                                  .max_messages = scenario->budget_messages,
                                                  .max_seconds = scenario->budget_seconds};
            if ((status = proxy_start(&proxy_options, &proxies[index], error)) != ASSAY_OK)
                goto done;
            url = proxy_url(proxies[index]);
            token = NULL;
        }
        struct a2a_client_options client_options = {.bearer_token = token};
        struct a2a_client_error client_error = {0};
        json_t *card = NULL;
        if (a2a_client_resolve(url, &client_options, &clients[index], &card, &client_error) != ASSAY_OK) {
            status = assay_error_set(error, ASSAY_ERR_IO, "agent %s at %s did not answer with an agent card: %s",
                                     participant->name, url, client_error.message);
            goto done;
        }
        char *card_text = card != NULL ? json_strict_dump_canonical(card) : NULL;
        if (card_text != NULL && result->card_sha256 != NULL)
            assay_sha256_hex(card_text, strlen(card_text), result->card_sha256[index]);
        assay_free(card_text);
        json_decref(card);
    }
    if ((status = judge_new(result->package, &judge, error)) != ASSAY_OK)
        goto done;

    struct sigaction action = {0}, previous_int, previous_term;
    action.sa_handler = request_stop;
    sigaction(SIGINT, &action, &previous_int);
    sigaction(SIGTERM, &action, &previous_term);
    stop_requested = 0;
    struct worker_context context = {.proxies = proxies, .store = store, .scenario = scenario, .result = result, .judge = judge, .clients = clients,
                                     .progress_is_terminal = isatty(STDERR_FILENO), .quiet = options->quiet,
                                     .options = options};
    atomic_init(&context.next, 0);
    atomic_init(&context.finished, 0);
    pthread_mutex_init(&context.output_lock, NULL);
    pthread_mutex_init(&context.store_lock, NULL);
    long concurrency = options->concurrency > 0 ? options->concurrency : scenario->concurrency;
    if (concurrency > RUN_MAX_CONCURRENCY)
        concurrency = RUN_MAX_CONCURRENCY;
    if ((size_t)concurrency > result->episode_count)
        concurrency = (long)(result->episode_count > 0 ? result->episode_count : 1);
    /* One thread per episode in flight: each mostly waits on its agent. Small
     * stacks keep a thousand of them cheap (their resident cost is what they
     * touch, a few pages each). */
    pthread_t *threads = assay_calloc((size_t)concurrency, sizeof *threads);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 256u << 10);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    result->started_at_ms = (long long)time(NULL) * 1000;
    long started = 0;
    for (; threads != NULL && started < concurrency; started++)
        if (pthread_create(&threads[started], &attributes, worker, &context) != 0)
            break;
    pthread_attr_destroy(&attributes);
    if (started == 0)
        worker(&context); /* no thread could start: play them here, one at a time */
    for (long index = 0; index < started; index++)
        pthread_join(threads[index], NULL);
    assay_free(threads);
    clock_gettime(CLOCK_MONOTONIC, &end);
    result->seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    result->played = atomic_load(&context.finished);
    result->finished_at_ms = (long long)time(NULL) * 1000;
    result->interrupted = stop_requested != 0 ||
                          (options->stop != NULL && options->stop(options->hook_context) &&
                           result->played < result->episode_count);
    pthread_mutex_destroy(&context.output_lock);
    pthread_mutex_destroy(&context.store_lock);
    int complete = !result->interrupted && result->played == result->episode_count && result->store_errors == 0;
    store_run_finish(store, result->run_id,
                     result->interrupted ? STORE_RUN_INTERRUPTED : complete ? STORE_RUN_COMPLETE : STORE_RUN_INCOMPLETE,
                     (int64_t)time(NULL) * 1000, NULL);
    sigaction(SIGINT, &previous_int, NULL);
    sigaction(SIGTERM, &previous_term, NULL);
    status = ASSAY_OK;
done:
    store_close(store);
    judge_free(judge);
    for (size_t index = 0; clients != NULL && index < scenario->participant_count; index++)
        a2a_client_free(clients[index]);
    for (size_t index = 0; proxies != NULL && index < scenario->participant_count; index++)
        proxy_free(proxies[index]);
    assay_free(proxies);
    for (size_t index = 0; agents != NULL && index < scenario->participant_count; index++)
        local_agent_stop(agents[index]);
    assay_free(clients);
    assay_free(agents);
    assay_free(tasks);
    if (status != ASSAY_OK) {
        run_result_free(result);
        return status;
    }
    *out = result;
    return ASSAY_OK;
}

void run_result_free(struct run_result *result)
{
    if (result == NULL)
        return;
    for (size_t index = 0; index < result->episode_count && result->episodes != NULL; index++)
        judge_outcome_release(&result->episodes[index].outcome);
    assay_free(result->episodes);
    assay_free(result->card_sha256);
    package_free(result->package);
    assay_free(result);
}

/* ---- summary ---------------------------------------------------------------- */

/* The played episodes as a report's input; every figure is then computed by
 * src/report, exactly as `assay stats report` computes it from the store. */
static struct report_summary *summary_of(const struct scenario *scenario, const struct run_result *result)
{
    struct report_episodes episodes = {0};
    int status = ASSAY_OK;
    for (size_t index = 0; status == ASSAY_OK && index < result->episode_count; index++) {
        const struct run_episode *episode = &result->episodes[index];
        if (!episode->played)
            continue;
        enum store_error_class error_class = STORE_ERROR_NONE;
        if (episode->outcome.error_class[0] != '\0')
            store_error_class_parse(episode->outcome.error_class, &error_class);
        struct report_episode item = {
            .agent = (char *)scenario->participants[episode->participant].name,
            .task = (char *)episode->task->id,
            .family = (char *)episode->task->family,
            .tags = episode->task->tags.items,
            .tag_count = episode->task->tags.count,
            .parts = episode->task->subtasks.items,
            .part_count = episode->task->subtasks.count,
            .trial = episode->trial,
            .scored = episode->outcome.scored,
            .score = episode->outcome.score,
            .passed = episode->outcome.passed,
            .error_class = error_class,
            .duration_ms = (int64_t)(episode->outcome.seconds * 1000),
            .steps = episode->outcome.steps,
            .human_minutes = episode->task->human_minutes,
        };
        report_episode_read_safety(&item, episode->outcome.verdict);
        status = report_episodes_add(&episodes, &item, NULL);
    }
    const char **names = assay_calloc(scenario->participant_count + 1, sizeof *names);
    for (size_t index = 0; names != NULL && index < scenario->participant_count; index++)
        names[index] = scenario->participants[index].name;
    struct report_summary *summary = NULL;
    if (status == ASSAY_OK && names != NULL)
        report_summary_build(&episodes, names, scenario->participant_count, &summary, NULL);
    assay_free(names);
    report_episodes_free(&episodes);
    return summary;
}

void run_print_summary(const struct scenario *scenario, const struct run_result *result, FILE *stream)
{
    fprintf(stream, "\n%s on %s %s: %zu of %zu episodes in %.1f s%s", scenario->name, result->package->name,
            result->package->version, result->played, result->episode_count, result->seconds,
            result->interrupted ? " (INTERRUPTED)" : "");
    if (result->already_recorded > 0)
        fprintf(stream, " (resumed: %zu were already recorded; the table shows this session's)",
                result->already_recorded);
    fprintf(stream, "\n\n");
    struct report_summary *summary = summary_of(scenario, result);
    struct buffer out = {0};
    if (summary == NULL || report_summary_text(summary, &out) != ASSAY_OK)
        fprintf(stream, "(out of memory: no summary)\n");
    else
        fputs(out.data, stream);
    buffer_free(&out);
    report_summary_free(summary);
}

int run_write_provenance(const struct scenario *scenario, const struct run_result *result, const char *db,
                         char *out, size_t size, struct assay_error *error)
{
    json_t *agents = json_array();
    for (size_t index = 0; index < scenario->participant_count; index++)
        json_array_append_new(agents, json_pack("{s:s, s:s, s:s}", "name", scenario->participants[index].name,
                                                "kind", scenario->participants[index].command != NULL ? "local" : "remote",
                                                "card_sha256", result->card_sha256 ? result->card_sha256[index] : ""));
    int complete = !result->interrupted && result->played == result->episode_count && result->store_errors == 0;
    json_t *record = json_pack(
        "{s:s, s:I, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b}",
        "assay_version", ASSAY_VERSION, "run", (json_int_t)result->run_id, "scenario", "name", scenario->name, "file",
        scenario->file, "sha256", scenario->sha256, "benchmark", "name", result->package->name, "version",
        result->package->version, "sha256", result->package->content_hash, "agents", agents, "seed",
        (json_int_t)scenario->seed, "trials", (json_int_t)scenario->trials, "started_at_ms",
        (json_int_t)result->started_at_ms, "finished_at_ms", (json_int_t)result->finished_at_ms, "episodes_this_session",
        (json_int_t)result->played, "episodes_already_recorded", (json_int_t)result->already_recorded, "resumed",
        result->resumed, "complete", complete);
    snprintf(out, size, "%s.run-%lld.provenance.json", db != NULL && db[0] != '\0' ? db : "assay.db",
             result->run_id);
    int status = record != NULL && json_dump_file(record, out, JSON_INDENT(2) | JSON_SORT_KEYS) == 0
                     ? ASSAY_OK
                     : assay_error_set(error, ASSAY_ERR_IO, "cannot write the provenance record %s", out);
    json_decref(record);
    return status;
}

json_t *run_result_json(const struct scenario *scenario, const struct run_result *result)
{
    json_t *episodes = json_array();
    for (size_t index = 0; index < result->episode_count; index++) {
        const struct run_episode *episode = &result->episodes[index];
        if (!episode->played)
            continue;
        json_t *item = json_pack("{s:s, s:s, s:I, s:f, s:b, s:b, s:s, s:s, s:f, s:I, s:s}", "agent",
                                 scenario->participants[episode->participant].name, "task", episode->task->id, "trial",
                                 (json_int_t)episode->trial, "score", episode->outcome.score, "passed",
                                 episode->outcome.passed, "scored", episode->outcome.scored, "error_class",
                                 episode->outcome.error_class, "error", episode->outcome.error_message, "seconds",
                                 episode->outcome.seconds, "steps", (json_int_t)episode->outcome.steps, "agent_state",
                                 episode->outcome.agent_state);
        if (item != NULL && episode->outcome.verdict != NULL)
            json_object_set(item, "verdict", episode->outcome.verdict);
        json_array_append_new(episodes, item);
    }
    struct report_summary *summary = summary_of(scenario, result);
    json_t *report = summary != NULL ? report_summary_json(summary) : NULL;
    json_t *agents = json_incref(json_object_get(report, "agents"));
    json_decref(report);
    report_summary_free(summary);
    if (agents == NULL)
        agents = json_array();
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:f, s:b, s:o, s:o}", "scenario", scenario->name, "benchmark",
                     result->package->name, "content_sha256", result->package->content_hash, "episodes_planned",
                     (json_int_t)result->episode_count, "episodes_played", (json_int_t)result->played, "seconds",
                     result->seconds, "interrupted", result->interrupted, "agents", agents, "episodes", episodes);
}
