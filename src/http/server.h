/* server.h — the HTTP server (libmicrohttpd, epoll, suspend/resume).
 *
 * Routes map (method, path) to a handler. A handler runs on one of the
 * server's event threads and must not block; it answers in one of three ways:
 *   - http_respond() before returning (the common case);
 *   - http_request_defer() and, later and from any thread, http_respond()
 *     (used by blocking A2A SendMessage while an executor works);
 *   - http_respond_stream(), then http_stream_write() from any thread and
 *     http_stream_close() when done (SSE).
 * No thread spins or polls while waiting: waiting connections are suspended
 * in libmicrohttpd and resumed by the writer.
 *
 * Ownership: the server owns every struct http_request; a request stays valid
 * until it is answered (for a deferred request, until http_respond() returns).
 * A struct http_stream is reference-counted: the caller of
 * http_respond_stream() owns one reference and gives it up with
 * http_stream_close(). Strings returned by accessors are borrowed from the
 * request.
 */
#ifndef ASSAY_HTTP_SERVER_H
#define ASSAY_HTTP_SERVER_H

#include <stddef.h>

struct http_server;
struct http_request;
struct http_stream;

struct http_server_options {
    const char *bind_address;         /* default "127.0.0.1" (never all interfaces by accident) */
    unsigned short port;              /* 0 picks a free port; see http_server_port() */
    size_t max_body_bytes;            /* default 4 MiB; larger bodies get 413 */
    unsigned idle_timeout_seconds;    /* default 30; a silent client is dropped */
    unsigned threads;                 /* event threads, default 1 */
    unsigned max_streams_per_client;  /* concurrent open streams per client address, default 32;
                                         429 beyond. Every local client shares 127.0.0.1, so
                                         servers for many local peers raise it */
    size_t max_header_bytes;          /* default 16 KiB per connection for headers: libmicrohttpd
                                         zeroes this pool after every request, so a
                                         smaller one is measurably faster (bench/) */
    size_t max_stream_buffer_bytes;   /* default 8 MiB queued per stream; a client that
                                         does not read is dropped beyond it */
};

typedef void (*http_handler)(struct http_request *request, void *context);

int http_server_new(const struct http_server_options *options, struct http_server **out);
/* method NULL matches any method. A path ending in '*' matches by prefix.
 * Routes must be added before http_server_start(). */
int http_server_route(struct http_server *server, const char *method, const char *path,
                      http_handler handler, void *context);
int http_server_start(struct http_server *server);
unsigned short http_server_port(const struct http_server *server);
/* Stops accepting, closes connections and frees the server. NULL is fine.
 * Deferred requests and streams still held by their owners become inert: a
 * later http_respond()/http_stream_write() on them returns ASSAY_ERR_IO. */
void http_server_free(struct http_server *server);

const char *http_request_method(const struct http_request *request);
const char *http_request_path(const struct http_request *request);
/* Case-insensitive header lookup; NULL when absent. Headers and query
 * arguments live in libmicrohttpd's connection, so both accessors answer
 * only while the handler runs: after http_request_defer() they return NULL.
 * Copy what a deferred answer will need before deferring. */
const char *http_request_header(const struct http_request *request, const char *name);
const char *http_request_query(const struct http_request *request, const char *name);
const char *http_request_body(const struct http_request *request, size_t *length);
/* The client's address as text (for per-client limits and logs). */
const char *http_request_client(const struct http_request *request);

/* Adds a header to the response this request will get. Call before responding. */
int http_request_add_response_header(struct http_request *request, const char *name,
                                     const char *value);

/* Sends a response; the body is copied. Returns ASSAY_ERR_STATE if the
 * request was already answered, ASSAY_ERR_IO if its connection is gone. */
int http_respond(struct http_request *request, unsigned status, const char *content_type,
                 const char *body, size_t length);
/* Convenience for small JSON error bodies: {"error": message}. */
int http_respond_error(struct http_request *request, unsigned status, const char *message);

/* Promise to answer later (possibly from another thread). */
void http_request_defer(struct http_request *request);

/* Starts a streamed response (chunked). NULL on failure, in which case an
 * error response has already been sent (429 when the per-client stream limit
 * is reached). */
struct http_stream *http_respond_stream(struct http_request *request, unsigned status,
                                        const char *content_type);
/* Thread-safe. ASSAY_ERR_IO once the client has gone away; ASSAY_ERR_LIMIT
 * when the client reads too slowly and the queue would pass
 * max_stream_buffer_bytes (the stream is then ended). */
int http_stream_write(struct http_stream *stream, const void *bytes, size_t length);
/* 1 when the client has disconnected (writes are pointless). */
int http_stream_peer_closed(struct http_stream *stream);
/* Called once, from an event thread, when the client goes away or the stream
 * finishes; must not call back into the stream. */
void http_stream_on_close(struct http_stream *stream, void (*callback)(void *context),
                          void *context);
/* Ends the response after the queued bytes and gives up the caller's reference. */
void http_stream_close(struct http_stream *stream);

#endif
