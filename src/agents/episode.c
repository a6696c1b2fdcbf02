/* episode.c — one episode's MCP connection, with the step and time budgets
 * enforced on the agent's side (the environment may enforce its own too).
 *
 * Every MCP request gets the time that is left as its timeout, so a hung
 * environment costs at most the time budget. Cancellation of the A2A task is
 * noticed between calls, not during one: environment steps take
 * microseconds, and a call never waits longer than the time budget. */
#include "agents/internal.h"

#include <stdio.h>
#include <string.h>

#include "a2a/model.h"

#define CONNECT_TIMEOUT_MS 10000

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

int agent__episode_open(struct agent_episode *episode, struct a2a_execution *execution,
                        const struct agent_request *request, struct assay_error *error)
{
    memset(episode, 0, sizeof *episode);
    episode->execution = execution;
    episode->request = request;
    episode->deadline_ms = a2a_now_ms() + (int64_t)(request->seconds * 1000.0);
    episode->calls = json_array();
    if (episode->calls == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");

    char authorization[1024];
    const char *headers[2] = {NULL, NULL};
    if (request->token != NULL) {
        int length = snprintf(authorization, sizeof authorization, "Authorization: Bearer %s",
                              request->token);
        if (length < 0 || (size_t)length >= sizeof authorization)
            return assay_error_set(error, ASSAY_ERR_INVALID, "assay.mcp.token is too long");
        headers[0] = authorization;
    }
    long timeout = remaining_ms(episode);
    if (timeout > CONNECT_TIMEOUT_MS)
        timeout = CONNECT_TIMEOUT_MS;
    struct mcp_client_options options = {
        .url = request->mcp_url,
        .headers = headers,
        .client_name = "assay-baseline-agent",
        .timeout_ms = timeout > 0 ? timeout : 1,
        .no_get_stream = 1, /* the agent needs no unsolicited messages */
    };
    struct assay_error cause = {0};
    int status = mcp_client_connect(&options, &episode->client, &cause);
    if (status != ASSAY_OK)
        return assay_error_set(error, status, "cannot reach the MCP endpoint %s: %s",
                               request->mcp_url, cause.message);
    return ASSAY_OK;
}

void agent__episode_close(struct agent_episode *episode)
{
    if (episode == NULL)
        return;
    mcp_client_close(episode->client);
    episode->client = NULL;
    json_decref(episode->calls);
    episode->calls = NULL;
}

int agent__episode_list_tools(struct agent_episode *episode, json_t **tools,
                              struct assay_error *error)
{
    if (remaining_ms(episode) == 0)
        return time_used_up(episode, error);
    struct assay_error cause = {0};
    int status = mcp_client_list_tools(episode->client, tools, &cause);
    if (status == ASSAY_ERR_TIMEOUT)
        return time_used_up(episode, error);
    if (status != ASSAY_OK)
        return assay_error_set(error, status, "tools/list failed: %s", cause.message);
    return ASSAY_OK;
}

static void collect_text(const json_t *result, struct buffer *text)
{
    size_t index;
    const json_t *block;
    json_array_foreach(json_object_get(result, "content"), index, block)
    {
        const char *value = json_string_value(json_object_get(block, "text"));
        if (value == NULL)
            continue;
        if (text->length > 0)
            buffer_append_string(text, "\n");
        buffer_append_string(text, value);
    }
}

int agent__episode_call(struct agent_episode *episode, const char *tool, json_t *arguments,
                        struct buffer *text, int *refused, struct assay_error *error)
{
    buffer_reset(text);
    *refused = 0;
    if (episode->execution != NULL && a2a_execution_cancel_requested(episode->execution)) {
        json_decref(arguments);
        return assay_error_set(error, ASSAY_ERR_CANCELED, "the task was canceled");
    }
    if (episode->steps_used >= episode->request->steps) {
        json_decref(arguments);
        return assay_error_set(error, ASSAY_ERR_LIMIT, "the step budget of %ld steps is used up",
                               episode->request->steps);
    }
    long timeout = remaining_ms(episode);
    if (timeout == 0) {
        json_decref(arguments);
        return time_used_up(episode, error);
    }
    if (arguments == NULL)
        arguments = json_object();
    json_t *call = json_pack("{s:s, s:O}", "tool", tool, "arguments", arguments);
    if (call == NULL || json_array_append_new(episode->calls, call) != 0) {
        json_decref(arguments);
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    }
    episode->steps_used++;
    struct mcp_request_options options = {.timeout_ms = timeout};
    json_t *result = NULL;
    struct assay_error cause = {0};
    int status = mcp_client_call_tool(episode->client, tool, arguments, &options, &result, &cause);
    if (status == ASSAY_ERR_TIMEOUT) {
        json_decref(result);
        return time_used_up(episode, error);
    }
    if (status != ASSAY_OK) {
        json_decref(result);
        return assay_error_set(error, status, "the tool call %s failed: %s", tool, cause.message);
    }
    *refused = json_is_true(json_object_get(result, "isError"));
    json_object_set_new(call, "isError", json_boolean(*refused));
    collect_text(result, text);
    json_decref(result);
    return ASSAY_OK;
}
