/* client_http.c — the client's Streamable HTTP transport.
 *
 * Each request is one POST. The answer is either one JSON object or an SSE
 * stream; which one is decided from the first body byte ('{' is JSON, an
 * SSE stream starts with a field name, a comment or a blank line), so the
 * body can be parsed as it arrives without waiting for headers. SSE events
 * are routed as they come: notifications to the caller's callback, server
 * requests to on_request, whose answers are POSTed back at once without
 * blocking the I/O thread; the transfer stops at the awaited response.
 *
 * The session id from the initialize answer goes on every later request,
 * with MCP-Protocol-Version. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"
#include "http/client.h"
#include "http/sse.h"
#include "jsonrpc/json_strict.h"
#include "mcp/client_internal.h"

#define MAX_RESPONSE_BYTES (64u << 20)

struct listener;

struct http_side {
    struct http_client *http;
    pthread_mutex_t lock; /* guards session_id */
    char session_id[160];
    struct listener *listener; /* the GET stream, when open */
};

/* The GET stream: unsolicited server messages, read on the I/O thread. */
struct listener {
    struct mcp_client *client;
    struct http_side *side;
    struct sse_parser parser;
    struct http_call *call;
    struct http_call **answers; /* POSTed answers to server requests; freed at close */
    size_t answer_count;
};

struct round_trip {
    struct mcp_client *client;
    struct http_side *side;
    const json_t *id;
    int mode; /* 0 undecided, 1 JSON body, 2 SSE */
    struct buffer body;
    struct sse_parser parser;
    json_t *response;
    int failure;
    char failure_message[200];
    struct http_call **answers;
    size_t answer_count;
};

/* "Name: value" lines for a request, NULL-terminated; free with assay_free
 * (the lines live in `storage`). */
static const char **build_headers(struct mcp_client *client, struct http_side *side,
                                  char storage[2][200])
{
    size_t extra = 0;
    while (client->options.headers != NULL && client->options.headers[extra] != NULL)
        extra++;
    const char **headers = assay_calloc(extra + 5, sizeof *headers);
    if (headers == NULL)
        return NULL;
    size_t count = 0;
    headers[count++] = "Content-Type: application/json";
    headers[count++] = "Accept: application/json, text/event-stream";
    pthread_mutex_lock(&side->lock);
    if (side->session_id[0] != '\0') {
        snprintf(storage[0], 200, "MCP-Session-Id: %s", side->session_id);
        headers[count++] = storage[0];
    }
    pthread_mutex_unlock(&side->lock);
    if (client->protocol_version[0] != '\0') {
        snprintf(storage[1], 200, "MCP-Protocol-Version: %s", client->protocol_version);
        headers[count++] = storage[1];
    }
    for (size_t index = 0; index < extra; index++)
        headers[count++] = client->options.headers[index];
    headers[count] = NULL;
    return headers;
}

static int on_data(const char *bytes, size_t length, void *context);

/* Starts a POST of message without waiting for it. With a round trip, the
 * answer streams into it (on_data) up to MAX_RESPONSE_BYTES; without one,
 * the answer is kept whole under the HTTP client's default limit. */
static int start_post(struct mcp_client *client, struct http_side *side, const json_t *message,
                      long timeout_ms, struct round_trip *trip, struct http_call **call)
{
    char storage[2][200];
    const char **headers = build_headers(client, side, storage);
    struct buffer text = {0};
    int status = headers != NULL ? json_strict_dump(message, &text) : ASSAY_ERR_NOMEM;
    if (status == ASSAY_OK) {
        struct http_client_request request = {
            .method = "POST",
            .url = client->options.url,
            .headers = headers,
            .body = text.data,
            .body_length = text.length,
            .timeout_ms = timeout_ms,
            .max_response_bytes = trip != NULL ? MAX_RESPONSE_BYTES : 0,
            .on_data = trip != NULL ? on_data : NULL,
            .context = trip,
        };
        status = http_client_start(side->http, &request, call);
    }
    buffer_free(&text);
    assay_free(headers);
    return status;
}

/* POSTs the client's answer to a server request (no waiting) and keeps the
 * call in answers[] to be waited for and freed by the owner. Consumes answer. */
static void post_answer(struct mcp_client *client, struct http_side *side, json_t *answer,
                        struct http_call ***answers, size_t *answer_count)
{
    struct http_call **grown = assay_realloc(*answers, (*answer_count + 1) * sizeof *grown);
    struct http_call *call = NULL;
    if (grown != NULL) {
        *answers = grown;
        if (start_post(client, side, answer, client->options.timeout_ms, NULL, &call) == ASSAY_OK)
            (*answers)[(*answer_count)++] = call;
    }
    json_decref(answer);
}

static void listener_close(struct listener *listener);

static void fail_round_trip(struct round_trip *trip, const char *message)
{
    if (!trip->failure) {
        trip->failure = 1;
        snprintf(trip->failure_message, sizeof trip->failure_message, "%s", message);
    }
}

/* Handles one message from the answer. Returns 1 to stop reading. */
static int handle_message(struct round_trip *trip, const char *text, size_t length)
{
    json_t *message = json_strict_parse(text, length, 64, NULL);
    if (!json_is_object(message)) {
        json_decref(message);
        fail_round_trip(trip, "the server sent something that is not a JSON-RPC message");
        return 1;
    }
    if (json_object_get(message, "method") == NULL &&
        json_equal(json_object_get(message, "id"), trip->id)) {
        trip->response = message;
        return 1;
    }
    json_t *answer = mcp__client_incoming(trip->client, message);
    json_decref(message);
    if (answer != NULL)
        post_answer(trip->client, trip->side, answer, &trip->answers, &trip->answer_count);
    return 0;
}

static int on_event(const struct sse_event *event, void *context)
{
    if (event->data_length == 0)
        return 0; /* a priming event (SSE resumption) carries no message */
    return handle_message(context, event->data, event->data_length);
}

static int on_data(const char *bytes, size_t length, void *context)
{
    struct round_trip *trip = context;
    if (trip->mode == 0) {
        size_t skip = 0;
        while (skip < length && (bytes[skip] == ' ' || bytes[skip] == '\t' || bytes[skip] == '\r' ||
                                 bytes[skip] == '\n'))
            skip++;
        if (skip == length)
            return 0;
        trip->mode = bytes[skip] == '{' ? 1 : 2;
    }
    if (trip->mode == 1) {
        if (trip->body.length + length > MAX_RESPONSE_BYTES) {
            fail_round_trip(trip, "the server's answer is larger than 64 MiB");
            return 1;
        }
        return buffer_append(&trip->body, bytes, length) == ASSAY_OK ? 0 : 1;
    }
    int status = sse_parser_feed(&trip->parser, bytes, length);
    if (status < 0)
        fail_round_trip(trip, "the server's event stream is malformed or too large");
    return status != 0;
}

static int http_round_trip(struct mcp_client *client, const json_t *request, long timeout_ms,
                           json_t **response, struct assay_error *error)
{
    struct http_side *side = client->transport;
    const char *method = json_string_value(json_object_get(request, "method"));
    struct round_trip trip;
    memset(&trip, 0, sizeof trip);
    trip.client = client;
    trip.side = side;
    trip.id = json_object_get(request, "id");
    sse_parser_init(&trip.parser, MAX_RESPONSE_BYTES, on_event, &trip);

    struct http_call *call = NULL;
    int status = start_post(client, side, request, timeout_ms, &trip, &call);
    if (status != ASSAY_OK) {
        sse_parser_free(&trip.parser);
        return assay_error_set(error, status, "cannot send %s: %s", method, assay_strerror(status));
    }
    const struct http_client_response *answer = http_call_wait(call);
    for (size_t index = 0; index < trip.answer_count; index++) {
        http_call_wait(trip.answers[index]);
        http_call_free(trip.answers[index]);
    }
    assay_free(trip.answers);

    char session[160];
    if (http_client_response_header(answer, "MCP-Session-Id", session, sizeof session)) {
        pthread_mutex_lock(&side->lock);
        if (side->session_id[0] == '\0')
            snprintf(side->session_id, sizeof side->session_id, "%s", session);
        pthread_mutex_unlock(&side->lock);
    }

    if (trip.response == NULL && trip.mode == 1 && answer->http_status >= 200 &&
        answer->http_status < 300 && trip.body.length > 0)
        handle_message(&trip, trip.body.data, trip.body.length);

    if (trip.response != NULL) {
        *response = trip.response;
        status = ASSAY_OK;
    } else if (trip.failure) {
        status = assay_error_set(error, ASSAY_ERR_PROTOCOL, "%s: %s", method, trip.failure_message);
    } else if (answer->status == ASSAY_ERR_TIMEOUT) {
        status = assay_error_set(error, ASSAY_ERR_TIMEOUT, "%s: no answer within %ld ms", method,
                                 timeout_ms);
    } else if (answer->status != ASSAY_OK) {
        status = assay_error_set(error, ASSAY_ERR_IO, "%s: %s", method, answer->error_message);
    } else if (answer->http_status == 404 && side->session_id[0] != '\0') {
        status = assay_error_set(error, ASSAY_ERR_STATE,
                                 "%s: the server no longer knows this session (ended or expired); "
                                 "connect again",
                                 method);
    } else if (answer->http_status >= 400) {
        json_t *body =
            trip.mode == 1 ? json_strict_parse(trip.body.data, trip.body.length, 64, NULL) : NULL;
        const char *detail =
            json_string_value(json_object_get(json_object_get(body, "error"), "message"));
        status = assay_error_set(error, ASSAY_ERR_HTTP, "%s: HTTP %ld: %.180s", method,
                                 answer->http_status,
                                 detail != NULL           ? detail
                                 : trip.body.data != NULL ? trip.body.data
                                                          : "(no body)");
        json_decref(body);
    } else {
        status = assay_error_set(error, ASSAY_ERR_PROTOCOL,
                                 "%s: HTTP %ld but no answer to the request in the body", method,
                                 answer->http_status);
    }
    http_call_free(call);
    buffer_free(&trip.body);
    sse_parser_free(&trip.parser);
    return status;
}

static int http_notify(struct mcp_client *client, const json_t *notification,
                       struct assay_error *error)
{
    struct http_side *side = client->transport;
    struct http_call *call = NULL;
    int status = start_post(client, side, notification, client->options.timeout_ms, NULL, &call);
    if (status != ASSAY_OK)
        return assay_error_set(error, status, "cannot send a notification: %s",
                               assay_strerror(status));
    const struct http_client_response *answer = http_call_wait(call);
    if (answer->status != ASSAY_OK)
        status = assay_error_set(error, ASSAY_ERR_IO, "notification: %s", answer->error_message);
    else if (answer->http_status >= 400)
        status =
            assay_error_set(error, ASSAY_ERR_HTTP, "notification: HTTP %ld", answer->http_status);
    http_call_free(call);
    return status;
}

static void http_close(struct mcp_client *client)
{
    struct http_side *side = client->transport;
    if (side == NULL)
        return;
    listener_close(side->listener);
    side->listener = NULL;
    if (side->session_id[0] != '\0') {
        char line[200];
        snprintf(line, sizeof line, "MCP-Session-Id: %s", side->session_id);
        char version[64];
        snprintf(version, sizeof version, "MCP-Protocol-Version: %s", client->protocol_version);
        const char *headers[] = {line, version, NULL};
        struct http_client_request request = {
            .method = "DELETE", .url = client->options.url, .headers = headers, .timeout_ms = 5000};
        struct http_client_response answer;
        http_client_fetch(side->http, &request, &answer); /* 405 is a fine answer too */
        http_client_response_free(&answer);
    }
    http_client_free(side->http);
    pthread_mutex_destroy(&side->lock);
    assay_free(side);
    client->transport = NULL;
}

static int listener_event(const struct sse_event *event, void *context)
{
    struct listener *listener = context;
    if (event->data_length == 0)
        return 0;
    json_t *message = json_strict_parse(event->data, event->data_length, 64, NULL);
    json_t *answer =
        json_is_object(message) ? mcp__client_incoming(listener->client, message) : NULL;
    json_decref(message);
    if (answer != NULL)
        post_answer(listener->client, listener->side, answer, &listener->answers,
                    &listener->answer_count);
    return 0;
}

static int listener_data(const char *bytes, size_t length, void *context)
{
    struct listener *listener = context;
    return sse_parser_feed(&listener->parser, bytes, length) < 0;
}

static void http_ready(struct mcp_client *client)
{
    struct http_side *side = client->transport;
    if (client->options.no_get_stream || side->session_id[0] == '\0')
        return;
    struct listener *listener = assay_calloc(1, sizeof *listener);
    if (listener == NULL)
        return;
    listener->client = client;
    listener->side = side;
    sse_parser_init(&listener->parser, MAX_RESPONSE_BYTES, listener_event, listener);
    char session[200], version[64];
    snprintf(session, sizeof session, "MCP-Session-Id: %s", side->session_id);
    snprintf(version, sizeof version, "MCP-Protocol-Version: %s", client->protocol_version);
    size_t extra = 0;
    while (client->options.headers != NULL && client->options.headers[extra] != NULL)
        extra++;
    const char **headers = assay_calloc(extra + 4, sizeof *headers);
    int status = headers != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
    if (status == ASSAY_OK) {
        headers[0] = "Accept: text/event-stream";
        headers[1] = session;
        headers[2] = version;
        for (size_t index = 0; index < extra; index++)
            headers[3 + index] = client->options.headers[index];
        /* No timeout: the stream lives as long as the client. */
        struct http_client_request request = {.method = "GET",
                                              .url = client->options.url,
                                              .headers = headers,
                                              .on_data = listener_data,
                                              /* the session's stream lives as long as
                                               * the session; events are bounded */
                                              .max_response_bytes = (size_t)1 << 40,
                                              .context = listener};
        status = http_client_start(side->http, &request, &listener->call);
    }
    assay_free(headers);
    if (status != ASSAY_OK) {
        sse_parser_free(&listener->parser);
        assay_free(listener);
        return;
    }
    side->listener = listener;
}

static void listener_close(struct listener *listener)
{
    if (listener == NULL)
        return;
    http_call_free(listener->call); /* cancels the stream and waits for it */
    for (size_t index = 0; index < listener->answer_count; index++) {
        http_call_wait(listener->answers[index]);
        http_call_free(listener->answers[index]);
    }
    assay_free(listener->answers);
    sse_parser_free(&listener->parser);
    assay_free(listener);
}

static const struct mcp__client_transport_ops http_operations = {
    .round_trip = http_round_trip,
    .notify = http_notify,
    .ready = http_ready,
    .close = http_close,
};

int mcp__client_http_open(struct mcp_client *client, struct assay_error *error)
{
    if (strncmp(client->options.url, "http://", 7) != 0 &&
        strncmp(client->options.url, "https://", 8) != 0)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "the URL must start with http:// or https://");
    struct http_side *side = assay_calloc(1, sizeof *side);
    if (side == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    int status = http_client_new(&side->http);
    if (status != ASSAY_OK) {
        assay_free(side);
        return assay_error_set(error, status, "cannot start the HTTP client: %s",
                               assay_strerror(status));
    }
    pthread_mutex_init(&side->lock, NULL);
    client->transport = side;
    client->ops = &http_operations;
    return ASSAY_OK;
}
