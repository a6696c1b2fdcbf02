/* request.c — parsing the judge's message (format in agents.h and
 * docs/agents.md). Strict about what the agent needs (task, mcp.url,
 * well-typed budgets and reference), lenient about the rest: unknown members
 * are ignored so judges can add fields without breaking older agents. */
#include "agents/agents.h"
#include "agents/internal.h"
#include "a2a/model.h"

#include <math.h>
#include <string.h>

/* The first data part carrying an "assay" object. The format puts it at
 * parts[1], but an agent that insists on a position breaks for nothing. */
static const json_t *find_assay_object(const json_t *parts)
{
    size_t index;
    const json_t *part;
    json_array_foreach(parts, index, part)
    {
        const json_t *assay = json_object_get(json_object_get(part, "data"), "assay");
        if (json_is_object(assay))
            return assay;
    }
    return NULL;
}

static int parse_budgets(const json_t *budgets, struct agent_request *out,
                         struct assay_error *error)
{
    out->steps = AGENT_DEFAULT_STEPS;
    out->seconds = AGENT_DEFAULT_SECONDS;
    if (budgets == NULL)
        return ASSAY_OK;
    if (!json_is_object(budgets))
        return assay_error_set(error, ASSAY_ERR_INVALID, "assay.budgets must be an object");
    const json_t *steps = json_object_get(budgets, "steps");
    if (steps != NULL) {
        if (!json_is_integer(steps) || json_integer_value(steps) < 0)
            return assay_error_set(error, ASSAY_ERR_INVALID,
                                   "assay.budgets.steps must be a non-negative integer");
        json_int_t value = json_integer_value(steps);
        out->steps = value > 1000000 ? 1000000 : (long)value;
    }
    const json_t *seconds = json_object_get(budgets, "seconds");
    if (seconds != NULL) {
        if (!json_is_number(seconds) || !(json_number_value(seconds) > 0) ||
            !isfinite(json_number_value(seconds)))
            return assay_error_set(error, ASSAY_ERR_INVALID,
                                   "assay.budgets.seconds must be a positive number");
        out->seconds = json_number_value(seconds);
        if (out->seconds > 86400.0)
            out->seconds = 86400.0;
    }
    return ASSAY_OK;
}

static int check_reference(const json_t *reference, struct assay_error *error)
{
    if (!json_is_object(reference))
        return assay_error_set(error, ASSAY_ERR_INVALID, "assay.reference must be an object");
    const json_t *actions = json_object_get(reference, "actions");
    if (actions != NULL && !json_is_array(actions))
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "assay.reference.actions must be an array");
    size_t index;
    const json_t *action;
    json_array_foreach(actions, index, action)
    {
        const json_t *arguments = json_object_get(action, "arguments");
        if (!json_is_string(json_object_get(action, "tool")) ||
            (arguments != NULL && !json_is_object(arguments)))
            return assay_error_set(error, ASSAY_ERR_INVALID,
                                   "assay.reference.actions[%zu] needs a string \"tool\" and "
                                   "an object \"arguments\"",
                                   index);
    }
    const json_t *answer = json_object_get(reference, "answer");
    if (answer != NULL && !json_is_string(answer) && !json_is_null(answer))
        return assay_error_set(error, ASSAY_ERR_INVALID, "assay.reference.answer must be a string");
    return ASSAY_OK;
}

int agent__request_parse(const json_t *message, struct agent_request *out,
                         struct assay_error *error)
{
    memset(out, 0, sizeof *out);
    const json_t *assay = find_assay_object(json_object_get(message, "parts"));
    if (assay == NULL)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "the message has no data part {\"assay\": {...}} naming the task "
                               "and its MCP endpoint (see docs/agents.md)");
    const json_t *version = json_object_get(assay, "version");
    if (!json_is_integer(version) || json_integer_value(version) != AGENT_MESSAGE_VERSION)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "assay.version must be %d (this agent speaks version %d only)",
                               AGENT_MESSAGE_VERSION, AGENT_MESSAGE_VERSION);
    out->task_id = json_string_value(json_object_get(assay, "task"));
    if (out->task_id == NULL || out->task_id[0] == '\0')
        return assay_error_set(error, ASSAY_ERR_INVALID, "assay.task must be a non-empty string");
    const json_t *mcp = json_object_get(assay, "mcp");
    out->mcp_url = json_string_value(json_object_get(mcp, "url"));
    if (out->mcp_url == NULL || out->mcp_url[0] == '\0')
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "assay.mcp.url is missing: the agent needs the MCP endpoint of "
                               "its environment");
    if (strncmp(out->mcp_url, "http://", 7) != 0 && strncmp(out->mcp_url, "https://", 8) != 0)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "assay.mcp.url must be an http:// or https:// URL");
    const json_t *token = json_object_get(mcp, "token");
    if (token != NULL && !json_is_null(token)) {
        out->token = json_string_value(token);
        if (out->token == NULL || out->token[0] == '\0' || strpbrk(out->token, "\r\n") != NULL)
            return assay_error_set(error, ASSAY_ERR_INVALID,
                                   "assay.mcp.token must be a non-empty one-line string");
    }
    int status = parse_budgets(json_object_get(assay, "budgets"), out, error);
    if (status != ASSAY_OK)
        return status;
    const json_t *reference = json_object_get(assay, "reference");
    if (reference != NULL && !json_is_null(reference)) {
        if ((status = check_reference(reference, error)) != ASSAY_OK)
            return status;
        out->reference = reference;
    }
    out->instruction = a2a_message_text(message);
    if (out->instruction == NULL)
        out->instruction = "";
    return ASSAY_OK;
}
