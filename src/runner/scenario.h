/* scenario.h — a scenario file: which benchmark, which agents, how to run.
 *
 *     name: quickstart
 *     mode: local                      # local: assay starts the agents; remote: agents at URLs;
 *                                      # ci: either, plus a provenance file and automatic resume;
 *                                      # proxy: either, every exchange through a recording proxy
 *     judge: {bench: web-of-sites}     # a package name or folder
 *     participants:
 *       - {name: oracle, command: [assay, agent, oracle], privileged: true}
 *       - {name: random, command: [assay, agent, random, --seed, "7"]}
 *       - {name: mine, url: "http://127.0.0.1:9000", token_env: MY_AGENT_TOKEN}
 *     config: {split: all, trials: 1, concurrency: 4, seed: 1,
 *              budgets: {seconds: 120, steps: 60}, tasks: [ids...]}
 *
 * In a command, "assay" means this very binary; assay appends `--port 0`
 * and reads the agent's `READY URL` line. `privileged: true` lets the judge
 * send that participant the reference solution (the oracle's channel).
 * Tokens are read from the named environment variable at run time and never
 * written anywhere. docs/scenarios.md has the full format.
 *
 * Ownership: a scenario owns all its strings and its JSON copy.
 */
#ifndef ASSAY_RUNNER_SCENARIO_H
#define ASSAY_RUNNER_SCENARIO_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"

struct scenario_participant {
    char *name;
    char **command; /* NULL-terminated, local mode */
    char *url;      /* remote mode */
    char *token_env;
    int privileged;
};

struct scenario {
    char *file;
    char *name;
    char *mode; /* "local", "remote" or "ci" */
    char sha256[65]; /* of the file's bytes, for provenance */
    char *bench;
    struct scenario_participant *participants;
    size_t participant_count;
    char *split;   /* default "all" */
    char **tasks;  /* NULL-terminated, or NULL for the split */
    long trials;   /* default 1 */
    long concurrency; /* default 4 */
    long long seed;   /* default 1 */
    double budget_seconds; /* 0: the task's own */
    long budget_steps;     /* 0: the task's own */
    long budget_messages;  /* proxy mode: A2A requests per episode; 0: 100 */
    json_t *source; /* the file as JSON, for provenance */
};

int scenario_load(const char *file, struct scenario **out, struct assay_error *error);
/* A remote-mode scenario from an assessment request (the data part a judge
 * agent receives): {"participants": {"<role>": "<A2A URL>"}, "config": {...}}
 * with the config of a scenario file. Errors say what is wrong with the
 * request, for the REJECTED status. */
int scenario_from_request(const char *bench, const json_t *request, struct scenario **out,
                          struct assay_error *error);
void scenario_free(struct scenario *scenario);

#endif
