/* judge_agent.h — the judge as an A2A agent (`assay judge`): an executor
 * that takes an assessment request and runs it with the runner.
 *
 * The request is a message with a data part
 *   {"participants": {"<role>": "<A2A URL>"}, "config": {...}}
 * (config as in a scenario file: split or tasks, trials, concurrency, seed,
 * budgets). A malformed request or an agent that does not answer with an
 * agent card ends the task REJECTED with the reason. Otherwise the task is
 * WORKING with a status update per finished episode ("12/128 episodes"),
 * and ends COMPLETED with an artifact "results" whose data part is the run
 * (docs/scenarios.md, the --json shape), or CANCELED when the client
 * cancels (the run stops between episodes).
 *
 * Ownership: the judge agent borrows the bench name and the database path.
 */
#ifndef ASSAY_RUNNER_JUDGE_AGENT_H
#define ASSAY_RUNNER_JUDGE_AGENT_H

#include "a2a/executor.h"

struct judge_agent {
    const char *bench;       /* package name or folder */
    const char *db;          /* results store, NULL: assay.db */
    const char *search_path; /* benchmark search path, or NULL */
};

struct a2a_executor judge_agent_executor(struct judge_agent *agent);

#endif
