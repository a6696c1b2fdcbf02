/* episode_fixture.c — shared by the agent tests (see episode_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/buffer.h"
#include "episode_fixture.h"
#include "jsonrpc/json_strict.h"
#include "mcp/local_transport.h"
#include "mcp/server.h"

struct package *web_package;
json_t *web_world;

int web_package_load(void **state)
{
    struct package_problems problems = {0};
    if (package_load("packages/web-of-sites", &web_package, &problems) != ASSAY_OK)
        fail_msg("web-of-sites does not load: %s", problems.count ? problems.messages[0] : "?");
    package_problems_free(&problems);
    web_world = task_server_load_world(web_package, NULL);
    assert_non_null(web_world);
    return 0;
}

int web_package_free(void **state)
{
    json_decref(web_world);
    package_free(web_package);
    web_world = NULL;
    web_package = NULL;
    return 0;
}

/* ---- the environment: one task over loopback MCP ------------------------------- */

void environment_start(struct environment_fixture *fixture, const char *task_id)
{
    memset(fixture, 0, sizeof *fixture);
    fixture->task = package_find_task(web_package, task_id);
    if (fixture->task == NULL)
        fail_msg("no task %s in web-of-sites", task_id);
    struct assay_error error = {0};
    if (task_server_new(web_package, fixture->task, web_world, NULL, &fixture->server, &error) != ASSAY_OK)
        fail_msg("task_server_new: %s", error.message);
    assert_int_equal(mcp_http_transport_start(task_server_subject(fixture->server),
                                              &(struct mcp_http_options){.port = 0},
                                              &fixture->http),
                     ASSAY_OK);
    snprintf(fixture->url, sizeof fixture->url, "http://127.0.0.1:%u/mcp",
             mcp_http_transport_port(fixture->http));
}

void environment_stop(struct environment_fixture *fixture)
{
    mcp_http_transport_free(fixture->http);
    task_server_free(fixture->server);
}

/* One request on an in-process control session; returns the response. */
static json_t *control_request(struct mcp_local_session *local, const char *text)
{
    struct buffer out = {0};
    assert_int_equal(mcp_local_session_send(local, text, strlen(text), &out), 0);
    /* The response is the last line. */
    assert_non_null(out.data);
    out.data[out.length - 1] = '\0';
    const char *last = strrchr(out.data, '\n');
    last = last != NULL ? last + 1 : out.data;
    json_t *response = json_strict_parse(last, strlen(last), 64, NULL);
    buffer_free(&out);
    assert_non_null(response);
    return response;
}

static const json_t *structured(const json_t *response)
{
    const json_t *result = json_object_get(response, "result");
    assert_false(json_is_true(json_object_get(result, "isError")));
    return json_object_get(result, "structuredContent");
}

/* Scores the one episode the task server holds, as a judge would. */
double environment_score(struct environment_fixture *fixture)
{
    struct mcp_local_session *local = NULL;
    assert_int_equal(mcp_local_session_open(task_server_control(fixture->server), &local), 0);
    json_decref(control_request(
        local, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
               "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
               "\"clientInfo\":{\"name\":\"judge\",\"version\":\"1\"}}}"));
    json_t *response = control_request(local, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                                              "\"tools/call\",\"params\":{\"name\":\"sessions\"}}");
    const json_t *sessions = json_object_get(structured(response), "sessions");
    assert_int_equal(json_array_size(sessions), 1);
    const char *session =
        json_string_value(json_object_get(json_array_get(sessions, 0), "session"));
    assert_non_null(session);
    char text[256];
    snprintf(text, sizeof text,
             "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
             "\"evaluate\",\"arguments\":{\"session\":\"%s\"}}}",
             session);
    json_decref(response);
    response = control_request(local, text);
    double score = json_number_value(json_object_get(structured(response), "score"));
    json_decref(response);
    mcp_local_session_close(local);
    return score;
}

