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

#include "agents/agents.h"
#include "core/buffer.h"
#include "core/memory.h"
#include "http/server.h"
#include "jsonrpc/json_strict.h"
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
    struct agent_endpoint a2a;
};

static void agent_start(struct agent_fixture *fixture, const char *model_url)
{
    memset(fixture, 0, sizeof *fixture);
    assert_int_equal(agent_llm_config_load(model_url, "scripted-model-1", "test-key-123",
                                           &fixture->config, NULL),
                     ASSAY_OK);
    fixture->config.backoff_ms = 10; /* keep the retry tests fast */
    fixture->config.max_backoff_ms = 100;
    agent_endpoint_start(&fixture->a2a, "test llm agent", agent_llm_executor(&fixture->config), 2);
}

static void agent_stop(struct agent_fixture *fixture)
{
    agent_endpoint_stop(&fixture->a2a);
}

/* ---- one episode: scripted model, llm agent, price-blue-ceramic-mug ----------------- */

struct llm_episode {
    struct model_fixture model;
    struct agent_fixture agent;
    struct episode_run run; /* run.task, run.environment, run.elapsed_ms */
};

/* Starts the scripted model and the agent that asks it. */
static void llm_start(struct llm_episode *episode, const struct scripted_response *script,
                      int repeat_last)
{
    model_start(&episode->model, script, repeat_last);
    agent_start(&episode->agent, episode->model.url);
}

/* Plays one episode of the price task within `steps` (blocking SendMessage). */
static void llm_play(struct llm_episode *episode, long steps)
{
    episode_run_play(
        &episode->run, &episode->agent.a2a,
        (struct episode_message){
            .task_id = "price-blue-ceramic-mug", .token = "episode-token", .steps = steps},
        0, "What does the blue ceramic mug cost in the shop? Answer with the price.");
}

/* llm_start then llm_play. */
static void llm_run(struct llm_episode *episode, const struct scripted_response *script,
                    int repeat_last, long steps)
{
    llm_start(episode, script, repeat_last);
    llm_play(episode, steps);
}

static void llm_end(struct llm_episode *episode)
{
    agent_stop(&episode->agent);
    episode_run_end(&episode->run);
    model_stop(&episode->model);
}

/* The number of requests the scripted model got. */
static size_t requests(const struct llm_episode *episode)
{
    return json_array_size(episode->model.requests);
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
    struct llm_episode episode;
    llm_run(&episode, script, 0, 20);
    const struct model_fixture *model = &episode.model;
    expect_completed(episode.run.task, NULL);
    assert_true(environment_score(&episode.run.environment) > 1.0 - 1e-9);

    const json_t *data = episode_data(episode.run.task);
    assert_string_equal(json_string_value(json_object_get(data, "agent")), "llm");
    assert_int_equal(json_integer_value(json_object_get(data, "input_tokens")), 600);
    assert_int_equal(json_integer_value(json_object_get(data, "output_tokens")), 60);
    assert_int_equal(json_integer_value(json_object_get(data, "steps")), 3);
    assert_int_equal(json_array_size(json_object_get(data, "calls")), 3);

    assert_int_equal(requests(&episode), 3);
    for (size_t index = 0; index < 3; index++) {
        const json_t *request = json_array_get(model->requests, index);
        assert_string_equal(json_string_value(json_object_get(request, "model")),
                            "scripted-model-1");
        assert_string_equal(json_string_value(json_array_get(model->authorizations, index)),
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
    const json_t *first = json_object_get(json_array_get(model->requests, 0), "messages");
    assert_string_equal(json_string_value(json_object_get(json_array_get(first, 0), "role")),
                        "system");
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(first, 0), "content")),
                           "blue ceramic mug"));
    /* request 2 threads the open result back: assistant tool_calls, then the tool message */
    const json_t *second = json_object_get(json_array_get(model->requests, 1), "messages");
    const json_t *assistant = json_array_get(second, json_array_size(second) - 2);
    assert_string_equal(json_string_value(json_object_get(assistant, "role")), "assistant");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(assistant, "tool_calls"), 0), "id")),
                        "call_open");
    const json_t *result = last_message(model, 1);
    assert_string_equal(json_string_value(json_object_get(result, "role")), "tool");
    assert_string_equal(json_string_value(json_object_get(result, "tool_call_id")), "call_open");
    assert_non_null(strstr(json_string_value(json_object_get(result, "content")), "Ceramic mug"));
    assert_string_equal(json_string_value(json_object_get(last_message(model, 2), "tool_call_id")),
                        "call_click");
    /* the key is never in the task */
    struct buffer dump = {0};
    assert_int_equal(json_strict_dump(episode.run.task, &dump), ASSAY_OK);
    assert_null(strstr(dump.data, "test-key-123"));
    buffer_free(&dump);

    llm_end(&episode);
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
    struct llm_episode episode;
    llm_run(&episode, script, 0, 20);
    expect_completed(episode.run.task, NULL);
    assert_true(environment_score(&episode.run.environment) > 1.0 - 1e-9);
    assert_int_equal(requests(&episode), 5);
    static const char *const ids[] = {"bad_1", "bad_2", "bad_3"};
    static const char *const says[] = {"not a JSON object", "not a JSON object", "no tool named"};
    for (size_t index = 0; index < 3; index++) {
        const json_t *message = last_message(&episode.model, index + 1);
        assert_string_equal(json_string_value(json_object_get(message, "role")), "tool");
        assert_string_equal(json_string_value(json_object_get(message, "tool_call_id")),
                            ids[index]);
        assert_non_null(
            strstr(json_string_value(json_object_get(message, "content")), says[index]));
    }
    const json_t *data = episode_data(episode.run.task);
    assert_int_equal(json_integer_value(json_object_get(data, "steps")), 5);
    llm_end(&episode);
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
    struct llm_episode episode;
    llm_run(&episode, script, 0, 20);
    expect_completed(episode.run.task, NULL);
    assert_int_equal(requests(&episode), 3);
    assert_true(environment_score(&episode.run.environment) > 1.0 - 1e-9); /* the answer was sent */
    const json_t *calls = reported_calls(episode.run.task);
    assert_int_equal(json_array_size(calls), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(calls, 0), "tool")),
                        "answer");
    llm_end(&episode);
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
    struct llm_episode episode;
    llm_run(&episode, script, 0, 20);
    expect_completed(episode.run.task, NULL);
    assert_int_equal(requests(&episode), 2);
    assert_true(episode.run.elapsed_ms >= 90);
    assert_true(episode.run.elapsed_ms < 5000);
    llm_end(&episode);
}

/* A model that never answers costs the request timeout, then FAILED. */
static void a_hung_model_times_out(void **state)
{
    static const struct scripted_response script[] = {
        {NEVER_ANSWER, NULL, ""},
        {0, NULL, NULL},
    };
    struct llm_episode episode;
    llm_start(&episode, script, 0);
    episode.agent.config.request_timeout_ms = 300;
    llm_play(&episode, 20);
    expect_failed(episode.run.task, "did not answer within 300 ms");
    assert_true(episode.run.elapsed_ms < 5000);
    llm_end(&episode);
}

/* (4) 500 forever: bounded retries, then FAILED with a reason. */
static void server_errors_fail_after_bounded_retries(void **state)
{
    static const struct scripted_response script[] = {
        {500, NULL, "{\"error\":\"down\"}"},
        {0, NULL, NULL},
    };
    struct llm_episode episode;
    llm_run(&episode, script, 1, 20);
    expect_failed(episode.run.task, "HTTP 500 after 4 attempts");
    assert_int_equal(requests(&episode), AGENT_LLM_MAX_ATTEMPTS);
    llm_end(&episode);
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
        struct llm_episode episode;
        llm_run(&episode, scripts[index], 0, 20);
        expect_failed(episode.run.task, reasons[index]);
        assert_int_equal(requests(&episode), 1);
        llm_end(&episode);
    }
}

/* The step budget holds even when the model never answers. */
static void the_step_budget_holds(void **state)
{
    static const struct scripted_response script[] = {
        {200, NULL, REPLY(OPEN_SEARCH, 1, 1)},
        {0, NULL, NULL},
    };
    struct llm_episode episode;
    llm_run(&episode, script, 1, 3);
    expect_failed(episode.run.task, "step budget of 3 steps");
    assert_int_equal(json_integer_value(json_object_get(episode_data(episode.run.task), "steps")),
                     3);
    llm_end(&episode);
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
