/* test_report_irt_store.c — the IRT response matrix read from a results
 * store (report/irt_store.h): agents and tasks as subjects and items,
 * infrastructure errors skipped, repeated trials folded by majority (a tie
 * is a failure), the run filter, finite fits, clear errors, and allocation
 * failures. Each test builds its own SQLite store in a temporary folder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buffer.h"
#include "core/memory.h"
#include "report/irt_store.h"
#include "stats/irt.h"
#include "store/store.h"
#include "test_list.h"
#include "test_support.h"

static int setup(void **state)
{
    return store_folder_setup(state, "/tmp/assay-irt-store-XXXXXX", "report_irt_store");
}

/* ---- Building a store ------------------------------------------------------ */

static int64_t create_run(struct store *store, const char *const *roles, size_t role_count)
{
    struct assay_error error = {0};
    struct store_run run = {
        .scenario_name = "irt",
        .scenario_json = "{\"trials\":3}",
        .mode = "local",
        .status = STORE_RUN_COMPLETE,
        .started_at_ms = 1700000000000,
    };
    if (store_run_create(store, &run, &error) != ASSAY_OK)
        fail_msg("run_create: %s", error.message);
    for (size_t index = 0; index < role_count; index++) {
        struct store_participant participant = {
            .run_id = run.id,
            .role = roles[index],
            .name = roles[index],
            .endpoint_kind = "local",
        };
        if (store_participant_add(store, &participant, &error) != ASSAY_OK)
            fail_msg("participant_add: %s", error.message);
    }
    return run.id;
}

/* passed: 1 or 0 for a scored episode (a failure is an agent's wrong
 * answer), -1 for an infrastructure error (no score). */
static void record(struct store *store, int64_t run_id, const char *role, const char *task_id,
                   int64_t trial, int passed)
{
    struct store_episode episode = {
        .run_id = run_id,
        .participant_role = role,
        .task_id = task_id,
        .trial = trial,
        .score = passed < 0 ? NAN : passed,
        .passed = passed == 1,
        .status = passed < 0    ? STORE_EPISODE_ERROR
                  : passed == 1 ? STORE_EPISODE_SCORED
                                : STORE_EPISODE_FAILED,
        .error_class = passed < 0    ? STORE_ERROR_ENVIRONMENT_CRASHED
                       : passed == 1 ? STORE_ERROR_NONE
                                     : STORE_ERROR_WRONG_ANSWER,
        .started_at_ms = 1700000001000,
        .finished_at_ms = 1700000002000,
        .duration_ms = 1000,
        .input_tokens = -1,
        .output_tokens = -1,
        .cost = -1,
    };
    struct assay_error error = {0};
    if (store_episode_record(store, &episode, &error) != ASSAY_OK)
        fail_msg("episode_record(%s, %s, %lld): %s", role, task_id, (long long)trial,
                 error.message);
}

/* Run 1: alpha and beta on t1..t4, with repeated trials and infrastructure
 * errors; gamma only ever hit infrastructure errors, and so did every
 * attempt at t4. Expected matrix (majority of scored trials, tie = 0):
 *   alpha t1: 1,1,0 -> 1     alpha t2: 1,0 -> 0 (tie)   alpha t3: 1 (+error) -> 1
 *   beta  t1: 0      -> 0     beta  t2: error only -> absent
 *   beta  t3: 0,1,0 -> 0
 * Run 2: alpha fails t1 twice more; delta passes t5. */
static void build_store(const char *path, int64_t *first, int64_t *second)
{
    struct store *store = open_or_fail(path);
    static const char *const roles[] = {"alpha", "beta", "gamma"};
    int64_t run = create_run(store, roles, 3);
    record(store, run, "alpha", "t1", 0, 1);
    record(store, run, "alpha", "t1", 1, 1);
    record(store, run, "alpha", "t1", 2, 0);
    record(store, run, "alpha", "t2", 0, 1);
    record(store, run, "alpha", "t2", 1, 0);
    record(store, run, "alpha", "t3", 0, 1);
    record(store, run, "alpha", "t3", 1, -1);
    record(store, run, "alpha", "t4", 0, -1);
    record(store, run, "beta", "t1", 0, 0);
    record(store, run, "beta", "t2", 0, -1);
    record(store, run, "beta", "t3", 0, 0);
    record(store, run, "beta", "t3", 1, 1);
    record(store, run, "beta", "t3", 2, 0);
    record(store, run, "gamma", "t1", 0, -1);
    *first = run;
    static const char *const later_roles[] = {"alpha", "delta"};
    run = create_run(store, later_roles, 2);
    record(store, run, "alpha", "t1", 0, 0);
    record(store, run, "alpha", "t1", 1, 0);
    record(store, run, "delta", "t5", 0, 1);
    *second = run;
    store_close(store);
}

/* The response of subject to item: 1, 0, or -1 when absent. */
static int response_of(const struct irt_responses *responses, const char *subject_id,
                       const char *item_id)
{
    size_t subject, item;
    if (irt_responses_find_subject(responses, subject_id, &subject) != ASSAY_OK ||
        irt_responses_find_item(responses, item_id, &item) != ASSAY_OK)
        return -1;
    const uint32_t *correct, *incorrect;
    size_t correct_count, incorrect_count;
    irt_responses_subject_items(responses, subject, &correct, &correct_count, &incorrect,
                                &incorrect_count);
    for (size_t index = 0; index < correct_count; index++)
        if (correct[index] == item)
            return 1;
    for (size_t index = 0; index < incorrect_count; index++)
        if (incorrect[index] == item)
            return 0;
    return -1;
}

static struct irt_responses *read_or_fail(const char *location, long long run_id,
                                          struct report_irt_store_summary *summary)
{
    struct irt_responses *responses = NULL;
    struct assay_error error = {0};
    if (report_irt_responses_from_store(location, run_id, &responses, summary, &error) != ASSAY_OK)
        fail_msg("report_irt_responses_from_store(%s, %lld): %s", location, run_id, error.message);
    assert_non_null(responses);
    return responses;
}

/* The matrix read has this many subjects, items and responses. */
static void assert_matrix_size(const struct irt_responses *responses, size_t subjects, size_t items,
                               size_t response_count)
{
    assert_int_equal(irt_responses_subject_count(responses), subjects);
    assert_int_equal(irt_responses_item_count(responses), items);
    assert_int_equal(irt_responses_response_count(responses), response_count);
}

/* Checks the summary field by field; a field given as UNCHECKED is not
 * looked at. */
#define UNCHECKED SIZE_MAX
static void assert_summary(const struct report_irt_store_summary *summary, size_t runs,
                           size_t episodes, size_t infrastructure_skipped, size_t responses,
                           size_t aggregated_pairs, size_t aggregated_trials,
                           size_t aggregated_ties)
{
    const struct {
        const char *name;
        size_t actual, expected;
    } fields[] = {
        {"runs", summary->runs, runs},
        {"episodes", summary->episodes, episodes},
        {"infrastructure_skipped", summary->infrastructure_skipped, infrastructure_skipped},
        {"responses", summary->responses, responses},
        {"aggregated_pairs", summary->aggregated_pairs, aggregated_pairs},
        {"aggregated_trials", summary->aggregated_trials, aggregated_trials},
        {"aggregated_ties", summary->aggregated_ties, aggregated_ties},
    };
    for (size_t index = 0; index < sizeof fields / sizeof fields[0]; index++)
        if (fields[index].expected != UNCHECKED && fields[index].actual != fields[index].expected)
            fail_msg("summary.%s = %zu, expected %zu", fields[index].name, fields[index].actual,
                     fields[index].expected);
}

/* ---- Tests ------------------------------------------------------------------ */

static void trials_are_folded_by_majority(void **state)
{
    struct store_folder *fixture = *state;
    int64_t first, second;
    build_store(fixture->path, &first, &second);
    struct report_irt_store_summary summary;
    struct irt_responses *responses = read_or_fail(fixture->path, first, &summary);

    /* gamma and t4 only had infrastructure errors: no empty rows. */
    assert_matrix_size(responses, 2, 3, 5);
    assert_string_equal(irt_responses_subject_id(responses, 0), "alpha");
    assert_string_equal(irt_responses_subject_id(responses, 1), "beta");
    size_t index;
    assert_int_equal(irt_responses_find_subject(responses, "gamma", &index), ASSAY_ERR_NOT_FOUND);
    assert_int_equal(irt_responses_find_item(responses, "t4", &index), ASSAY_ERR_NOT_FOUND);

    assert_int_equal(response_of(responses, "alpha", "t1"), 1); /* 2 of 3 */
    assert_int_equal(response_of(responses, "alpha", "t2"), 0); /* 1 of 2: a tie fails */
    assert_int_equal(response_of(responses, "alpha", "t3"), 1); /* the error is no trial */
    assert_int_equal(response_of(responses, "beta", "t1"), 0);
    assert_int_equal(response_of(responses, "beta", "t2"), -1); /* only an error */
    assert_int_equal(response_of(responses, "beta", "t3"), 0);  /* 1 of 3 */

    /* Aggregated pairs: alpha t1, alpha t2, beta t3. */
    assert_summary(&summary, 1, 14, 4, 5, 3, 8, 1);

    struct buffer line = {0};
    assert_int_equal(report_irt_store_summary_format(&summary, &line), ASSAY_OK);
    assert_string_equal(line.data,
                        "1 run, 14 episodes: 4 infrastructure errors skipped; 5 agent-task pairs, "
                        "3 of them from several trials (8 trials folded by majority; 1 tie "
                        "counted as failed)\n");
    buffer_free(&line);
    irt_responses_free(responses);
}

static void every_run_or_one(void **state)
{
    struct store_folder *fixture = *state;
    int64_t first, second;
    build_store(fixture->path, &first, &second);

    /* Every run: alpha's t1 now has 5 scored trials, 2 passed -> 0. */
    struct report_irt_store_summary summary;
    struct irt_responses *responses = read_or_fail(fixture->path, 0, &summary);
    assert_matrix_size(responses, 3, 4, 6);
    /* Oldest run first: run 1's agents and tasks come first. */
    assert_string_equal(irt_responses_subject_id(responses, 0), "alpha");
    assert_string_equal(irt_responses_subject_id(responses, 2), "delta");
    assert_string_equal(irt_responses_item_id(responses, 3), "t5");
    assert_int_equal(response_of(responses, "alpha", "t1"), 0);
    assert_int_equal(response_of(responses, "delta", "t5"), 1);
    assert_int_equal(response_of(responses, "delta", "t1"), -1);
    assert_summary(&summary, 2, 17, UNCHECKED, UNCHECKED, 3, 10, 1);
    irt_responses_free(responses);

    /* Only run 2, through the sqlite: form of the location. */
    char location[160];
    snprintf(location, sizeof location, "sqlite:%s", fixture->path);
    responses = read_or_fail(location, second, &summary);
    assert_matrix_size(responses, 2, 2, 2);
    assert_int_equal(response_of(responses, "alpha", "t1"), 0);
    assert_int_equal(response_of(responses, "delta", "t5"), 1);
    assert_int_equal(response_of(responses, "beta", "t3"), -1);
    assert_summary(&summary, 1, 3, 0, UNCHECKED, 1, 2, 0);
    irt_responses_free(responses);
}

static void a_store_fit_is_finite(void **state)
{
    struct store_folder *fixture = *state;
    int64_t first, second;
    build_store(fixture->path, &first, &second);
    struct irt_responses *responses = read_or_fail(fixture->path, 0, NULL);
    struct irt_fit *fit = NULL;
    struct assay_error error = {0};
    if (irt_fit_estimate(responses, NULL, &fit, &error) != ASSAY_OK)
        fail_msg("irt_fit_estimate: %s", error.message);
    for (size_t item = 0; item < fit->item_count; item++) {
        assert_true(isfinite(fit->items[item].difficulty));
        assert_true(isfinite(fit->items[item].difficulty_se));
        assert_true(isfinite(fit->items[item].discrimination));
        assert_true(isfinite(fit->items[item].discrimination_se));
    }
    for (size_t subject = 0; subject < fit->subject_count; subject++) {
        assert_true(isfinite(fit->subjects[subject].ability));
        assert_true(isfinite(fit->subjects[subject].ability_sd));
    }
    struct buffer out = {0};
    assert_int_equal(irt_fit_format(fit, STATS_FORMAT_JSON, &out), ASSAY_OK);
    assert_null(strstr(out.data, "nan"));
    assert_null(strstr(out.data, "NaN"));
    buffer_free(&out);
    irt_fit_free(fit);
    irt_responses_free(responses);
}

static void assert_refused(const char *location, long long run_id, int expected_status,
                           const char *expected_text)
{
    struct irt_responses *responses = (struct irt_responses *)&responses; /* must be reset */
    struct assay_error error = {0};
    int status = report_irt_responses_from_store(location, run_id, &responses, NULL, &error);
    if (status != expected_status || strstr(error.message, expected_text) == NULL)
        fail_msg("%s run %lld: status %d \"%s\", wanted %d with \"%s\"", location, run_id, status,
                 error.message, expected_status, expected_text);
    assert_null(responses);
}

static void bad_stores_give_clear_errors(void **state)
{
    struct store_folder *fixture = *state;
    char path[192];

    /* A missing file is reported, and not created. */
    snprintf(path, sizeof path, "%s/missing.db", fixture->folder);
    assert_refused(path, 0, ASSAY_ERR_NOT_FOUND, "no such results store");
    assert_int_not_equal(access(path, F_OK), 0);
    char location[224];
    snprintf(location, sizeof location, "sqlite:%s", path);
    assert_refused(location, 0, ASSAY_ERR_NOT_FOUND, "no such results store");
    assert_int_not_equal(access(path, F_OK), 0);

    /* A store without runs. */
    store_close(open_or_fail(fixture->path));
    assert_refused(fixture->path, 0, ASSAY_ERR_INVALID, "has no runs");

    /* An unknown run, then a run whose every episode was an infrastructure
     * error. */
    struct store *store = open_or_fail(fixture->path);
    static const char *const roles[] = {"alpha"};
    int64_t run = create_run(store, roles, 1);
    record(store, run, "alpha", "t1", 0, -1);
    record(store, run, "alpha", "t2", 0, -1);
    int64_t empty = create_run(store, roles, 1);
    store_close(store);
    assert_refused(fixture->path, run + 10, ASSAY_ERR_NOT_FOUND, "has no run");
    assert_refused(fixture->path, run, ASSAY_ERR_INVALID,
                   "no scored episodes (2 episodes, 2 of them infrastructure errors)");
    assert_refused(fixture->path, empty, ASSAY_ERR_INVALID,
                   "no scored episodes (0 episodes, 0 of them");
    assert_refused(fixture->path, 0, ASSAY_ERR_INVALID, "2 runs: no scored episodes");
    assert_refused(fixture->path, -1, ASSAY_ERR_INVALID, "positive");

    /* Not a store at all. */
    snprintf(path, sizeof path, "%s/text.db", fixture->folder);
    FILE *stream = fopen(path, "w");
    assert_non_null(stream);
    fputs("this is not a database, and it is long enough to have a header\n", stream);
    fclose(stream);
    snprintf(location, sizeof location, "sqlite:%s", path);
    struct irt_responses *responses = NULL;
    struct assay_error error = {0};
    assert_true(report_irt_responses_from_store(location, 0, &responses, NULL, &error) < 0);
    assert_null(responses);
    assert_true(error.message[0] != '\0');
}

static void stores_are_told_from_pyirt_files(void **state)
{
    struct store_folder *fixture = *state;
    store_close(open_or_fail(fixture->path));
    assert_true(report_irt_input_is_store(fixture->path));
    assert_true(report_irt_input_is_store("sqlite:anything.db"));

    char path[192];
    snprintf(path, sizeof path, "%s/responses.jsonl", fixture->folder);
    FILE *stream = fopen(path, "w");
    assert_non_null(stream);
    fputs("{\"subject_id\": \"a\", \"responses\": {\"t1\": 1}}\n", stream);
    fclose(stream);
    assert_false(report_irt_input_is_store(path));

    snprintf(path, sizeof path, "%s/short", fixture->folder);
    stream = fopen(path, "w");
    assert_non_null(stream);
    fputs("SQLite format", stream); /* shorter than the header */
    fclose(stream);
    assert_false(report_irt_input_is_store(path));

    snprintf(path, sizeof path, "%s/missing", fixture->folder);
    assert_false(report_irt_input_is_store(path));
    assert_false(report_irt_input_is_store(NULL));
}

static void allocation_failures_are_reported(void **state)
{
    struct store_folder *fixture = *state;
    int64_t first, second;
    build_store(fixture->path, &first, &second);
    int succeeded = 0;
    for (long failing = 0; failing < 400 && !succeeded; failing++) {
        struct irt_responses *responses = NULL;
        struct assay_error error = {0};
        assay_memory_fail_after(failing);
        int status = report_irt_responses_from_store(fixture->path, 0, &responses, NULL, &error);
        assay_memory_fail_after(-1);
        if (status == ASSAY_OK) {
            succeeded = 1;
            assert_int_equal(irt_responses_response_count(responses), 6);
        } else {
            assert_null(responses);
            assert_true(error.message[0] != '\0');
        }
        irt_responses_free(responses);
    }
    assert_true(succeeded);
}

int test_group_report_irt_store(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(trials_are_folded_by_majority, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(every_run_or_one, setup, store_folder_teardown),
        cmocka_unit_test_setup_teardown(a_store_fit_is_finite, setup, store_folder_teardown),
        cmocka_unit_test_setup_teardown(bad_stores_give_clear_errors, setup, store_folder_teardown),
        cmocka_unit_test_setup_teardown(stores_are_told_from_pyirt_files, setup,
                                        store_folder_teardown),
        cmocka_unit_test_setup_teardown(allocation_failures_are_reported, setup,
                                        store_folder_teardown),
    };
    return cmocka_run_group_tests_name("report_irt_store", tests, NULL, NULL);
}
