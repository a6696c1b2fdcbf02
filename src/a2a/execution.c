/* execution.c — live tasks: the executor API, publishing to the store, to
 * SSE subscribers and to waiting blocking requests, and the turn loop.
 *
 * Every change to a live task happens under its lock and goes through
 * task_changed_locked(): save (once the task is visible to clients), then
 * broadcast the event, then, when the turn ends, close the streams and
 * answer the waiters. Saving first means a client that got an answer
 * always finds the same state with GetTask or ListTasks afterwards.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "jsonrpc/json_write.h"
#include "a2a/errors.h"
#include "a2a/server_internal.h"
#include "core/log.h"
#include "core/memory.h"
#include "jsonrpc/json_strict.h"

/* ---- lifetime ------------------------------------------------------------ */

struct a2a_execution *a2a__task_new(struct a2a_server *server, json_t *task_json, json_t *message,
                                    enum a2a_task_state state, int64_t timestamp_ms,
                                    int continuation)
{
    const char *task_id = json_string_value(json_object_get(task_json, "id"));
    const char *context_id = json_string_value(json_object_get(task_json, "contextId"));
    if (task_id == NULL || strlen(task_id) >= A2A_ID_SIZE) {
        json_decref(task_json);
        return NULL;
    }
    if (context_id == NULL)
        context_id = "";
    size_t context_length = strlen(context_id);
    struct a2a_execution *task = assay_calloc(1, sizeof *task + context_length + 1);
    if (task == NULL) {
        json_decref(task_json);
        return NULL;
    }
    memcpy(task->context_storage, context_id, context_length + 1);
    task->context_id = task->context_storage;
    memcpy(task->task_id, task_id, strlen(task_id) + 1);
    pthread_mutex_init(&task->lock, NULL);
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&task->wake, &attributes);
    pthread_condattr_destroy(&attributes);
    atomic_init(&task->references, 1);
    atomic_init(&task->cancel_requested, 0);
    task->server = server;
    task->task = task_json;
    task->message = json_incref(message);
    task->state = state;
    task->timestamp_ms = timestamp_ms;
    task->continuation = continuation;
    return task;
}

void a2a__task_retain(struct a2a_execution *task)
{
    atomic_fetch_add_explicit(&task->references, 1, memory_order_relaxed);
}

static void waiter_free(struct a2a__waiter *waiter)
{
    json_decref(waiter->id);
    assay_free(waiter);
}

static void subscriber_free(struct a2a__subscriber *subscriber)
{
    http_stream_close(subscriber->stream);
    assay_free(subscriber->id_text);
    assay_free(subscriber);
}

void a2a__task_release(struct a2a_execution *task)
{
    if (task == NULL || atomic_fetch_sub_explicit(&task->references, 1, memory_order_acq_rel) != 1)
        return;
    /* Normally empty: the end of a turn answers and closes them. What is
     * left here (shutdown) still must give up its request and stream
     * references, or the HTTP layer would keep them forever. */
    while (task->waiters != NULL) {
        struct a2a__waiter *waiter = task->waiters;
        task->waiters = waiter->next;
        http_respond_error(waiter->request, 503, "the agent is shutting down");
        waiter_free(waiter);
    }
    while (task->subscribers != NULL) {
        struct a2a__subscriber *subscriber = task->subscribers;
        task->subscribers = subscriber->next;
        subscriber_free(subscriber);
    }
    json_decref(task->task);
    json_decref(task->message);
    json_decref(task->next_message);
    buffer_free(&task->snapshot);
    pthread_cond_destroy(&task->wake);
    pthread_mutex_destroy(&task->lock);
    assay_free(task);
}

/* ---- the table of live tasks ---------------------------------------------- */

static size_t table_slot(const char *task_id)
{
    uint32_t hash = 2166136261u;
    for (; *task_id != '\0'; task_id++)
        hash = (hash ^ (unsigned char)*task_id) * 16777619u;
    return hash % A2A__TABLE_BUCKETS;
}

struct a2a_execution *a2a__table_find_locked(struct a2a_server *server, const char *task_id)
{
    struct a2a_execution *task = server->table[table_slot(task_id)];
    while (task != NULL && strcmp(task->task_id, task_id) != 0)
        task = task->table_next;
    if (task != NULL)
        a2a__task_retain(task);
    return task;
}

void a2a__table_insert_locked(struct a2a_server *server, struct a2a_execution *task)
{
    size_t slot = table_slot(task->task_id);
    a2a__task_retain(task);
    task->table_next = server->table[slot];
    server->table[slot] = task;
    task->in_table = 1;
}

void a2a__table_remove_locked(struct a2a_server *server, struct a2a_execution *task)
{
    if (!task->in_table)
        return;
    struct a2a_execution **link = &server->table[table_slot(task->task_id)];
    while (*link != NULL && *link != task)
        link = &(*link)->table_next;
    if (*link == task)
        *link = task->table_next;
    task->in_table = 0;
    task->table_next = NULL;
    a2a__task_release(task); /* the table's reference; the caller still holds one */
}

/* ---- serialisation -------------------------------------------------------- */

int a2a__task_dump_view(json_t *task, int history_length, int include_artifacts, struct buffer *out)
{
    json_t *history = json_object_get(task, "history");
    int trim_history = history_length == 0 ||
                       (history_length > 0 && json_array_size(history) > (size_t)history_length);
    int drop_artifacts = !include_artifacts && json_object_get(task, "artifacts") != NULL;
    if (!trim_history && !drop_artifacts)
        return json_write_compact(task, out);
    /* A shallow copy shares every member with the task; only the trimmed
     * members are replaced, so the cost is one object and one array. */
    json_t *view = json_copy(task);
    if (view == NULL)
        return ASSAY_ERR_NOMEM;
    if (drop_artifacts)
        json_object_del(view, "artifacts");
    if (history_length == 0) {
        json_object_del(view, "history");
    } else if (trim_history) {
        json_t *recent = json_array();
        size_t size = json_array_size(history);
        for (size_t index = size - (size_t)history_length; recent != NULL && index < size; index++)
            json_array_append(recent, json_array_get(history, index));
        if (recent == NULL || json_object_set_new(view, "history", recent) != 0) {
            json_decref(view);
            return ASSAY_ERR_NOMEM;
        }
    }
    int status = json_write_compact(view, out);
    json_decref(view);
    return status;
}

int a2a__task_dump_locked(struct a2a_execution *task, int history_length, struct buffer *out)
{
    if (history_length < 0 && task->snapshot.length > 0)
        return buffer_append(out, task->snapshot.data, task->snapshot.length);
    return a2a__task_dump_view(task->task, history_length, 1, out);
}

int a2a__task_save_locked(struct a2a_execution *task)
{
    buffer_reset(&task->snapshot);
    /* Most tasks serialise to under 2 KiB: reserving spares the doubling
     * reallocations from 64 bytes up. */
    int status = buffer_reserve(&task->snapshot, 2048);
    if (status == ASSAY_OK)
        status = json_write_compact(task->task, &task->snapshot);
    if (status != ASSAY_OK) {
        buffer_reset(&task->snapshot);
        return status;
    }
    task->visible = 1;
    struct a2a_task_summary summary = {.task_id = task->task_id,
                                       .context_id = task->context_id,
                                       .state = task->state,
                                       .timestamp_ms = task->timestamp_ms};
    struct a2a_task_store *store = task->server->store;
    return store->save(store, &summary, task->snapshot.data, task->snapshot.length);
}

int a2a__envelope(struct buffer *out, json_t *id, const char *prefix, const char *text,
                  size_t length, const char *suffix)
{
    int status = buffer_append_string(out, "{\"jsonrpc\":\"2.0\",\"id\":");
    if (status == ASSAY_OK)
        status = id != NULL ? json_write_compact(id, out) : buffer_append_string(out, "null");
    if (status == ASSAY_OK)
        status = buffer_append_string(out, ",\"result\":");
    if (status == ASSAY_OK && prefix != NULL)
        status = buffer_append_string(out, prefix);
    if (status == ASSAY_OK)
        status = buffer_append(out, text, length);
    if (status == ASSAY_OK && suffix != NULL)
        status = buffer_append_string(out, suffix);
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "}");
    return status;
}

int a2a__sse_envelope(struct buffer *out, const char *id_text, const char *text, size_t length)
{
    /* Compact JSON has no raw newline, so one data line carries the event. */
    int status = buffer_append_string(out, "data: {\"jsonrpc\":\"2.0\",\"id\":");
    if (status == ASSAY_OK)
        status = buffer_append_string(out, id_text);
    if (status == ASSAY_OK)
        status = buffer_append_string(out, ",\"result\":");
    if (status == ASSAY_OK)
        status = buffer_append(out, text, length);
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "}\n\n");
    return status;
}

/* ---- clients of a turn ----------------------------------------------------- */

/* Sends one event. Returns 0 when the subscriber must be dropped: its
 * client is gone, or it reads so slowly that the HTTP layer's queue bound
 * (http_server_options.max_stream_buffer_bytes) ended the stream. */
static int subscriber_send(struct a2a_execution *task, struct a2a__subscriber *subscriber,
                           const char *text, size_t length)
{
    struct buffer event = {0};
    int status = buffer_reserve(&event, length + 64);
    if (status == ASSAY_OK)
        status = a2a__sse_envelope(&event, subscriber->id_text, text, length);
    if (status == ASSAY_OK)
        status = http_stream_write(subscriber->stream, event.data, event.length);
    buffer_free(&event);
    if (status == ASSAY_ERR_LIMIT)
        log_warning("a2a: a subscriber of task %s does not read; its stream was ended",
                    task->task_id);
    return status == ASSAY_OK;
}

static void broadcast_locked(struct a2a_execution *task, const char *text, size_t length)
{
    struct a2a__subscriber **link = &task->subscribers;
    while (*link != NULL) {
        struct a2a__subscriber *subscriber = *link;
        if (subscriber_send(task, subscriber, text, length)) {
            link = &subscriber->next;
        } else {
            *link = subscriber->next;
            subscriber_free(subscriber);
        }
    }
}

static void answer_waiters_locked(struct a2a_execution *task)
{
    while (task->waiters != NULL) {
        struct a2a__waiter *waiter = task->waiters;
        task->waiters = waiter->next;
        struct buffer text = {0}, body = {0};
        int status = a2a__task_dump_locked(task, waiter->history_length, &text);
        if (status == ASSAY_OK)
            status = a2a__envelope(&body, waiter->id, "{\"task\":", text.data, text.length, "}");
        if (status == ASSAY_OK)
            status = http_respond(waiter->request, 200, "application/json", body.data, body.length);
        if (status == ASSAY_ERR_NOMEM || status == ASSAY_ERR_INVALID)
            http_respond_error(waiter->request, 500, "out of memory");
        buffer_free(&text);
        buffer_free(&body);
        waiter_free(waiter);
    }
}

static void close_subscribers_locked(struct a2a_execution *task)
{
    while (task->subscribers != NULL) {
        struct a2a__subscriber *subscriber = task->subscribers;
        task->subscribers = subscriber->next;
        subscriber_free(subscriber);
    }
}

/* Consumes event (a StreamResponse object, or NULL). */
static void task_changed_locked(struct a2a_execution *task, json_t *event, int ends_turn)
{
    buffer_reset(&task->snapshot); /* stale now */
    if (task->visible) {
        int status = a2a__task_save_locked(task);
        if (status != ASSAY_OK)
            log_error("a2a: cannot save task %s: %s", task->task_id, assay_strerror(status));
    }
    if (event != NULL && task->subscribers != NULL) {
        struct buffer text = {0};
        if (json_write_compact(event, &text) == ASSAY_OK)
            broadcast_locked(task, text.data, text.length);
        buffer_free(&text);
    }
    json_decref(event);
    if (ends_turn) {
        task->sealed = 1;
        close_subscribers_locked(task);
        answer_waiters_locked(task);
    }
}

void a2a__task_subscribe_locked(struct a2a_execution *task, struct http_stream *stream, json_t *id,
                                int history_length)
{
    struct a2a__subscriber *subscriber = assay_calloc(1, sizeof *subscriber);
    struct buffer text = {0};
    if (subscriber == NULL) {
        http_stream_close(stream);
        return;
    }
    subscriber->stream = stream;
    struct buffer id_text = {0};
    if (json_write_compact(id != NULL ? id : json_null(), &id_text) != ASSAY_OK) {
        buffer_free(&id_text);
        goto fail;
    }
    subscriber->id_text = buffer_detach(&id_text);
    /* The first event is the task itself (the stream pattern A2A requires). */
    if (buffer_append_string(&text, "{\"task\":") != ASSAY_OK ||
        a2a__task_dump_locked(task, history_length, &text) != ASSAY_OK ||
        buffer_append_string(&text, "}") != ASSAY_OK)
        goto fail;
    if (!subscriber_send(task, subscriber, text.data, text.length))
        goto fail;
    buffer_free(&text);
    if (a2a_task_state_is_terminal(task->state) || a2a_task_state_is_interrupted(task->state)) {
        subscriber_free(subscriber); /* nothing more will come in this turn */
        return;
    }
    subscriber->next = task->subscribers;
    task->subscribers = subscriber;
    return;
fail:
    buffer_free(&text);
    subscriber_free(subscriber);
}

int a2a__task_add_waiter_locked(struct a2a_execution *task, struct http_request *request,
                                json_t *id, int history_length)
{
    struct a2a__waiter *waiter = assay_calloc(1, sizeof *waiter);
    if (waiter == NULL)
        return ASSAY_ERR_NOMEM;
    http_request_defer(request);
    waiter->request = request;
    waiter->id = json_incref(id != NULL ? id : json_null());
    waiter->history_length = history_length;
    waiter->next = task->waiters;
    task->waiters = waiter;
    return ASSAY_OK;
}

/* ---- status and artifacts --------------------------------------------------- */

/* {"state": ..., "timestamp": ...}; the strings are ours, so no UTF-8 check. */
static json_t *status_new(enum a2a_task_state state, int64_t timestamp_ms)
{
    char stamp[A2A_TIMESTAMP_SIZE];
    a2a_timestamp_format(timestamp_ms, stamp);
    json_t *status = json_object();
    if (status == NULL ||
        json_object_set_new_nocheck(status, "state",
                                    json_string_nocheck(a2a_task_state_name(state))) != 0 ||
        json_object_set_new_nocheck(status, "timestamp", json_string_nocheck(stamp)) != 0) {
        json_decref(status);
        return NULL;
    }
    return status;
}

json_t *a2a__task_json_new(const char *task_id, const char *context_id, json_t *message,
                           int64_t timestamp_ms)
{
    /* json_object_set_new takes its value even when it fails (and refuses
     * NULL), so each member is either attached or already released. */
    json_t *task = json_object();
    if (task == NULL ||
        json_object_set_new_nocheck(task, "id", json_string_nocheck(task_id)) != 0 ||
        json_object_set_new_nocheck(task, "contextId", json_string(context_id)) != 0 ||
        json_object_set_new_nocheck(task, "status",
                                    status_new(A2A_TASK_STATE_SUBMITTED, timestamp_ms)) != 0 ||
        json_object_set_new_nocheck(task, "history", json_array()) != 0 ||
        json_array_append(json_object_get(task, "history"), message) != 0) {
        json_decref(task);
        return NULL;
    }
    return task;
}

int a2a__task_json_set_status(json_t *task_json, enum a2a_task_state state, json_t *message,
                              int64_t timestamp_ms)
{
    json_t *status = status_new(state, timestamp_ms);
    if (status == NULL) {
        json_decref(message);
        return ASSAY_ERR_NOMEM;
    }
    if (message != NULL) {
        json_t *task_id = json_object_get(task_json, "id");
        json_t *context_id = json_object_get(task_json, "contextId");
        json_object_set_new(message, "taskId",
                            task_id != NULL ? json_incref(task_id) : json_string(""));
        json_object_set_new(message, "contextId",
                            context_id != NULL ? json_incref(context_id) : json_string(""));
        json_object_set(status, "message", message);
        /* Agent status messages are part of the conversation: keep them in
         * the history so a multi-turn task reads as a dialogue. */
        json_t *history = json_object_get(task_json, "history");
        if (!json_is_array(history)) {
            history = json_array();
            json_object_set_new(task_json, "history", history);
        }
        json_array_append_new(history, message);
    }
    return json_object_set_new(task_json, "status", status) == 0 ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

/* Consumes message. */
static int set_status_locked(struct a2a_execution *task, enum a2a_task_state state, json_t *message)
{
    int64_t now = a2a_now_ms();
    int status = a2a__task_json_set_status(task->task, state, message, now);
    if (status == ASSAY_OK) {
        task->state = state;
        task->timestamp_ms = now;
    }
    return status;
}

static int publish_status_locked(struct a2a_execution *task, enum a2a_task_state state,
                                 json_t *message)
{
    if (a2a_task_state_is_terminal(task->state)) {
        json_decref(message);
        return ASSAY_ERR_STATE;
    }
    int status = set_status_locked(task, state, message);
    if (status != ASSAY_OK)
        return status;
    json_t *event = NULL;
    if (task->subscribers != NULL)
        event =
            json_pack("{s:{s:s, s:s, s:O}}", "statusUpdate", "taskId", task->task_id, "contextId",
                      task->context_id, "status", json_object_get(task->task, "status"));
    task_changed_locked(task, event,
                        a2a_task_state_is_terminal(state) || a2a_task_state_is_interrupted(state));
    if (a2a_task_state_is_terminal(state))
        pthread_cond_broadcast(&task->wake);
    return ASSAY_OK;
}

int a2a_execution_set_status(struct a2a_execution *task, enum a2a_task_state state, json_t *message)
{
    if (state == A2A_TASK_STATE_UNSPECIFIED || state > A2A_TASK_STATE_AUTH_REQUIRED) {
        json_decref(message);
        return ASSAY_ERR_INVALID;
    }
    if (message != NULL && a2a_message_validate(message, "status.message", NULL) != ASSAY_OK) {
        json_decref(message);
        return ASSAY_ERR_INVALID;
    }
    pthread_mutex_lock(&task->lock);
    int status;
    if (task->sealed) {
        json_decref(message);
        status = ASSAY_ERR_STATE;
    } else {
        status = publish_status_locked(task, state, message);
    }
    pthread_mutex_unlock(&task->lock);
    return status;
}

int a2a_execution_set_status_text(struct a2a_execution *task, enum a2a_task_state state,
                                  const char *text)
{
    json_t *message = NULL;
    if (text != NULL && (message = a2a_agent_text_message_new(text)) == NULL)
        return ASSAY_ERR_NOMEM;
    return a2a_execution_set_status(task, state, message);
}

/* Consumes artifact. */
static int store_artifact_locked(struct a2a_execution *task, json_t *artifact, int append)
{
    json_t *artifacts = json_object_get(task->task, "artifacts");
    if (artifacts == NULL) {
        artifacts = json_array();
        if (artifacts == NULL || json_object_set_new(task->task, "artifacts", artifacts) != 0) {
            json_decref(artifact);
            return ASSAY_ERR_NOMEM;
        }
    }
    const char *artifact_id = json_string_value(json_object_get(artifact, "artifactId"));
    size_t index;
    json_t *existing;
    json_array_foreach(artifacts, index, existing)
    {
        const char *existing_id = json_string_value(json_object_get(existing, "artifactId"));
        if (existing_id == NULL || strcmp(existing_id, artifact_id) != 0)
            continue;
        if (append) {
            /* Extend a copy: the stored artifact may be shared with an
             * event that is still being serialised elsewhere. */
            json_t *extended = json_deep_copy(existing);
            int status =
                extended != NULL && json_array_extend(json_object_get(extended, "parts"),
                                                      json_object_get(artifact, "parts")) == 0
                    ? ASSAY_OK
                    : ASSAY_ERR_NOMEM;
            json_decref(artifact);
            if (status != ASSAY_OK) {
                json_decref(extended);
                return status;
            }
            return json_array_set_new(artifacts, index, extended) == 0 ? ASSAY_OK : ASSAY_ERR_NOMEM;
        }
        return json_array_set_new(artifacts, index, artifact) == 0 ? ASSAY_OK : ASSAY_ERR_NOMEM;
    }
    return json_array_append_new(artifacts, artifact) == 0 ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

int a2a_execution_add_artifact(struct a2a_execution *task, json_t *artifact, int append,
                               int last_chunk)
{
    if (a2a_artifact_validate(artifact, "artifact", NULL) != ASSAY_OK) {
        json_decref(artifact);
        return ASSAY_ERR_INVALID;
    }
    pthread_mutex_lock(&task->lock);
    int status = ASSAY_OK;
    if (task->sealed || a2a_task_state_is_terminal(task->state)) {
        json_decref(artifact);
        status = ASSAY_ERR_STATE;
        goto done;
    }
    json_t *event = NULL;
    if (task->subscribers != NULL)
        event = json_pack("{s:{s:s, s:s, s:O, s:b, s:b}}", "artifactUpdate", "taskId",
                          task->task_id, "contextId", task->context_id, "artifact", artifact,
                          "append", append != 0, "lastChunk", last_chunk != 0);
    status = store_artifact_locked(task, artifact, append);
    if (status == ASSAY_OK)
        task_changed_locked(task, event, 0);
    else
        json_decref(event);
done:
    pthread_mutex_unlock(&task->lock);
    return status;
}

int a2a_execution_add_text_artifact(struct a2a_execution *task, const char *artifact_id,
                                    const char *name, const char *text)
{
    json_t *artifact =
        a2a_artifact_new(artifact_id, name, json_pack("[o]", a2a_text_part_new(text)));
    if (artifact == NULL)
        return ASSAY_ERR_NOMEM;
    return a2a_execution_add_artifact(task, artifact, 0, 1);
}

/* ---- the rest of the executor API -------------------------------------------- */

const json_t *a2a_execution_message(const struct a2a_execution *task)
{
    return task->message;
}
const char *a2a_execution_task_id(const struct a2a_execution *task)
{
    return task->task_id;
}
const char *a2a_execution_context_id(const struct a2a_execution *task)
{
    return task->context_id;
}
int a2a_execution_is_continuation(const struct a2a_execution *task)
{
    return task->continuation;
}

json_t *a2a_execution_task_copy(struct a2a_execution *task)
{
    pthread_mutex_lock(&task->lock);
    json_t *copy = json_deep_copy(task->task);
    pthread_mutex_unlock(&task->lock);
    return copy;
}

/* Shutdown counts as cancellation too: a turn that started just after the
 * server marked its running turns is still told to stop. */
static int should_stop(struct a2a_execution *task)
{
    return atomic_load(&task->cancel_requested) || atomic_load(&task->server->stopping);
}

int a2a_execution_cancel_requested(struct a2a_execution *task)
{
    return should_stop(task);
}

int a2a_execution_wait(struct a2a_execution *task, unsigned milliseconds)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += milliseconds / 1000;
    deadline.tv_nsec += (long)(milliseconds % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&task->lock);
    while (!should_stop(task))
        if (pthread_cond_timedwait(&task->wake, &task->lock, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&task->lock);
    return should_stop(task);
}

/* ---- follow-ups, cancellation, the turn loop ----------------------------------- */

int a2a__task_follow_up_locked(struct a2a_execution *task, json_t *message)
{
    json_t *history = json_object_get(task->task, "history");
    if (history == NULL || json_array_append(history, message) != 0)
        return ASSAY_ERR_NOMEM;
    json_decref(task->next_message);
    task->next_message = json_incref(message);
    int status = set_status_locked(task, A2A_TASK_STATE_SUBMITTED, NULL);
    if (status == ASSAY_OK)
        task_changed_locked(task, NULL, 0);
    return status;
}

int a2a__task_fail_locked(struct a2a_execution *task, const char *reason)
{
    atomic_store(&task->cancel_requested, 1); /* nothing should run any more */
    return publish_status_locked(task, A2A_TASK_STATE_FAILED, a2a_agent_text_message_new(reason));
}

int a2a__task_cancel_locked(struct a2a_execution *task)
{
    if (task->state == A2A_TASK_STATE_CANCELED)
        return 1;
    if (a2a_task_state_is_terminal(task->state))
        return ASSAY_ERR_STATE;
    atomic_store(&task->cancel_requested, 1);
    json_decref(task->next_message);
    task->next_message = NULL;
    return publish_status_locked(task, A2A_TASK_STATE_CANCELED,
                                 a2a_agent_text_message_new("canceled on request"));
}

void a2a__task_run(struct a2a_execution *task)
{
    struct a2a_server *server = task->server;
    for (;;) {
        pthread_mutex_lock(&task->lock);
        int skip = a2a_task_state_is_terminal(task->state); /* canceled while queued */
        task->sealed = 0;
        pthread_mutex_unlock(&task->lock);
        if (!skip)
            server->executor.execute(task, server->executor.context);

        pthread_mutex_lock(&server->table_lock);
        pthread_mutex_lock(&task->lock);
        if (task->next_message != NULL && !a2a_task_state_is_terminal(task->state)) {
            json_decref(task->message);
            task->message = task->next_message;
            task->next_message = NULL;
            task->continuation = 1;
            pthread_mutex_unlock(&task->lock);
            pthread_mutex_unlock(&server->table_lock);
            continue;
        }
        if (!a2a_task_state_is_terminal(task->state) && !a2a_task_state_is_interrupted(task->state))
            publish_status_locked(
                task, A2A_TASK_STATE_FAILED,
                a2a_agent_text_message_new(atomic_load(&server->stopping)
                                               ? "the agent shut down before this turn ended"
                                               : "the agent ended its turn without a final state"));
        if (!task->visible && a2a__task_save_locked(task) == ASSAY_ERR_LIMIT)
            publish_status_locked(
                task, A2A_TASK_STATE_FAILED,
                a2a_agent_text_message_new("the agent holds too many unfinished tasks to keep "
                                           "this one waiting for input"));
        close_subscribers_locked(task);
        answer_waiters_locked(task);
        a2a__table_remove_locked(server, task);
        pthread_mutex_unlock(&task->lock);
        pthread_mutex_unlock(&server->table_lock);
        return;
    }
}
