/* judge.c — environments per task and one episode at a time. */
#include "runner/judge.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "a2a/client.h"
#include "core/memory.h"
#include "environment/task_server.h"
#include "mcp/http_transport.h"

/* The scripted user: what it answers an agent that asks for input, and how
 * many times. Built-in tasks put every fact in the instruction, so the
 * honest answer is to go on with it. */
#define SCRIPTED_USER_TURNS 3
#define SCRIPTED_USER_REPLY "I have no more to add: everything you need is in the task. Please finish it."

struct served_task {
    const struct task *task;
    struct task_server *server;
    struct mcp_http_transport *transport;
    char url[96];
};

struct judge {
    const struct package *package;
    json_t *world;
    pthread_mutex_t lock;
    struct served_task *served; /* one slot per package task, started lazily */
};

int judge_new(const struct package *package, struct judge **out, struct assay_error *error)
{
    *out = NULL;
    struct judge *judge = assay_calloc(1, sizeof *judge);
    if (judge == NULL)
        return ASSAY_ERR_NOMEM;
    judge->package = package;
    judge->served = assay_calloc(package->task_count + 1, sizeof *judge->served);
    judge->world = task_server_load_world(package, error);
    pthread_mutex_init(&judge->lock, NULL);
    if (judge->served == NULL || judge->world == NULL) {
        judge_free(judge);
        return error != NULL && error->status != 0 ? error->status : ASSAY_ERR_NOMEM;
    }
    *out = judge;
    return ASSAY_OK;
}

void judge_free(struct judge *judge)
{
    if (judge == NULL)
        return;
    for (size_t index = 0; judge->served != NULL && index < judge->package->task_count; index++) {
        mcp_http_transport_free(judge->served[index].transport);
        task_server_free(judge->served[index].server);
    }
    assay_free(judge->served);
    json_decref(judge->world);
    pthread_mutex_destroy(&judge->lock);
    assay_free(judge);
}

int judge_error_counts_against_agent(const char *error_class)
{
    return strcmp(error_class, "environment_crashed") != 0 && strcmp(error_class, "runner_interrupted") != 0 &&
           strcmp(error_class, "store_error") != 0;
}

/* The served environment of a task, started on first use. */
/* Drops a UTF-8 sequence cut short at the end of `text` (snprintf's %.Ns
 * counts bytes, and the reason quotes the agent's answer). */
static void utf8_cut_incomplete(char *text)
{
    size_t length = strlen(text), start = length;
    while (start > 0 && length - start < 4 && ((unsigned char)text[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)text[start - 1];
    size_t expected = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (expected > 1 && length - (start - 1) < expected)
        text[start - 1] = '\0';
}

static struct served_task *serve(struct judge *judge, const struct task *task, struct assay_error *error)
{
    size_t index = (size_t)(task - judge->package->tasks);
    pthread_mutex_lock(&judge->lock);
    struct served_task *served = &judge->served[index];
    if (served->server == NULL) {
        struct task_server_options options = {.require_token = 1};
        struct mcp_http_options http = {.port = 0, .max_streams_per_client = 4096};
        if (task_server_new(judge->package, task, judge->world, &options, &served->server, error) != ASSAY_OK ||
            mcp_http_transport_start(task_server_subject(served->server), &http, &served->transport) != ASSAY_OK) {
            task_server_free(served->server);
            served->server = NULL;
            pthread_mutex_unlock(&judge->lock);
            if (error != NULL && error->message[0] == '\0')
                assay_error_set(error, ASSAY_ERR_IO, "cannot serve task %s", task->id);
            return NULL;
        }
        served->task = task;
        snprintf(served->url, sizeof served->url, "http://127.0.0.1:%u/mcp",
                 mcp_http_transport_port(served->transport));
    }
    pthread_mutex_unlock(&judge->lock);
    return served;
}

/* Fault injection for tests: ASSAY_INJECT_ENVIRONMENT_FAILURES=N makes the
 * next N environment resets fail as if the environment had crashed, so the
 * retry and the reporting of infrastructure failures can be tested from the
 * outside. Unset (always, in real use), it costs one relaxed load. */
static atomic_long injected_failures = -1;

static int environment_fault_injected(void)
{
    long remaining = atomic_load_explicit(&injected_failures, memory_order_relaxed);
    if (remaining == -1) {
        const char *value = getenv("ASSAY_INJECT_ENVIRONMENT_FAILURES");
        long wanted = value != NULL ? strtol(value, NULL, 10) : 0;
        long expected = -1;
        atomic_compare_exchange_strong(&injected_failures, &expected, wanted > 0 ? wanted : 0);
        remaining = atomic_load(&injected_failures);
    }
    while (remaining > 0) {
        if (atomic_compare_exchange_weak(&injected_failures, &remaining, remaining - 1))
            return 1;
    }
    return 0;
}

static void random_token(char out[33])
{
    unsigned char bytes[16] = {0};
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        for (size_t index = 0; index < sizeof bytes; index++)
            bytes[index] = (unsigned char)(index * 37u + (unsigned)clock());
    for (size_t index = 0; index < sizeof bytes; index++)
        snprintf(out + index * 2, 3, "%02x", bytes[index]);
}

static double elapsed_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static json_t *subject_message(const struct judge_episode *episode, const struct served_task *served,
                               const char *token, double seconds, long steps)
{
    char message_id[33];
    random_token(message_id);
    json_t *assay = json_pack("{s:i, s:s, s:{s:s, s:s}, s:{s:I, s:f}}", "version", 1, "task", episode->task->id,
                              "mcp", "url", served->url, "token", token, "budgets", "steps", (json_int_t)steps,
                              "seconds", seconds);
    if (assay != NULL && episode->privileged && episode->task->reference != NULL)
        json_object_set(assay, "reference", episode->task->reference);
    return json_pack("{s:s, s:s, s:[{s:s}, {s:{s:o}}]}", "messageId", message_id, "role", "ROLE_USER", "parts",
                     "text", episode->task->instruction, "data", "assay", assay);
}

void judge_outcome_release(struct judge_outcome *outcome)
{
    json_decref(outcome->verdict);
    json_decref(outcome->request);
    json_decref(outcome->reply);
    json_decref(outcome->tool_calls);
    json_decref(outcome->proxied);
    outcome->verdict = outcome->request = outcome->reply = outcome->tool_calls = outcome->proxied = NULL;
}

static long long wall_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int judge_play(struct judge *judge, struct a2a_client *subject, const struct judge_episode *episode,
               struct judge_outcome *outcome)
{
    memset(outcome, 0, sizeof *outcome);
    outcome->input_tokens = outcome->output_tokens = -1;
    outcome->started_at_ms = wall_ms();
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    struct assay_error error = {0};
    struct served_task *served = serve(judge, episode->task, &error);
    char *token = outcome->token, key[48];
    random_token(token);
    snprintf(key, sizeof key, "token:%s", token);
    if (served != NULL && environment_fault_injected())
        assay_error_set(&error, ASSAY_ERR_IO, "injected environment failure (ASSAY_INJECT_ENVIRONMENT_FAILURES)");
    else if (served != NULL)
        task_server_reset(served->server, key, episode->seed, &error);
    if (served == NULL || error.status != ASSAY_OK) {
        snprintf(outcome->error_class, sizeof outcome->error_class, "environment_crashed");
        snprintf(outcome->error_message, sizeof outcome->error_message, "%s", error.message);
        return ASSAY_OK;
    }
    double seconds = episode->budget_seconds > 0 ? episode->budget_seconds
                     : episode->task->budget_seconds > 0 ? episode->task->budget_seconds
                                                        : 300;
    long steps = episode->budget_steps > 0 ? episode->budget_steps : episode->task->budget_steps;
    json_t *message = subject_message(episode, served, token, seconds, steps);
    if (message != NULL) {
        /* keep a copy for the trace, with the credential taken out */
        outcome->request = json_deep_copy(message);
        json_t *mcp = json_object_get(json_object_get(
                                          json_object_get(json_array_get(json_object_get(outcome->request, "parts"), 1),
                                                          "data"),
                                          "assay"),
                                      "mcp");
        json_object_set_new(mcp, "token", json_string("(redacted)"));
    }
    struct a2a_send_options send = {.return_immediately = 0, .history_length = 0};
    struct a2a_call_options call = {.timeout_ms = (long)(seconds * 1000) + 5000};
    struct a2a_client_error send_error = {0};
    json_t *result = NULL;
    int status = message != NULL ? a2a_client_send(subject, message, &send, &call, &result, &send_error)
                                 : ASSAY_ERR_NOMEM;
    json_decref(message); /* the A2A client borrows its arguments */
    const char *state = json_string_value(json_object_get(json_object_get(json_object_get(result, "task"),
                                                                          "status"), "state"));
    /* A blocking send may still come back unfinished (an agent that answers
     * early, or stays WORKING): follow the task until it ends or the time
     * budget runs out. An agent that asks for input gets the scripted user's
     * answer (at most SCRIPTED_USER_TURNS times): the task's facts are all in
     * the instruction, so the user says so. */
    const char *task_id = json_string_value(json_object_get(json_object_get(result, "task"), "id"));
    int user_turns = 0;
    while (status == ASSAY_OK && state != NULL && task_id != NULL && strcmp(state, "TASK_STATE_INPUT_REQUIRED") == 0 &&
           user_turns < SCRIPTED_USER_TURNS && elapsed_since(&start) < seconds) {
        user_turns++;
        const char *context_id = json_string_value(json_object_get(json_object_get(result, "task"), "contextId"));
        char message_id[33];
        random_token(message_id);
        json_t *follow_up = json_pack("{s:s, s:s, s:s, s:s?, s:[{s:s}]}", "messageId", message_id, "role",
                                      "ROLE_USER", "taskId", task_id, "contextId", context_id, "parts", "text",
                                      SCRIPTED_USER_REPLY);
        json_t *next = NULL;
        status = follow_up != NULL ? a2a_client_send(subject, follow_up, &send, &call, &next, &send_error)
                                   : ASSAY_ERR_NOMEM;
        json_decref(follow_up);
        if (status != ASSAY_OK)
            break;
        json_decref(result);
        result = next;
        state = json_string_value(json_object_get(json_object_get(json_object_get(result, "task"), "status"), "state"));
        task_id = json_string_value(json_object_get(json_object_get(result, "task"), "id"));
    }
    while (status == ASSAY_OK && state != NULL && task_id != NULL &&
           (strcmp(state, "TASK_STATE_SUBMITTED") == 0 || strcmp(state, "TASK_STATE_WORKING") == 0)) {
        if (elapsed_since(&start) > seconds) {
            status = ASSAY_ERR_TIMEOUT;
            break;
        }
        usleep(100000);
        json_t *task = NULL;
        struct a2a_call_options poll_call = {.timeout_ms = 5000};
        if (a2a_client_get_task(subject, task_id, 0, &poll_call, &task, &send_error) != ASSAY_OK) {
            status = ASSAY_ERR_PROTOCOL;
            break;
        }
        json_t *wrapped = json_pack("{s:o}", "task", task);
        json_decref(result);
        result = wrapped;
        state = json_string_value(json_object_get(json_object_get(task, "status"), "state"));
        task_id = json_string_value(json_object_get(task, "id"));
    }
    snprintf(outcome->agent_state, sizeof outcome->agent_state, "%s", state != NULL ? state : "");
    outcome->reply = json_incref(result);
    /* token counts, when the agent reports them ({"input_tokens", "output_tokens"}
     * in a data part of an artifact, as assay's llm agent does) */
    outcome->input_tokens = outcome->output_tokens = -1;
    size_t artifact_index, part_index;
    json_t *artifact, *part;
    json_array_foreach(json_object_get(json_object_get(result, "task"), "artifacts"), artifact_index, artifact)
        json_array_foreach(json_object_get(artifact, "parts"), part_index, part)
    {
        json_t *data = json_object_get(part, "data");
        if (json_is_integer(json_object_get(data, "input_tokens")))
            outcome->input_tokens = json_integer_value(json_object_get(data, "input_tokens"));
        if (json_is_integer(json_object_get(data, "output_tokens")))
            outcome->output_tokens = json_integer_value(json_object_get(data, "output_tokens"));
    }
    if (status == ASSAY_ERR_TIMEOUT) {
        snprintf(outcome->error_class, sizeof outcome->error_class, "timed_out");
        snprintf(outcome->error_message, sizeof outcome->error_message, "no answer within %.0f s", seconds);
    } else if (status == ASSAY_ERR_IO || status == ASSAY_ERR_CANCELED) {
        snprintf(outcome->error_class, sizeof outcome->error_class, "agent_crashed");
        snprintf(outcome->error_message, sizeof outcome->error_message, "%s", send_error.message);
    } else if (status != ASSAY_OK || state == NULL) {
        snprintf(outcome->error_class, sizeof outcome->error_class, "protocol_error");
        snprintf(outcome->error_message, sizeof outcome->error_message, "%s",
                 status != ASSAY_OK ? send_error.message : "the reply carried no task state");
    } else if (strcmp(state, "TASK_STATE_COMPLETED") != 0) {
        snprintf(outcome->error_class, sizeof outcome->error_class, "gave_up");
        snprintf(outcome->error_message, sizeof outcome->error_message, "the agent ended in %s", state);
    }
    json_decref(result);

    /* Score the environment as the agent left it, whatever happened. */
    json_t *verdict = NULL;
    if (task_server_evaluate(served->server, key, &verdict, &error) != ASSAY_OK) {
        /* reset created the episode, so losing it is the environment's fault */
        snprintf(outcome->error_class, sizeof outcome->error_class, "environment_crashed");
        snprintf(outcome->error_message, sizeof outcome->error_message, "%s", error.message);
    } else {
        outcome->verdict = verdict;
        outcome->scored = 1;
        outcome->score = json_number_value(json_object_get(verdict, "score"));
        outcome->passed = json_is_true(json_object_get(verdict, "passed"));
        outcome->steps = (long)json_integer_value(json_object_get(verdict, "steps"));
        if (outcome->error_class[0] == '\0' && !outcome->passed) {
            snprintf(outcome->error_class, sizeof outcome->error_class, "wrong_answer");
            snprintf(outcome->error_message, sizeof outcome->error_message, "%.250s",
                     json_string_value(json_object_get(verdict, "reason")));
            utf8_cut_incomplete(outcome->error_message);
        }
    }
    outcome->tool_calls = task_server_trace(served->server, key);
    task_server_close(served->server, key);
    outcome->seconds = elapsed_since(&start);
    outcome->finished_at_ms = wall_ms();
    return ASSAY_OK;
}
