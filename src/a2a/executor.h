/* executor.h — what an A2A agent implements, and what it may call while it
 * works on a task.
 *
 * The server creates the task (TASK_STATE_SUBMITTED, the user message in
 * its history) before the executor runs, so every answer — blocking,
 * returnImmediately or streamed — is a Task; agents do not return bare
 * Messages. One call of execute() is one turn: it publishes status updates
 * and artifacts and must end the turn in a terminal state (completed,
 * failed, canceled, rejected) or an interrupted one (input-required,
 * auth-required) before it returns; a turn that returns in another state is
 * recorded as failed. A follow-up message on an interrupted task starts the
 * next turn, with a2a_execution_is_continuation() true.
 *
 * Threads: execute() runs on a worker thread and may block for as long as
 * the work takes (the judge agent runs whole assessments in it). It must
 * return promptly once a2a_execution_cancel_requested() is true (CancelTask
 * or server shutdown; shutdown waits for it). An executor may offer a fast
 * path with runs_inline(): turns it accepts run directly on the HTTP event
 * thread, without a hand-off, and must therefore never block.
 *
 * Ownership: the execution handle and everything it returns are valid
 * during execute() only. Publishing functions consume their json_t
 * arguments, also on failure, and copy their strings.
 */
#ifndef ASSAY_A2A_EXECUTOR_H
#define ASSAY_A2A_EXECUTOR_H

#include <jansson.h>

#include "a2a/model.h"

struct a2a_execution;

struct a2a_executor {
    void (*execute)(struct a2a_execution *execution, void *context);
    /* Optional. Called once, on an HTTP thread, when CancelTask reaches a
     * turn that is running; the task is already TASK_STATE_CANCELED. Must
     * not block; a flag for execute() to see is the usual body. */
    void (*cancel)(struct a2a_execution *execution, void *context);
    /* Optional. 1 when the turn for this message is quick and never blocks,
     * so it may run inline on the HTTP thread (the fast path). */
    int (*runs_inline)(const json_t *message, void *context);
    void *context;
};

/* The user message that started this turn (borrowed). */
const json_t *a2a_execution_message(const struct a2a_execution *execution);
const char *a2a_execution_task_id(const struct a2a_execution *execution);
const char *a2a_execution_context_id(const struct a2a_execution *execution);
/* 1 when this turn continues a task that was input-required or auth-required. */
int a2a_execution_is_continuation(const struct a2a_execution *execution);
/* A deep copy of the task as it stands (history, artifacts); caller owns it. */
json_t *a2a_execution_task_copy(struct a2a_execution *execution);

/* Publishing. Each returns ASSAY_OK, ASSAY_ERR_STATE once the task is in a
 * terminal state (e.g. it was canceled meanwhile: stop working), or
 * ASSAY_ERR_INVALID for a malformed argument. */

/* Moves the task to `state` with an optional status message (an agent
 * Message; NULL for none; consumed). Streams see a statusUpdate event; a
 * terminal or interrupted state ends the turn for waiting clients. */
int a2a_execution_set_status(struct a2a_execution *execution, enum a2a_task_state state,
                             json_t *message);
/* The same with a one-part text message (text may be NULL). */
int a2a_execution_set_status_text(struct a2a_execution *execution, enum a2a_task_state state,
                                  const char *text);
/* Adds or replaces (same artifactId) an artifact, or with `append` extends
 * the parts of the artifact with that id. Consumes artifact. Streams see an
 * artifactUpdate event. */
int a2a_execution_add_artifact(struct a2a_execution *execution, json_t *artifact, int append,
                               int last_chunk);
/* An artifact with one text part. */
int a2a_execution_add_text_artifact(struct a2a_execution *execution, const char *artifact_id,
                                    const char *name, const char *text);

int a2a_execution_cancel_requested(struct a2a_execution *execution);
/* Sleeps up to `milliseconds`, waking early on cancellation; returns 1 when
 * the turn should stop (canceled), 0 after a full sleep. */
int a2a_execution_wait(struct a2a_execution *execution, unsigned milliseconds);

#endif
