/* test_stats_irt.c — the 2PL: py-irt reader (good and bad input), fitting
 * (finite estimates at the edges, parameter recovery, interval coverage),
 * output formats and out-of-memory behaviour. */
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
#include "stats/irt.h"
#include "stats/irt_internal.h"
#include "stats/random.h"
#include "test_list.h"
#include "test_support.h"

/* ---- Temporary files ----------------------------------------------------- */

static int make_directory(void **state)
{
    return temp_folder_make("/tmp/assay-stats-irt-XXXXXX", 64);
}

/* Reads `text` as a py-irt file named `name`; returns the status and leaves
 * the message in *error. */
static int read_text(const char *name, const char *text, struct irt_responses **responses,
                     struct irt_read_report *report, struct assay_error *error)
{
    memset(error, 0, sizeof *error);
    return irt_responses_read_pyirt(temp_file_write(name, text), responses, report, error);
}

static void assert_rejected(const char *name, const char *text, const char *expected_location,
                            const char *expected_words)
{
    struct irt_responses *responses = (struct irt_responses *)1;
    struct assay_error error;
    assert_int_equal(read_text(name, text, &responses, NULL, &error), ASSAY_ERR_INVALID);
    assert_null(responses);
    assert_int_equal(error.status, ASSAY_ERR_INVALID);
    if (strstr(error.message, expected_location) == NULL ||
        strstr(error.message, expected_words) == NULL)
        fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", error.message, expected_location,
                 expected_words);
}

/* ---- Reader ------------------------------------------------------------- */

static void reader_accepts_pyirt_lines(void **state)
{
    /* Booleans, extra members, a blank line, CRLF and a last line without
     * a newline are all fine. */
    const char *text =
        "{\"subject_id\": \"alpha\", \"responses\": {\"q1\": 1, \"q2\": 0, \"q3\": true}}\n"
        "\n"
        "{\"subject_id\": \"beta\", \"note\": \"x\", \"responses\": {\"q2\": 1, \"q4\": false}}\r\n"
        "{\"subject_id\": \"gamma\", \"responses\": {\"q1\": 0}}";
    struct irt_responses *responses;
    struct irt_read_report report;
    struct assay_error error;
    assert_int_equal(read_text("good.jsonl", text, &responses, &report, &error), ASSAY_OK);
    assert_int_equal(irt_responses_subject_count(responses), 3);
    assert_int_equal(irt_responses_item_count(responses), 4);
    assert_int_equal(irt_responses_response_count(responses), 6);
    assert_int_equal(report.lines, 4);
    assert_int_equal(report.blank_lines, 1);
    assert_int_equal(report.empty_subjects_skipped, 0);

    size_t subject, item;
    assert_int_equal(irt_responses_find_subject(responses, "alpha", &subject), ASSAY_OK);
    assert_string_equal(irt_responses_subject_id(responses, subject), "alpha");
    const uint32_t *correct, *incorrect;
    size_t correct_count, incorrect_count;
    irt_responses_subject_items(responses, subject, &correct, &correct_count, &incorrect,
                                &incorrect_count);
    assert_int_equal(correct_count, 2);
    assert_int_equal(incorrect_count, 1);
    assert_string_equal(irt_responses_item_id(responses, correct[0]), "q1");
    assert_string_equal(irt_responses_item_id(responses, correct[1]), "q3");
    assert_string_equal(irt_responses_item_id(responses, incorrect[0]), "q2");
    assert_int_equal(irt_responses_find_item(responses, "q4", &item), ASSAY_OK);
    assert_int_equal(irt_responses_find_item(responses, "q5", &item), ASSAY_ERR_NOT_FOUND);
    irt_responses_free(responses);
}

static void reader_rejects_lines_that_are_not_json(void **state)
{
    assert_rejected("garbage.jsonl",
                    "{\"subject_id\": \"a\", \"responses\": {\"q\": 1}}\nsubject a, q=1\n",
                    "garbage.jsonl:2:", "not valid JSON");
    assert_rejected("array.jsonl", "[1, 0, 1]\n", "array.jsonl:1:", "expected a JSON object");
    assert_rejected("truncated.jsonl", "{\"subject_id\": \"a\", \"responses\": {\"q\": 1}\n",
                    "truncated.jsonl:1:", "not valid JSON");
}

static void reader_rejects_bad_subjects(void **state)
{
    assert_rejected("no-id.jsonl", "{\"responses\": {\"q\": 1}}\n",
                    "no-id.jsonl:1:", "\"subject_id\" must be a string");
    assert_rejected("number-id.jsonl", "{\"subject_id\": 7, \"responses\": {\"q\": 1}}\n",
                    "number-id.jsonl:1:", "got an integer");
    assert_rejected("no-responses.jsonl", "{\"subject_id\": \"a\"}\n",
                    "no-responses.jsonl:1:", "\"responses\" must be an object");
    assert_rejected("duplicate.jsonl",
                    "{\"subject_id\": \"a\", \"responses\": {\"q\": 1}}\n"
                    "{\"subject_id\": \"b\", \"responses\": {\"q\": 0}}\n"
                    "{\"subject_id\": \"a\", \"responses\": {\"r\": 1}}\n",
                    "duplicate.jsonl:3:", "already appeared on line 1");
}

static void reader_rejects_duplicate_items_and_non_binary_responses(void **state)
{
    assert_rejected("same-key.jsonl",
                    "{\"subject_id\": \"a\", \"responses\": {\"q\": 1, \"q\": 0}}\n",
                    "same-key.jsonl:1:", "duplicate");
    assert_rejected("two.jsonl", "{\"subject_id\": \"a\", \"responses\": {\"q\": 2}}\n",
                    "two.jsonl:1:", "item \"q\": a response must be 0 or 1, got an integer 2");
    assert_rejected("half.jsonl", "{\"subject_id\": \"a\", \"responses\": {\"q\": 0.5}}\n",
                    "half.jsonl:1:", "must be 0 or 1");
    assert_rejected("string.jsonl", "{\"subject_id\": \"a\", \"responses\": {\"q\": \"1\"}}\n",
                    "string.jsonl:1:", "got a string");
    assert_rejected("null.jsonl", "{\"subject_id\": \"a\", \"responses\": {\"q\": null}}\n",
                    "null.jsonl:1:", "got null");
}

static void reader_skips_and_counts_subjects_without_responses(void **state)
{
    enum log_level level = log_get_level();
    log_set_level(LOG_SILENT); /* the skip is logged as a warning */
    struct irt_responses *responses;
    struct irt_read_report report;
    struct assay_error error;
    assert_int_equal(read_text("empty-subject.jsonl",
                               "{\"subject_id\": \"idle\", \"responses\": {}}\n"
                               "{\"subject_id\": \"busy\", \"responses\": {\"q\": 1}}\n",
                               &responses, &report, &error),
                     ASSAY_OK);
    assert_int_equal(report.empty_subjects_skipped, 1);
    assert_int_equal(irt_responses_subject_count(responses), 1);
    size_t subject;
    assert_int_equal(irt_responses_find_subject(responses, "idle", &subject), ASSAY_ERR_NOT_FOUND);
    irt_responses_free(responses);
    /* A skipped subject still counts for duplicate detection. */
    assert_rejected("skipped-twice.jsonl",
                    "{\"subject_id\": \"idle\", \"responses\": {}}\n"
                    "{\"subject_id\": \"idle\", \"responses\": {\"q\": 1}}\n",
                    "skipped-twice.jsonl:2:", "already appeared on line 1");
    /* A file with nothing to analyse is an error, not an empty fit. */
    assert_rejected("nothing.jsonl", "{\"subject_id\": \"idle\", \"responses\": {}}\n\n",
                    "nothing.jsonl", "no responses found");
    assert_rejected("zero-bytes.jsonl", "", "zero-bytes.jsonl", "no responses found");
    log_set_level(level);
}

static void reader_reports_a_missing_file(void **state)
{
    struct irt_responses *responses;
    struct assay_error error = {0};
    assert_int_equal(
        irt_responses_read_pyirt("/nonexistent/assay/none.jsonl", &responses, NULL, &error),
        ASSAY_ERR_NOT_FOUND);
    assert_non_null(strstr(error.message, "/nonexistent/assay/none.jsonl: cannot open"));
}

static void builder_rejects_a_repeated_response(void **state)
{
    struct irt_responses_builder *builder;
    assert_int_equal(irt_responses_builder_create(&builder), ASSAY_OK);
    size_t subject, item, again;
    int added;
    assert_int_equal(irt_responses_builder_add_subject(builder, "s", &subject, &added), ASSAY_OK);
    assert_int_equal(added, 1);
    assert_int_equal(irt_responses_builder_add_item(builder, "i", &item, NULL), ASSAY_OK);
    assert_int_equal(irt_responses_builder_add_item(builder, "i", &again, &added), ASSAY_OK);
    assert_int_equal(added, 0);
    assert_int_equal(again, item);
    assert_int_equal(irt_responses_builder_add_response(builder, subject, item, 2),
                     ASSAY_ERR_INVALID);
    assert_int_equal(irt_responses_builder_add_response(builder, subject, item, 1), ASSAY_OK);
    assert_int_equal(irt_responses_builder_add_response(builder, subject, item, 0), ASSAY_OK);
    struct irt_responses *responses;
    struct assay_error error = {0};
    assert_int_equal(irt_responses_builder_finish(builder, &responses, &error), ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "subject \"s\" has two responses to item \"i\""));
    irt_responses_builder_free(builder);
}

/* ---- Quadrature --------------------------------------------------------- */

static void gauss_hermite_integrates_polynomials_exactly(void **state)
{
    double nodes[61], log_weights[61];
    for (size_t count = 5; count <= 61; count += 28) {
        assert_int_equal(irt__gauss_hermite(count, nodes, log_weights), ASSAY_OK);
        /* ∫ x^k e^{-x²} dx: √π, 0, √π/2, 0, 3√π/4 for k = 0..4. */
        double moments[5] = {0};
        for (size_t node = 0; node < count; node++)
            for (int power = 0; power < 5; power++)
                moments[power] += exp(log_weights[node]) * pow(nodes[node], power);
        double root_pi = sqrt(M_PI);
        assert_near(moments[0], root_pi, 1e-12);
        assert_near(moments[1], 0.0, 1e-12);
        assert_near(moments[2], root_pi / 2, 1e-12);
        assert_near(moments[4], 3 * root_pi / 4, 1e-11);
    }
}

/* ---- Fitting ------------------------------------------------------------ */

static double correlation(const double *x, const double *y, size_t count)
{
    double mean_x = 0, mean_y = 0, xx = 0, yy = 0, xy = 0;
    for (size_t index = 0; index < count; index++) {
        mean_x += x[index] / (double)count;
        mean_y += y[index] / (double)count;
    }
    for (size_t index = 0; index < count; index++) {
        xx += (x[index] - mean_x) * (x[index] - mean_x);
        yy += (y[index] - mean_y) * (y[index] - mean_y);
        xy += (x[index] - mean_x) * (y[index] - mean_y);
    }
    return xy / sqrt(xx * yy);
}

static void assert_fit_is_finite(const struct irt_fit *fit)
{
    assert_true(isfinite(fit->log_likelihood) && isfinite(fit->log_posterior));
    for (size_t item = 0; item < fit->item_count; item++) {
        const struct irt_item_estimate *estimate = &fit->items[item];
        assert_true(isfinite(estimate->difficulty) && isfinite(estimate->discrimination));
        assert_true(estimate->difficulty_se > 0 && isfinite(estimate->difficulty_se));
        assert_true(estimate->discrimination_se > 0 && isfinite(estimate->discrimination_se));
        assert_true(estimate->discrimination > 0);
    }
    for (size_t subject = 0; subject < fit->subject_count; subject++) {
        assert_true(isfinite(fit->subjects[subject].ability));
        assert_true(fit->subjects[subject].ability_sd > 0 &&
                    isfinite(fit->subjects[subject].ability_sd));
    }
}

/* Items everyone passes or fails, and a subject who passes everything,
 * would have infinite maximum-likelihood estimates; the priors keep them
 * finite and in the right order. */
static void perfect_items_and_subjects_stay_finite(void **state)
{
    struct irt_responses_builder *builder;
    assert_int_equal(irt_responses_builder_create(&builder), ASSAY_OK);
    struct stats_random random;
    stats_random_seed(&random, 7);
    size_t index;
    char name[32];
    for (int subject = 0; subject < 60; subject++) {
        snprintf(name, sizeof name, "s%d", subject);
        assert_int_equal(irt_responses_builder_add_subject(builder, name, &index, NULL), ASSAY_OK);
    }
    for (int item = 0; item < 12; item++) {
        snprintf(name, sizeof name, "i%d", item);
        assert_int_equal(irt_responses_builder_add_item(builder, name, &index, NULL), ASSAY_OK);
    }
    for (size_t subject = 0; subject < 60; subject++)
        for (size_t item = 0; item < 12; item++) {
            int value;
            if (item == 0 || subject == 59)
                value = 1; /* i0: everyone passes; s59 passes everything */
            else if (item == 1)
                value = 0; /* i1: everyone fails (s59 aside) */
            else
                value = stats_random_uniform(&random) <
                        1 / (1 + exp(-((double)subject / 20 - 1.5 - ((double)item - 6) / 4)));
            assert_int_equal(irt_responses_builder_add_response(builder, subject, item, value),
                             ASSAY_OK);
        }
    struct irt_responses *responses;
    assert_int_equal(irt_responses_builder_finish(builder, &responses, NULL), ASSAY_OK);
    irt_responses_builder_free(builder);
    struct irt_fit *fit;
    struct assay_error error = {0};
    assert_int_equal(irt_fit_estimate(responses, NULL, &fit, &error), ASSAY_OK);
    assert_true(fit->converged);
    assert_fit_is_finite(fit);
    for (size_t item = 2; item < 12; item++) {
        assert_true(fit->items[0].difficulty < fit->items[item].difficulty);
        assert_true(fit->items[1].difficulty > fit->items[item].difficulty);
    }
    for (size_t subject = 0; subject < 59; subject++)
        assert_true(fit->subjects[59].ability > fit->subjects[subject].ability);
    assert_near(fit->items[0].proportion_correct, 1.0, 0);
    irt_fit_free(fit);
    irt_responses_free(responses);
}

/* A handful of subjects cannot fix a scale; the fit must still converge to
 * finite, sane values (one subject with 2,000 items once drove b to -3e8
 * before the rescaling got its pseudo-subjects). */
static void few_subjects_and_guttman_patterns_stay_finite(void **state)
{
    static const size_t shapes[][2] = {{1, 2000}, {3, 1000}, {2, 3}, {30, 30}};
    for (size_t shape = 0; shape < 4; shape++) {
        size_t subjects = shapes[shape][0], items = shapes[shape][1];
        struct irt_responses_builder *builder;
        assert_int_equal(irt_responses_builder_create(&builder), ASSAY_OK);
        char name[32];
        size_t index;
        for (size_t subject = 0; subject < subjects; subject++) {
            snprintf(name, sizeof name, "s%zu", subject);
            assert_int_equal(irt_responses_builder_add_subject(builder, name, &index, NULL),
                             ASSAY_OK);
        }
        for (size_t item = 0; item < items; item++) {
            snprintf(name, sizeof name, "i%zu", item);
            assert_int_equal(irt_responses_builder_add_item(builder, name, &index, NULL), ASSAY_OK);
        }
        for (size_t subject = 0; subject < subjects; subject++)
            for (size_t item = 0; item < items; item++) {
                /* 30 x 30 is a perfect Guttman pattern (subject s passes
                 * items below s); the others a fixed 2-in-5 mix. */
                int value = shape == 3 ? subject > item : (subject * 7 + item * 3) % 5 < 2;
                assert_int_equal(irt_responses_builder_add_response(builder, subject, item, value),
                                 ASSAY_OK);
            }
        struct irt_responses *responses;
        assert_int_equal(irt_responses_builder_finish(builder, &responses, NULL), ASSAY_OK);
        irt_responses_builder_free(builder);
        struct irt_fit *fit;
        assert_int_equal(irt_fit_estimate(responses, NULL, &fit, NULL), ASSAY_OK);
        assert_true(fit->converged);
        assert_fit_is_finite(fit);
        for (size_t item = 0; item < items; item++) {
            assert_true(fabs(fit->items[item].difficulty) < 20);
            assert_true(fit->items[item].discrimination > 0.05 &&
                        fit->items[item].discrimination < 20);
        }
        irt_fit_free(fit);
        irt_responses_free(responses);
    }
}

static void fit_rejects_bad_options(void **state)
{
    double discrimination[2] = {1, 1}, difficulty[2] = {0, 1}, ability[2] = {0, 1};
    struct irt_responses *responses;
    assert_int_equal(
        irt_responses_simulate(discrimination, difficulty, 2, ability, 2, 1.0, 1, &responses),
        ASSAY_OK);
    struct irt_options options;
    struct irt_fit *fit = NULL;
    struct assay_error error = {0};
    irt_options_default(&options);
    options.quadrature_nodes = 3;
    assert_int_equal(irt_fit_estimate(responses, &options, &fit, &error), ASSAY_ERR_INVALID);
    assert_null(fit);
    assert_non_null(strstr(error.message, "quadrature nodes"));
    irt_options_default(&options);
    options.difficulty_sd = 0;
    assert_int_equal(irt_fit_estimate(responses, &options, &fit, &error), ASSAY_ERR_INVALID);
    irt_options_default(&options);
    options.tolerance = NAN;
    assert_int_equal(irt_fit_estimate(responses, &options, &fit, &error), ASSAY_ERR_INVALID);
    irt_responses_free(responses);
}

/* Every response simulated (rate 1) on evenly spaced parameters: item i
 * has discrimination first + i / discrimination_divisor and difficulty
 * i / difficulty_divisor - difficulty_shift; subject s has ability
 * s / ability_divisor - 2. */
static struct irt_responses *simulate_ladder(size_t items, double first,
                                             double discrimination_divisor,
                                             double difficulty_divisor, double difficulty_shift,
                                             size_t subjects, double ability_divisor, uint64_t seed)
{
    enum { MOST_ITEMS = 30, MOST_SUBJECTS = 200 };
    double discrimination[MOST_ITEMS], difficulty[MOST_ITEMS], ability[MOST_SUBJECTS];
    assert_true(items <= MOST_ITEMS && subjects <= MOST_SUBJECTS);
    for (size_t item = 0; item < items; item++) {
        discrimination[item] = first + item / discrimination_divisor;
        difficulty[item] = item / difficulty_divisor - difficulty_shift;
    }
    for (size_t subject = 0; subject < subjects; subject++)
        ability[subject] = subject / ability_divisor - 2.0;
    struct irt_responses *responses;
    assert_int_equal(irt_responses_simulate(discrimination, difficulty, items, ability, subjects,
                                            1.0, seed, &responses),
                     ASSAY_OK);
    return responses;
}

/* Stopped early, a fit says so: not an error, but flagged items. */
static void reports_items_that_did_not_converge(void **state)
{
    struct irt_responses *responses = simulate_ladder(30, 0.5, 20.0, 10.0, 1.5, 200, 50.0, 8);
    struct irt_options options;
    irt_options_default(&options);
    options.max_iterations = 2;
    struct irt_fit *fit;
    assert_int_equal(irt_fit_estimate(responses, &options, &fit, NULL), ASSAY_OK);
    assert_false(fit->converged);
    assert_int_equal(fit->iterations, 2);
    assert_true(fit->nonconverged_items > 0);
    assert_true(fit->last_change >= options.tolerance);
    assert_fit_is_finite(fit);
    struct buffer out = {0};
    assert_int_equal(irt_fit_format(fit, STATS_FORMAT_TABLE, &out), ASSAY_OK);
    assert_non_null(strstr(out.data, "NOT converged"));
    buffer_reset(&out);
    assert_int_equal(irt_fit_format(fit, STATS_FORMAT_JSON, &out), ASSAY_OK);
    assert_non_null(strstr(out.data, "\"converged\":false"));
    assert_null(strstr(out.data, "\"nonconverged_items\":[]"));
    buffer_free(&out);
    irt_fit_free(fit);
    irt_responses_free(responses);
}

struct progress_record {
    size_t calls;
    size_t last_iteration;
    double last_change;
};

static void record_progress(void *context, size_t iteration, double change)
{
    struct progress_record *record = context;
    record->calls++;
    assert_int_equal(iteration, record->calls); /* one call per iteration, in order */
    record->last_iteration = iteration;
    record->last_change = change;
}

/* The progress callback sees every EM iteration, and the fit's own count
 * and last change agree with what it saw. */
static void progress_is_reported_every_iteration(void **state)
{
    struct irt_responses *responses = simulate_ladder(20, 0.8, 40.0, 8.0, 1.2, 100, 25.0, 3);
    for (size_t limit = 3; limit <= 1000; limit += 997) {
        struct irt_options options;
        irt_options_default(&options);
        assert_null(options.progress);
        options.max_iterations = limit;
        struct progress_record record = {0};
        options.progress = record_progress;
        options.progress_context = &record;
        struct irt_fit *fit;
        assert_int_equal(irt_fit_estimate(responses, &options, &fit, NULL), ASSAY_OK);
        assert_int_equal(record.calls, fit->iterations);
        assert_true(fit->iterations <= limit);
        assert_true(record.last_change == fit->last_change);
        irt_fit_free(fit);
    }
    irt_responses_free(responses);
}

struct simulation {
    size_t subjects;
    size_t items;
    double *discrimination;
    double *difficulty;
    double *ability;
};

/* True parameters: θ ~ N(0, 1), b ~ N(0, 1), log a ~ N(0, 0.3²). */
static void simulation_draw(struct simulation *simulation, size_t subjects, size_t items,
                            uint64_t seed)
{
    simulation->subjects = subjects;
    simulation->items = items;
    simulation->discrimination = malloc(items * sizeof(double));
    simulation->difficulty = malloc(items * sizeof(double));
    simulation->ability = malloc(subjects * sizeof(double));
    assert_non_null(simulation->discrimination);
    assert_non_null(simulation->difficulty);
    assert_non_null(simulation->ability);
    struct stats_random random;
    stats_random_seed(&random, seed);
    for (size_t item = 0; item < items; item++) {
        simulation->discrimination[item] = exp(0.3 * stats_random_normal(&random));
        simulation->difficulty[item] = stats_random_normal(&random);
    }
    for (size_t subject = 0; subject < subjects; subject++)
        simulation->ability[subject] = stats_random_normal(&random);
}

static void simulation_free(struct simulation *simulation)
{
    free(simulation->discrimination);
    free(simulation->difficulty);
    free(simulation->ability);
}

struct coverage {
    size_t difficulty_hits, discrimination_hits, ability_hits;
    size_t item_intervals, subject_intervals;
};

/* Counts how many 95% intervals hold the truth. The fit fixes its scale by
 * the sample (pooled posterior mean 0, variance 1), so the truth is first
 * put on the sample's scale: θ* = (θ − m)/s, b* = (b − m)/s, a* = a·s with
 * m, s the mean and SD of the true abilities drawn. The standard errors
 * are conditional on that scale (see docs/statistics-irt.md). */
static void count_coverage(const struct simulation *simulation, const struct irt_fit *fit,
                           struct coverage *coverage)
{
    double mean = 0, variance = 0;
    for (size_t subject = 0; subject < simulation->subjects; subject++)
        mean += simulation->ability[subject] / (double)simulation->subjects;
    for (size_t subject = 0; subject < simulation->subjects; subject++)
        variance += pow(simulation->ability[subject] - mean, 2) / (double)simulation->subjects;
    double sd = sqrt(variance);
    for (size_t item = 0; item < simulation->items; item++) {
        const struct irt_item_estimate *estimate = &fit->items[item];
        double difficulty = (simulation->difficulty[item] - mean) / sd;
        double log_discrimination = log(simulation->discrimination[item] * sd);
        coverage->difficulty_hits +=
            fabs(estimate->difficulty - difficulty) < 1.96 * estimate->difficulty_se;
        coverage->discrimination_hits += fabs(log(estimate->discrimination) - log_discrimination) <
                                         1.96 * estimate->log_discrimination_se;
        coverage->item_intervals++;
    }
    for (size_t subject = 0; subject < simulation->subjects; subject++) {
        const struct irt_subject_estimate *estimate = &fit->subjects[subject];
        double ability = (simulation->ability[subject] - mean) / sd;
        coverage->ability_hits += fabs(estimate->ability - ability) < 1.96 * estimate->ability_sd;
        coverage->subject_intervals++;
    }
}

static void fit_simulation(const struct simulation *simulation, double response_rate, uint64_t seed,
                           struct irt_fit **fit)
{
    struct irt_responses *responses;
    assert_int_equal(irt_responses_simulate(simulation->discrimination, simulation->difficulty,
                                            simulation->items, simulation->ability,
                                            simulation->subjects, response_rate, seed, &responses),
                     ASSAY_OK);
    struct assay_error error = {0};
    assert_int_equal(irt_fit_estimate(responses, NULL, fit, &error), ASSAY_OK);
    assert_true((*fit)->converged);
    irt_responses_free(responses);
}

/* The recovery check: 1,000 agents × 2,000 items, dense. About 0.6 s
 * in the release build and a few seconds under the sanitizers, so it runs
 * in both. */
static void recovers_parameters_of_a_large_dense_matrix(void **state)
{
    struct simulation simulation;
    simulation_draw(&simulation, 1000, 2000, 20240601);
    struct irt_fit *fit;
    fit_simulation(&simulation, 1.0, 11, &fit);
    double *estimated_difficulty = malloc(2000 * sizeof(double));
    double *estimated_ability = malloc(1000 * sizeof(double));
    double *estimated_discrimination = malloc(2000 * sizeof(double));
    for (size_t item = 0; item < 2000; item++) {
        estimated_difficulty[item] = fit->items[item].difficulty;
        estimated_discrimination[item] = fit->items[item].discrimination;
    }
    for (size_t subject = 0; subject < 1000; subject++)
        estimated_ability[subject] = fit->subjects[subject].ability;
    double difficulty_r = correlation(estimated_difficulty, simulation.difficulty, 2000);
    double ability_r = correlation(estimated_ability, simulation.ability, 1000);
    double discrimination_r =
        correlation(estimated_discrimination, simulation.discrimination, 2000);
    print_message("recovery 1000x2000: r(b) = %.4f, r(theta) = %.4f, r(a) = %.4f, "
                  "%zu iterations, %zu nodes\n",
                  difficulty_r, ability_r, discrimination_r, fit->iterations,
                  fit->quadrature_nodes);
    assert_true(difficulty_r >= 0.95);
    assert_true(ability_r >= 0.95);
    assert_true(discrimination_r >= 0.9);
    /* The scale is the sample's: the fitted abilities have SD near 1 (a
     * too-coarse grid used to stretch it to 1.35). */
    double mean = 0, second = 0;
    for (size_t subject = 0; subject < 1000; subject++) {
        mean += estimated_ability[subject] / 1000;
        second += estimated_ability[subject] * estimated_ability[subject] / 1000;
    }
    assert_true(fabs(mean) < 0.02);
    assert_true(fabs(sqrt(second - mean * mean) - 1.0) < 0.03);
    struct coverage coverage = {0};
    count_coverage(&simulation, fit, &coverage);
    double difficulty_coverage = (double)coverage.difficulty_hits / (double)coverage.item_intervals;
    print_message("coverage 1000x2000: b %.4f, log a %.4f, theta %.4f\n", difficulty_coverage,
                  (double)coverage.discrimination_hits / (double)coverage.item_intervals,
                  (double)coverage.ability_hits / (double)coverage.subject_intervals);
    assert_true(difficulty_coverage >= 0.93 && difficulty_coverage <= 0.97);
    free(estimated_difficulty);
    free(estimated_ability);
    free(estimated_discrimination);
    irt_fit_free(fit);
    simulation_free(&simulation);
}

/* Coverage of nominal 95% intervals pooled over repeated simulations
 * (each with fresh parameters and responses, fixed seeds): item difficulty
 * and log discrimination from the standard errors, ability from EAP ± 1.96
 * posterior SD. Eight fits of 500 × 300 give 2,400 item and 4,000 subject
 * intervals, so the Monte Carlo error of each rate is about 0.4 points. */
static void intervals_cover_the_truth_about_95_percent_of_the_time(void **state)
{
    struct coverage coverage = {0};
    for (uint64_t replicate = 0; replicate < 8; replicate++) {
        struct simulation simulation;
        simulation_draw(&simulation, 500, 300, 1000 + replicate);
        struct irt_fit *fit;
        fit_simulation(&simulation, 1.0, 2000 + replicate, &fit);
        count_coverage(&simulation, fit, &coverage);
        irt_fit_free(fit);
        simulation_free(&simulation);
    }
    double difficulty = (double)coverage.difficulty_hits / (double)coverage.item_intervals;
    double discrimination = (double)coverage.discrimination_hits / (double)coverage.item_intervals;
    double ability = (double)coverage.ability_hits / (double)coverage.subject_intervals;
    print_message("coverage 8 x 500x300: b %.4f, log a %.4f, theta %.4f\n", difficulty,
                  discrimination, ability);
    assert_true(difficulty >= 0.93 && difficulty <= 0.97);
    assert_true(discrimination >= 0.93 && discrimination <= 0.97);
    assert_true(ability >= 0.93 && ability <= 0.97);
}

/* A sparse matrix (each pair observed with probability 0.3) goes through
 * the other branch of every sum (present lists instead of complements). */
static void recovers_parameters_of_a_sparse_matrix(void **state)
{
    struct simulation simulation;
    simulation_draw(&simulation, 600, 400, 99);
    struct irt_fit *fit;
    fit_simulation(&simulation, 0.3, 5, &fit);
    assert_fit_is_finite(fit);
    double *estimated = malloc(400 * sizeof(double));
    for (size_t item = 0; item < 400; item++)
        estimated[item] = fit->items[item].difficulty;
    assert_true(correlation(estimated, simulation.difficulty, 400) >= 0.95);
    struct coverage coverage = {0};
    count_coverage(&simulation, fit, &coverage);
    double rate = (double)coverage.difficulty_hits / (double)coverage.item_intervals;
    assert_true(rate >= 0.9 && rate <= 0.99);
    free(estimated);
    irt_fit_free(fit);
    simulation_free(&simulation);
}

static void fitting_is_deterministic(void **state)
{
    struct simulation simulation;
    simulation_draw(&simulation, 200, 50, 3);
    struct irt_fit *first, *second;
    fit_simulation(&simulation, 0.7, 4, &first);
    fit_simulation(&simulation, 0.7, 4, &second);
    assert_int_equal(first->iterations, second->iterations);
    assert_memory_equal(first->items, second->items, 50 * sizeof *first->items);
    assert_memory_equal(first->subjects, second->subjects, 200 * sizeof *first->subjects);
    irt_fit_free(first);
    irt_fit_free(second);
    simulation_free(&simulation);
}

/* ---- Output ------------------------------------------------------------- */

static void outputs_table_json_and_csv(void **state)
{
    struct irt_responses *responses;
    struct irt_read_report report;
    struct assay_error error;
    assert_int_equal(read_text("output.jsonl",
                               "{\"subject_id\": \"model, large\", \"responses\": {\"t\\\"1\": 1, "
                               "\"t2\": 1, \"t3\": 0}}\n"
                               "{\"subject_id\": \"small\", \"responses\": {\"t\\\"1\": 0, "
                               "\"t2\": 1, \"t3\": 0}}\n",
                               &responses, &report, &error),
                     ASSAY_OK);
    struct irt_fit *fit;
    assert_int_equal(irt_fit_estimate(responses, NULL, &fit, &error), ASSAY_OK);
    irt_responses_free(responses); /* the fit owns copies of the ids */

    struct buffer out = {0};
    assert_int_equal(irt_fit_format(fit, STATS_FORMAT_TABLE, &out), ASSAY_OK);
    assert_non_null(strstr(out.data, "2PL item response model: 2 subjects, 3 items, 6 responses"));
    assert_non_null(strstr(out.data, "model, large"));
    buffer_reset(&out);

    assert_int_equal(irt_fit_format(fit, STATS_FORMAT_JSON, &out), ASSAY_OK);
    json_error_t json_error;
    json_t *document = json_loads(out.data, JSON_REJECT_DUPLICATES, &json_error);
    assert_non_null(document);
    assert_int_equal(json_array_size(json_object_get(document, "item_estimates")), 3);
    json_t *subject = json_array_get(json_object_get(document, "subject_estimates"), 0);
    assert_string_equal(json_string_value(json_object_get(subject, "id")), "model, large");
    assert_true(json_is_real(json_object_get(subject, "ability")));
    json_t *item = json_array_get(json_object_get(document, "item_estimates"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "id")), "t\"1");
    assert_true(json_is_real(json_object_get(item, "difficulty_se")));
    json_decref(document);
    assert_null(strstr(out.data, "nan"));
    buffer_reset(&out);

    assert_int_equal(irt_fit_format(fit, STATS_FORMAT_CSV, &out), ASSAY_OK);
    size_t lines = 0;
    for (const char *cursor = out.data; *cursor != '\0'; cursor++)
        lines += *cursor == '\n';
    assert_int_equal(lines, 1 + 3 + 2);
    assert_non_null(strstr(out.data, "item,\"t\"\"1\","));
    assert_non_null(strstr(out.data, "subject,\"model, large\",,,,,"));
    assert_null(strstr(out.data, "nan"));
    buffer_free(&out);
    irt_fit_free(fit);

    enum stats_format format;
    assert_int_equal(stats_format_parse("csv", &format), ASSAY_OK);
    assert_int_equal(format, STATS_FORMAT_CSV);
    assert_int_equal(stats_format_parse("xml", &format), ASSAY_ERR_INVALID);
}

/* ---- Out of memory ------------------------------------------------------ */

/* Every allocation of reading and fitting fails in turn: each attempt must
 * either succeed or report ASSAY_ERR_NOMEM, and leak nothing. jansson is
 * given libc's allocator meanwhile: when its own allocations fail it often
 * reports a syntax error instead ("string expected"), which no caller can
 * tell from bad input, so injecting there would test jansson, not us. */
static void reading_and_fitting_survive_every_allocation_failure(void **state)
{
    json_malloc_t saved_malloc;
    json_free_t saved_free;
    json_get_alloc_funcs(&saved_malloc, &saved_free);
    json_set_alloc_funcs(malloc, free);
    const char *path = temp_file_write(
        "oom.jsonl", "{\"subject_id\": \"a\", \"responses\": {\"x\": 1, \"y\": 0}}\n"
                     "{\"subject_id\": \"b\", \"responses\": {\"x\": 0, \"z\": 1}}\n"
                     "{\"subject_id\": \"c\", \"responses\": {\"y\": 1, \"z\": 1}}\n");
    long baseline = assay_memory_live_allocations();
    int succeeded = 0;
    for (long failure = 0; failure < 400 && !succeeded; failure++) {
        struct irt_responses *responses = NULL;
        struct irt_fit *fit = NULL;
        struct assay_error error = {0};
        assay_memory_fail_after(failure);
        int status = irt_responses_read_pyirt(path, &responses, NULL, &error);
        if (status == ASSAY_OK)
            status = irt_fit_estimate(responses, NULL, &fit, &error);
        assay_memory_fail_after(-1);
        if (status == ASSAY_OK)
            succeeded = 1;
        else if (status != ASSAY_ERR_NOMEM)
            fail_msg("allocation %ld failed: status %d, \"%s\"", failure, status, error.message);
        irt_fit_free(fit);
        irt_responses_free(responses);
        assert_int_equal(assay_memory_live_allocations(), baseline);
    }
    json_set_alloc_funcs(saved_malloc, saved_free);
    assert_true(succeeded);
}

int test_group_stats_irt(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_accepts_pyirt_lines),
        cmocka_unit_test(reader_rejects_lines_that_are_not_json),
        cmocka_unit_test(reader_rejects_bad_subjects),
        cmocka_unit_test(reader_rejects_duplicate_items_and_non_binary_responses),
        cmocka_unit_test(reader_skips_and_counts_subjects_without_responses),
        cmocka_unit_test(reader_reports_a_missing_file),
        cmocka_unit_test(builder_rejects_a_repeated_response),
        cmocka_unit_test(gauss_hermite_integrates_polynomials_exactly),
        cmocka_unit_test(perfect_items_and_subjects_stay_finite),
        cmocka_unit_test(few_subjects_and_guttman_patterns_stay_finite),
        cmocka_unit_test(fit_rejects_bad_options),
        cmocka_unit_test(reports_items_that_did_not_converge),
        cmocka_unit_test(progress_is_reported_every_iteration),
        cmocka_unit_test(recovers_parameters_of_a_large_dense_matrix),
        cmocka_unit_test(intervals_cover_the_truth_about_95_percent_of_the_time),
        cmocka_unit_test(recovers_parameters_of_a_sparse_matrix),
        cmocka_unit_test(fitting_is_deterministic),
        cmocka_unit_test(outputs_table_json_and_csv),
        cmocka_unit_test(reading_and_fitting_survive_every_allocation_failure),
    };
    return cmocka_run_group_tests_name("stats_irt", tests, make_directory, temp_folder_remove);
}
