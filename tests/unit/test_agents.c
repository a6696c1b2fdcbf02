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
#include "agents/agents.h"
#include "mcp/http_transport.h"
#include "mcp/server.h"
#include "package/package.h"
#include "episode_fixture.h"
#include "test_list.h"

/* ---- the agent over loopback A2A ------------------------------------------------ */

struct agent_fixture {
    struct agent_config config;
    struct agent_endpoint a2a;
};

static void agent_start(struct agent_fixture *fixture, enum agent_kind kind, uint64_t seed)
{
    memset(fixture, 0, sizeof *fixture);
    fixture->config.kind = kind;
    fixture->config.seed = seed;
    agent_endpoint_start(&fixture->a2a, "test baseline agent", agent_executor(&fixture->config), 4);
}

static void agent_stop(struct agent_fixture *fixture)
{
    agent_endpoint_stop(&fixture->a2a);
}

/* Sends one episode (blocking SendMessage) and returns the final Task. */
static json_t *play(struct agent_fixture *agent, const struct episode_message *episode)
{
    return play_episode(&agent->a2a, episode, "play the task");
}

/* Plays one episode of task_id on a fresh environment of that task. */
static void play_on(struct episode_run *run, struct agent_fixture *agent,
                    struct episode_message episode, int with_reference)
{
    episode_run_play(run, &agent->a2a, episode, with_reference, "play the task");
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
        struct episode_run run;
        play_on(&run, &agent,
                (struct episode_message){
                    .task_id = task_id, .token = "episode-token-1", .steps = 200},
                1);
        expect_completed(run.task, task_id);
        double score = environment_score(&run.environment);
        if (score < 1.0 - 1e-9)
            fail_msg("%s: the oracle scores %.3f", task_id, score);
        assert_true(json_array_size(reported_calls(run.task)) > 0);
        episode_run_end(&run);
    }
    agent_stop(&agent);
}

static void the_oracle_without_reference_fails(void **state)
{
    struct agent_fixture agent;
    agent_start(&agent, AGENT_ORACLE, 1);
    struct episode_run run;
    play_on(&run, &agent,
            (struct episode_message){.task_id = "price-blue-ceramic-mug", .steps = 20}, 0);
    assert_string_equal(task_state(run.task), "TASK_STATE_FAILED");
    assert_string_equal(task_reason(run.task), AGENT_NO_REFERENCE_REASON);
    episode_run_end(&run);
    agent_stop(&agent);
}

static void the_oracle_respects_the_step_budget(void **state)
{
    struct agent_fixture agent;
    agent_start(&agent, AGENT_ORACLE, 1);
    struct episode_run run;
    play_on(&run, &agent, (struct episode_message){.task_id = "send-lunch-yes", .steps = 2}, 1);
    expect_failed(run.task, "step budget of 2 steps");
    assert_int_equal(json_array_size(reported_calls(run.task)), 2);
    assert_true(environment_score(&run.environment) < 1.0);
    episode_run_end(&run);
    agent_stop(&agent);
}

/* Plays one random episode on a fresh environment; returns its calls. */
static json_t *play_randomly(struct agent_fixture *agent, const char *task_id, double *score)
{
    struct episode_run run;
    play_on(&run, agent, (struct episode_message){.task_id = task_id, .steps = 40}, 0);
    char what[128];
    snprintf(what, sizeof what, "random on %s", task_id);
    expect_completed(run.task, what);
    json_t *calls = json_incref((json_t *)reported_calls(run.task));
    assert_true(json_array_size(calls) >= 2);
    assert_true(json_array_size(calls) <= 40);
    *score = environment_score(&run.environment);
    episode_run_end(&run);
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
    expect_failed(task, reason_part);
    json_decref(task);
}

/* Sends a message whose data part is {"assay": assay} (taken); it must fail. */
static void expect_raw_failure(struct agent_fixture *agent, json_t *assay,
                               const char *reason_part)
{
    json_t *message = a2a_user_text_message_new("x", NULL, NULL);
    json_array_append_new(json_object_get(message, "parts"),
                          json_pack("{s:{s:o}}", "data", "assay", assay));
    json_t *result = NULL;
    assert_int_equal(a2a_client_send(agent->a2a.client, message, NULL, NULL, &result, NULL),
                     ASSAY_OK);
    expect_failed(json_object_get(result, "task"), reason_part);
    json_decref(result);
    json_decref(message);
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
    expect_raw_failure(&agent,
                       json_pack("{s:i, s:s, s:{s:s}}", "version", 2, "task", "t", "mcp", "url",
                                 "http://127.0.0.1:1/mcp"),
                       "assay.version");
    expect_raw_failure(&agent,
                       json_pack("{s:i, s:s, s:{s:s}, s:{s:s}}", "version", 1, "task", "t", "mcp",
                                 "url", "http://127.0.0.1:1/mcp", "budgets", "steps", "many"),
                       "assay.budgets.steps");
    agent_stop(&agent);
}

/* ---- environments that misbehave: the same handler behind every tool ------------- */

struct tool_server {
    struct mcp_server *server;
    struct mcp_http_transport *http;
    char url[128];
};

/* Serves open, read and answer, all handled by `handler`, over loopback MCP. */
static void tool_server_start(struct tool_server *fixture, const char *name,
                              const char *description, mcp_tool_handler handler, unsigned flags)
{
    memset(fixture, 0, sizeof *fixture);
    assert_int_equal(mcp_server_new(&(struct mcp_server_options){.name = name}, &fixture->server),
                     0);
    static const char *const names[] = {"open", "read", "answer"};
    for (size_t index = 0; index < 3; index++)
        assert_int_equal(mcp_server_add_tool(fixture->server,
                                             &(struct mcp_tool){.name = names[index],
                                                                .description = description,
                                                                .handler = handler,
                                                                .flags = flags}),
                         0);
    assert_int_equal(mcp_http_transport_start(fixture->server,
                                              &(struct mcp_http_options){.port = 0}, &fixture->http),
                     0);
    snprintf(fixture->url, sizeof fixture->url, "http://127.0.0.1:%u/mcp",
             mcp_http_transport_port(fixture->http));
}

static void tool_server_stop(struct tool_server *fixture)
{
    mcp_http_transport_free(fixture->http);
    mcp_server_free(fixture->server);
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
    struct tool_server tools;
    tool_server_start(&tools, "token-check", "records", record_token, 0);
    struct agent_fixture agent;
    agent_start(&agent, AGENT_RANDOM, 1);
    json_t *task = play(&agent, &(struct episode_message){.task_id = "t",
                                                          .mcp_url = tools.url,
                                                          .token = "secret-episode-token",
                                                          .steps = 10});
    assert_string_equal(task_state(task), "TASK_STATE_COMPLETED");
    assert_string_equal(seen_token, "secret-episode-token");
    json_decref(task);
    agent_stop(&agent);
    tool_server_stop(&tools);
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
    struct tool_server tools;
    tool_server_start(&tools, "hangs", "hangs", hang, MCP_RUN_ON_WORKER);
    struct agent_fixture agent;
    agent_start(&agent, AGENT_RANDOM, 1);
    int64_t started = a2a_now_ms();
    json_t *task = play(&agent, &(struct episode_message){
                                    .task_id = "t", .mcp_url = tools.url, .steps = 10, .seconds = 0.5});
    int64_t elapsed = a2a_now_ms() - started;
    expect_failed(task, "time budget of 0.5 s");
    assert_true(elapsed < 3000);
    json_decref(task);
    agent_stop(&agent);
    tool_server_stop(&tools);
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
