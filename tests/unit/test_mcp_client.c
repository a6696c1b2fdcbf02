/* test_mcp_client.c — assay's MCP client against assay's MCP server, over
 * HTTP on loopback and over stdio on a pipe pair: handshake, cursor
 * following, tool calls with progress, resources, prompts, server requests
 * answered by the client, timeouts that cancel, closing; and over a spawned
 * child process (cat, which echoes the handshake back) for spawn, reading
 * and reaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/memory.h"
#include "mcp/client.h"
#include "mcp/http_transport.h"
#include "mcp/internal.h"
#include "mcp/server.h"
#include "mcp/stdio_transport.h"
#include "mcp_fixture.h"
#include "test_list.h"

static int progress_tool(struct mcp_call *call, const json_t *arguments, void *context,
                         json_t **result)
{
    for (int step = 1; step <= 3; step++)
        mcp_call_progress(call, step, 3, NULL);
    mcp_call_log(call, MCP_LOG_ERROR, "t", "a log line");
    *result = mcp_result_text("progressed");
    return 0;
}

static int sampling_tool(struct mcp_call *call, const json_t *arguments, void *context,
                         json_t **result)
{
    return mcp_fixture_model_said(call, json_pack("{s:[]}", "messages"), result);
}

static int hello_prompt(struct mcp_call *call, const json_t *arguments, void *context,
                        json_t **result)
{
    *result = json_pack("{s:[{s:s, s:{s:s, s:s}}]}", "messages", "role", "user", "content", "type",
                        "text", "text", "hello");
    return 0;
}

/* The tools after the fixture's "echo" (see mcp_fixture_new_server). */
static const struct mcp_tool server_tools[] = {
    {.name = "progress", .description = "progress", .handler = progress_tool},
    {.name = "sleeper",
     .description = "sleeps",
     .handler = mcp_fixture_sleeper_tool,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "sampling",
     .description = "asks",
     .handler = sampling_tool,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "echo2", .description = "echo", .handler = mcp_fixture_echo_tool},
};

static struct mcp_server *make_server(void)
{
    struct mcp_server_options options = {.page_size = 2, .client_request_timeout_ms = 3000};
    struct mcp_server *server = mcp_fixture_new_server(
        &options, server_tools, sizeof server_tools / sizeof server_tools[0]);
    assert_int_equal(
        mcp_server_add_resource(
            server, &(struct mcp_resource){.uri = "test://text", .name = "text", .text = "words"}),
        0);
    assert_int_equal(mcp_server_add_prompt(server, &(struct mcp_prompt){.name = "hello",
                                                                        .description = "hi",
                                                                        .handler = hello_prompt}),
                     0);
    return server;
}

struct notes {
    pthread_mutex_t lock;
    int progress, logs;
};

static void note_notification(const char *method, const json_t *params, void *context)
{
    struct notes *notes = context;
    pthread_mutex_lock(&notes->lock);
    if (strcmp(method, "notifications/progress") == 0)
        notes->progress++;
    else if (strcmp(method, "notifications/message") == 0)
        notes->logs++;
    pthread_mutex_unlock(&notes->lock);
}

static int answer_sampling(const char *method, const json_t *params, void *context, json_t **result)
{
    if (strcmp(method, "sampling/createMessage") != 0)
        return ASSAY_ERR_UNSUPPORTED;
    *result = json_pack("{s:s, s:{s:s, s:s}, s:s}", "role", "assistant", "content", "type", "text",
                        "text", "yes", "model", "test");
    return 0;
}

static const char *first_text(const json_t *result)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(result, "content"), 0), "text"));
}

/* Connects with what every conversation uses (sampling offered, answered by
 * answer_sampling; notifications counted in notes) on top of the transport
 * fields the caller set in options. */
static struct mcp_client *connect_noting(struct mcp_client_options *options, struct notes *notes)
{
    options->capabilities_json = "{\"sampling\":{}}";
    options->timeout_ms = 5000;
    options->on_notification = note_notification;
    options->on_request = answer_sampling;
    options->context = notes;
    struct mcp_client *client = NULL;
    struct assay_error error = {0};
    assert_int_equal(mcp_client_connect(options, &client, &error), 0);
    return client;
}

/* The same conversation over any transport. */
static void converse(struct mcp_client *client, struct notes *notes)
{
    struct assay_error error = {0};
    assert_string_equal(mcp_client_protocol_version(client), "2025-11-25");
    assert_non_null(json_object_get(mcp_client_server_info(client), "serverInfo"));

    json_t *tools = NULL;
    assert_int_equal(mcp_client_list_tools(client, &tools, &error), 0);
    assert_int_equal(json_array_size(tools), 5); /* three pages of two */
    json_decref(tools);

    json_t *result = NULL;
    assert_int_equal(mcp_client_call_tool(client, "echo", json_pack("{s:s}", "text", "ping pong"),
                                          NULL, &result, &error),
                     0);
    assert_string_equal(first_text(result), "ping pong");
    json_decref(result);

    assert_int_equal(mcp_client_set_log_level(client, "warning", &error), 0);
    struct mcp_request_options with_progress = {.want_progress = 1};
    assert_int_equal(
        mcp_client_call_tool(client, "progress", NULL, &with_progress, &result, &error), 0);
    assert_string_equal(first_text(result), "progressed");
    json_decref(result);
    pthread_mutex_lock(&notes->lock);
    assert_int_equal(notes->progress, 3);
    assert_int_equal(notes->logs, 1);
    pthread_mutex_unlock(&notes->lock);

    assert_int_equal(mcp_client_call_tool(client, "sampling", NULL, NULL, &result, &error), 0);
    assert_string_equal(first_text(result), "model said yes");
    json_decref(result);

    assert_int_equal(mcp_client_call_tool(client, "missing", NULL, NULL, &result, &error),
                     ASSAY_ERR_REMOTE);
    assert_int_equal(json_integer_value(json_object_get(result, "code")), -32602);
    assert_non_null(strstr(error.message, "Unknown tool: missing"));
    json_decref(result);

    assert_int_equal(mcp_client_read_resource(client, "test://text", &result, &error), 0);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(result, "contents"), 0), "text")),
                        "words");
    json_decref(result);
    json_t *list = NULL;
    assert_int_equal(mcp_client_list_resources(client, &list, &error), 0);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    assert_int_equal(mcp_client_list_resource_templates(client, &list, &error), 0);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    assert_int_equal(mcp_client_list_prompts(client, &list, &error), 0);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    assert_int_equal(mcp_client_get_prompt(client, "hello", NULL, &result, &error), 0);
    assert_non_null(json_object_get(result, "messages"));
    json_decref(result);
    assert_int_equal(mcp_client_ping(client, &error), 0);

    /* A timeout cancels the call on the server. */
    atomic_store(&mcp_fixture_sleeper_saw_cancel, 0);
    struct mcp_request_options short_wait = {.timeout_ms = 150};
    assert_int_equal(mcp_client_call_tool(client, "sleeper", NULL, &short_wait, &result, &error),
                     ASSAY_ERR_TIMEOUT);
    json_decref(result);
    mcp_fixture_wait_for(&mcp_fixture_sleeper_saw_cancel);
    assert_int_equal(mcp_client_ping(client, &error), 0);
}

static void client_over_http(void **state)
{
    struct mcp_server *server = make_server();
    struct mcp_http_transport *transport = NULL;
    char url[96];
    mcp_fixture_serve_http(server, NULL, &transport, url, sizeof url);
    struct notes notes = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
    struct mcp_client_options options = {.url = url};
    struct mcp_client *client = connect_noting(&options, &notes);
    assert_int_equal(server->sessions.count, 1);
    converse(client, &notes);
    mcp_client_close(client); /* DELETE ends the session */
    assert_int_equal(server->sessions.count, 0);
    mcp_http_transport_free(transport);
    mcp_server_free(server);
}

struct stdio_server {
    struct mcp_server *server;
    int input, output;
    pthread_t thread;
};

static void *serve(void *context)
{
    struct stdio_server *stdio = context;
    struct mcp_stdio_options options = {
        .input_fd = stdio->input, .output_fd = stdio->output, .stop_fd = -1};
    mcp_stdio_serve(stdio->server, &options);
    close(stdio->input);
    close(stdio->output);
    return NULL;
}

static void client_over_stdio_pipes(void **state)
{
    int to_server[2], from_server[2];
    assert_int_equal(pipe(to_server), 0);
    assert_int_equal(pipe(from_server), 0);
    struct stdio_server stdio = {make_server(), to_server[0], from_server[1], 0};
    assert_int_equal(pthread_create(&stdio.thread, NULL, serve, &stdio), 0);
    struct notes notes = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
    struct mcp_client_options options = {
        .use_descriptors = 1, .read_fd = from_server[0], .write_fd = to_server[1]};
    struct mcp_client *client = connect_noting(&options, &notes);
    converse(client, &notes);
    mcp_client_close(client); /* closes the server's input: it ends */
    pthread_join(stdio.thread, NULL);
    mcp_server_free(stdio.server);
}

static void spawned_children_are_read_and_reaped(void **state)
{
    struct assay_error error = {0};
    struct mcp_client *client = NULL;
    /* cat echoes the initialize request; the client refuses it as a server
     * request, cat echoes that refusal, which answers our initialize. */
    const char *const cat[] = {"cat", NULL};
    struct mcp_client_options options = {.command = cat, .timeout_ms = 3000};
    assert_int_equal(mcp_client_connect(&options, &client, &error), ASSAY_ERR_REMOTE);
    assert_non_null(strstr(error.message, "-32601"));

    const char *const missing[] = {"/nonexistent/mcp-server", NULL};
    options.command = missing;
    assert_int_equal(mcp_client_connect(&options, &client, &error), ASSAY_ERR_IO);
    assert_non_null(strstr(error.message, "cannot start"));

    const char *const quitter[] = {"/bin/sh", "-c", "exit 3", NULL};
    options.command = quitter;
    assert_int_equal(mcp_client_connect(&options, &client, &error), ASSAY_ERR_IO);

    const char *const silent[] = {"/bin/sh", "-c", "exec sleep 5", NULL};
    options.command = silent;
    options.timeout_ms = 100;
    assert_int_equal(mcp_client_connect(&options, &client, &error), ASSAY_ERR_TIMEOUT);
}

static void http_errors_are_reported(void **state)
{
    struct assay_error error = {0};
    struct mcp_client *client = NULL;
    struct mcp_client_options options = {.url = "http://127.0.0.1:1/mcp", .timeout_ms = 2000};
    assert_int_equal(mcp_client_connect(&options, &client, &error), ASSAY_ERR_IO);
    options.url = "ftp://example.com/";
    assert_int_equal(mcp_client_connect(&options, &client, &error), ASSAY_ERR_INVALID);
    struct mcp_client_options none = {0};
    assert_int_equal(mcp_client_connect(&none, &client, &error), ASSAY_ERR_INVALID);

    /* The server forgets the session: the client says so. */
    struct mcp_server *server = make_server();
    struct mcp_http_transport *transport = NULL;
    char url[96];
    mcp_fixture_serve_http(server, NULL, &transport, url, sizeof url);
    options.url = url;
    assert_int_equal(mcp_client_connect(&options, &client, &error), 0);
    mcp__session_close_all(server);
    assert_int_equal(mcp_client_ping(client, &error), ASSAY_ERR_STATE);
    assert_non_null(strstr(error.message, "session"));
    mcp_client_close(client);
    mcp_http_transport_free(transport);
    mcp_server_free(server);
}

int test_group_mcp_client(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_over_http),
        cmocka_unit_test(client_over_stdio_pipes),
        cmocka_unit_test(spawned_children_are_read_and_reaped),
        cmocka_unit_test(http_errors_are_reported),
    };
    return cmocka_run_group_tests_name("mcp_client", tests, NULL, NULL);
}
