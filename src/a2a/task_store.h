/* task_store.h — where an A2A server keeps its tasks, behind a small
 * interface so that a persistent backend can replace the in-memory one.
 *
 * The store deals in serialised Task JSON plus the few fields it indexes
 * (id, context, state, status timestamp): the server serialises a task once
 * per change and the same text answers GetTask, so the store never parses.
 * Listing order is the status timestamp, newest first (ties: most recently
 * saved first), as ListTasks requires; page tokens are the store's own and
 * opaque to everyone else.
 *
 * Thread safety: every operation may be called from any thread at once.
 * Ownership: save() copies its arguments. load() appends a copy to the
 * caller's buffer. A page owns its texts (a2a_task_page_free). The creator
 * of a store frees it with its free() member.
 */
#ifndef ASSAY_A2A_TASK_STORE_H
#define ASSAY_A2A_TASK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "a2a/model.h"
#include "core/buffer.h"

struct a2a_task_summary {
    const char *task_id;
    const char *context_id;
    enum a2a_task_state state;
    int64_t timestamp_ms; /* of the task's status */
};

struct a2a_task_query {
    const char *context_id;    /* NULL or "": any context */
    enum a2a_task_state state; /* UNSPECIFIED: any state */
    int64_t updated_since_ms;  /* INT64_MIN: no filter; else status timestamp >= this */
    size_t page_size;          /* 1..100 */
    const char *page_token;    /* NULL or "": first page */
};

#define A2A_PAGE_TOKEN_SIZE 64

struct a2a_task_page {
    char **tasks; /* serialised Task JSON, `count` of them */
    size_t *lengths;
    size_t count;
    size_t total;                              /* tasks matching the query, all pages together */
    char next_page_token[A2A_PAGE_TOKEN_SIZE]; /* "" on the last page */
};

void a2a_task_page_free(struct a2a_task_page *page);

struct a2a_task_store {
    /* Inserts or replaces a task. ASSAY_ERR_LIMIT when the task is new and
     * not terminal and the store already holds its maximum of unfinished
     * tasks (terminal tasks never fail this way: the oldest are evicted). */
    int (*save)(struct a2a_task_store *store, const struct a2a_task_summary *summary,
                const char *task_json, size_t length);
    /* Appends the task's JSON to `out`; ASSAY_ERR_NOT_FOUND when unknown
     * (or evicted). */
    int (*load)(struct a2a_task_store *store, const char *task_id, struct buffer *out);
    /* One page of matching tasks. ASSAY_ERR_INVALID for a malformed page token. */
    int (*list)(struct a2a_task_store *store, const struct a2a_task_query *query,
                struct a2a_task_page *page);
    void (*free)(struct a2a_task_store *store);
};

/* The in-memory store. Memory is bounded: at most max_terminal_tasks
 * finished tasks holding at most max_terminal_bytes of JSON are kept (when
 * a task finishes beyond that, the tasks that finished first are forgotten,
 * so GetTask on them answers TaskNotFound) and at most max_active_tasks
 * unfinished ones (submitted, working, interrupted).
 * Costs: save and load are O(1) plus a copy of the text; list is O(n) in
 * the number of stored tasks (n is bounded by the two limits). */
struct a2a_memory_store_options {
    size_t max_terminal_tasks; /* default 10000 */
    size_t max_terminal_bytes; /* default 8 MiB */
    size_t max_active_tasks;   /* default 10000 */
};

int a2a_memory_store_new(const struct a2a_memory_store_options *options,
                         struct a2a_task_store **out);

#endif
