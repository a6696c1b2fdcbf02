/* command_stats.c — `assay stats`: item response theory and time horizons on
 * response files (py-irt JSONL) or on a results store's episodes
 * (report/irt_store.h). Reports on runs need the results store and say so.
 * The statistics themselves live in src/stats (docs/statistics-irt.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/buffer.h"
#include "core/memory.h"
#include <jansson.h>
#include "stats/format.h"
#include "stats/horizon.h"
#include "stats/intervals.h"
#include "stats/paired.h"
#include "stats/irt.h"
#include "report/irt_store.h"
#include "report/compare.h"
#include "report/summary.h"
#include "store/store.h"

#include <math.h>

static const char usage[] =
    "usage: assay stats irt INPUT [--run ID] [--format table|json|csv] [--iterations N]\n"
    "                           [--nodes N]\n"
    "       assay stats horizon INPUT --human-minutes FILE [--run ID] [--format table|json|csv]\n"
    "                           [--exclude TEXT] [--anchor] [--replicates N] [--seed S]\n"
    "                           [--skip-nonpositive]\n"
    "       assay stats report RUN_ID [--db PATH] [--format table|json|csv] [--episodes]\n"
    "       assay stats compare RUN_ID --agents A,B [--db PATH] [--format table|json]\n"
    "\n"
    "irt      fits a 2PL model by marginal maximum likelihood (EM, Gauss-Hermite quadrature,\n"
    "         weak priors) to INPUT and prints item difficulty and discrimination with standard\n"
    "         errors, subject ability (EAP) with posterior SD, and fit diagnostics. INPUT is a\n"
    "         py-irt JSONL file ({\"subject_id\", \"responses\": {item: 0|1}}) or a results store\n"
    "         (an SQLite file such as assay.db, or sqlite:PATH): agents are the subjects, task\n"
    "         ids the items, an episode's pass the response, over every run or only --run ID.\n"
    "         Infrastructure errors are skipped; several scored trials of one task count as\n"
    "         one response, passed when more than half passed (a tie counts as failed).\n"
    "horizon  the METR-style 50%% time horizon of each subject (INPUT as for irt, store or\n"
    "         py-irt file): logistic regression of success on log2 human minutes (FILE: JSONL\n"
    "         {\"task_id\", \"human_minutes\"}), with a hierarchical bootstrap interval.\n"
    "         --exclude skips items whose id contains TEXT; --anchor adds the BRIDGE-style\n"
    "         anchoring (log minutes regressed on IRT difficulty: R^2, and a horizon from\n"
    "         each subject's ability).\n"
    "report   a run from the results store (default assay.db): per agent the episodes, mean\n"
    "         score with a 95%% interval (and its method: Wilson, or clustered by task family\n"
    "         or by task), pass rate (Wilson), per-capability means and intervals, harmony,\n"
    "         CVaR90 of the loss, pass@k and pass^k, the composition gap, harm and\n"
    "         oversharing, errors by class (infrastructure errors apart, never scored).\n"
    "         --episodes exports every episode instead (json or csv).\n"
    "compare  A against B on the tasks both have scores for: the paired difference of their\n"
    "         per-task means with a 95%% interval (clustered by task family when tasks carry\n"
    "         families, and it says so), a plain sentence, the minimum detectable difference,\n"
    "         and wins, losses and ties per task.\n"
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

/* --run ID: a positive run id. */
static int parse_run(const char *command, const char *text, long long *out)
{
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || value < 1) {
        fprintf(stderr, "assay stats %s: --run must be a positive run id\n", command);
        return 2;
    }
    *out = value;
    return 0;
}

/* The responses of INPUT for irt and horizon: a results store (by its
 * header or a sqlite: prefix) or a py-irt file. For a store, one line on
 * stderr says what was read, skipped and folded together, so nothing is
 * dropped silently; stdout stays the analysis alone. Returns 0, or 1 after
 * printing why not, or 2 for --run on a py-irt file. */
static int read_responses(const char *command, const char *input, long long run_id,
                          struct irt_responses **responses)
{
    struct assay_error error = {0};
    if (!report_irt_input_is_store(input)) {
        if (run_id != 0) {
            fprintf(stderr, "assay stats %s: --run applies to a results store, and %s is not one\n",
                    command, input);
            return 2;
        }
        if (irt_responses_read_pyirt(input, responses, NULL, &error) != 0) {
            fprintf(stderr, "assay stats %s: %s\n", command, error.message);
            return 1;
        }
        return 0;
    }
    struct report_irt_store_summary summary;
    if (report_irt_responses_from_store(input, run_id, responses, &summary, &error) != 0) {
        fprintf(stderr, "assay stats %s: %s\n", command, error.message);
        return 1;
    }
    struct buffer line = {0};
    if (report_irt_store_summary_format(&summary, &line) == 0)
        fprintf(stderr, "assay stats %s: %s: %s", command, input, line.data);
    buffer_free(&line);
    return 0;
}

static int stats_irt(int argc, char **argv)
{
    long long run_id = 0;
    enum stats_format format = STATS_FORMAT_TABLE;
    struct irt_options options;
    irt_options_default(&options);
    static const struct option long_options[] = {{"format", required_argument, NULL, 'f'},
                                                 {"iterations", required_argument, NULL, 'i'},
                                                 {"nodes", required_argument, NULL, 'n'},
                                                 {"run", required_argument, NULL, 'R'},
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
        } else if (option == 'R' && parse_run("irt", optarg, &run_id) != 0) {
            return 2;
        } else if (option == 'h') {
            fputs(usage, stdout);
            return 0;
        } else if (option == '?') {
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "assay stats irt: give one INPUT (a py-irt file or a results store; see --help)\n");
        return 2;
    }
    struct irt_responses *responses = NULL;
    int result = read_responses("irt", argv[optind], run_id, &responses);
    if (result != 0)
        return result;
    struct assay_error error = {0};
    struct irt_fit *fit = NULL;
    struct buffer out = {0};
    result = 1;
    if (irt_fit_estimate(responses, &options, &fit, &error) != 0) {
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
    long long run_id = 0;
    int anchor = 0;
    struct horizon_options options;
    horizon_options_default(&options);
    struct horizon_minutes_options minutes_options = {0};
    static const struct option long_options[] = {
        {"format", required_argument, NULL, 'f'},     {"human-minutes", required_argument, NULL, 'm'},
        {"exclude", required_argument, NULL, 'x'},    {"anchor", no_argument, NULL, 'a'},
        {"replicates", required_argument, NULL, 'r'}, {"seed", required_argument, NULL, 's'},
        {"skip-nonpositive", no_argument, NULL, 'k'}, {"run", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0}};
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
        case 'R':
            if (parse_run("horizon", optarg, &run_id) != 0)
                return 2;
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: return 2;
        }
    }
    if (optind != argc - 1 || minutes_file == NULL) {
        fprintf(stderr, "assay stats horizon: give one INPUT (a py-irt file or a results store) and "
                        "--human-minutes FILE (see --help)\n");
        return 2;
    }
    if (exclude != NULL) {
        options.include_item = horizon_exclude_containing;
        options.include_context = (void *)exclude;
    }
    struct irt_responses *responses = NULL;
    int result = read_responses("horizon", argv[optind], run_id, &responses);
    if (result != 0)
        return result;
    struct assay_error error = {0};
    struct horizon_minutes *minutes = NULL;
    struct horizon_table *table = NULL;
    struct irt_fit *fit = NULL;
    struct buffer out = {0};
    result = 1;
    if (horizon_minutes_read(minutes_file, &minutes_options, &minutes, NULL, &error) != 0 ||
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

/* The RUN_ID operand of report and compare, and the existing store it is
 * read from. 0, or the exit status to return (the reason is printed). */
static int open_run(const char *command, int argc, char **argv, const char *db, long long *run_id,
                    struct store **store)
{
    char *end = NULL;
    *run_id = optind == argc - 1 ? strtoll(argv[optind], &end, 10) : 0;
    if (*run_id < 1 || *end != '\0') {
        fprintf(stderr, "assay stats %s: give one RUN_ID (a positive number; `assay run` prints it)\n", command);
        return 2;
    }
    struct assay_error error = {0};
    if (store_open_existing(db, store, &error) != ASSAY_OK) {
        fprintf(stderr, "assay stats %s: %s\n", command, error.message);
        return 1;
    }
    return 0;
}

/* A JSON document and a newline, appended to out. */
static void append_document(struct buffer *out, const json_t *document, size_t flags)
{
    char *text = json_dumps(document, flags);
    buffer_append_format(out, "%s\n", text != NULL ? text : "{}");
    free(text);
}

/* The run's row as a small JSON object for the report's header. */
static int run_header(void *context, const struct store_run *run)
{
    json_t **out = context;
    *out = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "id", (json_int_t)run->id, "scenario",
                     run->scenario_name != NULL ? run->scenario_name : "", "mode", run->mode != NULL ? run->mode : "",
                     "status", store_run_status_name(run->status), "started_at_ms", (json_int_t)run->started_at_ms,
                     "finished_at_ms", (json_int_t)run->finished_at_ms);
    return 0;
}

static int stats_report(int argc, char **argv)
{
    enum stats_format format = STATS_FORMAT_TABLE;
    const char *db = NULL;
    int episodes_only = 0;
    static const struct option long_options[] = {{"format", required_argument, NULL, 'f'},
                                                 {"db", required_argument, NULL, 'd'},
                                                 {"episodes", no_argument, NULL, 'e'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "f:d:eh", long_options, NULL)) != -1) {
        if (option == 'f' && stats_format_parse(optarg, &format) != 0) {
            fprintf(stderr, "assay stats report: --format must be table, json or csv\n");
            return 2;
        } else if (option == 'd') {
            db = optarg;
        } else if (option == 'e') {
            episodes_only = 1;
        } else if (option == 'h') {
            fputs(usage, stdout);
            return 0;
        } else if (option == '?') {
            return 2;
        }
    }
    if (episodes_only && format == STATS_FORMAT_TABLE) {
        fprintf(stderr, "assay stats report: --episodes exports every episode as --format json or csv\n");
        return 2;
    }
    long long run_id = 0;
    struct store *store = NULL;
    int usage_status = open_run("report", argc, argv, db, &run_id, &store);
    if (usage_status != 0)
        return usage_status;
    struct assay_error error = {0};
    int result = 1, status;
    struct buffer out = {0};
    struct report_episodes episodes = {0};
    struct report_summary *summary = NULL;
    json_t *run = NULL;
    if (episodes_only) {
        status = store_export_run(store, run_id, format == STATS_FORMAT_JSON ? STORE_EXPORT_JSON : STORE_EXPORT_CSV,
                                  &out, &error);
    } else {
        status = store_run_get(store, run_id, run_header, &run, &error);
        if (status == ASSAY_OK)
            status = report_episodes_from_store(store, run_id, &episodes, &error);
        if (status == ASSAY_OK && episodes.count == 0)
            status = assay_error_set(&error, ASSAY_ERR_NOT_FOUND, "run %lld has no episodes in %s", run_id,
                                     db != NULL ? db : STORE_DEFAULT_LOCATION);
        if (status == ASSAY_OK)
            status = report_summary_build(&episodes, NULL, 0, &summary, &error);
    }
    if (status != ASSAY_OK) {
        fprintf(stderr, "assay stats report: %s\n", error.message);
    } else if (episodes_only) {
        result = write_buffer(&out);
    } else if (format == STATS_FORMAT_JSON) {
        json_t *document = report_summary_json(summary);
        json_object_set(document, "run", run);
        append_document(&out, document, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        json_decref(document);
        result = write_buffer(&out);
    } else if (format == STATS_FORMAT_CSV) {
        report_summary_csv(summary, &out);
        result = write_buffer(&out);
    } else {
        buffer_append_format(&out, "run %lld (%s, %s) in %s: %zu episodes of %zu tasks\n\n", run_id,
                             json_string_value(json_object_get(run, "scenario")),
                             json_string_value(json_object_get(run, "status")),
                             db != NULL ? db : STORE_DEFAULT_LOCATION, summary->episodes, summary->tasks);
        report_summary_text(summary, &out);
        result = write_buffer(&out);
    }
    json_decref(run);
    report_summary_free(summary);
    report_episodes_free(&episodes);
    buffer_free(&out);
    store_close(store);
    return result;
}

static int stats_compare(int argc, char **argv)
{
    enum stats_format format = STATS_FORMAT_TABLE;
    const char *db = NULL, *agents = NULL;
    static const struct option long_options[] = {{"format", required_argument, NULL, 'f'},
                                                 {"db", required_argument, NULL, 'd'},
                                                 {"agents", required_argument, NULL, 'a'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "f:d:a:h", long_options, NULL)) != -1) {
        if (option == 'f' && (stats_format_parse(optarg, &format) != 0 || format == STATS_FORMAT_CSV)) {
            fprintf(stderr, "assay stats compare: --format must be table or json\n");
            return 2;
        } else if (option == 'd') {
            db = optarg;
        } else if (option == 'a') {
            agents = optarg;
        } else if (option == 'h') {
            fputs(usage, stdout);
            return 0;
        } else if (option == '?') {
            return 2;
        }
    }
    const char *comma = agents != NULL ? strchr(agents, ',') : NULL;
    if (comma == NULL || comma == agents || comma[1] == '\0') {
        fprintf(stderr, "assay stats compare: give RUN_ID and --agents A,B (see --help)\n");
        return 2;
    }
    char names[2][128];
    snprintf(names[0], sizeof names[0], "%.*s", (int)(comma - agents), agents);
    snprintf(names[1], sizeof names[1], "%s", comma + 1);
    long long run_id = 0;
    struct store *store = NULL;
    int usage_status = open_run("compare", argc, argv, db, &run_id, &store);
    if (usage_status != 0)
        return usage_status;
    struct assay_error error = {0};
    struct report_episodes episodes = {0};
    struct report_comparison comparison = {0};
    int result = 1;
    if (report_episodes_from_store(store, run_id, &episodes, &error) != ASSAY_OK ||
        report_compare(&episodes, names[0], names[1], &comparison, &error) != ASSAY_OK) {
        fprintf(stderr, "assay stats compare: run %lld: %s\n", run_id, error.message);
    } else {
        const struct stats_paired *paired = &comparison.paired;
        struct buffer out = {0};
        if (format == STATS_FORMAT_JSON) {
            json_t *document = report_comparison_json(&comparison, run_id, names[0], names[1], 0);
            append_document(&out, document, JSON_INDENT(2));
            json_decref(document);
        } else {
            buffer_append_format(&out,
                                 "%s\n\n%zu shared tasks: %s wins %zu, loses %zu, ties %zu\n"
                                 "difference %+.1f points, standard error %.1f (%s), 95%% CI [%.1f, %.1f]\n"
                                 "minimum detectable difference with these tasks: %.1f points (80%% power, 5%% level)\n",
                                 comparison.sentence, paired->tasks, names[0], comparison.wins, comparison.losses,
                                 comparison.ties, 100 * paired->difference, 100 * paired->standard_error,
                                 paired->clustered ? "clustered by task family" : "paired, per task",
                                 100 * paired->low, 100 * paired->high, 100 * paired->minimum_detectable);
        }
        result = write_buffer(&out);
        buffer_free(&out);
    }
    report_comparison_release(&comparison);
    report_episodes_free(&episodes);
    store_close(store);
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
    if (strcmp(argv[1], "report") == 0)
        return stats_report(argc - 1, argv + 1);
    if (strcmp(argv[1], "compare") == 0)
        return stats_compare(argc - 1, argv + 1);
    fprintf(stderr, "assay stats: unknown analysis '%s' (irt, horizon, report, compare)\n", argv[1]);
    return 2;
}
