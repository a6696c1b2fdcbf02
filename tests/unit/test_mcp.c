/* test_mcp.c — the MCP server core without sockets: registration, the
 * dispatch (through the in-process transport), errors, pagination,
 * resources, prompts, logging, progress, the schema subset and the JSON
 * writer; then the stdio transport on a pipe pair: framing, oversized
 * lines, cancellation, end of input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonrpc/json_write.h"
#include "core/memory.h"
#include "jsonrpc/json_strict.h"
#include "mcp/internal.h"
#include "mcp/local_transport.h"
#include "mcp/server.h"
#include "mcp/stdio_transport.h"
#include "mcp_fixture.h"
#include "test_list.h"

/* ---- tools used by the tests --------------------------------------------------- */

static int failing_tool(struct mcp_call *call, const json_t *arguments, void *context,
                        json_t **result)
{
    return mcp_call_fail(call, "the disk is full");
}

static int rpc_error_tool(struct mcp_call *call, const json_t *arguments, void *context,
                          json_t **result)
{
    return mcp_call_rpc_error(call, -32099, "custom failure %d", 7);
}

static int structured_tool(struct mcp_call *call, const json_t *arguments, void *context,
                           json_t **result)
{
    const char *mode = json_string_value(json_object_get(arguments, "mode"));
    if (strcmp(mode, "good") == 0)
        *result = mcp_result_structured(json_pack("{s:i}", "sum", 3));
    else if (strcmp(mode, "missing") == 0)
        *result = mcp_result_text("no structure");
    else
        *result = mcp_result_structured(json_pack("{s:s}", "sum", "three"));
    return 0;
}

static int logging_tool(struct mcp_call *call, const json_t *arguments, void *context,
                        json_t **result)
{
    mcp_call_log(call, MCP_LOG_DEBUG, "test", "debug %d", 1);
    mcp_call_log(call, MCP_LOG_WARNING, "test", "warning %d", 2);
    mcp_call_progress(call, 1, 2, "half");
    mcp_call_progress(call, 2, 2, NULL);
    *result = mcp_result_text(mcp_call_on_worker(call) ? "worker" : "inline");
    return 0;
}

/* Rounds of 5 ms the sleeper waits to be cancelled. */
static int sleeper_rounds = 500;

static int sampling_tool(struct mcp_call *call, const json_t *arguments, void *context,
                         json_t **result)
{
    json_t *answer = NULL;
    int status = mcp_fixture_ask_sampling(call, json_object(), &answer);
    if (status != 0)
        return status;
    *result = mcp_result_text(json_string_value(json_object_get(answer, "text")));
    json_decref(answer);
    return 0;
}

static int template_reader(struct mcp_call *call, const char *uri, const json_t *variables,
                           void *context, json_t **result)
{
    char text[128];
    snprintf(text, sizeof text, "user=%s item=%s",
             json_string_value(json_object_get(variables, "user")),
             json_string_value(json_object_get(variables, "item")));
    *result = json_pack("{s:[{s:s, s:s}]}", "contents", "uri", uri, "text", text);
    return 0;
}

static int greeting_prompt(struct mcp_call *call, const json_t *arguments, void *context,
                           json_t **result)
{
    char text[128];
    snprintf(text, sizeof text, "Hello %s", json_string_value(json_object_get(arguments, "name")));
    *result = json_pack("{s:[{s:s, s:{s:s, s:s}}]}", "messages", "role", "user", "content", "type",
                        "text", "text", text);
    return 0;
}

static int complete_names(struct mcp_call *call, const json_t *reference, const char *argument_name,
                          const char *argument_value, void *context, json_t **values)
{
    *values = json_pack("[s, s]", "alice", "albert");
    return 0;
}

/* The tools after the fixture's "echo" (see mcp_fixture_new_server). */
static const struct mcp_tool server_tools[] = {
    {.name = "fail", .description = "fails", .handler = failing_tool},
    {.name = "rpc_error", .description = "rpc", .handler = rpc_error_tool},
    {.name = "structured",
     .description = "structured",
     .input_schema_json = "{\"type\":\"object\",\"properties\":{\"mode\":"
                          "{\"enum\":[\"good\",\"missing\",\"bad\"]}},\"required\":[\"mode\"]}",
     .output_schema_json = "{\"type\":\"object\",\"properties\":{\"sum\":"
                           "{\"type\":\"integer\"}},\"required\":[\"sum\"]}",
     .handler = structured_tool},
    {.name = "logging", .description = "logs", .handler = logging_tool},
    {.name = "sleeper",
     .description = "sleeps until cancelled",
     .handler = mcp_fixture_sleeper_tool,
     .context = &sleeper_rounds,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "sampling",
     .description = "asks the client",
     .handler = sampling_tool,
     .flags = MCP_RUN_ON_WORKER},
};

static struct mcp_server *make_server(size_t page_size)
{
    struct mcp_server_options options = {
        .name = "test", .page_size = page_size, .client_request_timeout_ms = 2000};
    struct mcp_server *server = mcp_fixture_new_server(
        &options, server_tools, sizeof server_tools / sizeof server_tools[0]);
    assert_int_equal(
        mcp_server_add_resource(server, &(struct mcp_resource){.uri = "test://text",
                                                               .name = "text",
                                                               .mime_type = "text/plain",
                                                               .text = "plain words"}),
        0);
    assert_int_equal(
        mcp_server_add_resource(
            server, &(struct mcp_resource){.uri = "test://blob", .name = "blob", .blob = "AAEC"}),
        0);
    assert_int_equal(
        mcp_server_add_resource_template(
            server,
            &(struct mcp_resource_template){.uri_template = "test://users/{user}/items/{item}",
                                            .name = "items",
                                            .handler = template_reader}),
        0);
    assert_int_equal(mcp_server_add_prompt(
                         server,
                         &(struct mcp_prompt){
                             .name = "greeting",
                             .description = "greets",
                             .arguments = (const struct mcp_prompt_argument[]){{"name", "who", 1}},
                             .argument_count = 1,
                             .handler = greeting_prompt}),
                     0);
    assert_int_equal(mcp_server_set_completion(server, complete_names, NULL), 0);
    return server;
}

/* Sends one message on a local session; returns every line the server
 * wrote, as a JSON array (the response last). */
static json_t *exchange(struct mcp_local_session *local, const char *text)
{
    struct buffer out = {0};
    assert_int_equal(mcp_local_session_send(local, text, strlen(text), &out), 0);
    json_t *lines = json_array();
    char *cursor = out.data;
    while (cursor != NULL && *cursor != '\0') {
        char *end = strchr(cursor, '\n');
        assert_non_null(end);
        json_t *message = json_strict_parse(cursor, (size_t)(end - cursor), 64, NULL);
        assert_non_null(message);
        json_array_append_new(lines, message);
        cursor = end + 1;
    }
    buffer_free(&out);
    return lines;
}

/* The last message of exchange() (the response), as a new reference. */
static json_t *request(struct mcp_local_session *local, const char *text)
{
    json_t *lines = exchange(local, text);
    assert_true(json_array_size(lines) > 0);
    json_t *response = json_incref(json_array_get(lines, json_array_size(lines) - 1));
    json_decref(lines);
    return response;
}

static long long error_code(const json_t *response)
{
    return json_integer_value(json_object_get(json_object_get(response, "error"), "code"));
}

static const char *error_message(const json_t *response)
{
    return json_string_value(json_object_get(json_object_get(response, "error"), "message"));
}

static const char *first_text(const json_t *response)
{
    return json_string_value(json_object_get(
        json_array_get(json_object_get(json_object_get(response, "result"), "content"), 0),
        "text"));
}

struct fixture {
    struct mcp_server *server;
    struct mcp_local_session *local;
};

static int setup(void **state)
{
    struct fixture *fixture = assay_calloc(1, sizeof *fixture);
    fixture->server = make_server(100);
    assert_int_equal(mcp_local_session_open(fixture->server, &fixture->local), 0);
    json_t *response = request(fixture->local,
                               "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                               "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                               "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
    assert_non_null(json_object_get(response, "result"));
    json_decref(response);
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    mcp_local_session_close(fixture->local);
    mcp_server_free(fixture->server);
    assay_free(fixture);
    return 0;
}

/* ---- registration -------------------------------------------------------------- */

static void registration_rejects_bad_definitions(void **state)
{
    struct mcp_server *server = NULL;
    assert_int_equal(mcp_server_new(NULL, &server), 0);
    assert_int_equal(mcp_server_add_tool(server, &(struct mcp_tool){.name = "x"}),
                     ASSAY_ERR_INVALID);
    assert_int_equal(
        mcp_server_add_tool(server, &(struct mcp_tool){.name = "x",
                                                       .handler = mcp_fixture_echo_tool,
                                                       .input_schema_json = "[1]"}),
        ASSAY_ERR_INVALID);
    assert_non_null(strstr(mcp_server_last_error(server), "must be a JSON object"));
    assert_int_equal(
        mcp_server_add_tool(server, &(struct mcp_tool){.name = "x",
                                                       .handler = mcp_fixture_echo_tool,
                                                       .input_schema_json = "{\"type\":"}),
        ASSAY_ERR_INVALID);
    assert_int_equal(mcp_server_add_tool(
                         server, &(struct mcp_tool){.name = "x",
                                                    .handler = mcp_fixture_echo_tool,
                                                    .input_schema_json = "{\"type\":\"string\"}"}),
                     ASSAY_ERR_INVALID);
    assert_int_equal(mcp_server_add_tool(
                         server, &(struct mcp_tool){.name = "x", .handler = mcp_fixture_echo_tool}),
                     0);
    assert_int_equal(mcp_server_add_tool(
                         server, &(struct mcp_tool){.name = "x", .handler = mcp_fixture_echo_tool}),
                     ASSAY_ERR_INVALID);
    assert_non_null(strstr(mcp_server_last_error(server), "registered twice"));
    assert_int_equal(
        mcp_server_add_resource(server, &(struct mcp_resource){.uri = "a://b", .name = "b"}),
        ASSAY_ERR_INVALID);
    assert_int_equal(mcp_server_add_resource_template(
                         server, &(struct mcp_resource_template){.uri_template = "a://plain",
                                                                 .name = "t",
                                                                 .handler = template_reader}),
                     ASSAY_ERR_INVALID);
    assert_int_equal(mcp_server_add_prompt(server, &(struct mcp_prompt){.name = "p"}),
                     ASSAY_ERR_INVALID);

    struct mcp_local_session *local = NULL;
    assert_int_equal(mcp_local_session_open(server, &local), 0);
    assert_int_equal(
        mcp_server_add_tool(server,
                            &(struct mcp_tool){.name = "late", .handler = mcp_fixture_echo_tool}),
        ASSAY_ERR_STATE);
    mcp_local_session_close(local);
    mcp_server_free(server);
}

/* ---- lifecycle and errors ----------------------------------------------------------- */

static void initialize_negotiates_the_version(void **state)
{
    struct mcp_server *server = make_server(100);
    struct mcp_local_session *local = NULL;
    assert_int_equal(mcp_local_session_open(server, &local), 0);
    json_t *response = request(local, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                                      "\"params\":{\"protocolVersion\":\"2025-06-18\","
                                      "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
                                      "\"version\":\"1\"}}}");
    json_t *result = json_object_get(response, "result");
    assert_string_equal(json_string_value(json_object_get(result, "protocolVersion")),
                        "2025-06-18");
    json_t *capabilities = json_object_get(result, "capabilities");
    assert_non_null(json_object_get(capabilities, "tools"));
    assert_non_null(json_object_get(capabilities, "logging"));
    assert_true(
        json_is_true(json_object_get(json_object_get(capabilities, "resources"), "subscribe")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(result, "serverInfo"), "name")), "test");
    json_decref(response);
    response = request(local, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":"
                              "{\"protocolVersion\":\"2025-11-25\"}}");
    assert_int_equal(error_code(response), -32600);
    json_decref(response);
    mcp_local_session_close(local);

    assert_int_equal(mcp_local_session_open(server, &local), 0);
    response = request(local, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                              "{\"protocolVersion\":\"1999-01-01\",\"capabilities\":{}}}");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(response, "result"), "protocolVersion")),
        "2025-11-25");
    json_decref(response);
    response =
        request(local, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":{}}");
    json_decref(response);
    mcp_local_session_close(local);
    assert_int_equal(mcp_local_session_open(server, &local), 0);
    response =
        request(local, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\",\"params\":{}}");
    assert_int_equal(error_code(response), -32602);
    assert_non_null(strstr(error_message(response), "protocolVersion"));
    json_decref(response);
    mcp_local_session_close(local);
    mcp_server_free(server);
}

static void malformed_and_wrong_requests_get_json_rpc_errors(void **state)
{
    struct fixture *fixture = *state;
    static const struct {
        const char *text;
        int code;
        const char *mentions;
    } cases[] = {
        {"{not json", -32700, NULL},
        {"[]", -32600, "batch"},
        {"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", -32600, "jsonrpc"},
        {"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", -32600, "null"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"no/such\"}", -32601, "no/such"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":[1]}", -32602,
         "params"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}", -32602,
         "params.name"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}",
         -32602, "Unknown tool: nope"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
         "\"arguments\":[]}}",
         -32602, "params.arguments"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://"
         "none\"}}",
         -32002, "test://none"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/"
         "get\",\"params\":{\"name\":\"greeting\"}}",
         -32602, "params.arguments.name"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/"
         "get\",\"params\":{\"name\":\"greeting\","
         "\"arguments\":{\"name\":5}}}",
         -32602, "params.arguments.name"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/"
         "setLevel\",\"params\":{\"level\":\"loud\"}}",
         -32602, "params.level"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/"
         "list\",\"params\":{\"cursor\":\"forged\"}}",
         -32602, "cursor"},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/"
         "complete\",\"params\":{\"ref\":{}}}",
         -32602, "params.ref"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        json_t *response = request(fixture->local, cases[index].text);
        if (error_code(response) != cases[index].code)
            fail_msg("case %zu (%s): got %s", index, cases[index].text,
                     json_dumps(response, JSON_COMPACT));
        if (cases[index].code == -32700 || cases[index].code == -32600)
            assert_true(json_is_null(json_object_get(response, "id")) ||
                        json_is_integer(json_object_get(response, "id")));
        if (cases[index].mentions != NULL &&
            strstr(error_message(response), cases[index].mentions) == NULL)
            fail_msg("case %zu: message '%s' does not mention '%s'", index, error_message(response),
                     cases[index].mentions);
        json_decref(response);
    }
    /* Nesting past the limit is refused before any tree walk. */
    char deep[400];
    size_t used = (size_t)snprintf(
        deep, sizeof deep, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"a\":");
    for (int level = 0; level < 70; level++)
        deep[used++] = '[';
    for (int level = 0; level < 70; level++)
        deep[used++] = ']';
    memcpy(deep + used, "}}", 3);
    json_t *response = request(fixture->local, deep);
    assert_int_equal(error_code(response), -32700);
    assert_true(json_is_null(json_object_get(response, "id")));
    json_decref(response);
    /* A notification is never answered. */
    json_t *lines =
        exchange(fixture->local, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    assert_int_equal(json_array_size(lines), 0);
    json_decref(lines);
    response = request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"ping\"}");
    assert_true(json_is_object(json_object_get(response, "result")));
    assert_string_equal(json_string_value(json_object_get(response, "id")), "p");
    json_decref(response);
}

/* ---- tools ------------------------------------------------------------------------- */

static void tool_results_and_tool_errors(void **state)
{
    struct fixture *fixture = *state;
    json_t *response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                                "\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":"
                                "\"h\\u00e9llo \\\"q\\\"\\n\"}}}");
    assert_string_equal(first_text(response), "h\xc3\xa9llo \"q\"\n");
    json_decref(response);

    response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
                                "\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":5}}}");
    json_t *result = json_object_get(response, "result");
    assert_true(json_is_true(json_object_get(result, "isError")));
    assert_non_null(strstr(first_text(response), "arguments.text: expected string, got integer"));
    json_decref(response);

    response = request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
                                       "\"params\":{\"name\":\"fail\"}}");
    assert_true(json_is_true(json_object_get(json_object_get(response, "result"), "isError")));
    assert_string_equal(first_text(response), "the disk is full");
    json_decref(response);

    response = request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
                                       "\"params\":{\"name\":\"rpc_error\"}}");
    assert_int_equal(error_code(response), -32099);
    assert_string_equal(error_message(response), "custom failure 7");
    json_decref(response);

    response = request(fixture->local,
                       "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
                       "\"params\":{\"name\":\"structured\",\"arguments\":{\"mode\":\"good\"}}}");
    result = json_object_get(response, "result");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(result, "structuredContent"), "sum")),
        3);
    assert_string_equal(first_text(response), "{\"sum\":3}");
    json_decref(response);
    response =
        request(fixture->local,
                "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\","
                "\"params\":{\"name\":\"structured\",\"arguments\":{\"mode\":\"missing\"}}}");
    assert_int_equal(error_code(response), -32603);
    assert_non_null(strstr(error_message(response), "structuredContent"));
    json_decref(response);
    response = request(fixture->local,
                       "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
                       "\"params\":{\"name\":\"structured\",\"arguments\":{\"mode\":\"bad\"}}}");
    assert_int_equal(error_code(response), -32603);
    assert_non_null(strstr(error_message(response), "structuredContent.sum"));
    json_decref(response);
    response = request(fixture->local,
                       "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\","
                       "\"params\":{\"name\":\"structured\",\"arguments\":{\"mode\":\"other\"}}}");
    assert_non_null(
        strstr(first_text(response), "arguments.mode: is not one of the allowed values"));
    json_decref(response);

    /* No client to answer on this transport: the request fails at once. */
    response = request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\","
                                       "\"params\":{\"name\":\"sampling\"}}");
    assert_true(json_is_true(json_object_get(json_object_get(response, "result"), "isError")));
    assert_non_null(strstr(first_text(response), "sampling"));
    json_decref(response);
}

static void tools_list_pages_with_cursors(void **state)
{
    struct mcp_server *server = make_server(3);
    struct mcp_local_session *local = NULL;
    assert_int_equal(mcp_local_session_open(server, &local), 0);
    json_t *names = json_array();
    char text[256] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
    int pages = 0;
    for (;;) {
        json_t *response = request(local, text);
        json_t *result = json_object_get(response, "result");
        json_t *tools = json_object_get(result, "tools");
        assert_true(json_array_size(tools) <= 3);
        size_t index;
        json_t *tool;
        json_array_foreach(tools, index, tool)
        {
            assert_non_null(json_object_get(tool, "inputSchema"));
            json_array_append(names, json_object_get(tool, "name"));
        }
        pages++;
        const char *next = json_string_value(json_object_get(result, "nextCursor"));
        if (next == NULL) {
            json_decref(response);
            break;
        }
        snprintf(text, sizeof text,
                 "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/"
                 "list\",\"params\":{\"cursor\":\"%s\"}}",
                 next);
        json_decref(response);
    }
    assert_int_equal(pages, 3);
    assert_int_equal(json_array_size(names), 7);
    assert_string_equal(json_string_value(json_array_get(names, 0)), "echo");
    assert_string_equal(json_string_value(json_array_get(names, 6)), "sampling");
    json_decref(names);

    /* A tools cursor is not a prompts cursor. */
    json_t *response = request(local, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
    char cursor[128];
    snprintf(cursor, sizeof cursor, "%s",
             json_string_value(json_object_get(json_object_get(response, "result"), "nextCursor")));
    json_decref(response);
    snprintf(
        text, sizeof text,
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"prompts/list\",\"params\":{\"cursor\":\"%s\"}}",
        cursor);
    response = request(local, text);
    assert_int_equal(error_code(response), -32602);
    json_decref(response);
    mcp_local_session_close(local);
    mcp_server_free(server);
}

/* ---- resources, prompts, completion ------------------------------------------------------ */

static void resources_templates_prompts_and_completion(void **state)
{
    struct fixture *fixture = *state;
    json_t *response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}");
    json_t *resources = json_object_get(json_object_get(response, "result"), "resources");
    assert_int_equal(json_array_size(resources), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(resources, 0), "mimeType")), "text/plain");
    json_decref(response);

    response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\","
                                "\"params\":{\"uri\":\"test://text\"}}");
    json_t *content =
        json_array_get(json_object_get(json_object_get(response, "result"), "contents"), 0);
    assert_string_equal(json_string_value(json_object_get(content, "text")), "plain words");
    json_decref(response);
    response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\","
                                "\"params\":{\"uri\":\"test://blob\"}}");
    content = json_array_get(json_object_get(json_object_get(response, "result"), "contents"), 0);
    assert_string_equal(json_string_value(json_object_get(content, "blob")), "AAEC");
    json_decref(response);

    response = request(fixture->local,
                       "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/templates/list\"}");
    json_t *templates = json_object_get(json_object_get(response, "result"), "resourceTemplates");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(templates, 0), "uriTemplate")),
        "test://users/{user}/items/{item}");
    json_decref(response);
    response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"resources/read\","
                                "\"params\":{\"uri\":\"test://users/ann/items/42\"}}");
    content = json_array_get(json_object_get(json_object_get(response, "result"), "contents"), 0);
    assert_string_equal(json_string_value(json_object_get(content, "text")), "user=ann item=42");
    json_decref(response);
    /* A variable never spans a '/'. */
    response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"resources/read\","
                                "\"params\":{\"uri\":\"test://users/a/b/items/42\"}}");
    assert_int_equal(error_code(response), -32002);
    json_decref(response);

    response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/subscribe\","
                                "\"params\":{\"uri\":\"test://text\"}}");
    assert_true(json_is_object(json_object_get(response, "result")));
    json_decref(response);
    response = request(fixture->local,
                       "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"resources/unsubscribe\","
                       "\"params\":{\"uri\":\"test://text\"}}");
    assert_true(json_is_object(json_object_get(response, "result")));
    json_decref(response);

    response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"prompts/list\"}");
    json_t *prompt =
        json_array_get(json_object_get(json_object_get(response, "result"), "prompts"), 0);
    assert_string_equal(json_string_value(json_object_get(prompt, "name")), "greeting");
    assert_true(json_is_true(
        json_object_get(json_array_get(json_object_get(prompt, "arguments"), 0), "required")));
    json_decref(response);
    response = request(fixture->local,
                       "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"prompts/get\","
                       "\"params\":{\"name\":\"greeting\",\"arguments\":{\"name\":\"Ada\"}}}");
    json_t *message =
        json_array_get(json_object_get(json_object_get(response, "result"), "messages"), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(message, "content"), "text")),
        "Hello Ada");
    json_decref(response);
    response = request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"prompts/get\","
                                       "\"params\":{\"name\":\"nope\"}}");
    assert_int_equal(error_code(response), -32602);
    json_decref(response);

    response = request(fixture->local,
                       "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"completion/complete\","
                       "\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"greeting\"},"
                       "\"argument\":{\"name\":\"name\",\"value\":\"al\"}}}");
    json_t *completion = json_object_get(json_object_get(response, "result"), "completion");
    assert_int_equal(json_array_size(json_object_get(completion, "values")), 2);
    assert_true(json_is_false(json_object_get(completion, "hasMore")));
    json_decref(response);
}

static void logging_level_and_progress(void **state)
{
    struct fixture *fixture = *state;
    json_t *response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\","
                                "\"params\":{\"level\":\"info\"}}");
    json_decref(response);
    /* Inline call without a token: the warning log, no progress. */
    json_t *lines =
        exchange(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
                                 "\"params\":{\"name\":\"logging\"}}");
    assert_int_equal(json_array_size(lines), 2);
    json_t *log = json_array_get(lines, 0);
    assert_string_equal(json_string_value(json_object_get(log, "method")), "notifications/message");
    json_t *params = json_object_get(log, "params");
    assert_string_equal(json_string_value(json_object_get(params, "level")), "warning");
    assert_string_equal(json_string_value(json_object_get(params, "logger")), "test");
    assert_string_equal(json_string_value(json_object_get(params, "data")), "warning 2");
    assert_string_equal(first_text(json_array_get(lines, 1)), "inline");
    json_decref(lines);
    /* With a progress token: runs on a worker and reports progress. */
    lines = exchange(fixture->local,
                     "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\","
                     "\"params\":{\"name\":\"logging\",\"_meta\":{\"progressToken\":\"tok\"}}}");
    assert_int_equal(json_array_size(lines), 4);
    json_t *progress = json_object_get(json_array_get(lines, 1), "params");
    assert_string_equal(json_string_value(json_object_get(progress, "progressToken")), "tok");
    assert_int_equal(json_integer_value(json_object_get(progress, "progress")), 1);
    assert_int_equal(json_integer_value(json_object_get(progress, "total")), 2);
    assert_string_equal(json_string_value(json_object_get(progress, "message")), "half");
    assert_null(json_object_get(json_object_get(json_array_get(lines, 2), "params"), "message"));
    assert_string_equal(first_text(json_array_get(lines, 3)), "worker");
    json_decref(lines);
}

/* ---- schema subset and JSON writer ------------------------------------------------------- */

static void schema_subset_names_the_failing_path(void **state)
{
    static const struct {
        const char *schema, *instance;
        const char *error; /* NULL: valid */
    } cases[] = {
        {"{\"type\":\"integer\"}", "3", NULL},
        {"{\"type\":\"integer\"}", "3.0", NULL},
        {"{\"type\":\"integer\"}", "3.5", "x: expected integer, got number"},
        {"{\"type\":[\"string\",\"null\"]}", "null", NULL},
        {"{\"type\":[\"string\",\"null\"]}", "1", "x: has type integer"},
        {"{\"minimum\":1,\"maximum\":3}", "4", "x: must be at most 3"},
        {"{\"exclusiveMinimum\":1}", "1", "x: must be greater than 1"},
        {"{\"minLength\":2}", "\"\\u00e9\"", "x: must be at least 2 characters"},
        {"{\"maxLength\":1}", "\"\\u00e9\"", NULL},
        {"{\"enum\":[1,\"a\"]}", "\"a\"", NULL},
        {"{\"const\":{\"k\":1}}", "{\"k\":2}", "x: must equal"},
        {"{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"name\"]},\"maxItems\":"
         "3}",
         "[{\"name\":1},{}]", "x[1].name: is required"},
        {"{\"type\":\"array\",\"minItems\":2}", "[1]", "x: needs at least 2 items"},
        {"{\"properties\":{\"a\":{\"type\":\"string\"}},\"additionalProperties\":false}",
         "{\"a\":\"s\",\"b\":1}", "x.b: is not an allowed property"},
        {"{\"additionalProperties\":{\"type\":\"integer\"}}", "{\"b\":\"no\"}",
         "x.b: expected integer"},
        {"{\"$defs\":{\"n\":{\"type\":\"number\"}},\"properties\":{\"v\":{\"$ref\":\"#/$defs/"
         "n\"}}}",
         "{\"v\":\"s\"}", "x.v: expected number"},
        {"{\"properties\":{\"v\":{\"$ref\":\"#/$defs/missing\"}}}", "{\"v\":1}",
         "cannot be resolved"},
        {"{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "true", "matches none"},
        {"{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}]}", "1", "more than one"},
        {"{\"allOf\":[{\"minimum\":0},{\"maximum\":10}]}", "5", NULL},
        {"{\"format\":\"email\",\"pattern\":\"^x$\"}", "\"anything\"", NULL},
        {"false", "1", "x: is not allowed"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        json_t *schema = json_loads(cases[index].schema, JSON_DECODE_ANY, NULL);
        json_t *instance = json_loads(cases[index].instance, JSON_DECODE_ANY, NULL);
        assert_non_null(schema);
        assert_non_null(instance);
        char message[256];
        int status = mcp__schema_validate(schema, instance, "x", message, sizeof message);
        if (cases[index].error == NULL && status != 0)
            fail_msg("case %zu should pass, got '%s'", index, message);
        if (cases[index].error != NULL &&
            (status == 0 || strstr(message, cases[index].error) == NULL))
            fail_msg("case %zu: expected '%s', got '%s'", index, cases[index].error,
                     status == 0 ? "valid" : message);
        json_decref(schema);
        json_decref(instance);
    }
}

static void json_writer_matches_jansson(void **state)
{
    static const char *const values[] = {
        "{\"a\":[1,-2,3.5,1e300,-0.0,true,false,null],\"b\":{\"\":\"\"}}",
        "\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007 nul-free \\u00e9 "
        "\\ud83d\\ude00 slash /\"",
        "[9223372036854775807,-9223372036854775808,0,100.0,0.1,1e-7,2.5e-300,"
        "123456789012345678901234567890.0]",
        "{\"nested\":{\"deeper\":[[],{},[{}]]}}",
    };
    for (size_t index = 0; index < sizeof values / sizeof values[0]; index++) {
        json_t *value = json_loads(values[index], JSON_DECODE_ANY, NULL);
        assert_non_null(value);
        char *expected = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        struct buffer out = {0};
        assert_int_equal(json_write_compact(value, &out), 0);
        assert_string_equal(out.data, expected);
        free(expected);
        buffer_free(&out);
        json_decref(value);
    }
    struct buffer out = {0};
    json_t *id = json_integer(12);
    json_t *result = json_pack("{s:s}", "k", "v");
    assert_int_equal(json_write_response(id, "result", result, &out), 0);
    assert_string_equal(out.data, "{\"jsonrpc\":\"2.0\",\"id\":12,\"result\":{\"k\":\"v\"}}");
    buffer_free(&out);
    json_decref(id);
    json_decref(result);
}

/* Mutated valid messages (bytes flipped, cut short, spliced): every one gets
 * at most one answer and the server keeps serving. Deterministic. */
static void hostile_mutations_never_break_the_server(void **state)
{
    struct fixture *fixture = *state;
    static const char *const seeds[] = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
        "\"arguments\":{\"text\":\"x\"}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"resources/read\",\"params\":{\"uri\":"
        "\"test://users/u/items/i\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/"
        "get\",\"params\":{\"name\":\"greeting\","
        "\"arguments\":{\"name\":\"n\"}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/"
        "list\",\"params\":{\"cursor\":\"YXNzYXk6dDoy\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"assay-1\",\"result\":{}}",
    };
    static const char alphabet[] = "{}[]\",:\\0123456789.eE+-truefalsnul \x01\x7f\xc3\xa9\xff";
    unsigned long long seed = 0x9E3779B97F4A7C15ull;
    char text[512];
    for (int round = 0; round < 3000; round++) {
        const char *base = seeds[round % (sizeof seeds / sizeof seeds[0])];
        size_t length = strlen(base);
        memcpy(text, base, length + 1);
        for (int edit = 0; edit < 1 + round % 4; edit++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t position = (size_t)(seed >> 33) % length;
            char replacement = alphabet[(seed >> 20) % (sizeof alphabet - 1)];
            if ((seed >> 8) % 5 == 0)
                length = position > 0 ? position : 1; /* cut short */
            else
                text[position] = replacement;
        }
        text[length] = '\0';
        struct buffer out = {0};
        assert_int_equal(mcp_local_session_send(fixture->local, text, strlen(text), &out), 0);
        size_t lines = 0;
        for (size_t index = 0; index < out.length; index++)
            lines += out.data[index] == '\n';
        assert_true(lines <= 1);
        buffer_free(&out);
    }
    json_t *response =
        request(fixture->local, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}");
    assert_non_null(json_object_get(response, "result"));
    json_decref(response);
}

/* ---- stdio on a pipe pair ---------------------------------------------------------------- */

struct stdio_fixture {
    struct mcp_server *server;
    int to_server[2], from_server[2];
    pthread_t thread;
    int status;
    struct buffer pending; /* bytes read from the server, not yet split into lines */
};

static void *serve_stdio(void *context)
{
    struct stdio_fixture *fixture = context;
    struct mcp_stdio_options options = {.input_fd = fixture->to_server[0],
                                        .output_fd = fixture->from_server[1],
                                        .stop_fd = -1,
                                        .max_message_bytes = 4096};
    fixture->status = mcp_stdio_serve(fixture->server, &options);
    close(fixture->from_server[1]);
    return NULL;
}

static void stdio_start(struct stdio_fixture *fixture)
{
    memset(fixture, 0, sizeof *fixture);
    fixture->server = make_server(100);
    assert_int_equal(pipe(fixture->to_server), 0);
    assert_int_equal(pipe(fixture->from_server), 0);
    assert_int_equal(pthread_create(&fixture->thread, NULL, serve_stdio, fixture), 0);
}

static void stdio_write(struct stdio_fixture *fixture, const char *text)
{
    assert_int_equal(write(fixture->to_server[1], text, strlen(text)), (ssize_t)strlen(text));
}

/* The next line from the server as JSON (NULL at end of output). */
static json_t *stdio_read(struct stdio_fixture *fixture)
{
    for (;;) {
        char *newline = fixture->pending.data != NULL ? strchr(fixture->pending.data, '\n') : NULL;
        if (newline != NULL) {
            size_t length = (size_t)(newline - fixture->pending.data);
            json_t *message = json_strict_parse(fixture->pending.data, length, 64, NULL);
            assert_non_null(message);
            buffer_consume(&fixture->pending, length + 1);
            return message;
        }
        char chunk[4096];
        ssize_t got = read(fixture->from_server[0], chunk, sizeof chunk);
        if (got <= 0)
            return NULL;
        buffer_append(&fixture->pending, chunk, (size_t)got);
    }
}

static void stdio_finish(struct stdio_fixture *fixture)
{
    close(fixture->to_server[1]);
    json_t *rest;
    while ((rest = stdio_read(fixture)) != NULL)
        json_decref(rest);
    pthread_join(fixture->thread, NULL);
    assert_int_equal(fixture->status, 0);
    close(fixture->to_server[0]);
    close(fixture->from_server[0]);
    buffer_free(&fixture->pending);
    mcp_server_free(fixture->server);
}

static void stdio_framing_and_oversized_lines(void **state)
{
    struct stdio_fixture fixture;
    stdio_start(&fixture);
    /* Two messages in one write, CRLF, blank lines, then one split in three writes. */
    stdio_write(&fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n\n   \n"
                          "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n");
    stdio_write(&fixture, "{\"jsonrpc\":\"2.0\",\"id\":3,");
    stdio_write(&fixture, "\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",");
    stdio_write(&fixture, "\"arguments\":{\"text\":\"split\"}}}\n");
    for (int id = 1; id <= 3; id++) {
        json_t *message = stdio_read(&fixture);
        assert_int_equal(json_integer_value(json_object_get(message, "id")), id);
        if (id == 3)
            assert_string_equal(first_text(message), "split");
        json_decref(message);
    }
    /* A line over the 4096-byte limit is refused; the next one is served. */
    char big[6000];
    memset(big, 'x', sizeof big);
    memcpy(big, "{\"a\":\"", 6);
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\0';
    stdio_write(&fixture, big);
    json_t *message = stdio_read(&fixture);
    assert_int_equal(error_code(message), -32700);
    assert_non_null(strstr(error_message(message), "4096"));
    json_decref(message);
    stdio_write(&fixture, "not json\n");
    message = stdio_read(&fixture);
    assert_int_equal(error_code(message), -32700);
    json_decref(message);
    /* The last message may end without a newline: end of input delivers it. */
    stdio_write(&fixture, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}");
    close(fixture.to_server[1]);
    fixture.to_server[1] = dup(fixture.to_server[0]); /* keeps stdio_finish's close harmless */
    message = stdio_read(&fixture);
    assert_int_equal(json_integer_value(json_object_get(message, "id")), 4);
    json_decref(message);
    stdio_finish(&fixture);
}

static void stdio_cancellation_stops_a_running_call(void **state)
{
    struct stdio_fixture fixture;
    stdio_start(&fixture);
    atomic_store(&mcp_fixture_sleeper_started, 0);
    atomic_store(&mcp_fixture_sleeper_saw_cancel, 0);
    stdio_write(&fixture, "{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"method\":\"tools/call\","
                          "\"params\":{\"name\":\"sleeper\"}}\n");
    mcp_fixture_wait_for(&mcp_fixture_sleeper_started);
    stdio_write(&fixture, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                          "\"params\":{\"requestId\":\"slow\",\"reason\":\"test\"}}\n");
    mcp_fixture_wait_for(&mcp_fixture_sleeper_saw_cancel);
    /* The cancelled request gets no answer; the next request does. */
    stdio_write(&fixture, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}\n");
    json_t *message = stdio_read(&fixture);
    assert_int_equal(json_integer_value(json_object_get(message, "id")), 5);
    json_decref(message);
    stdio_finish(&fixture);
}

static void stdio_answers_worker_calls_after_end_of_input(void **state)
{
    struct stdio_fixture fixture;
    stdio_start(&fixture);
    stdio_write(&fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                          "\"params\":{\"name\":\"logging\",\"_meta\":{\"progressToken\":1}}}\n");
    close(fixture.to_server[1]);
    fixture.to_server[1] = dup(fixture.to_server[0]);
    int saw_response = 0;
    json_t *message;
    while ((message = stdio_read(&fixture)) != NULL) {
        if (json_integer_value(json_object_get(message, "id")) == 1)
            saw_response = 1;
        json_decref(message);
    }
    assert_true(saw_response);
    stdio_finish(&fixture);
}

static void stdio_pushes_unsolicited_messages(void **state)
{
    struct stdio_fixture fixture;
    stdio_start(&fixture);
    stdio_write(&fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/subscribe\","
                          "\"params\":{\"uri\":\"test://text\"}}\n");
    json_t *message = stdio_read(&fixture);
    assert_int_equal(json_integer_value(json_object_get(message, "id")), 1);
    json_decref(message);
    /* Only subscribers hear about a resource; everyone hears a broadcast. */
    assert_int_equal(mcp_server_notify_resource_updated(fixture.server, "test://blob"), 0);
    assert_int_equal(mcp_server_notify_resource_updated(fixture.server, "test://text"), 1);
    assert_int_equal(
        mcp_server_notify_all(fixture.server, "notifications/tools/list_changed", NULL), 1);
    message = stdio_read(&fixture);
    assert_string_equal(json_string_value(json_object_get(message, "method")),
                        "notifications/resources/updated");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(message, "params"), "uri")),
        "test://text");
    json_decref(message);
    message = stdio_read(&fixture);
    assert_string_equal(json_string_value(json_object_get(message, "method")),
                        "notifications/tools/list_changed");
    assert_null(json_object_get(message, "id"));
    json_decref(message);
    stdio_finish(&fixture);
}

int test_group_mcp(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registration_rejects_bad_definitions),
        cmocka_unit_test(initialize_negotiates_the_version),
        cmocka_unit_test_setup_teardown(malformed_and_wrong_requests_get_json_rpc_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(tool_results_and_tool_errors, setup, teardown),
        cmocka_unit_test(tools_list_pages_with_cursors),
        cmocka_unit_test_setup_teardown(resources_templates_prompts_and_completion, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(logging_level_and_progress, setup, teardown),
        cmocka_unit_test(schema_subset_names_the_failing_path),
        cmocka_unit_test(json_writer_matches_jansson),
        cmocka_unit_test_setup_teardown(hostile_mutations_never_break_the_server, setup, teardown),
        cmocka_unit_test(stdio_framing_and_oversized_lines),
        cmocka_unit_test(stdio_cancellation_stops_a_running_call),
        cmocka_unit_test(stdio_answers_worker_calls_after_end_of_input),
        cmocka_unit_test(stdio_pushes_unsolicited_messages),
    };
    return cmocka_run_group_tests_name("mcp", tests, NULL, NULL);
}
