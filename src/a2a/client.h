/* client.h — an A2A 1.0 client over the JSON-RPC binding.
 *
 * Resolve an agent (fetch its card, pick the JSONRPC interface for protocol
 * 1.0) or point a client at a JSON-RPC endpoint directly, then send
 * messages, stream, get, list, cancel and subscribe. Every request carries
 * `A2A-Version: 1.0` (a missing header means 0.3 to a server) and, when
 * configured, `Authorization: Bearer TOKEN`. Calls block the calling thread;
 * many threads may use one client at once (transfers share one curl
 * thread, see http/client.h).
 *
 * Errors: calls return 0 or a negative ASSAY_ERR_* code and fill the
 * optional struct a2a_client_error. A JSON-RPC error from the agent is
 * ASSAY_ERR_REMOTE with its code, message and ErrorInfo reason; an HTTP
 * error without a JSON-RPC body is ASSAY_ERR_HTTP; ASSAY_ERR_TIMEOUT,
 * ASSAY_ERR_CANCELED and ASSAY_ERR_IO come from the transport, and
 * ASSAY_ERR_PROTOCOL from a reply that is not valid A2A.
 *
 * Ownership: arguments are borrowed. Results (`json_t **`) are new
 * references the caller releases with json_decref. Stream events handed to
 * a handler are borrowed for the duration of the call.
 */
#ifndef ASSAY_A2A_CLIENT_H
#define ASSAY_A2A_CLIENT_H

#include <jansson.h>

#include "http/client.h"

struct a2a_client;
struct a2a_cancel;

struct a2a_client_options {
    const char *bearer_token; /* NULL: no Authorization header */
    long timeout_ms;          /* unary calls, default 30 s; streams default to none */
    long connect_timeout_ms;  /* default 10 s */
    struct http_client *http; /* borrowed, shared; NULL: the A2A client owns one */
};

struct a2a_call_options {
    long timeout_ms;           /* 0: the client's default (unary) or none (streams) */
    long idle_timeout_ms;      /* streams: give up when nothing arrives for this long; 0: never */
    struct a2a_cancel *cancel; /* NULL: not cancelable from outside */
};

struct a2a_client_error {
    int status;        /* the value the call returned */
    int code;          /* JSON-RPC error code, for ASSAY_ERR_REMOTE */
    long http_status;  /* 0 when no HTTP response arrived */
    char reason[64];   /* ErrorInfo reason such as "TASK_NOT_FOUND", or "" */
    char message[256]; /* one sentence */
};

/* endpoint_url: the JSON-RPC URL itself (an interface's `url`). */
int a2a_client_new(const char *endpoint_url, const struct a2a_client_options *options,
                   struct a2a_client **out);
/* Fetches BASE_URL/.well-known/agent-card.json (or base_url itself when it
 * ends in ".json"), checks the required card members, and makes a client
 * for its JSONRPC interface with protocolVersion 1.0. card_out, if not NULL,
 * receives the card. ASSAY_ERR_UNSUPPORTED when the agent offers no such
 * interface. */
int a2a_client_resolve(const char *base_url, const struct a2a_client_options *options,
                       struct a2a_client **out, json_t **card_out, struct a2a_client_error *error);
void a2a_client_free(struct a2a_client *client);
const char *a2a_client_endpoint(const struct a2a_client *client);

/* Any method: *result receives the `result` member. */
int a2a_client_call(struct a2a_client *client, const char *method, json_t *params,
                    const struct a2a_call_options *call, json_t **result,
                    struct a2a_client_error *error);

struct a2a_send_options {
    int return_immediately;
    int history_length; /* -1: not set */
};

/* A user message with one text part and a fresh messageId; task_id and
 * context_id may be NULL. New reference. */
json_t *a2a_user_text_message_new(const char *text, const char *task_id, const char *context_id);

/* SendMessage. *result is {"task": ...} or {"message": ...}. send may be NULL. */
int a2a_client_send(struct a2a_client *client, json_t *message, const struct a2a_send_options *send,
                    const struct a2a_call_options *call, json_t **result,
                    struct a2a_client_error *error);
/* history_length -1: not set. *task is the Task. */
int a2a_client_get_task(struct a2a_client *client, const char *task_id, int history_length,
                        const struct a2a_call_options *call, json_t **task,
                        struct a2a_client_error *error);
int a2a_client_cancel_task(struct a2a_client *client, const char *task_id,
                           const struct a2a_call_options *call, json_t **task,
                           struct a2a_client_error *error);
/* params: a ListTasksRequest object (contextId, status, pageSize, pageToken,
 * historyLength, statusTimestampAfter, includeArtifacts) or NULL. */
int a2a_client_list_tasks(struct a2a_client *client, json_t *params,
                          const struct a2a_call_options *call, json_t **result,
                          struct a2a_client_error *error);

/* Gets each StreamResponse (`{"task": ...}`, `{"statusUpdate": ...}`, ...)
 * as it arrives, on the client's transfer thread: keep it short. Return 0
 * to go on, nonzero to stop (the call then returns ASSAY_OK). */
typedef int (*a2a_stream_handler)(json_t *event, void *context);

/* SendStreamingMessage; returns when the server ends the stream. */
int a2a_client_stream(struct a2a_client *client, json_t *message,
                      const struct a2a_send_options *send, const struct a2a_call_options *call,
                      a2a_stream_handler handler, void *context, struct a2a_client_error *error);
/* SubscribeToTask. */
int a2a_client_subscribe(struct a2a_client *client, const char *task_id,
                         const struct a2a_call_options *call, a2a_stream_handler handler,
                         void *context, struct a2a_client_error *error);

/* Cancellation from another thread: pass the handle in a call's options,
 * trigger it from anywhere; the call returns ASSAY_ERR_CANCELED. A handle
 * serves one call at a time and stays triggered once triggered. */
int a2a_cancel_new(struct a2a_cancel **out);
void a2a_cancel_trigger(struct a2a_cancel *cancel);
void a2a_cancel_free(struct a2a_cancel *cancel);

#endif
