/* irt_driver.c — times assay's 2PL fit for bench/irt.sh (built there from
 * build/libassay.a; not part of the assay binary).
 *
 *   irt_driver fit RESPONSES.jsonl [ESTIMATES.csv] [--iterations N] [--repeat R]
 *       read a py-irt file and fit it; optionally write the estimates (CSV)
 *   irt_driver simulate SUBJECTS ITEMS SEED [--iterations N] [--repeat R]
 *       draw a dense matrix in memory (θ, b ~ N(0,1), log a ~ N(0, 0.3²))
 *       and fit it
 *   irt_driver write SUBJECTS ITEMS SEED RESPONSES.jsonl
 *       draw the same kind of matrix and write it as py-irt JSONL
 *
 * --iterations N stops the EM after N iterations (irt_options
 * max_iterations; default 1000, i.e. to convergence), as
 * bench/irt_reference.py --iterations does. --repeat R fits R times and
 * reports the fastest (the machine is shared; the minimum is the least
 * disturbed). assay_iteration_seconds is one EM iteration alone, without the
 * fixed costs around the loop (setup, final E-step, abilities, standard
 * errors): the mean time between the fit's progress callbacks over
 * iterations 2..N, as bench/irt_reference.py measures its own (the first
 * iteration starts from the initial values and may differ).
 *
 * Results go to stdout as key=value lines for the script to pick up. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/memory.h"
#include "core/status.h"
#include "stats/irt.h"
#include "stats/random.h"

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

static int simulate(size_t subjects, size_t items, uint64_t seed, struct irt_responses **responses)
{
    double *discrimination = malloc(items * sizeof(double));
    double *difficulty = malloc(items * sizeof(double));
    double *ability = malloc(subjects * sizeof(double));
    if (discrimination == NULL || difficulty == NULL || ability == NULL)
        return ASSAY_ERR_NOMEM;
    struct stats_random random;
    stats_random_seed(&random, seed);
    for (size_t item = 0; item < items; item++) {
        discrimination[item] = exp(0.3 * stats_random_normal(&random));
        difficulty[item] = stats_random_normal(&random);
    }
    for (size_t subject = 0; subject < subjects; subject++)
        ability[subject] = stats_random_normal(&random);
    int status = irt_responses_simulate(discrimination, difficulty, items, ability, subjects, 1.0,
                                        seed + 1, responses);
    free(discrimination);
    free(difficulty);
    free(ability);
    return status;
}

struct fit_settings {
    size_t iterations; /* max_iterations */
    size_t repeat;     /* fits timed; the fastest is reported */
};

/* When the first and the latest EM iteration ended (progress callback). */
struct iteration_clock {
    double first;
    double latest;
    size_t count;
};

static void note_iteration(void *context, size_t iteration, double change)
{
    (void)iteration;
    (void)change;
    struct iteration_clock *clock = context;
    clock->latest = seconds_now();
    if (clock->count++ == 0)
        clock->first = clock->latest;
}

/* Fits `repeat` times with at most `iterations` EM iterations; *seconds is
 * the fastest fit, *per_iteration the fastest mean iteration after the first
 * (NAN with a single iteration), *kept the last fit (the others are freed). */
static int timed_fit(const struct irt_responses *responses, size_t iterations, size_t repeat,
                     double *seconds, double *per_iteration, struct irt_fit **kept)
{
    struct irt_options options;
    irt_options_default(&options);
    options.max_iterations = iterations;
    options.progress = note_iteration;
    *seconds = INFINITY;
    *per_iteration = NAN;
    *kept = NULL;
    for (size_t round = 0; round < repeat; round++) {
        struct assay_error error = {0};
        struct irt_fit *fit;
        struct iteration_clock clock = {0};
        options.progress_context = &clock;
        double started = seconds_now();
        int status = irt_fit_estimate(responses, &options, &fit, &error);
        double finished = seconds_now();
        if (status != ASSAY_OK) {
            fprintf(stderr, "irt_driver: %s\n", error.message);
            irt_fit_free(*kept);
            *kept = NULL;
            return status;
        }
        if (finished - started < *seconds)
            *seconds = finished - started;
        if (clock.count > 1) {
            double mean = (clock.latest - clock.first) / (double)(clock.count - 1);
            if (!(mean >= *per_iteration))
                *per_iteration = mean;
        }
        irt_fit_free(*kept);
        *kept = fit;
    }
    return ASSAY_OK;
}

static int fit_and_report(const struct irt_responses *responses, const char *estimates_path,
                          const struct fit_settings *settings)
{
    struct irt_fit *fit;
    double seconds, per_iteration;
    int status = timed_fit(responses, settings->iterations, settings->repeat, &seconds,
                           &per_iteration, &fit);
    if (status != ASSAY_OK)
        return 1;
    printf("assay_fit_seconds=%.6f\niterations=%zu\nnodes=%zu\nconverged=%d\n"
           "log_likelihood=%.6f\n",
           seconds, fit->iterations, fit->quadrature_nodes, fit->converged, fit->log_likelihood);
    if (!isnan(per_iteration))
        printf("assay_iteration_seconds=%.6f\n", per_iteration);
    if (estimates_path != NULL) {
        FILE *stream = fopen(estimates_path, "w");
        if (stream == NULL || irt_fit_write(fit, STATS_FORMAT_CSV, stream) != ASSAY_OK) {
            fprintf(stderr, "irt_driver: cannot write %s\n", estimates_path);
            status = ASSAY_ERR_IO;
        }
        if (stream != NULL)
            fclose(stream);
    }
    irt_fit_free(fit);
    return status == ASSAY_OK ? 0 : 1;
}

static int write_jsonl(const struct irt_responses *responses, const char *path)
{
    FILE *stream = fopen(path, "w");
    if (stream == NULL)
        return 1;
    for (size_t subject = 0; subject < irt_responses_subject_count(responses); subject++) {
        const uint32_t *halves[2];
        size_t counts[2];
        irt_responses_subject_items(responses, subject, &halves[0], &counts[0], &halves[1],
                                    &counts[1]);
        fprintf(stream, "{\"subject_id\": \"%s\", \"responses\": {",
                irt_responses_subject_id(responses, subject));
        int first = 1;
        for (int half = 0; half < 2; half++)
            for (size_t index = 0; index < counts[half]; index++, first = 0)
                fprintf(stream, "%s\"%s\": %d", first ? "" : ", ",
                        irt_responses_item_id(responses, halves[half][index]), half == 0);
        fprintf(stream, "}}\n");
    }
    return fclose(stream) == 0 ? 0 : 1;
}

/* Takes --iterations N and --repeat R out of argv (they may come anywhere
 * after the mode); 0, or 2 for a bad value. */
static int parse_settings(int *argc, char **argv, struct fit_settings *settings)
{
    settings->iterations = 1000;
    settings->repeat = 1;
    int kept = 0;
    for (int index = 0; index < *argc; index++) {
        int is_iterations = strcmp(argv[index], "--iterations") == 0;
        if (is_iterations || strcmp(argv[index], "--repeat") == 0) {
            char *end = NULL;
            long long value = index + 1 < *argc ? strtoll(argv[index + 1], &end, 10) : 0;
            if (end == NULL || *end != '\0' || value < 1) {
                fprintf(stderr, "irt_driver: %s needs a positive number\n", argv[index]);
                return 2;
            }
            *(is_iterations ? &settings->iterations : &settings->repeat) = (size_t)value;
            index++;
            continue;
        }
        argv[kept++] = argv[index];
    }
    *argc = kept;
    return 0;
}

int main(int argc, char **argv)
{
    /* As the assay binary does: jansson allocates through the wrapper. */
    json_set_alloc_funcs(assay_malloc, assay_free);
    struct fit_settings settings;
    if (parse_settings(&argc, argv, &settings) != 0)
        return 2;
    if (argc >= 3 && strcmp(argv[1], "fit") == 0) {
        struct assay_error error = {0};
        struct irt_responses *responses;
        double started = seconds_now();
        if (irt_responses_read_pyirt(argv[2], &responses, NULL, &error) != ASSAY_OK) {
            fprintf(stderr, "irt_driver: %s\n", error.message);
            return 1;
        }
        printf("assay_read_seconds=%.6f\nresponses=%zu\n", seconds_now() - started,
               irt_responses_response_count(responses));
        int result = fit_and_report(responses, argc >= 4 ? argv[3] : NULL, &settings);
        irt_responses_free(responses);
        return result;
    }
    if (argc >= 5 && (strcmp(argv[1], "simulate") == 0 || strcmp(argv[1], "write") == 0)) {
        size_t subjects = strtoull(argv[2], NULL, 10), items = strtoull(argv[3], NULL, 10);
        uint64_t seed = strtoull(argv[4], NULL, 10);
        struct irt_responses *responses;
        double started = seconds_now();
        if (simulate(subjects, items, seed, &responses) != ASSAY_OK) {
            fprintf(stderr, "irt_driver: cannot simulate\n");
            return 1;
        }
        printf("simulate_seconds=%.6f\nresponses=%zu\n", seconds_now() - started,
               irt_responses_response_count(responses));
        int result = strcmp(argv[1], "write") == 0
                         ? (argc >= 6 ? write_jsonl(responses, argv[5]) : 2)
                         : fit_and_report(responses, NULL, &settings);
        irt_responses_free(responses);
        return result;
    }
    fprintf(stderr, "usage: irt_driver fit RESPONSES.jsonl [ESTIMATES.csv] [--iterations N] "
                    "[--repeat R]\n"
                    "       irt_driver simulate SUBJECTS ITEMS SEED [--iterations N] [--repeat R]\n"
                    "       irt_driver write SUBJECTS ITEMS SEED RESPONSES.jsonl\n");
    return 2;
}
