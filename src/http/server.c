/* server.c — HTTP server on libmicrohttpd.
 *
 * Threading: libmicrohttpd runs `threads` event threads, each with its own
 * epoll set. Handlers run on those threads. Anything that answers later
 * (deferred requests, streams) suspends the connection and resumes it from
 * the writer's thread; libmicrohttpd's inter-thread channel wakes the event
 * thread, so nothing polls.
 *
 * Lifetime: a request has two references, one held by libmicrohttpd (given
 * up in the completion callback) and one held by the handler side (given up
 * when the request is answered). A stream likewise has one reference for the
 * libmicrohttpd response and one for its writer.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"

#define STREAM_BLOCK_BYTES (16 * 1024)
#define DISCARD_LIMIT (64ull << 20)
#define MAX_RESPONSE_HEADERS 8

struct route {
    char *method;
    char *path;
    size_t prefix_length; /* nonzero when the route matches by prefix */
    http_handler handler;
    void *context;
};

struct client_count {
    struct client_count *next;
    char address[INET6_ADDRSTRLEN];
    unsigned streams;
};

struct http_server {
    struct http_server_options options;
    struct MHD_Daemon *daemon;
    struct route *routes;
    size_t route_count;
    pthread_mutex_t lock; /* guards live_requests, clients, stopping */
    struct http_request *live_requests;
    struct client_count *clients;
    int stopping;
};

enum request_state {
    REQUEST_READING,   /* body still arriving */
    REQUEST_HANDLING,  /* inside the handler */
    REQUEST_DEFERRED,  /* handler returned without answering; connection suspended */
    REQUEST_ANSWERED,  /* a response is pending or queued */
};

struct response_header {
    char *name;
    char *value;
};

struct http_request {
    struct http_server *server;
    struct MHD_Connection *connection;
    struct http_request *previous, *next; /* in server->live_requests */
    pthread_mutex_t lock;
    atomic_int references;
    enum request_state state;
    int suspended;
    int body_too_large;
    unsigned long long discarded; /* bytes of an oversized body read and dropped */
    int connection_gone;
    char *method;
    char *path;
    char client[INET6_ADDRSTRLEN];
    char *body;
    size_t body_length;
    struct MHD_Response *pending; /* built by http_respond, queued by the event thread */
    unsigned pending_status;
    struct response_header headers[MAX_RESPONSE_HEADERS];
    size_t header_count;
    struct http_stream *stream;
};

struct http_stream {
    pthread_mutex_t lock;
    atomic_int references;
    struct MHD_Connection *connection; /* NULL once the request completed */
    struct http_server *server;        /* for the per-client count; NULL once released */
    char client[INET6_ADDRSTRLEN];
    char *data;
    size_t length, capacity, read_offset;
    size_t max_buffer_bytes;
    int suspended;
    int writer_closed;
    int peer_closed;
    void (*on_close)(void *context);
    void *on_close_context;
};

/* ---- requests ---------------------------------------------------------- */

static void request_release(struct http_request *request)
{
    if (atomic_fetch_sub(&request->references, 1) != 1)
        return;
    if (request->pending != NULL)
        MHD_destroy_response(request->pending);
    for (size_t index = 0; index < request->header_count; index++) {
        assay_free(request->headers[index].name);
        assay_free(request->headers[index].value);
    }
    pthread_mutex_destroy(&request->lock);
    assay_free(request->method);
    assay_free(request->path);
    assay_free(request->body);
    assay_free(request);
}

const char *http_request_method(const struct http_request *request) { return request->method; }
const char *http_request_path(const struct http_request *request) { return request->path; }
const char *http_request_client(const struct http_request *request) { return request->client; }

const char *http_request_header(const struct http_request *request, const char *name)
{
    if (request->connection == NULL || request->state != REQUEST_HANDLING)
        return NULL;
    return MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND, name);
}

const char *http_request_query(const struct http_request *request, const char *name)
{
    if (request->connection == NULL || request->state != REQUEST_HANDLING)
        return NULL;
    return MHD_lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_request_body(const struct http_request *request, size_t *length)
{
    if (length != NULL)
        *length = request->body_length;
    return request->body != NULL ? request->body : "";
}

int http_request_add_response_header(struct http_request *request, const char *name,
                                     const char *value)
{
    if (request->header_count == MAX_RESPONSE_HEADERS)
        return ASSAY_ERR_LIMIT;
    char *name_copy = assay_strdup(name), *value_copy = assay_strdup(value);
    if (name_copy == NULL || value_copy == NULL) {
        assay_free(name_copy);
        assay_free(value_copy);
        return ASSAY_ERR_NOMEM;
    }
    request->headers[request->header_count].name = name_copy;
    request->headers[request->header_count].value = value_copy;
    request->header_count++;
    return ASSAY_OK;
}

static int response_add_headers(struct http_request *request, struct MHD_Response *response,
                                const char *content_type)
{
    if (content_type != NULL &&
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) != MHD_YES)
        return ASSAY_ERR_NOMEM;
    for (size_t index = 0; index < request->header_count; index++)
        if (MHD_add_response_header(response, request->headers[index].name,
                                    request->headers[index].value) != MHD_YES)
            return ASSAY_ERR_INVALID;
    return ASSAY_OK;
}

/* Hands a built response to the event thread. Consumes `response` and, for
 * a deferred request, the handler side's reference. */
static int request_answer(struct http_request *request, unsigned status,
                          struct MHD_Response *response)
{
    pthread_mutex_lock(&request->lock);
    if (request->state == REQUEST_ANSWERED || request->connection_gone) {
        int gone = request->connection_gone;
        int was_deferred = request->state == REQUEST_DEFERRED;
        pthread_mutex_unlock(&request->lock);
        MHD_destroy_response(response);
        if (was_deferred)
            request_release(request);
        return gone ? ASSAY_ERR_IO : ASSAY_ERR_STATE;
    }
    int was_deferred = request->state == REQUEST_DEFERRED;
    request->pending = response;
    request->pending_status = status;
    request->state = REQUEST_ANSWERED;
    if (request->suspended) {
        request->suspended = 0;
        MHD_resume_connection(request->connection);
    }
    pthread_mutex_unlock(&request->lock);
    if (was_deferred)
        request_release(request);
    return ASSAY_OK;
}

/* When no answer can be built (out of memory), a deferred request must
 * still end: its connection is resumed with nothing to send, which makes the
 * event thread close it, and the handler side's reference is released. */
static void request_abandon(struct http_request *request)
{
    pthread_mutex_lock(&request->lock);
    int was_deferred = request->state == REQUEST_DEFERRED;
    if (request->state != REQUEST_ANSWERED) {
        request->state = REQUEST_ANSWERED;
        if (request->suspended) {
            request->suspended = 0;
            MHD_resume_connection(request->connection);
        }
    }
    pthread_mutex_unlock(&request->lock);
    if (was_deferred)
        request_release(request);
}

int http_respond(struct http_request *request, unsigned status, const char *content_type,
                 const char *body, size_t length)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(length, (void *)body, MHD_RESPMEM_MUST_COPY);
    int result = response != NULL ? response_add_headers(request, response, content_type) : ASSAY_ERR_NOMEM;
    if (result != ASSAY_OK) {
        if (response != NULL)
            MHD_destroy_response(response);
        request_abandon(request);
        return result;
    }
    return request_answer(request, status, response);
}

int http_respond_error(struct http_request *request, unsigned status, const char *message)
{
    /* Messages are ours, but escape quotes and backslashes anyway so a path
     * echoed into a message cannot break the JSON. */
    char body[512];
    size_t used = 0;
    const char prefix[] = "{\"error\":\"";
    memcpy(body, prefix, sizeof prefix - 1);
    used = sizeof prefix - 1;
    for (const char *cursor = message; *cursor != '\0' && used < sizeof body - 8; cursor++) {
        unsigned char character = (unsigned char)*cursor;
        if (character == '"' || character == '\\')
            body[used++] = '\\';
        body[used++] = character < 0x20 ? ' ' : (char)character;
    }
    memcpy(body + used, "\"}", 2);
    used += 2;
    return http_respond(request, status, "application/json", body, used);
}

void http_request_defer(struct http_request *request)
{
    pthread_mutex_lock(&request->lock);
    if (request->state == REQUEST_HANDLING) {
        request->state = REQUEST_DEFERRED;
        atomic_fetch_add(&request->references, 1); /* the handler side's, released on answer */
    }
    pthread_mutex_unlock(&request->lock);
}

/* ---- streams ----------------------------------------------------------- */

static void stream_release(struct http_stream *stream)
{
    if (atomic_fetch_sub(&stream->references, 1) != 1)
        return;
    pthread_mutex_destroy(&stream->lock);
    assay_free(stream->data);
    assay_free(stream);
}

static void client_streams_adjust(struct http_server *server, const char *client, int delta,
                                  int *allowed)
{
    pthread_mutex_lock(&server->lock);
    struct client_count *entry = server->clients;
    while (entry != NULL && strcmp(entry->address, client) != 0)
        entry = entry->next;
    if (entry == NULL && delta > 0) {
        entry = assay_calloc(1, sizeof *entry);
        if (entry != NULL) {
            memcpy(entry->address, client, sizeof entry->address);
            entry->next = server->clients;
            server->clients = entry;
        }
    }
    if (allowed != NULL)
        *allowed = entry != NULL && entry->streams < server->options.max_streams_per_client;
    if (entry != NULL) {
        if (delta > 0 && (allowed == NULL || *allowed))
            entry->streams++;
        else if (delta < 0 && entry->streams > 0)
            entry->streams--;
    }
    pthread_mutex_unlock(&server->lock);
}

static ssize_t stream_read(void *context, uint64_t position, char *destination, size_t capacity)
{
    struct http_stream *stream = context;
    ssize_t produced = 0;
    pthread_mutex_lock(&stream->lock);
    size_t available = stream->length - stream->read_offset;
    if (available > 0) {
        size_t count = available < capacity ? available : capacity;
        memcpy(destination, stream->data + stream->read_offset, count);
        stream->read_offset += count;
        if (stream->read_offset == stream->length)
            stream->read_offset = stream->length = 0;
        produced = (ssize_t)count;
    } else if (stream->writer_closed || stream->peer_closed) {
        produced = MHD_CONTENT_READER_END_OF_STREAM;
    } else if (stream->connection != NULL) {
        /* Nothing to send yet: park the connection instead of being asked
         * again in a loop; http_stream_write() resumes it. */
        stream->suspended = 1;
        MHD_suspend_connection(stream->connection);
    }
    pthread_mutex_unlock(&stream->lock);
    return produced;
}

static void stream_response_freed(void *context) { stream_release(context); }

struct http_stream *http_respond_stream(struct http_request *request, unsigned status,
                                        const char *content_type)
{
    int allowed = 0;
    client_streams_adjust(request->server, request->client, +1, &allowed);
    if (!allowed) {
        http_respond_error(request, 429, "too many concurrent streams from this client");
        return NULL;
    }
    struct http_stream *stream = assay_calloc(1, sizeof *stream);
    if (stream == NULL)
        goto fail;
    pthread_mutex_init(&stream->lock, NULL);
    atomic_init(&stream->references, 2); /* the response's and the writer's */
    stream->connection = request->connection;
    stream->server = request->server;
    stream->max_buffer_bytes = request->server->options.max_stream_buffer_bytes;
    memcpy(stream->client, request->client, sizeof stream->client);
    struct MHD_Response *response = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, STREAM_BLOCK_BYTES, stream_read, stream, stream_response_freed);
    if (response == NULL) {
        pthread_mutex_destroy(&stream->lock);
        assay_free(stream);
        goto fail;
    }
    response_add_headers(request, response, content_type);
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    /* Hold the request while answering: for a deferred request,
     * request_answer() gives up the handler's reference, which may be the
     * last one when the connection is already gone. */
    atomic_fetch_add(&request->references, 1);
    struct http_server *server = request->server;
    pthread_mutex_lock(&request->lock);
    request->stream = stream;
    pthread_mutex_unlock(&request->lock);
    if (request_answer(request, status, response) != ASSAY_OK) {
        /* request_answer destroyed the response, which released one reference. */
        pthread_mutex_lock(&request->lock);
        request->stream = NULL;
        pthread_mutex_unlock(&request->lock);
        client_streams_adjust(server, stream->client, -1, NULL);
        stream_release(stream);
        request_release(request);
        return NULL;
    }
    request_release(request);
    return stream;
fail:
    client_streams_adjust(request->server, request->client, -1, NULL);
    http_respond_error(request, 500, "out of memory");
    return NULL;
}

int http_stream_write(struct http_stream *stream, const void *bytes, size_t length)
{
    int status = ASSAY_OK;
    pthread_mutex_lock(&stream->lock);
    if (stream->peer_closed || stream->writer_closed) {
        status = ASSAY_ERR_IO;
    } else if (stream->length - stream->read_offset + length > stream->max_buffer_bytes) {
        /* The client is not reading. Ending the stream beats buffering
         * without bound for a peer that may never come back. */
        stream->writer_closed = 1;
        status = ASSAY_ERR_LIMIT;
        if (stream->suspended && stream->connection != NULL) {
            stream->suspended = 0;
            MHD_resume_connection(stream->connection);
        }
    } else {
        size_t needed = stream->length + length;
        if (needed > stream->capacity) {
            size_t capacity = stream->capacity < 1024 ? 1024 : stream->capacity;
            while (capacity < needed)
                capacity *= 2;
            char *data = assay_realloc(stream->data, capacity);
            if (data == NULL) {
                status = ASSAY_ERR_NOMEM;
                goto done;
            }
            stream->data = data;
            stream->capacity = capacity;
        }
        memcpy(stream->data + stream->length, bytes, length);
        stream->length += length;
        if (stream->suspended && stream->connection != NULL) {
            stream->suspended = 0;
            MHD_resume_connection(stream->connection);
        }
    }
done:
    pthread_mutex_unlock(&stream->lock);
    return status;
}

int http_stream_peer_closed(struct http_stream *stream)
{
    pthread_mutex_lock(&stream->lock);
    int closed = stream->peer_closed;
    pthread_mutex_unlock(&stream->lock);
    return closed;
}

void http_stream_on_close(struct http_stream *stream, void (*callback)(void *context),
                          void *context)
{
    pthread_mutex_lock(&stream->lock);
    int already = stream->peer_closed;
    if (!already) {
        stream->on_close = callback;
        stream->on_close_context = context;
    }
    pthread_mutex_unlock(&stream->lock);
    if (already && callback != NULL)
        callback(context);
}

void http_stream_close(struct http_stream *stream)
{
    if (stream == NULL)
        return;
    pthread_mutex_lock(&stream->lock);
    stream->writer_closed = 1;
    if (stream->suspended && stream->connection != NULL) {
        stream->suspended = 0;
        MHD_resume_connection(stream->connection);
    }
    pthread_mutex_unlock(&stream->lock);
    stream_release(stream);
}

/* ---- libmicrohttpd callbacks -------------------------------------------- */

static const struct route *route_find(const struct http_server *server, const char *method,
                                      const char *path)
{
    for (size_t index = 0; index < server->route_count; index++) {
        const struct route *route = &server->routes[index];
        if (route->method != NULL && strcmp(route->method, method) != 0)
            continue;
        if (route->prefix_length > 0 ? strncmp(route->path, path, route->prefix_length) == 0
                                     : strcmp(route->path, path) == 0)
            return route;
    }
    return NULL;
}

static int path_is_known(const struct http_server *server, const char *path)
{
    for (size_t index = 0; index < server->route_count; index++) {
        const struct route *route = &server->routes[index];
        if (route->prefix_length > 0 ? strncmp(route->path, path, route->prefix_length) == 0
                                     : strcmp(route->path, path) == 0)
            return 1;
    }
    return 0;
}

static void client_address(struct MHD_Connection *connection, char *out, size_t size)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (info == NULL || info->client_addr == NULL)
        return;
    const struct sockaddr *address = info->client_addr;
    if (address->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, out, (socklen_t)size);
    else if (address->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, out,
                  (socklen_t)size);
}

static struct http_request *request_new(struct http_server *server,
                                        struct MHD_Connection *connection, const char *method,
                                        const char *path)
{
    struct http_request *request = assay_calloc(1, sizeof *request);
    if (request == NULL)
        return NULL;
    request->method = assay_strdup(method);
    request->path = assay_strdup(path);
    if (request->method == NULL || request->path == NULL) {
        assay_free(request->method);
        assay_free(request->path);
        assay_free(request);
        return NULL;
    }
    pthread_mutex_init(&request->lock, NULL);
    atomic_init(&request->references, 1);
    request->server = server;
    request->connection = connection;
    request->state = REQUEST_READING;
    client_address(connection, request->client, sizeof request->client);
    pthread_mutex_lock(&server->lock);
    request->next = server->live_requests;
    if (server->live_requests != NULL)
        server->live_requests->previous = request;
    server->live_requests = request;
    pthread_mutex_unlock(&server->lock);
    return request;
}

static enum MHD_Result queue_pending(struct http_request *request)
{
    struct MHD_Response *response = request->pending;
    request->pending = NULL;
    enum MHD_Result result =
        MHD_queue_response(request->connection, request->pending_status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result access_handler(void *context, struct MHD_Connection *connection,
                                      const char *url, const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **request_context)
{
    struct http_server *server = context;
    struct http_request *request = *request_context;

    if (request == NULL) {
        request = request_new(server, connection, method, url);
        if (request == NULL)
            return MHD_NO;
        *request_context = request;
        const char *declared =
            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long declared_length = declared != NULL ? strtoull(declared, NULL, 10) : 0;
        if (declared_length > server->options.max_body_bytes)
            request->body_too_large = 1;
        /* A body up to DISCARD_LIMIT is read and dropped before the 413, so
         * that clients which send before they read see the answer rather
         * than a broken pipe; beyond it, answering at once and closing
         * beats reading that much for nothing. */
        if (declared_length <= DISCARD_LIMIT)
            return MHD_YES;
    }

    if (request->state == REQUEST_READING && *upload_data_size > 0 && request->body_too_large) {
        request->discarded += *upload_data_size;
        *upload_data_size = 0;
        if (request->discarded <= DISCARD_LIMIT)
            return MHD_YES;
    } else if (request->state == REQUEST_READING && *upload_data_size > 0) {
        size_t size = *upload_data_size;
        if (request->body_length + size > server->options.max_body_bytes) {
            request->body_too_large = 1;
            request->discarded = request->body_length + size;
            *upload_data_size = 0;
            if (request->discarded <= DISCARD_LIMIT)
                return MHD_YES;
        } else {
            char *body = assay_realloc(request->body, request->body_length + size + 1);
            if (body == NULL)
                return MHD_NO;
            memcpy(body + request->body_length, upload_data, size);
            request->body = body;
            request->body_length += size;
            request->body[request->body_length] = '\0';
            *upload_data_size = 0;
            return MHD_YES;
        }
    }

    if (request->state == REQUEST_READING) {
        request->state = REQUEST_HANDLING;
        if (request->body_too_large) {
            /* Answer at once (the rest of the body is not read) and close. */
            *upload_data_size = 0;
            char message[128];
            snprintf(message, sizeof message, "request body larger than the limit of %zu bytes",
                     server->options.max_body_bytes);
            if (request->discarded > DISCARD_LIMIT || request->discarded == 0)
                http_request_add_response_header(request, MHD_HTTP_HEADER_CONNECTION, "close");
            http_respond_error(request, 413, message);
        } else {
            const struct route *route = route_find(server, method, url);
            if (route != NULL)
                route->handler(request, route->context);
            else if (path_is_known(server, url))
                http_respond_error(request, 405, "method not allowed on this path");
            else
                http_respond_error(request, 404, "no such path");
        }
        pthread_mutex_lock(&request->lock);
        if (request->state == REQUEST_HANDLING) {
            pthread_mutex_unlock(&request->lock);
            log_error("handler for %s %s returned without answering", method, url);
            http_respond_error(request, 500, "internal error: no response");
            pthread_mutex_lock(&request->lock);
        }
        if (request->state == REQUEST_DEFERRED) {
            request->suspended = 1;
            MHD_suspend_connection(connection);
            pthread_mutex_unlock(&request->lock);
            return MHD_YES;
        }
        pthread_mutex_unlock(&request->lock);
        if (request->pending == NULL)
            return MHD_NO; /* abandoned: no answer could be built */
        return queue_pending(request);
    }

    /* Called again after a resume: the deferred answer is ready. */
    *upload_data_size = 0;
    pthread_mutex_lock(&request->lock);
    /* No pending answer after a resume means the server is stopping: close. */
    enum MHD_Result result = MHD_NO;
    if (request->pending != NULL)
        result = queue_pending(request);
    pthread_mutex_unlock(&request->lock);
    return result;
}

static void request_completed(void *context, struct MHD_Connection *connection,
                              void **request_context, enum MHD_RequestTerminationCode code)
{
    struct http_server *server = context;
    struct http_request *request = *request_context;
    if (request == NULL)
        return;
    *request_context = NULL;

    pthread_mutex_lock(&server->lock);
    if (request->previous != NULL)
        request->previous->next = request->next;
    else
        server->live_requests = request->next;
    if (request->next != NULL)
        request->next->previous = request->previous;
    pthread_mutex_unlock(&server->lock);

    pthread_mutex_lock(&request->lock);
    request->connection_gone = 1;
    request->connection = NULL;
    struct http_stream *stream = request->stream;
    pthread_mutex_unlock(&request->lock);

    if (stream != NULL) {
        pthread_mutex_lock(&stream->lock);
        stream->peer_closed = 1;
        stream->connection = NULL;
        void (*callback)(void *) = stream->on_close;
        void *callback_context = stream->on_close_context;
        stream->on_close = NULL;
        pthread_mutex_unlock(&stream->lock);
        client_streams_adjust(server, stream->client, -1, NULL);
        if (callback != NULL)
            callback(callback_context);
    }
    request_release(request);
}

static void log_from_daemon(void *context, const char *format, va_list arguments)
{
    if (log_get_level() > LOG_DEBUG)
        return;
    char line[512];
    vsnprintf(line, sizeof line, format, arguments);
    size_t length = strlen(line);
    if (length > 0 && line[length - 1] == '\n')
        line[length - 1] = '\0';
    log_debug("http: %s", line);
}

/* ---- server ------------------------------------------------------------ */

int http_server_new(const struct http_server_options *options, struct http_server **out)
{
    struct http_server *server = assay_calloc(1, sizeof *server);
    if (server == NULL)
        return ASSAY_ERR_NOMEM;
    if (options != NULL)
        server->options = *options;
    if (server->options.bind_address == NULL)
        server->options.bind_address = "127.0.0.1";
    if (server->options.max_body_bytes == 0)
        server->options.max_body_bytes = 4u << 20;
    if (server->options.idle_timeout_seconds == 0)
        server->options.idle_timeout_seconds = 30;
    if (server->options.threads == 0)
        server->options.threads = 1;
    if (server->options.max_streams_per_client == 0)
        server->options.max_streams_per_client = 32;
    if (server->options.max_header_bytes == 0)
        server->options.max_header_bytes = 16u << 10;
    if (server->options.max_stream_buffer_bytes == 0)
        server->options.max_stream_buffer_bytes = 8u << 20;
    pthread_mutex_init(&server->lock, NULL);
    *out = server;
    return ASSAY_OK;
}

int http_server_route(struct http_server *server, const char *method, const char *path,
                      http_handler handler, void *context)
{
    struct route *routes =
        assay_realloc(server->routes, (server->route_count + 1) * sizeof *routes);
    if (routes == NULL)
        return ASSAY_ERR_NOMEM;
    server->routes = routes;
    struct route *route = &routes[server->route_count];
    memset(route, 0, sizeof *route);
    route->method = method != NULL ? assay_strdup(method) : NULL;
    route->path = assay_strdup(path);
    if (route->path == NULL || (method != NULL && route->method == NULL)) {
        assay_free(route->method);
        assay_free(route->path);
        return ASSAY_ERR_NOMEM;
    }
    size_t length = strlen(path);
    if (length > 0 && path[length - 1] == '*') {
        route->path[length - 1] = '\0';
        route->prefix_length = length - 1;
    }
    route->handler = handler;
    route->context = context;
    server->route_count++;
    return ASSAY_OK;
}

int http_server_start(struct http_server *server)
{
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_port = htons(server->options.port);
    if (inet_pton(AF_INET, server->options.bind_address, &address.sin_addr) != 1) {
        log_error("bind address '%s' is not an IPv4 address", server->options.bind_address);
        return ASSAY_ERR_INVALID;
    }
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                         MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem pool[] = {
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)server->options.threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    server->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, access_handler, server, MHD_OPTION_SOCK_ADDR, &address,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)server->options.idle_timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)server->options.max_header_bytes,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, server, MHD_OPTION_EXTERNAL_LOGGER,
        log_from_daemon, server, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
        MHD_OPTION_ARRAY, server->options.threads > 1 ? pool : pool + 1, MHD_OPTION_END);
    if (server->daemon == NULL) {
        log_error("cannot listen on %s:%u (port in use or not permitted)",
                  server->options.bind_address, server->options.port);
        return ASSAY_ERR_IO;
    }
    return ASSAY_OK;
}

unsigned short http_server_port(const struct http_server *server)
{
    if (server->daemon == NULL)
        return 0;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info != NULL ? info->port : 0;
}

void http_server_free(struct http_server *server)
{
    if (server == NULL)
        return;
    if (server->daemon != NULL) {
        /* Wake every parked connection so libmicrohttpd can close it: deferred
         * requests get 503, streams end. */
        pthread_mutex_lock(&server->lock);
        server->stopping = 1;
        for (struct http_request *request = server->live_requests; request != NULL;
             request = request->next) {
            pthread_mutex_lock(&request->lock);
            struct http_stream *stream = request->stream;
            if (request->suspended) {
                request->suspended = 0;
                request->connection_gone = 1;
                MHD_resume_connection(request->connection);
            }
            pthread_mutex_unlock(&request->lock);
            if (stream != NULL) {
                pthread_mutex_lock(&stream->lock);
                stream->writer_closed = 1;
                if (stream->suspended && stream->connection != NULL) {
                    stream->suspended = 0;
                    MHD_resume_connection(stream->connection);
                }
                pthread_mutex_unlock(&stream->lock);
            }
        }
        pthread_mutex_unlock(&server->lock);
        MHD_stop_daemon(server->daemon);
    }
    for (size_t index = 0; index < server->route_count; index++) {
        assay_free(server->routes[index].method);
        assay_free(server->routes[index].path);
    }
    assay_free(server->routes);
    while (server->clients != NULL) {
        struct client_count *next = server->clients->next;
        assay_free(server->clients);
        server->clients = next;
    }
    pthread_mutex_destroy(&server->lock);
    assay_free(server);
}
