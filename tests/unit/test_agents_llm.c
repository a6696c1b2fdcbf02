/* test_agents_llm.c — the llm baseline agent against a scripted
 * chat-completions server (assay's HTTP server on loopback) that replays a
 * script of responses and records the requests it got. The environment is a
 * real task served over loopback MCP, the judge's message goes over real
 * loopback A2A, and the episode is scored through the control server, as in
 * test_agents.c. No real model is involved. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "a2a/client.h"
#include "a2a/model.h"
#include "a2a/server.h"
#include "agents/agents.h"
#include "core/buffer.h"
#include "core/memory.h"
#include "environment/task_server.h"
#include "http/server.h"
#include "jsonrpc/json_strict.h"
#include "mcp/http_transport.h"
#include "mcp/local_transport.h"
#include "mcp/server.h"
#include "package/package.h"
#include "episode_fixture.h"
#include "test_list.h"


/* Every test gives back all it allocated (the servers and clients it
 * starts included). */
static long live_before;

static int count_allocations(void **state)
{
    live_before = assay_memory_live_allocations();
    return 0;
}

static int check_allocations(void **state)
{
    long live = assay_memory_live_allocations();
    if (live != live_before) {
        fprintf(stderr, "agents_llm: %ld allocations leaked\n", live - live_before);
        return -1;
    }
    return 0;
}

/* ---- the scripted chat-completions server --------------------------------------- */

#define NEVER_ANSWER 1 /* a scripted status: defer the request and never answer */

struct scripted_response {
    unsigned status;         /* 0 ends the script; NEVER_ANSWER hangs */
    const char *retry_after; /* Retry-After header, or NULL */
    const char *body;
};

struct model_fixture {
    struct http_server *server;
    const struct scripted_response *script;
    int repeat_last; /* replay the last entry forever */
    pthread_mutex_t lock;
    size_t next;
    json_t *requests;             /* bodies received, parsed */
    json_t *authorizations;       /* Authorization header of each, "" when absent */
    struct http_request *pending; /* the NEVER_ANSWER request, answered at the end */
    char url[128];
};

static void model_handler(struct http_request *request, void *context)
{
    struct model_fixture *fixture = context;
    size_t length = 0;
    const char *body = http_request_body(request, &length);
    const char *authorization = http_request_header(request, "Authorization");
    pthread_mutex_lock(&fixture->lock);
    json_t *parsed = json_strict_parse(body != NULL ? body : "", length, 64, NULL);
    json_array_append_new(fixture->requests, parsed != NULL ? parsed : json_null());
    json_array_append_new(fixture->authorizations,
                          json_string(authorization != NULL ? authorization : ""));
    const struct scripted_response *entry = &fixture->script[fixture->next];
    if (entry->status == 0 && fixture->repeat_last && fixture->next > 0)
        entry = &fixture->script[fixture->next - 1];
    else if (entry->status != 0)
        fixture->next++;
    pthread_mutex_unlock(&fixture->lock);
    if (entry->status == 0) {
        http_respond_error(request, 500, "the script is over");
        return;
    }
    if (entry->status == NEVER_ANSWER) {
        pthread_mutex_lock(&fixture->lock);
        fixture->pending = request;
        pthread_mutex_unlock(&fixture->lock);
        http_request_defer(request);
        return;
    }
    if (entry->retry_after != NULL)
        http_request_add_response_header(request, "Retry-After", entry->retry_after);
    http_respond(request, entry->status, "application/json", entry->body, strlen(entry->body));
}

static void model_start(struct model_fixture *fixture, const struct scripted_response *script,
                        int repeat_last)
{
    memset(fixture, 0, sizeof *fixture);
    fixture->script = script;
    fixture->repeat_last = repeat_last;
    pthread_mutex_init(&fixture->lock, NULL);
    fixture->requests = json_array();
    fixture->authorizations = json_array();
    assert_int_equal(http_server_new(&(struct http_server_options){.port = 0}, &fixture->server),
                     ASSAY_OK);
    assert_int_equal(
        http_server_route(fixture->server, "POST", "/v1/chat/completions", model_handler, fixture),
        ASSAY_OK);
    assert_int_equal(http_server_start(fixture->server), ASSAY_OK);
    /* a trailing slash on the base URL must not matter */
    snprintf(fixture->url, sizeof fixture->url, "http://127.0.0.1:%u/",
             http_server_port(fixture->server));
}

static void model_stop(struct model_fixture *fixture)
{
    /* A deferred request is the server's until it is answered, even when its
     * client has gone: answer it so that it is freed. */
    if (fixture->pending != NULL)
        http_respond(fixture->pending, 503, "application/json", "{}", 2);
    http_server_free(fixture->server);
    json_decref(fixture->requests);
    json_decref(fixture->authorizations);
    pthread_mutex_destroy(&fixture->lock);
}


/* ---- the agent over loopback A2A ------------------------------------------------ */

struct agent_fixture {
    struct agent_llm_config config;
    struct a2a_server *server;
    struct a2a_client *client;
};

static void agent_start(struct agent_fixture *fixture, const char *model_url)
{
    memset(fixture, 0, sizeof *fixture);
    assert_int_equal(agent_llm_config_load(model_url, "scripted-model-1", "test-key-123",
                                           &fixture->config, NULL),
                     ASSAY_OK);
    fixture->config.backoff_ms = 10; /* keep the retry tests fast */
    fixture->config.max_backoff_ms = 100;
    struct a2a_server_options options = {
        .name = "test llm agent",
        .http = {.threads = 1},
        .executor = agent_llm_executor(&fixture->config),
        .max_workers = 2,
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

/* Sends one episode of task_id (blocking SendMessage); returns the Task. */
static json_t *play(struct agent_fixture *agent, const char *task_id, const char *mcp_url,
                    long steps)
{
    json_t *message = a2a_user_text_message_new(
        "What does the blue ceramic mug cost in the shop? Answer with the price.", NULL, NULL);
    json_t *assay =
        json_pack("{s:i, s:s, s:{s:s, s:s}, s:{s:I, s:f}}", "version", AGENT_MESSAGE_VERSION,
                  "task", task_id, "mcp", "url", mcp_url, "token", "episode-token", "budgets",
                  "steps", (json_int_t)steps, "seconds", 20.0);
    json_array_append_new(json_object_get(message, "parts"),
                          json_pack("{s:{s:o}}", "data", "assay", assay));
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

static const json_t *episode_data(const json_t *task)
{
    const json_t *artifact = json_array_get(json_object_get(task, "artifacts"), 0);
    return json_object_get(json_array_get(json_object_get(artifact, "parts"), 1), "data");
}

static void expect_completed(const json_t *task)
{
    if (strcmp(task_state(task), "TASK_STATE_COMPLETED") != 0)
        fail_msg("%s: %s", task_state(task), task_reason(task));
}

/* The last message of request `index` the scripted server got. */
static const json_t *last_message(const struct model_fixture *model, size_t index)
{
    const json_t *messages = json_object_get(json_array_get(model->requests, index), "messages");
    return json_array_get(messages, json_array_size(messages) - 1);
}

#define TOOL_CALL(id, name, arguments)                                                             \
    "{\"id\":\"" id "\",\"type\":\"function\",\"function\":{\"name\":\"" name                      \
    "\",\"arguments\":" arguments "}}"
#define REPLY(calls, prompt, completion)                                                           \
    "{\"id\":\"r\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{"         \
    "\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" calls                               \
    "]},\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":" #prompt                  \
    ",\"completion_tokens\":" #completion "}}"
#define TEXT_REPLY(text)                                                                           \
    "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" text           \
    "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}"

#define OPEN_SEARCH                                                                                \
    TOOL_CALL("call_open", "open",                                                                 \
              "\"{\\\"url\\\": \\\"http://shop.local/search?q=blue+Ceramic+mug\\\"}\"")
#define CLICK_MUG                                                                                  \
    TOOL_CALL("call_click", "click", "\"{\\\"label\\\": \\\"Ceramic mug (blue) - $12.50\\\"}\"")
#define ANSWER_PRICE TOOL_CALL("call_answer", "answer", "\"{\\\"text\\\": \\\"$12.50\\\"}\"")

/* ---- tests ------------------------------------------------------------------------ */

/* (1) open, click, answer: scores 1.0; (5) usage is summed; (6) the
 * requests carry the model, the tools, the key and the threaded results. */
static void a_correct_model_scores_one(void **state)
{
    static const struct scripted_response script[] = {
        {200, NULL, REPLY(OPEN_SEARCH, 100, 10)},
        {200, NULL, REPLY(CLICK_MUG, 200, 20)},
        {200, NULL, REPLY(ANSWER_PRICE, 300, 30)},
        {0, NULL, NULL},
    };
    struct model_fixture model;
    model_start(&model, script, 0);
    struct environment_fixture environment;
    environment_start(&environment, "price-blue-ceramic-mug");
    struct agent_fixture agent;
    agent_start(&agent, model.url);

    json_t *task = play(&agent, "price-blue-ceramic-mug", environment.url, 20);
    expect_completed(task);
    assert_true(environment_score(&environment) > 1.0 - 1e-9);

    const json_t *data = episode_data(task);
    assert_string_equal(json_string_value(json_object_get(data, "agent")), "llm");
    assert_int_equal(json_integer_value(json_object_get(data, "input_tokens")), 600);
    assert_int_equal(json_integer_value(json_object_get(data, "output_tokens")), 60);
    assert_int_equal(json_integer_value(json_object_get(data, "steps")), 3);
    assert_int_equal(json_array_size(json_object_get(data, "calls")), 3);

    assert_int_equal(json_array_size(model.requests), 3);
    for (size_t index = 0; index < 3; index++) {
        const json_t *request = json_array_get(model.requests, index);
        assert_string_equal(json_string_value(json_object_get(request, "model")),
                            "scripted-model-1");
        assert_string_equal(json_string_value(json_array_get(model.authorizations, index)),
                            "Bearer test-key-123");
        const json_t *tools = json_object_get(request, "tools");
        int has_open = 0, has_answer = 0;
        size_t at;
        const json_t *tool;
        json_array_foreach(tools, at, tool)
        {
            assert_string_equal(json_string_value(json_object_get(tool, "type")), "function");
            const json_t *function = json_object_get(tool, "function");
            assert_true(json_is_object(json_object_get(function, "parameters")));
            const char *name = json_string_value(json_object_get(function, "name"));
            has_open |= strcmp(name, "open") == 0;
            has_answer |= strcmp(name, "answer") == 0;
        }
        assert_true(has_open && has_answer);
    }
    const json_t *first = json_object_get(json_array_get(model.requests, 0), "messages");
    assert_string_equal(json_string_value(json_object_get(json_array_get(first, 0), "role")),
                        "system");
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(first, 0), "content")),
                           "blue ceramic mug"));
    /* request 2 threads the open result back: assistant tool_calls, then the tool message */
    const json_t *second = json_object_get(json_array_get(model.requests, 1), "messages");
    const json_t *assistant = json_array_get(second, json_array_size(second) - 2);
    assert_string_equal(json_string_value(json_object_get(assistant, "role")), "assistant");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(assistant, "tool_calls"), 0), "id")),
                        "call_open");
    const json_t *result = last_message(&model, 1);
    assert_string_equal(json_string_value(json_object_get(result, "role")), "tool");
    assert_string_equal(json_string_value(json_object_get(result, "tool_call_id")), "call_open");
    assert_non_null(strstr(json_string_value(json_object_get(result, "content")), "Ceramic mug"));
    assert_string_equal(json_string_value(json_object_get(last_message(&model, 2), "tool_call_id")),
                        "call_click");
    /* the key is never in the task */
    struct buffer dump = {0};
    assert_int_equal(json_strict_dump(task, &dump), ASSAY_OK);
    assert_null(strstr(dump.data, "test-key-123"));
    buffer_free(&dump);

    json_decref(task);
    agent_stop(&agent);
    environment_stop(&environment);
    model_stop(&model);
}

/* (2) arguments that are not JSON, then not an object, then an unknown
 * tool: each is one step and the model is told; then it recovers. */
static void malformed_calls_are_reported_to_the_model(void **state)
{
    static const struct scripted_response script[] = {
        {200, NULL, REPLY(TOOL_CALL("bad_1", "open", "\"{url: nope\""), 1, 1)},
        {200, NULL, REPLY(TOOL_CALL("bad_2", "open", "\"[1, 2]\""), 1, 1)},
        {200, NULL, REPLY(TOOL_CALL("bad_3", "teleport", "\"{}\""), 1, 1)},
        {200, NULL, REPLY(OPEN_SEARCH, 1, 1)},
        {200, NULL, REPLY(ANSWER_PRICE, 1, 1)},
        {0, NULL, NULL},
    };
    struct model_fixture model;
    model_start(&model, script, 0);
    struct environment_fixture environment;
    environment_start(&environment, "price-blue-ceramic-mug");
    struct agent_fixture agent;
    agent_start(&agent, model.url);

    json_t *task = play(&agent, "price-blue-ceramic-mug", environment.url, 20);
    expect_completed(task);
    assert_true(environment_score(&environment) > 1.0 - 1e-9);
    assert_int_equal(json_array_size(model.requests), 5);
    static const char *const ids[] = {"bad_1", "bad_2", "bad_3"};
    static const char *const says[] = {"not a JSON object", "not a JSON object", "no tool named"};
    for (size_t index = 0; index < 3; index++) {
        const json_t *message = last_message(&model, index + 1);
        assert_string_equal(json_string_value(json_object_get(message, "role")), "tool");
        assert_string_equal(json_string_value(json_object_get(message, "tool_call_id")),
                            ids[index]);
        assert_non_null(
            strstr(json_string_value(json_object_get(message, "content")), says[index]));
    }
    const json_t *data = episode_data(task);
    assert_int_equal(json_integer_value(json_object_get(data, "steps")), 5);
    json_decref(task);
    agent_stop(&agent);
    environment_stop(&environment);
    model_stop(&model);
}

/* (3) 429 twice (once with Retry-After), then a text reply: retried, and
 * the text becomes the answer. */
static void too_many_requests_are_retried(void **state)
{
    static const struct scripted_response script[] = {
        {429, "0", "{\"error\":{\"message\":\"slow down\"}}"},
        {429, NULL, "{\"error\":{\"message\":\"slow down\"}}"},
        {200, NULL, TEXT_REPLY("$12.50")},
        {0, NULL, NULL},
    };
    struct model_fixture model;
    model_start(&model, script, 0);
    struct environment_fixture environment;
    environment_start(&environment, "price-blue-ceramic-mug");
    struct agent_fixture agent;
    agent_start(&agent, model.url);

    json_t *task = play(&agent, "price-blue-ceramic-mug", environment.url, 20);
    expect_completed(task);
    assert_int_equal(json_array_size(model.requests), 3);
    assert_true(environment_score(&environment) > 1.0 - 1e-9); /* the answer was sent */
    const json_t *calls = json_object_get(episode_data(task), "calls");
    assert_int_equal(json_array_size(calls), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(calls, 0), "tool")),
                        "answer");
    json_decref(task);
    agent_stop(&agent);
    environment_stop(&environment);
    model_stop(&model);
}

/* Retry-After is honoured (capped: 1 s becomes the test's 100 ms cap,
 * where the exponential back-off would wait 10 ms). */
static void retry_after_is_honoured(void **state)
{
    static const struct scripted_response script[] = {
        {503, "1", "{}"},
        {200, NULL, TEXT_REPLY("$12.50")},
        {0, NULL, NULL},
    };
    struct model_fixture model;
    model_start(&model, script, 0);
    struct environment_fixture environment;
    environment_start(&environment, "price-blue-ceramic-mug");
    struct agent_fixture agent;
    agent_start(&agent, model.url);
    int64_t started = a2a_now_ms();
    json_t *task = play(&agent, "price-blue-ceramic-mug", environment.url, 20);
    int64_t elapsed = a2a_now_ms() - started;
    expect_completed(task);
    assert_int_equal(json_array_size(model.requests), 2);
    assert_true(elapsed >= 90);
    assert_true(elapsed < 5000);
    json_decref(task);
    agent_stop(&agent);
    environment_stop(&environment);
    model_stop(&model);
}

/* A model that never answers costs the request timeout, then FAILED. */
static void a_hung_model_times_out(void **state)
{
    static const struct scripted_response script[] = {
        {NEVER_ANSWER, NULL, ""},
        {0, NULL, NULL},
    };
    struct model_fixture model;
    model_start(&model, script, 0);
    struct environment_fixture environment;
    environment_start(&environment, "price-blue-ceramic-mug");
    struct agent_fixture agent;
    agent_start(&agent, model.url);
    agent.config.request_timeout_ms = 300;
    int64_t started = a2a_now_ms();
    json_t *task = play(&agent, "price-blue-ceramic-mug", environment.url, 20);
    int64_t elapsed = a2a_now_ms() - started;
    assert_string_equal(task_state(task), "TASK_STATE_FAILED");
    if (strstr(task_reason(task), "did not answer within 300 ms") == NULL)
        fail_msg("reason: %s", task_reason(task));
    assert_true(elapsed < 5000);
    json_decref(task);
    agent_stop(&agent);
    environment_stop(&environment);
    model_stop(&model);
}

/* (4) 500 forever: bounded retries, then FAILED with a reason. */
static void server_errors_fail_after_bounded_retries(void **state)
{
    static const struct scripted_response script[] = {
        {500, NULL, "{\"error\":\"down\"}"},
        {0, NULL, NULL},
    };
    struct model_fixture model;
    model_start(&model, script, 1);
    struct environment_fixture environment;
    environment_start(&environment, "price-blue-ceramic-mug");
    struct agent_fixture agent;
    agent_start(&agent, model.url);

    json_t *task = play(&agent, "price-blue-ceramic-mug", environment.url, 20);
    assert_string_equal(task_state(task), "TASK_STATE_FAILED");
    if (strstr(task_reason(task), "HTTP 500 after 4 attempts") == NULL)
        fail_msg("reason: %s", task_reason(task));
    assert_int_equal(json_array_size(model.requests), AGENT_LLM_MAX_ATTEMPTS);
    json_decref(task);
    agent_stop(&agent);
    environment_stop(&environment);
    model_stop(&model);
}

/* A response that is not JSON, or JSON of the wrong shape, fails at once. */
static void garbage_responses_fail_with_a_reason(void **state)
{
    static const struct scripted_response not_json[] = {{200, NULL, "<html>hi</html>"},
                                                        {0, NULL, NULL}};
    static const struct scripted_response wrong_shape[] = {{200, NULL, "{\"choices\": 3}"},
                                                           {0, NULL, NULL}};
    const struct scripted_response *scripts[] = {not_json, wrong_shape};
    const char *reasons[] = {"response is not JSON", "no valid choices[0].message"};
    for (size_t index = 0; index < 2; index++) {
        struct model_fixture model;
        model_start(&model, scripts[index], 0);
        struct environment_fixture environment;
        environment_start(&environment, "price-blue-ceramic-mug");
        struct agent_fixture agent;
        agent_start(&agent, model.url);
        json_t *task = play(&agent, "price-blue-ceramic-mug", environment.url, 20);
        assert_string_equal(task_state(task), "TASK_STATE_FAILED");
        if (strstr(task_reason(task), reasons[index]) == NULL)
            fail_msg("reason: %s", task_reason(task));
        assert_int_equal(json_array_size(model.requests), 1);
        json_decref(task);
        agent_stop(&agent);
        environment_stop(&environment);
        model_stop(&model);
    }
}

/* The step budget holds even when the model never answers. */
static void the_step_budget_holds(void **state)
{
    static const struct scripted_response script[] = {
        {200, NULL, REPLY(OPEN_SEARCH, 1, 1)},
        {0, NULL, NULL},
    };
    struct model_fixture model;
    model_start(&model, script, 1);
    struct environment_fixture environment;
    environment_start(&environment, "price-blue-ceramic-mug");
    struct agent_fixture agent;
    agent_start(&agent, model.url);
    json_t *task = play(&agent, "price-blue-ceramic-mug", environment.url, 3);
    assert_string_equal(task_state(task), "TASK_STATE_FAILED");
    if (strstr(task_reason(task), "step budget of 3 steps") == NULL)
        fail_msg("reason: %s", task_reason(task));
    assert_int_equal(json_integer_value(json_object_get(episode_data(task), "steps")), 3);
    json_decref(task);
    agent_stop(&agent);
    environment_stop(&environment);
    model_stop(&model);
}

/* (7) the configuration. */
static void the_configuration_is_checked(void **state)
{
    struct agent_llm_config config;
    struct assay_error error = {0};
    assert_int_equal(agent_llm_config_load(NULL, "m", "k", &config, &error), ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "ASSAY_LLM_URL"));
    assert_null(strchr(error.message, '\n'));
    assert_int_equal(agent_llm_config_load("", "m", NULL, &config, &error), ASSAY_ERR_INVALID);
    assert_int_equal(agent_llm_config_load("ftp://x", "m", NULL, &config, &error),
                     ASSAY_ERR_INVALID);
    assert_int_equal(agent_llm_config_load("http://x", NULL, NULL, &config, &error),
                     ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "ASSAY_LLM_MODEL"));
    assert_int_equal(agent_llm_config_load("http://x", "m", "a\nb", &config, &error),
                     ASSAY_ERR_INVALID);
    assert_null(strstr(error.message, "a\nb")); /* the key is never echoed */
    assert_int_equal(agent_llm_config_load("http://x", "m", "", &config, &error), ASSAY_OK);
    assert_null(config.key);
    assert_int_equal(agent_llm_config_load("https://x", "m", "k", &config, &error), ASSAY_OK);
    assert_string_equal(config.url, "https://x");
    assert_string_equal(config.model, "m");
    assert_string_equal(config.key, "k");
}

int test_group_agents_llm(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_correct_model_scores_one, count_allocations,
                                        check_allocations),
        cmocka_unit_test_setup_teardown(malformed_calls_are_reported_to_the_model,
                                        count_allocations, check_allocations),
        cmocka_unit_test_setup_teardown(too_many_requests_are_retried, count_allocations,
                                        check_allocations),
        cmocka_unit_test_setup_teardown(retry_after_is_honoured, count_allocations,
                                        check_allocations),
        cmocka_unit_test_setup_teardown(a_hung_model_times_out, count_allocations,
                                        check_allocations),
        cmocka_unit_test_setup_teardown(server_errors_fail_after_bounded_retries, count_allocations,
                                        check_allocations),
        cmocka_unit_test_setup_teardown(garbage_responses_fail_with_a_reason, count_allocations,
                                        check_allocations),
        cmocka_unit_test_setup_teardown(the_step_budget_holds, count_allocations,
                                        check_allocations),
        cmocka_unit_test_setup_teardown(the_configuration_is_checked, count_allocations,
                                        check_allocations),
    };
    return cmocka_run_group_tests_name("agents_llm", tests, web_package_load, web_package_free);
}
