/* command_stats.c — `assay stats`: item response theory and time horizons on
 * response files (py-irt JSONL). Reports on runs need the results store and
 * say so. The statistics themselves live in src/stats (docs/statistics-irt.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/buffer.h"
#include "stats/format.h"
#include "stats/horizon.h"
#include "stats/irt.h"

static const char usage[] =
    "usage: assay stats irt INPUT [--format table|json|csv] [--iterations N] [--nodes N]\n"
    "       assay stats horizon INPUT --human-minutes FILE [--format table|json|csv]\n"
    "                           [--exclude TEXT] [--anchor] [--replicates N] [--seed S]\n"
    "                           [--skip-nonpositive]\n"
    "       assay stats report RUN_ID | compare RUN_ID --agents A,B   (need the results store)\n"
    "\n"
    "irt      fits a 2PL model by marginal maximum likelihood (EM, Gauss-Hermite quadrature,\n"
    "         weak priors) to INPUT, a py-irt JSONL file ({\"subject_id\", \"responses\": {item: 0|1}}),\n"
    "         and prints item difficulty and discrimination with standard errors, subject\n"
    "         ability (EAP) with posterior SD, and fit diagnostics.\n"
    "horizon  the METR-style 50%% time horizon of each subject: logistic regression of success\n"
    "         on log2 human minutes (FILE: JSONL {\"task_id\", \"human_minutes\"}), with a\n"
    "         hierarchical bootstrap interval. --exclude skips items whose id contains TEXT;\n"
    "         --anchor adds the BRIDGE-style anchoring (log minutes regressed on IRT\n"
    "         difficulty: R^2, and a horizon from each subject's ability).\n"
    "See docs/statistics-irt.md for the models and the treatment of bad input.\n";

static int parse_count(const char *text, const char *name, size_t *out)
{
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    if (*end != '\0' || value < 0) {
        fprintf(stderr, "assay stats: --%s must be a non-negative integer\n", name);
        return 2;
    }
    *out = (size_t)value;
    return 0;
}

static int write_buffer(const struct buffer *out)
{
    if (out->length > 0 && fwrite(out->data, 1, out->length, stdout) != out->length)
        return 1;
    return 0;
}

static int stats_irt(int argc, char **argv)
{
    enum stats_format format = STATS_FORMAT_TABLE;
    struct irt_options options;
    irt_options_default(&options);
    static const struct option long_options[] = {{"format", required_argument, NULL, 'f'},
                                                 {"iterations", required_argument, NULL, 'i'},
                                                 {"nodes", required_argument, NULL, 'n'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "f:i:n:h", long_options, NULL)) != -1) {
        if (option == 'f' && stats_format_parse(optarg, &format) != 0) {
            fprintf(stderr, "assay stats irt: --format must be table, json or csv\n");
            return 2;
        } else if (option == 'i' && parse_count(optarg, "iterations", &options.max_iterations) != 0) {
            return 2;
        } else if (option == 'n' && parse_count(optarg, "nodes", &options.quadrature_nodes) != 0) {
            return 2;
        } else if (option == 'h') {
            fputs(usage, stdout);
            return 0;
        } else if (option == '?') {
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "assay stats irt: give one INPUT file (see --help)\n");
        return 2;
    }
    struct assay_error error = {0};
    struct irt_responses *responses = NULL;
    struct irt_fit *fit = NULL;
    struct buffer out = {0};
    int result = 1;
    if (irt_responses_read_pyirt(argv[optind], &responses, NULL, &error) != 0 ||
        irt_fit_estimate(responses, &options, &fit, &error) != 0) {
        fprintf(stderr, "assay stats irt: %s\n", error.message);
    } else if (irt_fit_format(fit, format, &out) == 0) {
        result = write_buffer(&out);
    }
    buffer_free(&out);
    irt_fit_free(fit);
    irt_responses_free(responses);
    return result;
}

static int stats_horizon(int argc, char **argv)
{
    enum stats_format format = STATS_FORMAT_TABLE;
    const char *minutes_file = NULL, *exclude = NULL;
    int anchor = 0;
    struct horizon_options options;
    horizon_options_default(&options);
    struct horizon_minutes_options minutes_options = {0};
    static const struct option long_options[] = {
        {"format", required_argument, NULL, 'f'},     {"human-minutes", required_argument, NULL, 'm'},
        {"exclude", required_argument, NULL, 'x'},    {"anchor", no_argument, NULL, 'a'},
        {"replicates", required_argument, NULL, 'r'}, {"seed", required_argument, NULL, 's'},
        {"skip-nonpositive", no_argument, NULL, 'k'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 1;
    int option;
    size_t seed = 1;
    while ((option = getopt_long(argc, argv, "f:m:x:ar:s:kh", long_options, NULL)) != -1) {
        switch (option) {
        case 'f':
            if (stats_format_parse(optarg, &format) != 0) {
                fprintf(stderr, "assay stats horizon: --format must be table, json or csv\n");
                return 2;
            }
            break;
        case 'm': minutes_file = optarg; break;
        case 'x': exclude = optarg; break;
        case 'a': anchor = 1; break;
        case 'r':
            if (parse_count(optarg, "replicates", &options.bootstrap_replicates) != 0)
                return 2;
            break;
        case 's':
            if (parse_count(optarg, "seed", &seed) != 0)
                return 2;
            options.seed = seed;
            break;
        case 'k': minutes_options.skip_nonpositive = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return 2;
        }
    }
    if (optind != argc - 1 || minutes_file == NULL) {
        fprintf(stderr, "assay stats horizon: give one INPUT file and --human-minutes FILE (see --help)\n");
        return 2;
    }
    if (exclude != NULL) {
        options.include_item = horizon_exclude_containing;
        options.include_context = (void *)exclude;
    }
    struct assay_error error = {0};
    struct irt_responses *responses = NULL;
    struct horizon_minutes *minutes = NULL;
    struct horizon_table *table = NULL;
    struct irt_fit *fit = NULL;
    struct buffer out = {0};
    int result = 1;
    if (irt_responses_read_pyirt(argv[optind], &responses, NULL, &error) != 0 ||
        horizon_minutes_read(minutes_file, &minutes_options, &minutes, NULL, &error) != 0 ||
        horizon_table_estimate(responses, minutes, &options, &table, &error) != 0) {
        fprintf(stderr, "assay stats horizon: %s\n", error.message);
        goto done;
    }
    if (anchor) {
        struct irt_options irt;
        irt_options_default(&irt);
        struct horizon_anchor line;
        if (irt_fit_estimate(responses, &irt, &fit, &error) != 0 ||
            horizon_anchor_fit(fit, minutes, options.include_item, options.include_context, &line, &error) != 0) {
            fprintf(stderr, "assay stats horizon: anchoring: %s\n", error.message);
            goto done;
        }
        horizon_table_add_anchor(table, fit, &line);
        if (format == STATS_FORMAT_TABLE)
            buffer_append_format(&out,
                                 "anchoring: ln(human minutes) = %.3f + %.3f x difficulty over %zu timed items, "
                                 "R^2 %.3f\n\n",
                                 line.intercept, line.slope, line.item_count, line.r_squared);
    }
    if (horizon_table_format(table, format, &out) == 0)
        result = write_buffer(&out);
done:
    buffer_free(&out);
    irt_fit_free(fit);
    horizon_table_free(table);
    horizon_minutes_free(minutes);
    irt_responses_free(responses);
    return result;
}

int command_stats(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "irt") == 0)
        return stats_irt(argc - 1, argv + 1);
    if (strcmp(argv[1], "horizon") == 0)
        return stats_horizon(argc - 1, argv + 1);
    if (strcmp(argv[1], "report") == 0 || strcmp(argv[1], "compare") == 0) {
        fprintf(stderr, "assay stats %s: not yet available: it reads runs from the results store, which "
                        "arrives with `assay run`\n", argv[1]);
        return 2;
    }
    fprintf(stderr, "assay stats: unknown analysis '%s' (irt, horizon, report, compare)\n", argv[1]);
    return 2;
}
