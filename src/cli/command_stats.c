/* command_stats.c — `assay stats`: item response theory and time horizons on
 * response files (py-irt JSONL). Reports on runs need the results store and
 * say so. The statistics themselves live in src/stats (docs/statistics-irt.md). */
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
#include "store/store.h"

#include <math.h>

static const char usage[] =
    "usage: assay stats irt INPUT [--format table|json|csv] [--iterations N] [--nodes N]\n"
    "       assay stats horizon INPUT --human-minutes FILE [--format table|json|csv]\n"
    "                           [--exclude TEXT] [--anchor] [--replicates N] [--seed S]\n"
    "                           [--skip-nonpositive]\n"
    "       assay stats report RUN_ID [--db PATH] [--format table|json|csv]\n"
    "       assay stats compare RUN_ID --agents A,B [--db PATH] [--format table|json]\n"
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
    "report   a run from the results store (default assay.db): per agent the episodes, mean\n"
    "         score, pass rate with a 95%% Wilson interval, errors by class (infrastructure\n"
    "         errors apart, never scored); json and csv export every episode.\n"
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

struct agent_report {
    char role[64];
    size_t episodes, scored, passed, infrastructure;
    double score_sum;
    size_t by_class[STORE_ERROR_CLASS_COUNT];
};

static int stats_report(int argc, char **argv)
{
    enum stats_format format = STATS_FORMAT_TABLE;
    const char *db = NULL;
    static const struct option long_options[] = {{"format", required_argument, NULL, 'f'},
                                                 {"db", required_argument, NULL, 'd'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "f:d:h", long_options, NULL)) != -1) {
        if (option == 'f' && stats_format_parse(optarg, &format) != 0) {
            fprintf(stderr, "assay stats report: --format must be table, json or csv\n");
            return 2;
        } else if (option == 'd') {
            db = optarg;
        } else if (option == 'h') {
            fputs(usage, stdout);
            return 0;
        } else if (option == '?') {
            return 2;
        }
    }
    char *end = NULL;
    long long run_id = optind == argc - 1 ? strtoll(argv[optind], &end, 10) : 0;
    if (run_id < 1 || *end != '\0') {
        fprintf(stderr, "assay stats report: give one RUN_ID (a positive number; `assay run` prints it)\n");
        return 2;
    }
    struct assay_error error = {0};
    struct store *store = NULL;
    if (store_open(db, &store, &error) != ASSAY_OK) {
        fprintf(stderr, "assay stats report: %s\n", error.message);
        return 1;
    }
    int result = 1;
    struct buffer out = {0};
    if (format != STATS_FORMAT_TABLE) {
        if (store_export_run(store, run_id, format == STATS_FORMAT_JSON ? STORE_EXPORT_JSON : STORE_EXPORT_CSV,
                             &out, &error) == ASSAY_OK)
            result = write_buffer(&out);
        else
            fprintf(stderr, "assay stats report: %s\n", error.message);
        buffer_free(&out);
        store_close(store);
        return result;
    }
    struct agent_report agents[64];
    size_t agent_count = 0;
    struct store_episode_iterator *iterator = NULL;
    struct store_episode episode;
    int status = store_episode_iterator_open(store, run_id, NULL, &iterator, &error);
    while (status == ASSAY_OK && (status = store_episode_iterator_next(iterator, &episode, &error)) == 1) {
        status = ASSAY_OK;
        size_t index = 0;
        while (index < agent_count && strcmp(agents[index].role, episode.participant_role) != 0)
            index++;
        if (index == agent_count) {
            if (agent_count == 64)
                continue;
            memset(&agents[agent_count], 0, sizeof agents[0]);
            snprintf(agents[agent_count].role, sizeof agents[0].role, "%s", episode.participant_role);
            agent_count++;
        }
        struct agent_report *agent = &agents[index];
        agent->episodes++;
        if ((size_t)episode.error_class < STORE_ERROR_CLASS_COUNT)
            agent->by_class[episode.error_class]++;
        if (episode.status == STORE_EPISODE_ERROR || isnan(episode.score)) {
            agent->infrastructure++;
            continue;
        }
        agent->scored++;
        agent->passed += episode.passed != 0;
        agent->score_sum += episode.score;
    }
    store_episode_iterator_close(iterator);
    if (status < 0) {
        fprintf(stderr, "assay stats report: %s\n", error.message);
    } else if (agent_count == 0) {
        fprintf(stderr, "assay stats report: run %lld has no episodes in %s\n", run_id, db ? db : "assay.db");
    } else {
        buffer_append_format(&out, "run %lld: %-s\n\n%-16s %8s %11s %24s %7s\n", run_id, db ? db : "assay.db", "agent",
                             "episodes", "mean score", "pass rate [95% Wilson]", "infra");
        for (size_t index = 0; index < agent_count; index++) {
            struct agent_report *agent = &agents[index];
            double low, high, rate = agent->scored ? (double)agent->passed / (double)agent->scored : 0;
            stats_wilson_interval(agent->passed, agent->scored, 1.96, &low, &high);
            buffer_append_format(&out, "%-16s %8zu %10.1f%% %8.1f%% [%4.1f, %5.1f] %7zu\n", agent->role,
                                 agent->episodes, agent->scored ? 100 * agent->score_sum / (double)agent->scored : 0,
                                 100 * rate, 100 * low, 100 * high, agent->infrastructure);
        }
        buffer_append_string(&out, "\nerrors by class:\n");
        for (size_t index = 0; index < agent_count; index++) {
            buffer_append_format(&out, "  %-14s", agents[index].role);
            for (int error_class = 1; error_class < STORE_ERROR_CLASS_COUNT; error_class++)
                if (agents[index].by_class[error_class] > 0)
                    buffer_append_format(&out, " %s %zu (%s)", store_error_class_name((enum store_error_class)error_class),
                                         agents[index].by_class[error_class],
                                         store_error_side_name(store_error_class_side((enum store_error_class)error_class)));
            buffer_append_string(&out, "\n");
        }
        result = write_buffer(&out);
    }
    buffer_free(&out);
    store_close(store);
    return result;
}

/* Per task, one agent's mean score over its scored trials. */
struct task_scores {
    char *task;
    char *family;
    double sum[2];
    size_t count[2];
};

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
    char *end = NULL;
    long long run_id = optind == argc - 1 ? strtoll(argv[optind], &end, 10) : 0;
    const char *comma = agents != NULL ? strchr(agents, ',') : NULL;
    if (run_id < 1 || *end != '\0' || comma == NULL || comma == agents || comma[1] == '\0') {
        fprintf(stderr, "assay stats compare: give RUN_ID and --agents A,B (see --help)\n");
        return 2;
    }
    char names[2][128];
    snprintf(names[0], sizeof names[0], "%.*s", (int)(comma - agents), agents);
    snprintf(names[1], sizeof names[1], "%s", comma + 1);
    struct assay_error error = {0};
    struct store *store = NULL;
    if (store_open(db, &store, &error) != ASSAY_OK) {
        fprintf(stderr, "assay stats compare: %s\n", error.message);
        return 1;
    }
    struct task_scores *tasks = NULL;
    size_t task_count = 0, seen[2] = {0, 0};
    int status = ASSAY_OK;
    for (int side = 0; side < 2 && status == ASSAY_OK; side++) {
        struct store_episode_iterator *iterator = NULL;
        struct store_episode episode;
        status = store_episode_iterator_open(store, run_id, names[side], &iterator, &error);
        while (status == ASSAY_OK && (status = store_episode_iterator_next(iterator, &episode, &error)) == 1) {
            status = ASSAY_OK;
            seen[side]++;
            if (episode.status == STORE_EPISODE_ERROR || isnan(episode.score))
                continue; /* infrastructure errors are not scores */
            size_t index = 0;
            while (index < task_count && strcmp(tasks[index].task, episode.task_id) != 0)
                index++;
            if (index == task_count) {
                struct task_scores *grown = assay_realloc(tasks, (task_count + 1) * sizeof *tasks);
                if (grown == NULL) {
                    status = ASSAY_ERR_NOMEM;
                    break;
                }
                tasks = grown;
                memset(&tasks[task_count], 0, sizeof *tasks);
                tasks[task_count].task = assay_strdup(episode.task_id);
                tasks[task_count].family = episode.task_family != NULL ? assay_strdup(episode.task_family) : NULL;
                task_count++;
            }
            tasks[index].sum[side] += episode.score;
            tasks[index].count[side]++;
        }
        store_episode_iterator_close(iterator);
    }
    int result = 1;
    double *differences = assay_calloc(task_count + 1, sizeof *differences);
    const char **families = assay_calloc(task_count + 1, sizeof *families);
    size_t pairs = 0, wins = 0, losses = 0, ties = 0, with_family = 0;
    for (size_t index = 0; status == ASSAY_OK && differences != NULL && families != NULL && index < task_count;
         index++) {
        if (tasks[index].count[0] == 0 || tasks[index].count[1] == 0)
            continue;
        double d = tasks[index].sum[0] / (double)tasks[index].count[0] -
                   tasks[index].sum[1] / (double)tasks[index].count[1];
        families[pairs] = tasks[index].family;
        with_family += tasks[index].family != NULL;
        differences[pairs++] = d;
        wins += d > 1e-9;
        losses += d < -1e-9;
        ties += fabs(d) <= 1e-9;
    }
    if (status < 0) {
        fprintf(stderr, "assay stats compare: %s\n", error.message);
    } else if (seen[0] == 0 || seen[1] == 0) {
        fprintf(stderr, "assay stats compare: run %lld has no episodes of '%s'\n", run_id,
                seen[0] == 0 ? names[0] : names[1]);
    } else if (differences == NULL || families == NULL) {
        fprintf(stderr, "assay stats compare: out of memory\n");
    } else {
        struct stats_paired paired;
        stats_paired_compare(differences, with_family == pairs ? families : NULL, pairs, &paired);
        struct buffer out = {0};
        struct buffer sentence = {0};
        stats_paired_sentence(&paired, names[0], names[1], &sentence);
        if (format == STATS_FORMAT_JSON) {
            json_t *document = json_pack(
                "{s:I, s:s, s:s, s:I, s:f, s:f, s:[f,f], s:s, s:I, s:f, s:b, s:I, s:I, s:I, s:s}", "run",
                (json_int_t)run_id, "a", names[0], "b", names[1], "tasks", (json_int_t)paired.tasks, "difference",
                paired.difference, "standard_error", paired.standard_error, "ci95", paired.low, paired.high,
                "standard_error_kind", paired.clustered ? "clustered by family" : "paired", "clusters",
                (json_int_t)paired.clusters, "minimum_detectable_difference", paired.minimum_detectable,
                "excludes_zero", paired.excludes_zero, "wins", (json_int_t)wins, "losses", (json_int_t)losses,
                "ties", (json_int_t)ties, "sentence", sentence.data != NULL ? sentence.data : "");
            char *text = json_dumps(document, JSON_INDENT(2));
            buffer_append_format(&out, "%s\n", text != NULL ? text : "{}");
            free(text);
            json_decref(document);
        } else {
            buffer_append_format(&out,
                                 "%s\n\n%zu shared tasks: %s wins %zu, loses %zu, ties %zu\n"
                                 "difference %+.1f points, standard error %.1f (%s), 95%% CI [%.1f, %.1f]\n"
                                 "minimum detectable difference with these tasks: %.1f points (80%% power, 5%% level)\n",
                                 sentence.data, paired.tasks, names[0], wins, losses, ties, 100 * paired.difference,
                                 100 * paired.standard_error,
                                 paired.clustered ? "clustered by task family" : "paired, per task", 100 * paired.low,
                                 100 * paired.high, 100 * paired.minimum_detectable);
        }
        result = write_buffer(&out);
        buffer_free(&out);
        buffer_free(&sentence);
    }
    for (size_t index = 0; index < task_count; index++) {
        assay_free(tasks[index].task);
        assay_free(tasks[index].family);
    }
    assay_free(tasks);
    assay_free(differences);
    assay_free(families);
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
