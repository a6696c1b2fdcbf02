/* server.c — the registry (tools, resources, templates, prompts), the call
 * context API handlers use, result builders and server-wide notifications.
 *
 * Registrations are copied into arrays owned by the server, with their
 * listing objects (what tools/list etc. show) built once here, so listing
 * costs no schema parsing per request. Tools are also indexed by name in an
 * open-addressing table: tools/call finds its tool in O(1) however many an
 * environment registers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsonrpc/json_write.h"
#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"
#include "core/version.h"
#include "jsonrpc/json_strict.h"
#include "mcp/internal.h"

static const char *const supported_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                 "2024-11-05", NULL};

int mcp_protocol_version_supported(const char *version)
{
    if (version == NULL)
        return 0;
    for (size_t index = 0; supported_versions[index] != NULL; index++)
        if (strcmp(version, supported_versions[index]) == 0)
            return 1;
    return 0;
}

static const char *const level_names[] = {"debug", "info",     "notice", "warning",
                                          "error", "critical", "alert",  "emergency"};

const char *mcp_log_level_name(enum mcp_log_level level)
{
    return (unsigned)level < 8 ? level_names[level] : "info";
}

int mcp_log_level_from_name(const char *name)
{
    for (int index = 0; name != NULL && index < 8; index++)
        if (strcmp(name, level_names[index]) == 0)
            return index;
    return -1;
}

/* ---- lifecycle --------------------------------------------------------- */

static char *copy_text(const char *text, int *failed)
{
    if (text == NULL)
        return NULL;
    char *copy = assay_strdup(text);
    if (copy == NULL)
        *failed = 1;
    return copy;
}

int mcp_server_new(const struct mcp_server_options *options, struct mcp_server **out)
{
    struct mcp_server *server = assay_calloc(1, sizeof *server);
    if (server == NULL)
        return ASSAY_ERR_NOMEM;
    if (options != NULL)
        server->options = *options;
    struct mcp_server_options *own = &server->options;
    int failed = 0;
    own->name = copy_text(own->name != NULL ? own->name : "assay", &failed);
    own->version = copy_text(own->version != NULL ? own->version : ASSAY_VERSION, &failed);
    own->title = copy_text(own->title, &failed);
    own->instructions = copy_text(own->instructions, &failed);
    if (own->worker_threads == 0)
        own->worker_threads = 4;
    if (own->worker_queue_limit == 0)
        own->worker_queue_limit = 1024;
    if (own->page_size == 0)
        own->page_size = 100;
    if (own->max_sessions == 0)
        own->max_sessions = 1024;
    if (own->session_idle_seconds == 0)
        own->session_idle_seconds = 600;
    if (own->client_request_timeout_ms <= 0)
        own->client_request_timeout_ms = 60000;
    size_t buckets = 16;
    while (buckets < own->max_sessions * 2)
        buckets *= 2;
    server->sessions.bucket_count = buckets;
    server->sessions.buckets = assay_calloc(buckets, sizeof *server->sessions.buckets);
    pthread_mutex_init(&server->sessions.lock, NULL);
    pthread_mutex_init(&server->worker_lock, NULL);
    atomic_init(&server->started, 0);
    atomic_init(&server->stopping, 0);
    if (failed || server->sessions.buckets == NULL) {
        mcp_server_free(server);
        return ASSAY_ERR_NOMEM;
    }
    *out = server;
    return ASSAY_OK;
}

static void free_tool(struct mcp__tool_entry *entry)
{
    assay_free((char *)entry->tool.name);
    assay_free((char *)entry->tool.title);
    assay_free((char *)entry->tool.description);
    assay_free((char *)entry->tool.input_schema_json);
    assay_free((char *)entry->tool.output_schema_json);
    assay_free((char *)entry->tool.annotations_json);
    json_decref(entry->input_schema);
    json_decref(entry->output_schema);
    json_decref(entry->listing);
}

static void free_resource(struct mcp__resource_entry *entry)
{
    struct mcp_resource *resource = &entry->resource;
    assay_free((char *)resource->uri);
    assay_free((char *)resource->name);
    assay_free((char *)resource->title);
    assay_free((char *)resource->description);
    assay_free((char *)resource->mime_type);
    assay_free((char *)resource->text);
    assay_free((char *)resource->blob);
    json_decref(entry->listing);
}

static void free_template(struct mcp__template_entry *entry)
{
    struct mcp_resource_template *template = &entry->resource_template;
    assay_free((char *)template->uri_template);
    assay_free((char *)template->name);
    assay_free((char *)template->title);
    assay_free((char *)template->description);
    assay_free((char *)template->mime_type);
    json_decref(entry->listing);
}

static void free_prompt(struct mcp__prompt_entry *entry)
{
    struct mcp_prompt *prompt = &entry->prompt;
    assay_free((char *)prompt->name);
    assay_free((char *)prompt->title);
    assay_free((char *)prompt->description);
    for (size_t index = 0; index < prompt->argument_count; index++) {
        assay_free((char *)prompt->arguments[index].name);
        assay_free((char *)prompt->arguments[index].description);
    }
    assay_free((void *)prompt->arguments);
    json_decref(entry->listing);
}

void mcp_server_free(struct mcp_server *server)
{
    if (server == NULL)
        return;
    atomic_store(&server->stopping, 1);
    if (server->sessions.buckets != NULL)
        mcp__session_close_all(server);
    mcp__worker_pool_free(server->workers);
    if (server->sessions.buckets != NULL)
        mcp__session_table_free(server);
    else
        pthread_mutex_destroy(&server->sessions.lock);
    for (size_t index = 0; index < server->tool_count; index++)
        free_tool(&server->tools[index]);
    for (size_t index = 0; index < server->resource_count; index++)
        free_resource(&server->resources[index]);
    for (size_t index = 0; index < server->template_count; index++)
        free_template(&server->templates[index]);
    for (size_t index = 0; index < server->prompt_count; index++)
        free_prompt(&server->prompts[index]);
    assay_free(server->tools);
    assay_free(server->tool_index);
    assay_free(server->resources);
    assay_free(server->templates);
    assay_free(server->prompts);
    assay_free((char *)server->options.name);
    assay_free((char *)server->options.version);
    assay_free((char *)server->options.title);
    assay_free((char *)server->options.instructions);
    pthread_mutex_destroy(&server->worker_lock);
    assay_free(server);
}

void mcp__server_mark_started(struct mcp_server *server)
{
    atomic_store(&server->started, 1);
}

struct mcp__worker_pool *mcp__server_workers(struct mcp_server *server)
{
    pthread_mutex_lock(&server->worker_lock);
    if (server->workers == NULL &&
        mcp__worker_pool_new(server->options.worker_threads, server->options.worker_queue_limit,
                             &server->workers) != ASSAY_OK)
        server->workers = NULL;
    struct mcp__worker_pool *pool = server->workers;
    pthread_mutex_unlock(&server->worker_lock);
    return pool;
}

const char *mcp_server_last_error(const struct mcp_server *server)
{
    return server->last_error;
}

static int reject(struct mcp_server *server, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int reject(struct mcp_server *server, int status, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(server->last_error, sizeof server->last_error, format, arguments);
    va_end(arguments);
    log_error("mcp: %s", server->last_error);
    return status;
}

static int ensure_capacity(void **items, size_t *capacity, size_t count, size_t item_size)
{
    if (count < *capacity)
        return ASSAY_OK;
    size_t grown = *capacity < 8 ? 8 : *capacity * 2;
    void *bigger = assay_realloc(*items, grown * item_size);
    if (bigger == NULL)
        return ASSAY_ERR_NOMEM;
    *items = bigger;
    *capacity = grown;
    return ASSAY_OK;
}

static int check_open(struct mcp_server *server)
{
    server->last_error[0] = '\0';
    if (atomic_load(&server->started))
        return reject(server, ASSAY_ERR_STATE,
                      "registrations must happen before a transport starts");
    return ASSAY_OK;
}

/* Parses a JSON text that must be an object. NULL text gives NULL, OK. */
static int parse_object(struct mcp_server *server, const char *what, const char *owner,
                        const char *text, json_t **out)
{
    *out = NULL;
    if (text == NULL)
        return ASSAY_OK;
    struct assay_error error = {0};
    json_t *value = json_strict_parse(text, strlen(text), MCP__MAX_JSON_DEPTH, &error);
    if (value == NULL)
        return reject(server, ASSAY_ERR_INVALID, "%s of '%s' is not valid JSON: %s", what, owner,
                      error.message);
    if (!json_is_object(value)) {
        json_decref(value);
        return reject(server, ASSAY_ERR_INVALID, "%s of '%s' must be a JSON object", what, owner);
    }
    *out = value;
    return ASSAY_OK;
}

static void set_optional_string(json_t *object, const char *key, const char *value)
{
    if (value != NULL)
        json_object_set_new(object, key, json_string(value));
}

/* ---- tools ----------------------------------------------------------------- */

static size_t hash_name(const char *name)
{
    size_t hash = 1469598103934665603ull;
    for (const unsigned char *cursor = (const unsigned char *)name; *cursor != '\0'; cursor++)
        hash = (hash ^ *cursor) * 1099511628211ull;
    return hash;
}

static int rebuild_tool_index(struct mcp_server *server)
{
    size_t capacity = 16;
    while (capacity < server->tool_count * 2)
        capacity *= 2;
    size_t *index = assay_calloc(capacity, sizeof *index);
    if (index == NULL)
        return ASSAY_ERR_NOMEM;
    for (size_t entry = 0; entry < server->tool_count; entry++) {
        size_t slot = hash_name(server->tools[entry].tool.name) & (capacity - 1);
        while (index[slot] != 0)
            slot = (slot + 1) & (capacity - 1);
        index[slot] = entry + 1;
    }
    assay_free(server->tool_index);
    server->tool_index = index;
    server->tool_index_capacity = capacity;
    return ASSAY_OK;
}

const struct mcp__tool_entry *mcp__server_find_tool(const struct mcp_server *server,
                                                    const char *name)
{
    if (server->tool_index_capacity == 0)
        return NULL;
    size_t mask = server->tool_index_capacity - 1;
    for (size_t slot = hash_name(name) & mask; server->tool_index[slot] != 0;
         slot = (slot + 1) & mask) {
        const struct mcp__tool_entry *entry = &server->tools[server->tool_index[slot] - 1];
        if (strcmp(entry->tool.name, name) == 0)
            return entry;
    }
    return NULL;
}

int mcp_server_add_tool(struct mcp_server *server, const struct mcp_tool *tool)
{
    int status = check_open(server);
    if (status != ASSAY_OK)
        return status;
    if (tool == NULL || tool->name == NULL || tool->name[0] == '\0' || tool->handler == NULL)
        return reject(server, ASSAY_ERR_INVALID, "a tool needs a name and a handler");
    if (mcp__server_find_tool(server, tool->name) != NULL)
        return reject(server, ASSAY_ERR_INVALID, "tool '%s' is registered twice", tool->name);
    status = ensure_capacity((void **)&server->tools, &server->tool_capacity, server->tool_count,
                             sizeof *server->tools);
    if (status != ASSAY_OK)
        return status;

    struct mcp__tool_entry entry = {0};
    json_t *annotations = NULL;
    status = parse_object(server, "input schema", tool->name,
                          tool->input_schema_json != NULL ? tool->input_schema_json
                                                          : "{\"type\":\"object\"}",
                          &entry.input_schema);
    if (status == ASSAY_OK)
        status = parse_object(server, "output schema", tool->name, tool->output_schema_json,
                              &entry.output_schema);
    if (status == ASSAY_OK)
        status =
            parse_object(server, "annotations", tool->name, tool->annotations_json, &annotations);
    if (status != ASSAY_OK)
        goto fail;
    const json_t *type = json_object_get(entry.input_schema, "type");
    if (!json_is_string(type) || strcmp(json_string_value(type), "object") != 0) {
        status = reject(server, ASSAY_ERR_INVALID,
                        "input schema of '%s' must have \"type\": \"object\"", tool->name);
        goto fail;
    }

    int failed = 0;
    entry.tool = *tool;
    entry.tool.name = copy_text(tool->name, &failed);
    entry.tool.title = copy_text(tool->title, &failed);
    entry.tool.description = copy_text(tool->description, &failed);
    entry.tool.input_schema_json = copy_text(tool->input_schema_json, &failed);
    entry.tool.output_schema_json = copy_text(tool->output_schema_json, &failed);
    entry.tool.annotations_json = copy_text(tool->annotations_json, &failed);
    entry.listing = json_pack("{s:s, s:O}", "name", tool->name, "inputSchema", entry.input_schema);
    if (failed || entry.listing == NULL) {
        status = ASSAY_ERR_NOMEM;
        goto fail;
    }
    set_optional_string(entry.listing, "title", tool->title);
    set_optional_string(entry.listing, "description", tool->description);
    if (entry.output_schema != NULL)
        json_object_set(entry.listing, "outputSchema", entry.output_schema);
    if (annotations != NULL)
        json_object_set_new(entry.listing, "annotations", annotations);
    annotations = NULL;

    server->tools[server->tool_count++] = entry;
    status = rebuild_tool_index(server);
    if (status != ASSAY_OK) {
        server->tool_count--;
        free_tool(&server->tools[server->tool_count]);
        return status;
    }
    return ASSAY_OK;
fail:
    json_decref(annotations);
    free_tool(&entry);
    return status;
}

/* ---- resources, templates, prompts ------------------------------------------ */

int mcp_server_add_resource(struct mcp_server *server, const struct mcp_resource *resource)
{
    int status = check_open(server);
    if (status != ASSAY_OK)
        return status;
    if (resource == NULL || resource->uri == NULL || resource->name == NULL)
        return reject(server, ASSAY_ERR_INVALID, "a resource needs a uri and a name");
    if (resource->handler == NULL && resource->text == NULL && resource->blob == NULL)
        return reject(server, ASSAY_ERR_INVALID,
                      "resource '%s' needs a handler or static text or blob", resource->uri);
    for (size_t index = 0; index < server->resource_count; index++)
        if (strcmp(server->resources[index].resource.uri, resource->uri) == 0)
            return reject(server, ASSAY_ERR_INVALID, "resource '%s' is registered twice",
                          resource->uri);
    status = ensure_capacity((void **)&server->resources, &server->resource_capacity,
                             server->resource_count, sizeof *server->resources);
    if (status != ASSAY_OK)
        return status;
    struct mcp__resource_entry entry = {0};
    int failed = 0;
    entry.resource = *resource;
    entry.resource.uri = copy_text(resource->uri, &failed);
    entry.resource.name = copy_text(resource->name, &failed);
    entry.resource.title = copy_text(resource->title, &failed);
    entry.resource.description = copy_text(resource->description, &failed);
    entry.resource.mime_type = copy_text(resource->mime_type, &failed);
    entry.resource.text = copy_text(resource->text, &failed);
    entry.resource.blob = copy_text(resource->blob, &failed);
    entry.listing = json_pack("{s:s, s:s}", "uri", resource->uri, "name", resource->name);
    if (failed || entry.listing == NULL) {
        free_resource(&entry);
        return ASSAY_ERR_NOMEM;
    }
    set_optional_string(entry.listing, "title", resource->title);
    set_optional_string(entry.listing, "description", resource->description);
    set_optional_string(entry.listing, "mimeType", resource->mime_type);
    server->resources[server->resource_count++] = entry;
    return ASSAY_OK;
}

int mcp_server_add_resource_template(struct mcp_server *server,
                                     const struct mcp_resource_template *resource_template)
{
    int status = check_open(server);
    if (status != ASSAY_OK)
        return status;
    if (resource_template == NULL || resource_template->uri_template == NULL ||
        resource_template->name == NULL || resource_template->handler == NULL)
        return reject(server, ASSAY_ERR_INVALID,
                      "a resource template needs a uri_template, a name and a handler");
    const char *open = strchr(resource_template->uri_template, '{');
    const char *close = open != NULL ? strchr(open, '}') : NULL;
    if (open == NULL || close == NULL || close == open + 1)
        return reject(server, ASSAY_ERR_INVALID, "uri template '%s' has no {variable}",
                      resource_template->uri_template);
    status = ensure_capacity((void **)&server->templates, &server->template_capacity,
                             server->template_count, sizeof *server->templates);
    if (status != ASSAY_OK)
        return status;
    struct mcp__template_entry entry = {0};
    int failed = 0;
    entry.resource_template = *resource_template;
    entry.resource_template.uri_template = copy_text(resource_template->uri_template, &failed);
    entry.resource_template.name = copy_text(resource_template->name, &failed);
    entry.resource_template.title = copy_text(resource_template->title, &failed);
    entry.resource_template.description = copy_text(resource_template->description, &failed);
    entry.resource_template.mime_type = copy_text(resource_template->mime_type, &failed);
    entry.listing = json_pack("{s:s, s:s}", "uriTemplate", resource_template->uri_template, "name",
                              resource_template->name);
    if (failed || entry.listing == NULL) {
        free_template(&entry);
        return ASSAY_ERR_NOMEM;
    }
    set_optional_string(entry.listing, "title", resource_template->title);
    set_optional_string(entry.listing, "description", resource_template->description);
    set_optional_string(entry.listing, "mimeType", resource_template->mime_type);
    server->templates[server->template_count++] = entry;
    return ASSAY_OK;
}

int mcp_server_add_prompt(struct mcp_server *server, const struct mcp_prompt *prompt)
{
    int status = check_open(server);
    if (status != ASSAY_OK)
        return status;
    if (prompt == NULL || prompt->name == NULL || prompt->handler == NULL ||
        (prompt->argument_count > 0 && prompt->arguments == NULL))
        return reject(server, ASSAY_ERR_INVALID, "a prompt needs a name and a handler");
    for (size_t index = 0; index < server->prompt_count; index++)
        if (strcmp(server->prompts[index].prompt.name, prompt->name) == 0)
            return reject(server, ASSAY_ERR_INVALID, "prompt '%s' is registered twice",
                          prompt->name);
    for (size_t index = 0; index < prompt->argument_count; index++)
        if (prompt->arguments[index].name == NULL)
            return reject(server, ASSAY_ERR_INVALID, "argument %zu of prompt '%s' has no name",
                          index, prompt->name);
    status = ensure_capacity((void **)&server->prompts, &server->prompt_capacity,
                             server->prompt_count, sizeof *server->prompts);
    if (status != ASSAY_OK)
        return status;
    struct mcp__prompt_entry entry = {0};
    int failed = 0;
    entry.prompt = *prompt;
    entry.prompt.name = copy_text(prompt->name, &failed);
    entry.prompt.title = copy_text(prompt->title, &failed);
    entry.prompt.description = copy_text(prompt->description, &failed);
    entry.prompt.arguments = NULL;
    entry.prompt.argument_count = 0;
    struct mcp_prompt_argument *arguments = NULL;
    if (prompt->argument_count > 0) {
        arguments = assay_calloc(prompt->argument_count, sizeof *arguments);
        if (arguments == NULL)
            failed = 1;
        else {
            entry.prompt.arguments = arguments;
            entry.prompt.argument_count = prompt->argument_count;
            for (size_t index = 0; index < prompt->argument_count; index++) {
                arguments[index].name = copy_text(prompt->arguments[index].name, &failed);
                arguments[index].description =
                    copy_text(prompt->arguments[index].description, &failed);
                arguments[index].required = prompt->arguments[index].required;
            }
        }
    }
    entry.listing = json_pack("{s:s}", "name", prompt->name);
    json_t *listed_arguments = json_array();
    if (failed || entry.listing == NULL || listed_arguments == NULL) {
        json_decref(listed_arguments);
        free_prompt(&entry);
        return ASSAY_ERR_NOMEM;
    }
    set_optional_string(entry.listing, "title", prompt->title);
    set_optional_string(entry.listing, "description", prompt->description);
    for (size_t index = 0; index < prompt->argument_count; index++) {
        json_t *argument = json_pack("{s:s, s:b}", "name", prompt->arguments[index].name,
                                     "required", prompt->arguments[index].required != 0);
        if (argument == NULL)
            continue;
        set_optional_string(argument, "description", prompt->arguments[index].description);
        json_array_append_new(listed_arguments, argument);
    }
    json_object_set_new(entry.listing, "arguments", listed_arguments);
    server->prompts[server->prompt_count++] = entry;
    return ASSAY_OK;
}

int mcp_server_set_completion(struct mcp_server *server, mcp_completion_handler handler,
                              void *context)
{
    int status = check_open(server);
    if (status != ASSAY_OK)
        return status;
    server->completion = handler;
    server->completion_context = context;
    return ASSAY_OK;
}

/* ---- notifications outside calls ------------------------------------------ */

static int broadcast(struct mcp_server *server, const char *method, json_t *params,
                     const char *subscribed_uri)
{
    json_t *message = jsonrpc_request(NULL, method, params);
    if (message == NULL)
        return ASSAY_ERR_NOMEM;
    struct buffer text = {0};
    int status = json_write_compact(message, &text);
    json_decref(message);
    if (status != ASSAY_OK) {
        buffer_free(&text);
        return status;
    }
    int reached = 0;
    pthread_mutex_lock(&server->sessions.lock);
    for (struct mcp__session *session = server->sessions.list; session != NULL;
         session = session->next) {
        pthread_mutex_lock(&session->lock);
        int wanted = session->push != NULL && !session->closed;
        if (wanted && subscribed_uri != NULL) {
            wanted = 0;
            for (size_t index = 0; index < session->subscription_count; index++)
                if (strcmp(session->subscriptions[index], subscribed_uri) == 0)
                    wanted = 1;
        }
        if (wanted && session->push(session->push_context, text.data, text.length) == ASSAY_OK)
            reached++;
        pthread_mutex_unlock(&session->lock);
    }
    pthread_mutex_unlock(&server->sessions.lock);
    buffer_free(&text);
    return reached;
}

int mcp_server_notify_all(struct mcp_server *server, const char *method, json_t *params)
{
    return broadcast(server, method, params, NULL);
}

int mcp_server_notify_resource_updated(struct mcp_server *server, const char *uri)
{
    return broadcast(server, "notifications/resources/updated", json_pack("{s:s}", "uri", uri),
                     uri);
}

/* ---- call context ----------------------------------------------------------- */

int mcp_call_cancelled(const struct mcp_call *call)
{
    if (atomic_load(&call->cancelled) || atomic_load(&call->server->stopping))
        return 1;
    struct mcp__exchange *exchange = call->exchange;
    return exchange->ops->peer_gone != NULL && exchange->ops->peer_gone(exchange);
}

const json_t *mcp_call_progress_token(const struct mcp_call *call)
{
    return call->progress_token;
}

const char *mcp_call_session_id(const struct mcp_call *call)
{
    return call->session->indexed ? call->session->id : "";
}

const char *mcp_call_bearer_token(const struct mcp_call *call)
{
    return call->session->bearer;
}

int mcp_call_on_worker(const struct mcp_call *call)
{
    return call->on_worker;
}

static json_t *number_value(double value)
{
    if (value >= -9007199254740992.0 && value <= 9007199254740992.0 &&
        (double)(long long)value == value)
        return json_integer((json_int_t)value);
    return json_real(value);
}

int mcp_call_progress(struct mcp_call *call, double progress, double total, const char *message)
{
    if (call->progress_token == NULL)
        return ASSAY_OK;
    json_t *params = json_pack("{s:O, s:o}", "progressToken", call->progress_token, "progress",
                               number_value(progress));
    if (params == NULL)
        return ASSAY_ERR_NOMEM;
    if (total >= 0)
        json_object_set_new(params, "total", number_value(total));
    if (message != NULL)
        json_object_set_new(params, "message", json_string(message));
    json_t *notification = jsonrpc_request(NULL, "notifications/progress", params);
    if (notification == NULL)
        return ASSAY_ERR_NOMEM;
    return mcp__exchange_send_json(call->exchange, notification, 0);
}

int mcp_call_log_json(struct mcp_call *call, enum mcp_log_level level, const char *logger,
                      json_t *data)
{
    if ((int)level < atomic_load(&call->session->log_level)) {
        json_decref(data);
        return ASSAY_OK;
    }
    json_t *params = json_pack("{s:s, s:o}", "level", mcp_log_level_name(level), "data",
                               data != NULL ? data : json_null());
    if (params == NULL)
        return ASSAY_ERR_NOMEM;
    if (logger != NULL)
        json_object_set_new(params, "logger", json_string(logger));
    json_t *notification = jsonrpc_request(NULL, "notifications/message", params);
    if (notification == NULL)
        return ASSAY_ERR_NOMEM;
    return mcp__exchange_send_json(call->exchange, notification, 0);
}

int mcp_call_log(struct mcp_call *call, enum mcp_log_level level, const char *logger,
                 const char *format, ...)
{
    if ((int)level < atomic_load(&call->session->log_level))
        return ASSAY_OK;
    struct buffer text = {0};
    va_list arguments;
    va_start(arguments, format);
    int status = buffer_append_vformat(&text, format, arguments);
    va_end(arguments);
    if (status != ASSAY_OK) {
        buffer_free(&text);
        return status;
    }
    json_t *data = json_stringn(text.data != NULL ? text.data : "", text.length);
    buffer_free(&text);
    if (data == NULL)
        return ASSAY_ERR_INVALID; /* not UTF-8 */
    return mcp_call_log_json(call, level, logger, data);
}

int mcp_call_client_has_capability(const struct mcp_call *call, const char *name)
{
    unsigned bit = strcmp(name, "sampling") == 0      ? MCP__CLIENT_SAMPLING
                   : strcmp(name, "elicitation") == 0 ? MCP__CLIENT_ELICITATION
                   : strcmp(name, "roots") == 0       ? MCP__CLIENT_ROOTS
                                                      : 0;
    pthread_mutex_lock(&call->session->lock);
    int has = bit != 0 && (call->session->client_capabilities & bit) != 0;
    pthread_mutex_unlock(&call->session->lock);
    return has;
}

static void remove_outbound_locked(struct mcp__session *session, struct mcp__outbound *outbound)
{
    for (struct mcp__outbound **link = &session->outbound; *link != NULL; link = &(*link)->next)
        if (*link == outbound) {
            *link = outbound->next;
            break;
        }
}

int mcp_call_client_request(struct mcp_call *call, const char *method, json_t *params,
                            json_t **result, struct assay_error *error)
{
    *result = NULL;
    if (!call->on_worker) {
        json_decref(params);
        return assay_error_set(error, ASSAY_ERR_STATE,
                               "requests to the client need a handler flagged MCP_RUN_ON_WORKER");
    }
    const char *capability = strncmp(method, "sampling/", 9) == 0       ? "sampling"
                             : strncmp(method, "elicitation/", 12) == 0 ? "elicitation"
                             : strncmp(method, "roots/", 6) == 0        ? "roots"
                                                                        : NULL;
    if (capability != NULL && !mcp_call_client_has_capability(call, capability)) {
        json_decref(params);
        return assay_error_set(error, ASSAY_ERR_UNSUPPORTED,
                               "the client did not declare the %s capability", capability);
    }

    struct mcp__session *session = call->session;
    struct mcp__outbound outbound = {0};
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&outbound.answered, &attributes);
    pthread_condattr_destroy(&attributes);

    int status = ASSAY_OK;
    pthread_mutex_lock(&session->lock);
    if (session->closed || atomic_load(&call->cancelled)) {
        pthread_mutex_unlock(&session->lock);
        json_decref(params);
        pthread_cond_destroy(&outbound.answered);
        return assay_error_set(error, ASSAY_ERR_CANCELED, "the request was cancelled");
    }
    snprintf(outbound.id, sizeof outbound.id, "assay-%lu", ++session->next_outbound_id);
    outbound.next = session->outbound;
    session->outbound = &outbound;
    call->waiting = &outbound;
    pthread_mutex_unlock(&session->lock);

    json_t *id = json_string(outbound.id);
    json_t *message = jsonrpc_request(id, method, params);
    json_decref(id);
    if (message == NULL)
        status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    else if (mcp__exchange_send_json(call->exchange, message, 1) != ASSAY_OK)
        status = assay_error_set(error, ASSAY_ERR_UNSUPPORTED,
                                 "cannot reach the client on this request's stream");

    pthread_mutex_lock(&session->lock);
    if (status == ASSAY_OK) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        long timeout = call->server->options.client_request_timeout_ms;
        deadline.tv_sec += timeout / 1000;
        deadline.tv_nsec += (timeout % 1000) * 1000000;
        if (deadline.tv_nsec >= 1000000000) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000;
        }
        while (!outbound.done && !atomic_load(&call->cancelled) && !session->closed) {
            if (pthread_cond_timedwait(&outbound.answered, &session->lock, &deadline) != 0 &&
                !outbound.done) {
                status =
                    assay_error_set(error, ASSAY_ERR_TIMEOUT,
                                    "the client did not answer %s within %ld ms", method, timeout);
                break;
            }
        }
        if (status == ASSAY_OK && !outbound.done)
            status = assay_error_set(error, ASSAY_ERR_CANCELED, "the request was cancelled");
    }
    remove_outbound_locked(session, &outbound);
    call->waiting = NULL;
    pthread_mutex_unlock(&session->lock);
    pthread_cond_destroy(&outbound.answered);

    if (status == ASSAY_OK && outbound.error != NULL) {
        const char *text = json_string_value(json_object_get(outbound.error, "message"));
        status = assay_error_set(
            error, ASSAY_ERR_REMOTE, "the client answered %s with error %lld: %s", method,
            (long long)json_integer_value(json_object_get(outbound.error, "code")),
            text != NULL ? text : "(no message)");
    } else if (status == ASSAY_OK) {
        *result = outbound.result != NULL ? json_incref(outbound.result) : json_object();
    }
    json_decref(outbound.result);
    json_decref(outbound.error);
    return status;
}

int mcp_call_fail(struct mcp_call *call, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(call->error_message, sizeof call->error_message, format, arguments);
    va_end(arguments);
    call->failed = 1;
    return ASSAY_ERR_INVALID;
}

int mcp_call_rpc_error(struct mcp_call *call, int code, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(call->error_message, sizeof call->error_message, format, arguments);
    va_end(arguments);
    call->rpc_error_code = code != 0 ? code : JSONRPC_INTERNAL_ERROR;
    return ASSAY_ERR_PROTOCOL;
}

/* ---- result builders ------------------------------------------------------------ */

/* Built member by member rather than with json_pack: this runs once per
 * tool call and json_pack parses its format string every time. */
json_t *mcp_content_text(const char *text)
{
    /* jansson's set_new functions consume the value even when they fail. */
    json_t *content = json_object();
    if (content == NULL ||
        json_object_set_new_nocheck(content, "type", json_string_nocheck("text")) != 0 ||
        json_object_set_new_nocheck(content, "text", json_string(text != NULL ? text : "")) != 0) {
        json_decref(content);
        return NULL;
    }
    return content;
}

static json_t *text_result(const char *text, int is_error)
{
    json_t *result = json_object();
    json_t *list = json_array();
    if (result == NULL || list == NULL) {
        json_decref(result);
        json_decref(list);
        return NULL;
    }
    if (json_object_set_new_nocheck(result, "content", list) != 0 ||
        json_array_append_new(list, mcp_content_text(text)) != 0 ||
        (is_error && json_object_set_new_nocheck(result, "isError", json_true()) != 0)) {
        json_decref(result);
        return NULL;
    }
    return result;
}

json_t *mcp_result_text(const char *text)
{
    return text_result(text, 0);
}

json_t *mcp_result_error_text(const char *text)
{
    return text_result(text, 1);
}

json_t *mcp_result_structured(json_t *structured)
{
    if (structured == NULL)
        return NULL;
    struct buffer text = {0};
    json_t *result = NULL;
    if (json_strict_dump(structured, &text) == ASSAY_OK)
        result = json_pack("{s:[o], s:O}", "content", mcp_content_text(text.data),
                           "structuredContent", structured);
    buffer_free(&text);
    json_decref(structured);
    return result;
}
