/* dispatch.c — the one transport-agnostic MCP dispatch.
 *
 * Every transport hands parsed messages to mcp__dispatch(). A request goes
 * through its method's prepare step on the receiving thread (parameter
 * checks, finding the named tool/resource/prompt: cheap, never blocks) and
 * then either executes inline, or — when it carries a progress token or its
 * target is flagged MCP_RUN_ON_WORKER — on the worker pool, registered with
 * its session so notifications/cancelled can reach it.
 *
 * Errors follow the specification: unknown method -32601; parameters that
 * do not fit the request's shape, an unknown tool or prompt -32602 (the
 * message names the field); an unknown resource -32002. A tool's arguments
 * that break its input schema, and a failing tool, give a normal result with
 * isError true, so the model can read what went wrong.
 *
 * Pagination: every list answers at most page_size items and a nextCursor
 * when more follow. A cursor is base64url("assay:KIND:OFFSET"): opaque to
 * clients, checked strictly here (a forged or stale cursor is -32602). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc/json_write.h"
#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"
#include "jsonrpc/json_strict.h"
#include "mcp/internal.h"

struct method {
    const char *name;
    /* Checks parameters and resolves the target; on failure sets an RPC error
     * on the call and returns a negative code. May be NULL. */
    int (*prepare)(struct mcp_call *call);
    int (*execute)(struct mcp_call *call, json_t **result);
    int may_run_on_worker;
};

/* ---- helpers ------------------------------------------------------------- */

int mcp__is_response(const json_t *root)
{
    return json_is_object(root) && json_object_get(root, "method") == NULL &&
           json_object_get(root, "id") != NULL &&
           (json_object_get(root, "result") != NULL || json_object_get(root, "error") != NULL);
}

static int invalid_params(struct mcp_call *call, const char *message)
{
    return mcp_call_rpc_error(call, JSONRPC_INVALID_PARAMS, "%s", message);
}

static const char *string_param(const struct mcp_call *call, const char *key)
{
    return json_string_value(json_object_get(call->message.params, key));
}

/* 1 when params.arguments is absent, null or an object. */
static int arguments_fit(const struct mcp_call *call)
{
    const json_t *arguments = json_object_get(call->message.params, "arguments");
    return arguments == NULL || json_is_object(arguments) || json_is_null(arguments);
}

/* Runs a tool's or a prompt's handler (the two share a signature) on the
 * call's arguments: params.arguments, or {} when that is not an object.
 * ASSAY_OK when it ran: *status is its status, *output its result. Without
 * running it: ASSAY_ERR_NOMEM when {} cannot be made, ASSAY_ERR_INVALID
 * when input_schema (may be NULL) refuses the arguments, *problem says why. */
static int run_handler(struct mcp_call *call, mcp_tool_handler handler, void *context,
                       const json_t *input_schema, char *problem, size_t problem_size,
                       json_t **output, int *status)
{
    json_t *arguments = json_object_get(call->message.params, "arguments");
    json_t *empty = NULL;
    if (!json_is_object(arguments)) {
        empty = json_object();
        if (empty == NULL)
            return ASSAY_ERR_NOMEM;
        arguments = empty;
    }
    int ran = ASSAY_OK;
    if (input_schema != NULL &&
        mcp__schema_validate(input_schema, arguments, "arguments", problem, problem_size) != 0)
        ran = ASSAY_ERR_INVALID;
    else
        *status = handler(call, arguments, context, output);
    json_decref(empty);
    return ran;
}

/* After a handler returned status != ASSAY_OK: releases its output and says
 * why it failed, or NULL when it set its own RPC error (answer status as is). */
static const char *handler_failure(const struct mcp_call *call, int status, json_t *output)
{
    json_decref(output);
    if (call->rpc_error_code != 0)
        return NULL;
    return call->failed ? call->error_message : assay_strerror(status);
}

/* ---- cursors --------------------------------------------------------------- */

static const char base64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void encode_cursor(char kind, size_t offset, char *out, size_t size)
{
    char plain[48];
    int length = snprintf(plain, sizeof plain, "assay:%c:%zu", kind, offset);
    size_t used = 0;
    unsigned bits = 0, value = 0;
    for (int index = 0; index < length && used + 1 < size; index++) {
        value = (value << 8) | (unsigned char)plain[index];
        bits += 8;
        while (bits >= 6 && used + 1 < size) {
            bits -= 6;
            out[used++] = base64url[(value >> bits) & 63];
        }
    }
    if (bits > 0 && used + 1 < size)
        out[used++] = base64url[(value << (6 - bits)) & 63];
    out[used] = '\0';
}

/* 0 and *offset, or ASSAY_ERR_INVALID. */
static int decode_cursor(const char *cursor, char kind, size_t *offset)
{
    char plain[48];
    size_t used = 0;
    unsigned bits = 0, value = 0;
    for (const char *cursor_char = cursor; *cursor_char != '\0'; cursor_char++) {
        const char *position = strchr(base64url, *cursor_char);
        if (position == NULL || used + 1 >= sizeof plain)
            return ASSAY_ERR_INVALID;
        value = (value << 6) | (unsigned)(position - base64url);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            plain[used++] = (char)((value >> bits) & 0xFF);
        }
    }
    plain[used] = '\0';
    char expected[9];
    snprintf(expected, sizeof expected, "assay:%c:", kind);
    if (strncmp(plain, expected, 8) != 0 || plain[8] < '0' || plain[8] > '9')
        return ASSAY_ERR_INVALID;
    char *end = NULL;
    unsigned long long parsed = strtoull(plain + 8, &end, 10);
    if (*end != '\0')
        return ASSAY_ERR_INVALID;
    *offset = (size_t)parsed;
    return ASSAY_OK;
}

/* Builds {key: [page of listings], nextCursor?}. `stride` walks the entry
 * array; `listing_offset` finds the listing json_t* inside an entry. */
static int list_page(struct mcp_call *call, char kind, const char *key, const void *entries,
                     size_t count, size_t stride, size_t listing_offset, json_t **result)
{
    size_t offset = 0;
    const json_t *cursor = json_object_get(call->message.params, "cursor");
    if (cursor != NULL && !json_is_null(cursor)) {
        if (!json_is_string(cursor) ||
            decode_cursor(json_string_value(cursor), kind, &offset) != 0 || offset > count)
            return invalid_params(call, "params.cursor is not a cursor this server issued");
    }
    size_t page = call->server->options.page_size;
    size_t end = count - offset > page ? offset + page : count;
    json_t *items = json_array();
    json_t *object = json_object();
    if (items == NULL || object == NULL) {
        json_decref(items);
        json_decref(object);
        return ASSAY_ERR_NOMEM;
    }
    for (size_t index = offset; index < end; index++) {
        const char *entry = (const char *)entries + index * stride;
        json_array_append(items, *(json_t *const *)(entry + listing_offset));
    }
    json_object_set_new(object, key, items);
    if (end < count) {
        char next[96];
        encode_cursor(kind, end, next, sizeof next);
        json_object_set_new(object, "nextCursor", json_string(next));
    }
    *result = object;
    return ASSAY_OK;
}

/* ---- lifecycle methods -------------------------------------------------------- */

static int execute_initialize(struct mcp_call *call, json_t **result)
{
    struct mcp_server *server = call->server;
    struct mcp__session *session = call->session;
    json_t *params = call->message.params;
    const char *requested = string_param(call, "protocolVersion");
    if (params == NULL)
        return invalid_params(
            call, "initialize needs params {protocolVersion, capabilities, clientInfo}");
    if (requested == NULL)
        return invalid_params(call, "params.protocolVersion must be a string");
    json_t *capabilities = json_object_get(params, "capabilities");
    if (capabilities != NULL && !json_is_object(capabilities))
        return invalid_params(call, "params.capabilities must be an object");
    const char *negotiated =
        mcp_protocol_version_supported(requested) ? requested : MCP_PROTOCOL_LATEST;

    pthread_mutex_lock(&session->lock);
    int again = session->answered_initialize;
    if (!again) {
        session->answered_initialize = 1;
        snprintf(session->protocol_version, sizeof session->protocol_version, "%s", negotiated);
        unsigned bits = 0;
        if (json_object_get(capabilities, "sampling") != NULL)
            bits |= MCP__CLIENT_SAMPLING;
        if (json_object_get(capabilities, "elicitation") != NULL)
            bits |= MCP__CLIENT_ELICITATION;
        if (json_object_get(capabilities, "roots") != NULL)
            bits |= MCP__CLIENT_ROOTS;
        session->client_capabilities = bits;
    }
    pthread_mutex_unlock(&session->lock);
    if (again)
        return mcp_call_rpc_error(call, JSONRPC_INVALID_REQUEST,
                                  "this session is already initialized");

    json_t *offered = json_pack("{s:{}, s:{}}", "logging", "completions");
    if (offered == NULL)
        return ASSAY_ERR_NOMEM;
    if (server->tool_count > 0)
        json_object_set_new(offered, "tools", json_pack("{s:b}", "listChanged", 0));
    if (server->resource_count + server->template_count > 0)
        json_object_set_new(offered, "resources",
                            json_pack("{s:b, s:b}", "subscribe", 1, "listChanged", 0));
    if (server->prompt_count > 0)
        json_object_set_new(offered, "prompts", json_pack("{s:b}", "listChanged", 0));
    json_t *information =
        json_pack("{s:s, s:s}", "name", server->options.name, "version", server->options.version);
    if (information != NULL && server->options.title != NULL)
        json_object_set_new(information, "title", json_string(server->options.title));
    json_t *object = json_pack("{s:s, s:o, s:o}", "protocolVersion", negotiated, "capabilities",
                               offered, "serverInfo", information);
    if (object == NULL)
        return ASSAY_ERR_NOMEM;
    if (server->options.instructions != NULL)
        json_object_set_new(object, "instructions", json_string(server->options.instructions));
    *result = object;
    return ASSAY_OK;
}

static int execute_ping(struct mcp_call *call, json_t **result)
{
    *result = json_object();
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int execute_set_level(struct mcp_call *call, json_t **result)
{
    int level = mcp_log_level_from_name(string_param(call, "level"));
    if (level < 0)
        return invalid_params(call,
                              "params.level must be one of debug, info, notice, warning, error, "
                              "critical, alert, emergency");
    atomic_store(&call->session->log_level, level);
    *result = json_object();
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

/* ---- tools --------------------------------------------------------------------- */

static int execute_tools_list(struct mcp_call *call, json_t **result)
{
    const struct mcp_server *server = call->server;
    return list_page(call, 't', "tools", server->tools, server->tool_count, sizeof *server->tools,
                     offsetof(struct mcp__tool_entry, listing), result);
}

static int prepare_tools_call(struct mcp_call *call)
{
    const char *name = string_param(call, "name");
    if (name == NULL)
        return invalid_params(call, "params.name must be a string naming a tool");
    if (!arguments_fit(call))
        return invalid_params(call, "params.arguments must be an object");
    const struct mcp__tool_entry *tool = mcp__server_find_tool(call->server, name);
    if (tool == NULL)
        return mcp_call_rpc_error(call, JSONRPC_INVALID_PARAMS, "Unknown tool: %s", name);
    call->target = tool;
    call->target_flags = tool->tool.flags;
    return ASSAY_OK;
}

static int execute_tools_call(struct mcp_call *call, json_t **result)
{
    const struct mcp__tool_entry *tool = call->target;
    char problem[256];
    json_t *output = NULL;
    int status = ASSAY_OK;
    int ran = run_handler(call, tool->tool.handler, tool->tool.context, tool->input_schema, problem,
                          sizeof problem, &output, &status);
    if (ran == ASSAY_ERR_INVALID) {
        char text[320];
        snprintf(text, sizeof text, "Input validation error: %s", problem);
        *result = mcp_result_error_text(text);
        return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
    }
    if (ran != ASSAY_OK)
        return ran;
    if (status != ASSAY_OK) {
        const char *failure = handler_failure(call, status, output);
        if (failure == NULL)
            return status;
        *result = mcp_result_error_text(failure);
        return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
    }
    if (!json_is_object(output) || !json_is_array(json_object_get(output, "content"))) {
        json_decref(output);
        return mcp_call_rpc_error(call, JSONRPC_INTERNAL_ERROR,
                                  "tool %s returned a result without a content array",
                                  tool->tool.name);
    }
    if (tool->output_schema != NULL && !json_is_true(json_object_get(output, "isError"))) {
        const json_t *structured = json_object_get(output, "structuredContent");
        if (structured == NULL) {
            json_decref(output);
            return mcp_call_rpc_error(call, JSONRPC_INTERNAL_ERROR,
                                      "tool %s declares an outputSchema but returned no "
                                      "structuredContent",
                                      tool->tool.name);
        }
        if (mcp__schema_validate(tool->output_schema, structured, "structuredContent", problem,
                                 sizeof problem) != 0) {
            json_decref(output);
            return mcp_call_rpc_error(call, JSONRPC_INTERNAL_ERROR,
                                      "tool %s returned structuredContent that breaks its "
                                      "outputSchema: %s",
                                      tool->tool.name, problem);
        }
    }
    *result = output;
    return ASSAY_OK;
}

/* ---- resources ------------------------------------------------------------------ */

static int execute_resources_list(struct mcp_call *call, json_t **result)
{
    const struct mcp_server *server = call->server;
    return list_page(call, 'r', "resources", server->resources, server->resource_count,
                     sizeof *server->resources, offsetof(struct mcp__resource_entry, listing),
                     result);
}

static int execute_templates_list(struct mcp_call *call, json_t **result)
{
    const struct mcp_server *server = call->server;
    return list_page(call, 'T', "resourceTemplates", server->templates, server->template_count,
                     sizeof *server->templates, offsetof(struct mcp__template_entry, listing),
                     result);
}

/* Matches uri against a level-1 template; fills variables. 1 on a match. */
static int template_match(const char *template, const char *uri, json_t *variables)
{
    while (*template != '\0') {
        if (*template != '{') {
            if (*template != *uri)
                return 0;
            template ++;
            uri++;
            continue;
        }
        const char *close = strchr(template, '}');
        if (close == NULL)
            return 0;
        char name[64];
        size_t name_length = (size_t)(close - template - 1);
        if (name_length == 0 || name_length >= sizeof name)
            return 0;
        memcpy(name, template + 1, name_length);
        name[name_length] = '\0';
        char stop = close[1];
        const char *start = uri;
        while (*uri != '\0' && *uri != '/' && *uri != stop)
            uri++;
        if (uri == start)
            return 0;
        json_t *value = json_stringn(start, (size_t)(uri - start));
        if (value == NULL || json_object_set_new(variables, name, value) != 0)
            return 0;
        template = close + 1;
    }
    return *uri == '\0';
}

static int prepare_resources_read(struct mcp_call *call)
{
    const char *uri = string_param(call, "uri");
    if (uri == NULL)
        return invalid_params(call, "params.uri must be a string");
    const struct mcp_server *server = call->server;
    for (size_t index = 0; index < server->resource_count; index++)
        if (strcmp(server->resources[index].resource.uri, uri) == 0) {
            call->target = &server->resources[index].resource;
            call->target_flags = server->resources[index].resource.flags;
            return ASSAY_OK;
        }
    for (size_t index = 0; index < server->template_count; index++) {
        json_t *variables = json_object();
        if (variables == NULL)
            return ASSAY_ERR_NOMEM;
        if (template_match(server->templates[index].resource_template.uri_template, uri,
                           variables)) {
            call->target = &server->templates[index].resource_template;
            call->target_flags = server->templates[index].resource_template.flags;
            call->variables = variables;
            return ASSAY_OK;
        }
        json_decref(variables);
    }
    return mcp_call_rpc_error(call, MCP_ERROR_RESOURCE_NOT_FOUND, "Resource not found: %s", uri);
}

static int execute_resources_read(struct mcp_call *call, json_t **result)
{
    const char *uri = string_param(call, "uri");
    json_t *output = NULL;
    int status;
    if (call->variables != NULL) {
        const struct mcp_resource_template *template = call->target;
        status = template->handler(call, uri, call->variables, template->context, &output);
    } else {
        const struct mcp_resource *resource = call->target;
        if (resource->handler != NULL) {
            status = resource->handler(call, uri, NULL, resource->context, &output);
        } else {
            json_t *content = json_pack("{s:s}", "uri", resource->uri);
            if (content != NULL && resource->mime_type != NULL)
                json_object_set_new(content, "mimeType", json_string(resource->mime_type));
            if (content != NULL)
                json_object_set_new(
                    content, resource->text != NULL ? "text" : "blob",
                    json_string(resource->text != NULL ? resource->text : resource->blob));
            output = content != NULL ? json_pack("{s:[o]}", "contents", content) : NULL;
            status = output != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
        }
    }
    if (status != ASSAY_OK) {
        const char *failure = handler_failure(call, status, output);
        return failure == NULL ? status
                               : mcp_call_rpc_error(call, JSONRPC_INTERNAL_ERROR,
                                                    "reading %s failed: %s", uri, failure);
    }
    if (!json_is_object(output) || !json_is_array(json_object_get(output, "contents"))) {
        json_decref(output);
        return mcp_call_rpc_error(call, JSONRPC_INTERNAL_ERROR,
                                  "the handler for %s returned no contents array", uri);
    }
    *result = output;
    return ASSAY_OK;
}

static int change_subscription(struct mcp_call *call, int subscribe, json_t **result)
{
    const char *uri = string_param(call, "uri");
    if (uri == NULL)
        return invalid_params(call, "params.uri must be a string");
    struct mcp__session *session = call->session;
    int status = ASSAY_OK;
    pthread_mutex_lock(&session->lock);
    size_t found = session->subscription_count;
    for (size_t index = 0; index < session->subscription_count; index++)
        if (strcmp(session->subscriptions[index], uri) == 0)
            found = index;
    if (subscribe && found == session->subscription_count) {
        char **grown = session->subscription_count >= 1024
                           ? NULL
                           : assay_realloc(session->subscriptions,
                                           (session->subscription_count + 1) * sizeof *grown);
        char *copy = grown != NULL ? assay_strdup(uri) : NULL;
        if (grown != NULL)
            session->subscriptions = grown;
        if (copy == NULL)
            status = ASSAY_ERR_LIMIT;
        else
            session->subscriptions[session->subscription_count++] = copy;
    } else if (!subscribe && found < session->subscription_count) {
        assay_free(session->subscriptions[found]);
        session->subscriptions[found] = session->subscriptions[--session->subscription_count];
    }
    pthread_mutex_unlock(&session->lock);
    if (status != ASSAY_OK)
        return mcp_call_rpc_error(call, JSONRPC_INTERNAL_ERROR,
                                  "cannot subscribe: at most 1024 subscriptions per session");
    *result = json_object();
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int execute_subscribe(struct mcp_call *call, json_t **result)
{
    return change_subscription(call, 1, result);
}

static int execute_unsubscribe(struct mcp_call *call, json_t **result)
{
    return change_subscription(call, 0, result);
}

/* ---- prompts ----------------------------------------------------------------- */

static int execute_prompts_list(struct mcp_call *call, json_t **result)
{
    const struct mcp_server *server = call->server;
    return list_page(call, 'p', "prompts", server->prompts, server->prompt_count,
                     sizeof *server->prompts, offsetof(struct mcp__prompt_entry, listing), result);
}

static int prepare_prompts_get(struct mcp_call *call)
{
    const char *name = string_param(call, "name");
    if (name == NULL)
        return invalid_params(call, "params.name must be a string naming a prompt");
    const struct mcp_server *server = call->server;
    const struct mcp_prompt *prompt = NULL;
    for (size_t index = 0; index < server->prompt_count; index++)
        if (strcmp(server->prompts[index].prompt.name, name) == 0)
            prompt = &server->prompts[index].prompt;
    if (prompt == NULL)
        return mcp_call_rpc_error(call, JSONRPC_INVALID_PARAMS, "Unknown prompt: %s", name);
    if (!arguments_fit(call))
        return invalid_params(call, "params.arguments must be an object of strings");
    const json_t *arguments = json_object_get(call->message.params, "arguments");
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)arguments, key, value)
    {
        if (!json_is_string(value))
            return mcp_call_rpc_error(call, JSONRPC_INVALID_PARAMS,
                                      "params.arguments.%s must be a string", key);
    }
    for (size_t index = 0; index < prompt->argument_count; index++)
        if (prompt->arguments[index].required &&
            json_object_get(arguments, prompt->arguments[index].name) == NULL)
            return mcp_call_rpc_error(call, JSONRPC_INVALID_PARAMS,
                                      "params.arguments.%s is required by prompt %s",
                                      prompt->arguments[index].name, name);
    call->target = prompt;
    call->target_flags = prompt->flags;
    return ASSAY_OK;
}

static int execute_prompts_get(struct mcp_call *call, json_t **result)
{
    const struct mcp_prompt *prompt = call->target;
    json_t *output = NULL;
    int status = ASSAY_OK;
    int ran = run_handler(call, prompt->handler, prompt->context, NULL, NULL, 0, &output, &status);
    if (ran != ASSAY_OK)
        return ran;
    if (status != ASSAY_OK) {
        const char *failure = handler_failure(call, status, output);
        return failure == NULL ? status
                               : mcp_call_rpc_error(call, JSONRPC_INTERNAL_ERROR,
                                                    "prompt %s failed: %s", prompt->name, failure);
    }
    if (!json_is_object(output) || !json_is_array(json_object_get(output, "messages"))) {
        json_decref(output);
        return mcp_call_rpc_error(call, JSONRPC_INTERNAL_ERROR,
                                  "prompt %s returned no messages array", prompt->name);
    }
    *result = output;
    return ASSAY_OK;
}

/* ---- completion --------------------------------------------------------------- */

static int execute_complete(struct mcp_call *call, json_t **result)
{
    const json_t *reference = json_object_get(call->message.params, "ref");
    const json_t *argument = json_object_get(call->message.params, "argument");
    const char *type = json_string_value(json_object_get(reference, "type"));
    if (!json_is_object(reference) || type == NULL)
        return invalid_params(call, "params.ref must be an object with a type");
    if (strcmp(type, "ref/prompt") != 0 && strcmp(type, "ref/resource") != 0)
        return mcp_call_rpc_error(call, JSONRPC_INVALID_PARAMS,
                                  "params.ref.type must be ref/prompt or ref/resource, not %s",
                                  type);
    const char *name = json_string_value(json_object_get(argument, "name"));
    const char *value = json_string_value(json_object_get(argument, "value"));
    if (name == NULL || value == NULL)
        return invalid_params(call, "params.argument must be {name: string, value: string}");
    json_t *values = NULL;
    if (call->server->completion != NULL) {
        int status = call->server->completion(call, reference, name, value,
                                              call->server->completion_context, &values);
        if (status != ASSAY_OK) {
            const char *failure = handler_failure(call, status, values);
            return failure == NULL ? status
                                   : mcp_call_rpc_error(call, JSONRPC_INTERNAL_ERROR,
                                                        "completion failed: %s", failure);
        }
    }
    if (!json_is_array(values)) {
        json_decref(values);
        values = json_array();
    }
    size_t total = json_array_size(values);
    while (json_array_size(values) > 100)
        json_array_remove(values, json_array_size(values) - 1);
    *result = json_pack("{s:{s:o, s:I, s:b}}", "completion", "values", values, "total",
                        (json_int_t)total, "hasMore", total > 100);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

/* ---- the table ------------------------------------------------------------------ */

static const struct method methods[] = {
    {"initialize", NULL, execute_initialize, 0},
    {"ping", NULL, execute_ping, 0},
    {"tools/list", NULL, execute_tools_list, 0},
    {"tools/call", prepare_tools_call, execute_tools_call, 1},
    {"resources/list", NULL, execute_resources_list, 0},
    {"resources/templates/list", NULL, execute_templates_list, 0},
    {"resources/read", prepare_resources_read, execute_resources_read, 1},
    {"resources/subscribe", NULL, execute_subscribe, 0},
    {"resources/unsubscribe", NULL, execute_unsubscribe, 0},
    {"prompts/list", NULL, execute_prompts_list, 0},
    {"prompts/get", prepare_prompts_get, execute_prompts_get, 1},
    {"logging/setLevel", NULL, execute_set_level, 0},
    {"completion/complete", NULL, execute_complete, 0},
};

static const struct method *find_method(const char *name)
{
    for (size_t index = 0; index < sizeof methods / sizeof methods[0]; index++)
        if (strcmp(methods[index].name, name) == 0)
            return &methods[index];
    return NULL;
}

/* ---- requests ------------------------------------------------------------------ */

/* The error object for a failed call. */
static json_t *error_object(struct mcp_call *call, int status)
{
    char message[320];
    int code = call->rpc_error_code;
    if (code != 0) {
        snprintf(message, sizeof message, "%s", call->error_message);
    } else if (status == ASSAY_ERR_CANCELED) {
        code = MCP_ERROR_REQUEST_CANCELLED;
        snprintf(message, sizeof message, "Request cancelled");
    } else {
        code = JSONRPC_INTERNAL_ERROR;
        snprintf(message, sizeof message, "Internal error: %s",
                 call->failed ? call->error_message : assay_strerror(status));
    }
    return json_pack("{s:i, s:s}", "code", code, "message", message);
}

/* Ends the call: answers through the exchange, unless the client cancelled
 * the request (then the specification says not to answer; the exchange
 * closes quietly). Frees the call's own resources, not the struct. The
 * response is written as text around the result, so no envelope object is
 * built on the hot path. */
static void complete_call(struct mcp_call *call, int status, json_t *result)
{
    struct mcp__exchange *exchange = call->exchange;
    if (atomic_load(&call->cancelled) && call->on_worker) {
        exchange->ops->finish(exchange, NULL, 0, 0);
    } else {
        struct buffer text = {0};
        json_t *error = status == ASSAY_OK ? NULL : error_object(call, status);
        int written = status == ASSAY_OK
                          ? json_write_response(call->message.id, "result", result, &text)
                      : error != NULL ? json_write_response(call->message.id, "error", error, &text)
                                      : ASSAY_ERR_NOMEM;
        if (written == ASSAY_OK) {
            exchange->ops->finish(exchange, text.data, text.length, status == ASSAY_OK);
        } else {
            static const char fallback[] =
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,"
                "\"message\":\"Internal error: out of memory\"}}";
            exchange->ops->finish(exchange, fallback, sizeof fallback - 1, 0);
        }
        json_decref(error);
        buffer_free(&text);
    }
    json_decref(result);
    json_decref(call->variables);
    call->variables = NULL;
    jsonrpc_message_release(&call->message);
}

/* Takes a worker call off its session's list of running calls. */
static void unlink_call(struct mcp__session *session, struct mcp_call *call)
{
    pthread_mutex_lock(&session->lock);
    if (call->previous != NULL)
        call->previous->next = call->next;
    else
        session->calls = call->next;
    if (call->next != NULL)
        call->next->previous = call->previous;
    pthread_mutex_unlock(&session->lock);
}

static void run_on_worker(void *argument)
{
    struct mcp_call *call = argument;
    const struct method *method = call->method;
    json_t *result = NULL;
    int status = ASSAY_ERR_CANCELED;
    if (!atomic_load(&call->cancelled))
        status = method->execute(call, &result);
    struct mcp__session *session = call->session;
    unlink_call(session, call);
    complete_call(call, status, result);
    mcp__session_release(session);
    assay_free(call);
}

/* Moves a prepared inline call to the worker pool. Returns 0 when the call
 * now belongs to a worker; otherwise the inline call is untouched. */
static int hand_to_worker(struct mcp_call *inline_call)
{
    struct mcp__worker_pool *pool = mcp__server_workers(inline_call->server);
    if (pool == NULL)
        return ASSAY_ERR_NOMEM;
    struct mcp_call *call = assay_malloc(sizeof *call);
    if (call == NULL)
        return ASSAY_ERR_NOMEM;
    struct mcp__exchange *exchange = inline_call->exchange->ops->detach(inline_call->exchange);
    if (exchange == NULL) {
        assay_free(call);
        return ASSAY_ERR_NOMEM;
    }
    memcpy(call, inline_call, sizeof *call);
    atomic_init(&call->cancelled, 0);
    call->exchange = exchange;
    call->on_worker = 1;
    call->heap = 1;
    struct mcp__session *session = call->session;
    mcp__session_retain(session);
    pthread_mutex_lock(&session->lock);
    call->previous = NULL;
    call->next = session->calls;
    if (session->calls != NULL)
        session->calls->previous = call;
    session->calls = call;
    if (session->closed)
        atomic_store(&call->cancelled, 1);
    pthread_mutex_unlock(&session->lock);
    int status = mcp__worker_pool_submit(pool, run_on_worker, call);
    if (status != ASSAY_OK) {
        /* The exchange is detached now: answer from here with the error. */
        call->on_worker = 0;
        unlink_call(session, call);
        mcp_call_rpc_error(call, JSONRPC_INTERNAL_ERROR,
                           status == ASSAY_ERR_LIMIT
                               ? "server busy: too many calls queued, retry later"
                               : "server is stopping");
        complete_call(call, ASSAY_ERR_LIMIT, NULL);
        mcp__session_release(session);
        assay_free(call);
    }
    return ASSAY_OK;
}

static const json_t *find_progress_token(const json_t *params)
{
    const json_t *token = json_object_get(json_object_get(params, "_meta"), "progressToken");
    return json_is_string(token) || json_is_integer(token) ? token : NULL;
}

static void dispatch_request(struct mcp_server *server, struct mcp__session *session,
                             struct jsonrpc_message *message, struct mcp__exchange *exchange)
{
    struct mcp_call call;
    memset(&call, 0, sizeof call);
    call.server = server;
    call.session = session;
    call.exchange = exchange;
    call.message = *message;
    memset(message, 0, sizeof *message);
    atomic_init(&call.cancelled, 0);

    int status;
    json_t *result = NULL;
    if (json_is_null(call.message.id)) {
        status = mcp_call_rpc_error(&call, JSONRPC_INVALID_REQUEST,
                                    "MCP request ids must be a string or an integer, not null");
        complete_call(&call, status, NULL);
        return;
    }
    if (call.message.params != NULL && !json_is_object(call.message.params)) {
        status = invalid_params(&call, "params must be an object");
        complete_call(&call, status, NULL);
        return;
    }
    const struct method *method = find_method(call.message.method);
    if (method == NULL) {
        status = mcp_call_rpc_error(&call, JSONRPC_METHOD_NOT_FOUND, "Method not found: %s",
                                    call.message.method);
        complete_call(&call, status, NULL);
        return;
    }
    call.method = method;
    call.progress_token = (json_t *)find_progress_token(call.message.params);
    if (method->prepare != NULL && (status = method->prepare(&call)) != ASSAY_OK) {
        complete_call(&call, status, NULL);
        return;
    }
    if (method->may_run_on_worker &&
        (call.progress_token != NULL || (call.target_flags & MCP_RUN_ON_WORKER) != 0) &&
        hand_to_worker(&call) == ASSAY_OK)
        return;
    status = method->execute(&call, &result);
    complete_call(&call, status, result);
}

/* ---- notifications ----------------------------------------------------------------- */

static void dispatch_notification(struct mcp__session *session, struct jsonrpc_message *message)
{
    const char *method = message->method;
    if (strcmp(method, "notifications/initialized") == 0) {
        pthread_mutex_lock(&session->lock);
        session->initialized = 1;
        pthread_mutex_unlock(&session->lock);
    } else if (strcmp(method, "notifications/cancelled") == 0) {
        const json_t *request_id = json_object_get(message->params, "requestId");
        if (request_id != NULL) {
            pthread_mutex_lock(&session->lock);
            for (struct mcp_call *call = session->calls; call != NULL; call = call->next)
                if (json_equal(call->message.id, request_id))
                    mcp__call_cancel_locked(call);
            pthread_mutex_unlock(&session->lock);
        }
    } else {
        log_debug("mcp: ignoring notification %s", method);
    }
    jsonrpc_message_release(message);
}

int mcp__dispatch(struct mcp_server *server, struct mcp__session *session,
                  struct jsonrpc_message *message, struct mcp__exchange *exchange)
{
    if (message->id == NULL) {
        dispatch_notification(session, message);
        return 0;
    }
    dispatch_request(server, session, message, exchange);
    return 1;
}

int mcp__handle_text(struct mcp_server *server, struct mcp__session *session, const char *text,
                     size_t length, struct mcp__exchange *exchange)
{
    struct jsonrpc_message message;
    json_t *error_response = NULL;
    if (jsonrpc_parse_request(text, length, MCP__MAX_JSON_DEPTH, &message, &error_response) ==
        ASSAY_OK)
        return mcp__dispatch(server, session, &message, exchange);
    /* Not a request: perhaps the client's answer to one of ours. Only this
     * rare path parses twice. */
    const json_t *code = json_object_get(json_object_get(error_response, "error"), "code");
    if (json_integer_value(code) == JSONRPC_INVALID_REQUEST) {
        json_t *root = json_strict_parse(text, length, MCP__MAX_JSON_DEPTH, NULL);
        if (mcp__is_response(root)) {
            json_decref(error_response);
            mcp__session_deliver_response(session, root);
            return 0;
        }
        json_decref(root);
    }
    mcp__exchange_finish_json(exchange, error_response);
    return 1;
}
