/* store.c — the backend-independent half of the results store: choosing a
 * backend, checking arguments once for every backend, names of enums. The
 * JSON and CSV output lives in store_export.c. */
#include <assert.h>
#include <string.h>
#include <sys/stat.h>

#include "core/memory.h"
#include "store/store_backend.h"

struct store_episode_iterator {
    const struct store_backend *backend;
    void *cursor;
};

static const char *const error_class_names[STORE_ERROR_CLASS_COUNT] = {
    [STORE_ERROR_NONE] = "none",
    [STORE_ERROR_WRONG_ANSWER] = "wrong_answer",
    [STORE_ERROR_GAVE_UP] = "gave_up",
    [STORE_ERROR_TIMED_OUT] = "timed_out",
    [STORE_ERROR_PROTOCOL_ERROR] = "protocol_error",
    [STORE_ERROR_AGENT_CRASHED] = "agent_crashed",
    [STORE_ERROR_ENVIRONMENT_CRASHED] = "environment_crashed",
    [STORE_ERROR_STORE_ERROR] = "store_error",
    [STORE_ERROR_RUNNER_INTERRUPTED] = "runner_interrupted",
};

static const char *const run_status_names[] = {"running", "complete", "incomplete", "interrupted"};
static const char *const episode_status_names[] = {"scored", "failed", "error"};

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

static int parse_name(const char *const *names, size_t count, const char *name, int *out)
{
    for (size_t index = 0; name != NULL && index < count; index++)
        if (strcmp(names[index], name) == 0) {
            *out = (int)index;
            return ASSAY_OK;
        }
    return ASSAY_ERR_INVALID;
}

const char *store_error_class_name(enum store_error_class error_class)
{
    return (unsigned)error_class < STORE_ERROR_CLASS_COUNT ? error_class_names[error_class] : NULL;
}

int store_error_class_parse(const char *name, enum store_error_class *out)
{
    int value = 0;
    int status = parse_name(error_class_names, STORE_ERROR_CLASS_COUNT, name, &value);
    if (status == ASSAY_OK)
        *out = (enum store_error_class)value;
    return status;
}

enum store_error_side store_error_class_side(enum store_error_class error_class)
{
    switch (error_class) {
    case STORE_ERROR_WRONG_ANSWER:
    case STORE_ERROR_GAVE_UP:
    case STORE_ERROR_TIMED_OUT:
    case STORE_ERROR_PROTOCOL_ERROR:
    case STORE_ERROR_AGENT_CRASHED:
        return STORE_SIDE_AGENT;
    case STORE_ERROR_ENVIRONMENT_CRASHED:
    case STORE_ERROR_STORE_ERROR:
    case STORE_ERROR_RUNNER_INTERRUPTED:
        return STORE_SIDE_INFRASTRUCTURE;
    default:
        return STORE_SIDE_NONE;
    }
}

const char *store_error_side_name(enum store_error_side side)
{
    switch (side) {
    case STORE_SIDE_NONE:
        return "none";
    case STORE_SIDE_AGENT:
        return "agent";
    case STORE_SIDE_INFRASTRUCTURE:
        return "infrastructure";
    }
    return NULL;
}

const char *store_run_status_name(enum store_run_status status)
{
    return (unsigned)status < COUNT_OF(run_status_names) ? run_status_names[status] : NULL;
}

int store_run_status_parse(const char *name, enum store_run_status *out)
{
    int value = 0;
    int status = parse_name(run_status_names, COUNT_OF(run_status_names), name, &value);
    if (status == ASSAY_OK)
        *out = (enum store_run_status)value;
    return status;
}

const char *store_episode_status_name(enum store_episode_status status)
{
    return (unsigned)status < COUNT_OF(episode_status_names) ? episode_status_names[status] : NULL;
}

int store_episode_status_parse(const char *name, enum store_episode_status *out)
{
    int value = 0;
    int status = parse_name(episode_status_names, COUNT_OF(episode_status_names), name, &value);
    if (status == ASSAY_OK)
        *out = (enum store_episode_status)value;
    return status;
}

static int starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

int store_open(const char *location, struct store **out, struct assay_error *error)
{
    if (out == NULL)
        return assay_error_set(error, ASSAY_ERR_INVALID, "store_open: no output pointer");
    *out = NULL;
    if (location == NULL || location[0] == '\0')
        location = STORE_DEFAULT_LOCATION;
    /* Chosen by the location's form, so that a PostgreSQL backend slots in
     * here without callers changing. */
    if (starts_with(location, "postgresql://") || starts_with(location, "postgres://"))
        return assay_error_set(error, ASSAY_ERR_UNSUPPORTED,
                               "PostgreSQL results stores are not supported yet; give a file "
                               "path for an SQLite store instead (for example %s)",
                               STORE_DEFAULT_LOCATION);
    if (starts_with(location, "sqlite:"))
        location += strlen("sqlite:");
    else if (strstr(location, "://") != NULL)
        return assay_error_set(error, ASSAY_ERR_UNSUPPORTED,
                               "'%s': unknown results-store URL scheme; give a file path, "
                               "sqlite:PATH or postgresql://...",
                               location);
    if (location[0] == '\0')
        return assay_error_set(error, ASSAY_ERR_INVALID, "sqlite: needs a file path after it");
    return store__sqlite_backend.open(location, out, error);
}

int store_open_existing(const char *location, struct store **out, struct assay_error *error)
{
    const char *path = location == NULL || location[0] == '\0' ? STORE_DEFAULT_LOCATION : location;
    if (starts_with(path, "sqlite:"))
        path += strlen("sqlite:");
    struct stat information;
    if (path[0] != '\0' && strstr(path, "://") == NULL && stat(path, &information) != 0) {
        if (out != NULL)
            *out = NULL;
        return assay_error_set(error, ASSAY_ERR_NOT_FOUND,
                               "%.200s: no such results store (`assay run SCENARIO --db %.200s` writes one)", path,
                               path);
    }
    return store_open(location, out, error);
}

void store_close(struct store *store)
{
    if (store != NULL)
        store->backend->close(store);
}

const char *store_backend_name(const struct store *store)
{
    return store->backend->name;
}

int store_schema_version(struct store *store, int *version, struct assay_error *error)
{
    return store->backend->schema_version(store, version, error);
}

/* A required text field: present and not empty. */
static int require(const char *value, const char *what, struct assay_error *error)
{
    if (value == NULL || value[0] == '\0')
        return assay_error_set(error, ASSAY_ERR_INVALID, "%s is required", what);
    return ASSAY_OK;
}

int store_run_create(struct store *store, struct store_run *run, struct assay_error *error)
{
    assert(store != NULL && run != NULL);
    int status = require(run->scenario_name, "the run's scenario name", error);
    if (status == ASSAY_OK)
        status = require(run->scenario_json, "the run's scenario JSON", error);
    if (status == ASSAY_OK)
        status = require(run->mode, "the run's mode", error);
    if (status == ASSAY_OK && store_run_status_name(run->status) == NULL)
        status = assay_error_set(error, ASSAY_ERR_INVALID, "run status %d is not a status",
                                 (int)run->status);
    if (status != ASSAY_OK)
        return status;
    return store->backend->run_create(store, run, error);
}

int store_run_finish(struct store *store, int64_t run_id, enum store_run_status status,
                     int64_t finished_at_ms, struct assay_error *error)
{
    assert(store != NULL);
    if (store_run_status_name(status) == NULL)
        return assay_error_set(error, ASSAY_ERR_INVALID, "run status %d is not a status",
                               (int)status);
    return store->backend->run_finish(store, run_id, status, finished_at_ms, error);
}

int store_participant_add(struct store *store, struct store_participant *participant,
                          struct assay_error *error)
{
    assert(store != NULL && participant != NULL);
    int status = require(participant->role, "the participant's role", error);
    if (status == ASSAY_OK)
        status = require(participant->name, "the participant's name", error);
    if (status == ASSAY_OK)
        status = require(participant->endpoint_kind, "the participant's endpoint kind", error);
    if (status != ASSAY_OK)
        return status;
    /* A word such as "local" or "remote", never a URL: URLs can carry
     * credentials, and the store must never hold a secret. */
    if (strspn(participant->endpoint_kind, "abcdefghijklmnopqrstuvwxyz_") !=
        strlen(participant->endpoint_kind))
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "participant '%s': endpoint kind must be a word such as local, "
                               "remote or proxy, not an address",
                               participant->role);
    return store->backend->participant_add(store, participant, error);
}

int store_episode_record(struct store *store, struct store_episode *episode,
                         struct assay_error *error)
{
    assert(store != NULL && episode != NULL);
    int status = require(episode->participant_role, "the episode's participant role", error);
    if (status == ASSAY_OK)
        status = require(episode->task_id, "the episode's task id", error);
    if (status != ASSAY_OK)
        return status;
    if (episode->trial < 0)
        return assay_error_set(error, ASSAY_ERR_INVALID, "trial %lld of task '%s' is negative",
                               (long long)episode->trial, episode->task_id);
    if (store_episode_status_name(episode->status) == NULL ||
        store_error_class_name(episode->error_class) == NULL)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "episode of task '%s': status %d or error class %d is out of range",
                               episode->task_id, (int)episode->status, (int)episode->error_class);
    /* An infrastructure failure is not the agent's result: scoring it would
     * silently count the harness's fault as a 0. */
    if (store_error_class_side(episode->error_class) == STORE_SIDE_INFRASTRUCTURE &&
        episode->status != STORE_EPISODE_ERROR)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "episode of task '%s' failed with %s, an infrastructure failure, "
                               "so its status must be 'error', not '%s'",
                               episode->task_id, store_error_class_name(episode->error_class),
                               store_episode_status_name(episode->status));
    if (episode->trace_count > 0 && episode->trace == NULL)
        return assay_error_set(error, ASSAY_ERR_INVALID, "trace_count is %zu but trace is NULL",
                               episode->trace_count);
    for (size_t index = 0; index < episode->trace_count; index++) {
        const struct store_trace_entry *entry = &episode->trace[index];
        if (entry->direction == NULL || entry->kind == NULL || entry->payload_json == NULL)
            return assay_error_set(error, ASSAY_ERR_INVALID,
                                   "trace row %zu of task '%s' lacks its direction, kind or "
                                   "payload",
                                   index, episode->task_id);
    }
    return store->backend->episode_record(store, episode, error);
}

int store_episodes_missing(struct store *store, int64_t run_id,
                           const struct store_planned_episode *planned, size_t count,
                           unsigned char *is_missing, size_t *missing_count,
                           struct assay_error *error)
{
    assert(store != NULL && missing_count != NULL);
    if (count > 0 && (planned == NULL || is_missing == NULL))
        return assay_error_set(error, ASSAY_ERR_INVALID, "planned episodes without arrays");
    for (size_t index = 0; index < count; index++)
        if (planned[index].participant_role == NULL || planned[index].task_id == NULL)
            return assay_error_set(error, ASSAY_ERR_INVALID,
                                   "planned episode %zu lacks its role or task", index);
    return store->backend->episodes_missing(store, run_id, planned, count, is_missing,
                                            missing_count, error);
}

int store_runs_list(struct store *store, store_run_visitor visitor, void *context,
                    struct assay_error *error)
{
    assert(store != NULL && visitor != NULL);
    return store->backend->runs_list(store, 0, visitor, context, error);
}

int store_run_get(struct store *store, int64_t run_id, store_run_visitor visitor, void *context,
                  struct assay_error *error)
{
    assert(store != NULL && visitor != NULL);
    if (run_id <= 0)
        return assay_error_set(error, ASSAY_ERR_NOT_FOUND, "there is no run %lld",
                               (long long)run_id);
    return store->backend->runs_list(store, run_id, visitor, context, error);
}

int store_participants_list(struct store *store, int64_t run_id, store_participant_visitor visitor,
                            void *context, struct assay_error *error)
{
    assert(store != NULL && visitor != NULL);
    return store->backend->participants_list(store, run_id, visitor, context, error);
}

int store_episode_iterator_open(struct store *store, int64_t run_id, const char *role,
                                struct store_episode_iterator **out, struct assay_error *error)
{
    assert(store != NULL && out != NULL);
    *out = NULL;
    struct store_episode_iterator *iterator = assay_calloc(1, sizeof *iterator);
    if (iterator == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory reading episodes");
    iterator->backend = store->backend;
    int status = store->backend->episodes_open(store, run_id, role, &iterator->cursor, error);
    if (status != ASSAY_OK)
        goto fail;
    *out = iterator;
    return ASSAY_OK;
fail:
    assay_free(iterator);
    return status;
}

int store_episode_iterator_next(struct store_episode_iterator *iterator,
                                struct store_episode *episode, struct assay_error *error)
{
    assert(iterator != NULL && episode != NULL);
    return iterator->backend->episodes_next(iterator->cursor, episode, error);
}

void store_episode_iterator_close(struct store_episode_iterator *iterator)
{
    if (iterator == NULL)
        return;
    iterator->backend->episodes_close(iterator->cursor);
    assay_free(iterator);
}

int store_generation(struct store *store, int64_t *out, struct assay_error *error)
{
    assert(store != NULL && out != NULL);
    return store->backend->generation(store, out, error);
}

int store_snapshot_begin(struct store *store, struct assay_error *error)
{
    assert(store != NULL);
    return store->backend->snapshot(store, 1, error);
}

void store_snapshot_end(struct store *store)
{
    if (store != NULL)
        store->backend->snapshot(store, 0, NULL);
}

int store_episode_get(struct store *store, int64_t episode_id, store_episode_visitor visitor, void *context,
                      struct assay_error *error)
{
    assert(store != NULL && visitor != NULL);
    return store->backend->episode_get(store, episode_id, visitor, context, error);
}

int store_trace_read(struct store *store, int64_t episode_id, int64_t offset, int64_t limit,
                     store_trace_visitor visitor, void *context, struct assay_error *error)
{
    assert(store != NULL && visitor != NULL);
    if (offset < 0 || limit < 0)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "trace page offset %lld and limit %lld must not be negative",
                               (long long)offset, (long long)limit);
    return store->backend->trace_read(store, episode_id, offset, limit, visitor, context, error);
}
