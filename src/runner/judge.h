/* judge.h — the judge's work for one benchmark package: task environments
 * served over MCP with per-episode tokens, and episodes played by sending
 * each subject agent an A2A message and scoring the environment afterwards.
 *
 * The message a subject receives (docs/agents.md):
 *   parts[0] {"text": instruction}
 *   parts[1] {"data": {"assay": {"version": 1, "task", "mcp": {"url", "token"},
 *             "budgets": {"steps", "seconds"}, "reference"?}}}
 * "reference" (actions and answer) is sent only to privileged participants.
 *
 * Error classes: agent failures count against the agent (its episode is
 * scored from the environment as it was left): wrong_answer, gave_up,
 * timed_out, protocol_error, agent_crashed. Infrastructure failures
 * (environment_crashed) are not scored and are reported apart.
 *
 * Ownership: the judge borrows the package and owns its task servers and
 * MCP transports (started lazily, one per task, on loopback ports).
 * judge_play() is thread-safe.
 */
#ifndef ASSAY_RUNNER_JUDGE_H
#define ASSAY_RUNNER_JUDGE_H

#include <jansson.h>

#include "core/status.h"
#include "package/package.h"

struct judge;
struct a2a_client;

struct judge_episode {
    const struct task *task;
    long trial;
    long long seed;
    int privileged;         /* send the reference solution */
    double budget_seconds;  /* 0: the task's own, else 300 */
    long budget_steps;      /* 0: the task's own */
};

struct judge_outcome {
    double score;
    int passed;
    int scored;              /* 0 for infrastructure failures */
    char error_class[32];    /* "" when the agent completed and passed */
    char error_message[256];
    double seconds;
    long steps;
    json_t *verdict;         /* new reference or NULL */
    char agent_state[40];    /* the subject's final A2A task state */
    /* For the trace (new references or NULL): the message sent, the agent's
     * last reply, and the environment's tool calls. The bearer token in the
     * message is replaced by "(redacted)" before it is kept. */
    json_t *request;
    json_t *reply;
    json_t *tool_calls;
    json_t *proxied;         /* proxy mode: the exchanges the proxy recorded, or NULL */
    char token[33];          /* the episode's token (names its proxy recording) */
    long long input_tokens;  /* as the agent reported them in an artifact data part; -1: not reported */
    long long output_tokens;
    long long started_at_ms, finished_at_ms;
};
/* Releases the JSON an outcome holds. */
void judge_outcome_release(struct judge_outcome *outcome);

int judge_new(const struct package *package, struct judge **out, struct assay_error *error);
void judge_free(struct judge *judge);
/* Plays one episode with `subject` and fills outcome (release its verdict). */
int judge_play(struct judge *judge, struct a2a_client *subject, const struct judge_episode *episode,
               struct judge_outcome *outcome);
/* 1 when the class is an agent failure, 0 for infrastructure. */
int judge_error_counts_against_agent(const char *error_class);

#endif
