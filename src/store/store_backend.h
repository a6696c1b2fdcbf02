/* store_backend.h — the interface a results-store backend implements.
 * Internal to src/store: callers use store.h.
 *
 * store.c checks arguments and enum ranges before calling a backend, so a
 * backend only deals with its database. A backend's open() allocates its own
 * state (a struct that starts with struct store) and close() frees it.
 * Iterator cursors are backend-owned and freed by episodes_close(). */
#ifndef ASSAY_STORE_STORE_BACKEND_H
#define ASSAY_STORE_STORE_BACKEND_H

#include "store/store.h"

struct store_backend {
    const char *name;
    int (*open)(const char *location, struct store **out, struct assay_error *error);
    void (*close)(struct store *store);
    int (*schema_version)(struct store *store, int *version, struct assay_error *error);
    int (*run_create)(struct store *store, struct store_run *run, struct assay_error *error);
    int (*run_finish)(struct store *store, int64_t run_id, enum store_run_status status,
                      int64_t finished_at_ms, struct assay_error *error);
    int (*participant_add)(struct store *store, struct store_participant *participant,
                           struct assay_error *error);
    int (*episode_record)(struct store *store, struct store_episode *episode,
                          struct assay_error *error);
    int (*episodes_missing)(struct store *store, int64_t run_id,
                            const struct store_planned_episode *planned, size_t count,
                            unsigned char *is_missing, size_t *missing_count,
                            struct assay_error *error);
    /* run_id 0: every run, newest first; else that run (NOT_FOUND if none). */
    int (*runs_list)(struct store *store, int64_t run_id, store_run_visitor visitor, void *context,
                     struct assay_error *error);
    int (*participants_list)(struct store *store, int64_t run_id, store_participant_visitor visitor,
                             void *context, struct assay_error *error);
    int (*episodes_open)(struct store *store, int64_t run_id, const char *role, void **cursor,
                         struct assay_error *error);
    int (*episodes_next)(void *cursor, struct store_episode *episode, struct assay_error *error);
    void (*episodes_close)(void *cursor);
    int (*generation)(struct store *store, int64_t *out, struct assay_error *error);
    int (*snapshot)(struct store *store, int begin, struct assay_error *error);
    int (*episode_get)(struct store *store, int64_t episode_id, store_episode_visitor visitor, void *context,
                       struct assay_error *error);
    int (*trace_read)(struct store *store, int64_t episode_id, int64_t offset, int64_t limit,
                      store_trace_visitor visitor, void *context, struct assay_error *error);
};

/* Every backend's state begins with this. */
struct store {
    const struct store_backend *backend;
};

extern const struct store_backend store__sqlite_backend;

#endif
