/* internal.h — what the files of src/mcp share and nobody else may use.
 *
 * The pieces: the registry (server.c), the transport-agnostic dispatch
 * (dispatch.c), sessions (session.c), the worker pool (worker.c) and the
 * exchange interface below, which is all a transport has to implement to be
 * driven by the dispatch (http_transport.c, stdio_transport.c,
 * local_transport.c).
 */
#ifndef ASSAY_MCP_INTERNAL_H
#define ASSAY_MCP_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "jsonrpc/jsonrpc.h"
#include "mcp/server.h"

#define MCP__SESSION_ID_LENGTH 32
#define MCP__MAX_JSON_DEPTH    64

/* ---- exchange: where the messages about one incoming request go ---------
 *
 * A transport creates an exchange for each request it receives. The
 * dispatch sends notifications and server→client requests tied to that
 * request with send() and ends it with finish(). An exchange starts out
 * bound to the receiving thread (it may live on that thread's stack);
 * detach() returns one that may be used from a worker thread later. */
struct mcp__exchange;

struct mcp__exchange_ops {
    /* One message as compact JSON text (no newline); is_request marks a
     * server→client request. ASSAY_ERR_UNSUPPORTED when this exchange
     * cannot carry anything but the response (the message is dropped). */
    int (*send)(struct mcp__exchange *exchange, const char *text, size_t length, int is_request);
    /* Sends the response text (NULL sends nothing, e.g. after a
     * cancellation; `success` says it carries a result rather than an
     * error) and ends the exchange: it must not be used again. */
    void (*finish)(struct mcp__exchange *exchange, const char *text, size_t length, int success);
    /* A heap exchange usable from any thread, or NULL on failure (then the
     * original is still usable on the receiving thread). */
    struct mcp__exchange *(*detach)(struct mcp__exchange *exchange);
    /* 1 when the peer went away; may be NULL. */
    int (*peer_gone)(struct mcp__exchange *exchange);
};

struct mcp__exchange {
    const struct mcp__exchange_ops *ops;
};

/* ---- worker pool ------------------------------------------------------- */

struct mcp__worker_pool;

int mcp__worker_pool_new(unsigned threads, size_t queue_limit, struct mcp__worker_pool **out);
/* ASSAY_ERR_LIMIT when the queue is full, ASSAY_ERR_STATE when stopping. */
int mcp__worker_pool_submit(struct mcp__worker_pool *pool, void (*run)(void *argument),
                            void *argument);
/* Runs what is queued, then joins the threads. NULL is fine. */
void mcp__worker_pool_free(struct mcp__worker_pool *pool);

/* ---- sessions ---------------------------------------------------------- */

enum {
    MCP__CLIENT_SAMPLING = 1u << 0,
    MCP__CLIENT_ELICITATION = 1u << 1,
    MCP__CLIENT_ROOTS = 1u << 2,
};

/* A server→client request waiting for its answer. */
struct mcp__outbound {
    struct mcp__outbound *next;
    char id[32];
    pthread_cond_t answered;
    int done;
    json_t *result; /* set on success */
    json_t *error;  /* set when the client answered an error */
};

/* Pushes an unsolicited message (not tied to a request) to the session's
 * client. text NULL: the session is closing, let go of the target; length
 * 0 with text "": a keep-alive (for SSE, a comment line). Called with the
 * session lock held, so it must not block for long nor take that lock. */
typedef int (*mcp__push_function)(void *context, const char *text, size_t length);

/* Longest bearer token accepted (longer ones are refused with 401). */
#define MCP__BEARER_MAX 255

struct mcp__session {
    char id[MCP__SESSION_ID_LENGTH + 1];
    struct mcp_server *server;
    atomic_int references;
    atomic_int log_level;      /* enum mcp_log_level; messages below it are dropped */
    atomic_llong last_used_ms; /* monotonic */
    pthread_mutex_t lock;      /* guards the fields below */
    int indexed;               /* findable by id (HTTP sessions) */
    const void *owner;         /* the transport that created it */
    int closed;                /* ended by DELETE, expiry, eviction or shutdown */
    int answered_initialize;
    int initialized; /* notifications/initialized received */
    char protocol_version[16];
    /* The bearer token of the request that opened the session ("" when it
     * had none). Written once, before the session is shared; later requests
     * must present the same token (a session is bound to its credential). */
    char bearer[MCP__BEARER_MAX + 1];
    unsigned client_capabilities; /* MCP__CLIENT_* */
    struct mcp_call *calls;       /* calls running on workers, for cancellation */
    struct mcp__outbound *outbound;
    unsigned long next_outbound_id;
    char **subscriptions;
    size_t subscription_count;
    mcp__push_function push;
    void *push_context;
    /* table links, guarded by the table lock */
    struct mcp__session *bucket_next;
    struct mcp__session *previous, *next;
};

struct mcp__session_table {
    pthread_mutex_t lock;
    struct mcp__session **buckets;
    size_t bucket_count;
    struct mcp__session *list; /* every live session, most recently created first */
    size_t count;
};

/* A new session with one reference for the caller. `indexed` sessions are
 * found by mcp__session_find (HTTP); others are only listed (stdio, local).
 * ASSAY_ERR_LIMIT when max_sessions are live and none can be evicted. */
int mcp__session_create(struct mcp_server *server, int indexed, struct mcp__session **out);
/* A referenced session or NULL (unknown, closed or expired). Marks it used. */
struct mcp__session *mcp__session_find(struct mcp_server *server, const char *id);
void mcp__session_retain(struct mcp__session *session);
void mcp__session_release(struct mcp__session *session);
/* Ends the session: leaves the table, cancels its calls, wakes waiters,
 * drops its push target. Idempotent. */
void mcp__session_close(struct mcp__session *session);
/* Closes sessions idle for longer than the configured time. */
void mcp__session_sweep(struct mcp_server *server);
/* Closes every session (shutdown), or those created by one transport. */
void mcp__session_close_all(struct mcp_server *server);
void mcp__session_close_owned(struct mcp_server *server, const void *owner);
/* Sends a keep-alive through every session's push target. */
void mcp__session_keepalive(struct mcp_server *server);
void mcp__session_table_free(struct mcp_server *server);
/* Sets or clears (push NULL) the session's target for unsolicited messages.
 * Returns ASSAY_ERR_STATE when one is set already and push is not NULL. */
int mcp__session_set_push(struct mcp__session *session, mcp__push_function push, void *context);
/* Delivers a JSON-RPC response from the client to the waiting
 * server→client request; consumes root. */
void mcp__session_deliver_response(struct mcp__session *session, json_t *root);
long long mcp__monotonic_ms(void);
/* write(2) until done; EINTR retried; SIGPIPE blocked for the calling
 * thread so a vanished reader gives ASSAY_ERR_IO instead of a signal. */
int mcp__write_all(int fd, const char *data, size_t length);

/* ---- calls --------------------------------------------------------------- */

struct mcp_call {
    struct mcp_server *server;
    struct mcp__session *session; /* referenced while the call lives */
    struct mcp__exchange *exchange;
    struct jsonrpc_message message; /* the request; owned */
    json_t *progress_token;         /* borrowed from message */
    const void *method;             /* the dispatch table entry */
    const void *target;             /* the tool entry, resource, template or prompt named */
    unsigned target_flags;          /* its enum mcp_flags */
    json_t *variables;              /* template variables (owned) */
    atomic_int cancelled;
    int on_worker;
    int heap;           /* allocated (worker calls) rather than on a stack */
    int rpc_error_code; /* nonzero after mcp_call_rpc_error */
    int failed;         /* mcp_call_fail was used */
    char error_message[256];
    /* guarded by the session lock */
    struct mcp__outbound *waiting;
    struct mcp_call *previous, *next;
};

/* ---- registry (server.c) --------------------------------------------------- */

struct mcp__tool_entry {
    struct mcp_tool tool; /* strings owned */
    json_t *input_schema;
    json_t *output_schema; /* NULL when none */
    json_t *listing;       /* the Tool object tools/list shows */
};

struct mcp__resource_entry {
    struct mcp_resource resource; /* strings owned */
    json_t *listing;
};

struct mcp__template_entry {
    struct mcp_resource_template resource_template; /* strings owned */
    json_t *listing;
};

struct mcp__prompt_entry {
    struct mcp_prompt prompt; /* strings and arguments owned */
    json_t *listing;
};

struct mcp_server {
    struct mcp_server_options options; /* strings owned */
    struct mcp__tool_entry *tools;
    size_t tool_count, tool_capacity;
    size_t *tool_index; /* open addressing: entry index + 1, 0 = empty */
    size_t tool_index_capacity;
    struct mcp__resource_entry *resources;
    size_t resource_count, resource_capacity;
    struct mcp__template_entry *templates;
    size_t template_count, template_capacity;
    struct mcp__prompt_entry *prompts;
    size_t prompt_count, prompt_capacity;
    mcp_completion_handler completion;
    void *completion_context;
    atomic_int started;
    atomic_int stopping;
    char last_error[256];
    pthread_mutex_t worker_lock; /* guards lazy creation of workers */
    struct mcp__worker_pool *workers;
    struct mcp__session_table sessions;
};

const struct mcp__tool_entry *mcp__server_find_tool(const struct mcp_server *server,
                                                    const char *name);
/* Marks the registry frozen; transports call it when they start. */
void mcp__server_mark_started(struct mcp_server *server);
struct mcp__worker_pool *mcp__server_workers(struct mcp_server *server);

/* ---- dispatch (dispatch.c) ----------------------------------------------- */

/* Handles a request or notification parsed by jsonrpc_parse_request; takes
 * ownership of *message. Requests are answered through exchange, now or
 * later (worker); for notifications exchange may be NULL. Returns 1 when
 * exchange will be finished (a request), 0 when not (a notification). */
int mcp__dispatch(struct mcp_server *server, struct mcp__session *session,
                  struct jsonrpc_message *message, struct mcp__exchange *exchange);
/* Everything a line-oriented transport needs: parses text, dispatches
 * requests and notifications, delivers responses, answers bad input with
 * -32700/-32600 through exchange. Returns 1 when exchange will be (or has
 * been) finished, 0 when the message needs no answer. */
int mcp__handle_text(struct mcp_server *server, struct mcp__session *session, const char *text,
                     size_t length, struct mcp__exchange *exchange);
/* 1 when root looks like a JSON-RPC response (id plus result or error). */
int mcp__is_response(const json_t *root);
/* Dumps message and hands it to exchange->send; consumes message. */
int mcp__exchange_send_json(struct mcp__exchange *exchange, json_t *message, int is_request);
/* Dumps a complete response object and finishes the exchange with it;
 * consumes response (NULL finishes with nothing). */
void mcp__exchange_finish_json(struct mcp__exchange *exchange, json_t *response);
/* Cancels a call: sets its flag and wakes it if it waits on the client.
 * Caller holds the session lock. */
void mcp__call_cancel_locked(struct mcp_call *call);

/* ---- schema (schema.c) --------------------------------------------------- */

/* Validates instance against the JSON Schema subset documented in
 * schema.c. Returns 0 or ASSAY_ERR_INVALID with a sentence in message that
 * names the offending path (e.g. "arguments.text: expected string, got
 * number"). `path` is the name of the root ("arguments"). */
int mcp__schema_validate(const json_t *schema, const json_t *instance, const char *path,
                         char *message, size_t message_size);

#endif
