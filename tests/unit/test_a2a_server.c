/* test_a2a_server.c — assay's A2A server and client against each other on
 * loopback: blocking and non-blocking sends, streams, subscriptions,
 * cancellation, multi-turn tasks, listing, protocol errors, hostile input,
 * disconnects and shutdown with turns in flight. The group checks at the
 * end that every allocation it made was freed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "a2a/client.h"
#include "a2a/echo_agent.h"
#include "a2a/server.h"
#include "core/memory.h"
#include "http/client.h"
#include "http/server.h"
#include "jsonrpc/json_strict.h"
#include "test_list.h"

/* ---- a test agent whose behaviour the message text selects ---------------- */

static atomic_int gate_open;

static int starts_with(const char *text, const char *prefix)
{
    return text != NULL && strncmp(text, prefix, strlen(prefix)) == 0;
}

static void complete(struct a2a_execution *execution, const char *text)
{
    if (a2a_execution_add_text_artifact(execution, "result", "result", text) == ASSAY_OK)
        a2a_execution_set_status(execution, A2A_TASK_STATE_COMPLETED, NULL);
}

static void test_execute(struct a2a_execution *execution, void *context)
{
    const char *text = a2a_message_text(a2a_execution_message(execution));
    if (a2a_execution_is_continuation(execution)) {
        char reply[256];
        snprintf(reply, sizeof reply, "again: %s", text);
        complete(execution, reply);
    } else if (starts_with(text, "gate")) {
        a2a_execution_set_status(execution, A2A_TASK_STATE_WORKING, NULL);
        while (!atomic_load(&gate_open))
            if (a2a_execution_wait(execution, 5))
                return; /* canceled */
        complete(execution, text);
    } else if (starts_with(text, "steps")) {
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_WORKING, "step 1");
        a2a_execution_wait(execution, 10);
        json_t *chunk =
            a2a_artifact_new("chunks", "chunks", json_pack("[o]", a2a_text_part_new("a")));
        a2a_execution_add_artifact(execution, chunk, 0, 0);
        a2a_execution_wait(execution, 10);
        chunk = a2a_artifact_new("chunks", "chunks", json_pack("[o]", a2a_text_part_new("b")));
        a2a_execution_add_artifact(execution, chunk, 1, 1);
        a2a_execution_set_status(execution, A2A_TASK_STATE_COMPLETED, NULL);
    } else if (starts_with(text, "flood")) {
        /* ~5.7 MiB of events, more than the kernel buffers on loopback
         * (tcp_wmem max 4 MiB); replacing one artifact keeps the task small. */
        char *bulk = assay_malloc(8193);
        memset(bulk, 'z', 8192);
        bulk[8192] = '\0';
        for (int index = 0; index < 700; index++)
            if (a2a_execution_add_text_artifact(execution, "bulk", "bulk", bulk) != ASSAY_OK)
                break;
        assay_free(bulk);
        a2a_execution_set_status(execution, A2A_TASK_STATE_COMPLETED, NULL);
    } else if (starts_with(text, "input")) {
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_INPUT_REQUIRED, "need more");
    } else if (starts_with(text, "fail")) {
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_FAILED, "failed as asked");
    } else if (starts_with(text, "noend")) {
        return;
    } else {
        complete(execution, text != NULL ? text : "");
    }
}

static int test_runs_inline(const json_t *message, void *context)
{
    const char *text = a2a_message_text(message);
    return !starts_with(text, "gate") && !starts_with(text, "steps") && !starts_with(text, "flood");
}

/* ---- fixture ------------------------------------------------------------------ */

struct fixture {
    struct a2a_server *server;
    struct a2a_client *client;
    struct http_client *http;
    char url[128];
    long live_allocations;
};

static struct a2a_server *start_server(struct a2a_executor executor)
{
    struct a2a_server_options options = {
        .name = "test agent",
        .http = {.max_body_bytes = 65536,
                 .threads = 2,
                 .max_streams_per_client = 64,
                 .max_stream_buffer_bytes = 65536},
        .executor = executor,
        .max_workers = 32,
    };
    struct a2a_server *server = NULL;
    assert_int_equal(a2a_server_new(&options, &server), ASSAY_OK);
    assert_int_equal(a2a_server_start(server), ASSAY_OK);
    return server;
}

static struct a2a_executor test_executor(void)
{
    struct a2a_executor executor = {.execute = test_execute, .runs_inline = test_runs_inline};
    return executor;
}

static int setup(void **state)
{
    long live = assay_memory_live_allocations();
    struct fixture *fixture = assay_calloc(1, sizeof *fixture);
    fixture->live_allocations = live;
    fixture->server = start_server(test_executor());
    snprintf(fixture->url, sizeof fixture->url, "%s", a2a_server_url(fixture->server));
    assert_int_equal(http_client_new(&fixture->http), ASSAY_OK);
    struct a2a_client_options options = {.http = fixture->http, .timeout_ms = 10000};
    struct a2a_client_error error = {0};
    if (a2a_client_resolve(fixture->url, &options, &fixture->client, NULL, &error) != ASSAY_OK)
        fail_msg("resolve: %s", error.message);
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    long expected = fixture->live_allocations;
    a2a_client_free(fixture->client);
    a2a_server_free(fixture->server);
    http_client_free(fixture->http);
    assay_free(fixture);
    long live = assay_memory_live_allocations();
    if (live != expected) {
        fprintf(stderr, "a2a_server: %ld allocations leaked\n", live - expected);
        return -1;
    }
    return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

static const char *state_of(const json_t *task)
{
    return json_string_value(json_object_get(json_object_get(task, "status"), "state"));
}

static json_t *send_text(struct fixture *fixture, const char *text, const char *task_id,
                         const char *context_id, int return_immediately, int history_length,
                         struct a2a_client_error *error)
{
    json_t *message = a2a_user_text_message_new(text, task_id, context_id);
    struct a2a_send_options send = {.return_immediately = return_immediately,
                                    .history_length = history_length};
    json_t *result = NULL;
    struct a2a_client_error local = {0};
    int status = a2a_client_send(fixture->client, message, &send, NULL, &result,
                                 error != NULL ? error : &local);
    json_decref(message);
    if (status != ASSAY_OK && error == NULL)
        fail_msg("send '%s': %s", text, local.message);
    if (status != ASSAY_OK)
        return NULL;
    json_t *task = json_incref(json_object_get(result, "task"));
    json_decref(result);
    assert_non_null(task);
    return task;
}

static json_t *get_task(struct fixture *fixture, const char *task_id, int history_length)
{
    json_t *task = NULL;
    struct a2a_client_error error = {0};
    if (a2a_client_get_task(fixture->client, task_id, history_length, NULL, &task, &error) !=
        ASSAY_OK)
        fail_msg("get %s: %s", task_id, error.message);
    return task;
}

/* Polls GetTask until the task is in `state` (20 s at most: generous, so a
 * loaded CI machine does not fail it; it returns as soon as the state shows). */
static json_t *wait_for_state(struct fixture *fixture, const char *task_id, const char *state)
{
    for (int attempt = 0; attempt < 4000; attempt++) {
        json_t *task = get_task(fixture, task_id, -1);
        if (strcmp(state_of(task), state) == 0)
            return task;
        json_decref(task);
        usleep(5000);
    }
    fail_msg("task %s never reached %s", task_id, state);
    return NULL;
}

/* A raw JSON-RPC POST with chosen headers; returns the parsed body. */
static json_t *raw_post(struct fixture *fixture, const char *content_type, const char *version,
                        const char *body, long *http_status)
{
    char content_header[128], version_header[128];
    const char *headers[3] = {NULL, NULL, NULL};
    size_t count = 0;
    if (content_type != NULL) {
        snprintf(content_header, sizeof content_header, "Content-Type: %s", content_type);
        headers[count++] = content_header;
    }
    if (version != NULL) {
        snprintf(version_header, sizeof version_header, "A2A-Version: %s", version);
        headers[count++] = version_header;
    }
    struct http_client_request request = {.method = "POST",
                                          .url = fixture->url,
                                          .headers = headers,
                                          .body = body,
                                          .body_length = strlen(body),
                                          .timeout_ms = 5000};
    struct http_client_response response;
    assert_int_equal(http_client_fetch(fixture->http, &request, &response), ASSAY_OK);
    if (http_status != NULL)
        *http_status = response.http_status;
    json_t *parsed = json_loadb(response.body.data != NULL ? response.body.data : "",
                                response.body.length, 0, NULL);
    http_client_response_free(&response);
    return parsed;
}

static int error_code(const json_t *response)
{
    return (int)json_integer_value(json_object_get(json_object_get(response, "error"), "code"));
}

static json_t *rpc(struct fixture *fixture, const char *body)
{
    return raw_post(fixture, "application/json", "1.0", body, NULL);
}

static void expect_rpc_error(struct fixture *fixture, const char *body, int code)
{
    json_t *response = rpc(fixture, body);
    if (error_code(response) != code) {
        char *text = json_dumps(response, JSON_COMPACT);
        fail_msg("expected %d for %s, got %s", code, body, text);
    }
    json_decref(response);
}

struct collector {
    pthread_mutex_t lock;
    json_t *events;
    int stop_after; /* 0: never */
};

static int collect(json_t *event, void *context)
{
    struct collector *collector = context;
    pthread_mutex_lock(&collector->lock);
    json_array_append(collector->events, event);
    size_t count = json_array_size(collector->events);
    pthread_mutex_unlock(&collector->lock);
    return collector->stop_after > 0 && count >= (size_t)collector->stop_after;
}

static size_t collected(struct collector *collector)
{
    pthread_mutex_lock(&collector->lock);
    size_t count = json_array_size(collector->events);
    pthread_mutex_unlock(&collector->lock);
    return count;
}

static void collector_init(struct collector *collector)
{
    pthread_mutex_init(&collector->lock, NULL);
    collector->events = json_array();
    collector->stop_after = 0;
}

static void collector_free(struct collector *collector)
{
    json_decref(collector->events);
    pthread_mutex_destroy(&collector->lock);
}

/* The kind of a StreamResponse: "task", "statusUpdate", ... */
static const char *event_kind(const json_t *event)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)event, key, value) return key;
    return "";
}

static const char *event_state(const json_t *event)
{
    const json_t *body = json_object_get(event, event_kind(event));
    return strcmp(event_kind(event), "task") == 0 ? state_of(body) : state_of(body);
}

/* ---- tests --------------------------------------------------------------------- */

static void agent_card_is_served_and_resolved(void **state)
{
    struct fixture *fixture = *state;
    assert_string_equal(a2a_client_endpoint(fixture->client), fixture->url);
    json_t *card = NULL;
    struct a2a_client *client = NULL;
    struct a2a_client_options options = {.http = fixture->http};
    assert_int_equal(a2a_client_resolve(fixture->url, &options, &client, &card, NULL), ASSAY_OK);
    a2a_client_free(client);
    assert_string_equal(json_string_value(json_object_get(card, "name")), "test agent");
    json_t *capabilities = json_object_get(card, "capabilities");
    assert_true(json_is_true(json_object_get(capabilities, "streaming")));
    assert_true(json_is_false(json_object_get(capabilities, "pushNotifications")));
    assert_true(json_is_false(json_object_get(capabilities, "extendedAgentCard")));
    json_t *interface = json_array_get(json_object_get(card, "supportedInterfaces"), 0);
    assert_string_equal(json_string_value(json_object_get(interface, "protocolBinding")),
                        "JSONRPC");
    assert_string_equal(json_string_value(json_object_get(interface, "protocolVersion")), "1.0");
    assert_string_equal(json_string_value(json_object_get(interface, "url")), fixture->url);
    assert_int_equal(json_array_size(json_object_get(card, "supportedInterfaces")), 1);
    json_t *skill = json_array_get(json_object_get(card, "skills"), 0);
    assert_non_null(json_object_get(skill, "id"));
    assert_true(json_is_array(json_object_get(skill, "tags")));
    assert_true(json_is_array(json_object_get(card, "defaultInputModes")));
    assert_non_null(json_object_get(card, "version"));
    json_decref(card);
}

static void send_blocking_completes_with_artifact(void **state)
{
    struct fixture *fixture = *state;
    json_t *task = send_text(fixture, "hello", NULL, NULL, 0, -1, NULL);
    assert_string_equal(state_of(task), "TASK_STATE_COMPLETED");
    json_t *part = json_array_get(
        json_object_get(json_array_get(json_object_get(task, "artifacts"), 0), "parts"), 0);
    assert_string_equal(json_string_value(json_object_get(part, "text")), "hello");
    json_t *first = json_array_get(json_object_get(task, "history"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "role")), "ROLE_USER");
    assert_string_equal(json_string_value(json_object_get(first, "taskId")),
                        json_string_value(json_object_get(task, "id")));
    assert_string_equal(json_string_value(json_object_get(first, "contextId")),
                        json_string_value(json_object_get(task, "contextId")));
    const char *timestamp =
        json_string_value(json_object_get(json_object_get(task, "status"), "timestamp"));
    assert_int_equal(strlen(timestamp), 24);
    assert_int_equal(timestamp[23], 'Z');
    const char *task_id = json_string_value(json_object_get(task, "id"));

    json_t *fetched = get_task(fixture, task_id, -1);
    assert_true(json_equal(fetched, task));
    json_decref(fetched);
    fetched = get_task(fixture, task_id, 0);
    assert_null(json_object_get(fetched, "history"));
    assert_non_null(json_object_get(fetched, "artifacts"));
    json_decref(fetched);
    json_decref(task);
    /* historyLength in the send configuration applies to the answer. */
    task = send_text(fixture, "hello again", NULL, NULL, 0, 0, NULL);
    assert_null(json_object_get(task, "history"));
    json_decref(task);
    /* A client-chosen contextId is kept. */
    task = send_text(fixture, "hello", NULL, "my-context", 0, -1, NULL);
    assert_string_equal(json_string_value(json_object_get(task, "contextId")), "my-context");
    json_decref(task);
}

static void return_immediately_then_poll(void **state)
{
    struct fixture *fixture = *state;
    atomic_store(&gate_open, 0);
    json_t *task = send_text(fixture, "gate one", NULL, NULL, 1, -1, NULL);
    assert_false(a2a_task_state_is_terminal(strcmp(state_of(task), "TASK_STATE_SUBMITTED") == 0
                                                ? A2A_TASK_STATE_SUBMITTED
                                                : A2A_TASK_STATE_WORKING));
    assert_true(strcmp(state_of(task), "TASK_STATE_SUBMITTED") == 0 ||
                strcmp(state_of(task), "TASK_STATE_WORKING") == 0);
    const char *task_id = json_string_value(json_object_get(task, "id"));
    json_t *working = wait_for_state(fixture, task_id, "TASK_STATE_WORKING");
    json_decref(working);
    atomic_store(&gate_open, 1);
    json_t *done = wait_for_state(fixture, task_id, "TASK_STATE_COMPLETED");
    json_decref(done);
    json_decref(task);
    atomic_store(&gate_open, 0);
}

static void stream_delivers_task_then_updates(void **state)
{
    struct fixture *fixture = *state;
    struct collector collector;
    collector_init(&collector);
    json_t *message = a2a_user_text_message_new("steps", NULL, NULL);
    struct a2a_client_error error = {0};
    assert_int_equal(
        a2a_client_stream(fixture->client, message, NULL, NULL, collect, &collector, &error),
        ASSAY_OK);
    json_decref(message);
    json_t *events = collector.events;
    assert_true(json_array_size(events) >= 5);
    assert_string_equal(event_kind(json_array_get(events, 0)), "task");
    assert_string_equal(event_state(json_array_get(events, 0)), "TASK_STATE_SUBMITTED");
    json_t *last = json_array_get(events, json_array_size(events) - 1);
    assert_string_equal(event_kind(last), "statusUpdate");
    assert_string_equal(event_state(last), "TASK_STATE_COMPLETED");
    int artifacts = 0, working = 0;
    size_t index;
    json_t *event;
    json_array_foreach(events, index, event)
    {
        if (strcmp(event_kind(event), "artifactUpdate") == 0) {
            json_t *update = json_object_get(event, "artifactUpdate");
            assert_int_equal(json_is_true(json_object_get(update, "append")), artifacts == 1);
            assert_int_equal(json_is_true(json_object_get(update, "lastChunk")), artifacts == 1);
            assert_non_null(json_object_get(update, "taskId"));
            assert_non_null(json_object_get(update, "contextId"));
            artifacts++;
        }
        if (strcmp(event_kind(event), "statusUpdate") == 0 &&
            strcmp(event_state(event), "TASK_STATE_WORKING") == 0)
            working++;
    }
    assert_int_equal(artifacts, 2);
    assert_int_equal(working, 1);
    /* The appended chunks are one artifact with both parts. */
    const char *task_id = json_string_value(
        json_object_get(json_object_get(json_array_get(events, 0), "task"), "id"));
    json_t *task = get_task(fixture, task_id, -1);
    json_t *parts = json_object_get(json_array_get(json_object_get(task, "artifacts"), 0), "parts");
    assert_int_equal(json_array_size(parts), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 1), "text")), "b");
    json_decref(task);
    collector_free(&collector);

    /* An inline turn streams too: task, artifact, completion. */
    collector_init(&collector);
    message = a2a_user_text_message_new("quick", NULL, NULL);
    assert_int_equal(
        a2a_client_stream(fixture->client, message, NULL, NULL, collect, &collector, &error),
        ASSAY_OK);
    json_decref(message);
    assert_int_equal(json_array_size(collector.events), 3);
    assert_string_equal(event_kind(json_array_get(collector.events, 1)), "artifactUpdate");
    assert_string_equal(event_state(json_array_get(collector.events, 2)), "TASK_STATE_COMPLETED");
    collector_free(&collector);
}

struct subscription {
    struct fixture *fixture;
    const char *task_id;
    struct collector collector;
    int status;
};

static void *subscribe_thread(void *argument)
{
    struct subscription *subscription = argument;
    struct a2a_client_error error = {0};
    subscription->status =
        a2a_client_subscribe(subscription->fixture->client, subscription->task_id, NULL, collect,
                             &subscription->collector, &error);
    return NULL;
}

static void subscribe_follows_a_running_task(void **state)
{
    struct fixture *fixture = *state;
    atomic_store(&gate_open, 0);
    json_t *task = send_text(fixture, "gate two", NULL, NULL, 1, -1, NULL);
    const char *task_id = json_string_value(json_object_get(task, "id"));
    struct subscription subscription = {.fixture = fixture, .task_id = task_id};
    collector_init(&subscription.collector);
    pthread_t thread;
    pthread_create(&thread, NULL, subscribe_thread, &subscription);
    for (int attempt = 0; attempt < 4000 && collected(&subscription.collector) == 0; attempt++)
        usleep(5000);
    /* the task snapshot, and perhaps a "working" update when the executor
     * started after the subscription did (a busy machine): never more, and
     * nothing terminal while the gate is closed. A failed assertion here
     * would leave the subscriber thread running into teardown, so open the
     * gate and join first. */
    size_t before_opening = collected(&subscription.collector);
    atomic_store(&gate_open, 1);
    pthread_join(thread, NULL);
    assert_true(before_opening >= 1 && before_opening <= 2);
    for (size_t index = 1; index < before_opening; index++) {
        const char *early = event_state(json_array_get(subscription.collector.events, index));
        assert_true(early == NULL || strcmp(early, "TASK_STATE_COMPLETED") != 0);
    }
    assert_int_equal(subscription.status, ASSAY_OK);
    json_t *events = subscription.collector.events;
    assert_string_equal(event_kind(json_array_get(events, 0)), "task");
    json_t *last = json_array_get(events, json_array_size(events) - 1);
    assert_string_equal(event_state(last), "TASK_STATE_COMPLETED");
    collector_free(&subscription.collector);
    atomic_store(&gate_open, 0);

    /* A finished task cannot be subscribed to; an unknown one is not found. */
    struct collector collector;
    collector_init(&collector);
    struct a2a_client_error error = {0};
    assert_int_equal(
        a2a_client_subscribe(fixture->client, task_id, NULL, collect, &collector, &error),
        ASSAY_ERR_REMOTE);
    assert_int_equal(error.code, -32004);
    assert_string_equal(error.reason, "UNSUPPORTED_OPERATION");
    assert_int_equal(
        a2a_client_subscribe(fixture->client, "no-such-task", NULL, collect, &collector, &error),
        ASSAY_ERR_REMOTE);
    assert_int_equal(error.code, -32001);
    assert_int_equal(json_array_size(collector.events), 0);
    json_decref(task);

    /* A task waiting for input: the stream is the task, then it ends. */
    task = send_text(fixture, "input please", NULL, NULL, 0, -1, NULL);
    assert_int_equal(a2a_client_subscribe(fixture->client,
                                          json_string_value(json_object_get(task, "id")), NULL,
                                          collect, &collector, &error),
                     ASSAY_OK);
    assert_int_equal(json_array_size(collector.events), 1);
    assert_string_equal(event_state(json_array_get(collector.events, 0)),
                        "TASK_STATE_INPUT_REQUIRED");
    json_decref(task);
    collector_free(&collector);
}

struct blocked_send {
    struct fixture *fixture;
    json_t *task;
    int status;
};

static void *blocked_send_thread(void *argument)
{
    struct blocked_send *blocked = argument;
    json_t *message = a2a_user_text_message_new("gate blocked", NULL, "blocked-context");
    json_t *result = NULL;
    struct a2a_client_error error = {0};
    blocked->status =
        a2a_client_send(blocked->fixture->client, message, NULL, NULL, &result, &error);
    if (blocked->status == ASSAY_OK)
        blocked->task = json_incref(json_object_get(result, "task"));
    json_decref(result);
    json_decref(message);
    return NULL;
}

/* The id of the one task of a context, found by listing (a blocked sender
 * does not know it yet). */
static char *find_task_in_context(struct fixture *fixture, const char *context_id,
                                  const char *state)
{
    for (int attempt = 0; attempt < 4000; attempt++) {
        json_t *params = json_pack("{s:s, s:s}", "contextId", context_id, "status", state);
        json_t *result = NULL;
        assert_int_equal(a2a_client_list_tasks(fixture->client, params, NULL, &result, NULL),
                         ASSAY_OK);
        json_decref(params);
        json_t *task = json_array_get(json_object_get(result, "tasks"), 0);
        char *task_id =
            task != NULL ? assay_strdup(json_string_value(json_object_get(task, "id"))) : NULL;
        json_decref(result);
        if (task_id != NULL)
            return task_id;
        usleep(5000);
    }
    fail_msg("no %s task in context %s", state, context_id);
    return NULL;
}

static void cancel_running_and_finished_tasks(void **state)
{
    struct fixture *fixture = *state;
    atomic_store(&gate_open, 0);
    struct a2a_client_error error = {0};
    json_t *task = send_text(fixture, "gate three", NULL, NULL, 1, -1, NULL);
    const char *task_id = json_string_value(json_object_get(task, "id"));
    json_t *canceled = NULL;
    assert_int_equal(a2a_client_cancel_task(fixture->client, task_id, NULL, &canceled, &error),
                     ASSAY_OK);
    assert_string_equal(state_of(canceled), "TASK_STATE_CANCELED");
    json_decref(canceled);
    json_t *fetched = get_task(fixture, task_id, -1);
    assert_string_equal(state_of(fetched), "TASK_STATE_CANCELED");
    json_decref(fetched);
    /* Canceling twice answers the canceled task again. */
    assert_int_equal(a2a_client_cancel_task(fixture->client, task_id, NULL, &canceled, &error),
                     ASSAY_OK);
    assert_string_equal(state_of(canceled), "TASK_STATE_CANCELED");
    json_decref(canceled);
    json_decref(task);

    task = send_text(fixture, "done soon", NULL, NULL, 0, -1, NULL);
    assert_int_equal(a2a_client_cancel_task(fixture->client,
                                            json_string_value(json_object_get(task, "id")), NULL,
                                            &canceled, &error),
                     ASSAY_ERR_REMOTE);
    assert_int_equal(error.code, -32002);
    assert_string_equal(error.reason, "TASK_NOT_CANCELABLE");
    json_decref(task);
    assert_int_equal(
        a2a_client_cancel_task(fixture->client, "no-such-task", NULL, &canceled, &error),
        ASSAY_ERR_REMOTE);
    assert_int_equal(error.code, -32001);

    /* A blocking sender waiting on a running task gets the canceled task. */
    struct blocked_send blocked = {.fixture = fixture};
    pthread_t thread;
    pthread_create(&thread, NULL, blocked_send_thread, &blocked);
    char *blocked_id = find_task_in_context(fixture, "blocked-context", "TASK_STATE_WORKING");
    assert_int_equal(a2a_client_cancel_task(fixture->client, blocked_id, NULL, &canceled, &error),
                     ASSAY_OK);
    json_decref(canceled);
    pthread_join(thread, NULL);
    assert_int_equal(blocked.status, ASSAY_OK);
    assert_string_equal(state_of(blocked.task), "TASK_STATE_CANCELED");
    json_decref(blocked.task);
    assay_free(blocked_id);

    /* A task waiting for input (no turn running) is canceled in the store. */
    task = send_text(fixture, "input wanted", NULL, NULL, 0, -1, NULL);
    assert_int_equal(a2a_client_cancel_task(fixture->client,
                                            json_string_value(json_object_get(task, "id")), NULL,
                                            &canceled, &error),
                     ASSAY_OK);
    assert_string_equal(state_of(canceled), "TASK_STATE_CANCELED");
    json_decref(canceled);
    json_decref(task);
}

static void multi_turn_with_input_required(void **state)
{
    struct fixture *fixture = *state;
    struct a2a_client_error error = {0};
    json_t *task = send_text(fixture, "input first", NULL, NULL, 0, -1, NULL);
    assert_string_equal(state_of(task), "TASK_STATE_INPUT_REQUIRED");
    json_t *question = json_object_get(json_object_get(task, "status"), "message");
    assert_string_equal(json_string_value(json_object_get(question, "role")), "ROLE_AGENT");
    assert_string_equal(a2a_message_text(question), "need more");
    const char *task_id = json_string_value(json_object_get(task, "id"));
    const char *context_id = json_string_value(json_object_get(task, "contextId"));

    /* A mismatching context is refused, the task stays as it was. */
    assert_null(send_text(fixture, "more", task_id, "another-context", 0, -1, &error));
    assert_int_equal(error.code, -32602);

    json_t *done = send_text(fixture, "more", task_id, context_id, 0, -1, NULL);
    assert_string_equal(state_of(done), "TASK_STATE_COMPLETED");
    assert_string_equal(json_string_value(json_object_get(done, "id")), task_id);
    json_t *history = json_object_get(done, "history");
    assert_int_equal(json_array_size(history), 3); /* user, agent question, user */
    assert_string_equal(a2a_message_text(json_array_get(history, 2)), "more");
    json_t *part = json_array_get(
        json_object_get(json_array_get(json_object_get(done, "artifacts"), 0), "parts"), 0);
    assert_string_equal(json_string_value(json_object_get(part, "text")), "again: more");
    json_t *recent = get_task(fixture, task_id, 1);
    assert_int_equal(json_array_size(json_object_get(recent, "history")), 1);
    json_decref(recent);

    /* A finished task takes no more messages; an unknown one is not found. */
    assert_null(send_text(fixture, "still there?", task_id, NULL, 0, -1, &error));
    assert_int_equal(error.code, -32004);
    assert_null(send_text(fixture, "hello?", "no-such-task", NULL, 0, -1, &error));
    assert_int_equal(error.code, -32001);
    json_decref(done);
    json_decref(task);

    /* Follow-up by stream, with only the taskId (context inferred). */
    task = send_text(fixture, "input again", NULL, NULL, 0, -1, NULL);
    struct collector collector;
    collector_init(&collector);
    json_t *message =
        a2a_user_text_message_new("streamed", json_string_value(json_object_get(task, "id")), NULL);
    assert_int_equal(
        a2a_client_stream(fixture->client, message, NULL, NULL, collect, &collector, &error),
        ASSAY_OK);
    json_decref(message);
    json_t *first = json_object_get(json_array_get(collector.events, 0), "task");
    assert_string_equal(state_of(first), "TASK_STATE_SUBMITTED");
    assert_string_equal(json_string_value(json_object_get(first, "contextId")),
                        json_string_value(json_object_get(task, "contextId")));
    assert_string_equal(
        event_state(json_array_get(collector.events, json_array_size(collector.events) - 1)),
        "TASK_STATE_COMPLETED");
    collector_free(&collector);
    json_decref(task);
}

static json_t *list(struct fixture *fixture, const char *params_text)
{
    json_t *params = json_loads(params_text, 0, NULL);
    json_t *result = NULL;
    struct a2a_client_error error = {0};
    if (a2a_client_list_tasks(fixture->client, params, NULL, &result, &error) != ASSAY_OK)
        fail_msg("list %s: %s", params_text, error.message);
    json_decref(params);
    return result;
}

static void list_tasks_filters_and_pages(void **state)
{
    struct fixture *fixture = *state;
    for (int index = 0; index < 3; index++) {
        char text[32];
        snprintf(text, sizeof text, "listed %d", index);
        json_decref(send_text(fixture, text, NULL, "list-context", 0, -1, NULL));
    }
    json_decref(send_text(fixture, "input listed", NULL, "list-context", 0, -1, NULL));
    json_t *result = list(fixture, "{\"contextId\":\"list-context\"}");
    json_t *tasks = json_object_get(result, "tasks");
    assert_int_equal(json_array_size(tasks), 4);
    assert_int_equal(json_integer_value(json_object_get(result, "totalSize")), 4);
    assert_int_equal(json_integer_value(json_object_get(result, "pageSize")), 50);
    assert_string_equal(json_string_value(json_object_get(result, "nextPageToken")), "");
    assert_null(json_object_get(json_array_get(tasks, 0), "artifacts")); /* omitted by default */
    assert_string_equal(state_of(json_array_get(tasks, 0)),
                        "TASK_STATE_INPUT_REQUIRED"); /* newest */
    json_decref(result);

    result = list(fixture, "{\"contextId\":\"list-context\",\"includeArtifacts\":true,"
                           "\"status\":\"TASK_STATE_COMPLETED\",\"historyLength\":0}");
    tasks = json_object_get(result, "tasks");
    assert_int_equal(json_array_size(tasks), 3);
    assert_non_null(json_object_get(json_array_get(tasks, 0), "artifacts"));
    assert_null(json_object_get(json_array_get(tasks, 0), "history"));
    json_decref(result);

    result = list(fixture, "{\"contextId\":\"list-context\",\"pageSize\":3}");
    assert_int_equal(json_array_size(json_object_get(result, "tasks")), 3);
    const char *token = json_string_value(json_object_get(result, "nextPageToken"));
    assert_true(token != NULL && token[0] != '\0');
    char next[256];
    snprintf(next, sizeof next,
             "{\"contextId\":\"list-context\",\"pageSize\":3,\"pageToken\":\"%s\"}", token);
    json_decref(result);
    result = list(fixture, next);
    assert_int_equal(json_array_size(json_object_get(result, "tasks")), 1);
    assert_string_equal(json_string_value(json_object_get(result, "nextPageToken")), "");
    json_decref(result);

    result =
        list(fixture,
             "{\"contextId\":\"list-context\",\"statusTimestampAfter\":\"2999-01-01T00:00:00Z\"}");
    assert_int_equal(json_array_size(json_object_get(result, "tasks")), 0);
    json_decref(result);

    static const char *const invalid[] = {
        "{\"pageSize\":0}",        "{\"pageSize\":101}",
        "{\"pageSize\":\"10\"}",   "{\"status\":\"TASK_STATE_RUNNING\"}",
        "{\"pageToken\":\"zzz\"}", "{\"statusTimestampAfter\":\"yesterday\"}",
        "{\"historyLength\":-1}",  "{\"includeArtifacts\":\"yes\"}",
        "{\"contextId\":5}"};
    for (size_t index = 0; index < sizeof invalid / sizeof invalid[0]; index++) {
        json_t *params = json_loads(invalid[index], 0, NULL);
        struct a2a_client_error error = {0};
        assert_int_equal(a2a_client_list_tasks(fixture->client, params, NULL, &result, &error),
                         ASSAY_ERR_REMOTE);
        if (error.code != -32602)
            fail_msg("%s: expected -32602, got %d", invalid[index], error.code);
        json_decref(params);
    }
}

static void protocol_errors(void **state)
{
    struct fixture *fixture = *state;
    const char *send =
        "{\"jsonrpc\":\"2.0\",\"id\":\"v\",\"method\":\"SendMessage\",\"params\":{\"message\":"
        "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}}}";
    long http_status = 0;
    /* Versions: missing means 0.3, which is not supported. */
    json_t *response = raw_post(fixture, "application/json", NULL, send, &http_status);
    assert_int_equal(error_code(response), -32009);
    assert_int_equal(http_status, 200);
    assert_string_equal(json_string_value(json_object_get(response, "id")), "v");
    assert_non_null(strstr(
        json_string_value(json_object_get(json_object_get(response, "error"), "message")), "1.0"));
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(response, "error"), "data"), 0),
            "reason")),
        "VERSION_NOT_SUPPORTED");
    json_decref(response);
    static const char *const unsupported[] = {"0.3", "2.0", "1.1", "one", "1.0x"};
    for (size_t index = 0; index < 5; index++) {
        response = raw_post(fixture, "application/json", unsupported[index], send, NULL);
        assert_int_equal(error_code(response), -32009);
        json_decref(response);
    }
    static const char *const supported[] = {"1.0", "1", " 1.0.2 "};
    for (size_t index = 0; index < 3; index++) {
        response = raw_post(fixture, "application/json", supported[index], send, NULL);
        assert_non_null(json_object_get(response, "result"));
        json_decref(response);
    }
    /* Content types other than application/json. */
    response = raw_post(fixture, "text/plain", "1.0", send, &http_status);
    assert_int_equal(error_code(response), -32005);
    assert_int_equal(http_status, 200);
    json_decref(response);
    response = raw_post(fixture, "application/json; charset=utf-8", "1.0", send, NULL);
    assert_non_null(json_object_get(response, "result"));
    json_decref(response);

    /* JSON-RPC framing. */
    response = rpc(fixture, "{");
    assert_int_equal(error_code(response), -32700);
    assert_true(json_is_null(json_object_get(response, "id")));
    json_decref(response);
    expect_rpc_error(fixture, "[1,2]", -32600);
    expect_rpc_error(fixture, "{\"jsonrpc\":\"2.0\",\"id\":1}", -32600);
    expect_rpc_error(fixture, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"GetTask\"}", -32600);
    expect_rpc_error(fixture,
                     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"message/send\",\"params\":{}}",
                     -32601);
    expect_rpc_error(fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\"}", -32602);
    expect_rpc_error(
        fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":[]}", -32602);
    expect_rpc_error(fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"GetTask\",\"params\":{}}",
                     -32602);
    expect_rpc_error(fixture,
                     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"GetTask\",\"params\":{\"id\":"
                     "\"x\",\"historyLength\":-2}}",
                     -32602);
    expect_rpc_error(
        fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"GetTask\",\"params\":{\"id\":\"x\"}}",
        -32001);
    expect_rpc_error(
        fixture,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SubscribeToTask\",\"params\":{\"id\":7}}",
        -32602);
    /* Invalid messages name the member. */
    response = rpc(
        fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
                 "{\"messageId\":\"m\",\"role\":\"ROLE_USER\"}}}");
    assert_int_equal(error_code(response), -32602);
    json_t *violation = json_array_get(
        json_object_get(
            json_array_get(json_object_get(json_object_get(response, "error"), "data"), 1),
            "fieldViolations"),
        0);
    assert_string_equal(json_string_value(json_object_get(violation, "field")),
                        "params.message.parts");
    json_decref(response);
    expect_rpc_error(
        fixture,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
        "{\"messageId\":\"m\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"text\":\"x\"}]}}}",
        -32602);
    expect_rpc_error(
        fixture,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
        "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"x\",\"url\":\"y\"}]}}}",
        -32602);
    expect_rpc_error(
        fixture,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
        "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"x\"}]},"
        "\"configuration\":{\"returnImmediately\":\"yes\"}}}",
        -32602);
    expect_rpc_error(
        fixture,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
        "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"x\"}]},"
        "\"configuration\":{\"historyLength\":-1}}}",
        -32602);
    /* Not implemented: push notifications, the extended card. */
    expect_rpc_error(
        fixture,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
        "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"x\"}]},"
        "\"configuration\":{\"taskPushNotificationConfig\":{\"url\":\"http://x\"}}}}",
        -32003);
    expect_rpc_error(
        fixture,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"CreateTaskPushNotificationConfig\","
        "\"params\":{\"taskId\":\"t\",\"url\":\"http://x\"}}",
        -32003);
    expect_rpc_error(fixture,
                     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ListTaskPushNotificationConfigs\","
                     "\"params\":{\"taskId\":\"t\"}}",
                     -32003);
    expect_rpc_error(fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"GetExtendedAgentCard\"}",
                     -32004);

    /* HTTP level: size limit, methods and paths. */
    char *big = assay_malloc(100000);
    memset(big, ' ', 99999);
    big[0] = '{';
    big[99998] = '}';
    big[99999] = '\0';
    response = raw_post(fixture, "application/json", "1.0", big, &http_status);
    assert_int_equal(http_status, 413);
    json_decref(response);
    assay_free(big);
    struct http_client_response reply;
    struct http_client_request get = {.url = fixture->url, .timeout_ms = 5000};
    assert_int_equal(http_client_fetch(fixture->http, &get, &reply), ASSAY_OK);
    assert_int_equal(reply.http_status, 405);
    http_client_response_free(&reply);
}

/* Raw TCP, for clients that misbehave at the socket level. A small receive
 * buffer (set before connecting, so the window is small from the start)
 * makes a client that does not read fill up quickly. */
static int connect_raw_buffer(struct fixture *fixture, int receive_buffer)
{
    int socket_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0)
        setsockopt(socket_fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    struct sockaddr_in address = {.sin_family = AF_INET,
                                  .sin_port = htons(a2a_server_port(fixture->server))};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    assert_int_equal(connect(socket_fd, (struct sockaddr *)&address, sizeof address), 0);
    return socket_fd;
}

static int connect_raw(struct fixture *fixture)
{
    return connect_raw_buffer(fixture, 0);
}

static void send_all(int socket_fd, const char *text)
{
    size_t length = strlen(text), sent = 0;
    while (sent < length) {
        ssize_t wrote = send(socket_fd, text + sent, length - sent, MSG_NOSIGNAL);
        if (wrote <= 0)
            return;
        sent += (size_t)wrote;
    }
}

static void still_serving(struct fixture *fixture)
{
    json_t *task = send_text(fixture, "are you there", NULL, NULL, 0, -1, NULL);
    assert_string_equal(state_of(task), "TASK_STATE_COMPLETED");
    json_decref(task);
}

static void hostile_input_keeps_the_server_serving(void **state)
{
    struct fixture *fixture = *state;
    /* Deep nesting is refused before jansson recurses into it. */
    char *deep = assay_malloc(60001);
    memset(deep, '[', 60000);
    deep[60000] = '\0';
    json_t *response = rpc(fixture, deep);
    assert_int_equal(error_code(response), -32700);
    json_decref(response);
    assay_free(deep);
    /* Invalid UTF-8 and NUL escapes are parse errors. */
    expect_rpc_error(fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Get\xff\"}", -32700);
    expect_rpc_error(fixture, "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"GetTask\"}",
                     -32700);
    still_serving(fixture);

    /* Not HTTP at all, then a request cut short. */
    int socket_fd = connect_raw(fixture);
    send_all(socket_fd, "\x16\x03\x01 this is not HTTP\r\n\r\n");
    close(socket_fd);
    socket_fd = connect_raw(fixture);
    send_all(socket_fd, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"jsonrpc\"");
    close(socket_fd);
    still_serving(fixture);
}

static void disconnects_and_slow_readers(void **state)
{
    struct fixture *fixture = *state;
    /* A client that walks away mid-stream. */
    atomic_store(&gate_open, 0);
    struct collector collector;
    collector_init(&collector);
    collector.stop_after = 1;
    json_t *message = a2a_user_text_message_new("gate four", NULL, "walkaway-context");
    assert_int_equal(
        a2a_client_stream(fixture->client, message, NULL, NULL, collect, &collector, NULL),
        ASSAY_OK);
    json_decref(message);
    const char *task_id = json_string_value(
        json_object_get(json_object_get(json_array_get(collector.events, 0), "task"), "id"));
    atomic_store(&gate_open, 1);
    json_decref(wait_for_state(fixture, task_id, "TASK_STATE_COMPLETED"));
    atomic_store(&gate_open, 0);
    collector_free(&collector);
    still_serving(fixture);

    /* A client that does not read a stream of ~5.7 MiB: the server ends
     * it when its queue passes max_stream_buffer_bytes (64 KiB here), the
     * turn still completes, other clients are served meanwhile, and what
     * the client finally reads is a properly ended, much shorter stream. */
    int socket_fd = connect_raw_buffer(fixture, 4096);
    const char *body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendStreamingMessage\",\"params\":{\"message\":"
        "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"contextId\":\"flood-context\","
        "\"parts\":[{\"text\":\"flood\"}]}}}";
    char request[1024];
    snprintf(request, sizeof request,
             "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nA2A-Version: 1.0\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    send_all(socket_fd, request);
    char *flood_id = find_task_in_context(fixture, "flood-context", "TASK_STATE_COMPLETED");
    still_serving(fixture);
    struct timeval wait = {.tv_sec = 3};
    setsockopt(socket_fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    char tail[8] = "";
    size_t received = 0;
    for (;;) {
        char chunk[16384];
        ssize_t count = recv(socket_fd, chunk, sizeof chunk, 0);
        if (count <= 0)
            break;
        received += (size_t)count;
        size_t keep = count >= 7 ? 7 : (size_t)count;
        memmove(tail, tail + keep, 7 - keep);
        memcpy(tail + 7 - keep, chunk + count - keep, keep);
        if (memcmp(tail + 2, "0\r\n\r\n", 5) == 0)
            break; /* the last chunk of the chunked response */
    }
    if (!(received > 8192 && received < 5000000))
        fail_msg("received %zu bytes", received);
    assert_memory_equal(tail + 2, "0\r\n\r\n", 5);
    close(socket_fd);
    assay_free(flood_id);
    still_serving(fixture);
}

static void turns_that_fail(void **state)
{
    struct fixture *fixture = *state;
    json_t *task = send_text(fixture, "noend", NULL, NULL, 0, -1, NULL);
    assert_string_equal(state_of(task), "TASK_STATE_FAILED");
    assert_non_null(
        strstr(a2a_message_text(json_object_get(json_object_get(task, "status"), "message")),
               "without a final state"));
    json_decref(task);
    task = send_text(fixture, "fail now", NULL, NULL, 0, -1, NULL);
    assert_string_equal(state_of(task), "TASK_STATE_FAILED");
    json_decref(task);
}

struct parallel {
    struct fixture *fixture;
    int index;
    int completed;
};

static void *parallel_thread(void *argument)
{
    struct parallel *parallel = argument;
    for (int round = 0; round < 5; round++) {
        json_t *message =
            a2a_user_text_message_new(round % 2 ? "hello parallel" : "steps parallel", NULL, NULL);
        json_t *result = NULL;
        if (a2a_client_send(parallel->fixture->client, message, NULL, NULL, &result, NULL) ==
                ASSAY_OK &&
            strcmp(state_of(json_object_get(result, "task")), "TASK_STATE_COMPLETED") == 0)
            parallel->completed++;
        json_decref(result);
        json_decref(message);
    }
    return NULL;
}

static void concurrent_blocking_sends(void **state)
{
    struct fixture *fixture = *state;
    enum { THREADS = 12 };
    pthread_t threads[THREADS];
    struct parallel parallel[THREADS];
    for (int index = 0; index < THREADS; index++) {
        parallel[index] = (struct parallel){fixture, index, 0};
        pthread_create(&threads[index], NULL, parallel_thread, &parallel[index]);
    }
    for (int index = 0; index < THREADS; index++) {
        pthread_join(threads[index], NULL);
        assert_int_equal(parallel[index].completed, 5);
    }
}

static void *blocked_on_second_server(void *argument)
{
    struct blocked_send *blocked = argument;
    struct a2a_client *client = blocked->fixture->client;
    json_t *message = a2a_user_text_message_new("gate shutdown", NULL, NULL);
    json_t *result = NULL;
    struct a2a_client_error error = {0};
    blocked->status = a2a_client_send(client, message, NULL, NULL, &result, &error);
    if (blocked->status == ASSAY_OK)
        blocked->task = json_incref(json_object_get(result, "task"));
    json_decref(result);
    json_decref(message);
    return NULL;
}

static void shutdown_with_turns_in_flight(void **state)
{
    struct fixture *fixture = *state;
    atomic_store(&gate_open, 0);
    struct fixture second = {.server = start_server(test_executor())};
    struct a2a_client_options options = {.http = fixture->http, .timeout_ms = 10000};
    assert_int_equal(a2a_client_new(a2a_server_url(second.server), &options, &second.client),
                     ASSAY_OK);
    /* One blocked sender, one streaming subscriber, one queued-or-running
     * turn nobody waits for. */
    struct blocked_send blocked = {.fixture = &second};
    pthread_t thread;
    pthread_create(&thread, NULL, blocked_on_second_server, &blocked);
    json_t *background = send_text(&second, "gate background", NULL, NULL, 1, -1, NULL);
    struct subscription subscription = {
        .fixture = &second, .task_id = json_string_value(json_object_get(background, "id"))};
    collector_init(&subscription.collector);
    pthread_t subscriber;
    pthread_create(&subscriber, NULL, subscribe_thread, &subscription);
    for (int attempt = 0; attempt < 4000 && collected(&subscription.collector) == 0; attempt++)
        usleep(5000);
    usleep(20000);
    a2a_server_free(second.server); /* cancels the turns, answers, closes */
    pthread_join(thread, NULL);
    pthread_join(subscriber, NULL);
    /* The blocked sender got the task failed by the shutdown (or an error):
     * it is not left hanging. */
    if (blocked.status == ASSAY_OK)
        assert_true(a2a_task_state_is_terminal(
            strcmp(state_of(blocked.task), "TASK_STATE_FAILED") == 0 ? A2A_TASK_STATE_FAILED
                                                                     : A2A_TASK_STATE_CANCELED));
    json_decref(blocked.task);
    json_decref(background);
    collector_free(&subscription.collector);
    a2a_client_free(second.client);
}

static void echo_agent_behaviour(void **state)
{
    struct fixture *fixture = *state;
    struct fixture echo = {.server = start_server(a2a_echo_executor())};
    struct a2a_client_options options = {.http = fixture->http, .timeout_ms = 10000};
    assert_int_equal(a2a_client_new(a2a_server_url(echo.server), &options, &echo.client), ASSAY_OK);
    json_t *task = send_text(&echo, "hello echo", NULL, NULL, 0, -1, NULL);
    assert_string_equal(state_of(task), "TASK_STATE_COMPLETED");
    json_t *artifact = json_array_get(json_object_get(task, "artifacts"), 0);
    assert_string_equal(json_string_value(json_object_get(artifact, "artifactId")), "echo");
    assert_string_equal(a2a_message_text(artifact), "hello echo");
    json_decref(task);
    task = send_text(&echo, "input please", NULL, NULL, 0, -1, NULL);
    assert_string_equal(state_of(task), "TASK_STATE_INPUT_REQUIRED");
    json_t *done = send_text(&echo, "the rest", json_string_value(json_object_get(task, "id")),
                             NULL, 0, -1, NULL);
    assert_string_equal(state_of(done), "TASK_STATE_COMPLETED");
    assert_string_equal(a2a_message_text(json_array_get(json_object_get(done, "artifacts"), 0)),
                        "the rest");
    json_decref(done);
    json_decref(task);
    task = send_text(&echo, "fail please", NULL, NULL, 0, -1, NULL);
    assert_string_equal(state_of(task), "TASK_STATE_FAILED");
    json_decref(task);
    task = send_text(&echo, "slow please", NULL, NULL, 1, -1, NULL);
    const char *task_id = json_string_value(json_object_get(task, "id"));
    json_t *working = wait_for_state(&echo, task_id, "TASK_STATE_WORKING");
    json_decref(working);
    json_t *canceled = NULL;
    assert_int_equal(a2a_client_cancel_task(echo.client, task_id, NULL, &canceled, NULL), ASSAY_OK);
    assert_string_equal(state_of(canceled), "TASK_STATE_CANCELED");
    json_decref(canceled);
    json_decref(task);
    a2a_client_free(echo.client);
    a2a_server_free(echo.server);
}

static void client_reports_transport_errors(void **state)
{
    struct fixture *fixture = *state;
    struct a2a_client_options options = {.http = fixture->http, .timeout_ms = 2000};
    struct a2a_client_error error = {0};
    struct a2a_client *client = NULL;
    assert_int_equal(a2a_client_resolve("http://127.0.0.1:1", &options, &client, NULL, &error),
                     ASSAY_ERR_IO);
    assert_true(strlen(error.message) > 0);
    /* A timeout on a turn that does not end in time. */
    atomic_store(&gate_open, 0);
    assert_int_equal(a2a_client_new(fixture->url, &options, &client), ASSAY_OK);
    json_t *message = a2a_user_text_message_new("gate slow client", NULL, NULL);
    struct a2a_call_options call = {.timeout_ms = 200};
    json_t *result = NULL;
    assert_int_equal(a2a_client_send(client, message, NULL, &call, &result, &error),
                     ASSAY_ERR_TIMEOUT);
    /* Cancellation from outside: a triggered handle stops the next call at once. */
    struct a2a_cancel *cancel = NULL;
    assert_int_equal(a2a_cancel_new(&cancel), ASSAY_OK);
    a2a_cancel_trigger(cancel);
    call = (struct a2a_call_options){.cancel = cancel};
    assert_int_equal(a2a_client_send(client, message, NULL, &call, &result, &error),
                     ASSAY_ERR_CANCELED);
    a2a_cancel_free(cancel);
    json_decref(message);
    a2a_client_free(client);
    atomic_store(&gate_open, 1); /* let the abandoned turns finish */
    usleep(20000);
    atomic_store(&gate_open, 0);
}

/* One raw request; returns the HTTP status line's code, 0 when the
 * connection closed without an answer. Allocates nothing (so it does not
 * consume the injected allocation failures meant for the server). */
static int raw_exchange(struct fixture *fixture, const char *body)
{
    int socket_fd = connect_raw(fixture);
    char request[1024];
    snprintf(request, sizeof request,
             "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nA2A-Version: 1.0\r\n"
             "Connection: close\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    send_all(socket_fd, request);
    struct timeval wait = {.tv_sec = 5};
    setsockopt(socket_fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    char reply[4096];
    size_t used = 0;
    for (;;) {
        ssize_t count = recv(socket_fd, reply + used, sizeof reply - 1 - used, 0);
        if (count <= 0)
            break;
        used += (size_t)count;
        if (used == sizeof reply - 1)
            break;
    }
    reply[used] = '\0';
    close(socket_fd);
    int code = 0;
    sscanf(reply, "HTTP/1.1 %d", &code);
    return code;
}

/* Every allocation of a request, failed in turn: each answer is a result,
 * an error or a closed connection, and the server survives and leaks
 * nothing (the group's teardown counts). */
static void allocation_failures_are_survived(void **state)
{
    struct fixture *fixture = *state;
    const char *bodies[] = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
        "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hello\"}]}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":"
        "{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"steps\"}]}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ListTasks\",\"params\":{\"pageSize\":3,"
        "\"includeArtifacts\":true}}",
    };
    for (size_t body = 0; body < 3; body++)
        for (long failing = 0; failing < 120; failing++) {
            assay_memory_fail_after(failing);
            int code = raw_exchange(fixture, bodies[body]);
            assay_memory_fail_after(-1);
            assert_true(code == 0 || code == 200 || code == 500 || code == 503);
        }
    still_serving(fixture);
}

/* A stand-in agent that answers with the request headers it saw. */
static void header_probe(struct http_request *request, void *context)
{
    const char *authorization = http_request_header(request, "Authorization");
    const char *version = http_request_header(request, "A2A-Version");
    const char *content_type = http_request_header(request, "Content-Type");
    size_t length = 0;
    const char *body = http_request_body(request, &length);
    json_t *parsed = json_loadb(body, length, 0, NULL);
    json_t *reply = json_pack(
        "{s:s, s:O, s:{s:s, s:s, s:s}}", "jsonrpc", "2.0", "id", json_object_get(parsed, "id"),
        "result", "authorization", authorization != NULL ? authorization : "", "version",
        version != NULL ? version : "", "contentType", content_type != NULL ? content_type : "");
    char *text = json_dumps(reply, JSON_COMPACT);
    http_respond(request, 200, "application/json", text, strlen(text));
    json_decref(parsed);
    json_decref(reply);
    assay_free(text);
}

static void client_sends_version_and_bearer_token(void **state)
{
    struct fixture *fixture = *state;
    struct http_server *probe = NULL;
    assert_int_equal(http_server_new(NULL, &probe), ASSAY_OK);
    assert_int_equal(http_server_route(probe, "POST", "/", header_probe, NULL), ASSAY_OK);
    assert_int_equal(http_server_start(probe), ASSAY_OK);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", http_server_port(probe));
    struct a2a_client_options options = {.http = fixture->http, .bearer_token = "sekret"};
    struct a2a_client *client = NULL;
    assert_int_equal(a2a_client_new(url, &options, &client), ASSAY_OK);
    json_t *result = NULL;
    assert_int_equal(a2a_client_call(client, "Probe", NULL, NULL, &result, NULL), ASSAY_OK);
    assert_string_equal(json_string_value(json_object_get(result, "authorization")),
                        "Bearer sekret");
    assert_string_equal(json_string_value(json_object_get(result, "version")), "1.0");
    assert_string_equal(json_string_value(json_object_get(result, "contentType")),
                        "application/json");
    json_decref(result);
    a2a_client_free(client);
    /* A token that would inject a header is refused. */
    options.bearer_token = "x\r\nX-Evil: 1";
    assert_int_equal(a2a_client_new(url, &options, &client), ASSAY_ERR_INVALID);
    http_server_free(probe);
}

int test_group_a2a_server(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(agent_card_is_served_and_resolved),
        cmocka_unit_test(send_blocking_completes_with_artifact),
        cmocka_unit_test(return_immediately_then_poll),
        cmocka_unit_test(stream_delivers_task_then_updates),
        cmocka_unit_test(subscribe_follows_a_running_task),
        cmocka_unit_test(cancel_running_and_finished_tasks),
        cmocka_unit_test(multi_turn_with_input_required),
        cmocka_unit_test(list_tasks_filters_and_pages),
        cmocka_unit_test(protocol_errors),
        cmocka_unit_test(hostile_input_keeps_the_server_serving),
        cmocka_unit_test(disconnects_and_slow_readers),
        cmocka_unit_test(turns_that_fail),
        cmocka_unit_test(concurrent_blocking_sends),
        cmocka_unit_test(shutdown_with_turns_in_flight),
        cmocka_unit_test(echo_agent_behaviour),
        cmocka_unit_test(client_reports_transport_errors),
        cmocka_unit_test(client_sends_version_and_bearer_token),
        cmocka_unit_test(allocation_failures_are_survived),
    };
    return cmocka_run_group_tests_name("a2a_server", tests, setup, teardown);
}
