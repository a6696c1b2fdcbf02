/* test_agents.c — the baseline subject agents end to end, in one process:
 * a task environment served over real loopback MCP (task_server + the
 * Streamable HTTP transport), the agent served over real loopback A2A, the
 * judge's message sent with assay's A2A client, and the episode scored
 * through the control server (tools `sessions` and `evaluate`). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "a2a/client.h"
#include "a2a/model.h"
#include "a2a/server.h"
#include "agents/agents.h"
#include "core/buffer.h"
#include "environment/task_server.h"
#include "jsonrpc/json_strict.h"
#include "mcp/http_transport.h"
#include "mcp/local_transport.h"
#include "mcp/server.h"
#include "package/package.h"
#include "episode_fixture.h"
#include "test_list.h"



/* ---- the agent over loopback A2A ------------------------------------------------ */

struct agent_fixture {
    struct agent_config config;
    struct a2a_server *server;
    struct a2a_client *client;
};

static void agent_start(struct agent_fixture *fixture, enum agent_kind kind, uint64_t seed)
{
    memset(fixture, 0, sizeof *fixture);
    fixture->config.kind = kind;
    fixture->config.seed = seed;
    struct a2a_server_options options = {
        .name = "test baseline agent",
        .http = {.threads = 1},
        .executor = agent_executor(&fixture->config),
        .max_workers = 4,
    };
    assert_int_equal(a2a_server_new(&options, &fixture->server), ASSAY_OK);
    assert_int_equal(a2a_server_start(fixture->server), ASSAY_OK);
    struct a2a_client_options client_options = {.timeout_ms = 20000};
    assert_int_equal(
        a2a_client_new(a2a_server_url(fixture->server), &client_options, &fixture->client),
        ASSAY_OK);
}

static void agent_stop(struct agent_fixture *fixture)
{
    a2a_client_free(fixture->client);
    a2a_server_free(fixture->server);
}

struct episode_message {
    const char *task_id;
    const char *mcp_url; /* NULL: no mcp member */
    const char *token;
    const json_t *reference;
    long steps;     /* 0: no budgets member */
    double seconds; /* 0: 20 s */
    int no_data_part;
};

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

/* Sends one episode (blocking SendMessage) and returns the final Task. */
static json_t *play(struct agent_fixture *agent, const struct episode_message *episode)
{
    json_t *message = judge_message(episode, "play the task");
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

static const char *task_state(const json_t *task)
{
    return json_string_value(json_object_get(json_object_get(task, "status"), "state"));
}

static const char *task_reason(const json_t *task)
{
    const json_t *message = json_object_get(json_object_get(task, "status"), "message");
    const char *text = a2a_message_text(message);
    return text != NULL ? text : "";
}

/* The calls the agent reports in its artifact's data part (borrowed). */
static const json_t *reported_calls(const json_t *task)
{
    const json_t *artifact = json_array_get(json_object_get(task, "artifacts"), 0);
    const json_t *data =
        json_object_get(json_array_get(json_object_get(artifact, "parts"), 1), "data");
    return json_object_get(data, "calls");
}

/* ---- tests ------------------------------------------------------------------------ */

/* Every task of the package: a price lookup, purchases, mail, calendar,
 * safety tasks and compositions. */
static void the_oracle_scores_one(void **state)
{
    struct agent_fixture agent;
    agent_start(&agent, AGENT_ORACLE, 1);
    for (size_t index = 0; index < web_package->task_count; index++) {
        const char *task_id = web_package->tasks[index].id;
        struct environment_fixture environment;
        environment_start(&environment, task_id);
        struct episode_message episode = {.task_id = task_id,
                                          .mcp_url = environment.url,
                                          .token = "episode-token-1",
                                          .reference = environment.task->reference,
                                          .steps = 200};
        json_t *task = play(&agent, &episode);
        if (strcmp(task_state(task), "TASK_STATE_COMPLETED") != 0)
            fail_msg("%s: %s: %s", task_id, task_state(task), task_reason(task));
        double score = environment_score(&environment);
        if (score < 1.0 - 1e-9)
            fail_msg("%s: the oracle scores %.3f", task_id, score);
        assert_true(json_array_size(reported_calls(task)) > 0);
        json_decref(task);
        environment_stop(&environment);
    }
    agent_stop(&agent);
}

static void the_oracle_without_reference_fails(void **state)
{
    struct agent_fixture agent;
    agent_start(&agent, AGENT_ORACLE, 1);
    struct environment_fixture environment;
    environment_start(&environment, "price-blue-ceramic-mug");
    struct episode_message episode = {
        .task_id = "price-blue-ceramic-mug", .mcp_url = environment.url, .steps = 20};
    json_t *task = play(&agent, &episode);
    assert_string_equal(task_state(task), "TASK_STATE_FAILED");
    assert_string_equal(task_reason(task), AGENT_NO_REFERENCE_REASON);
    json_decref(task);
    environment_stop(&environment);
    agent_stop(&agent);
}

static void the_oracle_respects_the_step_budget(void **state)
{
    struct agent_fixture agent;
    agent_start(&agent, AGENT_ORACLE, 1);
    struct environment_fixture environment;
    environment_start(&environment, "send-lunch-yes");
    struct episode_message episode = {.task_id = "send-lunch-yes",
                                      .mcp_url = environment.url,
                                      .reference = environment.task->reference,
                                      .steps = 2};
    json_t *task = play(&agent, &episode);
    assert_string_equal(task_state(task), "TASK_STATE_FAILED");
    assert_non_null(strstr(task_reason(task), "step budget of 2 steps"));
    assert_int_equal(json_array_size(reported_calls(task)), 2);
    assert_true(environment_score(&environment) < 1.0);
    json_decref(task);
    environment_stop(&environment);
    agent_stop(&agent);
}

/* Plays one random episode on a fresh environment; returns its calls. */
static json_t *play_randomly(struct agent_fixture *agent, const char *task_id, double *score)
{
    struct environment_fixture environment;
    environment_start(&environment, task_id);
    struct episode_message episode = {.task_id = task_id, .mcp_url = environment.url, .steps = 40};
    json_t *task = play(agent, &episode);
    if (strcmp(task_state(task), "TASK_STATE_COMPLETED") != 0)
        fail_msg("random on %s: %s: %s", task_id, task_state(task), task_reason(task));
    json_t *calls = json_incref((json_t *)reported_calls(task));
    assert_true(json_array_size(calls) >= 2);
    assert_true(json_array_size(calls) <= 40);
    *score = environment_score(&environment);
    json_decref(task);
    environment_stop(&environment);
    return calls;
}

static void the_random_agent_is_reproducible_and_scores_near_zero(void **state)
{
    static const char *const tasks[] = {"price-blue-ceramic-mug", "buy-1-blue-ceramic-mug",
                                        "send-lunch-yes",         "schedule-lunch",
                                        "accept-book-club",       "compose-lunch-plan"};
    struct agent_fixture agent, other;
    agent_start(&agent, AGENT_RANDOM, 7);
    agent_start(&other, AGENT_RANDOM, 8);
    double total = 0;
    int differs = 0;
    for (size_t index = 0; index < sizeof tasks / sizeof tasks[0]; index++) {
        double first_score = 0, second_score = 0, other_score = 0;
        json_t *first = play_randomly(&agent, tasks[index], &first_score);
        json_t *second = play_randomly(&agent, tasks[index], &second_score);
        json_t *third = play_randomly(&other, tasks[index], &other_score);
        if (!json_equal(first, second))
            fail_msg("%s: two runs with seed 7 made different calls", tasks[index]);
        assert_true(first_score == second_score);
        differs += !json_equal(first, third);
        total += first_score;
        json_decref(first);
        json_decref(second);
        json_decref(third);
    }
    print_message("random agent: mean %.3f over %zu tasks\n",
                  total / (double)(sizeof tasks / sizeof tasks[0]), sizeof tasks / sizeof tasks[0]);
    assert_true(differs > 0); /* the seed matters */
    assert_true(total / (double)(sizeof tasks / sizeof tasks[0]) < 0.2);
    agent_stop(&other);
    agent_stop(&agent);
}

static void expect_failure(struct agent_fixture *agent, const struct episode_message *episode,
                           const char *reason_part)
{
    json_t *task = play(agent, episode);
    assert_string_equal(task_state(task), "TASK_STATE_FAILED");
    if (strstr(task_reason(task), reason_part) == NULL)
        fail_msg("reason '%s' does not mention '%s'", task_reason(task), reason_part);
    json_decref(task);
}

static void bad_messages_fail_with_a_reason(void **state)
{
    struct agent_fixture agent;
    agent_start(&agent, AGENT_RANDOM, 1);
    expect_failure(&agent, &(struct episode_message){.task_id = "t", .no_data_part = 1},
                   "no data part");
    expect_failure(&agent, &(struct episode_message){.task_id = "t"}, "assay.mcp.url");
    expect_failure(&agent, &(struct episode_message){.task_id = "t", .mcp_url = "ftp://x/"},
                   "assay.mcp.url");
    /* port 1 on loopback: nothing listens there */
    expect_failure(&agent,
                   &(struct episode_message){.task_id = "t", .mcp_url = "http://127.0.0.1:1/mcp"},
                   "cannot reach the MCP endpoint");

    /* a wrong version and ill-typed budgets */
    json_t *message = a2a_user_text_message_new("x", NULL, NULL);
    json_array_append_new(json_object_get(message, "parts"),
                          json_pack("{s:{s:{s:i, s:s, s:{s:s}}}}", "data", "assay", "version", 2,
                                    "task", "t", "mcp", "url", "http://127.0.0.1:1/mcp"));
    json_t *result = NULL;
    assert_int_equal(a2a_client_send(agent.client, message, NULL, NULL, &result, NULL), ASSAY_OK);
    const json_t *task = json_object_get(result, "task");
    assert_string_equal(task_state(task), "TASK_STATE_FAILED");
    assert_non_null(strstr(task_reason(task), "assay.version"));
    json_decref(result);
    json_decref(message);

    message = a2a_user_text_message_new("x", NULL, NULL);
    json_array_append_new(json_object_get(message, "parts"),
                          json_pack("{s:{s:{s:i, s:s, s:{s:s}, s:{s:s}}}}", "data", "assay",
                                    "version", 1, "task", "t", "mcp", "url",
                                    "http://127.0.0.1:1/mcp", "budgets", "steps", "many"));
    assert_int_equal(a2a_client_send(agent.client, message, NULL, NULL, &result, NULL), ASSAY_OK);
    task = json_object_get(result, "task");
    assert_string_equal(task_state(task), "TASK_STATE_FAILED");
    assert_non_null(strstr(task_reason(task), "assay.budgets.steps"));
    json_decref(result);
    json_decref(message);
    agent_stop(&agent);
}

/* ---- the bearer token reaches the environment ------------------------------------- */

static char seen_token[128];

static int record_token(struct mcp_call *call, const json_t *arguments, void *context,
                        json_t **result)
{
    snprintf(seen_token, sizeof seen_token, "%s", mcp_call_bearer_token(call));
    *result = mcp_result_text("page: empty\n");
    return *result != NULL ? 0 : ASSAY_ERR_NOMEM;
}

static void the_token_is_sent_as_a_bearer_header(void **state)
{
    struct mcp_server *server = NULL;
    assert_int_equal(mcp_server_new(&(struct mcp_server_options){.name = "token-check"}, &server),
                     0);
    static const char *const names[] = {"open", "read", "answer"};
    for (size_t index = 0; index < 3; index++)
        assert_int_equal(mcp_server_add_tool(server, &(struct mcp_tool){.name = names[index],
                                                                        .description = "records",
                                                                        .handler = record_token}),
                         0);
    struct mcp_http_transport *http = NULL;
    assert_int_equal(mcp_http_transport_start(server, &(struct mcp_http_options){.port = 0}, &http),
                     0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/mcp", mcp_http_transport_port(http));
    struct agent_fixture agent;
    agent_start(&agent, AGENT_RANDOM, 1);
    json_t *task = play(
        &agent, &(struct episode_message){
                    .task_id = "t", .mcp_url = url, .token = "secret-episode-token", .steps = 10});
    assert_string_equal(task_state(task), "TASK_STATE_COMPLETED");
    assert_string_equal(seen_token, "secret-episode-token");
    json_decref(task);
    agent_stop(&agent);
    mcp_http_transport_free(http);
    mcp_server_free(server);
}

/* A tool that never answers (until the client gives up and cancels it). */
static int hang(struct mcp_call *call, const json_t *arguments, void *context, json_t **result)
{
    for (int waited = 0; waited < 500 && !mcp_call_cancelled(call); waited++)
        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    *result = mcp_result_text("too late");
    return *result != NULL ? 0 : ASSAY_ERR_NOMEM;
}

static void a_hung_environment_costs_at_most_the_time_budget(void **state)
{
    struct mcp_server *server = NULL;
    assert_int_equal(mcp_server_new(&(struct mcp_server_options){.name = "hangs"}, &server), 0);
    static const char *const names[] = {"open", "read", "answer"};
    for (size_t index = 0; index < 3; index++)
        assert_int_equal(
            mcp_server_add_tool(server, &(struct mcp_tool){.name = names[index],
                                                           .description = "hangs",
                                                           .handler = hang,
                                                           .flags = MCP_RUN_ON_WORKER}),
            0);
    struct mcp_http_transport *http = NULL;
    assert_int_equal(mcp_http_transport_start(server, &(struct mcp_http_options){.port = 0}, &http),
                     0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/mcp", mcp_http_transport_port(http));
    struct agent_fixture agent;
    agent_start(&agent, AGENT_RANDOM, 1);
    int64_t started = a2a_now_ms();
    json_t *task = play(&agent, &(struct episode_message){
                                    .task_id = "t", .mcp_url = url, .steps = 10, .seconds = 0.5});
    int64_t elapsed = a2a_now_ms() - started;
    assert_string_equal(task_state(task), "TASK_STATE_FAILED");
    if (strstr(task_reason(task), "time budget of 0.5 s") == NULL)
        fail_msg("reason: %s", task_reason(task));
    assert_true(elapsed < 3000);
    json_decref(task);
    agent_stop(&agent);
    mcp_http_transport_free(http);
    mcp_server_free(server);
}

int test_group_agents(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_oracle_scores_one),
        cmocka_unit_test(the_oracle_without_reference_fails),
        cmocka_unit_test(the_oracle_respects_the_step_budget),
        cmocka_unit_test(the_random_agent_is_reproducible_and_scores_near_zero),
        cmocka_unit_test(bad_messages_fail_with_a_reason),
        cmocka_unit_test(the_token_is_sent_as_a_bearer_header),
        cmocka_unit_test(a_hung_environment_costs_at_most_the_time_budget),
    };
    return cmocka_run_group_tests_name("agents", tests, web_package_load, web_package_free);
}
