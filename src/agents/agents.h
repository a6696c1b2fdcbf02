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
#include "core/status.h"

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

/* ---- llm: a tool-calling agent for an OpenAI-compatible endpoint ----------
 *
 *   llm  maps the environment's MCP tools to chat-completions function tools
 *        and lets the model play: every tool call it makes goes to MCP, the
 *        text result comes back as a {role: "tool"} message; it stops when
 *        the model calls `answer`, or replies with text only (that text is
 *        then sent as the answer), or a budget is used up. The artifact's
 *        data part adds {model, input_tokens, output_tokens} (the sums of
 *        usage.prompt_tokens / usage.completion_tokens).
 *
 * The key is sent only as `Authorization: Bearer <key>` to the endpoint; it
 * is never logged nor put into a task, an artifact or a reason.
 */
#define AGENT_LLM_MAX_ATTEMPTS       4      /* per chat request: 429, 5xx, I/O errors */
#define AGENT_LLM_BACKOFF_MS         500    /* first retry delay, doubled each time */
#define AGENT_LLM_MAX_BACKOFF_MS     30000  /* cap, Retry-After included */
#define AGENT_LLM_REQUEST_TIMEOUT_MS 120000 /* per request, also cut to the time budget */

struct agent_llm_config {
    const char *url;   /* base URL (borrowed); requests go to {url}/v1/chat/completions */
    const char *model; /* borrowed */
    const char *key;   /* borrowed; NULL: no Authorization header */
    int max_attempts;  /* 0: AGENT_LLM_MAX_ATTEMPTS */
    long backoff_ms;   /* 0: AGENT_LLM_BACKOFF_MS */
    long max_backoff_ms;     /* 0: AGENT_LLM_MAX_BACKOFF_MS */
    long request_timeout_ms; /* 0: AGENT_LLM_REQUEST_TIMEOUT_MS */
};

/* Fills *out from the values of ASSAY_LLM_URL, ASSAY_LLM_MODEL and
 * ASSAY_LLM_KEY (each may be NULL; the strings are borrowed). ASSAY_ERR_INVALID
 * with a one-line sentence naming the variable when the URL or the model is
 * missing or empty, or the URL is not http(s), or a value spans lines. */
int agent_llm_config_load(const char *url, const char *model, const char *key,
                          struct agent_llm_config *out, struct assay_error *error);

/* The llm agent's executor; `config` is borrowed and must outlive the server. */
struct a2a_executor agent_llm_executor(const struct agent_llm_config *config);

#endif
