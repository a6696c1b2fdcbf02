/* server.c — A2A over JSON-RPC: the agent card, request checks (content
 * type, protocol version, JSON-RPC framing, parameters) and the methods.
 *
 * Handlers run on the HTTP event threads and never block: a turn is either
 * run inline (the executor said it is quick) or handed to the worker pool,
 * and a blocking SendMessage is deferred until the turn ends. Results that
 * are already serialised (the store's text, a live task's snapshot) are
 * framed by string concatenation instead of being parsed and dumped again.
 */
#include "jsonrpc/json_write.h"
#include "a2a/server.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "a2a/errors.h"
#include "a2a/server_internal.h"
#include "core/memory.h"
#include "core/version.h"
#include "jsonrpc/json_strict.h"
#include "jsonrpc/jsonrpc.h"

#define AGENT_CARD_PATH "/.well-known/agent-card.json"
#define RPC_PATH        "/"

/* One JSON-RPC call being handled. */
struct rpc {
    struct a2a_server *server;
    struct http_request *request;
    json_t *id;     /* borrowed from the parsed request */
    json_t *params; /* an object, borrowed */
};

/* ---- answering --------------------------------------------------------------- */

static void respond_body(struct http_request *request, unsigned status, struct buffer *body)
{
    if (http_respond(request, status, "application/json", body->data, body->length) ==
        ASSAY_ERR_NOMEM)
        http_respond_error(request, 500, "out of memory");
}

/* Consumes response. JSON-RPC errors travel with HTTP 200, like results:
 * the HTTP status describes the transport, not the call. */
static void respond_json(struct http_request *request, unsigned status, json_t *response)
{
    struct buffer body = {0};
    if (response == NULL || json_write_compact(response, &body) != ASSAY_OK)
        http_respond_error(request, 500, "out of memory");
    else
        respond_body(request, status, &body);
    buffer_free(&body);
    json_decref(response);
}

static void respond_error_with(struct http_request *request, json_t *id, int code,
                               const char *field, const char *metadata_key,
                               const char *metadata_value, const char *format, va_list arguments)
{
    char message[512];
    vsnprintf(message, sizeof message, format, arguments);
    respond_json(request, 200,
                 a2a_error_response(id, code, message, field, metadata_key, metadata_value));
}

static void respond_error(struct rpc *rpc, int code, const char *field, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
static void respond_error(struct rpc *rpc, int code, const char *field, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    respond_error_with(rpc->request, rpc->id, code, field, NULL, NULL, format, arguments);
    va_end(arguments);
}

static void respond_task_error(struct rpc *rpc, int code, const char *task_id, const char *format,
                               ...) __attribute__((format(printf, 4, 5)));
static void respond_task_error(struct rpc *rpc, int code, const char *task_id, const char *format,
                               ...)
{
    va_list arguments;
    va_start(arguments, format);
    respond_error_with(rpc->request, rpc->id, code, NULL, "taskId", task_id, format, arguments);
    va_end(arguments);
}

/* An invalid-params answer from a validator's sentence "path: problem":
 * the path becomes the BadRequest field. */
static void respond_invalid(struct rpc *rpc, const struct assay_error *error)
{
    char field[160];
    const char *colon = strstr(error->message, ": ");
    size_t length = colon != NULL ? (size_t)(colon - error->message) : 0;
    if (length >= sizeof field)
        length = sizeof field - 1;
    memcpy(field, error->message, length);
    field[length] = '\0';
    respond_error(rpc, JSONRPC_INVALID_PARAMS, length > 0 ? field : NULL, "%s", error->message);
}

/* {"jsonrpc":"2.0","id":ID,"result":PREFIX TEXT SUFFIX} */
static void respond_text(struct rpc *rpc, const char *prefix, const char *text, size_t length,
                         const char *suffix)
{
    struct buffer body = {0};
    /* One allocation for the whole body: the envelope adds < 100 bytes. */
    if (buffer_reserve(&body, length + 128) == ASSAY_OK &&
        a2a__envelope(&body, rpc->id, prefix, text, length, suffix) == ASSAY_OK)
        respond_body(rpc->request, 200, &body);
    else
        http_respond_error(rpc->request, 500, "out of memory");
    buffer_free(&body);
}

/* Header values are arbitrary bytes: keep printable ASCII for messages. */
static void sanitise(char *out, size_t size, const char *text)
{
    size_t used = 0;
    for (; text != NULL && *text != '\0' && used + 1 < size; text++)
        out[used++] = (*text >= 0x20 && *text < 0x7f && *text != '\'') ? *text : '?';
    out[used] = '\0';
}

/* ---- parameters -------------------------------------------------------------- */

/* An optional integer member in [minimum, maximum]; *out keeps its default
 * when the member is absent or null. */
static int optional_integer(struct rpc *rpc, json_t *object, const char *path, const char *member,
                            long minimum, long maximum, long *out)
{
    json_t *value = json_object_get(object, member);
    if (value == NULL || json_is_null(value))
        return ASSAY_OK;
    if (!json_is_integer(value) || json_integer_value(value) < minimum ||
        json_integer_value(value) > maximum) {
        char field[96];
        snprintf(field, sizeof field, "%s.%s", path, member);
        if (maximum == 0x7fffffff)
            respond_error(rpc, JSONRPC_INVALID_PARAMS, field, "%s must be an integer >= %ld", field,
                          minimum);
        else
            respond_error(rpc, JSONRPC_INVALID_PARAMS, field,
                          "%s must be an integer between %ld and %ld", field, minimum, maximum);
        return ASSAY_ERR_INVALID;
    }
    *out = (long)json_integer_value(value);
    return ASSAY_OK;
}

static int optional_boolean(struct rpc *rpc, json_t *object, const char *path, const char *member,
                            int *out)
{
    json_t *value = json_object_get(object, member);
    if (value == NULL || json_is_null(value))
        return ASSAY_OK;
    if (!json_is_boolean(value)) {
        char field[96];
        snprintf(field, sizeof field, "%s.%s", path, member);
        respond_error(rpc, JSONRPC_INVALID_PARAMS, field, "%s must be true or false", field);
        return ASSAY_ERR_INVALID;
    }
    *out = json_is_true(value);
    return ASSAY_OK;
}

/* An optional string member; "" counts as absent (proto3 default). */
static int optional_text(struct rpc *rpc, json_t *object, const char *path, const char *member,
                         const char **out)
{
    json_t *value = json_object_get(object, member);
    *out = NULL;
    if (value == NULL || json_is_null(value))
        return ASSAY_OK;
    if (!json_is_string(value)) {
        char field[96];
        snprintf(field, sizeof field, "%s.%s", path, member);
        respond_error(rpc, JSONRPC_INVALID_PARAMS, field, "%s must be a string", field);
        return ASSAY_ERR_INVALID;
    }
    if (json_string_length(value) > 0)
        *out = json_string_value(value);
    return ASSAY_OK;
}

/* The task "id" that GetTask, CancelTask and SubscribeToTask require. */
static const char *required_task_id(struct rpc *rpc)
{
    const char *task_id = NULL;
    if (optional_text(rpc, rpc->params, "params", "id", &task_id) != ASSAY_OK)
        return NULL;
    if (task_id == NULL)
        respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.id",
                      "params.id is required: the id of the task");
    return task_id;
}

/* Our own serialisation, so no depth limit beyond jansson's: a task nests a
 * few levels deeper than the request that created it. */
static json_t *parse_stored(const struct buffer *text)
{
    return json_loadb(text->data, text->length, 0, NULL);
}

static enum a2a_task_state stored_state(const json_t *task_json)
{
    enum a2a_task_state state = A2A_TASK_STATE_UNSPECIFIED;
    a2a_task_state_parse(
        json_string_value(json_object_get(json_object_get(task_json, "status"), "state")), &state);
    return state;
}

/* ---- turns ------------------------------------------------------------------- */

struct turn_options {
    int streaming;
    int blocking;
    int history_length; /* -1: all */
};

/* Takes the live task out of the table (when it never ran). */
static void retire(struct a2a_server *server, struct a2a_execution *task)
{
    pthread_mutex_lock(&server->table_lock);
    pthread_mutex_lock(&task->lock);
    a2a__table_remove_locked(server, task);
    pthread_mutex_unlock(&task->lock);
    pthread_mutex_unlock(&server->table_lock);
}

static void respond_task_locked(struct rpc *rpc, struct a2a_execution *task, int history_length,
                                const char *prefix, const char *suffix)
{
    if (history_length < 0 && task->snapshot.length > 0) {
        /* The common case: frame the saved text, no second serialisation. */
        respond_text(rpc, prefix, task->snapshot.data, task->snapshot.length, suffix);
        return;
    }
    struct buffer text = {0};
    if (a2a__task_dump_locked(task, history_length, &text) == ASSAY_OK)
        respond_text(rpc, prefix, text.data, text.length, suffix);
    else
        http_respond_error(rpc->request, 500, "out of memory");
    buffer_free(&text);
}

/* An error inside an already-open stream: one JSON-RPC error event. */
static void stream_error(struct http_stream *stream, json_t *id, int code, const char *message)
{
    json_t *response = a2a_error_response(id, code, message, NULL, NULL, NULL);
    struct buffer text = {0}, event = {0};
    if (response != NULL && json_write_compact(response, &text) == ASSAY_OK &&
        buffer_append_string(&event, "data: ") == ASSAY_OK &&
        buffer_append(&event, text.data, text.length) == ASSAY_OK &&
        buffer_append_string(&event, "\n\n") == ASSAY_OK)
        http_stream_write(stream, event.data, event.length);
    buffer_free(&text);
    buffer_free(&event);
    json_decref(response);
}

/* Runs a new turn of a live task that is in the table. Consumes the
 * caller's reference. */
static void launch(struct rpc *rpc, struct a2a_execution *task, const struct turn_options *turn)
{
    struct a2a_server *server = rpc->server;
    int inline_turn = server->executor.runs_inline != NULL &&
                      server->executor.runs_inline(task->message, server->executor.context);
    struct http_stream *stream = NULL;
    if (turn->streaming) {
        stream = http_respond_stream(rpc->request, 200, "text/event-stream");
        if (stream == NULL) { /* already answered (429 or 500) */
            retire(server, task);
            a2a__task_release(task);
            return;
        }
        pthread_mutex_lock(&task->lock);
        a2a__task_subscribe_locked(task, stream, rpc->id, turn->history_length);
        pthread_mutex_unlock(&task->lock);
    }
    if (inline_turn) {
        a2a__task_run(task);
        if (!turn->streaming) {
            pthread_mutex_lock(&task->lock);
            respond_task_locked(rpc, task, turn->history_length, "{\"task\":", "}");
            pthread_mutex_unlock(&task->lock);
        }
        a2a__task_release(task);
        return;
    }

    pthread_mutex_lock(&task->lock);
    int status = a2a__task_save_locked(task);
    if (status != ASSAY_OK) {
        pthread_mutex_unlock(&task->lock);
        retire(server, task);
        const char *message = status == ASSAY_ERR_LIMIT
                                  ? "the agent holds too many unfinished tasks; retry later"
                                  : "the task could not be stored";
        if (turn->streaming)
            stream_error(stream, rpc->id, JSONRPC_INTERNAL_ERROR, message);
        else
            respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "%s", message);
        /* The subscriber (if any) is closed when the task is released. */
        a2a__task_release(task);
        return;
    }
    if (!turn->streaming && turn->blocking &&
        a2a__task_add_waiter_locked(task, rpc->request, rpc->id, turn->history_length) !=
            ASSAY_OK) {
        pthread_mutex_unlock(&task->lock);
        retire(server, task);
        http_respond_error(rpc->request, 500, "out of memory");
        a2a__task_release(task);
        return;
    }
    a2a__task_retain(task); /* the pool's */
    status = a2a__pool_submit(&server->pool, task);
    if (status != ASSAY_OK) {
        a2a__task_release(task);
        a2a__task_fail_locked(task, status == ASSAY_ERR_LIMIT
                                        ? "the agent is overloaded (too many queued turns); "
                                          "retry later"
                                        : "the agent is shutting down");
    }
    if (!turn->streaming && !turn->blocking)
        respond_task_locked(rpc, task, turn->history_length, "{\"task\":", "}");
    pthread_mutex_unlock(&task->lock);
    if (status != ASSAY_OK)
        retire(server, task);
    a2a__task_release(task);
}

/* A new message on an existing task (message.taskId set). */
static void continue_task_with(struct rpc *rpc, json_t *message, const char *task_id,
                               const char *context_id, const struct turn_options *turn)
{
    struct a2a_server *server = rpc->server;
    pthread_mutex_lock(&server->table_lock);
    struct a2a_execution *task = a2a__table_find_locked(server, task_id);
    if (task != NULL) {
        /* Still live: its previous turn is ending (or still running). */
        pthread_mutex_lock(&task->lock);
        if (a2a_task_state_is_terminal(task->state)) {
            respond_task_error(rpc, A2A_ERROR_UNSUPPORTED_OPERATION, task_id,
                               "task %s is in a terminal state (%s) and accepts no more messages",
                               task_id, a2a_task_state_name(task->state));
        } else if (!a2a_task_state_is_interrupted(task->state) || task->next_message != NULL) {
            respond_task_error(rpc, A2A_ERROR_UNSUPPORTED_OPERATION, task_id,
                               "task %s is still working on its previous message; send the next "
                               "one when it asks for input",
                               task_id);
        } else if (context_id != NULL && strcmp(context_id, task->context_id) != 0) {
            respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.message.contextId",
                          "params.message.contextId does not match the context of task %s",
                          task_id);
        } else {
            json_object_set_new(message, "taskId", json_string(task->task_id));
            json_object_set_new(message, "contextId", json_string(task->context_id));
            int status = a2a__task_follow_up_locked(task, message);
            if (status != ASSAY_OK) {
                respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "out of memory");
            } else if (turn->streaming) {
                struct http_stream *stream =
                    http_respond_stream(rpc->request, 200, "text/event-stream");
                if (stream != NULL)
                    a2a__task_subscribe_locked(task, stream, rpc->id, turn->history_length);
            } else if (turn->blocking) {
                if (a2a__task_add_waiter_locked(task, rpc->request, rpc->id,
                                                turn->history_length) != ASSAY_OK)
                    http_respond_error(rpc->request, 500, "out of memory");
            } else {
                respond_task_locked(rpc, task, turn->history_length, "{\"task\":", "}");
            }
        }
        pthread_mutex_unlock(&task->lock);
        pthread_mutex_unlock(&server->table_lock);
        a2a__task_release(task);
        return;
    }

    /* Not live: the store has it (or not). The table lock stays held so a
     * concurrent follow-up or cancel cannot revive the task twice. */
    struct buffer text = {0};
    json_t *task_json = NULL;
    int status = server->store->load(server->store, task_id, &text);
    if (status == ASSAY_ERR_NOT_FOUND) {
        respond_task_error(rpc, A2A_ERROR_TASK_NOT_FOUND, task_id, "task %s not found", task_id);
        goto done;
    }
    if (status != ASSAY_OK || (task_json = parse_stored(&text)) == NULL) {
        respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "task %s could not be read", task_id);
        goto done;
    }
    enum a2a_task_state state = stored_state(task_json);
    const char *stored_context = json_string_value(json_object_get(task_json, "contextId"));
    if (a2a_task_state_is_terminal(state)) {
        respond_task_error(rpc, A2A_ERROR_UNSUPPORTED_OPERATION, task_id,
                           "task %s is in a terminal state (%s) and accepts no more messages",
                           task_id, a2a_task_state_name(state));
        goto done;
    }
    if (!a2a_task_state_is_interrupted(state)) {
        respond_task_error(rpc, A2A_ERROR_UNSUPPORTED_OPERATION, task_id,
                           "task %s is not waiting for input (%s)", task_id,
                           a2a_task_state_name(state));
        goto done;
    }
    if (context_id != NULL && (stored_context == NULL || strcmp(context_id, stored_context) != 0)) {
        respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.message.contextId",
                      "params.message.contextId does not match the context of task %s", task_id);
        goto done;
    }
    json_object_set_new(message, "taskId", json_string(task_id));
    json_object_set_new(message, "contextId",
                        json_string(stored_context != NULL ? stored_context : ""));
    json_t *history = json_object_get(task_json, "history");
    if (!json_is_array(history)) {
        history = json_array();
        json_object_set_new(task_json, "history", history);
    }
    int64_t now = a2a_now_ms();
    if (json_array_append(history, message) != 0 ||
        a2a__task_json_set_status(task_json, A2A_TASK_STATE_SUBMITTED, NULL, now) != ASSAY_OK) {
        respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "out of memory");
        goto done;
    }
    task = a2a__task_new(server, task_json, message, A2A_TASK_STATE_SUBMITTED, now, 1);
    task_json = NULL; /* taken over */
    if (task == NULL) {
        respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "out of memory");
        goto done;
    }
    task->visible = 1; /* already in the store: every change is saved */
    a2a__table_insert_locked(server, task);
    pthread_mutex_unlock(&server->table_lock);
    buffer_free(&text);
    launch(rpc, task, turn);
    return;
done:
    pthread_mutex_unlock(&server->table_lock);
    json_decref(task_json);
    buffer_free(&text);
}

static void continue_task(struct rpc *rpc, json_t *message, const char *message_task_id,
                          const char *message_context_id, const struct turn_options *turn)
{
    /* The ids point into the message, whose members are replaced below. */
    char *task_id = assay_strdup(message_task_id);
    char *context_id = message_context_id != NULL ? assay_strdup(message_context_id) : NULL;
    if (task_id == NULL || (message_context_id != NULL && context_id == NULL)) {
        respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "out of memory");
        assay_free(task_id);
        assay_free(context_id);
        return;
    }
    continue_task_with(rpc, message, task_id, context_id, turn);
    assay_free(task_id);
    assay_free(context_id);
}

/* SendMessage and SendStreamingMessage. */
static void method_send(struct rpc *rpc, int streaming)
{
    struct a2a_server *server = rpc->server;
    json_t *message = json_object_get(rpc->params, "message");
    struct assay_error error = {0};
    if (message == NULL) {
        respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.message",
                      "params.message is required: the Message to send");
        return;
    }
    if (a2a_message_validate(message, "params.message", &error) != ASSAY_OK) {
        respond_invalid(rpc, &error);
        return;
    }
    if (a2a_message_role(message) != A2A_ROLE_USER) {
        respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.message.role",
                      "params.message.role must be ROLE_USER in a message sent to an agent");
        return;
    }
    json_t *configuration = json_object_get(rpc->params, "configuration");
    struct turn_options turn = {.streaming = streaming, .blocking = 1, .history_length = -1};
    if (configuration != NULL && !json_is_null(configuration)) {
        if (!json_is_object(configuration)) {
            respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.configuration",
                          "params.configuration must be an object");
            return;
        }
        long history_length = -1;
        int return_immediately = 0;
        if (optional_integer(rpc, configuration, "params.configuration", "historyLength", 0,
                             0x7fffffff, &history_length) != ASSAY_OK ||
            optional_boolean(rpc, configuration, "params.configuration", "returnImmediately",
                             &return_immediately) != ASSAY_OK)
            return;
        json_t *modes = json_object_get(configuration, "acceptedOutputModes");
        if (modes != NULL && !json_is_null(modes)) {
            size_t index;
            json_t *mode;
            int valid = json_is_array(modes);
            json_array_foreach(modes, index, mode) valid = valid && json_is_string(mode);
            if (!valid) {
                respond_error(rpc, JSONRPC_INVALID_PARAMS,
                              "params.configuration.acceptedOutputModes",
                              "params.configuration.acceptedOutputModes must be an array of "
                              "media types");
                return;
            }
        }
        json_t *push = json_object_get(configuration, "taskPushNotificationConfig");
        if (push != NULL && !json_is_null(push)) {
            respond_error(rpc, A2A_ERROR_PUSH_NOTIFICATION_NOT_SUPPORTED, NULL,
                          "push notifications are not supported by this agent "
                          "(capabilities.pushNotifications is false)");
            return;
        }
        turn.history_length = (int)history_length;
        turn.blocking = !return_immediately;
    }
    json_t *metadata = json_object_get(rpc->params, "metadata");
    if (metadata != NULL && !json_is_null(metadata) && !json_is_object(metadata)) {
        respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.metadata",
                      "params.metadata must be an object");
        return;
    }
    const char *task_id = json_string_value(json_object_get(message, "taskId"));
    const char *context_id = json_string_value(json_object_get(message, "contextId"));
    if (task_id != NULL && task_id[0] == '\0')
        task_id = NULL;
    if (context_id != NULL && context_id[0] == '\0')
        context_id = NULL;
    if (task_id != NULL) {
        continue_task(rpc, message, task_id, context_id, &turn);
        return;
    }

    char new_task_id[A2A_ID_SIZE], new_context_id[A2A_ID_SIZE];
    a2a_id_generate(new_task_id);
    if (context_id == NULL) {
        a2a_id_generate(new_context_id);
        context_id = new_context_id;
    }
    json_object_set_new_nocheck(message, "taskId", json_string_nocheck(new_task_id));
    json_object_set_new_nocheck(message, "contextId", json_string(context_id));
    context_id = json_string_value(json_object_get(message, "contextId"));
    int64_t now = a2a_now_ms();
    json_t *task_json = a2a__task_json_new(new_task_id, context_id, message, now);
    struct a2a_execution *task = task_json != NULL ? a2a__task_new(server, task_json, message,
                                                                   A2A_TASK_STATE_SUBMITTED, now, 0)
                                                   : NULL;
    if (task == NULL) {
        respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "out of memory");
        return;
    }
    pthread_mutex_lock(&server->table_lock);
    a2a__table_insert_locked(server, task);
    pthread_mutex_unlock(&server->table_lock);
    launch(rpc, task, &turn);
}

static void method_get_task(struct rpc *rpc)
{
    struct a2a_server *server = rpc->server;
    const char *task_id = required_task_id(rpc);
    long history_length = -1;
    if (task_id == NULL || optional_integer(rpc, rpc->params, "params", "historyLength", 0,
                                            0x7fffffff, &history_length) != ASSAY_OK)
        return;
    pthread_mutex_lock(&server->table_lock);
    struct a2a_execution *task = a2a__table_find_locked(server, task_id);
    pthread_mutex_unlock(&server->table_lock);
    if (task != NULL) {
        pthread_mutex_lock(&task->lock);
        respond_task_locked(rpc, task, (int)history_length, NULL, NULL);
        pthread_mutex_unlock(&task->lock);
        a2a__task_release(task);
        return;
    }
    struct buffer text = {0}, view = {0};
    int status = server->store->load(server->store, task_id, &text);
    if (status == ASSAY_ERR_NOT_FOUND) {
        respond_task_error(rpc, A2A_ERROR_TASK_NOT_FOUND, task_id, "task %s not found", task_id);
    } else if (status != ASSAY_OK) {
        respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "task %s could not be read", task_id);
    } else if (history_length < 0) {
        respond_text(rpc, NULL, text.data, text.length, NULL); /* the stored text as it is */
    } else {
        json_t *task_json = parse_stored(&text);
        if (task_json != NULL &&
            a2a__task_dump_view(task_json, (int)history_length, 1, &view) == ASSAY_OK)
            respond_text(rpc, NULL, view.data, view.length, NULL);
        else
            respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "task %s could not be read", task_id);
        json_decref(task_json);
    }
    buffer_free(&text);
    buffer_free(&view);
}

static void method_cancel_task(struct rpc *rpc)
{
    struct a2a_server *server = rpc->server;
    const char *task_id = required_task_id(rpc);
    json_t *metadata = json_object_get(rpc->params, "metadata");
    if (task_id == NULL)
        return;
    if (metadata != NULL && !json_is_null(metadata) && !json_is_object(metadata)) {
        respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.metadata",
                      "params.metadata must be an object");
        return;
    }
    pthread_mutex_lock(&server->table_lock);
    struct a2a_execution *task = a2a__table_find_locked(server, task_id);
    if (task != NULL) {
        pthread_mutex_lock(&task->lock);
        int status = a2a__task_cancel_locked(task);
        if (status == ASSAY_ERR_STATE)
            respond_task_error(rpc, A2A_ERROR_TASK_NOT_CANCELABLE, task_id,
                               "task %s is %s and can no longer be canceled", task_id,
                               a2a_task_state_name(task->state));
        else
            respond_task_locked(rpc, task, -1, NULL, NULL);
        pthread_mutex_unlock(&task->lock);
        pthread_mutex_unlock(&server->table_lock);
        if (status == ASSAY_OK && server->executor.cancel != NULL)
            server->executor.cancel(task, server->executor.context);
        a2a__task_release(task);
        return;
    }
    struct buffer text = {0}, view = {0};
    json_t *task_json = NULL;
    int status = server->store->load(server->store, task_id, &text);
    if (status == ASSAY_ERR_NOT_FOUND) {
        respond_task_error(rpc, A2A_ERROR_TASK_NOT_FOUND, task_id, "task %s not found", task_id);
    } else if (status != ASSAY_OK || (task_json = parse_stored(&text)) == NULL) {
        respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "task %s could not be read", task_id);
    } else {
        enum a2a_task_state state = stored_state(task_json);
        if (state == A2A_TASK_STATE_CANCELED) {
            respond_text(rpc, NULL, text.data, text.length, NULL); /* canceling twice is fine */
        } else if (a2a_task_state_is_terminal(state)) {
            respond_task_error(rpc, A2A_ERROR_TASK_NOT_CANCELABLE, task_id,
                               "task %s is %s and can no longer be canceled", task_id,
                               a2a_task_state_name(state));
        } else {
            /* Waiting for input (nothing runs): cancel it in the store. */
            int64_t now = a2a_now_ms();
            const char *context_id = json_string_value(json_object_get(task_json, "contextId"));
            struct a2a_task_summary summary = {.task_id = task_id,
                                               .context_id = context_id != NULL ? context_id : "",
                                               .state = A2A_TASK_STATE_CANCELED,
                                               .timestamp_ms = now};
            if (a2a__task_json_set_status(task_json, A2A_TASK_STATE_CANCELED,
                                          a2a_agent_text_message_new("canceled on request"),
                                          now) == ASSAY_OK &&
                json_write_compact(task_json, &view) == ASSAY_OK &&
                server->store->save(server->store, &summary, view.data, view.length) == ASSAY_OK)
                respond_text(rpc, NULL, view.data, view.length, NULL);
            else
                respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "task %s could not be canceled",
                              task_id);
        }
    }
    pthread_mutex_unlock(&server->table_lock);
    json_decref(task_json);
    buffer_free(&text);
    buffer_free(&view);
}

static void method_subscribe(struct rpc *rpc)
{
    struct a2a_server *server = rpc->server;
    const char *task_id = required_task_id(rpc);
    if (task_id == NULL)
        return;
    pthread_mutex_lock(&server->table_lock);
    struct a2a_execution *task = a2a__table_find_locked(server, task_id);
    if (task != NULL) {
        pthread_mutex_lock(&task->lock);
        if (a2a_task_state_is_terminal(task->state)) {
            respond_task_error(
                rpc, A2A_ERROR_UNSUPPORTED_OPERATION, task_id,
                "task %s is in a terminal state (%s); there is nothing to subscribe to", task_id,
                a2a_task_state_name(task->state));
        } else {
            struct http_stream *stream =
                http_respond_stream(rpc->request, 200, "text/event-stream");
            if (stream != NULL)
                a2a__task_subscribe_locked(task, stream, rpc->id, -1);
        }
        pthread_mutex_unlock(&task->lock);
        pthread_mutex_unlock(&server->table_lock);
        a2a__task_release(task);
        return;
    }
    struct buffer text = {0}, event = {0};
    json_t *task_json = NULL;
    int status = server->store->load(server->store, task_id, &text);
    if (status == ASSAY_ERR_NOT_FOUND) {
        respond_task_error(rpc, A2A_ERROR_TASK_NOT_FOUND, task_id, "task %s not found", task_id);
    } else if (status != ASSAY_OK || (task_json = parse_stored(&text)) == NULL) {
        respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "task %s could not be read", task_id);
    } else if (a2a_task_state_is_terminal(stored_state(task_json))) {
        respond_task_error(rpc, A2A_ERROR_UNSUPPORTED_OPERATION, task_id,
                           "task %s is in a terminal state (%s); there is nothing to subscribe to",
                           task_id, a2a_task_state_name(stored_state(task_json)));
    } else {
        /* Waiting for input: the stream is the task, then ends (an
         * interrupted state ends a stream). */
        struct http_stream *stream = http_respond_stream(rpc->request, 200, "text/event-stream");
        struct buffer id_text = {0};
        if (stream != NULL &&
            json_write_compact(rpc->id != NULL ? rpc->id : json_null(), &id_text) == ASSAY_OK &&
            buffer_append_string(&event, "{\"task\":") == ASSAY_OK &&
            buffer_append(&event, text.data, text.length) == ASSAY_OK &&
            buffer_append_string(&event, "}") == ASSAY_OK) {
            struct buffer framed = {0};
            if (a2a__sse_envelope(&framed, id_text.data, event.data, event.length) == ASSAY_OK)
                http_stream_write(stream, framed.data, framed.length);
            buffer_free(&framed);
        }
        buffer_free(&id_text);
        if (stream != NULL)
            http_stream_close(stream);
    }
    pthread_mutex_unlock(&server->table_lock);
    json_decref(task_json);
    buffer_free(&text);
    buffer_free(&event);
}

static void method_list_tasks(struct rpc *rpc)
{
    struct a2a_server *server = rpc->server;
    json_t *params = rpc->params;
    struct a2a_task_query query = {.updated_since_ms = INT64_MIN, .page_size = 50};
    const char *status_name = NULL, *since = NULL;
    long page_size = 50, history_length = -1;
    int include_artifacts = 0;
    if (optional_text(rpc, params, "params", "contextId", &query.context_id) != ASSAY_OK ||
        optional_text(rpc, params, "params", "status", &status_name) != ASSAY_OK ||
        optional_integer(rpc, params, "params", "pageSize", 1, 100, &page_size) != ASSAY_OK ||
        optional_text(rpc, params, "params", "pageToken", &query.page_token) != ASSAY_OK ||
        optional_integer(rpc, params, "params", "historyLength", 0, 0x7fffffff, &history_length) !=
            ASSAY_OK ||
        optional_text(rpc, params, "params", "statusTimestampAfter", &since) != ASSAY_OK ||
        optional_boolean(rpc, params, "params", "includeArtifacts", &include_artifacts) != ASSAY_OK)
        return;
    if (status_name != NULL && a2a_task_state_parse(status_name, &query.state) != ASSAY_OK) {
        respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.status",
                      "params.status must be a TaskState such as TASK_STATE_WORKING");
        return;
    }
    if (since != NULL && a2a_timestamp_parse(since, &query.updated_since_ms) != ASSAY_OK) {
        respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.statusTimestampAfter",
                      "params.statusTimestampAfter must be an ISO 8601 timestamp such as "
                      "2026-01-02T03:04:05Z");
        return;
    }
    query.page_size = (size_t)page_size;
    struct a2a_task_page page;
    int status = server->store->list(server->store, &query, &page);
    if (status == ASSAY_ERR_INVALID) {
        respond_error(rpc, JSONRPC_INVALID_PARAMS, "params.pageToken",
                      "params.pageToken is not a page token this agent issued");
        return;
    }
    if (status != ASSAY_OK) {
        respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "tasks could not be listed");
        return;
    }
    struct buffer result = {0};
    status = buffer_append_string(&result, "{\"tasks\":[");
    for (size_t index = 0; status == ASSAY_OK && index < page.count; index++) {
        struct buffer text = {.data = page.tasks[index], .length = page.lengths[index]};
        json_t *task_json = parse_stored(&text);
        if (index > 0)
            status = buffer_append_string(&result, ",");
        if (status == ASSAY_OK)
            status = task_json != NULL ? a2a__task_dump_view(task_json, (int)history_length,
                                                             include_artifacts, &result)
                                       : ASSAY_ERR_INVALID;
        json_decref(task_json);
    }
    json_t *token = json_string(page.next_page_token); /* escaped whatever the store made */
    if (status == ASSAY_OK)
        status = buffer_append_string(&result, "],\"nextPageToken\":");
    if (status == ASSAY_OK)
        status = token != NULL ? json_write_compact(token, &result) : ASSAY_ERR_NOMEM;
    if (status == ASSAY_OK)
        status = buffer_append_format(&result, ",\"pageSize\":%ld,\"totalSize\":%zu}", page_size,
                                      page.total);
    json_decref(token);
    if (status == ASSAY_OK)
        respond_text(rpc, NULL, result.data, result.length, NULL);
    else
        respond_error(rpc, JSONRPC_INTERNAL_ERROR, NULL, "tasks could not be listed");
    buffer_free(&result);
    a2a_task_page_free(&page);
}

/* ---- the endpoint ------------------------------------------------------------- */

/* Reads a decimal number; NULL when there is none. */
static const char *read_number(const char *text, long *value)
{
    if (*text < '0' || *text > '9')
        return NULL;
    *value = 0;
    while (*text >= '0' && *text <= '9' && *value < 100000)
        *value = *value * 10 + (*text++ - '0');
    return text;
}

/* 1 for "1.0" (and "1", "1.0.3": patch versions do not count). */
static int version_supported(const char *version)
{
    long major = 0, minor = 0, patch = 0;
    while (*version == ' ' || *version == '\t')
        version++;
    const char *rest = read_number(version, &major);
    if (rest != NULL && *rest == '.')
        rest = read_number(rest + 1, &minor);
    if (rest != NULL && *rest == '.')
        rest = read_number(rest + 1, &patch);
    while (rest != NULL && (*rest == ' ' || *rest == '\t'))
        rest++;
    return rest != NULL && *rest == '\0' && major == 1 && minor == 0;
}

static void dispatch(struct rpc *rpc, const char *method)
{
    static const char *const push_methods[] = {
        "CreateTaskPushNotificationConfig", "GetTaskPushNotificationConfig",
        "ListTaskPushNotificationConfigs", "DeleteTaskPushNotificationConfig"};
    for (size_t index = 0; index < 4; index++)
        if (strcmp(method, push_methods[index]) == 0) {
            respond_error(rpc, A2A_ERROR_PUSH_NOTIFICATION_NOT_SUPPORTED, NULL,
                          "push notifications are not supported by this agent "
                          "(capabilities.pushNotifications is false)");
            return;
        }
    if (strcmp(method, "GetExtendedAgentCard") == 0) {
        respond_error(rpc, A2A_ERROR_UNSUPPORTED_OPERATION, NULL,
                      "this agent has no extended agent card (capabilities.extendedAgentCard is "
                      "false); the public card is at " AGENT_CARD_PATH);
        return;
    }
    static const char *const methods[] = {"SendMessage", "SendStreamingMessage", "GetTask",
                                          "ListTasks",   "CancelTask",           "SubscribeToTask"};
    size_t known = 0;
    while (known < 6 && strcmp(method, methods[known]) != 0)
        known++;
    if (known == 6) {
        respond_error(rpc, JSONRPC_METHOD_NOT_FOUND, NULL,
                      "method '%.100s' not found; this agent serves SendMessage, "
                      "SendStreamingMessage, GetTask, ListTasks, CancelTask and SubscribeToTask",
                      method);
        return;
    }
    if (!json_is_object(rpc->params)) {
        if (rpc->params == NULL)
            respond_error(rpc, JSONRPC_INVALID_PARAMS, "params",
                          "params is required: an object with the %s request", method);
        else
            respond_error(rpc, JSONRPC_INVALID_PARAMS, "params",
                          "params must be an object with the %s request", method);
        return;
    }
    switch (known) {
    case 0:
        method_send(rpc, 0);
        break;
    case 1:
        method_send(rpc, 1);
        break;
    case 2:
        method_get_task(rpc);
        break;
    case 3:
        method_list_tasks(rpc);
        break;
    case 4:
        method_cancel_task(rpc);
        break;
    default:
        method_subscribe(rpc);
        break;
    }
}

static void handle_rpc(struct http_request *request, void *context)
{
    struct a2a_server *server = context;
    if (atomic_load(&server->stopping)) {
        respond_json(request, 503,
                     a2a_error_response(NULL, JSONRPC_INTERNAL_ERROR, "the agent is shutting down",
                                        NULL, NULL, NULL));
        return;
    }
    /* Content type first, as the official SDK does: a body that is not
     * JSON is not parsed at all. A missing header is accepted. */
    const char *content_type = http_request_header(request, "Content-Type");
    if (content_type != NULL) {
        size_t length = strcspn(content_type, ";");
        while (length > 0 && (content_type[length - 1] == ' ' || content_type[length - 1] == '\t'))
            length--;
        while (length > 0 && (*content_type == ' ' || *content_type == '\t')) {
            content_type++;
            length--;
        }
        if (length != 16 || strncasecmp(content_type, "application/json", 16) != 0) {
            char shown[96];
            sanitise(shown, sizeof shown, content_type);
            respond_json(request, 200,
                         a2a_error_response(NULL, A2A_ERROR_CONTENT_TYPE_NOT_SUPPORTED,
                                            "this endpoint takes JSON-RPC requests with "
                                            "Content-Type application/json",
                                            NULL, "contentType", shown));
            return;
        }
    }
    size_t length = 0;
    const char *body = http_request_body(request, &length);
    struct jsonrpc_message message;
    json_t *error_response = NULL;
    if (jsonrpc_parse_request(body, length, JSON_STRICT_DEFAULT_DEPTH, &message, &error_response) !=
        ASSAY_OK) {
        /* Rebuild with ErrorInfo details, like every other error we send. */
        if (error_response == NULL) {
            http_respond_error(request, 500, "out of memory");
            return;
        }
        json_t *error = json_object_get(error_response, "error");
        json_t *rebuilt = a2a_error_response(
            json_object_get(error_response, "id"),
            (int)json_integer_value(json_object_get(error, "code")),
            json_string_value(json_object_get(error, "message")), NULL, NULL, NULL);
        respond_json(request, 200, rebuilt != NULL ? rebuilt : json_incref(error_response));
        json_decref(error_response);
        return;
    }
    struct rpc rpc = {
        .server = server, .request = request, .id = message.id, .params = message.params};
    const char *version = http_request_header(request, "A2A-Version");
    if (version == NULL || version[0] == '\0')
        version = http_request_query(request, "A2A-Version");
    if (version == NULL || version[0] == '\0') {
        respond_error(&rpc, A2A_ERROR_VERSION_NOT_SUPPORTED, NULL,
                      "A2A protocol version 0.3 (implied by the missing A2A-Version header) is "
                      "not supported; this agent supports version 1.0: send the header "
                      "'A2A-Version: 1.0'");
    } else if (!version_supported(version)) {
        char shown[64];
        sanitise(shown, sizeof shown, version);
        respond_error(&rpc, A2A_ERROR_VERSION_NOT_SUPPORTED, NULL,
                      "A2A protocol version '%s' is not supported; this agent supports version "
                      "1.0: send the header 'A2A-Version: 1.0'",
                      shown);
    } else {
        dispatch(&rpc, message.method);
    }
    jsonrpc_message_release(&message);
}

static void handle_card(struct http_request *request, void *context)
{
    struct a2a_server *server = context;
    if (!atomic_load_explicit(&server->card_ready, memory_order_acquire)) {
        http_respond_error(request, 503, "the agent card is not ready yet");
        return;
    }
    http_request_add_response_header(request, "Cache-Control", "public, max-age=60");
    http_respond(request, 200, "application/json", server->card_text, server->card_length);
}

/* ---- lifetime ----------------------------------------------------------------- */

static void worker_run(struct a2a_execution *task)
{
    a2a__task_run(task);
    a2a__task_release(task);
}

static int build_card(struct a2a_server *server)
{
    json_t *skills = server->skills != NULL ? json_incref(server->skills)
                                            : json_pack("[{s:s, s:s, s:s, s:[s]}]", "id", "default",
                                                        "name", server->name, "description",
                                                        server->description, "tags", "assay");
    json_t *card = json_pack(
        "{s:s, s:s, s:s, s:[{s:s, s:s, s:s}], s:{s:b, s:b, s:b}, s:[s], s:[s], s:o}", "name",
        server->name, "description", server->description, "version", server->version,
        "supportedInterfaces", "url", server->url, "protocolBinding", "JSONRPC", "protocolVersion",
        ASSAY_A2A_PROTOCOL_VERSION, "capabilities", "streaming", 1, "pushNotifications", 0,
        "extendedAgentCard", 0, "defaultInputModes", "text/plain", "defaultOutputModes",
        "text/plain", "skills", skills);
    if (card == NULL)
        return ASSAY_ERR_NOMEM;
    struct buffer text = {0};
    int status = json_write_compact(card, &text);
    json_decref(card);
    if (status != ASSAY_OK) {
        buffer_free(&text);
        return status;
    }
    server->card_length = text.length;
    server->card_text = buffer_detach(&text);
    atomic_store_explicit(&server->card_ready, 1, memory_order_release);
    return ASSAY_OK;
}

int a2a_server_new(const struct a2a_server_options *options, struct a2a_server **out)
{
    if (options == NULL || options->executor.execute == NULL)
        return ASSAY_ERR_INVALID;
    if (options->skills != NULL && !json_is_array(options->skills))
        return ASSAY_ERR_INVALID;
    struct a2a_server *server = assay_calloc(1, sizeof *server);
    if (server == NULL)
        return ASSAY_ERR_NOMEM;
    pthread_mutex_init(&server->table_lock, NULL);
    atomic_init(&server->stopping, 0);
    server->executor = options->executor;
    server->http_options = options->http;
    server->name = assay_strdup(options->name != NULL ? options->name : "assay agent");
    server->description = assay_strdup(options->description != NULL ? options->description
                                                                    : "An agent served by assay.");
    server->version = assay_strdup(options->version != NULL ? options->version : ASSAY_VERSION);
    server->public_url = options->public_url != NULL ? assay_strdup(options->public_url) : NULL;
    server->skills = options->skills != NULL ? json_deep_copy(options->skills) : NULL;
    int status = ASSAY_ERR_NOMEM;
    if (server->name == NULL || server->description == NULL || server->version == NULL ||
        (options->public_url != NULL && server->public_url == NULL) ||
        (options->skills != NULL && server->skills == NULL))
        goto fail;
    if (options->store != NULL) {
        server->store = options->store;
    } else {
        status = a2a_memory_store_new(&options->memory_store, &server->store);
        if (status != ASSAY_OK)
            goto fail;
        server->owns_store = 1;
    }
    status = a2a__pool_init(&server->pool, options->max_workers != 0 ? options->max_workers : 64,
                            options->max_queued_turns != 0 ? options->max_queued_turns : 4096,
                            worker_run);
    if (status != ASSAY_OK)
        goto fail;
    status = http_server_new(&server->http_options, &server->http);
    if (status != ASSAY_OK)
        goto fail;
    if ((status = http_server_route(server->http, "GET", AGENT_CARD_PATH, handle_card, server)) !=
            ASSAY_OK ||
        (status = http_server_route(server->http, "POST", RPC_PATH, handle_rpc, server)) !=
            ASSAY_OK)
        goto fail;
    *out = server;
    return ASSAY_OK;
fail:
    a2a_server_free(server);
    return status;
}

int a2a_server_start(struct a2a_server *server)
{
    int status = http_server_start(server->http);
    if (status != ASSAY_OK)
        return status;
    if (server->public_url != NULL) {
        server->url = assay_strdup(server->public_url);
    } else {
        struct buffer url = {0};
        const char *host = server->http_options.bind_address != NULL
                               ? server->http_options.bind_address
                               : "127.0.0.1";
        if (strcmp(host, "0.0.0.0") == 0)
            host = "127.0.0.1";
        buffer_append_format(&url, "http://%s:%u/", host, http_server_port(server->http));
        server->url = url.data != NULL ? buffer_detach(&url) : NULL;
    }
    if (server->url == NULL)
        return ASSAY_ERR_NOMEM;
    /* The port is known only now; until the card is built (microseconds),
     * a card request gets 503 (card_ready orders the publication). */
    return build_card(server);
}

unsigned short a2a_server_port(const struct a2a_server *server)
{
    return server->http != NULL ? http_server_port(server->http) : 0;
}

const char *a2a_server_url(const struct a2a_server *server)
{
    return server->url;
}

void a2a_server_free(struct a2a_server *server)
{
    if (server == NULL)
        return;
    /* 1. New calls get "shutting down"; running turns are asked to stop. */
    atomic_store(&server->stopping, 1);
    pthread_mutex_lock(&server->table_lock);
    for (size_t slot = 0; slot < A2A__TABLE_BUCKETS; slot++)
        for (struct a2a_execution *task = server->table[slot]; task != NULL;
             task = task->table_next) {
            pthread_mutex_lock(&task->lock);
            atomic_store(&task->cancel_requested, 1);
            pthread_cond_broadcast(&task->wake);
            pthread_mutex_unlock(&task->lock);
        }
    pthread_mutex_unlock(&server->table_lock);
    /* 2. Let the executors return while the HTTP server still delivers
     *    what they publish; turns that never started are dropped. */
    struct a2a_execution *left = a2a__pool_stop(&server->pool);
    while (left != NULL) {
        struct a2a_execution *next = left->queue_next;
        retire(server, left);
        a2a__task_release(left);
        left = next;
    }
    /* 3. Close connections; deferred requests and streams become inert. */
    http_server_free(server->http);
    server->http = NULL;
    /* 4. Whatever is still live lets go of its requests and streams. */
    for (size_t slot = 0; slot < A2A__TABLE_BUCKETS; slot++)
        while (server->table[slot] != NULL) {
            struct a2a_execution *task = server->table[slot];
            a2a__task_retain(task);
            a2a__table_remove_locked(server, task);
            a2a__task_release(task);
        }
    if (server->owns_store && server->store != NULL)
        server->store->free(server->store);
    json_decref(server->skills);
    assay_free(server->name);
    assay_free(server->description);
    assay_free(server->version);
    assay_free(server->public_url);
    assay_free(server->url);
    assay_free(server->card_text);
    pthread_mutex_destroy(&server->table_lock);
    assay_free(server);
}
