/* llm.c — the llm baseline: a tool-calling agent for any OpenAI-compatible
 * chat-completions endpoint (agents.h has the contract, docs/agents.md the
 * behaviour).
 *
 * One turn: parse the judge's message, connect to the MCP endpoint, list its
 * tools and offer them as function tools, then loop: POST the conversation,
 * run every tool call of the reply through MCP (one step each) and append
 * the results as {role: "tool"} messages, until the model calls `answer`,
 * replies with text only, or a budget is used up.
 *
 * Costs and limits: the whole conversation is re-sent on every request (the
 * wire format is stateless), so a long episode costs O(steps^2) bytes; tool
 * results are cut to AGENT_LLM_MAX_RESULT_BYTES to keep that bounded. Each
 * turn has its own HTTP client (one thread), so turns share nothing but the
 * read-only configuration. Cancellation is noticed between requests and
 * during retry back-off, not during one request (which is bounded by the
 * request timeout and the time budget). */
#include "agents/agents.h"
#include "agents/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "a2a/model.h"
#include "http/client.h"
#include "jsonrpc/json_strict.h"

#define AGENT_LLM_MAX_RESULT_BYTES   16384
#define AGENT_LLM_MAX_RESPONSE_BYTES (8u << 20)
#define AGENT_LLM_JSON_DEPTH         64

int agent_llm_config_load(const char *url, const char *model, const char *key,
                          struct agent_llm_config *out, struct assay_error *error)
{
    memset(out, 0, sizeof *out);
    if (url == NULL || url[0] == '\0')
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "ASSAY_LLM_URL is not set: give the base URL of an "
                               "OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000");
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "ASSAY_LLM_URL must start with http:// or https://");
    if (model == NULL || model[0] == '\0')
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "ASSAY_LLM_MODEL is not set: name the model to ask");
    if (strpbrk(url, "\r\n") != NULL || strpbrk(model, "\r\n") != NULL)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "ASSAY_LLM_URL and ASSAY_LLM_MODEL must be one line each");
    if (key != NULL && strpbrk(key, "\r\n") != NULL)
        return assay_error_set(error, ASSAY_ERR_INVALID, "ASSAY_LLM_KEY must be one line");
    out->url = url;
    out->model = model;
    out->key = key != NULL && key[0] != '\0' ? key : NULL;
    return ASSAY_OK;
}

/* ---- one episode's conversation ----------------------------------------------- */

struct conversation {
    const struct agent_llm_config *config;
    struct agent_episode *episode;
    struct http_client *http;
    char endpoint[2048];
    char *authorization; /* "Authorization: Bearer <key>" or NULL; never logged */
    json_t *messages;
    json_t *tools;     /* function tools */
    json_t *mcp_tools; /* from tools/list */
    long input_tokens, output_tokens;
    long requests;
};

static long setting(long value, long fallback)
{
    return value > 0 ? value : fallback;
}

static long remaining_ms(const struct agent_episode *episode)
{
    int64_t left = episode->deadline_ms - a2a_now_ms();
    return left > 0 ? (long)left : 0;
}

static int time_used_up(const struct agent_episode *episode, struct assay_error *error)
{
    return assay_error_set(error, ASSAY_ERR_TIMEOUT,
                           "the time budget of %g s is used up after %ld steps",
                           episode->request->seconds, episode->steps_used);
}

/* Sleeps `milliseconds` in short slices, so a cancel cuts the back-off
 * short; never past the deadline (the caller's next check then reports
 * the time budget). */
static int back_off(struct conversation *conversation, long milliseconds, struct assay_error *error)
{
    struct agent_episode *episode = conversation->episode;
    if (milliseconds > remaining_ms(episode))
        milliseconds = remaining_ms(episode);
    while (milliseconds > 0) {
        if (episode->execution != NULL && a2a_execution_cancel_requested(episode->execution))
            return assay_error_set(error, ASSAY_ERR_CANCELED, "the task was canceled");
        long slice = milliseconds < 50 ? milliseconds : 50;
        nanosleep(&(struct timespec){.tv_sec = slice / 1000, .tv_nsec = (slice % 1000) * 1000000L},
                  NULL);
        milliseconds -= slice;
    }
    return ASSAY_OK;
}

/* The start of an error body for a reason sentence: printable ASCII only,
 * so that a cut (or a hostile server) cannot make the reason invalid UTF-8. */
static void body_excerpt(const struct buffer *body, char *out, size_t size)
{
    size_t length = 0;
    for (size_t index = 0; body->data != NULL && index < body->length && length + 1 < size;
         index++) {
        unsigned char byte = (unsigned char)body->data[index];
        out[length++] = byte >= 0x20 && byte < 0x7F ? (char)byte : ' ';
    }
    out[length] = '\0';
}

static int retryable(const struct http_client_response *response)
{
    if (response->status == ASSAY_ERR_IO)
        return 1;
    return response->status == ASSAY_OK &&
           (response->http_status == 429 || response->http_status >= 500);
}

/* The delay before retry number `attempt` (1-based): Retry-After seconds
 * when the server gave them, else exponential; both capped. */
static long retry_delay(const struct conversation *conversation,
                        const struct http_client_response *response, int attempt)
{
    long cap = setting(conversation->config->max_backoff_ms, AGENT_LLM_MAX_BACKOFF_MS);
    char value[64];
    if (http_client_response_header(response, "Retry-After", value, sizeof value)) {
        char *end = NULL;
        double seconds = strtod(value, &end);
        if (end != value && seconds >= 0)
            return seconds * 1000.0 < (double)cap ? (long)(seconds * 1000.0) : cap;
    }
    long delay = setting(conversation->config->backoff_ms, AGENT_LLM_BACKOFF_MS);
    for (int index = 1; index < attempt && delay < cap; index++)
        delay *= 2;
    return delay < cap ? delay : cap;
}

/* POSTs the conversation; *reply gets choices[0].message (a new reference).
 * Retries 429, 5xx and I/O errors; fails on anything else. */
static int chat(struct conversation *conversation, json_t **reply, struct assay_error *error)
{
    struct agent_episode *episode = conversation->episode;
    *reply = NULL;
    json_t *body_json =
        json_pack("{s:s, s:O, s:O, s:s}", "model", conversation->config->model, "messages",
                  conversation->messages, "tools", conversation->tools, "tool_choice", "auto");
    struct buffer body = {0};
    if (body_json == NULL || json_strict_dump(body_json, &body) != ASSAY_OK) {
        json_decref(body_json);
        buffer_free(&body);
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    }
    json_decref(body_json);
    const char *headers[3] = {"Content-Type: application/json", conversation->authorization, NULL};
    int attempts = (int)setting(conversation->config->max_attempts, AGENT_LLM_MAX_ATTEMPTS);
    int status = ASSAY_OK;
    for (int attempt = 1;; attempt++) {
        if (episode->execution != NULL && a2a_execution_cancel_requested(episode->execution)) {
            status = assay_error_set(error, ASSAY_ERR_CANCELED, "the task was canceled");
            break;
        }
        long timeout = remaining_ms(episode);
        if (timeout == 0) {
            status = time_used_up(episode, error);
            break;
        }
        long limit =
            setting(conversation->config->request_timeout_ms, AGENT_LLM_REQUEST_TIMEOUT_MS);
        struct http_client_request request = {
            .method = "POST",
            .url = conversation->endpoint,
            .headers = headers,
            .body = body.data,
            .body_length = body.length,
            .timeout_ms = timeout < limit ? timeout : limit,
            .max_response_bytes = AGENT_LLM_MAX_RESPONSE_BYTES,
        };
        struct http_client_response response = {0};
        http_client_fetch(conversation->http, &request, &response);
        conversation->requests++;
        if (response.status == ASSAY_OK && response.http_status >= 200 &&
            response.http_status < 300) {
            struct assay_error cause = {0};
            json_t *parsed = json_strict_parse(response.body.data ? response.body.data : "",
                                               response.body.length, AGENT_LLM_JSON_DEPTH, &cause);
            http_client_response_free(&response);
            if (parsed == NULL) {
                status =
                    assay_error_set(error, ASSAY_ERR_PROTOCOL,
                                    "the model endpoint's response is not JSON: %s", cause.message);
                break;
            }
            const json_t *usage = json_object_get(parsed, "usage");
            conversation->input_tokens +=
                (long)json_integer_value(json_object_get(usage, "prompt_tokens"));
            conversation->output_tokens +=
                (long)json_integer_value(json_object_get(usage, "completion_tokens"));
            json_t *message =
                json_object_get(json_array_get(json_object_get(parsed, "choices"), 0), "message");
            const json_t *calls = json_object_get(message, "tool_calls");
            const json_t *content = json_object_get(message, "content");
            if (!json_is_object(message) ||
                (calls != NULL && !json_is_array(calls) && !json_is_null(calls)) ||
                (content != NULL && !json_is_string(content) && !json_is_null(content))) {
                json_decref(parsed);
                status = assay_error_set(error, ASSAY_ERR_PROTOCOL,
                                         "the model endpoint's response has no valid "
                                         "choices[0].message");
                break;
            }
            *reply = json_incref(message);
            json_decref(parsed);
            break;
        }
        if (response.status == ASSAY_ERR_TIMEOUT) {
            http_client_response_free(&response);
            status = remaining_ms(episode) == 0
                         ? time_used_up(episode, error)
                         : assay_error_set(error, ASSAY_ERR_TIMEOUT,
                                           "the model endpoint did not answer within %ld ms",
                                           request.timeout_ms);
            break;
        }
        if (!retryable(&response) || attempt >= attempts) {
            char excerpt[121];
            body_excerpt(&response.body, excerpt, sizeof excerpt);
            if (response.status != ASSAY_OK)
                status = assay_error_set(error, ASSAY_ERR_IO,
                                         "the model endpoint failed after %d attempt%s: %s",
                                         attempt, attempt == 1 ? "" : "s", response.error_message);
            else
                status = assay_error_set(error, ASSAY_ERR_HTTP,
                                         "the model endpoint answered HTTP %ld after %d "
                                         "attempt%s: %s",
                                         response.http_status, attempt, attempt == 1 ? "" : "s",
                                         excerpt);
            http_client_response_free(&response);
            break;
        }
        long delay = retry_delay(conversation, &response, attempt);
        http_client_response_free(&response);
        status = back_off(conversation, delay, error);
        if (status != ASSAY_OK)
            break;
    }
    buffer_free(&body);
    return status;
}

/* MCP tools → chat-completions function tools. */
static json_t *function_tools(const json_t *mcp_tools)
{
    json_t *tools = json_array();
    size_t index;
    const json_t *tool;
    json_array_foreach(mcp_tools, index, tool)
    {
        const char *name = json_string_value(json_object_get(tool, "name"));
        if (name == NULL)
            continue;
        const char *description = json_string_value(json_object_get(tool, "description"));
        json_t *schema = json_object_get(tool, "inputSchema");
        json_t *parameters = json_is_object(schema)
                                 ? json_incref(schema)
                                 : json_pack("{s:s, s:{}}", "type", "object", "properties");
        json_t *function = json_pack(
            "{s:s, s:{s:s, s:s, s:o}}", "type", "function", "function", "name", name, "description",
            description != NULL ? description : "", "parameters", parameters);
        if (function == NULL || json_array_append_new(tools, function) != 0) {
            json_decref(tools);
            return NULL;
        }
    }
    return tools;
}

static int offers(const json_t *mcp_tools, const char *name)
{
    size_t index;
    const json_t *tool;
    json_array_foreach(mcp_tools, index, tool)
    {
        const char *offered = json_string_value(json_object_get(tool, "name"));
        if (offered != NULL && strcmp(offered, name) == 0)
            return 1;
    }
    return 0;
}

static int append_tool_message(struct conversation *conversation, const char *call_id,
                               const char *text)
{
    json_t *message = json_pack("{s:s, s:s, s:s}", "role", "tool", "tool_call_id",
                                call_id != NULL ? call_id : "", "content", text);
    if (message == NULL || json_array_append_new(conversation->messages, message) != 0)
        return ASSAY_ERR_NOMEM;
    return ASSAY_OK;
}

/* A tool call the agent could not pass on (unknown tool, bad arguments):
 * one step, recorded with isError, and the model is told why. */
static int refuse_call(struct conversation *conversation, const char *call_id, const char *tool,
                       const char *reason, struct assay_error *error)
{
    struct agent_episode *episode = conversation->episode;
    if (episode->steps_used >= episode->request->steps)
        return assay_error_set(error, ASSAY_ERR_LIMIT, "the step budget of %ld steps is used up",
                               episode->request->steps);
    episode->steps_used++;
    json_t *call = json_pack("{s:s, s:n, s:b, s:s}", "tool", tool != NULL ? tool : "", "arguments",
                             "isError", 1, "rejected", reason);
    if (call == NULL || json_array_append_new(episode->calls, call) != 0 ||
        append_tool_message(conversation, call_id, reason) != ASSAY_OK)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    return ASSAY_OK;
}

/* Runs one tool call of the model's; *answered is 1 once `answer` went
 * through. */
static int run_tool_call(struct conversation *conversation, const json_t *tool_call,
                         struct buffer *text, int *answered, struct assay_error *error)
{
    const char *call_id = json_string_value(json_object_get(tool_call, "id"));
    const json_t *function = json_object_get(tool_call, "function");
    const char *name = json_string_value(json_object_get(function, "name"));
    const json_t *raw = json_object_get(function, "arguments");
    char reason[300];
    if (name == NULL || !offers(conversation->mcp_tools, name)) {
        snprintf(reason, sizeof reason,
                 "error: there is no tool named '%.80s'; use one of the tools offered",
                 name != NULL ? name : "");
        return refuse_call(conversation, call_id, name, reason, error);
    }
    json_t *arguments = NULL;
    if (json_is_string(raw)) {
        const char *value = json_string_value(raw);
        arguments = value[0] == '\0' ? json_object()
                                     : json_strict_parse(value, json_string_length(raw),
                                                         AGENT_LLM_JSON_DEPTH, NULL);
    } else if (json_is_object(raw)) {
        arguments = json_incref((json_t *)raw); /* some servers send an object */
    }
    if (!json_is_object(arguments)) {
        json_decref(arguments);
        snprintf(reason, sizeof reason,
                 "error: the arguments of %.80s are not a JSON object; send them as a "
                 "JSON object string, e.g. {\"name\": \"value\"}",
                 name);
        return refuse_call(conversation, call_id, name, reason, error);
    }
    int refused = 0;
    int status = agent__episode_call(conversation->episode, name, arguments, text, &refused, error);
    if (status != ASSAY_OK)
        return status;
    if (text->length > AGENT_LLM_MAX_RESULT_BYTES) {
        size_t cut = AGENT_LLM_MAX_RESULT_BYTES;
        while (cut > 0 && ((unsigned char)text->data[cut] & 0xC0) == 0x80)
            cut--; /* never split a UTF-8 sequence: JSON strings must stay valid */
        text->length = cut;
        text->data[cut] = '\0';
        buffer_append_string(text, "\n[cut]");
    }
    if (refused) {
        struct buffer prefixed = {0};
        buffer_append_format(&prefixed, "error: %s", text->data != NULL ? text->data : "");
        status = append_tool_message(conversation, call_id, prefixed.data ? prefixed.data : "");
        buffer_free(&prefixed);
    } else {
        status = append_tool_message(conversation, call_id, text->data != NULL ? text->data : "");
    }
    if (status != ASSAY_OK)
        return assay_error_set(error, status, "out of memory");
    if (!refused && strcmp(name, "answer") == 0)
        *answered = 1;
    return ASSAY_OK;
}

/* The model replied with text and no tool call: that text is its answer. */
static int answer_with_text(struct conversation *conversation, const char *content,
                            struct buffer *text, struct assay_error *error)
{
    if (!offers(conversation->mcp_tools, "answer"))
        return ASSAY_OK;
    int refused = 0;
    return agent__episode_call(conversation->episode, "answer",
                               json_pack("{s:s}", "text", content != NULL ? content : ""), text,
                               &refused, error);
}

static int play(struct conversation *conversation, struct buffer *summary,
                struct assay_error *error)
{
    struct agent_episode *episode = conversation->episode;
    struct buffer text = {0};
    int status = agent__episode_list_tools(episode, &conversation->mcp_tools, error);
    if (status != ASSAY_OK)
        return status;
    conversation->tools = function_tools(conversation->mcp_tools);
    struct buffer system = {0};
    buffer_append_format(&system,
                         "You are an agent solving a task in an environment that you can reach "
                         "only through the tools you are given. Task: %s\n"
                         "Use the tools to act and to observe the results. When you are done, "
                         "call the `answer` tool once with your final answer. Tool arguments "
                         "must be a JSON object. You have at most %ld tool calls.",
                         episode->request->instruction, episode->request->steps);
    conversation->messages = json_pack("[{s:s, s:s}, {s:s, s:s}]", "role", "system", "content",
                                       system.data != NULL ? system.data : "", "role", "user",
                                       "content", episode->request->instruction);
    buffer_free(&system);
    if (conversation->tools == NULL || conversation->messages == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");

    const char *ending = NULL;
    while (ending == NULL) {
        json_t *reply = NULL;
        status = chat(conversation, &reply, error);
        if (status != ASSAY_OK)
            break;
        /* The assistant turn goes back as it came, minus anything but the
         * members the wire format defines. */
        json_t *assistant = json_pack("{s:s, s:O?}", "role", "assistant", "content",
                                      json_object_get(reply, "content"));
        const json_t *tool_calls = json_object_get(reply, "tool_calls");
        if (json_array_size(tool_calls) > 0 && assistant != NULL)
            json_object_set(assistant, "tool_calls", (json_t *)tool_calls);
        if (assistant == NULL || json_array_append_new(conversation->messages, assistant) != 0) {
            json_decref(reply);
            status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
            break;
        }
        if (json_array_size(tool_calls) == 0) {
            status = answer_with_text(
                conversation, json_string_value(json_object_get(reply, "content")), &text, error);
            json_decref(reply);
            ending = "replied with text, sent as the answer";
            break;
        }
        int answered = 0;
        size_t index;
        const json_t *tool_call;
        json_array_foreach(tool_calls, index, tool_call)
        {
            status = run_tool_call(conversation, tool_call, &text, &answered, error);
            if (status != ASSAY_OK || answered)
                break;
        }
        json_decref(reply);
        if (status != ASSAY_OK)
            break;
        if (answered)
            ending = "answered";
    }
    buffer_free(&text);
    if (status != ASSAY_OK)
        return status;
    return buffer_append_format(summary, "llm: %s in %ld steps and %ld requests", ending,
                                episode->steps_used, conversation->requests);
}

/* ---- the executor ----------------------------------------------------------------- */

/* The machine part of the artifact: the model, usage and every call. */
static json_t *episode_data(const struct conversation *conversation, const struct agent_request *request)
{
    const struct agent_episode *episode = conversation->episode;
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:O}", "agent", "llm", "task", request->task_id, "model",
                     conversation->config->model, "steps", (json_int_t)episode->steps_used, "requests",
                     (json_int_t)conversation->requests, "input_tokens", (json_int_t)conversation->input_tokens,
                     "output_tokens", (json_int_t)conversation->output_tokens, "calls", episode->calls);
}

static void llm_execute(struct a2a_execution *execution, void *context)
{
    const struct agent_llm_config *config = context;
    struct agent_request request;
    if (!agent__turn_begin(execution, 0, &request))
        return;
    struct assay_error error = {0};

    struct agent_episode episode;
    struct conversation conversation = {.config = config, .episode = &episode};
    struct buffer summary = {0};
    struct buffer authorization = {0};
    int length = snprintf(conversation.endpoint, sizeof conversation.endpoint, "%s", config->url);
    while (length > 0 && conversation.endpoint[length - 1] == '/')
        conversation.endpoint[--length] = '\0';
    int status = length > 0 && (size_t)length + 20 < sizeof conversation.endpoint
                     ? ASSAY_OK
                     : assay_error_set(&error, ASSAY_ERR_INVALID, "ASSAY_LLM_URL is too long");
    if (status == ASSAY_OK) {
        snprintf(conversation.endpoint + length, sizeof conversation.endpoint - (size_t)length,
                 "/v1/chat/completions");
        if (config->key != NULL) {
            buffer_append_format(&authorization, "Authorization: Bearer %s", config->key);
            conversation.authorization = authorization.data;
        }
        status = agent__episode_open(&episode, execution, &request, &error);
    } else {
        memset(&episode, 0, sizeof episode);
    }
    if (status == ASSAY_OK && http_client_new(&conversation.http) != ASSAY_OK)
        status = assay_error_set(&error, ASSAY_ERR_NOMEM, "cannot start the HTTP client");
    if (status == ASSAY_OK)
        status = play(&conversation, &summary, &error);
    if (status == ASSAY_ERR_CANCELED) {
        /* The task is already TASK_STATE_CANCELED; nothing to publish. */
    } else if (status == ASSAY_OK) {
        agent__publish_episode(execution, summary.data != NULL ? summary.data : "",
                               episode_data(&conversation, &request));
        a2a_execution_set_status(execution, A2A_TASK_STATE_COMPLETED, NULL);
    } else {
        if (episode.calls != NULL &&
            (json_array_size(episode.calls) > 0 || conversation.requests > 0))
            agent__publish_episode(execution, error.message, episode_data(&conversation, &request));
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_FAILED, error.message);
    }
    http_client_free(conversation.http);
    json_decref(conversation.messages);
    json_decref(conversation.tools);
    json_decref(conversation.mcp_tools);
    buffer_free(&summary);
    buffer_free(&authorization);
    agent__episode_close(&episode);
}

struct a2a_executor agent_llm_executor(const struct agent_llm_config *config)
{
    /* No runs_inline: every turn waits on the model and the environment. */
    struct a2a_executor executor = {.execute = llm_execute, .context = (void *)config};
    return executor;
}
