/* data.c — the documents of `assay serve`, built from the results store.
 * Figures come from src/report (the same code as `assay stats report` and
 * `assay stats compare`), so the web and the command line always agree. */
#include "web/data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buffer.h"
#include "core/memory.h"
#include "report/compare.h"
#include "report/summary.h"
#include "stats/horizon.h"
#include "stats/irt.h"
#include "web/escape.h"

#define PAGE_DEFAULT 200
#define PAGE_MAXIMUM 1000

const char *web_run_benchmark(const struct store_run *run, json_t **holder)
{
    *holder = NULL;
    if (run->provenance_json != NULL && (*holder = json_loads(run->provenance_json, 0, NULL)) != NULL) {
        const char *name = json_string_value(json_object_get(*holder, "benchmark"));
        if (name != NULL)
            return name;
        json_decref(*holder);
    }
    *holder = json_loads(run->scenario_json != NULL ? run->scenario_json : "{}", 0, NULL);
    return json_string_value(json_object_get(json_object_get(*holder, "judge"), "bench"));
}

/* A run's row: what lists and headers show. */
static json_t *run_row(const struct store_run *run)
{
    json_t *holder = NULL, *provenance = NULL;
    const char *benchmark = web_run_benchmark(run, &holder);
    if (run->provenance_json != NULL)
        provenance = json_loads(run->provenance_json, 0, NULL);
    json_t *planned = json_object_get(provenance, "episodes_planned");
    json_t *row = json_pack("{s:I, s:o, s:o, s:o, s:s, s:I, s:o, s:O?, s:o}", "id", (json_int_t)run->id, "scenario",
                            web_json_string(run->scenario_name != NULL ? run->scenario_name : ""), "benchmark",
                            web_json_string(benchmark), "mode", web_json_string(run->mode != NULL ? run->mode : ""),
                            "status", store_run_status_name(run->status),
                            "started_at_ms", (json_int_t)run->started_at_ms, "finished_at_ms",
                            run->finished_at_ms > 0 ? json_integer(run->finished_at_ms) : json_null(),
                            "episodes_planned", json_is_integer(planned) ? planned : NULL, "assay_version",
                            web_json_string(run->assay_version != NULL ? run->assay_version : ""));
    if (row != NULL && provenance != NULL)
        json_object_set(row, "provenance", provenance);
    json_decref(provenance);
    json_decref(holder);
    return row;
}

static int collect_run(void *context, const struct store_run *run)
{
    json_t *row = run_row(run);
    return row != NULL && json_array_append_new(context, row) == 0 ? 0 : ASSAY_ERR_NOMEM;
}

int web_data_runs(struct store *store, json_t **out, struct assay_error *error)
{
    *out = json_array();
    int status = *out != NULL ? store_runs_list(store, collect_run, *out, error) : ASSAY_ERR_NOMEM;
    if (status != ASSAY_OK) {
        json_decref(*out);
        *out = NULL;
        return status < 0 ? status : assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory listing runs");
    }
    return ASSAY_OK;
}

int web_data_benchmarks(struct store *store, json_t **out, struct assay_error *error)
{
    json_t *runs = NULL;
    int status = web_data_runs(store, &runs, error);
    if (status != ASSAY_OK)
        return status;
    json_t *by_name = json_object(), *list = json_array();
    size_t index;
    json_t *run;
    json_array_foreach(runs, index, run)
    {
        const char *name = json_string_value(json_object_get(run, "benchmark"));
        if (name == NULL)
            continue;
        json_t *entry = json_object_get(by_name, name);
        if (entry == NULL) { /* runs come newest first: the first is the last run */
            entry = json_pack("{s:s, s:i, s:O}", "benchmark", name, "runs", 0, "last_run", json_object_get(run, "id"));
            json_object_set_new(by_name, name, entry);
            json_array_append(list, entry);
        }
        json_object_set_new(entry, "runs", json_integer(json_integer_value(json_object_get(entry, "runs")) + 1));
    }
    json_decref(by_name);
    json_decref(runs);
    *out = list;
    return ASSAY_OK;
}

static int find_run(void *context, const struct store_run *run)
{
    json_t **out = context;
    *out = run_row(run);
    if (*out == NULL)
        return ASSAY_ERR_NOMEM;
    json_t *scenario = run->scenario_json != NULL ? json_loads(run->scenario_json, 0, NULL) : NULL;
    json_object_set_new(*out, "scenario_document", scenario != NULL ? scenario : json_null());
    return 0;
}

static int collect_participant(void *context, const struct store_participant *participant)
{
    json_t *row = json_pack("{s:s, s:s, s:s}", "role", participant->role, "name", participant->name, "endpoint_kind",
                            participant->endpoint_kind);
    if (row != NULL && participant->agent_card_json != NULL) {
        json_t *card = json_loads(participant->agent_card_json, 0, NULL);
        if (card != NULL)
            json_object_set_new(row, "agent_card", card);
    }
    return row != NULL && json_array_append_new(context, row) == 0 ? 0 : ASSAY_ERR_NOMEM;
}

/* The run's summary document (report/summary.h) and how many episodes it
 * rests on. */
static int run_summary(struct store *store, int64_t run_id, json_t *participants, json_t **summary,
                       size_t *recorded, struct assay_error *error)
{
    struct report_episodes episodes = {0};
    struct report_summary *built = NULL;
    size_t count = json_array_size(participants);
    const char **names = assay_calloc(count + 1, sizeof *names);
    for (size_t index = 0; names != NULL && index < count; index++)
        names[index] = json_string_value(json_object_get(json_array_get(participants, index), "role"));
    int status = names != NULL ? report_episodes_from_store(store, run_id, &episodes, error)
                               : assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    if (status == ASSAY_OK)
        status = report_summary_build(&episodes, names, count, &built, error);
    *summary = status == ASSAY_OK ? report_summary_json(built) : NULL;
    *recorded = episodes.count;
    report_summary_free(built);
    report_episodes_free(&episodes);
    assay_free(names);
    return status;
}

int web_data_run(struct store *store, int64_t run_id, json_t **out, struct assay_error *error)
{
    *out = NULL;
    json_t *run = NULL, *participants = json_array(), *summary = NULL;
    size_t recorded = 0;
    int status = store_run_get(store, run_id, find_run, &run, error);
    if (status == ASSAY_OK)
        status = store_participants_list(store, run_id, collect_participant, participants, error);
    if (status == ASSAY_OK)
        status = run_summary(store, run_id, participants, &summary, &recorded, error);
    if (status != ASSAY_OK) {
        json_decref(run);
        json_decref(participants);
        return status;
    }
    json_t *planned = json_object_get(run, "episodes_planned");
    *out = json_pack("{s:o, s:o, s:{s:I, s:O?, s:O}, s:o}", "run", run, "participants", participants, "progress",
                     "recorded", (json_int_t)recorded, "planned", json_is_integer(planned) ? planned : NULL, "status",
                     json_object_get(run, "status"), "summary", summary);
    return *out != NULL ? ASSAY_OK : assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
}

static int tags_contain(const char *tags_json, const char *tag)
{
    if (tags_json == NULL)
        return 0;
    /* tags are plain words; match the quoted JSON string exactly */
    size_t length = strlen(tag);
    for (const char *cursor = strstr(tags_json, tag); cursor != NULL; cursor = strstr(cursor + 1, tag))
        if (cursor > tags_json && cursor[-1] == '"' && cursor[length] == '"')
            return 1;
    return 0;
}

static const char *outcome_of(const struct store_episode *episode)
{
    if (episode->status == STORE_EPISODE_ERROR)
        return "error";
    return episode->passed ? "passed" : "failed";
}

/* Text an agent may have shaped (its answer quoted in an error message, say)
 * goes through web_json_string, which repairs invalid UTF-8 that jansson
 * would refuse: the row must never vanish from a list. */
static json_t *episode_row(const struct store_episode *episode)
{
    json_t *tags = episode->task_tags_json != NULL ? json_loads(episode->task_tags_json, 0, NULL) : NULL;
    return json_pack("{s:I, s:I, s:o, s:o, s:I, s:o, s:b, s:s, s:s, s:s?, s:o, s:I, s:I, s:o, s:I, s:o}", "id",
                     (json_int_t)episode->id, "run", (json_int_t)episode->run_id, "agent",
                     web_json_string(episode->participant_role), "task", web_json_string(episode->task_id), "trial",
                     (json_int_t)episode->trial, "score",
                     isfinite(episode->score) ? json_real(episode->score) : json_null(), "passed", episode->passed,
                     "status", store_episode_status_name(episode->status), "outcome", outcome_of(episode),
                     "error_class",
                     episode->error_class != STORE_ERROR_NONE ? store_error_class_name(episode->error_class) : NULL,
                     "error_message", web_json_string(episode->error_message), "duration_ms",
                     (json_int_t)episode->duration_ms, "steps", (json_int_t)episode->steps, "tags",
                     tags != NULL ? tags : json_array(), "trace_count", (json_int_t)episode->trace_count, "family",
                     web_json_string(episode->task_family));
}

static int limit_of(int64_t offset, int64_t *limit, struct assay_error *error)
{
    if (offset < 0 || *limit < 0)
        return assay_error_set(error, ASSAY_ERR_INVALID, "offset and limit must not be negative");
    if (*limit == 0)
        *limit = PAGE_DEFAULT;
    if (*limit > PAGE_MAXIMUM)
        return assay_error_set(error, ASSAY_ERR_INVALID, "limit must be at most %d", PAGE_MAXIMUM);
    return ASSAY_OK;
}

int web_data_episodes(struct store *store, int64_t run_id, const struct web_episode_filter *filter, json_t **out,
                      struct assay_error *error)
{
    *out = NULL;
    int64_t limit = filter->limit;
    int status = limit_of(filter->offset, &limit, error);
    if (status != ASSAY_OK)
        return status;
    if (filter->outcome != NULL && filter->outcome[0] != '\0' && strcmp(filter->outcome, "passed") != 0 &&
        strcmp(filter->outcome, "failed") != 0 && strcmp(filter->outcome, "error") != 0)
        return assay_error_set(error, ASSAY_ERR_INVALID, "outcome must be passed, failed or error");
    enum store_error_class wanted_class = STORE_ERROR_NONE;
    int by_class = filter->error_class != NULL && filter->error_class[0] != '\0';
    if (by_class && store_error_class_parse(filter->error_class, &wanted_class) != ASSAY_OK)
        return assay_error_set(error, ASSAY_ERR_INVALID, "unknown error class '%s'", filter->error_class);
    const char *agent = filter->agent != NULL && filter->agent[0] != '\0' ? filter->agent : NULL;
    struct store_episode_iterator *iterator = NULL;
    struct store_episode episode;
    json_t *rows = json_array();
    int64_t total = 0;
    status = store_episode_iterator_open(store, run_id, agent, &iterator, error);
    while (status == ASSAY_OK && (status = store_episode_iterator_next(iterator, &episode, error)) == 1) {
        status = ASSAY_OK;
        if (filter->tag != NULL && filter->tag[0] != '\0' && !tags_contain(episode.task_tags_json, filter->tag))
            continue;
        if (filter->outcome != NULL && filter->outcome[0] != '\0' && strcmp(outcome_of(&episode), filter->outcome) != 0)
            continue;
        if (by_class && episode.error_class != wanted_class)
            continue;
        if (total >= filter->offset && total - filter->offset < limit) {
            json_t *row = episode_row(&episode);
            if (row == NULL || json_array_append_new(rows, row) != 0)
                status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory listing episodes");
        }
        total++;
    }
    store_episode_iterator_close(iterator);
    if (status < 0) {
        json_decref(rows);
        return status;
    }
    *out = json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "offset", (json_int_t)filter->offset,
                     "limit", (json_int_t)limit, "episodes", rows);
    return ASSAY_OK;
}

static int keep_episode(void *context, const struct store_episode *episode)
{
    json_t **out = context;
    *out = episode_row(episode);
    if (*out == NULL)
        return ASSAY_ERR_NOMEM;
    json_t *verdict = episode->verdicts_json != NULL ? json_loads(episode->verdicts_json, 0, NULL) : NULL;
    json_object_set_new(*out, "verdict", verdict != NULL ? verdict : json_null());
    json_object_set_new(*out, "started_at_ms", json_integer(episode->started_at_ms));
    json_object_set_new(*out, "input_tokens",
                        episode->input_tokens >= 0 ? json_integer(episode->input_tokens) : json_null());
    json_object_set_new(*out, "output_tokens",
                        episode->output_tokens >= 0 ? json_integer(episode->output_tokens) : json_null());
    json_object_set_new(*out, "cost", episode->cost >= 0 ? json_real(episode->cost) : json_null());
    json_object_set_new(*out, "human_minutes",
                        episode->task_human_minutes > 0 ? json_real(episode->task_human_minutes) : json_null());
    return 0;
}

int web_data_episode(struct store *store, int64_t episode_id, json_t **out, struct assay_error *error)
{
    *out = NULL;
    int status = store_episode_get(store, episode_id, keep_episode, out, error);
    if (status == ASSAY_ERR_NOMEM)
        assay_error_set(error, status, "out of memory reading episode %lld", (long long)episode_id);
    return status;
}

struct trace_page {
    json_t *entries;
};

static int keep_trace_row(void *context, const struct store_trace_entry *entry)
{
    struct trace_page *page = context;
    json_t *payload = json_loads(entry->payload_json, JSON_DECODE_ANY, NULL);
    json_t *row = json_pack("{s:I, s:s, s:s, s:o, s:I}", "sequence", (json_int_t)entry->sequence, "direction",
                            entry->direction, "kind", entry->kind, "payload", payload != NULL ? payload : json_null(),
                            "at_ms", (json_int_t)entry->at_ms);
    return row != NULL && json_array_append_new(page->entries, row) == 0 ? 0 : ASSAY_ERR_NOMEM;
}

static int count_trace(void *context, const struct store_episode *episode)
{
    *(int64_t *)context = (int64_t)episode->trace_count;
    return 0;
}

int web_data_trace(struct store *store, int64_t episode_id, int64_t offset, int64_t limit, json_t **out,
                   struct assay_error *error)
{
    *out = NULL;
    int64_t total = 0;
    int status = limit_of(offset, &limit, error);
    if (status == ASSAY_OK)
        status = store_episode_get(store, episode_id, count_trace, &total, error);
    struct trace_page page = {.entries = json_array()};
    if (status == ASSAY_OK)
        status = store_trace_read(store, episode_id, offset, limit, keep_trace_row, &page, error);
    if (status != ASSAY_OK) {
        json_decref(page.entries);
        return status;
    }
    *out = json_pack("{s:I, s:I, s:I, s:I, s:o}", "episode", (json_int_t)episode_id, "total", (json_int_t)total,
                     "offset", (json_int_t)offset, "limit", (json_int_t)limit, "entries", page.entries);
    return ASSAY_OK;
}

int web_data_compare(struct store *store, int64_t run_id, const char *a, const char *b, json_t **out,
                     struct assay_error *error)
{
    *out = NULL;
    if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0')
        return assay_error_set(error, ASSAY_ERR_INVALID, "name two agents: ?a=A&b=B");
    struct report_episodes episodes = {0};
    struct report_comparison comparison = {0};
    int status = report_episodes_from_store(store, run_id, &episodes, error);
    if (status == ASSAY_OK)
        status = report_compare(&episodes, a, b, &comparison, error);
    if (status == ASSAY_OK && strcmp(a, b) == 0)
        status = assay_error_set(error, ASSAY_ERR_INVALID, "name two different agents (a and b are both '%s')", a);
    if (status == ASSAY_OK && (*out = report_comparison_json(&comparison, (long long)run_id, a, b, 1)) == NULL)
        status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory writing the comparison");
    report_comparison_release(&comparison);
    report_episodes_free(&episodes);
    return status;
}

/* ---- leaderboard --------------------------------------------------------------- */

struct leaderboard_walk {
    const char *benchmark;
    json_t *runs; /* ids of the benchmark's runs, newest first */
};

static int benchmark_runs(void *context, const struct store_run *run)
{
    struct leaderboard_walk *walk = context;
    json_t *holder = NULL;
    const char *name = web_run_benchmark(run, &holder);
    if (name != NULL && strcmp(name, walk->benchmark) == 0)
        json_array_append_new(walk->runs, json_integer(run->id));
    json_decref(holder);
    return 0;
}

static double mean_or(const json_t *row, double fallback)
{
    const json_t *mean = json_object_get(row, "mean_score");
    return json_is_number(mean) ? json_number_value(mean) : fallback;
}

/* By mean, then by the interval's lower end, then by name, so that equal
 * means always rank the same way whatever order the runs were read in. */
static int by_mean(const void *left, const void *right)
{
    const json_t *first = *(json_t *const *)left, *second = *(json_t *const *)right;
    double a = mean_or(first, -1), b = mean_or(second, -1);
    if (a != b)
        return a < b ? 1 : -1;
    double low_a = json_number_value(json_array_get(json_object_get(first, "mean_score_ci95"), 0));
    double low_b = json_number_value(json_array_get(json_object_get(second, "mean_score_ci95"), 0));
    if (low_a != low_b)
        return low_a < low_b ? 1 : -1;
    const char *name_a = json_string_value(json_object_get(first, "agent"));
    const char *name_b = json_string_value(json_object_get(second, "agent"));
    return strcmp(name_a != NULL ? name_a : "", name_b != NULL ? name_b : "");
}

/* Ranks with ties: rows sorted by mean form groups; a row joins the group
 * of the row above when its interval reaches the group leader's interval
 * (its upper end is at least the leader's lower end): the data do not order
 * it below the leader. Competition ranking: a group of three at rank 1 is
 * followed by rank 4. */
static void rank_rows(json_t **rows, size_t count)
{
    qsort(rows, count, sizeof *rows, by_mean);
    size_t leader = 0;
    for (size_t index = 0; index < count; index++) {
        json_t *row = rows[index];
        const json_t *interval = json_object_get(row, "mean_score_ci95");
        const json_t *leader_interval = json_object_get(rows[leader], "mean_score_ci95");
        double high = json_number_value(json_array_get(interval, 1));
        double leader_low = json_number_value(json_array_get(leader_interval, 0));
        int scored = json_is_number(json_object_get(row, "mean_score"));
        int joins = index > 0 && scored && json_is_number(json_object_get(rows[leader], "mean_score")) &&
                    high >= leader_low;
        if (!joins)
            leader = index;
        json_object_set_new(row, "rank", json_integer((json_int_t)leader + 1));
        json_object_set_new(row, "tied", json_boolean(joins));
        if (joins)
            json_object_set_new(rows[leader], "tied", json_true());
    }
}

int web_data_leaderboard(struct store *store, const char *benchmark, json_t **out, struct assay_error *error)
{
    *out = NULL;
    struct leaderboard_walk walk = {.benchmark = benchmark, .runs = json_array()};
    int status = store_runs_list(store, benchmark_runs, &walk, error);
    if (status == ASSAY_OK && json_array_size(walk.runs) == 0)
        status = assay_error_set(error, ASSAY_ERR_NOT_FOUND, "no run in this store played benchmark '%s'", benchmark);
    json_t *seen = json_object(), *agents = json_array(), *capabilities = json_array();
    size_t index;
    json_t *id;
    json_array_foreach(walk.runs, index, id)
    {
        if (status != ASSAY_OK)
            break;
        json_t *run = NULL;
        status = web_data_run(store, json_integer_value(id), &run, error);
        if (status != ASSAY_OK)
            break;
        json_t *summary = json_object_get(run, "summary");
        size_t agent_index;
        json_t *row;
        json_array_foreach(json_object_get(summary, "agents"), agent_index, row)
        {
            const char *name = json_string_value(json_object_get(row, "agent"));
            if (name == NULL || json_object_get(seen, name) != NULL || json_integer_value(json_object_get(row, "episodes")) == 0)
                continue; /* the agent's latest run is the one that counts */
            json_object_set_new(seen, name, json_true());
            json_t *copy = json_deep_copy(row);
            json_object_set(copy, "run", id);
            json_object_set(copy, "run_started_at_ms", json_object_get(json_object_get(run, "run"), "started_at_ms"));
            json_array_append_new(agents, copy);
        }
        size_t tag_index;
        json_t *tag;
        json_array_foreach(json_object_get(summary, "capabilities"), tag_index, tag)
        {
            size_t known_index;
            json_t *known;
            int present = 0;
            json_array_foreach(capabilities, known_index, known) present |= json_equal(known, tag);
            if (!present)
                json_array_append(capabilities, tag);
        }
        json_decref(run);
    }
    json_decref(seen);
    json_decref(walk.runs);
    if (status != ASSAY_OK) {
        json_decref(agents);
        json_decref(capabilities);
        return status;
    }
    size_t count = json_array_size(agents);
    json_t **rows = assay_calloc(count + 1, sizeof *rows);
    if (rows == NULL) {
        json_decref(agents);
        json_decref(capabilities);
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory ranking agents");
    }
    for (size_t row = 0; row < count; row++)
        rows[row] = json_incref(json_array_get(agents, row));
    rank_rows(rows, count);
    json_t *ranked = json_array();
    for (size_t row = 0; row < count; row++)
        json_array_append_new(ranked, rows[row]);
    assay_free(rows);
    json_decref(agents);
    *out = json_pack("{s:s, s:o, s:o}", "benchmark", benchmark, "capabilities", capabilities, "agents", ranked);
    return ASSAY_OK;
}

/* ---- agents --------------------------------------------------------------------- */

struct agent_walk {
    struct store *store;
    const char *agent;
    json_t *runs;
    struct assay_error *error;
};

static int has_participant(void *context, const struct store_participant *participant)
{
    return strcmp(participant->role, context) == 0 ? 1 : 0;
}

static int agent_run(void *context, const struct store_run *run)
{
    struct agent_walk *walk = context;
    json_t *row = run_row(run);
    if (row == NULL)
        return ASSAY_ERR_NOMEM;
    /* participants_list stops with 1 at the first match */
    int found = store_participants_list(walk->store, run->id, has_participant, (void *)walk->agent, NULL);
    if (found == 1)
        json_array_append(walk->runs, row);
    json_decref(row);
    return 0;
}

int web_data_agent(struct store *store, const char *agent, json_t **out, struct assay_error *error)
{
    *out = NULL;
    struct agent_walk walk = {.store = store, .agent = agent, .runs = json_array(), .error = error};
    int status = store_runs_list(store, agent_run, &walk, error);
    if (status == ASSAY_OK && json_array_size(walk.runs) == 0)
        status = assay_error_set(error, ASSAY_ERR_NOT_FOUND, "no run in this store has an agent named '%s'", agent);
    size_t index;
    json_t *row;
    json_array_foreach(walk.runs, index, row)
    {
        if (status != ASSAY_OK)
            break;
        json_t *run = NULL;
        status = web_data_run(store, json_integer_value(json_object_get(row, "id")), &run, error);
        size_t agent_index;
        json_t *figures;
        json_array_foreach(json_object_get(json_object_get(run, "summary"), "agents"), agent_index, figures)
        {
            const char *name = json_string_value(json_object_get(figures, "agent"));
            if (name == NULL || strcmp(name, agent) != 0)
                continue;
            json_object_set(row, "figures", figures);
        }
        json_decref(run);
    }
    if (status != ASSAY_OK) {
        json_decref(walk.runs);
        return status;
    }
    *out = json_pack("{s:s, s:o}", "agent", agent, "runs", walk.runs);
    return ASSAY_OK;
}

/* ---- analysis ------------------------------------------------------------------- */

static int by_task_and_agent(const void *left, const void *right)
{
    const struct report_episode *a = left, *b = right;
    int order = strcmp(a->agent, b->agent);
    return order != 0 ? order : strcmp(a->task, b->task);
}

/* The run's response matrix: one response per (agent, task), 1 when more
 * than half of its scored trials passed (as report/irt_store.h does). */
static int run_responses(struct report_episodes *episodes, struct irt_responses **out, struct assay_error *error)
{
    qsort(episodes->items, episodes->count, sizeof *episodes->items, by_task_and_agent);
    struct irt_responses_builder *builder = NULL;
    int status = irt_responses_builder_create(&builder);
    size_t index = 0;
    while (status == ASSAY_OK && index < episodes->count) {
        size_t end = index, scored = 0, passed = 0;
        while (end < episodes->count && strcmp(episodes->items[end].agent, episodes->items[index].agent) == 0 &&
               strcmp(episodes->items[end].task, episodes->items[index].task) == 0) {
            scored += episodes->items[end].scored != 0;
            passed += episodes->items[end].scored && episodes->items[end].passed;
            end++;
        }
        if (scored > 0) {
            size_t subject, item;
            int added;
            status = irt_responses_builder_add_subject(builder, episodes->items[index].agent, &subject, &added);
            if (status == ASSAY_OK)
                status = irt_responses_builder_add_item(builder, episodes->items[index].task, &item, &added);
            if (status == ASSAY_OK)
                status = irt_responses_builder_add_response(builder, subject, item, 2 * passed > scored);
        }
        index = end;
    }
    if (status == ASSAY_OK)
        status = irt_responses_builder_finish(builder, out, error);
    irt_responses_builder_free(builder);
    return status;
}

static json_t *irt_json(const struct irt_fit *fit)
{
    json_t *items = json_array(), *agents = json_array();
    for (size_t item = 0; item < fit->item_count; item++)
        json_array_append_new(items, json_pack("{s:s, s:f, s:f, s:f, s:f, s:b}", "id", fit->item_ids[item],
                                               "difficulty", fit->items[item].difficulty, "difficulty_se",
                                               fit->items[item].difficulty_se, "discrimination",
                                               fit->items[item].discrimination, "proportion_correct",
                                               fit->items[item].proportion_correct, "converged",
                                               fit->items[item].converged));
    for (size_t subject = 0; subject < fit->subject_count; subject++)
        json_array_append_new(agents, json_pack("{s:s, s:f, s:f}", "id", fit->subject_ids[subject], "ability",
                                                fit->subjects[subject].ability, "ability_sd",
                                                fit->subjects[subject].ability_sd));
    return json_pack("{s:o, s:o, s:f, s:I, s:b, s:I}", "items", items, "agents", agents, "log_likelihood",
                     isfinite(fit->log_likelihood) ? fit->log_likelihood : 0.0, "iterations",
                     (json_int_t)fit->iterations, "converged", fit->converged, "nonconverged_items",
                     (json_int_t)fit->nonconverged_items);
}

/* Per agent: its tasks with human minutes, success, and the METR-style
 * logistic fit (no bootstrap here: the page shows the curve; `assay stats
 * horizon` gives the interval). */
static json_t *horizon_json(const struct report_episodes *episodes, const struct irt_responses *responses)
{
    json_t *agents = json_array();
    size_t subjects = irt_responses_subject_count(responses);
    double *log2_minutes = assay_calloc(episodes->count + 1, sizeof *log2_minutes);
    unsigned char *success = assay_calloc(episodes->count + 1, 1);
    struct horizon_options options;
    horizon_options_default(&options);
    options.bootstrap_replicates = 0;
    options.minimum_tasks = 3;
    for (size_t subject = 0; log2_minutes != NULL && success != NULL && subject < subjects; subject++) {
        const char *agent = irt_responses_subject_id(responses, subject);
        json_t *points = json_array();
        size_t count = 0;
        for (size_t index = 0; index < episodes->count; index++) {
            const struct report_episode *episode = &episodes->items[index];
            if (!episode->scored || episode->human_minutes <= 0 || strcmp(episode->agent, agent) != 0)
                continue;
            log2_minutes[count] = log2(episode->human_minutes);
            success[count] = episode->passed != 0;
            json_array_append_new(points, json_pack("{s:s, s:f, s:b}", "task", episode->task, "minutes",
                                                    episode->human_minutes, "passed", episode->passed));
            count++;
        }
        struct horizon_estimate estimate = {0};
        int fitted = count > 0 && horizon_logistic_estimate(log2_minutes, success, NULL, count, &options, &estimate,
                                                            NULL) == ASSAY_OK;
        json_t *row = json_pack("{s:s, s:I, s:o}", "agent", agent, "tasks", (json_int_t)count, "points", points);
        json_object_set_new(row, "status", json_string(fitted ? horizon_status_name(estimate.status) : "no timed tasks"));
        json_object_set_new(row, "horizon_minutes",
                            fitted && isfinite(estimate.minutes) && estimate.minutes > 0 ? json_real(estimate.minutes)
                                                                                          : json_null());
        json_object_set_new(row, "intercept",
                            fitted && isfinite(estimate.intercept) ? json_real(estimate.intercept) : json_null());
        json_object_set_new(row, "slope", fitted && isfinite(estimate.slope) ? json_real(estimate.slope) : json_null());
        json_array_append_new(agents, row);
    }
    assay_free(log2_minutes);
    assay_free(success);
    return json_pack("{s:f, s:o}", "success_rate", 0.5, "agents", agents);
}

int web_data_analysis(struct store *store, int64_t run_id, json_t **out, struct assay_error *error)
{
    *out = NULL;
    json_t *run = NULL;
    int status = web_data_run(store, run_id, &run, error);
    struct report_episodes episodes = {0};
    struct irt_responses *responses = NULL;
    struct irt_fit *fit = NULL;
    if (status == ASSAY_OK)
        status = report_episodes_from_store(store, run_id, &episodes, error);
    json_t *irt = json_null(), *horizon = json_null();
    if (status == ASSAY_OK) {
        struct assay_error fit_error = {0};
        if (run_responses(&episodes, &responses, &fit_error) == ASSAY_OK &&
            irt_fit_estimate(responses, NULL, &fit, &fit_error) == ASSAY_OK) {
            irt = irt_json(fit);
            horizon = horizon_json(&episodes, responses);
        } else {
            irt = json_pack("{s:s}", "error", fit_error.message);
        }
    }
    if (status == ASSAY_OK) {
        json_t *summary = json_object_get(run, "summary");
        json_t *pass_at_k = json_object(); /* agent -> pass@k for k = 1.. (also in each agent's figures) */
        size_t index;
        json_t *agent;
        json_array_foreach(json_object_get(summary, "agents"), index, agent)
            json_object_set(pass_at_k, json_string_value(json_object_get(agent, "agent")),
                            json_object_get(agent, "pass_at_k"));
        *out = json_pack("{s:O, s:o, s:o, s:o, s:O, s:O}", "run", json_object_get(run, "run"), "irt", irt, "horizon",
                         horizon, "pass_at_k", pass_at_k, "capabilities", json_object_get(summary, "capabilities"),
                         "agents", json_object_get(summary, "agents"));
    } else {
        json_decref(irt);
        json_decref(horizon);
    }
    irt_fit_free(fit);
    irt_responses_free(responses);
    report_episodes_free(&episodes);
    json_decref(run);
    return status;
}
