/* test_store.c — the results store on real SQLite files in a temporary
 * folder: schema creation and reopening, episodes and traces written and read
 * back, duplicate refusal, resume, exports, bad files, and a crash test that
 * SIGKILLs a recording child process at random moments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/memory.h"
#include "store/store.h"
#include "test_list.h"
#include "test_support.h"

static int setup(void **state)
{
    return store_folder_setup(state, "/tmp/assay-store-XXXXXX", "store");
}

static int64_t create_run(struct store *store, const char *const *roles, size_t role_count)
{
    struct assay_error error = {0};
    struct store_run run = {
        .scenario_name = "quickstart",
        .scenario_json = "{\"judge\":\"builtin:hello-shop\",\"trials\":2}",
        .mode = "local",
        .provenance_json = "{\"seed\":7}",
        .status = STORE_RUN_RUNNING,
        .started_at_ms = 1700000000000,
    };
    if (store_run_create(store, &run, &error) != ASSAY_OK)
        fail_msg("run_create: %s", error.message);
    assert_true(run.id > 0);
    for (size_t index = 0; index < role_count; index++) {
        struct store_participant participant = {
            .run_id = run.id,
            .role = roles[index],
            .name = roles[index],
            .agent_card_json = "{\"name\":\"agent\",\"version\":\"1\"}",
            .endpoint_kind = "local",
        };
        if (store_participant_add(store, &participant, &error) != ASSAY_OK)
            fail_msg("participant_add: %s", error.message);
    }
    return run.id;
}

/* Builds `count` trace rows whose payloads name the task and row, into
 * caller-provided arrays (payloads[] holds the texts). */
static void make_trace(struct store_trace_entry *entries, char (*payloads)[96], size_t count,
                       const char *task_id)
{
    static const char *const kinds[] = {"message", "tool_call", "tool_result", "status"};
    for (size_t index = 0; index < count; index++) {
        snprintf(payloads[index], 96, "{\"task\":\"%s\",\"row\":%zu,\"text\":\"a \\\"quote\\\"\"}",
                 task_id, index);
        entries[index] = (struct store_trace_entry){
            .direction = index % 2 == 0 ? "to_agent" : "from_agent",
            .kind = kinds[index % 4],
            .payload_json = payloads[index],
            .at_ms = 1700000000000 + (int64_t)index,
        };
    }
}

static struct store_episode sample_episode(int64_t run_id, const char *role, const char *task_id,
                                           int64_t trial)
{
    return (struct store_episode){
        .run_id = run_id,
        .participant_role = role,
        .task_id = task_id,
        .trial = trial,
        .score = 0.75,
        .passed = 1,
        .verdicts_json = "[{\"evaluator\":\"answer\",\"passed\":true}]",
        .status = STORE_EPISODE_SCORED,
        .error_class = STORE_ERROR_NONE,
        .started_at_ms = 1700000001000,
        .finished_at_ms = 1700000002500,
        .duration_ms = 1500,
        .steps = 4,
        .input_tokens = 120,
        .output_tokens = -1,
        .cost = -1,
        .task_family = "checkout",
        .task_tags_json = "[\"search\",\"form\"]",
    };
}

static void record_or_fail(struct store *store, struct store_episode *episode)
{
    struct assay_error error = {0};
    if (store_episode_record(store, episode, &error) != ASSAY_OK)
        fail_msg("episode_record(%s, %lld): %s", episode->task_id, (long long)episode->trial,
                 error.message);
    assert_true(episode->id > 0);
}

/* Makes `count` trace rows labelled `label` (see make_trace) in the
 * caller's arrays and hangs them on the episode. */
static void attach_trace(struct store_episode *episode, struct store_trace_entry *entries,
                         char (*payloads)[96], size_t count, const char *label)
{
    make_trace(entries, payloads, count, label);
    episode->trace = entries;
    episode->trace_count = count;
}

/* Records sample_episode(run_id, role, task_id, trial) with `rows` trace
 * rows (at most 8) labelled `label`; returns the episode's id. */
static int64_t record_traced(struct store *store, int64_t run_id, const char *role,
                             const char *task_id, int64_t trial, size_t rows, const char *label)
{
    enum { MOST_ROWS = 8 };
    struct store_trace_entry trace[MOST_ROWS];
    char payloads[MOST_ROWS][96];
    assert_true(rows <= MOST_ROWS);
    struct store_episode episode = sample_episode(run_id, role, task_id, trial);
    attach_trace(&episode, trace, payloads, rows, label);
    record_or_fail(store, &episode);
    return episode.id;
}

static size_t count_episodes(struct store *store, int64_t run_id, const char *role)
{
    struct store_episode_iterator *iterator = NULL;
    struct assay_error error = {0};
    assert_int_equal(store_episode_iterator_open(store, run_id, role, &iterator, &error), ASSAY_OK);
    struct store_episode episode;
    size_t count = 0;
    int more;
    while ((more = store_episode_iterator_next(iterator, &episode, &error)) == 1)
        count++;
    assert_int_equal(more, 0);
    store_episode_iterator_close(iterator);
    return count;
}

struct trace_counter {
    size_t rows;
    int64_t first_sequence;
    int64_t last_sequence;
    const char *task_id; /* every payload must name it, when set */
    int bad;
};

static int count_trace_row(void *context, const struct store_trace_entry *entry)
{
    struct trace_counter *counter = context;
    if (counter->rows == 0)
        counter->first_sequence = entry->sequence;
    else if (entry->sequence != counter->last_sequence + 1)
        counter->bad = 1;
    counter->last_sequence = entry->sequence;
    counter->rows++;
    if (counter->task_id != NULL && strstr(entry->payload_json, counter->task_id) == NULL)
        counter->bad = 1;
    return 0;
}

/* ---- tests ----------------------------------------------------------------------- */

/* A reader's snapshot does not move while another handle records; the
 * generation changes once it ends. */
static void snapshots_hold_still_while_others_write(void **state)
{
    struct store_folder *fixture = *state;
    struct store *writer = open_or_fail(fixture->path);
    struct store *reader = open_or_fail(fixture->path);
    const char *roles[] = {"oracle"};
    int64_t run_id = create_run(writer, roles, 1);
    struct store_episode first = sample_episode(run_id, "oracle", "task-a", 0);
    record_or_fail(writer, &first);
    int64_t before = 0, during = 0, after = 0;
    assert_int_equal(store_snapshot_begin(reader, NULL), ASSAY_OK);
    assert_int_equal(store_generation(reader, &before, NULL), ASSAY_OK);
    assert_int_equal(count_episodes(reader, run_id, NULL), 1);
    struct store_episode second = sample_episode(run_id, "oracle", "task-b", 0);
    record_or_fail(writer, &second); /* a reader never blocks the writer */
    assert_int_equal(count_episodes(reader, run_id, NULL), 1);
    assert_int_equal(store_generation(reader, &during, NULL), ASSAY_OK);
    assert_true(during == before);
    store_snapshot_end(reader);
    assert_int_equal(store_generation(reader, &after, NULL), ASSAY_OK);
    assert_true(after != before);
    assert_int_equal(count_episodes(reader, run_id, NULL), 2);
    store_snapshot_end(reader); /* ending twice is harmless */
    store_close(reader);
    store_close(writer);
}

/* A file written by schema 1 (no task_parts_json) is upgraded when opened,
 * keeps its episodes, and then records parts. */
static void version_one_files_are_upgraded(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    const char *roles[] = {"oracle"};
    int64_t run_id = create_run(store, roles, 1);
    struct store_episode old = sample_episode(run_id, "oracle", "task-a", 0);
    record_or_fail(store, &old);
    store_close(store);
    sqlite3 *database = NULL;
    assert_int_equal(sqlite3_open(fixture->path, &database), SQLITE_OK);
    assert_int_equal(sqlite3_exec(database,
                                  "ALTER TABLE episodes DROP COLUMN task_parts_json;"
                                  "ALTER TABLE episodes DROP COLUMN task_human_minutes;"
                                  "DELETE FROM store_migrations WHERE version > 1;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(database);

    store = open_or_fail(fixture->path);
    int version = 0;
    assert_int_equal(store_schema_version(store, &version, NULL), ASSAY_OK);
    assert_int_equal(version, STORE_SCHEMA_VERSION);
    struct store_episode composite = sample_episode(run_id, "oracle", "task-ab", 0);
    composite.task_parts_json = "[\"task-a\",\"task-b\"]";
    record_or_fail(store, &composite);
    struct store_episode_iterator *iterator = NULL;
    assert_int_equal(store_episode_iterator_open(store, run_id, NULL, &iterator, NULL), ASSAY_OK);
    struct store_episode read;
    assert_int_equal(store_episode_iterator_next(iterator, &read, NULL), 1);
    assert_string_equal(read.task_id, "task-a");
    assert_null(read.task_parts_json);
    assert_int_equal(store_episode_iterator_next(iterator, &read, NULL), 1);
    assert_string_equal(read.task_parts_json, "[\"task-a\",\"task-b\"]");
    store_episode_iterator_close(iterator);
    store_close(store);
}

static void schema_is_created_and_survives_reopening(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    assert_string_equal(store_backend_name(store), "sqlite");
    int version = 0;
    assert_int_equal(store_schema_version(store, &version, NULL), ASSAY_OK);
    assert_int_equal(version, STORE_SCHEMA_VERSION);
    const char *roles[] = {"subject"};
    int64_t run_id = create_run(store, roles, 1);
    assert_int_equal(store_run_finish(store, run_id, STORE_RUN_COMPLETE, 1700000009000, NULL),
                     ASSAY_OK);
    store_close(store);

    /* WAL mode is a property of the file: it must still be on */
    sqlite3 *database = NULL;
    assert_int_equal(sqlite3_open(fixture->path, &database), SQLITE_OK);
    sqlite3_stmt *statement = NULL;
    sqlite3_prepare_v2(database, "PRAGMA journal_mode", -1, &statement, NULL);
    assert_int_equal(sqlite3_step(statement), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(statement, 0), "wal");
    sqlite3_finalize(statement);
    sqlite3_close(database);

    store = open_or_fail(fixture->path);
    assert_int_equal(store_schema_version(store, &version, NULL), ASSAY_OK);
    assert_int_equal(version, STORE_SCHEMA_VERSION);
    struct buffer out = {0};
    assert_int_equal(store_export_run(store, run_id, STORE_EXPORT_JSON, &out, NULL), ASSAY_OK);
    assert_non_null(strstr(out.data, "\"status\":\"complete\""));
    assert_non_null(strstr(out.data, "\"finished_at_ms\":1700000009000"));
    buffer_free(&out);
    assert_int_equal(store_run_finish(store, run_id + 100, STORE_RUN_COMPLETE, 1, NULL),
                     ASSAY_ERR_NOT_FOUND);
    store_close(store);
    store_close(NULL);
}

static void episodes_and_traces_read_back(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    const char *roles[] = {"oracle", "random"};
    int64_t run_id = create_run(store, roles, 2);

    int64_t first_id = record_traced(store, run_id, "oracle", "task-a", 0, 6, "task-a");

    struct store_episode failed = sample_episode(run_id, "random", "task-a", 0);
    failed.score = 0;
    failed.passed = 0;
    failed.status = STORE_EPISODE_FAILED;
    failed.error_class = STORE_ERROR_TIMED_OUT;
    failed.error_message = "no answer within 30 s";
    failed.cost = 0.0125;
    failed.output_tokens = 55;
    record_or_fail(store, &failed);

    assert_int_equal(count_episodes(store, run_id, NULL), 2);
    assert_int_equal(count_episodes(store, run_id, "oracle"), 1);
    assert_int_equal(count_episodes(store, run_id, "nobody"), 0);

    struct store_episode_iterator *iterator = NULL;
    assert_int_equal(store_episode_iterator_open(store, run_id, "random", &iterator, NULL),
                     ASSAY_OK);
    struct store_episode read;
    assert_int_equal(store_episode_iterator_next(iterator, &read, NULL), 1);
    assert_int_equal(read.run_id, run_id);
    assert_string_equal(read.participant_role, "random");
    assert_string_equal(read.task_id, "task-a");
    assert_int_equal(read.trial, 0);
    assert_int_equal(read.passed, 0);
    assert_int_equal(read.status, STORE_EPISODE_FAILED);
    assert_int_equal(read.error_class, STORE_ERROR_TIMED_OUT);
    assert_string_equal(read.error_message, "no answer within 30 s");
    assert_int_equal(read.duration_ms, 1500);
    assert_int_equal(read.steps, 4);
    assert_int_equal(read.input_tokens, 120);
    assert_int_equal(read.output_tokens, 55);
    assert_true(read.cost > 0.0124 && read.cost < 0.0126);
    assert_string_equal(read.task_family, "checkout");
    assert_string_equal(read.task_tags_json, "[\"search\",\"form\"]");
    assert_int_equal(read.trace_count, 0);
    assert_int_equal(store_episode_iterator_next(iterator, &read, NULL), 0);
    store_episode_iterator_close(iterator);
    store_episode_iterator_close(NULL);

    /* unknown token counts and cost come back as "not reported" */
    assert_int_equal(store_episode_iterator_open(store, run_id, "oracle", &iterator, NULL),
                     ASSAY_OK);
    assert_int_equal(store_episode_iterator_next(iterator, &read, NULL), 1);
    assert_int_equal(read.output_tokens, -1);
    assert_true(read.cost < 0);
    assert_int_equal(read.error_class, STORE_ERROR_NONE);
    assert_int_equal(read.trace_count, 6);
    store_episode_iterator_close(iterator);

    /* a page from the middle */
    struct trace_counter counter = {0};
    assert_int_equal(store_trace_read(store, first_id, 2, 3, count_trace_row, &counter, NULL),
                     ASSAY_OK);
    assert_int_equal(counter.rows, 3);
    assert_int_equal(counter.first_sequence, 2);
    assert_int_equal(counter.last_sequence, 4);
    assert_false(counter.bad);

    struct buffer out = {0};
    assert_int_equal(store_trace_json(store, first_id, 0, 100, &out, NULL), ASSAY_OK);
    json_error_t json_error;
    json_t *array = json_loads(out.data, 0, &json_error);
    assert_non_null(array);
    assert_int_equal(json_array_size(array), 6);
    json_t *row = json_array_get(array, 1);
    assert_string_equal(json_string_value(json_object_get(row, "kind")), "tool_call");
    assert_string_equal(json_string_value(json_object_get(row, "direction")), "from_agent");
    assert_string_equal(json_string_value(json_object_get(json_object_get(row, "payload"), "text")),
                        "a \"quote\"");
    json_decref(array);
    buffer_reset(&out);

    assert_int_equal(store_episodes_json(store, run_id, NULL, &out, NULL), ASSAY_OK);
    array = json_loads(out.data, 0, &json_error);
    assert_non_null(array);
    assert_int_equal(json_array_size(array), 2);
    json_t *second = json_array_get(array, 1);
    assert_string_equal(json_string_value(json_object_get(second, "error_class")), "timed_out");
    assert_string_equal(json_string_value(json_object_get(second, "error_side")), "agent");
    assert_true(json_is_null(json_object_get(json_array_get(array, 0), "cost")));
    json_decref(array);
    buffer_free(&out);

    struct assay_error error = {0};
    assert_int_equal(
        store_trace_read(store, first_id + 1000, 0, 10, count_trace_row, &counter, &error),
        ASSAY_ERR_NOT_FOUND);
    assert_int_equal(store_episode_iterator_open(store, run_id + 1000, NULL, &iterator, &error),
                     ASSAY_ERR_NOT_FOUND);
    assert_null(iterator);
    store_close(store);
}

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* A 10,000-step trajectory is read a page at a time, and some throughput
 * figures for the report. */
static void long_traces_are_paginated(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    const char *roles[] = {"subject"};
    int64_t run_id = create_run(store, roles, 1);
    enum { LONG_TRACE = 10000, EPISODES = 200, ROWS = 20 };
    struct store_trace_entry *trace = calloc(LONG_TRACE, sizeof *trace);
    char(*payloads)[96] = calloc(LONG_TRACE, sizeof *payloads);
    struct store_episode episode = sample_episode(run_id, "subject", "long-task", 0);
    attach_trace(&episode, trace, payloads, LONG_TRACE, "long-task");
    double started = seconds_now();
    record_or_fail(store, &episode);
    double long_seconds = seconds_now() - started;

    struct trace_counter counter = {.task_id = "long-task"};
    started = seconds_now();
    assert_int_equal(
        store_trace_read(store, episode.id, 9990, 100, count_trace_row, &counter, NULL), ASSAY_OK);
    double page_seconds = seconds_now() - started;
    assert_int_equal(counter.rows, 10);
    assert_int_equal(counter.first_sequence, 9990);
    assert_int_equal(counter.last_sequence, 9999);
    assert_false(counter.bad);

    /* many short episodes: the shape of a benchmark run */
    make_trace(trace, payloads, ROWS, "short");
    started = seconds_now();
    for (int index = 0; index < EPISODES; index++) {
        char task_id[32];
        snprintf(task_id, sizeof task_id, "task-%d", index);
        struct store_episode short_episode = sample_episode(run_id, "subject", task_id, 0);
        short_episode.trace = trace;
        short_episode.trace_count = ROWS;
        record_or_fail(store, &short_episode);
    }
    double short_seconds = seconds_now() - started;
    print_message("store: 10,000-row trace recorded in %.1f ms; last page read in %.3f ms; "
                  "%.0f episodes/s with %d-row traces\n",
                  long_seconds * 1e3, page_seconds * 1e3, EPISODES / short_seconds, ROWS);
    assert_int_equal(count_episodes(store, run_id, NULL), EPISODES + 1);
    free(trace);
    free(payloads);
    store_close(store);
}

static void an_episode_is_never_recorded_twice(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    const char *roles[] = {"subject"};
    int64_t run_id = create_run(store, roles, 1);
    int64_t original_id = record_traced(store, run_id, "subject", "task-a", 1, 3, "first");

    struct store_trace_entry trace[2];
    char payloads[2][96];
    struct store_episode again = sample_episode(run_id, "subject", "task-a", 1);
    again.score = 0.1;
    attach_trace(&again, trace, payloads, 2, "second");
    struct assay_error error = {0};
    assert_int_equal(store_episode_record(store, &again, &error), ASSAY_ERR_STATE);
    assert_int_equal(error.status, ASSAY_ERR_STATE);
    assert_non_null(strstr(error.message, "already recorded"));

    /* nothing changed: one episode, its original three rows */
    assert_int_equal(count_episodes(store, run_id, NULL), 1);
    struct trace_counter counter = {.task_id = "first"};
    assert_int_equal(store_trace_read(store, original_id, 0, 100, count_trace_row, &counter, NULL),
                     ASSAY_OK);
    assert_int_equal(counter.rows, 3);
    assert_false(counter.bad);

    /* another trial of the same task is a different episode */
    again.trial = 2;
    record_or_fail(store, &again);
    assert_int_equal(count_episodes(store, run_id, NULL), 2);
    store_close(store);
}

static void resume_finds_the_missing_episodes(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    const char *roles[] = {"oracle", "random"};
    int64_t run_id = create_run(store, roles, 2);
    const struct store_planned_episode plan[] = {
        {"oracle", "task-a", 0}, {"oracle", "task-a", 1}, {"oracle", "task-b", 0},
        {"random", "task-a", 0}, {"random", "task-a", 1}, {"random", "task-b", 0},
        {"ghost", "task-a", 0},
    };
    enum { PLANNED = sizeof plan / sizeof plan[0] };
    for (size_t index = 0; index < PLANNED; index += 2) {
        if (strcmp(plan[index].participant_role, "ghost") == 0)
            continue;
        struct store_episode episode = sample_episode(run_id, plan[index].participant_role,
                                                      plan[index].task_id, plan[index].trial);
        record_or_fail(store, &episode);
    }
    unsigned char missing[PLANNED];
    size_t missing_count = 0;
    struct assay_error error = {0};
    assert_int_equal(
        store_episodes_missing(store, run_id, plan, PLANNED, missing, &missing_count, &error),
        ASSAY_OK);
    const unsigned char expected[PLANNED] = {0, 1, 0, 1, 0, 1, 1};
    assert_memory_equal(missing, expected, PLANNED);
    assert_int_equal(missing_count, 4);

    assert_int_equal(
        store_episodes_missing(store, run_id + 50, plan, PLANNED, missing, &missing_count, &error),
        ASSAY_ERR_NOT_FOUND);
    assert_non_null(strstr(error.message, "no run"));
    assert_int_equal(store_episodes_missing(store, run_id, NULL, 0, NULL, &missing_count, NULL),
                     ASSAY_OK);
    assert_int_equal(missing_count, 0);
    store_close(store);
}

static void runs_export_as_json_and_csv(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    const char *roles[] = {"oracle", "random"};
    int64_t first_run = create_run(store, roles, 2);
    int64_t run_id = create_run(store, roles, 2);
    struct store_episode episode = sample_episode(run_id, "oracle", "task-a", 0);
    record_or_fail(store, &episode);
    struct store_episode crashed = sample_episode(run_id, "random", "task,\"b\"", 0);
    crashed.status = STORE_EPISODE_ERROR;
    crashed.passed = 0;
    crashed.score = NAN;
    crashed.error_class = STORE_ERROR_ENVIRONMENT_CRASHED;
    crashed.error_message = "environment exited, status 139\nretrying";
    record_or_fail(store, &crashed);

    struct buffer out = {0};
    assert_int_equal(store_export_run(store, run_id, STORE_EXPORT_JSON, &out, NULL), ASSAY_OK);
    json_error_t json_error;
    json_t *document = json_loads(out.data, 0, &json_error);
    if (document == NULL)
        fail_msg("export is not JSON (%s): %s", json_error.text, out.data);
    json_t *run = json_object_get(document, "run");
    assert_int_equal(json_integer_value(json_object_get(run, "id")), run_id);
    assert_string_equal(json_string_value(json_object_get(run, "status")), "running");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(run, "scenario"), "trials")), 2);
    assert_true(json_is_null(json_object_get(run, "finished_at_ms")));
    assert_int_equal(json_array_size(json_object_get(document, "participants")), 2);
    json_t *episodes = json_object_get(document, "episodes");
    assert_int_equal(json_array_size(episodes), 2);
    json_t *second = json_array_get(episodes, 1);
    assert_string_equal(json_string_value(json_object_get(second, "task_id")), "task,\"b\"");
    assert_string_equal(json_string_value(json_object_get(second, "error_side")), "infrastructure");
    assert_true(json_is_null(json_object_get(second, "score")));
    assert_string_equal(json_string_value(json_object_get(second, "error_message")),
                        "environment exited, status 139\nretrying");
    json_decref(document);
    buffer_reset(&out);

    assert_int_equal(store_export_run(store, run_id, STORE_EXPORT_CSV, &out, NULL), ASSAY_OK);
    assert_true(strncmp(out.data, "run_id,participant,task_id,trial,score,passed,", 46) == 0);
    assert_non_null(strstr(out.data, ",oracle,task-a,0,0.75,1,scored,,,,"));
    assert_non_null(strstr(out.data,
                           ",random,\"task,\"\"b\"\"\",0,,0,error,environment_crashed,"
                           "infrastructure,\"environment exited, status 139\nretrying\","));
    assert_non_null(strstr(out.data, "\"[\"\"search\"\",\"\"form\"\"]\""));
    size_t lines = 0;
    for (const char *cursor = out.data; (cursor = strstr(cursor, "\r\n")) != NULL; cursor += 2)
        lines++;
    assert_int_equal(lines, 3);
    buffer_reset(&out);

    /* an empty run exports its header only; an unknown run is an error and
     * leaves the buffer as it was */
    assert_int_equal(store_export_run(store, first_run, STORE_EXPORT_CSV, &out, NULL), ASSAY_OK);
    assert_int_equal(strchr(out.data, '\n') - out.data + 1, (long)out.length);
    buffer_reset(&out);
    buffer_append_string(&out, "kept");
    struct assay_error error = {0};
    assert_int_equal(store_export_run(store, run_id + 9, STORE_EXPORT_JSON, &out, &error),
                     ASSAY_ERR_NOT_FOUND);
    assert_string_equal(out.data, "kept");
    assert_int_equal(store_export_run(store, run_id + 9, STORE_EXPORT_CSV, &out, &error),
                     ASSAY_ERR_NOT_FOUND);
    assert_string_equal(out.data, "kept");
    buffer_free(&out);

    store_close(store);
}

static int count_run(void *context, const struct store_run *run)
{
    (*(size_t *)context)++;
    return 0;
}

static int stop_at_first_run(void *context, const struct store_run *run)
{
    *(int64_t *)context = run->id;
    return 42;
}

static void runs_are_listed_newest_first(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    const char *roles[] = {"subject"};
    create_run(store, roles, 1);
    create_run(store, roles, 1);
    int64_t newest = create_run(store, roles, 1);
    size_t runs = 0;
    assert_int_equal(store_runs_list(store, count_run, &runs, NULL), ASSAY_OK);
    assert_int_equal(runs, 3);
    int64_t first = 0;
    assert_int_equal(store_runs_list(store, stop_at_first_run, &first, NULL), 42);
    assert_int_equal(first, newest);
    store_close(store);
}

static void write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

static void expect_open_failure(const char *path, int status, const char *fragment)
{
    struct store *store = NULL;
    struct assay_error error = {0};
    assert_int_equal(store_open(path, &store, &error), status);
    assert_null(store);
    if (strstr(error.message, fragment) == NULL)
        fail_msg("opening %s: expected '%s' in: %s", path, fragment, error.message);
}

static void bad_files_give_clear_errors(void **state)
{
    struct store_folder *fixture = *state;
    char path[256];

    snprintf(path, sizeof path, "%s/notes.txt", fixture->folder);
    write_file(path, "these are my notes, not a database; they are long enough to have a header "
                     "that SQLite reads and rejects as not being a database file at all.\n");
    expect_open_failure(path, ASSAY_ERR_INVALID, "not an assay results store");

    expect_open_failure(fixture->folder, ASSAY_ERR_INVALID, "is a directory");

    snprintf(path, sizeof path, "%s/missing-folder/assay.db", fixture->folder);
    expect_open_failure(path, ASSAY_ERR_IO, "cannot open");

    snprintf(path, sizeof path, "%s/foreign.db", fixture->folder);
    sqlite3 *database = NULL;
    assert_int_equal(sqlite3_open(path, &database), SQLITE_OK);
    assert_int_equal(sqlite3_exec(database, "CREATE TABLE recipes (name TEXT)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(database);
    expect_open_failure(path, ASSAY_ERR_INVALID, "not an assay results store");

    /* a file written by a future assay */
    store_close(open_or_fail(fixture->path));
    assert_int_equal(sqlite3_open(fixture->path, &database), SQLITE_OK);
    assert_int_equal(sqlite3_exec(database,
                                  "INSERT INTO store_migrations VALUES (99, 'future',"
                                  " datetime('now'))",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(database);
    expect_open_failure(fixture->path, ASSAY_ERR_UNSUPPORTED, "newer assay");
    expect_open_failure(fixture->path, ASSAY_ERR_UNSUPPORTED, "schema version 99");

    expect_open_failure("postgresql://results@db.example/assay", ASSAY_ERR_UNSUPPORTED,
                        "PostgreSQL");
    expect_open_failure("mysql://db.example/assay", ASSAY_ERR_UNSUPPORTED, "unknown");
    expect_open_failure("sqlite:", ASSAY_ERR_INVALID, "file path");

    /* sqlite: prefix form works */
    snprintf(path, sizeof path, "sqlite:%s/prefixed.db", fixture->folder);
    store_close(open_or_fail(path));
}

static void bad_episodes_are_refused_whole(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    const char *roles[] = {"subject"};
    int64_t run_id = create_run(store, roles, 1);
    struct assay_error error = {0};

    struct store_episode episode = sample_episode(run_id, "stranger", "task-a", 0);
    assert_int_equal(store_episode_record(store, &episode, &error), ASSAY_ERR_NOT_FOUND);
    assert_non_null(strstr(error.message, "stranger"));

    episode = sample_episode(run_id + 7, "subject", "task-a", 0);
    assert_int_equal(store_episode_record(store, &episode, &error), ASSAY_ERR_NOT_FOUND);

    /* an infrastructure failure may not be scored */
    episode = sample_episode(run_id, "subject", "task-a", 0);
    episode.error_class = STORE_ERROR_STORE_ERROR;
    assert_int_equal(store_episode_record(store, &episode, &error), ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "infrastructure"));

    episode = sample_episode(run_id, "subject", "", 0);
    assert_int_equal(store_episode_record(store, &episode, &error), ASSAY_ERR_INVALID);
    episode = sample_episode(run_id, "subject", "task-a", -1);
    assert_int_equal(store_episode_record(store, &episode, &error), ASSAY_ERR_INVALID);

    /* the fourth trace row is broken: nothing of the episode is kept */
    struct store_trace_entry trace[5];
    char payloads[5][96];
    episode = sample_episode(run_id, "subject", "task-a", 0);
    attach_trace(&episode, trace, payloads, 5, "task-a");
    trace[3].payload_json = "{\"unterminated\":";
    assert_int_equal(store_episode_record(store, &episode, &error), ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "trace row 3"));
    assert_int_equal(count_episodes(store, run_id, NULL), 0);

    episode.verdicts_json = "not json";
    trace[3].payload_json = "{}";
    assert_int_equal(store_episode_record(store, &episode, &error), ASSAY_ERR_INVALID);
    assert_int_equal(count_episodes(store, run_id, NULL), 0);

    /* and the same episode, fixed, records fine afterwards */
    episode.verdicts_json = NULL;
    record_or_fail(store, &episode);

    struct store_participant twin = {
        .run_id = run_id, .role = "subject", .name = "twin", .endpoint_kind = "remote"};
    assert_int_equal(store_participant_add(store, &twin, &error), ASSAY_ERR_STATE);
    twin.role = "leaky";
    twin.endpoint_kind = "https://user:secret@agent.example";
    assert_int_equal(store_participant_add(store, &twin, &error), ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "not an address"));
    twin.role = "subject";
    twin.endpoint_kind = "remote";
    twin.run_id = run_id + 3;
    assert_int_equal(store_participant_add(store, &twin, &error), ASSAY_ERR_NOT_FOUND);
    struct store_run run = {.scenario_name = "x", .scenario_json = "{", .mode = "local"};
    assert_int_equal(store_run_create(store, &run, &error), ASSAY_ERR_INVALID);
    store_close(store);
}

static void error_classes_know_their_side(void **state)
{
    const enum store_error_class agent[] = {STORE_ERROR_WRONG_ANSWER, STORE_ERROR_GAVE_UP,
                                            STORE_ERROR_TIMED_OUT, STORE_ERROR_PROTOCOL_ERROR,
                                            STORE_ERROR_AGENT_CRASHED};
    const enum store_error_class infrastructure[] = {
        STORE_ERROR_ENVIRONMENT_CRASHED, STORE_ERROR_STORE_ERROR, STORE_ERROR_RUNNER_INTERRUPTED};
    for (size_t index = 0; index < 5; index++)
        assert_int_equal(store_error_class_side(agent[index]), STORE_SIDE_AGENT);
    for (size_t index = 0; index < 3; index++)
        assert_int_equal(store_error_class_side(infrastructure[index]), STORE_SIDE_INFRASTRUCTURE);
    assert_int_equal(store_error_class_side(STORE_ERROR_NONE), STORE_SIDE_NONE);
    for (int value = 0; value < STORE_ERROR_CLASS_COUNT; value++) {
        enum store_error_class parsed;
        const char *name = store_error_class_name((enum store_error_class)value);
        assert_non_null(name);
        assert_int_equal(store_error_class_parse(name, &parsed), ASSAY_OK);
        assert_int_equal(parsed, value);
    }
    assert_string_equal(store_error_class_name(STORE_ERROR_PROTOCOL_ERROR), "protocol_error");
    assert_null(store_error_class_name(STORE_ERROR_CLASS_COUNT));
    enum store_error_class parsed;
    assert_int_equal(store_error_class_parse("bad_luck", &parsed), ASSAY_ERR_INVALID);
    assert_int_equal(store_error_class_parse(NULL, &parsed), ASSAY_ERR_INVALID);
    enum store_run_status run_status;
    assert_int_equal(store_run_status_parse("interrupted", &run_status), ASSAY_OK);
    assert_int_equal(run_status, STORE_RUN_INTERRUPTED);
}

/* ---- crash test ------------------------------------------------------------------- */

enum { CRASH_TASKS = 30, CRASH_TRIALS = 2, CRASH_ROWS = 25, CRASH_KILLS = 24 };
static const char *const crash_roles[] = {"oracle", "random"};
#define CRASH_PLANNED (2 * CRASH_TASKS * CRASH_TRIALS)

static void crash_plan(struct store_planned_episode *plan, char (*task_ids)[16])
{
    size_t index = 0;
    for (int task = 0; task < CRASH_TASKS; task++)
        snprintf(task_ids[task], 16, "task-%02d", task % 100);
    for (int trial = 0; trial < CRASH_TRIALS; trial++)
        for (int task = 0; task < CRASH_TASKS; task++)
            for (int role = 0; role < 2; role++)
                plan[index++] =
                    (struct store_planned_episode){crash_roles[role], task_ids[task], trial};
}

/* The child: what the runner does on --resume, in a loop. It never returns;
 * exit status 0 means everything was recorded, 3 a store failure. */
static void crash_child(const char *path, int64_t run_id, int progress, int tolerate_duplicates)
{
    struct store_planned_episode plan[CRASH_PLANNED];
    char task_ids[CRASH_TASKS][16];
    crash_plan(plan, task_ids);
    struct store *store = NULL;
    if (store_open(path, &store, NULL) != ASSAY_OK)
        _exit(3);
    unsigned char missing[CRASH_PLANNED];
    size_t missing_count = 0;
    if (store_episodes_missing(store, run_id, plan, CRASH_PLANNED, missing, &missing_count, NULL) !=
        ASSAY_OK)
        _exit(3);
    struct store_trace_entry trace[CRASH_ROWS];
    char payloads[CRASH_ROWS][96];
    for (size_t index = 0; index < CRASH_PLANNED; index++) {
        if (!missing[index])
            continue;
        struct store_episode episode = sample_episode(run_id, plan[index].participant_role,
                                                      plan[index].task_id, plan[index].trial);
        attach_trace(&episode, trace, payloads, CRASH_ROWS, plan[index].task_id);
        struct assay_error error = {0};
        int status = store_episode_record(store, &episode, &error);
        if (status == ASSAY_ERR_STATE && tolerate_duplicates)
            continue;
        if (status != ASSAY_OK) {
            fprintf(stderr, "crash child: %s\n", error.message);
            _exit(3);
        }
        /* one byte per committed episode lets the parent aim its kill */
        if (progress >= 0 && write(progress, "e", 1) != 1)
            _exit(3);
    }
    store_close(store);
    _exit(0);
}

/* Every recorded episode is whole and unique; returns how many there are. */
static size_t check_store_is_consistent(const char *path, int64_t run_id)
{
    sqlite3 *database = NULL;
    assert_int_equal(sqlite3_open(path, &database), SQLITE_OK);
    sqlite3_stmt *statement = NULL;
    assert_int_equal(sqlite3_prepare_v2(database, "PRAGMA integrity_check", -1, &statement, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(statement), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(statement, 0), "ok");
    sqlite3_finalize(statement);
    sqlite3_close(database);

    struct store *store = open_or_fail(path);
    struct store_episode_iterator *iterator = NULL;
    assert_int_equal(store_episode_iterator_open(store, run_id, NULL, &iterator, NULL), ASSAY_OK);
    struct store_episode episode;
    size_t count = 0;
    char seen[2][CRASH_TASKS][CRASH_TRIALS] = {{{0}}};
    int64_t episode_ids[CRASH_PLANNED];
    char task_ids[CRASH_PLANNED][16];
    int more;
    while ((more = store_episode_iterator_next(iterator, &episode, NULL)) == 1) {
        assert_true(count < CRASH_PLANNED);
        int role = strcmp(episode.participant_role, "oracle") == 0 ? 0 : 1;
        int task = atoi(episode.task_id + strlen("task-"));
        assert_true(task >= 0 && task < CRASH_TASKS);
        assert_true(episode.trial >= 0 && episode.trial < CRASH_TRIALS);
        assert_false(seen[role][task][episode.trial]);
        seen[role][task][episode.trial] = 1;
        assert_int_equal(episode.trace_count, CRASH_ROWS);
        episode_ids[count] = episode.id;
        snprintf(task_ids[count], sizeof task_ids[count], "%s", episode.task_id);
        count++;
    }
    assert_int_equal(more, 0);
    store_episode_iterator_close(iterator);
    for (size_t index = 0; index < count; index++) {
        struct trace_counter counter = {.task_id = task_ids[index]};
        assert_int_equal(
            store_trace_read(store, episode_ids[index], 0, 1000, count_trace_row, &counter, NULL),
            ASSAY_OK);
        assert_int_equal(counter.rows, CRASH_ROWS);
        assert_int_equal(counter.first_sequence, 0);
        assert_false(counter.bad);
    }
    store_close(store);
    return count;
}

static void killed_writers_leave_whole_unique_episodes(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    int64_t run_id = create_run(store, crash_roles, 2);
    store_close(store); /* never carry an SQLite handle across fork() */

    unsigned int seed = 20261122;
    size_t previous = 0;
    int kills = 0, finished_early = 0, progressed = 0;
    size_t total_recorded = 0;
    while (kills < CRASH_KILLS) {
        int progress[2];
        assert_int_equal(pipe(progress), 0);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
            close(progress[0]);
            crash_child(fixture->path, run_id, progress[1], 0);
        }
        close(progress[1]);
        /* Let the child commit 0 to 5 episodes, then kill it 0 to 1.5 ms
         * later: waiting on progress rather than on the clock keeps the kills
         * landing among writes on a slow (sanitizer) build too. */
        int wait_for = (int)(rand_r(&seed) % 6);
        char byte;
        for (int index = 0; index < wait_for && read(progress[0], &byte, 1) == 1; index++)
            ;
        usleep((useconds_t)(rand_r(&seed) % 1500));
        int child_status = 0;
        if (waitpid(child, &child_status, WNOHANG) == child) {
            assert_true(WIFEXITED(child_status));
            assert_int_equal(WEXITSTATUS(child_status), 0);
            finished_early++;
        } else {
            kill(child, SIGKILL);
            assert_int_equal(waitpid(child, &child_status, 0), child);
            assert_true(WIFSIGNALED(child_status) || WEXITSTATUS(child_status) == 0);
            kills++;
        }
        /* closed only now, so the child never dies of SIGPIPE instead */
        close(progress[0]);
        size_t recorded = check_store_is_consistent(fixture->path, run_id);
        assert_true(recorded >= previous);
        progressed += recorded > previous;
        total_recorded += recorded - previous;
        previous = recorded;
        if (recorded == CRASH_PLANNED && kills < CRASH_KILLS) {
            /* everything is in: start over on a fresh run so the remaining
             * kills still land on writes */
            store = open_or_fail(fixture->path);
            run_id = create_run(store, crash_roles, 2);
            store_close(store);
            previous = 0;
        }
    }
    /* finally resume to the end: every planned episode exactly once */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        crash_child(fixture->path, run_id, -1, 0);
    int child_status = 0;
    assert_int_equal(waitpid(child, &child_status, 0), child);
    assert_true(WIFEXITED(child_status));
    assert_int_equal(WEXITSTATUS(child_status), 0);
    assert_int_equal(check_store_is_consistent(fixture->path, run_id), CRASH_PLANNED);
    print_message("store crash test: %d SIGKILLs (%d after new episodes), %zu episodes recorded "
                  "between kills, %d children finished before their kill\n",
                  kills, progressed, total_recorded, finished_early);
}

/* Killed while creating the schema of a new file: the migration is one
 * transaction, so the next open finds either no schema or all of it. */
static void killed_while_creating_the_schema(void **state)
{
    struct store_folder *fixture = *state;
    unsigned int seed = 7;
    for (int attempt = 0; attempt < 6; attempt++) {
        char path[160];
        snprintf(path, sizeof path, "%s/fresh-%d.db", fixture->folder, attempt);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
            struct store *store = NULL;
            _exit(store_open(path, &store, NULL) == ASSAY_OK ? 0 : 3);
        }
        usleep((useconds_t)(rand_r(&seed) % 3000));
        kill(child, SIGKILL);
        int child_status = 0;
        assert_int_equal(waitpid(child, &child_status, 0), child);
        assert_true(WIFSIGNALED(child_status) || WEXITSTATUS(child_status) == 0);
        struct store *store = open_or_fail(path);
        int version = 0;
        assert_int_equal(store_schema_version(store, &version, NULL), ASSAY_OK);
        assert_int_equal(version, STORE_SCHEMA_VERSION);
        const char *roles[] = {"subject"};
        create_run(store, roles, 1);
        store_close(store);
    }
}

/* Two processes resuming the same run at once: SQLite serialises their
 * transactions, the UNIQUE constraint turns the loser of each race into
 * ASSAY_ERR_STATE, and every episode ends up recorded exactly once. */
static void concurrent_writers_never_record_twice(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    int64_t run_id = create_run(store, crash_roles, 2);
    store_close(store);
    pid_t children[2];
    for (int index = 0; index < 2; index++) {
        children[index] = fork();
        assert_true(children[index] >= 0);
        if (children[index] == 0)
            crash_child(fixture->path, run_id, -1, 1);
    }
    for (int index = 0; index < 2; index++) {
        int child_status = 0;
        assert_int_equal(waitpid(children[index], &child_status, 0), children[index]);
        assert_true(WIFEXITED(child_status));
        assert_int_equal(WEXITSTATUS(child_status), 0);
    }
    assert_int_equal(check_store_is_consistent(fixture->path, run_id), CRASH_PLANNED);
}

/* Every allocation of ours that can fail, failing in turn: the export
 * either succeeds or reports NOMEM, leaves the buffer as it was, and leaks
 * nothing (teardown counts). */
static void exports_survive_allocation_failures(void **state)
{
    struct store_folder *fixture = *state;
    struct store *store = open_or_fail(fixture->path);
    const char *roles[] = {"oracle"};
    int64_t run_id = create_run(store, roles, 1);
    int64_t episode_id = record_traced(store, run_id, "oracle", "task-a", 0, 4, "task-a");
    int succeeded = 0;
    for (long failing = 0; failing < 200 && !succeeded; failing++) {
        struct buffer out = {0};
        buffer_append_string(&out, "kept");
        struct assay_error error = {0};
        assay_memory_fail_after(failing);
        int status = store_export_run(
            store, run_id, failing % 2 == 0 ? STORE_EXPORT_JSON : STORE_EXPORT_CSV, &out, &error);
        int trace_status = store_trace_json(store, episode_id, 0, 10, &out, &error);
        assay_memory_fail_after(-1);
        if (status == ASSAY_OK && trace_status == ASSAY_OK)
            succeeded = 1;
        else if (status != ASSAY_OK)
            assert_int_equal(status, ASSAY_ERR_NOMEM);
        if (status != ASSAY_OK && trace_status != ASSAY_OK)
            assert_string_equal(out.data, "kept");
        buffer_free(&out);
    }
    assert_true(succeeded);
    assay_memory_fail_after(0);
    struct store *failed = NULL;
    struct assay_error error = {0};
    assert_int_equal(store_open(fixture->path, &failed, &error), ASSAY_ERR_NOMEM);
    assay_memory_fail_after(-1);
    assert_null(failed);
    store_close(store);
}

int test_group_store(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(schema_is_created_and_survives_reopening, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(version_one_files_are_upgraded, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(snapshots_hold_still_while_others_write, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(episodes_and_traces_read_back, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(long_traces_are_paginated, setup, store_folder_teardown),
        cmocka_unit_test_setup_teardown(an_episode_is_never_recorded_twice, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(resume_finds_the_missing_episodes, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(runs_export_as_json_and_csv, setup, store_folder_teardown),
        cmocka_unit_test_setup_teardown(runs_are_listed_newest_first, setup, store_folder_teardown),
        cmocka_unit_test_setup_teardown(bad_files_give_clear_errors, setup, store_folder_teardown),
        cmocka_unit_test_setup_teardown(bad_episodes_are_refused_whole, setup,
                                        store_folder_teardown),
        cmocka_unit_test(error_classes_know_their_side),
        cmocka_unit_test_setup_teardown(killed_writers_leave_whole_unique_episodes, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(killed_while_creating_the_schema, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(concurrent_writers_never_record_twice, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(exports_survive_allocation_failures, setup,
                                        store_folder_teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
