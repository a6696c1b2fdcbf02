/* http_transport.c — MCP Streamable HTTP on the HTTP server.
 *
 * A POSTed request is parsed and dispatched on the event thread that read
 * it, with an exchange on that thread's stack: plain calls are answered
 * before the handler returns, with no allocation beyond the JSON itself.
 * The exchange turns the answer into an SSE stream lazily, the first time
 * something other than the response must go out (progress, a log message, a
 * request to the client); so a request that reports nothing stays a cheap
 * JSON answer even if it carried a progress token.
 *
 * Calls that move to the worker pool get a heap exchange (detach): the
 * request is deferred and answered from the worker. Its lifetime is counted:
 * one reference for the call, one while a stream's close callback is
 * registered. `live_exchanges` lets shutdown wait for every worker answer
 * before the HTTP server goes away.
 *
 * The GET stream of a session is a `standalone` object registered as the
 * session's push target (see internal.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jsonrpc/json_write.h"
#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"
#include "http/server.h"
#include "http/sse.h"
#include "jsonrpc/json_strict.h"
#include "mcp/http_transport.h"
#include "mcp/internal.h"

/* Error codes of the transport layer, as the official SDK uses them. */
#define TRANSPORT_BAD_REQUEST       (-32000)
#define TRANSPORT_SESSION_NOT_FOUND (-32001)

struct mcp_http_transport {
    struct mcp_server *server;
    struct http_server *http;
    struct mcp_http_options options; /* strings below are owned copies */
    char **allowed_origins;
    size_t origin_count;
    char **allowed_hosts;
    size_t host_count;
    int loopback;
    pthread_mutex_t lock; /* guards the fields below */
    pthread_cond_t drained;
    pthread_cond_t wake;
    unsigned live_exchanges;
    int stopping;
    int maintenance_running;
    pthread_t maintenance;
};

struct http_exchange {
    struct mcp__exchange base;
    struct mcp_http_transport *transport;
    struct http_request *request;
    struct http_stream *stream;
    struct mcp__session *initialize_session; /* set for initialize only */
    int accepts_json;
    int accepts_sse;
    int answered; /* an error was sent already (a stream could not start) */
    int heap;
    atomic_int references; /* heap exchanges only */
    atomic_int peer_gone;
};

struct standalone {
    pthread_mutex_t lock;
    atomic_int references;
    struct http_stream *stream;
    int writer_open;
    struct mcp__session *session; /* referenced */
};

/* ---- small helpers -------------------------------------------------------------- */

static void respond_error(struct http_request *request, unsigned status, int code,
                          const char *format, ...) __attribute__((format(printf, 4, 5)));

static void respond_error(struct http_request *request, unsigned status, int code,
                          const char *format, ...)
{
    char message[384];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    json_t *error = jsonrpc_error(NULL, code, message, NULL);
    struct buffer text = {0};
    if (error != NULL && json_strict_dump(error, &text) == ASSAY_OK)
        http_respond(request, status, "application/json", text.data, text.length);
    else
        http_respond_error(request, status, message);
    json_decref(error);
    buffer_free(&text);
}

static void respond_json(struct http_request *request, unsigned status, json_t *message)
{
    struct buffer text = {0};
    if (json_write_compact(message, &text) == ASSAY_OK)
        http_respond(request, status, "application/json", text.data, text.length);
    else
        http_respond_error(request, 500, "out of memory");
    buffer_free(&text);
}

/* "event: message\ndata: TEXT\n\n" appended to out. */
static int format_event(const char *text, size_t length, struct buffer *out)
{
    static const char prefix[] = "event: message\ndata: ";
    int status = buffer_reserve(out, sizeof prefix + length + 2);
    if (status == ASSAY_OK)
        status = buffer_append(out, prefix, sizeof prefix - 1);
    if (status == ASSAY_OK)
        status = buffer_append(out, text, length);
    if (status == ASSAY_OK)
        status = buffer_append(out, "\n\n", 2);
    return status;
}

static int contains_token(const char *header, const char *token)
{
    return header != NULL && strcasestr(header, token) != NULL;
}

/* Host names that reach only this machine: localhost, 127.0.0.1, [::1],
 * with or without a port. */
static int is_loopback_host(const char *host, size_t length)
{
    const char *name = host, *rest;
    size_t name_length;
    if (length > 0 && host[0] == '[') {
        const char *close = memchr(host, ']', length);
        if (close == NULL)
            return 0;
        name = host + 1;
        name_length = (size_t)(close - name);
        rest = close + 1;
    } else {
        const char *colon = memchr(host, ':', length);
        name_length = colon != NULL ? (size_t)(colon - host) : length;
        rest = host + name_length;
    }
    const char *end = host + length;
    if (rest < end) {
        if (*rest != ':' || rest + 1 == end)
            return 0;
        for (const char *digit = rest + 1; digit < end; digit++)
            if (*digit < '0' || *digit > '9')
                return 0;
    }
    static const char *const names[] = {"localhost", "127.0.0.1", "::1"};
    for (size_t index = 0; index < 3; index++)
        if (strlen(names[index]) == name_length &&
            strncasecmp(name, names[index], name_length) == 0)
            return 1;
    return 0;
}

static int listed(char *const *list, size_t count, const char *value)
{
    for (size_t index = 0; index < count; index++)
        if (strcasecmp(list[index], value) == 0)
            return 1;
    return 0;
}

static int origin_allowed(const struct mcp_http_transport *transport, const char *origin)
{
    if (transport->options.allow_any_origin || origin == NULL)
        return 1;
    if (listed(transport->allowed_origins, transport->origin_count, origin))
        return 1;
    const char *host = NULL;
    if (strncasecmp(origin, "http://", 7) == 0)
        host = origin + 7;
    else if (strncasecmp(origin, "https://", 8) == 0)
        host = origin + 8;
    if (host == NULL)
        return 0; /* "null", file:, chrome-extension:, ... */
    size_t length = strlen(host);
    if (length > 0 && host[length - 1] == '/')
        length--;
    return is_loopback_host(host, length);
}

static int host_allowed(const struct mcp_http_transport *transport, const char *host)
{
    if (transport->options.allow_any_origin || !transport->loopback || host == NULL)
        return 1;
    if (listed(transport->allowed_hosts, transport->host_count, host))
        return 1;
    return is_loopback_host(host, strlen(host));
}

/* ---- request exchanges ------------------------------------------------------------ */

static void exchange_release(struct http_exchange *exchange)
{
    if (atomic_fetch_sub(&exchange->references, 1) == 1)
        assay_free(exchange);
}

static void exchange_stream_closed(void *context)
{
    struct http_exchange *exchange = context;
    atomic_store(&exchange->peer_gone, 1);
    exchange_release(exchange);
}

static int open_stream(struct http_exchange *exchange)
{
    if (exchange->stream != NULL)
        return ASSAY_OK;
    if (exchange->answered)
        return ASSAY_ERR_IO;
    exchange->stream = http_respond_stream(exchange->request, 200, "text/event-stream");
    if (exchange->stream == NULL) {
        exchange->answered = 1; /* http_respond_stream sent an error */
        return ASSAY_ERR_IO;
    }
    if (exchange->heap) {
        atomic_fetch_add(&exchange->references, 1);
        http_stream_on_close(exchange->stream, exchange_stream_closed, exchange);
    }
    return ASSAY_OK;
}

static int write_event(struct http_exchange *exchange, const char *text, size_t length)
{
    struct buffer event = {0};
    int status = format_event(text, length, &event);
    if (status == ASSAY_OK) {
        status = http_stream_write(exchange->stream, event.data, event.length);
        if (status != ASSAY_OK)
            atomic_store(&exchange->peer_gone, 1);
    }
    buffer_free(&event);
    return status;
}

static int exchange_send(struct mcp__exchange *base, const char *text, size_t length,
                         int is_request)
{
    struct http_exchange *exchange = (struct http_exchange *)base;
    int status = ASSAY_ERR_UNSUPPORTED; /* a client that takes only JSON hears only the answer */
    if (exchange->accepts_sse && (status = open_stream(exchange)) == ASSAY_OK)
        status = write_event(exchange, text, length);
    return status;
}

static void exchange_finish(struct mcp__exchange *base, const char *text, size_t length,
                            int success)
{
    struct http_exchange *exchange = (struct http_exchange *)base;
    if (exchange->initialize_session != NULL && text != NULL) {
        /* The session exists only if initialize succeeded. */
        if (success)
            http_request_add_response_header(exchange->request, "MCP-Session-Id",
                                             exchange->initialize_session->id);
        else
            mcp__session_close(exchange->initialize_session);
    }
    if (exchange->answered) {
        /* An error went out when the stream could not start. */
    } else if (exchange->stream != NULL || (text != NULL && !exchange->accepts_json)) {
        if (open_stream(exchange) == ASSAY_OK) {
            if (text != NULL)
                write_event(exchange, text, length);
            http_stream_close(exchange->stream);
            exchange->stream = NULL;
        }
    } else if (text != NULL) {
        http_respond(exchange->request, 200, "application/json", text, length);
    } else {
        /* The client cancelled: it expects nothing more on this request. */
        http_respond(exchange->request, 202, NULL, "", 0);
    }
    if (exchange->heap) {
        struct mcp_http_transport *transport = exchange->transport;
        pthread_mutex_lock(&transport->lock);
        transport->live_exchanges--;
        pthread_cond_broadcast(&transport->drained);
        pthread_mutex_unlock(&transport->lock);
        exchange_release(exchange);
    }
}

static int exchange_peer_gone(struct mcp__exchange *base)
{
    return atomic_load(&((struct http_exchange *)base)->peer_gone);
}

static struct mcp__exchange *exchange_detach(struct mcp__exchange *base);

static const struct mcp__exchange_ops exchange_operations = {
    .send = exchange_send,
    .finish = exchange_finish,
    .detach = exchange_detach,
    .peer_gone = exchange_peer_gone,
};

static struct mcp__exchange *exchange_detach(struct mcp__exchange *base)
{
    struct http_exchange *inline_exchange = (struct http_exchange *)base;
    struct mcp_http_transport *transport = inline_exchange->transport;
    struct http_exchange *exchange = assay_malloc(sizeof *exchange);
    if (exchange == NULL)
        return NULL;
    pthread_mutex_lock(&transport->lock);
    int stopping = transport->stopping;
    if (!stopping)
        transport->live_exchanges++;
    pthread_mutex_unlock(&transport->lock);
    if (stopping) {
        assay_free(exchange);
        return NULL;
    }
    memcpy(exchange, inline_exchange, sizeof *exchange);
    exchange->heap = 1;
    atomic_init(&exchange->references, 1);
    atomic_init(&exchange->peer_gone, 0);
    http_request_defer(exchange->request);
    return &exchange->base;
}

/* ---- the GET stream ------------------------------------------------------------------ */

static void standalone_release(struct standalone *standalone)
{
    if (atomic_fetch_sub(&standalone->references, 1) != 1)
        return;
    mcp__session_release(standalone->session);
    pthread_mutex_destroy(&standalone->lock);
    assay_free(standalone);
}

static void standalone_close_writer(struct standalone *standalone)
{
    pthread_mutex_lock(&standalone->lock);
    if (standalone->writer_open) {
        standalone->writer_open = 0;
        http_stream_close(standalone->stream);
    }
    pthread_mutex_unlock(&standalone->lock);
}

static int standalone_push(void *context, const char *text, size_t length)
{
    struct standalone *standalone = context;
    if (text == NULL) {
        /* The session is closing and lets go of us: end the stream. */
        standalone_close_writer(standalone);
        standalone_release(standalone);
        return ASSAY_OK;
    }
    struct buffer event = {0};
    int status = length == 0 ? buffer_append_string(&event, ": keep-alive\n\n")
                             : buffer_append_string(&event, "event: message\ndata: ");
    if (status == ASSAY_OK && length > 0) {
        status = buffer_append(&event, text, length);
        if (status == ASSAY_OK)
            status = buffer_append(&event, "\n\n", 2);
    }
    if (status == ASSAY_OK) {
        pthread_mutex_lock(&standalone->lock);
        status = standalone->writer_open
                     ? http_stream_write(standalone->stream, event.data, event.length)
                     : ASSAY_ERR_IO;
        pthread_mutex_unlock(&standalone->lock);
    }
    buffer_free(&event);
    return status;
}

static void standalone_closed(void *context)
{
    struct standalone *standalone = context;
    if (mcp__session_set_push(standalone->session, NULL, standalone) == ASSAY_OK)
        standalone_release(standalone); /* the push registration's reference */
    standalone_close_writer(standalone);
    standalone_release(standalone); /* the close callback's reference */
}

/* ---- method handlers ------------------------------------------------------------------ */

/* The session the request names, referenced; or NULL after answering 400
 * (no id) or 404 (unknown, ended or expired). */
/* The token of an `Authorization: Bearer T` header into out ("" without
 * one). ASSAY_ERR_INVALID for a token longer than MCP__BEARER_MAX. */
static int request_bearer(struct http_request *request, char out[MCP__BEARER_MAX + 1])
{
    const char *header = http_request_header(request, "Authorization");
    out[0] = '\0';
    if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0)
        return ASSAY_OK;
    const char *token = header + 7;
    while (*token == ' ')
        token++;
    size_t length = strcspn(token, " \t\r\n");
    if (length > MCP__BEARER_MAX)
        return ASSAY_ERR_INVALID;
    memcpy(out, token, length);
    out[length] = '\0';
    return ASSAY_OK;
}

static struct mcp__session *find_session(struct mcp_http_transport *transport,
                                         struct http_request *request, const char *id)
{
    if (id == NULL) {
        respond_error(request, 400, TRANSPORT_BAD_REQUEST,
                      "Bad Request: MCP-Session-Id header is required (send initialize first)");
        return NULL;
    }
    struct mcp__session *session = mcp__session_find(transport->server, id);
    if (session == NULL) {
        respond_error(request, 404, TRANSPORT_SESSION_NOT_FOUND,
                      "Session not found: it ended, expired or never existed; initialize again");
        return NULL;
    }
    char bearer[MCP__BEARER_MAX + 1];
    if (request_bearer(request, bearer) != ASSAY_OK || strcmp(bearer, session->bearer) != 0) {
        /* A session id seen by someone else must not open the episode it
         * belongs to: the session is bound to the credential it began with. */
        respond_error(request, 403, TRANSPORT_BAD_REQUEST,
                      "Forbidden: this session was opened with another Authorization");
        mcp__session_release(session);
        return NULL;
    }
    return session;
}

static void handle_post(struct mcp_http_transport *transport, struct http_request *request)
{
    const char *content_type = http_request_header(request, "Content-Type");
    if (content_type == NULL || strncasecmp(content_type, "application/json", 16) != 0) {
        respond_error(request, 415, TRANSPORT_BAD_REQUEST,
                      "Unsupported Media Type: Content-Type must be application/json");
        return;
    }
    const char *accept = http_request_header(request, "Accept");
    int accepts_json = accept == NULL || contains_token(accept, "application/json") ||
                       contains_token(accept, "*/*") || contains_token(accept, "application/*");
    int accepts_sse = accept == NULL || contains_token(accept, "text/event-stream") ||
                      contains_token(accept, "*/*") || contains_token(accept, "text/*");
    if (!accepts_json && !accepts_sse) {
        respond_error(request, 406, TRANSPORT_BAD_REQUEST,
                      "Not Acceptable: Accept must include application/json and text/event-stream");
        return;
    }
    const char *session_id = http_request_header(request, "MCP-Session-Id");
    const char *version = http_request_header(request, "MCP-Protocol-Version");
    size_t length = 0;
    const char *body = http_request_body(request, &length);

    struct jsonrpc_message message;
    json_t *error_response = NULL;
    if (jsonrpc_parse_request(body, length, MCP__MAX_JSON_DEPTH, &message, &error_response) !=
        ASSAY_OK) {
        const json_t *code = json_object_get(json_object_get(error_response, "error"), "code");
        if (json_integer_value(code) == JSONRPC_INVALID_REQUEST) {
            json_t *root = json_strict_parse(body, length, MCP__MAX_JSON_DEPTH, NULL);
            if (mcp__is_response(root)) {
                json_decref(error_response);
                struct mcp__session *session = find_session(transport, request, session_id);
                if (session != NULL) {
                    mcp__session_deliver_response(session, root);
                    mcp__session_release(session);
                    http_respond(request, 202, NULL, "", 0);
                } else {
                    json_decref(root);
                }
                return;
            }
            json_decref(root);
        }
        respond_json(request, 400, error_response);
        json_decref(error_response);
        return;
    }

    struct http_exchange exchange;
    memset(&exchange, 0, sizeof exchange);
    exchange.base.ops = &exchange_operations;
    exchange.transport = transport;
    exchange.request = request;
    exchange.accepts_json = accepts_json;
    exchange.accepts_sse = accepts_sse;
    atomic_init(&exchange.references, 1);
    atomic_init(&exchange.peer_gone, 0);

    if (strcmp(message.method, "initialize") == 0) {
        if (message.id == NULL) {
            respond_error(request, 400, JSONRPC_INVALID_REQUEST,
                          "initialize must be a request with an id");
        } else if (session_id != NULL) {
            respond_error(request, 400, JSONRPC_INVALID_REQUEST,
                          "Bad Request: initialize starts a new session and must not carry "
                          "MCP-Session-Id");
        } else {
            struct mcp__session *session = NULL;
            char bearer[MCP__BEARER_MAX + 1];
            int status = request_bearer(request, bearer);
            if (status != ASSAY_OK) {
                respond_error(request, 401, TRANSPORT_BAD_REQUEST,
                              "Unauthorized: the bearer token is longer than %d bytes", MCP__BEARER_MAX);
                jsonrpc_message_release(&message);
                return;
            }
            status = mcp__session_create(transport->server, 1, &session);
            if (status == ASSAY_OK)
                memcpy(session->bearer, bearer, sizeof session->bearer);
            if (status != ASSAY_OK) {
                respond_error(request, 503, TRANSPORT_BAD_REQUEST,
                              "Service Unavailable: %s; retry later",
                              status == ASSAY_ERR_LIMIT ? "every session slot is busy"
                                                        : assay_strerror(status));
            } else {
                session->owner = transport;
                exchange.initialize_session = session;
                mcp__dispatch(transport->server, session, &message, &exchange.base);
                mcp__session_release(session);
                return;
            }
        }
        jsonrpc_message_release(&message);
        return;
    }

    if (version != NULL && !mcp_protocol_version_supported(version)) {
        respond_error(request, 400, TRANSPORT_BAD_REQUEST,
                      "Bad Request: unsupported MCP-Protocol-Version %.40s (supported: 2025-11-25, "
                      "2025-06-18, 2025-03-26, 2024-11-05)",
                      version);
        jsonrpc_message_release(&message);
        return;
    }
    struct mcp__session *session = find_session(transport, request, session_id);
    if (session == NULL) {
        jsonrpc_message_release(&message);
        return;
    }
    if (mcp__dispatch(transport->server, session, &message, &exchange.base) == 0)
        http_respond(request, 202, NULL, "", 0);
    mcp__session_release(session);
}

static void handle_get(struct mcp_http_transport *transport, struct http_request *request)
{
    const char *accept = http_request_header(request, "Accept");
    if (!contains_token(accept, "text/event-stream") && !contains_token(accept, "*/*")) {
        respond_error(request, 406, TRANSPORT_BAD_REQUEST,
                      "Not Acceptable: a GET stream needs Accept: text/event-stream");
        return;
    }
    struct mcp__session *session =
        find_session(transport, request, http_request_header(request, "MCP-Session-Id"));
    if (session == NULL)
        return;
    pthread_mutex_lock(&session->lock);
    int taken = session->push != NULL;
    pthread_mutex_unlock(&session->lock);
    if (taken) {
        respond_error(request, 409, TRANSPORT_BAD_REQUEST,
                      "Conflict: this session already has a GET stream open");
        mcp__session_release(session);
        return;
    }
    struct standalone *standalone = assay_calloc(1, sizeof *standalone);
    if (standalone == NULL) {
        respond_error(request, 500, JSONRPC_INTERNAL_ERROR, "out of memory");
        mcp__session_release(session);
        return;
    }
    pthread_mutex_init(&standalone->lock, NULL);
    atomic_init(&standalone->references, 1); /* ours, for the rest of this function */
    standalone->session = session;           /* takes over the find reference */
    standalone->stream = http_respond_stream(request, 200, "text/event-stream");
    if (standalone->stream == NULL) {
        standalone_release(standalone);
        return;
    }
    standalone->writer_open = 1;
    if (mcp__session_set_push(session, standalone_push, standalone) == ASSAY_OK) {
        atomic_fetch_add(&standalone->references, 1); /* the push registration */
        atomic_fetch_add(&standalone->references, 1); /* the close callback */
        http_stream_on_close(standalone->stream, standalone_closed, standalone);
        standalone_push(standalone, "", 0); /* headers out now, not at the first event */
    } else {
        standalone_close_writer(standalone); /* lost a race with another GET */
    }
    standalone_release(standalone);
}

static void handle_delete(struct mcp_http_transport *transport, struct http_request *request)
{
    struct mcp__session *session =
        find_session(transport, request, http_request_header(request, "MCP-Session-Id"));
    if (session == NULL)
        return;
    mcp__session_close(session);
    mcp__session_release(session);
    http_respond(request, 200, NULL, "", 0);
}

static void handle_request(struct http_request *request, void *context)
{
    struct mcp_http_transport *transport = context;
    pthread_mutex_lock(&transport->lock);
    int stopping = transport->stopping;
    pthread_mutex_unlock(&transport->lock);
    if (stopping) {
        respond_error(request, 503, TRANSPORT_BAD_REQUEST, "Service Unavailable: shutting down");
        return;
    }
    const char *origin = http_request_header(request, "Origin");
    if (!origin_allowed(transport, origin)) {
        respond_error(request, 403, TRANSPORT_BAD_REQUEST,
                      "Forbidden: Origin %.100s is not allowed (DNS rebinding protection)", origin);
        return;
    }
    const char *host = http_request_header(request, "Host");
    if (!host_allowed(transport, host)) {
        respond_error(request, 403, TRANSPORT_BAD_REQUEST,
                      "Forbidden: Host %.100s is not allowed (DNS rebinding protection)", host);
        return;
    }
    const char *method = http_request_method(request);
    if (strcmp(method, "POST") == 0) {
        handle_post(transport, request);
    } else if (strcmp(method, "GET") == 0) {
        handle_get(transport, request);
    } else if (strcmp(method, "DELETE") == 0) {
        handle_delete(transport, request);
    } else {
        http_request_add_response_header(request, "Allow", "GET, POST, DELETE");
        respond_error(request, 405, TRANSPORT_BAD_REQUEST, "Method Not Allowed: %.20s", method);
    }
}

/* ---- lifecycle ------------------------------------------------------------------------- */

static void *maintenance_main(void *context)
{
    struct mcp_http_transport *transport = context;
    pthread_mutex_lock(&transport->lock);
    while (!transport->stopping) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += transport->options.keepalive_seconds;
        pthread_cond_timedwait(&transport->wake, &transport->lock, &deadline);
        if (transport->stopping)
            break;
        pthread_mutex_unlock(&transport->lock);
        mcp__session_keepalive(transport->server);
        mcp__session_sweep(transport->server);
        pthread_mutex_lock(&transport->lock);
    }
    pthread_mutex_unlock(&transport->lock);
    return NULL;
}

static int copy_list(const char *const *source, char ***out, size_t *count)
{
    size_t length = 0;
    while (source != NULL && source[length] != NULL)
        length++;
    *count = 0;
    *out = NULL;
    if (length == 0)
        return ASSAY_OK;
    char **copy = assay_calloc(length, sizeof *copy);
    if (copy == NULL)
        return ASSAY_ERR_NOMEM;
    *out = copy;
    for (size_t index = 0; index < length; index++) {
        copy[index] = assay_strdup(source[index]);
        if (copy[index] == NULL)
            return ASSAY_ERR_NOMEM;
        (*count)++;
    }
    return ASSAY_OK;
}

static void free_list(char **list, size_t count)
{
    for (size_t index = 0; index < count; index++)
        assay_free(list[index]);
    assay_free(list);
}

int mcp_http_transport_start(struct mcp_server *server, const struct mcp_http_options *options,
                             struct mcp_http_transport **out)
{
    struct mcp_http_transport *transport = assay_calloc(1, sizeof *transport);
    if (transport == NULL)
        return ASSAY_ERR_NOMEM;
    transport->server = server;
    if (options != NULL)
        transport->options = *options;
    struct mcp_http_options *own = &transport->options;
    own->bind_address = assay_strdup(own->bind_address != NULL ? own->bind_address : "127.0.0.1");
    own->path = assay_strdup(own->path != NULL ? own->path : "/mcp");
    if (own->keepalive_seconds == 0)
        own->keepalive_seconds = 15;
    if (own->idle_timeout_seconds == 0)
        own->idle_timeout_seconds = 60;
    if (own->max_streams_per_client == 0)
        own->max_streams_per_client = 1024;
    pthread_mutex_init(&transport->lock, NULL);
    pthread_cond_init(&transport->drained, NULL);
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&transport->wake, &attributes);
    pthread_condattr_destroy(&attributes);
    int status = ASSAY_OK;
    if (own->bind_address == NULL || own->path == NULL)
        status = ASSAY_ERR_NOMEM;
    if (status == ASSAY_OK)
        status = copy_list(options != NULL ? options->allowed_origins : NULL,
                           &transport->allowed_origins, &transport->origin_count);
    if (status == ASSAY_OK)
        status = copy_list(options != NULL ? options->allowed_hosts : NULL,
                           &transport->allowed_hosts, &transport->host_count);
    own->allowed_origins = NULL;
    own->allowed_hosts = NULL;
    if (status != ASSAY_OK)
        goto fail;
    transport->loopback = strncmp(own->bind_address, "127.", 4) == 0 ||
                          strcmp(own->bind_address, "::1") == 0 ||
                          strcmp(own->bind_address, "localhost") == 0;

    struct http_server_options http_options = {
        .bind_address = own->bind_address,
        .port = own->port,
        .max_body_bytes = own->max_body_bytes,
        .idle_timeout_seconds = own->idle_timeout_seconds,
        .threads = own->threads,
        .max_streams_per_client = own->max_streams_per_client,
    };
    status = http_server_new(&http_options, &transport->http);
    if (status == ASSAY_OK)
        status = http_server_route(transport->http, NULL, own->path, handle_request, transport);
    if (status == ASSAY_OK)
        status = http_server_start(transport->http);
    if (status != ASSAY_OK)
        goto fail;
    mcp__server_mark_started(server);
    if (pthread_create(&transport->maintenance, NULL, maintenance_main, transport) == 0)
        transport->maintenance_running = 1;
    else
        log_warning("mcp http: no maintenance thread; idle sessions expire only on lookup");
    *out = transport;
    return ASSAY_OK;
fail:
    mcp_http_transport_free(transport);
    return status;
}

unsigned short mcp_http_transport_port(const struct mcp_http_transport *transport)
{
    return http_server_port(transport->http);
}

void mcp_http_transport_free(struct mcp_http_transport *transport)
{
    if (transport == NULL)
        return;
    pthread_mutex_lock(&transport->lock);
    transport->stopping = 1;
    pthread_cond_broadcast(&transport->wake);
    pthread_mutex_unlock(&transport->lock);
    if (transport->maintenance_running)
        pthread_join(transport->maintenance, NULL);
    /* Cancel what runs, then wait for every worker answer: the HTTP server
     * must outlive the requests they answer. */
    mcp__session_close_owned(transport->server, transport);
    pthread_mutex_lock(&transport->lock);
    while (transport->live_exchanges > 0)
        pthread_cond_wait(&transport->drained, &transport->lock);
    pthread_mutex_unlock(&transport->lock);
    http_server_free(transport->http);
    /* Sessions an in-flight initialize created while we were stopping. */
    mcp__session_close_owned(transport->server, transport);
    free_list(transport->allowed_origins, transport->origin_count);
    free_list(transport->allowed_hosts, transport->host_count);
    assay_free((char *)transport->options.bind_address);
    assay_free((char *)transport->options.path);
    pthread_cond_destroy(&transport->wake);
    pthread_cond_destroy(&transport->drained);
    pthread_mutex_destroy(&transport->lock);
    assay_free(transport);
}
