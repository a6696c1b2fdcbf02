/* episode_fixture.c — shared by the agent tests (see episode_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "a2a/model.h"
#include "agents/agents.h"
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


/* ---- the agent over loopback A2A, and the judge's side of an episode ---------- */

void agent_endpoint_start(struct agent_endpoint *endpoint, const char *name,
                          struct a2a_executor executor, unsigned max_workers)
{
    memset(endpoint, 0, sizeof *endpoint);
    struct a2a_server_options options = {
        .name = name,
        .http = {.threads = 1},
        .executor = executor,
        .max_workers = max_workers,
    };
    assert_int_equal(a2a_server_new(&options, &endpoint->server), ASSAY_OK);
    assert_int_equal(a2a_server_start(endpoint->server), ASSAY_OK);
    struct a2a_client_options client_options = {.timeout_ms = 20000};
    assert_int_equal(
        a2a_client_new(a2a_server_url(endpoint->server), &client_options, &endpoint->client),
        ASSAY_OK);
}

void agent_endpoint_stop(struct agent_endpoint *endpoint)
{
    a2a_client_free(endpoint->client);
    a2a_server_free(endpoint->server);
}

/* The judge's message: `instruction` as text, then the assay data part. */
static json_t *judge_message(const struct episode_message *episode, const char *instruction)
{
    json_t *message = a2a_user_text_message_new(instruction, NULL, NULL);
    assert_non_null(message);
    if (episode->no_data_part)
        return message;
    json_t *assay =
        json_pack("{s:i, s:s}", "version", AGENT_MESSAGE_VERSION, "task", episode->task_id);
    if (episode->mcp_url != NULL) {
        json_t *mcp = json_pack("{s:s}", "url", episode->mcp_url);
        if (episode->token != NULL)
            json_object_set_new(mcp, "token", json_string(episode->token));
        json_object_set_new(assay, "mcp", mcp);
    }
    if (episode->steps > 0)
        json_object_set_new(assay, "budgets",
                            json_pack("{s:I, s:f}", "steps", (json_int_t)episode->steps, "seconds",
                                      episode->seconds > 0 ? episode->seconds : 20.0));
    if (episode->reference != NULL)
        json_object_set_new(assay, "reference", json_deep_copy(episode->reference));
    json_array_append_new(json_object_get(message, "parts"),
                          json_pack("{s:{s:o}}", "data", "assay", assay));
    return message;
}

json_t *play_episode(struct agent_endpoint *agent, const struct episode_message *episode,
                     const char *instruction)
{
    json_t *message = judge_message(episode, instruction);
    json_t *result = NULL;
    struct a2a_client_error error = {0};
    if (a2a_client_send(agent->client, message, NULL, NULL, &result, &error) != ASSAY_OK)
        fail_msg("SendMessage: %s", error.message);
    json_decref(message);
    json_t *task = json_incref(json_object_get(result, "task"));
    json_decref(result);
    assert_non_null(task);
    return task;
}

void episode_run_play(struct episode_run *run, struct agent_endpoint *agent,
                      struct episode_message episode, int with_reference,
                      const char *instruction)
{
    environment_start(&run->environment, episode.task_id);
    episode.mcp_url = run->environment.url;
    if (with_reference)
        episode.reference = run->environment.task->reference;
    int64_t started = a2a_now_ms();
    run->task = play_episode(agent, &episode, instruction);
    run->elapsed_ms = a2a_now_ms() - started;
}

void episode_run_end(struct episode_run *run)
{
    json_decref(run->task);
    environment_stop(&run->environment);
}

const char *task_state(const json_t *task)
{
    return json_string_value(json_object_get(json_object_get(task, "status"), "state"));
}

const char *task_reason(const json_t *task)
{
    const json_t *message = json_object_get(json_object_get(task, "status"), "message");
    const char *text = a2a_message_text(message);
    return text != NULL ? text : "";
}

const json_t *episode_data(const json_t *task)
{
    const json_t *artifact = json_array_get(json_object_get(task, "artifacts"), 0);
    return json_object_get(json_array_get(json_object_get(artifact, "parts"), 1), "data");
}

const json_t *reported_calls(const json_t *task)
{
    return json_object_get(episode_data(task), "calls");
}

void expect_completed_at(const json_t *task, const char *what, const char *file, int line)
{
    if (strcmp(task_state(task), "TASK_STATE_COMPLETED") != 0) {
        print_error("ERROR: %s%s%s: %s\n", what != NULL ? what : "", what != NULL ? ": " : "",
                    task_state(task), task_reason(task));
        _fail(file, line);
    }
}

void expect_failed_at(const json_t *task, const char *reason_part, const char *file, int line)
{
    _assert_string_equal(task_state(task), "TASK_STATE_FAILED", file, line);
    if (strstr(task_reason(task), reason_part) == NULL) {
        print_error("ERROR: reason '%s' does not mention '%s'\n", task_reason(task), reason_part);
        _fail(file, line);
    }
}
