/* test_stats_horizon.c — human-minutes reader (good and bad input), METR
 * logistic horizons and their bootstrap, BRIDGE anchoring, output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buffer.h"
#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"
#include "stats/horizon.h"
#include "stats/random.h"
#include "test_list.h"
#include "test_support.h"

/* ---- Temporary files ----------------------------------------------------- */

static int make_directory(void **state)
{
    return temp_folder_make("/tmp/assay-stats-horizon-XXXXXX", 32);
}

static void assert_minutes_rejected(const char *name, const char *text, const char *location,
                                    const char *words)
{
    struct horizon_minutes *minutes = (struct horizon_minutes *)1;
    struct assay_error error = {0};
    assert_int_equal(
        horizon_minutes_read(temp_file_write(name, text), NULL, &minutes, NULL, &error),
        ASSAY_ERR_INVALID);
    assert_null(minutes);
    if (strstr(error.message, location) == NULL || strstr(error.message, words) == NULL)
        fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", error.message, location, words);
}

/* ---- Human minutes --------------------------------------------------------- */

static void minutes_reader_accepts_integers_reals_and_extra_members(void **state)
{
    struct horizon_minutes *minutes;
    struct horizon_minutes_report report;
    struct assay_error error = {0};
    const char *path = temp_file_write(
        "times.jsonl", "{\"task_id\": \"a/1\", \"human_minutes\": 30}\n"
                       "\n"
                       "{\"task_id\": \"a/2\", \"human_minutes\": 0.25, \"source\": \"x\"}"
                       "\r\n{\"human_minutes\": 1e3, \"task_id\": \"b\"}");
    assert_int_equal(horizon_minutes_read(path, NULL, &minutes, &report, &error), ASSAY_OK);
    assert_int_equal(horizon_minutes_count(minutes), 3);
    assert_int_equal(report.lines, 4);
    assert_int_equal(report.blank_lines, 1);
    double value;
    assert_int_equal(horizon_minutes_lookup(minutes, "a/2", &value), ASSAY_OK);
    assert_near(value, 0.25, 0);
    assert_int_equal(horizon_minutes_lookup(minutes, "b", &value), ASSAY_OK);
    assert_near(value, 1000, 0);
    assert_int_equal(horizon_minutes_lookup(minutes, "c", &value), ASSAY_ERR_NOT_FOUND);
    horizon_minutes_free(minutes);
}

static void minutes_reader_rejects_bad_lines(void **state)
{
    assert_minutes_rejected("zero.jsonl",
                            "{\"task_id\": \"a\", \"human_minutes\": 3}\n"
                            "{\"task_id\": \"b\", \"human_minutes\": 0}\n",
                            "zero.jsonl:2:", "human_minutes must be positive, got 0");
    assert_minutes_rejected("negative.jsonl", "{\"task_id\": \"a\", \"human_minutes\": -2.5}\n",
                            "negative.jsonl:1:", "must be positive, got -2.5");
    assert_minutes_rejected("string.jsonl", "{\"task_id\": \"a\", \"human_minutes\": \"3\"}\n",
                            "string.jsonl:1:", "must be a number");
    assert_minutes_rejected("missing.jsonl", "{\"task_id\": \"a\"}\n",
                            "missing.jsonl:1:", "must be a number");
    assert_minutes_rejected("no-task.jsonl", "{\"human_minutes\": 3}\n",
                            "no-task.jsonl:1:", "\"task_id\" must be a non-empty string");
    assert_minutes_rejected("twice.jsonl",
                            "{\"task_id\": \"a\", \"human_minutes\": 3}\n"
                            "{\"task_id\": \"a\", \"human_minutes\": 4}\n",
                            "twice.jsonl:2:", "already has a time on line 1");
    assert_minutes_rejected("text.jsonl", "task a took 3 minutes\n",
                            "text.jsonl:1:", "not valid JSON");
    assert_minutes_rejected("list.jsonl", "[\"a\", 3]\n",
                            "list.jsonl:1:", "expected a JSON object");
    assert_minutes_rejected("empty.jsonl", "\n", "empty.jsonl", "no human times found");
}

static void minutes_reader_can_skip_nonpositive_times(void **state)
{
    enum log_level level = log_get_level();
    log_set_level(LOG_SILENT);
    struct horizon_minutes_options options = {.skip_nonpositive = 1};
    struct horizon_minutes *minutes;
    struct horizon_minutes_report report;
    struct assay_error error = {0};
    const char *path =
        temp_file_write("skip.jsonl", "{\"task_id\": \"a\", \"human_minutes\": 0}\n"
                                      "{\"task_id\": \"b\", \"human_minutes\": -1}\n"
                                      "{\"task_id\": \"c\", \"human_minutes\": 5}\n");
    assert_int_equal(horizon_minutes_read(path, &options, &minutes, &report, &error), ASSAY_OK);
    log_set_level(level);
    assert_int_equal(report.nonpositive_skipped, 2);
    assert_int_equal(horizon_minutes_count(minutes), 1);
    double value;
    assert_int_equal(horizon_minutes_lookup(minutes, "a", &value), ASSAY_ERR_NOT_FOUND);
    horizon_minutes_free(minutes);
}

/* ---- Logistic horizons ----------------------------------------------------- */

/* Tasks with log2 minutes spread over [-2, 10] and successes drawn from a
 * known logistic curve with a 30-minute horizon. */
static void draw_tasks(size_t count, double horizon_minutes, double slope, uint64_t seed,
                       double *log2_minutes, unsigned char *success)
{
    struct stats_random random;
    stats_random_seed(&random, seed);
    double centre = log2(horizon_minutes);
    for (size_t task = 0; task < count; task++) {
        log2_minutes[task] = -2.0 + 12.0 * stats_random_uniform(&random);
        double probability = 1.0 / (1.0 + exp(-slope * (log2_minutes[task] - centre)));
        success[task] = stats_random_uniform(&random) < probability;
    }
}

static void logistic_horizon_recovers_a_known_curve(void **state)
{
    enum { COUNT = 2000 };
    static double log2_minutes[COUNT];
    static unsigned char success[COUNT];
    draw_tasks(COUNT, 30.0, -0.8, 42, log2_minutes, success);
    struct horizon_options options;
    horizon_options_default(&options);
    options.bootstrap_replicates = 200;
    struct horizon_estimate estimate;
    struct assay_error error = {0};
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, COUNT, &options, &estimate, &error),
        ASSAY_OK);
    assert_int_equal(estimate.status, HORIZON_ESTIMATED);
    assert_false(estimate.extrapolated);
    assert_true(estimate.minutes > 30.0 / 1.2 && estimate.minutes < 30.0 * 1.2);
    assert_true(estimate.slope < -0.6 && estimate.slope > -1.0);
    assert_true(estimate.lower < 30.0 && estimate.upper > 30.0);
    assert_true(estimate.lower < estimate.minutes && estimate.minutes < estimate.upper);
    assert_int_equal(estimate.bootstrap_degenerate, 0);

    /* The same seed gives the same interval; another seed a different one. */
    struct horizon_estimate again, reseeded;
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, COUNT, &options, &again, &error),
        ASSAY_OK);
    assert_near(again.lower, estimate.lower, 0);
    assert_near(again.upper, estimate.upper, 0);
    options.seed = 2;
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, COUNT, &options, &reseeded, &error),
        ASSAY_OK);
    assert_true(reseeded.lower != estimate.lower);
    assert_near(reseeded.minutes, estimate.minutes, 0);

    /* At 80% success the horizon is shorter: 2^((logit 0.8)/slope) times. */
    options.success_rate = 0.8;
    options.bootstrap_replicates = 0;
    struct horizon_estimate eighty;
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, COUNT, &options, &eighty, &error),
        ASSAY_OK);
    assert_near(log2(eighty.minutes), log2(estimate.minutes) + log(4.0) / eighty.slope, 1e-9);
    assert_true(isnan(eighty.lower));
}

static void logistic_horizon_reports_degenerate_agents(void **state)
{
    double log2_minutes[12];
    unsigned char success[12];
    for (int task = 0; task < 12; task++)
        log2_minutes[task] = task - 2;
    struct horizon_options options;
    horizon_options_default(&options);
    options.bootstrap_replicates = 50;
    struct horizon_estimate estimate;

    memset(success, 1, sizeof success);
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, 12, &options, &estimate, NULL),
        ASSAY_OK);
    assert_int_equal(estimate.status, HORIZON_ALL_SUCCEEDED);
    assert_true(isinf(estimate.minutes) && isinf(estimate.upper));
    assert_true(isfinite(estimate.intercept) && isfinite(estimate.slope));

    memset(success, 0, sizeof success);
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, 12, &options, &estimate, NULL),
        ASSAY_OK);
    assert_int_equal(estimate.status, HORIZON_ALL_FAILED);
    assert_near(estimate.minutes, 0, 0);

    /* Success rising with length: no horizon in the usual sense. */
    for (int task = 0; task < 12; task++)
        success[task] = task % 3 != 0 && task > 4;
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, 12, &options, &estimate, NULL),
        ASSAY_OK);
    assert_int_equal(estimate.status, HORIZON_NOT_DECREASING);

    /* Perfect separation at 2^3.5 minutes: finite, between the two tasks. */
    for (int task = 0; task < 12; task++)
        success[task] = log2_minutes[task] < 3.5;
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, 12, &options, &estimate, NULL),
        ASSAY_OK);
    assert_int_equal(estimate.status, HORIZON_ESTIMATED);
    assert_true(estimate.minutes > 8.0 && estimate.minutes < 16.0);

    options.minimum_tasks = 13;
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, 12, &options, &estimate, NULL),
        ASSAY_OK);
    assert_int_equal(estimate.status, HORIZON_TOO_FEW_TASKS);

    options.success_rate = 1.0;
    struct assay_error error = {0};
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, 12, &options, &estimate, &error),
        ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "success rate"));
}

/* One large family of easy short tasks and ten singleton families of long
 * ones: weighting each task by 1/sqrt(family size) shrinks the big family
 * to the weight of ~5 tasks, which moves the horizon. */
static void family_weighting_discounts_large_families(void **state)
{
    enum { BIG = 30, SINGLES = 10, COUNT = BIG + SINGLES };
    double log2_minutes[COUNT];
    unsigned char success[COUNT];
    size_t family[COUNT];
    for (int task = 0; task < BIG; task++) {
        log2_minutes[task] = 1.0 + 0.1 * (task % 5);
        success[task] = task % 6 != 0; /* 5 of 6 succeed */
        family[task] = 0;
    }
    for (int task = BIG; task < COUNT; task++) {
        log2_minutes[task] = 3.0 + 0.4 * (task - BIG);
        success[task] = task - BIG < 3;
        family[task] = (size_t)(task - BIG + 1);
    }
    struct horizon_options options;
    horizon_options_default(&options);
    options.bootstrap_replicates = 0;
    struct horizon_estimate weighted, flat, singletons;
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, family, COUNT, &options, &weighted, NULL),
        ASSAY_OK);
    assert_int_equal(weighted.family_count, SINGLES + 1);
    options.family_weighting = 0;
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, family, COUNT, &options, &flat, NULL),
        ASSAY_OK);
    assert_true(fabs(log2(weighted.minutes) - log2(flat.minutes)) > 0.1);
    /* Without families (NULL) every task is its own: same as unweighted. */
    options.family_weighting = 1;
    assert_int_equal(
        horizon_logistic_estimate(log2_minutes, success, NULL, COUNT, &options, &singletons, NULL),
        ASSAY_OK);
    assert_near(singletons.minutes, flat.minutes, 1e-9 * flat.minutes);
}

/* ---- Anchoring ------------------------------------------------------------- */

static void anchoring_finds_an_exact_line(void **state)
{
    /* A hand-made fit: difficulties -1..2 with times e^(1 + 2b) on the
     * items "m/0".."m/3" and a fifth item without a time. */
    char *item_ids[5] = {"m/0", "m/1", "m/2", "m/3", "swe__x"};
    struct irt_item_estimate items[5] = {{.difficulty = -1},
                                         {.difficulty = 0},
                                         {.difficulty = 1},
                                         {.difficulty = 2},
                                         {.difficulty = 0.5}};
    struct irt_fit fit = {.item_count = 5, .item_ids = item_ids, .items = items};
    char text[512];
    snprintf(text, sizeof text,
             "{\"task_id\": \"m/0\", \"human_minutes\": %.17g}\n"
             "{\"task_id\": \"m/1\", \"human_minutes\": %.17g}\n"
             "{\"task_id\": \"m/2\", \"human_minutes\": %.17g}\n"
             "{\"task_id\": \"m/3\", \"human_minutes\": %.17g}\n"
             "{\"task_id\": \"swe__y\", \"human_minutes\": 30}\n",
             exp(-1.0), exp(1.0), exp(3.0), exp(5.0));
    struct horizon_minutes *minutes;
    struct assay_error error = {0};
    assert_int_equal(
        horizon_minutes_read(temp_file_write("line.jsonl", text), NULL, &minutes, NULL, &error),
        ASSAY_OK);
    struct horizon_anchor anchor;
    assert_int_equal(
        horizon_anchor_fit(&fit, minutes, horizon_exclude_containing, "__", &anchor, &error),
        ASSAY_OK);
    assert_int_equal(anchor.item_count, 4);
    assert_near(anchor.slope, 2.0, 1e-12);
    assert_near(anchor.intercept, 1.0, 1e-12);
    assert_near(anchor.r_squared, 1.0, 1e-12);
    assert_near(horizon_anchor_minutes(&anchor, 0.5), exp(2.0), 1e-9);

    struct buffer out = {0};
    assert_int_equal(horizon_anchor_format(&anchor, &fit, minutes, STATS_FORMAT_CSV, &out),
                     ASSAY_OK);
    assert_non_null(strstr(out.data, "item_id,difficulty,human_minutes,predicted_minutes\n"));
    assert_non_null(strstr(out.data, "\nswe__x,0.5,,7.389056099\n"));
    buffer_reset(&out);
    assert_int_equal(horizon_anchor_format(&anchor, &fit, minutes, STATS_FORMAT_JSON, &out),
                     ASSAY_OK);
    json_t *document = json_loads(out.data, 0, NULL);
    assert_non_null(document);
    json_t *last = json_array_get(json_object_get(document, "items"), 4);
    assert_true(json_is_null(json_object_get(last, "human_minutes")));
    json_decref(document);
    buffer_free(&out);

    /* Two timed items are too few for a line with a residual. */
    fit.item_count = 2;
    assert_int_equal(horizon_anchor_fit(&fit, minutes, NULL, NULL, &anchor, &error),
                     ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "at least 3"));
    horizon_minutes_free(minutes);
}

/* ---- Tables ---------------------------------------------------------------- */

static void table_estimates_every_agent_and_formats_it(void **state)
{
    /* Two agents on the same 40 timed tasks in 8 families; the stronger one
     * passes everything up to 2^6 minutes, the weaker up to 2^2. */
    struct irt_responses_builder *builder;
    assert_int_equal(irt_responses_builder_create(&builder), ASSAY_OK);
    size_t strong, weak, item;
    assert_int_equal(irt_responses_builder_add_subject(builder, "strong", &strong, NULL), ASSAY_OK);
    assert_int_equal(irt_responses_builder_add_subject(builder, "weak", &weak, NULL), ASSAY_OK);
    struct buffer text = {0};
    char name[32];
    struct stats_random random;
    stats_random_seed(&random, 5);
    for (int task = 0; task < 40; task++) {
        double log2_minutes = -1.0 + 10.0 * task / 39.0;
        snprintf(name, sizeof name, "family%d/task%d", task % 8, task);
        assert_int_equal(buffer_append_format(&text,
                                              "{\"task_id\": \"%s\", \"human_minutes\": %.17g}\n",
                                              name, exp2(log2_minutes)),
                         ASSAY_OK);
        assert_int_equal(irt_responses_builder_add_item(builder, name, &item, NULL), ASSAY_OK);
        double noise = stats_random_normal(&random);
        assert_int_equal(
            irt_responses_builder_add_response(builder, strong, item, log2_minutes + noise < 6.0),
            ASSAY_OK);
        assert_int_equal(
            irt_responses_builder_add_response(builder, weak, item, log2_minutes + noise < 2.0),
            ASSAY_OK);
    }
    struct irt_responses *responses;
    assert_int_equal(irt_responses_builder_finish(builder, &responses, NULL), ASSAY_OK);
    irt_responses_builder_free(builder);
    struct horizon_minutes *minutes;
    struct assay_error error = {0};
    assert_int_equal(horizon_minutes_read(temp_file_write("table.jsonl", text.data), NULL, &minutes,
                                          NULL, &error),
                     ASSAY_OK);
    buffer_free(&text);
    struct horizon_options options;
    horizon_options_default(&options);
    options.bootstrap_replicates = 100;
    struct horizon_table *table;
    assert_int_equal(horizon_table_estimate(responses, minutes, &options, &table, &error),
                     ASSAY_OK);
    assert_int_equal(table->agent_count, 2);
    const struct horizon_agent *first, *second;
    assert_int_equal(horizon_table_find(table, "strong", &first), ASSAY_OK);
    assert_int_equal(horizon_table_find(table, "weak", &second), ASSAY_OK);
    assert_int_equal(first->logistic.family_count, 8);
    assert_int_equal(first->logistic.task_count, 40);
    assert_true(first->logistic.minutes > 20 && first->logistic.minutes < 200);
    assert_true(second->logistic.minutes > 1 && second->logistic.minutes < 12);

    struct buffer out = {0};
    assert_int_equal(horizon_table_format(table, STATS_FORMAT_JSON, &out), ASSAY_OK);
    json_t *document = json_loads(out.data, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(document);
    json_t *agent = json_array_get(json_object_get(document, "agents"), 0);
    assert_string_equal(json_string_value(json_object_get(agent, "status")), "estimated");
    assert_true(json_is_real(json_object_get(agent, "minutes")));
    json_decref(document);
    buffer_reset(&out);
    assert_int_equal(horizon_table_format(table, STATS_FORMAT_CSV, &out), ASSAY_OK);
    assert_non_null(strstr(out.data, "\nstrong,estimated,0,40,"));
    buffer_reset(&out);
    assert_int_equal(horizon_table_format(table, STATS_FORMAT_TABLE, &out), ASSAY_OK);
    assert_non_null(strstr(out.data, "Time horizons at 50% success"));
    buffer_free(&out);
    horizon_table_free(table);
    horizon_minutes_free(minutes);
    irt_responses_free(responses);
}

/* Every allocation of reading times and estimating a table fails in turn:
 * each attempt succeeds or reports ASSAY_ERR_NOMEM and leaks nothing
 * (jansson gets libc's allocator meanwhile, as in test_stats_irt.c). */
static void horizons_survive_every_allocation_failure(void **state)
{
    const char *path =
        temp_file_write("oom.jsonl", "{\"task_id\": \"f/a\", \"human_minutes\": 1}\n"
                                     "{\"task_id\": \"f/b\", \"human_minutes\": 4}\n"
                                     "{\"task_id\": \"g\", \"human_minutes\": 16}\n");
    double discrimination[3] = {1, 1, 1}, difficulty[3] = {-1, 0, 1}, ability[4] = {-1, 0, 1, 2};
    struct irt_responses *responses;
    assert_int_equal(
        irt_responses_simulate(discrimination, difficulty, 3, ability, 4, 1.0, 3, &responses),
        ASSAY_OK);
    json_malloc_t saved_malloc;
    json_free_t saved_free;
    json_get_alloc_funcs(&saved_malloc, &saved_free);
    json_set_alloc_funcs(malloc, free);
    struct horizon_options options;
    horizon_options_default(&options);
    options.minimum_tasks = 1;
    options.bootstrap_replicates = 20;
    long baseline = assay_memory_live_allocations();
    int succeeded = 0;
    for (long failure = 0; failure < 200 && !succeeded; failure++) {
        struct horizon_minutes *minutes = NULL;
        struct horizon_table *table = NULL;
        struct assay_error error = {0};
        assay_memory_fail_after(failure);
        int status = horizon_minutes_read(path, NULL, &minutes, NULL, &error);
        if (status == ASSAY_OK)
            status = horizon_table_estimate(responses, minutes, &options, &table, &error);
        assay_memory_fail_after(-1);
        if (status == ASSAY_OK)
            succeeded = 1;
        else if (status != ASSAY_ERR_NOMEM)
            fail_msg("allocation %ld failed: status %d, \"%s\"", failure, status, error.message);
        horizon_table_free(table);
        horizon_minutes_free(minutes);
        assert_int_equal(assay_memory_live_allocations(), baseline);
    }
    json_set_alloc_funcs(saved_malloc, saved_free);
    assert_true(succeeded);
    irt_responses_free(responses);
}

int test_group_stats_horizon(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minutes_reader_accepts_integers_reals_and_extra_members),
        cmocka_unit_test(minutes_reader_rejects_bad_lines),
        cmocka_unit_test(minutes_reader_can_skip_nonpositive_times),
        cmocka_unit_test(logistic_horizon_recovers_a_known_curve),
        cmocka_unit_test(logistic_horizon_reports_degenerate_agents),
        cmocka_unit_test(family_weighting_discounts_large_families),
        cmocka_unit_test(anchoring_finds_an_exact_line),
        cmocka_unit_test(table_estimates_every_agent_and_formats_it),
        cmocka_unit_test(horizons_survive_every_allocation_failure),
    };
    return cmocka_run_group_tests_name("stats_horizon", tests, make_directory, temp_folder_remove);
}
