/* client.h — the HTTP client: libcurl's multi interface on one event thread.
 *
 * Many transfers run concurrently on a single thread (connections are kept
 * alive and reused). A caller starts a call and either waits for it
 * (http_call_wait) or lets it run; streamed bodies are handed to on_data as
 * they arrive, on the client's thread, so an SSE parser can work
 * incrementally. http_client_fetch() is the blocking shorthand.
 *
 * Ownership: the client copies everything in struct http_client_request
 * (URL, headers, body). A struct http_call belongs to the caller, who frees
 * it with http_call_free() (which cancels it if still running). The
 * response inside a call belongs to the call.
 */
#ifndef ASSAY_HTTP_CLIENT_H
#define ASSAY_HTTP_CLIENT_H

#include <stddef.h>

#include "core/buffer.h"
#include "core/status.h"

struct http_client;
struct http_call;

struct http_client_request {
    const char *method;            /* default "GET", or "POST" when a body is given */
    const char *url;
    const char *const *headers;    /* "Name: value" strings, NULL-terminated; may be NULL */
    const char *body;
    size_t body_length;
    long timeout_ms;               /* whole transfer; 0 = none (streams) */
    long connect_timeout_ms;       /* default 10 s */
    long idle_timeout_ms;          /* abort when no byte arrives for this long; 0 = none */
    size_t max_response_bytes;     /* default 64 MiB, streamed or not; beyond: ASSAY_ERR_LIMIT.
                                      Long-lived streams should set it high. */
    /* When set, body bytes go here instead of into response.body. Runs on the
     * client thread; return nonzero to abort the transfer (status CANCELED). */
    int (*on_data)(const char *bytes, size_t length, void *context);
    /* With on_data: called once, before the first body bytes, with the
     * status and Content-Type (NULL when absent), so a stream reader can
     * tell an SSE stream from a JSON error. Nonzero aborts (CANCELED). */
    int (*on_response)(long http_status, const char *content_type, void *context);
    void *context;
};

struct http_client_response {
    int status;                  /* ASSAY_OK or why the transfer failed */
    char error_message[256];     /* a sentence when status != ASSAY_OK */
    long http_status;            /* e.g. 200; 0 if no response arrived */
    struct buffer body;
    struct buffer headers;       /* raw header lines of the final response */
};

int http_client_new(struct http_client **out);
/* Cancels outstanding calls (their waiters see ASSAY_ERR_CANCELED), joins the thread. */
void http_client_free(struct http_client *client);

int http_client_start(struct http_client *client, const struct http_client_request *request,
                      struct http_call **out);
/* Waits until the call finishes; returns its response (borrowed from the call). */
const struct http_client_response *http_call_wait(struct http_call *call);
/* Asks the call to stop; safe from any thread, including inside on_data. */
void http_call_cancel(struct http_call *call);
void http_call_free(struct http_call *call);

/* Blocking shorthand. `response` is filled and must be released with
 * http_client_response_free. Returns response->status. */
int http_client_fetch(struct http_client *client, const struct http_client_request *request,
                      struct http_client_response *response);
void http_client_response_free(struct http_client_response *response);

/* A response header's value, copied into `out` (case-insensitive name).
 * Returns 1 when found. */
int http_client_response_header(const struct http_client_response *response, const char *name,
                                char *out, size_t size);

#endif
