/* agents.h — the built-in baseline subject agents (`assay agent oracle|random`),
 * as A2A executors.
 *
 * A judge sends a subject one A2A SendMessage per episode (docs/agents.md):
 *   parts[0] {"text": "<the task instruction>"}
 *   parts[1] {"data": {"assay": {"version": 1, "task": "<task id>",
 *             "mcp": {"url": "<MCP endpoint>", "token": "<bearer, optional>"},
 *             "budgets": {"steps": N, "seconds": S},
 *             "reference": {"actions": [{"tool", "arguments"}], "answer"}}}}
 * "reference" is the privileged oracle channel: present only when the judge
 * enabled it for that participant. The agent connects to the MCP endpoint
 * (with `Authorization: Bearer <token>` when a token is given), plays within
 * the budgets and ends its A2A task COMPLETED with an artifact "episode"
 * (a text summary plus a data part {agent, task, steps, calls[]}) or FAILED
 * with a one-sentence reason (bad message, MCP unreachable, budget used up,
 * canceled).
 *
 *   oracle  plays reference.actions in order, then `answer` with
 *           reference.answer when there is one; without a reference it fails
 *           ("no privileged reference channel: the judge did not enable it")
 *           and never looks for the solution anywhere else.
 *   random  seeded random valid tool calls: the seed and the task id choose
 *           the whole sequence, so a run is reproducible.
 *
 * Threads: execute() blocks on MCP calls, so the executors never ask to run
 * inline: the A2A server runs them on its worker pool, never on an HTTP
 * event thread. Each turn has its own MCP client; turns share nothing but
 * the read-only configuration.
 *
 * Ownership: agent_executor() borrows `config` as the executor's context:
 * it must outlive the A2A server.
 */
#ifndef ASSAY_AGENTS_AGENTS_H
#define ASSAY_AGENTS_AGENTS_H

#include <stdint.h>

#include "a2a/executor.h"

#define AGENT_MESSAGE_VERSION     1
#define AGENT_DEFAULT_STEPS       50  /* when the message carries no step budget */
#define AGENT_DEFAULT_SECONDS     300 /* when it carries no time budget */
#define AGENT_NO_REFERENCE_REASON "no privileged reference channel: the judge did not enable it"

enum agent_kind { AGENT_ORACLE, AGENT_RANDOM };

struct agent_config {
    enum agent_kind kind;
    uint64_t seed; /* random: mixed with the task id; default 1 */
};

/* "oracle" / "random"; NULL for an unknown kind. */
const char *agent_kind_name(enum agent_kind kind);
/* 0 and *out for a known name, ASSAY_ERR_NOT_FOUND otherwise. */
int agent_kind_parse(const char *name, enum agent_kind *out);

/* A filled-in executor for `config` (borrowed, see above). */
struct a2a_executor agent_executor(const struct agent_config *config);

#endif
