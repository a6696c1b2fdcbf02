/* server_internal.h — what server.c, execution.c and worker_pool.c share.
 * Not part of the A2A module's contract; nothing outside src/a2a includes it.
 *
 * A "live task" (struct a2a_execution, the handle executors see) exists
 * while a turn of a task is queued or running; it holds the task JSON and
 * the clients waiting on the turn: deferred blocking SendMessage requests
 * and SSE subscribers. When the turn ends the task is saved to the store,
 * the waiters are answered, the streams closed, and the live task dropped;
 * from then on the store alone knows the task.
 *
 * Lock order: server->table_lock, then a task's lock, then the pool's lock
 * or the store's. Nothing takes the table lock while holding a task lock.
 */
#ifndef ASSAY_A2A_SERVER_INTERNAL_H
#define ASSAY_A2A_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "a2a/server.h"
#include "core/buffer.h"

struct a2a__subscriber {
    struct a2a__subscriber *next;
    struct http_stream *stream;
    char *id_text; /* the subscribing request's JSON-RPC id, serialised */
};

struct a2a__waiter {
    struct a2a__waiter *next;
    struct http_request *request; /* deferred; answered when the turn ends */
    json_t *id;                   /* owned reference */
    int history_length;           /* -1: all */
};

struct a2a_execution {
    struct a2a_server *server;
    atomic_int references;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a2a_execution_wait sleeps on it; cancellation signals it */
    char task_id[A2A_ID_SIZE];
    const char *context_id;
    json_t *task;    /* the Task JSON, changed only under `lock` */
    json_t *message; /* this turn's user message; also in the task's history */
    /* A follow-up that arrived while the previous turn's execute() had not
     * returned yet; it becomes `message` when the next turn starts, so the
     * old execute() never sees its handle change under it. */
    json_t *next_message;
    enum a2a_task_state state;
    int64_t timestamp_ms;
    int continuation;
    int visible; /* saved to the store once, so every change is saved */
    int sealed;  /* the turn published its final state: executor publishing is over */
    int in_table;
    atomic_int cancel_requested;
    struct buffer snapshot; /* the full task as last saved */
    struct a2a__subscriber *subscribers;
    struct a2a__waiter *waiters;
    struct a2a_execution *table_next;
    struct a2a_execution *queue_next;
    char context_storage[]; /* context_id points here: one allocation per task */
};

struct a2a__worker_pool {
    pthread_mutex_t lock;
    pthread_cond_t work;
    struct a2a_execution *head, *tail;
    size_t queued, max_queued;
    unsigned threads, idle, max_threads;
    pthread_t *thread_ids;
    int stopping;
    void (*run)(struct a2a_execution *task);
};

#define A2A__TABLE_BUCKETS 4096

struct a2a_server {
    char *name, *description, *version, *public_url;
    json_t *skills;
    struct a2a_executor executor;
    struct http_server *http;
    struct http_server_options http_options;
    struct a2a_task_store *store;
    int owns_store;
    char *url;
    char *card_text;
    size_t card_length;
    atomic_int card_ready;
    pthread_mutex_t table_lock;
    struct a2a_execution *table[A2A__TABLE_BUCKETS];
    struct a2a__worker_pool pool;
    atomic_int stopping;
};

/* ---- worker_pool.c ---- */
int a2a__pool_init(struct a2a__worker_pool *pool, unsigned max_threads, size_t max_queued,
                   void (*run)(struct a2a_execution *task));
/* Queues a turn (the pool takes over one reference); starts a thread when
 * none is idle and the cap allows. ASSAY_ERR_LIMIT when the queue is full,
 * ASSAY_ERR_STATE when stopping. */
int a2a__pool_submit(struct a2a__worker_pool *pool, struct a2a_execution *task);
/* Lets running turns finish, joins every thread, and hands back the turns
 * that never started (linked by queue_next) for the caller to release. */
struct a2a_execution *a2a__pool_stop(struct a2a__worker_pool *pool);

/* ---- execution.c ---- */
/* A live task for a new task or a follow-up turn. Takes over `task_json`
 * (the Task, status already set) and borrows `message` (a reference is
 * taken; it must already be in the task's history). One reference. */
struct a2a_execution *a2a__task_new(struct a2a_server *server, json_t *task_json, json_t *message,
                                    enum a2a_task_state state, int64_t timestamp_ms,
                                    int continuation);
void a2a__task_retain(struct a2a_execution *task);
void a2a__task_release(struct a2a_execution *task);

/* Table of live tasks, under server->table_lock. find() retains. */
struct a2a_execution *a2a__table_find_locked(struct a2a_server *server, const char *task_id);
void a2a__table_insert_locked(struct a2a_server *server, struct a2a_execution *task);
void a2a__table_remove_locked(struct a2a_server *server, struct a2a_execution *task);

/* Serialises a Task as a client asked for it: history_length -1 (all), 0
 * (none) or N (the last N); artifacts omitted unless include_artifacts. */
int a2a__task_dump_view(json_t *task, int history_length, int include_artifacts,
                        struct buffer *out);
/* Under the task lock: the task as the client asked (uses the snapshot
 * when it is current). */
int a2a__task_dump_locked(struct a2a_execution *task, int history_length, struct buffer *out);
/* A new Task JSON in TASK_STATE_SUBMITTED with `message` (a reference is
 * taken) as its history. */
json_t *a2a__task_json_new(const char *task_id, const char *context_id, json_t *message,
                           int64_t timestamp_ms);
/* Sets a Task JSON's status (consumes message, an agent Message or NULL,
 * which also joins the history). */
int a2a__task_json_set_status(json_t *task_json, enum a2a_task_state state, json_t *message,
                              int64_t timestamp_ms);
/* Under the task lock: saves the task and remembers it as the snapshot. */
int a2a__task_save_locked(struct a2a_execution *task);

/* Under the task lock: streaming and waiting clients. The subscriber gets
 * the task snapshot as its first event at once. Both take over their
 * arguments (stream reference, id reference, request). */
void a2a__task_subscribe_locked(struct a2a_execution *task, struct http_stream *stream, json_t *id,
                                int history_length);
/* Defers the request (call from its handler) and answers it when the turn
 * ends. Takes a reference to id. */
int a2a__task_add_waiter_locked(struct a2a_execution *task, struct http_request *request,
                                json_t *id, int history_length);
/* Under the task lock: queues a follow-up turn on a live task whose turn
 * is ending (appends the message to the history, status back to
 * submitted); the running thread picks it up. Takes a reference. */
int a2a__task_follow_up_locked(struct a2a_execution *task, json_t *message);
/* Under the task lock: fails the task (a turn that cannot run) with an
 * agent message saying why; waiters and streams get the failed task. */
int a2a__task_fail_locked(struct a2a_execution *task, const char *reason);
/* Under the task lock: CancelTask. ASSAY_OK when now canceled (the caller
 * then calls the executor's cancel hook outside the lock). */
int a2a__task_cancel_locked(struct a2a_execution *task);

/* Runs one turn (and any follow-up turns that arrive meanwhile) on the
 * calling thread, then retires the live task. Used by workers and by the
 * inline fast path. Does not release the caller's reference. */
void a2a__task_run(struct a2a_execution *task);


/* JSON-RPC framing of a pre-serialised result:
 * {"jsonrpc":"2.0","id":ID,"result":PREFIX TEXT SUFFIX}. */
int a2a__envelope(struct buffer *out, json_t *id, const char *prefix, const char *text,
                  size_t length, const char *suffix);
/* The same for a stream: "data: {...}\n\n" with an already-serialised id. */
int a2a__sse_envelope(struct buffer *out, const char *id_text, const char *text, size_t length);

#endif
