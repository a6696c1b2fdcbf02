/* client.c — A2A JSON-RPC client on the curl-multi HTTP client.
 *
 * Streams are parsed incrementally as bytes arrive: the SSE parser hands
 * each event to a JSON-RPC parser and the caller's handler, so a long
 * stream costs one event's worth of memory, not the whole body. A server
 * that answers a streaming call with a plain JSON-RPC error (as servers do
 * for errors found before the stream starts) is recognised by its first
 * byte: SSE never starts with '{'.
 */
#include "a2a/client.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "a2a/model.h"
#include "core/memory.h"
#include "core/version.h"
#include "http/sse.h"
#include "jsonrpc/json_strict.h"
#include "jsonrpc/jsonrpc.h"

/* Replies nest deeper than requests (a task holds messages holding parts
 * holding data), so the client allows more than the server does. */
#define REPLY_DEPTH          128
#define MAX_JSON_REPLY_BYTES (16u << 20)

struct a2a_client {
    struct http_client *http;
    int owns_http;
    char *endpoint;
    char *authorization; /* "Authorization: Bearer ..." or NULL */
    long timeout_ms;
    long connect_timeout_ms;
    atomic_long next_id;
};

struct a2a_cancel {
    pthread_mutex_t lock;
    struct http_call *call;
    int triggered;
};

/* ---- errors ---------------------------------------------------------------- */

static int fail(struct a2a_client_error *error, int status, long http_status, const char *format,
                ...) __attribute__((format(printf, 4, 5)));
static int fail(struct a2a_client_error *error, int status, long http_status, const char *format,
                ...)
{
    if (error != NULL) {
        memset(error, 0, sizeof *error);
        error->status = status;
        error->http_status = http_status;
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(error->message, sizeof error->message, format, arguments);
        va_end(arguments);
    }
    return status;
}

/* A JSON-RPC error object from the agent → ASSAY_ERR_REMOTE. */
static int fail_remote(struct a2a_client_error *error, const json_t *remote, long http_status)
{
    int code = (int)json_integer_value(json_object_get(remote, "code"));
    const char *message = json_string_value(json_object_get(remote, "message"));
    fail(error, ASSAY_ERR_REMOTE, http_status, "%s", message != NULL ? message : "(no message)");
    if (error != NULL) {
        error->code = code;
        size_t index;
        const json_t *detail;
        json_array_foreach(json_object_get(remote, "data"), index, detail)
        {
            const char *reason = json_string_value(json_object_get(detail, "reason"));
            if (reason != NULL) {
                snprintf(error->reason, sizeof error->reason, "%s", reason);
                break;
            }
        }
    }
    return ASSAY_ERR_REMOTE;
}

static int fail_transport(struct a2a_client_error *error,
                          const struct http_client_response *response)
{
    return fail(error, response->status, response->http_status, "%s",
                response->error_message[0] != '\0' ? response->error_message
                                                   : assay_strerror(response->status));
}

/* ---- cancellation ------------------------------------------------------------ */

int a2a_cancel_new(struct a2a_cancel **out)
{
    struct a2a_cancel *cancel = assay_calloc(1, sizeof *cancel);
    if (cancel == NULL)
        return ASSAY_ERR_NOMEM;
    pthread_mutex_init(&cancel->lock, NULL);
    *out = cancel;
    return ASSAY_OK;
}

void a2a_cancel_trigger(struct a2a_cancel *cancel)
{
    pthread_mutex_lock(&cancel->lock);
    cancel->triggered = 1;
    if (cancel->call != NULL)
        http_call_cancel(cancel->call);
    pthread_mutex_unlock(&cancel->lock);
}

void a2a_cancel_free(struct a2a_cancel *cancel)
{
    if (cancel == NULL)
        return;
    pthread_mutex_destroy(&cancel->lock);
    assay_free(cancel);
}

/* Attaches a running call to the handle; 0 if the handle was triggered
 * already (the caller then cancels the call itself). */
static int cancel_attach(struct a2a_cancel *cancel, struct http_call *call)
{
    if (cancel == NULL)
        return 1;
    pthread_mutex_lock(&cancel->lock);
    int triggered = cancel->triggered;
    if (!triggered)
        cancel->call = call;
    pthread_mutex_unlock(&cancel->lock);
    return !triggered;
}

static void cancel_detach(struct a2a_cancel *cancel)
{
    if (cancel == NULL)
        return;
    pthread_mutex_lock(&cancel->lock);
    cancel->call = NULL;
    pthread_mutex_unlock(&cancel->lock);
}

/* ---- lifetime ------------------------------------------------------------------ */

int a2a_client_new(const char *endpoint_url, const struct a2a_client_options *options,
                   struct a2a_client **out)
{
    if (endpoint_url == NULL || endpoint_url[0] == '\0')
        return ASSAY_ERR_INVALID;
    struct a2a_client *client = assay_calloc(1, sizeof *client);
    if (client == NULL)
        return ASSAY_ERR_NOMEM;
    int status = ASSAY_ERR_NOMEM;
    client->endpoint = assay_strdup(endpoint_url);
    if (client->endpoint == NULL)
        goto fail;
    if (options != NULL && options->bearer_token != NULL) {
        if (strpbrk(options->bearer_token, "\r\n") != NULL) {
            status = ASSAY_ERR_INVALID; /* would inject headers */
            goto fail;
        }
        struct buffer header = {0};
        if (buffer_append_format(&header, "Authorization: Bearer %s", options->bearer_token) !=
            ASSAY_OK) {
            buffer_free(&header);
            goto fail;
        }
        client->authorization = buffer_detach(&header);
    }
    client->timeout_ms = options != NULL && options->timeout_ms > 0 ? options->timeout_ms : 30000;
    client->connect_timeout_ms = options != NULL ? options->connect_timeout_ms : 0;
    atomic_init(&client->next_id, 1);
    if (options != NULL && options->http != NULL) {
        client->http = options->http;
    } else {
        status = http_client_new(&client->http);
        if (status != ASSAY_OK)
            goto fail;
        client->owns_http = 1;
    }
    *out = client;
    return ASSAY_OK;
fail:
    a2a_client_free(client);
    return status;
}

void a2a_client_free(struct a2a_client *client)
{
    if (client == NULL)
        return;
    if (client->owns_http)
        http_client_free(client->http);
    assay_free(client->endpoint);
    assay_free(client->authorization);
    assay_free(client);
}

const char *a2a_client_endpoint(const struct a2a_client *client)
{
    return client->endpoint;
}

/* ---- the agent card ----------------------------------------------------------------- */

static int version_is_one(const char *version)
{
    return version != NULL && (strcmp(version, "1.0") == 0 || strcmp(version, "1") == 0 ||
                               strncmp(version, "1.0.", 4) == 0);
}

int a2a_client_resolve(const char *base_url, const struct a2a_client_options *options,
                       struct a2a_client **out, json_t **card_out, struct a2a_client_error *error)
{
    if (card_out != NULL)
        *card_out = NULL;
    struct buffer url = {0};
    size_t length = base_url != NULL ? strlen(base_url) : 0;
    if (length == 0)
        return fail(error, ASSAY_ERR_INVALID, 0, "no agent URL given");
    if (length > 5 && strcmp(base_url + length - 5, ".json") == 0) {
        buffer_append_string(&url, base_url);
    } else {
        while (length > 0 && base_url[length - 1] == '/')
            length--;
        buffer_append(&url, base_url, length);
        buffer_append_string(&url, "/.well-known/agent-card.json");
    }
    if (url.data == NULL)
        return fail(error, ASSAY_ERR_NOMEM, 0, "out of memory");

    struct http_client *http = options != NULL ? options->http : NULL;
    int owns_http = http == NULL;
    int status = ASSAY_OK;
    json_t *card = NULL;
    struct http_client_response response = {0};
    if (owns_http && (status = http_client_new(&http)) != ASSAY_OK) {
        fail(error, status, 0, "cannot start the HTTP client");
        goto done;
    }
    const char *headers[] = {"Accept: application/json", "A2A-Version: " ASSAY_A2A_PROTOCOL_VERSION,
                             NULL};
    struct http_client_request request = {
        .url = url.data,
        .headers = headers,
        .timeout_ms = options != NULL && options->timeout_ms > 0 ? options->timeout_ms : 30000,
        .connect_timeout_ms = options != NULL ? options->connect_timeout_ms : 0,
        .max_response_bytes = 1u << 20};
    status = http_client_fetch(http, &request, &response);
    if (status != ASSAY_OK) {
        fail(error, status, response.http_status, "agent card %s: %s", url.data,
             response.error_message);
        goto done;
    }
    if (response.http_status != 200) {
        status = fail(error, ASSAY_ERR_HTTP, response.http_status, "agent card %s: HTTP %ld",
                      url.data, response.http_status);
        goto done;
    }
    struct assay_error parse_error = {0};
    card = json_strict_parse(response.body.data != NULL ? response.body.data : "",
                             response.body.length, JSON_STRICT_DEFAULT_DEPTH, &parse_error);
    if (!json_is_object(card)) {
        status = fail(error, ASSAY_ERR_PROTOCOL, 200, "agent card %s is not a JSON object: %s",
                      url.data, parse_error.message);
        goto done;
    }
    static const char *const required[] = {
        "name",         "description",        "version",
        "capabilities", "defaultInputModes",  "defaultOutputModes",
        "skills",       "supportedInterfaces"};
    for (size_t index = 0; index < sizeof required / sizeof required[0]; index++)
        if (json_object_get(card, required[index]) == NULL) {
            status =
                fail(error, ASSAY_ERR_PROTOCOL, 200,
                     "agent card %s lacks the required member \"%s\"", url.data, required[index]);
            goto done;
        }
    const char *endpoint = NULL;
    char offered[160] = "";
    size_t index;
    json_t *interface;
    json_array_foreach(json_object_get(card, "supportedInterfaces"), index, interface)
    {
        const char *binding = json_string_value(json_object_get(interface, "protocolBinding"));
        const char *version = json_string_value(json_object_get(interface, "protocolVersion"));
        const char *interface_url = json_string_value(json_object_get(interface, "url"));
        size_t used = strlen(offered);
        snprintf(offered + used, sizeof offered - used, "%s%s %s", used > 0 ? ", " : "",
                 binding != NULL ? binding : "?", version != NULL ? version : "?");
        if (endpoint == NULL && binding != NULL && strcmp(binding, "JSONRPC") == 0 &&
            version_is_one(version) && interface_url != NULL && interface_url[0] != '\0')
            endpoint = interface_url;
    }
    if (endpoint == NULL) {
        status = fail(error, ASSAY_ERR_UNSUPPORTED, 200,
                      "agent card %s offers no JSONRPC interface for A2A 1.0 (offered: %s)",
                      url.data, offered[0] != '\0' ? offered : "none");
        goto done;
    }
    struct a2a_client_options client_options = {0};
    if (options != NULL)
        client_options = *options;
    client_options.http = owns_http ? NULL : http;
    status = a2a_client_new(endpoint, &client_options, out);
    if (status != ASSAY_OK)
        fail(error, status, 200, "cannot create a client for %s", endpoint);
done:
    if (status == ASSAY_OK && card_out != NULL)
        *card_out = json_incref(card);
    json_decref(card);
    http_client_response_free(&response);
    if (owns_http)
        http_client_free(http);
    buffer_free(&url);
    return status;
}

/* ---- calls ----------------------------------------------------------------------------- */

/* The request body and headers shared by unary and streaming calls. */
static int build_request(struct a2a_client *client, const char *method, json_t *params,
                         long *request_id, struct buffer *body)
{
    *request_id = atomic_fetch_add(&client->next_id, 1);
    json_t *id = json_integer(*request_id);
    json_t *request = jsonrpc_request(id, method, params != NULL ? json_incref(params) : NULL);
    json_decref(id);
    if (request == NULL)
        return ASSAY_ERR_NOMEM;
    int status = json_strict_dump(request, body);
    json_decref(request);
    return status;
}

static void fill_headers(struct a2a_client *client, const char **headers, const char *accept)
{
    size_t count = 0;
    headers[count++] = "Content-Type: application/json";
    headers[count++] = accept;
    headers[count++] = "A2A-Version: " ASSAY_A2A_PROTOCOL_VERSION;
    if (client->authorization != NULL)
        headers[count++] = client->authorization;
    headers[count] = NULL;
}

/* Runs a started call to its end, honouring the cancel handle. */
static const struct http_client_response *wait_call(struct http_call *call,
                                                    const struct a2a_call_options *options)
{
    struct a2a_cancel *cancel = options != NULL ? options->cancel : NULL;
    if (!cancel_attach(cancel, call))
        http_call_cancel(call);
    const struct http_client_response *response = http_call_wait(call);
    cancel_detach(cancel);
    return response;
}

/* A complete JSON-RPC reply body → result or error. */
static int read_reply(const char *body, size_t length, long request_id, long http_status,
                      json_t **result, struct a2a_client_error *error)
{
    struct jsonrpc_message reply;
    struct assay_error parse_error = {0};
    if (jsonrpc_parse_message(body, length, REPLY_DEPTH, &reply, &parse_error) != ASSAY_OK) {
        if (http_status != 200)
            return fail(error, ASSAY_ERR_HTTP, http_status, "HTTP %ld: %.200s", http_status,
                        length > 0 ? body : "(empty body)");
        return fail(error, ASSAY_ERR_PROTOCOL, http_status, "the reply is not JSON-RPC: %s",
                    parse_error.message);
    }
    int status = ASSAY_OK;
    if (json_is_object(reply.error)) {
        status = fail_remote(error, reply.error, http_status);
    } else if (reply.result == NULL) {
        status = fail(error, ASSAY_ERR_PROTOCOL, http_status, "the reply has no result");
    } else if (!json_is_integer(reply.id) || json_integer_value(reply.id) != request_id) {
        status = fail(error, ASSAY_ERR_PROTOCOL, http_status,
                      "the reply's id does not match the request's (%ld)", request_id);
    } else {
        *result = json_incref(reply.result);
    }
    jsonrpc_message_release(&reply);
    return status;
}

int a2a_client_call(struct a2a_client *client, const char *method, json_t *params,
                    const struct a2a_call_options *call, json_t **result,
                    struct a2a_client_error *error)
{
    *result = NULL;
    struct buffer body = {0};
    long request_id = 0;
    if (build_request(client, method, params, &request_id, &body) != ASSAY_OK) {
        buffer_free(&body);
        return fail(error, ASSAY_ERR_NOMEM, 0, "out of memory");
    }
    const char *headers[6];
    fill_headers(client, headers, "Accept: application/json");
    struct http_client_request request = {
        .method = "POST",
        .url = client->endpoint,
        .headers = headers,
        .body = body.data,
        .body_length = body.length,
        .timeout_ms = call != NULL && call->timeout_ms > 0 ? call->timeout_ms : client->timeout_ms,
        .connect_timeout_ms = client->connect_timeout_ms,
        .max_response_bytes = MAX_JSON_REPLY_BYTES};
    struct http_call *http_call = NULL;
    int status = http_client_start(client->http, &request, &http_call);
    buffer_free(&body);
    if (status != ASSAY_OK)
        return fail(error, status, 0, "cannot start the request: %s", assay_strerror(status));
    const struct http_client_response *response = wait_call(http_call, call);
    if (response->status != ASSAY_OK)
        status = fail_transport(error, response);
    else
        status =
            read_reply(response->body.data != NULL ? response->body.data : "",
                       response->body.length, request_id, response->http_status, result, error);
    http_call_free(http_call);
    return status;
}

json_t *a2a_user_text_message_new(const char *text, const char *task_id, const char *context_id)
{
    json_t *message = a2a_message_new(A2A_ROLE_USER, json_pack("[o]", a2a_text_part_new(text)));
    if (message != NULL && task_id != NULL && task_id[0] != '\0')
        json_object_set_new(message, "taskId", json_string(task_id));
    if (message != NULL && context_id != NULL && context_id[0] != '\0')
        json_object_set_new(message, "contextId", json_string(context_id));
    return message;
}

static json_t *send_params(json_t *message, const struct a2a_send_options *send)
{
    json_t *params = json_pack("{s:O}", "message", message);
    if (params == NULL || send == NULL)
        return params;
    if (send->return_immediately || send->history_length >= 0) {
        json_t *configuration = json_object();
        if (send->return_immediately)
            json_object_set_new(configuration, "returnImmediately", json_true());
        if (send->history_length >= 0)
            json_object_set_new(configuration, "historyLength", json_integer(send->history_length));
        json_object_set_new(params, "configuration", configuration);
    }
    return params;
}

int a2a_client_send(struct a2a_client *client, json_t *message, const struct a2a_send_options *send,
                    const struct a2a_call_options *call, json_t **result,
                    struct a2a_client_error *error)
{
    json_t *params = send_params(message, send);
    if (params == NULL) {
        *result = NULL;
        return fail(error, ASSAY_ERR_NOMEM, 0, "out of memory");
    }
    int status = a2a_client_call(client, "SendMessage", params, call, result, error);
    json_decref(params);
    if (status == ASSAY_OK && json_object_get(*result, "task") == NULL &&
        json_object_get(*result, "message") == NULL) {
        json_decref(*result);
        *result = NULL;
        status = fail(error, ASSAY_ERR_PROTOCOL, 200,
                      "SendMessage result has neither \"task\" nor \"message\"");
    }
    return status;
}

static int call_with_id(struct a2a_client *client, const char *method, const char *task_id,
                        int history_length, const struct a2a_call_options *call, json_t **result,
                        struct a2a_client_error *error)
{
    json_t *params = json_pack("{s:s}", "id", task_id != NULL ? task_id : "");
    if (params != NULL && history_length >= 0)
        json_object_set_new(params, "historyLength", json_integer(history_length));
    if (params == NULL) {
        *result = NULL;
        return fail(error, ASSAY_ERR_NOMEM, 0, "out of memory");
    }
    int status = a2a_client_call(client, method, params, call, result, error);
    json_decref(params);
    if (status == ASSAY_OK && !json_is_string(json_object_get(*result, "id"))) {
        json_decref(*result);
        *result = NULL;
        status = fail(error, ASSAY_ERR_PROTOCOL, 200, "%s result is not a Task", method);
    }
    return status;
}

int a2a_client_get_task(struct a2a_client *client, const char *task_id, int history_length,
                        const struct a2a_call_options *call, json_t **task,
                        struct a2a_client_error *error)
{
    return call_with_id(client, "GetTask", task_id, history_length, call, task, error);
}

int a2a_client_cancel_task(struct a2a_client *client, const char *task_id,
                           const struct a2a_call_options *call, json_t **task,
                           struct a2a_client_error *error)
{
    return call_with_id(client, "CancelTask", task_id, -1, call, task, error);
}

int a2a_client_list_tasks(struct a2a_client *client, json_t *params,
                          const struct a2a_call_options *call, json_t **result,
                          struct a2a_client_error *error)
{
    json_t *empty = params == NULL ? json_object() : NULL;
    int status =
        a2a_client_call(client, "ListTasks", params != NULL ? params : empty, call, result, error);
    json_decref(empty);
    if (status == ASSAY_OK && !json_is_array(json_object_get(*result, "tasks"))) {
        json_decref(*result);
        *result = NULL;
        status = fail(error, ASSAY_ERR_PROTOCOL, 200, "ListTasks result has no \"tasks\" array");
    }
    return status;
}

/* ---- streams ---------------------------------------------------------------------------- */

struct stream_state {
    struct sse_parser parser;
    a2a_stream_handler handler;
    void *context;
    long request_id;
    int mode;            /* 0 unknown, 1 SSE, 2 a plain JSON body */
    struct buffer plain; /* mode 2 */
    int stopped_by_handler;
    int failed; /* an error is recorded in `error` */
    struct a2a_client_error error;
};

static int stream_event(const struct sse_event *event, void *context)
{
    struct stream_state *state = context;
    struct jsonrpc_message reply;
    struct assay_error parse_error = {0};
    if (jsonrpc_parse_message(event->data, event->data_length, REPLY_DEPTH, &reply, &parse_error) !=
        ASSAY_OK) {
        state->failed = 1;
        fail(&state->error, ASSAY_ERR_PROTOCOL, 200, "a stream event is not JSON-RPC: %s",
             parse_error.message);
        return 1;
    }
    int stop = 0;
    if (json_is_object(reply.error)) {
        state->failed = 1;
        fail_remote(&state->error, reply.error, 200);
        stop = 1;
    } else if (!json_is_object(reply.result)) {
        state->failed = 1;
        fail(&state->error, ASSAY_ERR_PROTOCOL, 200, "a stream event has no result object");
        stop = 1;
    } else if (!json_is_integer(reply.id) || json_integer_value(reply.id) != state->request_id) {
        state->failed = 1;
        fail(&state->error, ASSAY_ERR_PROTOCOL, 200,
             "a stream event's id does not match the request's");
        stop = 1;
    } else if (state->handler(reply.result, state->context) != 0) {
        state->stopped_by_handler = 1;
        stop = 1;
    }
    jsonrpc_message_release(&reply);
    return stop;
}

static int stream_data(const char *bytes, size_t length, void *context)
{
    struct stream_state *state = context;
    if (state->mode == 0) {
        size_t index = 0;
        while (index < length && (bytes[index] == ' ' || bytes[index] == '\r' ||
                                  bytes[index] == '\n' || bytes[index] == '\t'))
            index++;
        if (index < length)
            state->mode = bytes[index] == '{' ? 2 : 1;
    }
    if (state->mode == 2) {
        if (state->plain.length + length > MAX_JSON_REPLY_BYTES)
            return 1;
        return buffer_append(&state->plain, bytes, length) != ASSAY_OK;
    }
    int status = sse_parser_feed(&state->parser, bytes, length);
    if (status < 0 && !state->failed) {
        state->failed = 1;
        fail(&state->error, ASSAY_ERR_PROTOCOL, 200, "the event stream is malformed: %s",
             assay_strerror(status));
    }
    return status != 0;
}

static int run_stream(struct a2a_client *client, const char *method, json_t *params,
                      const struct a2a_call_options *call, a2a_stream_handler handler,
                      void *context, struct a2a_client_error *error)
{
    struct stream_state state = {.handler = handler, .context = context};
    sse_parser_init(&state.parser, 0, stream_event, &state);
    struct buffer body = {0};
    int status = build_request(client, method, params, &state.request_id, &body);
    if (status != ASSAY_OK) {
        buffer_free(&body);
        sse_parser_free(&state.parser);
        return fail(error, status, 0, "out of memory");
    }
    const char *headers[6];
    fill_headers(client, headers, "Accept: text/event-stream");
    struct http_client_request request = {.method = "POST",
                                          .url = client->endpoint,
                                          .headers = headers,
                                          .body = body.data,
                                          .body_length = body.length,
                                          .timeout_ms = call != NULL ? call->timeout_ms : 0,
                                          .idle_timeout_ms =
                                              call != NULL ? call->idle_timeout_ms : 0,
                                          .connect_timeout_ms = client->connect_timeout_ms,
                                          .on_data = stream_data,
                                          /* a long run streams for hours; the SSE
                                           * parser bounds each event instead */
                                          .max_response_bytes = (size_t)1 << 40,
                                          .context = &state};
    struct http_call *http_call = NULL;
    status = http_client_start(client->http, &request, &http_call);
    buffer_free(&body);
    if (status != ASSAY_OK) {
        sse_parser_free(&state.parser);
        return fail(error, status, 0, "cannot start the request: %s", assay_strerror(status));
    }
    const struct http_client_response *response = wait_call(http_call, call);
    if (state.failed) {
        status = state.error.status;
        if (error != NULL)
            *error = state.error;
    } else if (state.stopped_by_handler) {
        status = ASSAY_OK;
    } else if (response->status != ASSAY_OK) {
        status = fail_transport(error, response);
    } else if (state.mode == 2) {
        json_t *unexpected = NULL;
        status = read_reply(state.plain.data, state.plain.length, state.request_id,
                            response->http_status, &unexpected, error);
        if (status == ASSAY_OK) {
            json_decref(unexpected);
            status =
                fail(error, ASSAY_ERR_PROTOCOL, response->http_status,
                     "%s answered with a plain JSON result instead of an event stream", method);
        }
    } else if (response->http_status != 200) {
        status = fail(error, ASSAY_ERR_HTTP, response->http_status, "HTTP %ld for %s",
                      response->http_status, method);
    }
    http_call_free(http_call);
    buffer_free(&state.plain);
    sse_parser_free(&state.parser);
    return status;
}

int a2a_client_stream(struct a2a_client *client, json_t *message,
                      const struct a2a_send_options *send, const struct a2a_call_options *call,
                      a2a_stream_handler handler, void *context, struct a2a_client_error *error)
{
    json_t *params = send_params(message, send);
    if (params == NULL)
        return fail(error, ASSAY_ERR_NOMEM, 0, "out of memory");
    int status = run_stream(client, "SendStreamingMessage", params, call, handler, context, error);
    json_decref(params);
    return status;
}

int a2a_client_subscribe(struct a2a_client *client, const char *task_id,
                         const struct a2a_call_options *call, a2a_stream_handler handler,
                         void *context, struct a2a_client_error *error)
{
    json_t *params = json_pack("{s:s}", "id", task_id != NULL ? task_id : "");
    if (params == NULL)
        return fail(error, ASSAY_ERR_NOMEM, 0, "out of memory");
    int status = run_stream(client, "SubscribeToTask", params, call, handler, context, error);
    json_decref(params);
    return status;
}
