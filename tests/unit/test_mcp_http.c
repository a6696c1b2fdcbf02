/* test_mcp_http.c — MCP Streamable HTTP against raw HTTP requests on
 * loopback: sessions (400/404/DELETE), Origin and Host checks, 202 for
 * notifications and responses, transport errors (413/415/406/405),
 * progress and logs over SSE, cancellation, a client vanishing mid-stream,
 * the GET stream, a server→client request, the session bound, shutdown
 * with calls running. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/memory.h"
#include "http/client.h"
#include "http/sse.h"
#include "jsonrpc/json_strict.h"
#include "mcp/http_transport.h"
#include "mcp/server.h"
#include "mcp_fixture.h"
#include "test_list.h"

static atomic_int streamer_saw_cancel;

static int logger_tool(struct mcp_call *call, const json_t *arguments, void *context,
                       json_t **result)
{
    mcp_call_log(call, MCP_LOG_INFO, NULL, "first");
    mcp_call_progress(call, 50, 100, NULL);
    mcp_call_log(call, MCP_LOG_INFO, NULL, "second");
    *result = mcp_result_text("logged");
    return 0;
}

/* Reports progress every 10 ms until the client goes away. */
static int streamer_tool(struct mcp_call *call, const json_t *arguments, void *context,
                         json_t **result)
{
    for (int step = 0; step < 500; step++) {
        if (mcp_call_cancelled(call)) {
            atomic_store(&streamer_saw_cancel, 1);
            return mcp_call_fail(call, "gone");
        }
        mcp_call_progress(call, step, -1, NULL);
        mcp_fixture_pause_ms(10);
    }
    *result = mcp_result_text("done");
    return 0;
}

static int sampling_tool(struct mcp_call *call, const json_t *arguments, void *context,
                         json_t **result)
{
    return mcp_fixture_model_said(call, json_pack("{s:[], s:i}", "messages", "maxTokens", 5),
                                  result);
}

struct fixture {
    struct mcp_server *server;
    struct mcp_http_transport *transport;
    struct http_client *client;
    char url[96];
    char session[64];
};

/* The tools after the fixture's "echo" (see mcp_fixture_new_server). */
static const struct mcp_tool server_tools[] = {
    {.name = "logger", .description = "logs", .handler = logger_tool},
    {.name = "sleeper",
     .description = "sleeps",
     .handler = mcp_fixture_sleeper_tool,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "streamer",
     .description = "streams",
     .handler = streamer_tool,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "sampling",
     .description = "asks",
     .handler = sampling_tool,
     .flags = MCP_RUN_ON_WORKER},
};

static void start_fixture(struct fixture *fixture, size_t max_sessions)
{
    struct mcp_server_options options = {.max_sessions = max_sessions,
                                         .client_request_timeout_ms = 3000};
    fixture->server = mcp_fixture_new_server(&options, server_tools,
                                             sizeof server_tools / sizeof server_tools[0]);
    static const char *const origins[] = {"https://app.example", NULL};
    struct mcp_http_options http = {.max_body_bytes = 64 * 1024, .allowed_origins = origins};
    mcp_fixture_serve_http(fixture->server, &http, &fixture->transport, fixture->url,
                           sizeof fixture->url);
    assert_int_equal(http_client_new(&fixture->client), 0);
}

static void stop_fixture(struct fixture *fixture)
{
    http_client_free(fixture->client);
    mcp_http_transport_free(fixture->transport);
    mcp_server_free(fixture->server);
}

/* POSTs body with the usual MCP headers plus `extra` (NULL-terminated;
 * "-Name" drops a default header). */
static void post(struct fixture *fixture, const char *session, const char *const *extra,
                 const char *body, struct http_client_response *response)
{
    const char *headers[16];
    size_t count = 0;
    char session_line[128];
    int keep_type = 1, keep_accept = 1;
    for (size_t index = 0; extra != NULL && extra[index] != NULL; index++) {
        if (strcmp(extra[index], "-Content-Type") == 0)
            keep_type = 0;
        if (strcmp(extra[index], "-Accept") == 0)
            keep_accept = 0;
    }
    if (keep_type)
        headers[count++] = "Content-Type: application/json";
    if (keep_accept)
        headers[count++] = "Accept: application/json, text/event-stream";
    if (session != NULL) {
        snprintf(session_line, sizeof session_line, "MCP-Session-Id: %s", session);
        headers[count++] = session_line;
    }
    for (size_t index = 0; extra != NULL && extra[index] != NULL; index++)
        if (extra[index][0] != '-')
            headers[count++] = extra[index];
    headers[count] = NULL;
    struct http_client_request request = {.method = "POST",
                                          .url = fixture->url,
                                          .headers = headers,
                                          .body = body,
                                          .body_length = strlen(body),
                                          .timeout_ms = 5000};
    http_client_fetch(fixture->client, &request, response);
}

/* post() whose answer matters only for its HTTP status. */
static void post_expecting(struct fixture *fixture, const char *session, const char *const *extra,
                           const char *body, long http_status)
{
    struct http_client_response response;
    post(fixture, session, extra, body, &response);
    assert_int_equal(response.http_status, http_status);
    http_client_response_free(&response);
}

static const char initialize_body[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
    "\"2025-11-25\",\"capabilities\":{\"sampling\":{}},\"clientInfo\":{\"name\":\"t\",\"version\":"
    "\"1\"}}}";

static void open_session(struct fixture *fixture, char *session, size_t size)
{
    struct http_client_response response;
    post(fixture, NULL, NULL, initialize_body, &response);
    assert_int_equal(response.http_status, 200);
    assert_true(http_client_response_header(&response, "MCP-Session-Id", session, size));
    http_client_response_free(&response);
}

static json_t *body_json(const struct http_client_response *response)
{
    return json_strict_parse(response->body.data != NULL ? response->body.data : "",
                             response->body.length, 64, NULL);
}

static long long body_error_code(const struct http_client_response *response)
{
    json_t *body = body_json(response);
    long long code = json_integer_value(json_object_get(json_object_get(body, "error"), "code"));
    json_decref(body);
    return code;
}

static int setup(void **state)
{
    struct fixture *fixture = assay_calloc(1, sizeof *fixture);
    start_fixture(fixture, 0);
    open_session(fixture, fixture->session, sizeof fixture->session);
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    stop_fixture(fixture);
    assay_free(fixture);
    return 0;
}

static void initialize_returns_a_session_and_json(void **state)
{
    struct fixture *fixture = *state;
    struct http_client_response response;
    post(fixture, NULL, NULL, initialize_body, &response);
    assert_int_equal(response.http_status, 200);
    char value[128];
    assert_true(http_client_response_header(&response, "Content-Type", value, sizeof value));
    assert_string_equal(value, "application/json");
    assert_true(http_client_response_header(&response, "MCP-Session-Id", value, sizeof value));
    assert_int_equal(strlen(value), 32);
    assert_string_not_equal(value, fixture->session);
    json_t *body = body_json(&response);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(body, "result"), "protocolVersion")),
        "2025-11-25");
    json_decref(body);
    http_client_response_free(&response);

    /* A failed initialize creates no session. */
    post(fixture, NULL, NULL,
         "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}", &response);
    assert_int_equal(response.http_status, 200);
    assert_false(http_client_response_header(&response, "MCP-Session-Id", value, sizeof value));
    assert_int_equal(body_error_code(&response), -32602);
    http_client_response_free(&response);
}

static void session_header_rules(void **state)
{
    struct fixture *fixture = *state;
    const char *ping = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}";
    struct http_client_response response;
    post(fixture, NULL, NULL, ping, &response);
    assert_int_equal(response.http_status, 400);
    assert_int_equal(body_error_code(&response), -32000);
    http_client_response_free(&response);
    post(fixture, "0123456789abcdef0123456789abcdef", NULL, ping, &response);
    assert_int_equal(response.http_status, 404);
    assert_int_equal(body_error_code(&response), -32001);
    http_client_response_free(&response);
    post_expecting(fixture, fixture->session, NULL, ping, 200);
    post_expecting(fixture, fixture->session, NULL, initialize_body, 400);

    char line[128];
    snprintf(line, sizeof line, "MCP-Session-Id: %s", fixture->session);
    const char *headers[] = {line, NULL};
    struct http_client_request request = {
        .method = "DELETE", .url = fixture->url, .headers = headers, .timeout_ms = 5000};
    http_client_fetch(fixture->client, &request, &response);
    assert_int_equal(response.http_status, 200);
    http_client_response_free(&response);
    post_expecting(fixture, fixture->session, NULL, ping, 404);
    http_client_fetch(fixture->client, &request, &response);
    assert_int_equal(response.http_status, 404);
    http_client_response_free(&response);
    request.headers = NULL;
    http_client_fetch(fixture->client, &request, &response);
    assert_int_equal(response.http_status, 400);
    http_client_response_free(&response);
}

static void origin_and_host_are_checked(void **state)
{
    struct fixture *fixture = *state;
    const char *ping = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}";
    static const struct {
        const char *header;
        long status;
    } cases[] = {
        {"Origin: http://evil.example.com", 403},
        {"Origin: null", 403},
        {"Origin: http://localhost.evil.com", 403},
        {"Origin: http://localhost:5173", 200},
        {"Origin: http://127.0.0.1", 200},
        {"Origin: http://[::1]:8080", 200},
        {"Origin: https://app.example", 200},
        {"Host: evil.example.com", 403},
        {"Host: localhost:1234", 200},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        const char *extra[] = {cases[index].header, NULL};
        struct http_client_response response;
        post(fixture, fixture->session, extra, ping, &response);
        if (response.http_status != cases[index].status)
            fail_msg("%s: HTTP %ld, expected %ld", cases[index].header, response.http_status,
                     cases[index].status);
        http_client_response_free(&response);
    }
}

static void notifications_and_responses_get_202(void **state)
{
    struct fixture *fixture = *state;
    struct http_client_response response;
    post(fixture, fixture->session, NULL,
         "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", &response);
    assert_int_equal(response.http_status, 202);
    assert_int_equal(response.body.length, 0);
    http_client_response_free(&response);
    post(fixture, fixture->session, NULL, "{\"jsonrpc\":\"2.0\",\"id\":\"assay-99\",\"result\":{}}",
         &response);
    assert_int_equal(response.http_status, 202);
    assert_int_equal(response.body.length, 0);
    http_client_response_free(&response);
}

static void transport_errors_have_the_right_status(void **state)
{
    struct fixture *fixture = *state;
    const char *ping = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}";
    struct http_client_response response;
    const char *text_plain[] = {"-Content-Type", "Content-Type: text/plain", NULL};
    post_expecting(fixture, fixture->session, text_plain, ping, 415);
    const char *html_only[] = {"-Accept", "Accept: text/html", NULL};
    post_expecting(fixture, fixture->session, html_only, ping, 406);
    const char *old_version[] = {"MCP-Protocol-Version: 2025-03-26", NULL};
    post_expecting(fixture, fixture->session, old_version, ping, 200);
    const char *bad_version[] = {"MCP-Protocol-Version: 1999-01-01", NULL};
    post_expecting(fixture, fixture->session, bad_version, ping, 400);

    post(fixture, fixture->session, NULL, "{\"jsonrpc\":", &response);
    assert_int_equal(response.http_status, 400);
    json_t *body = body_json(&response);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(body, "error"), "code")),
                     -32700);
    assert_true(json_is_null(json_object_get(body, "id")));
    json_decref(body);
    http_client_response_free(&response);
    post(fixture, fixture->session, NULL, "{\"jsonrpc\":\"2.0\",\"id\":4}", &response);
    assert_int_equal(response.http_status, 400);
    assert_int_equal(body_error_code(&response), -32600);
    http_client_response_free(&response);

    char *deep = malloc(1000);
    size_t used = (size_t)snprintf(
        deep, 1000, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"params\":{\"x\":");
    for (int level = 0; level < 200; level++)
        deep[used++] = '[';
    deep[used] = '\0';
    post(fixture, fixture->session, NULL, deep, &response);
    assert_int_equal(response.http_status, 400);
    assert_int_equal(body_error_code(&response), -32700);
    http_client_response_free(&response);
    free(deep);

    size_t big_size = 100 * 1024;
    char *big = malloc(big_size + 1);
    memset(big, ' ', big_size);
    big[big_size] = '\0';
    post_expecting(fixture, fixture->session, NULL, big, 413);
    free(big);

    const char *headers[] = {"Accept: text/event-stream", NULL};
    struct http_client_request request = {.method = "PUT",
                                          .url = fixture->url,
                                          .headers = headers,
                                          .body = "{}",
                                          .body_length = 2,
                                          .timeout_ms = 5000};
    http_client_fetch(fixture->client, &request, &response);
    assert_int_equal(response.http_status, 405);
    http_client_response_free(&response);
    const char *json_only[] = {"Accept: application/json", NULL};
    request =
        (struct http_client_request){.url = fixture->url, .headers = json_only, .timeout_ms = 5000};
    http_client_fetch(fixture->client, &request, &response);
    assert_int_equal(response.http_status, 406);
    http_client_response_free(&response);

    /* Still serving. */
    post_expecting(fixture, fixture->session, NULL, ping, 200);
}

/* ---- SSE ------------------------------------------------------------------------------ */

struct events {
    pthread_mutex_t lock;
    json_t *messages;    /* every message received */
    char request_id[64]; /* id of a server→client request seen, if any */
    int saw_bytes;
    struct sse_parser parser;
};

static int collect_event(const struct sse_event *event, void *context)
{
    struct events *events = context;
    json_t *message = json_strict_parse(event->data, event->data_length, 64, NULL);
    assert_non_null(message);
    pthread_mutex_lock(&events->lock);
    if (json_object_get(message, "method") != NULL &&
        json_is_string(json_object_get(message, "id")))
        snprintf(events->request_id, sizeof events->request_id, "%s",
                 json_string_value(json_object_get(message, "id")));
    json_array_append_new(events->messages, message);
    pthread_mutex_unlock(&events->lock);
    return 0;
}

static int feed_events(const char *bytes, size_t length, void *context)
{
    struct events *events = context;
    pthread_mutex_lock(&events->lock);
    events->saw_bytes = 1;
    pthread_mutex_unlock(&events->lock);
    return sse_parser_feed(&events->parser, bytes, length) < 0;
}

static void events_init(struct events *events)
{
    memset(events, 0, sizeof *events);
    pthread_mutex_init(&events->lock, NULL);
    events->messages = json_array();
    sse_parser_init(&events->parser, 0, collect_event, events);
}

static void events_free(struct events *events)
{
    sse_parser_free(&events->parser);
    json_decref(events->messages);
    pthread_mutex_destroy(&events->lock);
}

static size_t events_count(struct events *events)
{
    pthread_mutex_lock(&events->lock);
    size_t count = json_array_size(events->messages);
    pthread_mutex_unlock(&events->lock);
    return count;
}

/* Starts a streaming POST whose body feeds `events`. */
static struct http_call *start_stream(struct fixture *fixture, const char *method, const char *body,
                                      const char *const *headers, struct events *events)
{
    struct http_client_request request = {.method = method,
                                          .url = fixture->url,
                                          .headers = headers,
                                          .body = body,
                                          .body_length = body != NULL ? strlen(body) : 0,
                                          .timeout_ms = 10000,
                                          .on_data = feed_events,
                                          .context = events};
    struct http_call *call = NULL;
    assert_int_equal(http_client_start(fixture->client, &request, &call), 0);
    return call;
}

/* Starts a streaming POST of body in `session` with the usual MCP headers;
 * its events land in `events`, initialised here. */
static struct http_call *start_post_stream(struct fixture *fixture, const char *session,
                                           const char *body, struct events *events)
{
    char session_line[128];
    snprintf(session_line, sizeof session_line, "MCP-Session-Id: %s", session);
    const char *headers[] = {"Content-Type: application/json",
                             "Accept: application/json, text/event-stream", session_line, NULL};
    events_init(events);
    return start_stream(fixture, "POST", body, headers, events);
}

static void progress_and_logs_stream_as_sse(void **state)
{
    struct fixture *fixture = *state;
    struct events events;
    struct http_call *call = start_post_stream(
        fixture, fixture->session,
        "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"logger\","
        "\"_meta\":{\"progressToken\":\"p1\"}}}",
        &events);
    const struct http_client_response *response = http_call_wait(call);
    assert_int_equal(response->http_status, 200);
    char value[64];
    assert_true(http_client_response_header(response, "Content-Type", value, sizeof value));
    assert_string_equal(value, "text/event-stream");
    assert_int_equal(json_array_size(events.messages), 4);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(events.messages, 0), "method")),
        "notifications/message");
    json_t *progress = json_array_get(events.messages, 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(progress, "params"), "progressToken")),
        "p1");
    json_t *last = json_array_get(events.messages, 3);
    assert_int_equal(json_integer_value(json_object_get(last, "id")), 9);
    assert_non_null(json_object_get(last, "result"));
    http_call_free(call);
    events_free(&events);

    /* An inline call (no token) that logs turns into a stream as well. */
    call = start_post_stream(fixture, fixture->session,
                             "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\","
                             "\"params\":{\"name\":\"logger\"}}",
                             &events);
    response = http_call_wait(call);
    assert_true(http_client_response_header(response, "Content-Type", value, sizeof value));
    assert_string_equal(value, "text/event-stream");
    assert_int_equal(json_array_size(events.messages), 3); /* two logs (no progress), the answer */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(events.messages, 2), "id")),
                     11);
    http_call_free(call);
    events_free(&events);

    /* A client that takes only JSON gets the answer alone. */
    const char *json_only[] = {"-Accept", "Accept: application/json", NULL};
    struct http_client_response plain;
    post(fixture, fixture->session, json_only,
         "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/"
         "call\",\"params\":{\"name\":\"logger\"}}",
         &plain);
    assert_true(http_client_response_header(&plain, "Content-Type", value, sizeof value));
    assert_string_equal(value, "application/json");
    json_t *body = body_json(&plain);
    assert_int_equal(json_integer_value(json_object_get(body, "id")), 10);
    json_decref(body);
    http_client_response_free(&plain);
}

static void cancellation_reaches_a_running_call(void **state)
{
    struct fixture *fixture = *state;
    atomic_store(&mcp_fixture_sleeper_started, 0);
    atomic_store(&mcp_fixture_sleeper_saw_cancel, 0);
    struct events events;
    struct http_call *call = start_post_stream(fixture, fixture->session,
                                               "{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"tools/"
                                               "call\",\"params\":{\"name\":\"sleeper\"}}",
                                               &events);
    mcp_fixture_wait_for(&mcp_fixture_sleeper_started);
    post_expecting(fixture, fixture->session, NULL,
                   "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
                   "cancelled\",\"params\":{\"requestId\":77}}",
                   202);
    const struct http_client_response *answer = http_call_wait(call);
    assert_true(atomic_load(&mcp_fixture_sleeper_saw_cancel));
    /* The cancelled request gets no JSON-RPC answer. */
    assert_int_equal(answer->http_status, 202);
    assert_int_equal(events_count(&events), 0);
    http_call_free(call);
    events_free(&events);
}

static void client_vanishing_mid_stream_cancels_the_call(void **state)
{
    struct fixture *fixture = *state;
    atomic_store(&streamer_saw_cancel, 0);
    struct events events;
    struct http_call *call = start_post_stream(fixture, fixture->session,
                                               "{\"jsonrpc\":\"2.0\",\"id\":78,\"method\":\"tools/"
                                               "call\",\"params\":{\"name\":\"streamer\","
                                               "\"_meta\":{\"progressToken\":78}}}",
                                               &events);
    for (int wait = 0; wait < 400 && events_count(&events) < 2; wait++)
        mcp_fixture_pause_ms(5);
    assert_true(events_count(&events) >= 2);
    http_call_cancel(call); /* the client disconnects abruptly */
    http_call_wait(call);
    http_call_free(call);
    mcp_fixture_wait_for(&streamer_saw_cancel);
    events_free(&events);
    struct http_client_response response;
    post(fixture, fixture->session, NULL,
         "{\"jsonrpc\":\"2.0\",\"id\":79,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
         "\"arguments\":{\"text\":\"still here\"}}}",
         &response);
    assert_int_equal(response.http_status, 200);
    assert_non_null(strstr(response.body.data, "still here"));
    http_client_response_free(&response);
}

static void get_stream_carries_unsolicited_messages(void **state)
{
    struct fixture *fixture = *state;
    char session_line[128];
    snprintf(session_line, sizeof session_line, "MCP-Session-Id: %s", fixture->session);
    const char *headers[] = {"Accept: text/event-stream", session_line, NULL};
    struct events events;
    events_init(&events);
    struct http_call *call = start_stream(fixture, "GET", NULL, headers, &events);
    for (int wait = 0; wait < 400; wait++) {
        pthread_mutex_lock(&events.lock);
        int ready = events.saw_bytes;
        pthread_mutex_unlock(&events.lock);
        if (ready)
            break;
        mcp_fixture_pause_ms(5);
    }
    assert_true(mcp_server_notify_all(fixture->server, "notifications/tools/list_changed", NULL) >=
                1);
    for (int wait = 0; wait < 400 && events_count(&events) < 1; wait++)
        mcp_fixture_pause_ms(5);
    assert_int_equal(events_count(&events), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(events.messages, 0), "method")),
        "notifications/tools/list_changed");

    struct http_client_request second = {
        .url = fixture->url, .headers = headers, .timeout_ms = 5000};
    struct http_client_response response;
    http_client_fetch(fixture->client, &second, &response);
    assert_int_equal(response.http_status, 409);
    http_client_response_free(&response);

    /* Ending the session ends its stream. */
    struct http_client_request goodbye = {
        .method = "DELETE", .url = fixture->url, .headers = headers + 1, .timeout_ms = 5000};
    http_client_fetch(fixture->client, &goodbye, &response);
    assert_int_equal(response.http_status, 200);
    http_client_response_free(&response);
    const struct http_client_response *stream = http_call_wait(call);
    assert_int_equal(stream->status, 0);
    assert_int_equal(stream->http_status, 200);
    http_call_free(call);
    events_free(&events);
}

static void server_asks_the_client_over_the_stream(void **state)
{
    struct fixture *fixture = *state;
    struct events events;
    struct http_call *call = start_post_stream(fixture, fixture->session,
                                               "{\"jsonrpc\":\"2.0\",\"id\":80,\"method\":\"tools/"
                                               "call\",\"params\":{\"name\":\"sampling\"}}",
                                               &events);
    char request_id[64] = "";
    for (int wait = 0; wait < 400 && request_id[0] == '\0'; wait++) {
        pthread_mutex_lock(&events.lock);
        snprintf(request_id, sizeof request_id, "%s", events.request_id);
        pthread_mutex_unlock(&events.lock);
        mcp_fixture_pause_ms(5);
    }
    assert_true(request_id[0] != '\0');
    char answer[256];
    snprintf(answer, sizeof answer,
             "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"result\":{\"role\":\"assistant\",\"content\":"
             "{\"type\":\"text\",\"text\":\"hi\"},\"model\":\"m\"}}",
             request_id);
    post_expecting(fixture, fixture->session, NULL, answer, 202);
    http_call_wait(call);
    json_t *last = json_array_get(events.messages, json_array_size(events.messages) - 1);
    const char *text = json_string_value(json_object_get(
        json_array_get(json_object_get(json_object_get(last, "result"), "content"), 0), "text"));
    assert_string_equal(text, "model said hi");
    http_call_free(call);
    events_free(&events);
}

static void session_table_evicts_the_least_recently_used(void **state)
{
    struct fixture fixture = {0};
    start_fixture(&fixture, 2);
    char first[64], second[64], third[64];
    open_session(&fixture, first, sizeof first);
    open_session(&fixture, second, sizeof second);
    mcp_fixture_pause_ms(5);
    const char *ping = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}";
    post_expecting(&fixture, first, NULL, ping, 200); /* first is now the most recent */
    mcp_fixture_pause_ms(5);
    open_session(&fixture, third, sizeof third);
    post_expecting(&fixture, second, NULL, ping, 404);
    post_expecting(&fixture, first, NULL, ping, 200);
    stop_fixture(&fixture);
}

static void shutdown_cancels_running_calls(void **state)
{
    struct fixture fixture = {0};
    start_fixture(&fixture, 0);
    char session[64];
    open_session(&fixture, session, sizeof session);
    atomic_store(&mcp_fixture_sleeper_started, 0);
    atomic_store(&mcp_fixture_sleeper_saw_cancel, 0);
    struct events events;
    struct http_call *call = start_post_stream(&fixture, session,
                                               "{\"jsonrpc\":\"2.0\",\"id\":81,\"method\":\"tools/"
                                               "call\",\"params\":{\"name\":\"sleeper\"}}",
                                               &events);
    mcp_fixture_wait_for(&mcp_fixture_sleeper_started);
    mcp_http_transport_free(fixture.transport);
    fixture.transport = NULL;
    assert_true(atomic_load(&mcp_fixture_sleeper_saw_cancel));
    http_call_wait(call);
    http_call_free(call);
    events_free(&events);
    http_client_free(fixture.client);
    mcp_server_free(fixture.server);
}

int test_group_mcp_http(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(initialize_returns_a_session_and_json, setup, teardown),
        cmocka_unit_test_setup_teardown(session_header_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(origin_and_host_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(notifications_and_responses_get_202, setup, teardown),
        cmocka_unit_test_setup_teardown(transport_errors_have_the_right_status, setup, teardown),
        cmocka_unit_test_setup_teardown(progress_and_logs_stream_as_sse, setup, teardown),
        cmocka_unit_test_setup_teardown(cancellation_reaches_a_running_call, setup, teardown),
        cmocka_unit_test_setup_teardown(client_vanishing_mid_stream_cancels_the_call, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(get_stream_carries_unsolicited_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(server_asks_the_client_over_the_stream, setup, teardown),
        cmocka_unit_test(session_table_evicts_the_least_recently_used),
        cmocka_unit_test(shutdown_cancels_running_calls),
    };
    return cmocka_run_group_tests_name("mcp_http", tests, NULL, NULL);
}
