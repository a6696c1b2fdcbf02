/* server.h — an A2A 1.0 agent over the JSON-RPC binding.
 *
 * Serves the agent card at GET /.well-known/agent-card.json and JSON-RPC at
 * POST / : SendMessage, SendStreamingMessage (SSE), GetTask, ListTasks,
 * CancelTask, SubscribeToTask (SSE). Push notifications, the extended card,
 * the HTTP+JSON and gRPC bindings are not implemented and not advertised;
 * their methods answer with the A2A error for that case. docs/a2a.md has
 * the error mapping and limits.
 *
 * Executors (executor.h) run on a pool of worker threads that grows on
 * demand up to max_workers and keeps its threads, so no thread is created
 * per request once warm; turns an executor marks inline run on the HTTP
 * thread. Blocking SendMessage waits without a thread: the request is
 * deferred and answered by whoever publishes the final state.
 *
 * Ownership: the server copies the options (strings and the skills array
 * included) except `store`, which it borrows: a caller-provided store must
 * outlive the server. Without one, the server creates and frees an
 * in-memory store with `memory_store` limits.
 */
#ifndef ASSAY_A2A_SERVER_H
#define ASSAY_A2A_SERVER_H

#include <jansson.h>
#include <stddef.h>

#include "a2a/executor.h"
#include "a2a/task_store.h"
#include "http/server.h"

struct a2a_server;

struct a2a_server_options {
    /* Agent card. name/description/version default to "assay agent", "An
     * agent served by assay.", the assay version. skills: a JSON array of
     * AgentSkill (borrowed, copied); NULL gives one generic skill. */
    const char *name;
    const char *description;
    const char *version;
    json_t *skills;
    /* Base URL advertised in supportedInterfaces; default
     * http://BIND_ADDRESS:PORT/ (known once started). */
    const char *public_url;
    struct http_server_options http;
    struct a2a_executor executor;
    struct a2a_task_store *store;
    struct a2a_memory_store_options memory_store;
    unsigned max_workers;    /* default 64 */
    size_t max_queued_turns; /* turns waiting for a worker; default 4096 */
    /* A subscriber that does not read is dropped once its queue passes
     * http.max_stream_buffer_bytes (the HTTP layer's bound). */
};

int a2a_server_new(const struct a2a_server_options *options, struct a2a_server **out);
int a2a_server_start(struct a2a_server *server);
unsigned short a2a_server_port(const struct a2a_server *server);
/* The advertised base URL, e.g. "http://127.0.0.1:8080/" (after start). */
const char *a2a_server_url(const struct a2a_server *server);
/* Cancels running turns, waits for their executors to return, closes
 * connections and frees everything. NULL is fine. */
void a2a_server_free(struct a2a_server *server);

#endif
