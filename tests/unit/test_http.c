/* test_http.c — the HTTP server and client against each other on loopback:
 * immediate, deferred and streamed answers, limits, cancellation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/memory.h"
#include "http/client.h"
#include "http/server.h"
#include "http/sse.h"
#include "test_list.h"

struct fixture {
    struct http_server *server;
    struct http_client *client;
    char base[64];
};

static void echo_handler(struct http_request *request, void *context)
{
    size_t length = 0;
    const char *body = http_request_body(request, &length);
    const char *custom = http_request_header(request, "X-Test");
    http_request_add_response_header(request, "X-Echo", custom != NULL ? custom : "none");
    http_respond(request, 200, "text/plain", body, length);
}

static void *answer_later(void *argument)
{
    usleep(20000);
    http_respond(argument, 202, "text/plain", "later", 5);
    return NULL;
}

static void deferred_handler(struct http_request *request, void *context)
{
    http_request_defer(request);
    pthread_t thread;
    pthread_create(&thread, NULL, answer_later, request);
    pthread_detach(thread);
}

static void *stream_events(void *argument)
{
    struct http_stream *stream = argument;
    for (int index = 0; index < 5; index++) {
        struct buffer event = {0};
        char data[32];
        int length = snprintf(data, sizeof data, "{\"n\":%d}", index);
        sse_format_event(&event, "message", NULL, data, (size_t)length);
        http_stream_write(stream, event.data, event.length);
        buffer_free(&event);
        usleep(5000);
    }
    http_stream_close(stream);
    return NULL;
}

static void stream_handler(struct http_request *request, void *context)
{
    struct http_stream *stream = http_respond_stream(request, 200, "text/event-stream");
    if (stream == NULL)
        return;
    pthread_t thread;
    pthread_create(&thread, NULL, stream_events, stream);
    pthread_detach(thread);
}

/* A stream that never ends on its own: for the disconnect test. */
static struct http_stream *open_stream;
static int open_stream_closed;
static void note_closed(void *context) { open_stream_closed = 1; }
static void endless_handler(struct http_request *request, void *context)
{
    open_stream = http_respond_stream(request, 200, "text/event-stream");
    if (open_stream != NULL) {
        http_stream_on_close(open_stream, note_closed, NULL);
        http_stream_write(open_stream, ": hello\n\n", 9);
    }
}

static int setup(void **state)
{
    struct fixture *fixture = assay_calloc(1, sizeof *fixture);
    struct http_server_options options = {.max_body_bytes = 1024, .max_streams_per_client = 4};
    assert_int_equal(http_server_new(&options, &fixture->server), 0);
    http_server_route(fixture->server, "POST", "/echo", echo_handler, NULL);
    http_server_route(fixture->server, "GET", "/later", deferred_handler, NULL);
    http_server_route(fixture->server, "GET", "/stream", stream_handler, NULL);
    http_server_route(fixture->server, "GET", "/endless", endless_handler, NULL);
    assert_int_equal(http_server_start(fixture->server), 0);
    snprintf(fixture->base, sizeof fixture->base, "http://127.0.0.1:%u",
             http_server_port(fixture->server));
    assert_int_equal(http_client_new(&fixture->client), 0);
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    http_client_free(fixture->client);
    http_server_free(fixture->server);
    assay_free(fixture);
    return 0;
}

static int fetch(struct fixture *fixture, const char *method, const char *path, const char *body,
                 struct http_client_response *response)
{
    char url[128];
    snprintf(url, sizeof url, "%s%s", fixture->base, path);
    const char *headers[] = {"X-Test: yes", NULL};
    struct http_client_request request = {.method = method, .url = url, .headers = headers,
                                          .body = body, .body_length = body ? strlen(body) : 0,
                                          .timeout_ms = 5000};
    return http_client_fetch(fixture->client, &request, response);
}

static void echo_round_trip_with_headers(void **state)
{
    struct http_client_response response;
    assert_int_equal(fetch(*state, "POST", "/echo", "hello", &response), 0);
    assert_int_equal(response.http_status, 200);
    assert_string_equal(response.body.data, "hello");
    char value[32];
    assert_true(http_client_response_header(&response, "x-echo", value, sizeof value));
    assert_string_equal(value, "yes");
    http_client_response_free(&response);
}

static void unknown_path_is_404_and_wrong_method_405(void **state)
{
    struct http_client_response response;
    fetch(*state, "GET", "/nope", NULL, &response);
    assert_int_equal(response.http_status, 404);
    http_client_response_free(&response);
    fetch(*state, "GET", "/echo", NULL, &response);
    assert_int_equal(response.http_status, 405);
    http_client_response_free(&response);
}

static void oversized_body_is_413_and_server_keeps_serving(void **state)
{
    char big[4096];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct http_client_response response;
    fetch(*state, "POST", "/echo", big, &response);
    assert_int_equal(response.http_status, 413);
    assert_non_null(strstr(response.body.data, "limit of 1024 bytes"));
    http_client_response_free(&response);
    assert_int_equal(fetch(*state, "POST", "/echo", "still here", &response), 0);
    assert_string_equal(response.body.data, "still here");
    http_client_response_free(&response);
}

static void deferred_answer_from_another_thread(void **state)
{
    struct http_client_response response;
    assert_int_equal(fetch(*state, "GET", "/later", NULL, &response), 0);
    assert_int_equal(response.http_status, 202);
    assert_string_equal(response.body.data, "later");
    http_client_response_free(&response);
}

struct collected {
    int events;
    int last;
};

static int count_event(const struct sse_event *event, void *context)
{
    struct collected *collected = context;
    collected->events++;
    sscanf(event->data, "{\"n\":%d}", &collected->last);
    return 0;
}

static int feed_parser(const char *bytes, size_t length, void *context)
{
    return sse_parser_feed(context, bytes, length);
}

static long seen_status;
static char seen_type[64];
static int note_response(long http_status, const char *content_type, void *context)
{
    seen_status = http_status;
    snprintf(seen_type, sizeof seen_type, "%s", content_type != NULL ? content_type : "");
    return 0;
}

static void stream_delivers_events_incrementally(void **state)
{
    struct fixture *fixture = *state;
    struct collected collected = {0};
    struct sse_parser parser;
    sse_parser_init(&parser, 0, count_event, &collected);
    char url[128];
    snprintf(url, sizeof url, "%s/stream", fixture->base);
    struct http_client_request request = {.url = url, .timeout_ms = 5000, .on_data = feed_parser,
                                          .on_response = note_response, .context = &parser};
    struct http_client_response response;
    assert_int_equal(http_client_fetch(fixture->client, &request, &response), 0);
    assert_int_equal(response.http_status, 200);
    assert_int_equal(seen_status, 200);
    assert_string_equal(seen_type, "text/event-stream");
    assert_int_equal(collected.events, 5);
    assert_int_equal(collected.last, 4);
    http_client_response_free(&response);
    sse_parser_free(&parser);
}

static void many_concurrent_deferred_calls(void **state)
{
    struct fixture *fixture = *state;
    enum { COUNT = 50 };
    struct http_call *calls[COUNT];
    char url[128];
    snprintf(url, sizeof url, "%s/later", fixture->base);
    struct http_client_request request = {.url = url, .timeout_ms = 10000};
    for (int index = 0; index < COUNT; index++)
        assert_int_equal(http_client_start(fixture->client, &request, &calls[index]), 0);
    for (int index = 0; index < COUNT; index++) {
        const struct http_client_response *response = http_call_wait(calls[index]);
        assert_int_equal(response->status, 0);
        assert_int_equal(response->http_status, 202);
        http_call_free(calls[index]);
    }
}

static void client_disconnect_closes_stream(void **state)
{
    struct fixture *fixture = *state;
    char url[128];
    snprintf(url, sizeof url, "%s/endless", fixture->base);
    struct http_client_request request = {.url = url};
    struct http_call *call = NULL;
    open_stream_closed = 0;
    assert_int_equal(http_client_start(fixture->client, &request, &call), 0);
    for (int wait = 0; wait < 200 && open_stream == NULL; wait++)
        usleep(5000);
    assert_non_null(open_stream);
    http_call_cancel(call);
    const struct http_client_response *response = http_call_wait(call);
    assert_int_equal(response->status, ASSAY_ERR_CANCELED);
    http_call_free(call);
    /* A write after the peer left must fail (MHD notices on the write). */
    int failed = 0;
    for (int attempt = 0; attempt < 2000 && !failed; attempt++) {
        failed = http_stream_write(open_stream, ": ping\n\n", 8) != 0;
        usleep(5000);
    }
    assert_true(failed);
    assert_true(open_stream_closed);
    http_stream_close(open_stream);
    open_stream = NULL;
}

static void timeout_is_reported(void **state)
{
    struct fixture *fixture = *state;
    char url[128];
    snprintf(url, sizeof url, "%s/endless", fixture->base);
    struct http_client_request request = {.url = url, .timeout_ms = 200};
    struct http_client_response response;
    assert_int_equal(http_client_fetch(fixture->client, &request, &response), ASSAY_ERR_TIMEOUT);
    http_client_response_free(&response);
    for (int attempt = 0; attempt < 2000 && http_stream_write(open_stream, ":\n\n", 3) == 0; attempt++)
        usleep(5000);
    http_stream_close(open_stream);
    open_stream = NULL;
}

static void refused_connection_is_an_io_error(void **state)
{
    struct fixture *fixture = *state;
    struct http_client_request request = {.url = "http://127.0.0.1:1/", .timeout_ms = 2000};
    struct http_client_response response;
    assert_int_equal(http_client_fetch(fixture->client, &request, &response), ASSAY_ERR_IO);
    assert_true(strlen(response.error_message) > 0);
    http_client_response_free(&response);
}

int test_group_http(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(echo_round_trip_with_headers),
        cmocka_unit_test(unknown_path_is_404_and_wrong_method_405),
        cmocka_unit_test(oversized_body_is_413_and_server_keeps_serving),
        cmocka_unit_test(deferred_answer_from_another_thread),
        cmocka_unit_test(stream_delivers_events_incrementally),
        cmocka_unit_test(many_concurrent_deferred_calls),
        cmocka_unit_test(client_disconnect_closes_stream),
        cmocka_unit_test(timeout_is_reported),
        cmocka_unit_test(refused_connection_is_an_io_error),
    };
    return cmocka_run_group_tests_name("http", tests, setup, teardown);
}
