/* internal.h — what the baseline agents share inside src/agents: the parsed
 * judge message and one episode's MCP connection with its budgets. */
#ifndef ASSAY_AGENTS_INTERNAL_H
#define ASSAY_AGENTS_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "a2a/executor.h"
#include "core/buffer.h"
#include "core/status.h"
#include "mcp/client.h"

/* The judge's message, parsed. Every pointer is borrowed from the A2A
 * message, valid while the turn runs. */
struct agent_request {
    const char *instruction; /* "" when the message has no text part */
    const char *task_id;
    const char *mcp_url;
    const char *token;       /* NULL: no Authorization header */
    long steps;              /* tool calls allowed, >= 0 */
    double seconds;          /* wall time allowed, > 0 */
    const json_t *reference; /* {actions[], answer?}; NULL when not enabled */
};

/* ASSAY_ERR_INVALID with a sentence naming the field when the message does
 * not follow docs/agents.md. */
int agent__request_parse(const json_t *message, struct agent_request *out,
                         struct assay_error *error);

/* The opening every agent turn shares: refuses a continuation, parses the
 * judge's message into *request (which borrows from it), refuses a missing
 * reference when need_reference, and announces WORKING. Returns 1 when the
 * agent should play; 0 when the turn is already answered (failed with the
 * reason, or canceled meanwhile). */
int agent__turn_begin(struct a2a_execution *execution, int need_reference, struct agent_request *request);
/* Publishes the artifact "episode": the sentence for people, then `data`
 * (consumed) for machines. */
void agent__publish_episode(struct a2a_execution *execution, const char *sentence, json_t *data);

/* One episode: the MCP client, the budgets and the trace of calls. */
struct agent_episode {
    struct a2a_execution *execution; /* borrowed; NULL in tests without A2A */
    const struct agent_request *request;
    struct mcp_client *client;
    long steps_used;
    int64_t deadline_ms; /* a2a_now_ms() scale */
    json_t *calls;       /* [{tool, arguments, isError}] */
};

/* Connects to request->mcp_url within the time budget. */
int agent__episode_open(struct agent_episode *episode, struct a2a_execution *execution,
                        const struct agent_request *request, struct assay_error *error);
void agent__episode_close(struct agent_episode *episode);
/* tools/list (not a step). *tools: the array of tool objects (caller owns). */
int agent__episode_list_tools(struct agent_episode *episode, json_t **tools,
                              struct assay_error *error);
/* One tool call, counted as one step. Consumes arguments (may be NULL).
 * text receives the result's text blocks; *refused is 1 for an isError
 * result. ASSAY_ERR_LIMIT before the call when the step budget is used up,
 * ASSAY_ERR_TIMEOUT when the time budget is, ASSAY_ERR_CANCELED when the
 * A2A task was canceled; other codes come from the MCP client. */
int agent__episode_call(struct agent_episode *episode, const char *tool, json_t *arguments,
                        struct buffer *text, int *refused, struct assay_error *error);

/* The strategies. They fill summary with one short sentence on success. */
int agent__oracle_play(struct agent_episode *episode, struct buffer *summary,
                       struct assay_error *error);
int agent__random_play(struct agent_episode *episode, uint64_t seed, struct buffer *summary,
                       struct assay_error *error);

#endif
