/* store.h — the results store: runs, participants, episodes and the full
 * message/tool-call trace of every episode.
 *
 * One interface, backends behind it (store_backend.h): SQLite now, a
 * PostgreSQL backend later. store_open() picks the backend from the location
 * string, so callers never name one.
 *
 * Ownership: every input struct and string is borrowed for the duration of
 * the call and copied into the store; nothing is kept. Everything the store
 * hands out while reading (struct store_run, store_participant,
 * store_episode, store_trace_entry views given to callbacks or returned by
 * store_episode_iterator_next) is borrowed from the store and valid only until
 * the callback returns or the next call on the iterator; copy what you keep.
 * Output buffers are the caller's: functions append to them. Close every
 * iterator before the store it reads.
 *
 * Threads: one store handle is used by one thread at a time (a transaction is
 * a property of the connection, so interleaving calls from two threads would
 * mix their episodes). Open one handle per thread; SQLite in WAL mode lets
 * them read concurrently and serialises their writes (busy timeout 5 s).
 *
 * Errors: 0 or a negative ASSAY_ERR_* code; a non-NULL struct assay_error
 * receives a sentence naming what was wrong. */
#ifndef ASSAY_STORE_STORE_H
#define ASSAY_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buffer.h"
#include "core/status.h"

#define STORE_DEFAULT_LOCATION "assay.db"

/* The schema version this build writes and understands (see docs/store.md). */
#define STORE_SCHEMA_VERSION 2

struct store;

enum store_run_status {
    STORE_RUN_RUNNING = 0,
    STORE_RUN_COMPLETE,
    STORE_RUN_INCOMPLETE,
    STORE_RUN_INTERRUPTED,
};

/* Why an episode did not succeed. Agent failures count against the agent;
 * infrastructure failures are the harness's fault, are retried and are
 * reported separately, never scored as 0. */
enum store_error_class {
    STORE_ERROR_NONE = 0,
    STORE_ERROR_WRONG_ANSWER,
    STORE_ERROR_GAVE_UP,
    STORE_ERROR_TIMED_OUT,
    STORE_ERROR_PROTOCOL_ERROR,
    STORE_ERROR_AGENT_CRASHED,
    STORE_ERROR_ENVIRONMENT_CRASHED,
    STORE_ERROR_STORE_ERROR,
    STORE_ERROR_RUNNER_INTERRUPTED,
    STORE_ERROR_CLASS_COUNT
};

enum store_error_side {
    STORE_SIDE_NONE = 0, /* STORE_ERROR_NONE */
    STORE_SIDE_AGENT,
    STORE_SIDE_INFRASTRUCTURE,
};

enum store_episode_status {
    STORE_EPISODE_SCORED = 0, /* the agent finished and was evaluated */
    STORE_EPISODE_FAILED,     /* an agent failure ended it; it counts, score as given */
    STORE_EPISODE_ERROR,      /* an infrastructure failure; not a score */
};

/* Names as written in the store and in exports ("wrong_answer", "complete",
 * "scored", ...); NULL for a value out of range. The _parse functions return
 * ASSAY_ERR_INVALID for an unknown name. */
const char *store_error_class_name(enum store_error_class error_class);
int store_error_class_parse(const char *name, enum store_error_class *out);
enum store_error_side store_error_class_side(enum store_error_class error_class);
const char *store_error_side_name(enum store_error_side side);
const char *store_run_status_name(enum store_run_status status);
int store_run_status_parse(const char *name, enum store_run_status *out);
const char *store_episode_status_name(enum store_episode_status status);
int store_episode_status_parse(const char *name, enum store_episode_status *out);

/* Times are milliseconds since the Unix epoch; 0 means "not set". */
struct store_run {
    int64_t id; /* set by the store */
    const char *scenario_name;
    const char *scenario_json;   /* JSON text */
    const char *mode;            /* local, remote, proxy, ci, hosted */
    const char *provenance_json; /* JSON text or NULL */
    const char *assay_version;   /* NULL: this build's ASSAY_VERSION */
    enum store_run_status status;
    int64_t started_at_ms;
    int64_t finished_at_ms;
};

/* Never put secrets here: endpoint_kind says how the agent is reached
 * ("local", "remote", "proxy"), not where or with which token. */
struct store_participant {
    int64_t id; /* set by the store */
    int64_t run_id;
    const char *role; /* unique within a run */
    const char *name;
    const char *agent_card_json; /* JSON text or NULL */
    const char *endpoint_kind;   /* a lower-case word; anything else is refused */
};

/* One row of an episode's trace. Rows are numbered 0, 1, 2, ... in the
 * order given; that number is the `offset` of store_trace_read. */
struct store_trace_entry {
    int64_t sequence;         /* ignored when recording; set when reading */
    const char *direction;    /* e.g. to_agent, from_agent, to_environment, from_environment */
    const char *kind;         /* e.g. message, tool_call, tool_result, status */
    const char *payload_json; /* JSON text */
    int64_t at_ms;
};

/* Counts the agent did not report are -1 (tokens) or a negative cost, and
 * are stored as NULL. An episode without a score (an infrastructure error)
 * has score NAN, stored as NULL and exported as null / an empty field, so it
 * can never be mistaken for a 0. */
struct store_episode {
    int64_t id; /* set by the store */
    int64_t run_id;
    const char *participant_role;
    const char *task_id;
    int64_t trial;
    double score;
    int passed;
    const char *verdicts_json; /* JSON text or NULL */
    enum store_episode_status status;
    enum store_error_class error_class;
    const char *error_message; /* or NULL */
    int64_t started_at_ms;
    int64_t finished_at_ms;
    int64_t duration_ms;
    int64_t steps;
    int64_t input_tokens;
    int64_t output_tokens;
    double cost;
    const char *task_family;               /* copied from the package for statistics; or NULL */
    const char *task_tags_json;            /* JSON array text or NULL */
    const char *task_parts_json;           /* a compositional task's atomic task ids (JSON array) or NULL */
    double task_human_minutes;             /* a skilled human's time for the task; <= 0: unknown (NULL) */
    const struct store_trace_entry *trace; /* recording only; NULL when reading */
    size_t trace_count;                    /* rows in the trace (set when reading too) */
};

/* One episode a run plans to have (for resume). */
struct store_planned_episode {
    const char *participant_role;
    const char *task_id;
    int64_t trial;
};

/* Opens (creating and migrating when needed) the store at `location`:
 * NULL or "" for STORE_DEFAULT_LOCATION, a file path, or "sqlite:PATH".
 * "postgresql://..." is recognised but ASSAY_ERR_UNSUPPORTED for now.
 * Errors: ASSAY_ERR_INVALID for a file that is not an assay store (not a
 * database, a directory, a foreign database), ASSAY_ERR_UNSUPPORTED for a
 * schema newer than STORE_SCHEMA_VERSION, ASSAY_ERR_IO otherwise. */
int store_open(const char *location, struct store **out, struct assay_error *error);
/* The same for readers: never creates a store. ASSAY_ERR_NOT_FOUND ("PATH:
 * no such results store; ...") when the file does not exist, so a mistyped
 * name is reported instead of leaving an empty store behind. */
int store_open_existing(const char *location, struct store **out, struct assay_error *error);
/* Accepts NULL. */
void store_close(struct store *store);
const char *store_backend_name(const struct store *store);
int store_schema_version(struct store *store, int *version, struct assay_error *error);

/* Writing. store_run_create sets run->id. */
int store_run_create(struct store *store, struct store_run *run, struct assay_error *error);
int store_run_finish(struct store *store, int64_t run_id, enum store_run_status status,
                     int64_t finished_at_ms, struct assay_error *error);
int store_participant_add(struct store *store, struct store_participant *participant,
                          struct assay_error *error);
/* Records a finished episode and its whole trace in one transaction: either
 * all of it is stored or none. Sets episode->id. ASSAY_ERR_STATE when the
 * (run, participant, task, trial) is already recorded (nothing changes);
 * ASSAY_ERR_NOT_FOUND for an unknown run or role; ASSAY_ERR_INVALID for a
 * missing field or a payload that is not JSON. */
int store_episode_record(struct store *store, struct store_episode *episode,
                         struct assay_error *error);

/* Resume: is_missing[i] = 1 when planned[i] is not recorded yet, else 0;
 * *missing_count gets how many are missing. ASSAY_ERR_NOT_FOUND for an
 * unknown run. Cost: one index lookup per planned episode. */
int store_episodes_missing(struct store *store, int64_t run_id,
                           const struct store_planned_episode *planned, size_t count,
                           unsigned char *is_missing, size_t *missing_count,
                           struct assay_error *error);

/* Reading. A callback returning non-zero stops the walk, and that value is
 * returned. */
typedef int (*store_run_visitor)(void *context, const struct store_run *run);
typedef int (*store_participant_visitor)(void *context,
                                         const struct store_participant *participant);
typedef int (*store_trace_visitor)(void *context, const struct store_trace_entry *entry);

/* All runs, newest first. */
int store_runs_list(struct store *store, store_run_visitor visitor, void *context,
                    struct assay_error *error);
/* One run; ASSAY_ERR_NOT_FOUND when unknown. */
int store_run_get(struct store *store, int64_t run_id, store_run_visitor visitor, void *context,
                  struct assay_error *error);
int store_participants_list(struct store *store, int64_t run_id, store_participant_visitor visitor,
                            void *context, struct assay_error *error);

/* Episodes of a run in recording order, of one participant when role is
 * not NULL. Memory stays constant however many episodes there are. */
struct store_episode_iterator;
int store_episode_iterator_open(struct store *store, int64_t run_id, const char *role,
                                struct store_episode_iterator **out, struct assay_error *error);
/* 1 and fills *episode (borrowed until the next call), 0 at the end, or a
 * negative code. */
int store_episode_iterator_next(struct store_episode_iterator *iterator,
                                struct store_episode *episode, struct assay_error *error);
/* Accepts NULL. */
void store_episode_iterator_close(struct store_episode_iterator *iterator);
/* A number that changes whenever anything a reader can see changes: a run
 * is created or changes status, or an episode is recorded (the store never
 * deletes). Viewers use it to validate caches; it costs two index lookups
 * and a scan of the runs table. */
int store_generation(struct store *store, int64_t *out, struct assay_error *error);
/* Reads between store_snapshot_begin() and store_snapshot_end() all see
 * the store as it was at the first of them, even while another process
 * records episodes (a page that shows a running run's progress and its
 * episode table shows one moment). Not for writing handles. */
int store_snapshot_begin(struct store *store, struct assay_error *error);
void store_snapshot_end(struct store *store);
/* One episode by its id (the callback gets it borrowed); ASSAY_ERR_NOT_FOUND
 * when there is none. */
typedef int (*store_episode_visitor)(void *context, const struct store_episode *episode);
int store_episode_get(struct store *store, int64_t episode_id, store_episode_visitor visitor, void *context,
                      struct assay_error *error);
/* The same episodes as a JSON array appended to out. */
int store_episodes_json(struct store *store, int64_t run_id, const char *role, struct buffer *out,
                        struct assay_error *error);

/* At most `limit` trace rows of an episode from row `offset` on. Cost is
 * O(limit) whatever the offset (the rows are keyed by episode and sequence),
 * so a 10,000-step trajectory is read a page at a time. ASSAY_ERR_NOT_FOUND
 * for an unknown episode. */
int store_trace_read(struct store *store, int64_t episode_id, int64_t offset, int64_t limit,
                     store_trace_visitor visitor, void *context, struct assay_error *error);
/* The same page as a JSON array appended to out. */
int store_trace_json(struct store *store, int64_t episode_id, int64_t offset, int64_t limit,
                     struct buffer *out, struct assay_error *error);

enum store_export_format {
    STORE_EXPORT_JSON = 0, /* {"run":{...},"participants":[...],"episodes":[...]} */
    STORE_EXPORT_CSV,      /* RFC 4180, a header line then one line per episode */
};

/* Appends the export of a run to out. Traces are not exported (use
 * store_trace_json per episode). ASSAY_ERR_NOT_FOUND for an unknown run. */
int store_export_run(struct store *store, int64_t run_id, enum store_export_format format,
                     struct buffer *out, struct assay_error *error);

#endif
