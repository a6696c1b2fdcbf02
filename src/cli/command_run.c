/* command_run.c — `assay run SCENARIO.yaml`: the main job. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/buffer.h"
#include "jsonrpc/json_strict.h"
#include "runner/run.h"
#include "runner/scenario.h"

static const char usage[] =
    "usage: assay run SCENARIO.yaml [--db PATH] [--resume RUN_ID] [--concurrency N] [--json]\n"
    "                 [--quiet] [--path DIRS]\n"
    "\n"
    "Runs an assessment: starts the scenario's agents (local mode) or reaches them (remote\n"
    "mode), serves each task's environment over MCP with a per-episode token, sends every\n"
    "agent every selected task (times the trials) as an A2A message, scores the environment\n"
    "after each episode, and prints a leaderboard: mean score and pass rate with 95%\n"
    "intervals per agent, per-capability means, and errors by class (agent failures count\n"
    "in the scores; infrastructure failures are shown apart). Progress goes to stderr.\n"
    "\n"
    "--json prints the results (per-episode verdicts included) as JSON on stdout instead.\n"
    "Every episode is recorded with its trace in the results store (--db, default assay.db),\n"
    "one transaction each; --resume RUN_ID plays only the episodes that run lacks (give the\n"
    "same scenario file), so a run killed at any moment loses at most the episodes in flight.\n"
    "Exit status: 0 when every episode ran, 1 when the run failed or was interrupted, 2\n"
    "for bad usage. See docs/scenarios.md for the file format.\n"
    "\n"
    "mode: ci also writes a provenance record next to the store (<db>.run-<id>.provenance.json:\n"
    "assay version, SHA-256 of the scenario, the package and each agent card, seeds, times)\n"
    "and, when rerun, continues the newest unfinished run of the same scenario file.\n"
    "\n"
    "Not yet: the proxy and hosted modes.\n";

int command_run(int argc, char **argv)
{
    struct run_options options = {0};
    int json_output = 0;
    static const struct option long_options[] = {
        {"concurrency", required_argument, NULL, 'c'}, {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},             {"path", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},              {"db", required_argument, NULL, 'd'},
        {"resume", required_argument, NULL, 'r'},      {NULL, 0, NULL, 0}};
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "c:jqP:hd:r:", long_options, NULL)) != -1) {
        char *end = NULL;
        switch (option) {
        case 'c':
            options.concurrency = strtol(optarg, &end, 10);
            if (*end != '\0' || options.concurrency < 1 || options.concurrency > 1024) {
                fprintf(stderr, "assay run: --concurrency must be a whole number from 1 to 1024\n");
                return 2;
            }
            break;
        case 'j': json_output = 1; break;
        case 'd': options.db = optarg; break;
        case 'r':
            options.resume_run = strtoll(optarg, &end, 10);
            if (*end != '\0' || options.resume_run < 1) {
                fprintf(stderr, "assay run: --resume takes a run id (a positive number)\n");
                return 2;
            }
            break;
        case 'q': options.quiet = 1; break;
        case 'P': options.search_path = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "assay run: name one scenario file (see --help)\n");
        return 2;
    }
    struct assay_error error = {0};
    struct scenario *scenario = NULL;
    if (scenario_load(argv[optind], &scenario, &error) != ASSAY_OK) {
        fprintf(stderr, "assay run: %s\n", error.message);
        return error.status == ASSAY_ERR_NOT_FOUND || error.status == ASSAY_ERR_INVALID ? 2 : 1;
    }
    struct run_result *result = NULL;
    if (run_scenario(scenario, &options, &result, &error) != ASSAY_OK) {
        fprintf(stderr, "assay run: %s\n", error.message);
        scenario_free(scenario);
        return 1;
    }
    int complete = !result->interrupted && result->played == result->episode_count && result->store_errors == 0;
    if (strcmp(scenario->mode, "ci") == 0) {
        char path[4200];
        if (run_write_provenance(scenario, result, options.db, path, sizeof path, &error) != ASSAY_OK) {
            fprintf(stderr, "assay run: %s\n", error.message);
            complete = 0;
        } else if (!options.quiet) {
            fprintf(stderr, "assay run: provenance in %s%s\n", path,
                    result->resumed ? " (continued an unfinished run of this scenario)" : "");
        }
    }
    if (json_output) {
        json_t *document = run_result_json(scenario, result);
        struct buffer text = {0};
        json_strict_dump(document, &text);
        printf("%s\n", text.data != NULL ? text.data : "{}");
        buffer_free(&text);
        json_decref(document);
    } else {
        run_print_summary(scenario, result, stdout);
        printf("\nresults: %s, run %lld (assay stats report %lld --db %s)\n", options.db ? options.db : "assay.db",
               result->run_id, result->run_id, options.db ? options.db : "assay.db");
    }
    if (!complete)
        fprintf(stderr, "assay run: incomplete: %zu of %zu episodes ran%s; finish it with --resume %lld\n",
                result->played, result->episode_count, result->interrupted ? " (interrupted)" : "", result->run_id);
    run_result_free(result);
    scenario_free(scenario);
    return complete ? 0 : 1;
}
