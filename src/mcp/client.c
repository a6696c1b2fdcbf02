/* client.c — the transport-independent half of the MCP client: options,
 * the initialize handshake, request ids and progress tokens, JSON-RPC error
 * mapping, cursor-following lists and the routing of server-initiated
 * messages. The transports only move messages (client_http.c,
 * client_stdio.c). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/memory.h"
#include "core/status.h"
#include "core/version.h"
#include "jsonrpc/json_strict.h"
#include "jsonrpc/jsonrpc.h"
#include "mcp/client_internal.h"
#include "mcp/server.h"

#define MAX_PAGES 1000

static char **copy_list(const char *const *source, int *failed)
{
    if (source == NULL)
        return NULL;
    size_t count = 0;
    while (source[count] != NULL)
        count++;
    char **copy = assay_calloc(count + 1, sizeof *copy);
    if (copy == NULL) {
        *failed = 1;
        return NULL;
    }
    for (size_t index = 0; index < count; index++)
        if ((copy[index] = assay_strdup(source[index])) == NULL)
            *failed = 1;
    return copy;
}

static void free_list(const char *const *list)
{
    for (size_t index = 0; list != NULL && list[index] != NULL; index++)
        assay_free((char *)list[index]);
    assay_free((void *)list);
}

static char *copy_text(const char *text, int *failed)
{
    if (text == NULL)
        return NULL;
    char *copy = assay_strdup(text);
    if (copy == NULL)
        *failed = 1;
    return copy;
}

static void client_free(struct mcp_client *client)
{
    struct mcp_client_options *options = &client->options;
    assay_free((char *)options->url);
    free_list(options->command);
    free_list(options->headers);
    assay_free((char *)options->client_name);
    assay_free((char *)options->client_version);
    assay_free((char *)options->protocol_version);
    assay_free((char *)options->capabilities_json);
    json_decref(client->capabilities);
    json_decref(client->server_info);
    assay_free(client);
}

void mcp_client_close(struct mcp_client *client)
{
    if (client == NULL)
        return;
    if (client->ops != NULL)
        client->ops->close(client);
    client_free(client);
}

const json_t *mcp_client_server_info(const struct mcp_client *client)
{
    return client->server_info;
}

const char *mcp_client_protocol_version(const struct mcp_client *client)
{
    return client->protocol_version;
}

/* ---- requests ---------------------------------------------------------------- */

int mcp_client_request(struct mcp_client *client, const char *method, json_t *params,
                       const struct mcp_request_options *options, json_t **result,
                       struct assay_error *error)
{
    *result = NULL;
    long id = atomic_fetch_add(&client->next_id, 1);
    long timeout = options != NULL && options->timeout_ms > 0 ? options->timeout_ms
                                                              : client->options.timeout_ms;
    if (options != NULL && options->want_progress) {
        if (params == NULL)
            params = json_object();
        json_t *meta = json_object_get(params, "_meta");
        if (!json_is_object(meta)) {
            meta = json_object();
            json_object_set_new(params, "_meta", meta);
        }
        json_object_set_new(meta, "progressToken", json_integer(id));
    }
    json_t *id_value = json_integer(id);
    json_t *request = jsonrpc_request(id_value, method, params);
    json_decref(id_value);
    if (request == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory building %s", method);
    json_t *response = NULL;
    int status = client->ops->round_trip(client, request, timeout, &response, error);
    json_decref(request);
    if (status == ASSAY_ERR_TIMEOUT) {
        /* Tell the server to stop working on it; best effort. */
        json_t *cancel = jsonrpc_request(
            NULL, "notifications/cancelled",
            json_pack("{s:I, s:s}", "requestId", (json_int_t)id, "reason", "the client timed out"));
        if (cancel != NULL)
            client->ops->notify(client, cancel, NULL);
        json_decref(cancel);
    }
    if (status != ASSAY_OK)
        return status;
    json_t *remote_error = json_object_get(response, "error");
    json_t *answer = json_object_get(response, "result");
    if (json_is_object(remote_error)) {
        const char *message = json_string_value(json_object_get(remote_error, "message"));
        status =
            assay_error_set(error, ASSAY_ERR_REMOTE, "%s failed: server error %lld: %s", method,
                            (long long)json_integer_value(json_object_get(remote_error, "code")),
                            message != NULL ? message : "(no message)");
        *result = json_incref(remote_error);
    } else if (!json_is_object(answer)) {
        status = assay_error_set(error, ASSAY_ERR_PROTOCOL,
                                 "%s: the server's response has no result object", method);
    } else {
        *result = json_incref(answer);
    }
    json_decref(response);
    return status;
}

int mcp_client_notify(struct mcp_client *client, const char *method, json_t *params,
                      struct assay_error *error)
{
    json_t *notification = jsonrpc_request(NULL, method, params);
    if (notification == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory building %s", method);
    int status = client->ops->notify(client, notification, error);
    json_decref(notification);
    return status;
}

json_t *mcp__client_incoming(struct mcp_client *client, const json_t *message)
{
    const char *method = json_string_value(json_object_get(message, "method"));
    json_t *id = json_object_get(message, "id");
    const json_t *params = json_object_get(message, "params");
    if (method == NULL)
        return NULL; /* a response nobody waits for (timed out): drop it */
    if (id == NULL) {
        if (client->options.on_notification != NULL)
            client->options.on_notification(method, params, client->options.context);
        return NULL;
    }
    if (client->options.on_request != NULL) {
        json_t *result = NULL;
        int status = client->options.on_request(method, params, client->options.context, &result);
        if (status == ASSAY_OK)
            return jsonrpc_result(id, result != NULL ? result : json_object());
        json_decref(result);
        if (status != ASSAY_ERR_UNSUPPORTED)
            return jsonrpc_errorf(id, JSONRPC_INTERNAL_ERROR, NULL,
                                  "client could not handle %s: %s", method, assay_strerror(status));
    } else if (strcmp(method, "ping") == 0) {
        return jsonrpc_result(id, json_object());
    }
    return jsonrpc_errorf(id, JSONRPC_METHOD_NOT_FOUND, NULL, "Method not found: %s", method);
}

/* ---- connecting ------------------------------------------------------------------ */

static int initialize(struct mcp_client *client, struct assay_error *error)
{
    json_t *params =
        json_pack("{s:s, s:O, s:{s:s, s:s}}", "protocolVersion", client->options.protocol_version,
                  "capabilities", client->capabilities, "clientInfo", "name",
                  client->options.client_name, "version", client->options.client_version);
    json_t *result = NULL;
    int status = mcp_client_request(client, "initialize", params, NULL, &result, error);
    if (status != ASSAY_OK) {
        json_decref(result);
        return status;
    }
    const char *version = json_string_value(json_object_get(result, "protocolVersion"));
    if (!mcp_protocol_version_supported(version)) {
        status =
            assay_error_set(error, ASSAY_ERR_PROTOCOL,
                            "the server answered protocol revision %.40s, which assay does not "
                            "speak",
                            version != NULL ? version : "(none)");
        json_decref(result);
        return status;
    }
    snprintf(client->protocol_version, sizeof client->protocol_version, "%s", version);
    client->server_info = result;
    status = mcp_client_notify(client, "notifications/initialized", NULL, error);
    if (status == ASSAY_OK && client->ops->ready != NULL)
        client->ops->ready(client);
    return status;
}

int mcp_client_connect(const struct mcp_client_options *options, struct mcp_client **out,
                       struct assay_error *error)
{
    int ways = (options->url != NULL) + (options->command != NULL && options->command[0] != NULL) +
               (options->use_descriptors != 0);
    if (ways != 1)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "give exactly one of a URL, a command or descriptors");
    struct mcp_client *client = assay_calloc(1, sizeof *client);
    if (client == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    int failed = 0;
    struct mcp_client_options *own = &client->options;
    *own = *options;
    own->url = copy_text(options->url, &failed);
    own->command = (const char *const *)copy_list(options->command, &failed);
    own->headers = (const char *const *)copy_list(options->headers, &failed);
    own->client_name =
        copy_text(options->client_name != NULL ? options->client_name : "assay", &failed);
    own->client_version = copy_text(
        options->client_version != NULL ? options->client_version : ASSAY_VERSION, &failed);
    own->protocol_version = copy_text(options->protocol_version != NULL ? options->protocol_version
                                                                        : MCP_PROTOCOL_LATEST,
                                      &failed);
    own->capabilities_json = copy_text(options->capabilities_json, &failed);
    if (own->timeout_ms <= 0)
        own->timeout_ms = 30000;
    atomic_init(&client->next_id, 1);
    int status;
    if (failed) {
        status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
        goto fail;
    }
    client->capabilities =
        own->capabilities_json != NULL
            ? json_strict_parse(own->capabilities_json, strlen(own->capabilities_json), 32, NULL)
            : json_object();
    if (!json_is_object(client->capabilities)) {
        status =
            assay_error_set(error, ASSAY_ERR_INVALID, "capabilities_json must be a JSON object");
        goto fail;
    }
    status = own->url != NULL ? mcp__client_http_open(client, error)
                              : mcp__client_stdio_open(client, error);
    if (status != ASSAY_OK)
        goto fail;
    status = initialize(client, error);
    if (status != ASSAY_OK)
        goto fail;
    *out = client;
    return ASSAY_OK;
fail:
    if (client->ops == NULL && own->use_descriptors) {
        /* Ownership of the descriptors passed to us even on failure. */
        close(own->read_fd);
        close(own->write_fd);
    }
    mcp_client_close(client);
    return status;
}

/* ---- convenience ----------------------------------------------------------------- */

int mcp_client_ping(struct mcp_client *client, struct assay_error *error)
{
    json_t *result = NULL;
    int status = mcp_client_request(client, "ping", NULL, NULL, &result, error);
    json_decref(result);
    return status;
}

static int list_all(struct mcp_client *client, const char *method, const char *key, json_t **items,
                    struct assay_error *error)
{
    *items = NULL;
    json_t *all = json_array();
    char *cursor = NULL;
    int status = all != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
    int page = 0;
    for (; status == ASSAY_OK && page < MAX_PAGES; page++) {
        json_t *params = cursor != NULL ? json_pack("{s:s}", "cursor", cursor) : json_object();
        json_t *result = NULL;
        status = mcp_client_request(client, method, params, NULL, &result, error);
        assay_free(cursor);
        cursor = NULL;
        if (status != ASSAY_OK) {
            json_decref(result);
            break;
        }
        json_t *list = json_object_get(result, key);
        if (!json_is_array(list)) {
            status = assay_error_set(error, ASSAY_ERR_PROTOCOL, "%s: the result has no %s array",
                                     method, key);
        } else {
            json_array_extend(all, list);
            const char *next = json_string_value(json_object_get(result, "nextCursor"));
            if (next != NULL && (cursor = assay_strdup(next)) == NULL)
                status = ASSAY_ERR_NOMEM;
        }
        json_decref(result);
        if (cursor == NULL)
            break;
    }
    assay_free(cursor);
    if (status == ASSAY_OK && page >= MAX_PAGES)
        status = assay_error_set(error, ASSAY_ERR_LIMIT,
                                 "%s: the server kept paginating past %d pages", method, MAX_PAGES);
    if (status != ASSAY_OK) {
        json_decref(all);
        return status;
    }
    *items = all;
    return ASSAY_OK;
}

int mcp_client_list_tools(struct mcp_client *client, json_t **tools, struct assay_error *error)
{
    return list_all(client, "tools/list", "tools", tools, error);
}

int mcp_client_list_resources(struct mcp_client *client, json_t **resources,
                              struct assay_error *error)
{
    return list_all(client, "resources/list", "resources", resources, error);
}

int mcp_client_list_resource_templates(struct mcp_client *client, json_t **templates,
                                       struct assay_error *error)
{
    return list_all(client, "resources/templates/list", "resourceTemplates", templates, error);
}

int mcp_client_list_prompts(struct mcp_client *client, json_t **prompts, struct assay_error *error)
{
    return list_all(client, "prompts/list", "prompts", prompts, error);
}

int mcp_client_call_tool(struct mcp_client *client, const char *name, json_t *arguments,
                         const struct mcp_request_options *options, json_t **result,
                         struct assay_error *error)
{
    json_t *params = json_pack("{s:s, s:o}", "name", name, "arguments",
                               arguments != NULL ? arguments : json_object());
    if (params == NULL) {
        *result = NULL;
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    }
    return mcp_client_request(client, "tools/call", params, options, result, error);
}

int mcp_client_read_resource(struct mcp_client *client, const char *uri, json_t **result,
                             struct assay_error *error)
{
    return mcp_client_request(client, "resources/read", json_pack("{s:s}", "uri", uri), NULL,
                              result, error);
}

int mcp_client_get_prompt(struct mcp_client *client, const char *name, json_t *arguments,
                          json_t **result, struct assay_error *error)
{
    json_t *params = json_pack("{s:s}", "name", name);
    if (params != NULL && arguments != NULL)
        json_object_set_new(params, "arguments", arguments);
    else
        json_decref(arguments);
    return mcp_client_request(client, "prompts/get", params, NULL, result, error);
}

int mcp_client_set_log_level(struct mcp_client *client, const char *level,
                             struct assay_error *error)
{
    json_t *result = NULL;
    int status = mcp_client_request(client, "logging/setLevel", json_pack("{s:s}", "level", level),
                                    NULL, &result, error);
    json_decref(result);
    return status;
}
