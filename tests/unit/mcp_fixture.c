/* mcp_fixture.c — shared by the MCP test groups (see mcp_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <time.h>

#include "mcp_fixture.h"

static const char echo_schema[] =
    "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}";

atomic_int mcp_fixture_sleeper_started, mcp_fixture_sleeper_saw_cancel;

int mcp_fixture_echo_tool(struct mcp_call *call, const json_t *arguments, void *context,
                          json_t **result)
{
    *result = mcp_result_text(json_string_value(json_object_get(arguments, "text")));
    return 0;
}

int mcp_fixture_sleeper_tool(struct mcp_call *call, const json_t *arguments, void *context,
                             json_t **result)
{
    int rounds = context != NULL ? *(const int *)context : 1000;
    atomic_store(&mcp_fixture_sleeper_started, 1);
    for (int round = 0; round < rounds; round++) {
        if (mcp_call_cancelled(call)) {
            atomic_store(&mcp_fixture_sleeper_saw_cancel, 1);
            return mcp_call_fail(call, "cancelled");
        }
        mcp_fixture_pause_ms(5);
    }
    *result = mcp_result_text("woke up");
    return 0;
}

int mcp_fixture_ask_sampling(struct mcp_call *call, json_t *params, json_t **answer)
{
    struct assay_error error = {0};
    if (mcp_call_client_request(call, "sampling/createMessage", params, answer, &error) != 0)
        return mcp_call_fail(call, "%s", error.message);
    return 0;
}

int mcp_fixture_model_said(struct mcp_call *call, json_t *params, json_t **result)
{
    json_t *answer = NULL;
    int status = mcp_fixture_ask_sampling(call, params, &answer);
    if (status != 0)
        return status;
    char text[128];
    snprintf(text, sizeof text, "model said %s",
             json_string_value(json_object_get(json_object_get(answer, "content"), "text")));
    json_decref(answer);
    *result = mcp_result_text(text);
    return 0;
}

struct mcp_server *mcp_fixture_new_server(const struct mcp_server_options *options,
                                          const struct mcp_tool *tools, size_t count)
{
    struct mcp_server *server = NULL;
    assert_int_equal(mcp_server_new(options, &server), 0);
    assert_int_equal(
        mcp_server_add_tool(server, &(struct mcp_tool){.name = "echo",
                                                       .description = "echo",
                                                       .input_schema_json = echo_schema,
                                                       .handler = mcp_fixture_echo_tool}),
        0);
    for (size_t index = 0; index < count; index++)
        assert_int_equal(mcp_server_add_tool(server, &tools[index]), 0);
    return server;
}

void mcp_fixture_serve_http(struct mcp_server *server, const struct mcp_http_options *options,
                            struct mcp_http_transport **transport, char *url, size_t url_size)
{
    assert_int_equal(mcp_http_transport_start(server, options, transport), 0);
    snprintf(url, url_size, "http://127.0.0.1:%u/mcp", mcp_http_transport_port(*transport));
}

void mcp_fixture_pause_ms(long milliseconds)
{
    struct timespec pause = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

void mcp_fixture_wait_for(atomic_int *flag)
{
    for (int wait = 0; wait < 400 && !atomic_load(flag); wait++)
        mcp_fixture_pause_ms(5);
    assert_true(atomic_load(flag));
}
