/* store_sqlite.c — the SQLite backend of the results store.
 *
 * Durability: WAL journal with synchronous=NORMAL. A committed episode
 * survives the process being killed at any instant (the WAL is in the OS
 * page cache and is replayed on the next open); after a power loss or OS
 * crash the last few commits may be rolled back, never half-applied. FULL
 * would add an fsync per episode for power-loss durability; the runner redoes
 * lost episodes on resume, so NORMAL is the better trade.
 *
 * Schema changes are migrations: entries appended to `migrations` below,
 * each applied once in its own transaction and noted in store_migrations. */
#include <assert.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/memory.h"
#include "core/version.h"
#include "store/store_backend.h"

/* 'ASSY' — lets us tell our files from other SQLite databases. */
#define STORE_APPLICATION_ID  0x41535359
#define STORE_BUSY_TIMEOUT_MS 5000

struct migration {
    int version;
    const char *description;
    const char *sql;
};

static const struct migration migrations[] = {
    {1, "runs, participants, episodes and traces",
     "CREATE TABLE runs ("
     " id INTEGER PRIMARY KEY,"
     " scenario_name TEXT NOT NULL,"
     " scenario_json TEXT NOT NULL CHECK (json_valid(scenario_json)),"
     " mode TEXT NOT NULL,"
     " status TEXT NOT NULL CHECK (status IN ('running','complete','incomplete','interrupted')),"
     " provenance_json TEXT CHECK (provenance_json IS NULL OR json_valid(provenance_json)),"
     " started_at_ms INTEGER NOT NULL,"
     " finished_at_ms INTEGER,"
     " assay_version TEXT NOT NULL);"
     "CREATE TABLE participants ("
     " id INTEGER PRIMARY KEY,"
     " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
     " role TEXT NOT NULL,"
     " name TEXT NOT NULL,"
     " agent_card_json TEXT CHECK (agent_card_json IS NULL OR json_valid(agent_card_json)),"
     " endpoint_kind TEXT NOT NULL,"
     " UNIQUE (run_id, role));"
     "CREATE TABLE episodes ("
     " id INTEGER PRIMARY KEY,"
     " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
     " participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,"
     " task_id TEXT NOT NULL,"
     " trial INTEGER NOT NULL CHECK (trial >= 0),"
     " score REAL,"
     " passed INTEGER NOT NULL CHECK (passed IN (0, 1)),"
     " verdicts_json TEXT CHECK (verdicts_json IS NULL OR json_valid(verdicts_json)),"
     " status TEXT NOT NULL CHECK (status IN ('scored','failed','error')),"
     " error_class TEXT CHECK (error_class IS NULL OR error_class IN ('wrong_answer','gave_up',"
     "  'timed_out','protocol_error','agent_crashed','environment_crashed','store_error',"
     "  'runner_interrupted')),"
     " error_message TEXT,"
     " started_at_ms INTEGER,"
     " finished_at_ms INTEGER,"
     " duration_ms INTEGER,"
     " steps INTEGER,"
     " input_tokens INTEGER,"
     " output_tokens INTEGER,"
     " cost REAL,"
     " task_family TEXT,"
     " task_tags_json TEXT CHECK (task_tags_json IS NULL OR json_valid(task_tags_json)),"
     " trace_count INTEGER NOT NULL,"
     " UNIQUE (run_id, participant_id, task_id, trial));"
     "CREATE INDEX episodes_by_participant ON episodes (participant_id);"
     "CREATE TABLE trace_entries ("
     " episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,"
     " sequence INTEGER NOT NULL,"
     " direction TEXT NOT NULL,"
     " kind TEXT NOT NULL,"
     " payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),"
     " at_ms INTEGER,"
     " PRIMARY KEY (episode_id, sequence)) WITHOUT ROWID;"},
    {2, "a task's atomic parts and human minutes, for the composition gap and time horizons",
     "ALTER TABLE episodes ADD COLUMN task_parts_json TEXT"
     " CHECK (task_parts_json IS NULL OR json_valid(task_parts_json));"
     "ALTER TABLE episodes ADD COLUMN task_human_minutes REAL"
     " CHECK (task_human_minutes IS NULL OR task_human_minutes > 0);"},
    /* Migration 3 goes here: {3, "what it adds", "ALTER TABLE ...;"}. Then
     * raise STORE_SCHEMA_VERSION in store.h. */
};

#define MIGRATION_COUNT (sizeof migrations / sizeof migrations[0])

/* The columns sqlite_episodes_next() reads, in its order. */
#define EPISODE_SELECT                                                                            \
    "SELECT e.id, e.run_id, p.role, e.task_id, e.trial, e.score, e.passed, e.verdicts_json,"      \
    " e.status, e.error_class, e.error_message, e.started_at_ms, e.finished_at_ms,"               \
    " e.duration_ms, e.steps, e.input_tokens, e.output_tokens, e.cost, e.task_family,"            \
    " e.task_tags_json, e.trace_count, e.task_parts_json, e.task_human_minutes FROM episodes e"  \
    " JOIN participants p ON p.id = e.participant_id"

enum statement_index {
    STATEMENT_PARTICIPANT_FIND,
    STATEMENT_EPISODE_INSERT,
    STATEMENT_TRACE_INSERT,
    STATEMENT_EPISODE_EXISTS,
    STATEMENT_TRACE_PAGE,
    STATEMENT_GENERATION,
    STATEMENT_COUNT
};

/* Prepared once per connection: recording an episode then costs no SQL
 * parsing, which matters for traces of thousands of rows. */
static const char *const statement_sql[STATEMENT_COUNT] = {
    [STATEMENT_PARTICIPANT_FIND] = "SELECT id FROM participants WHERE run_id = ?1 AND role = ?2",
    [STATEMENT_EPISODE_INSERT] =
        "INSERT INTO episodes (run_id, participant_id, task_id, trial, score, passed,"
        " verdicts_json, status, error_class, error_message, started_at_ms, finished_at_ms,"
        " duration_ms, steps, input_tokens, output_tokens, cost, task_family, task_tags_json,"
        " trace_count, task_parts_json, task_human_minutes) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
        "?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22)",
    [STATEMENT_TRACE_INSERT] = "INSERT INTO trace_entries (episode_id, sequence, direction, kind,"
                               " payload_json, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [STATEMENT_EPISODE_EXISTS] =
        "SELECT 1 FROM episodes WHERE run_id = ?1 AND task_id = ?3 AND trial = ?4 AND"
        " participant_id = (SELECT id FROM participants WHERE run_id = ?1 AND role = ?2)",
    [STATEMENT_TRACE_PAGE] = "SELECT sequence, direction, kind, payload_json, at_ms FROM"
                             " trace_entries WHERE episode_id = ?1 AND sequence >= ?2"
                             " ORDER BY sequence LIMIT ?3",
    /* the newest episode, and every run's id weighted by its status */
    [STATEMENT_GENERATION] = "SELECT (SELECT coalesce(max(id), 0) FROM episodes),"
                             " (SELECT coalesce(sum(id * (CASE status WHEN 'running' THEN 1"
                             " WHEN 'complete' THEN 2 WHEN 'incomplete' THEN 3 ELSE 5 END)), 0)"
                             " + count(*) FROM runs)",
};

struct sqlite_store {
    struct store base; /* first: a struct store * is a struct sqlite_store * */
    sqlite3 *database;
    char *path;
    sqlite3_stmt *statements[STATEMENT_COUNT];
};

struct episode_cursor {
    struct sqlite_store *store;
    sqlite3_stmt *statement;
};

static struct sqlite_store *sqlite_store_of(struct store *store)
{
    assert(store != NULL && store->backend == &store__sqlite_backend);
    return (struct sqlite_store *)store;
}

/* Turns an SQLite failure into our code and a sentence. */
static int sqlite_failure(struct sqlite_store *store, int result, const char *doing,
                          struct assay_error *error)
{
    int primary = result & 0xff;
    const char *detail =
        store->database != NULL ? sqlite3_errmsg(store->database) : sqlite3_errstr(result);
    int status = ASSAY_ERR_IO;
    if (primary == SQLITE_NOMEM)
        status = ASSAY_ERR_NOMEM;
    else if (primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG)
        status = ASSAY_ERR_INVALID;
    else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        status = ASSAY_ERR_TIMEOUT;
    else if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "%s is not an assay results store (%s); give the path of an "
                               "assay.db or of a new file",
                               store->path, detail);
    return assay_error_set(error, status, "results store %s: %s: %s", store->path, doing, detail);
}

static int execute(struct sqlite_store *store, const char *sql, const char *doing,
                   struct assay_error *error)
{
    int result = sqlite3_exec(store->database, sql, NULL, NULL, NULL);
    if (result != SQLITE_OK)
        return sqlite_failure(store, result, doing, error);
    return ASSAY_OK;
}

/* Rolls back whatever is open; used on failure paths only, where the
 * original error is what the caller needs to see. */
static void rollback(struct sqlite_store *store)
{
    if (!sqlite3_get_autocommit(store->database))
        sqlite3_exec(store->database, "ROLLBACK", NULL, NULL, NULL);
}

/* Binding helpers: NULL text and "not reported" numbers become SQL NULL. */
static int bind_text(sqlite3_stmt *statement, int column, const char *text)
{
    if (text == NULL)
        return sqlite3_bind_null(statement, column);
    return sqlite3_bind_text(statement, column, text, -1, SQLITE_STATIC);
}

static int bind_time(sqlite3_stmt *statement, int column, int64_t value)
{
    return value > 0 ? sqlite3_bind_int64(statement, column, value)
                     : sqlite3_bind_null(statement, column);
}

static int bind_count(sqlite3_stmt *statement, int column, int64_t value)
{
    return value >= 0 ? sqlite3_bind_int64(statement, column, value)
                      : sqlite3_bind_null(statement, column);
}

static const char *column_text(sqlite3_stmt *statement, int column)
{
    return (const char *)sqlite3_column_text(statement, column);
}

static int64_t column_count(sqlite3_stmt *statement, int column)
{
    return sqlite3_column_type(statement, column) == SQLITE_NULL
               ? -1
               : sqlite3_column_int64(statement, column);
}

/* Statement helpers. `doing` words every failure ("results store PATH:
 * DOING: ..."), so a query states what it is for once. A statement from
 * prepare() is the caller's to finalize; a cached one (store->statements)
 * is only reset, so its compiled plan is kept. */
static int prepare(struct sqlite_store *store, const char *sql, const char *doing,
                   sqlite3_stmt **statement, struct assay_error *error)
{
    int result = sqlite3_prepare_v2(store->database, sql, -1, statement, NULL);
    if (result != SQLITE_OK)
        return sqlite_failure(store, result, doing, error);
    return ASSAY_OK;
}

/* 1 for a row, 0 when there are no more, or a negative code. */
static int step_row(struct sqlite_store *store, sqlite3_stmt *statement, const char *doing,
                    struct assay_error *error)
{
    int result = sqlite3_step(statement);
    if (result == SQLITE_ROW)
        return 1;
    if (result == SQLITE_DONE)
        return 0;
    return sqlite_failure(store, result, doing, error);
}

/* For a statement that always yields a row: no row at all is a failure. */
static int step_one_row(struct sqlite_store *store, sqlite3_stmt *statement, const char *doing,
                        struct assay_error *error)
{
    int result = sqlite3_step(statement);
    return result == SQLITE_ROW ? ASSAY_OK : sqlite_failure(store, result, doing, error);
}

/* Makes a cached statement ready for its next use; bindings are cleared so
 * no borrowed text outlives the call that bound it. */
static void release_cached(sqlite3_stmt *statement)
{
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
}

/* 1 when `sql` (with ?1 = id) yields a row, 0 when not, or a negative code. */
static int id_exists(struct sqlite_store *store, const char *sql, int64_t id, const char *doing,
                     struct assay_error *error)
{
    sqlite3_stmt *statement = NULL;
    int status = prepare(store, sql, doing, &statement, error);
    if (status != ASSAY_OK)
        return status;
    sqlite3_bind_int64(statement, 1, id);
    status = step_row(store, statement, doing, error);
    sqlite3_finalize(statement);
    return status;
}

static int no_such_run(struct sqlite_store *store, int64_t run_id, struct assay_error *error)
{
    return assay_error_set(error, ASSAY_ERR_NOT_FOUND, "there is no run %lld in %s",
                           (long long)run_id, store->path);
}

static int no_such_episode(struct sqlite_store *store, int64_t episode_id,
                           struct assay_error *error)
{
    return assay_error_set(error, ASSAY_ERR_NOT_FOUND, "there is no episode %lld in %s",
                           (long long)episode_id, store->path);
}

/* Steps a write statement to completion and resets it. */
static int step_write(struct sqlite_store *store, sqlite3_stmt *statement, const char *doing,
                      struct assay_error *error)
{
    int result = sqlite3_step(statement);
    int status = ASSAY_OK;
    if (result != SQLITE_DONE)
        status = sqlite_failure(store, result, doing, error);
    release_cached(statement);
    return status;
}

static int query_integer(struct sqlite_store *store, const char *sql, int64_t *value,
                         struct assay_error *error)
{
    sqlite3_stmt *statement = NULL;
    int status = prepare(store, sql, "reading the schema", &statement, error);
    if (status != ASSAY_OK)
        return status;
    status = step_row(store, statement, "reading the schema", error);
    *value = status == 1 ? sqlite3_column_int64(statement, 0) : 0;
    sqlite3_finalize(statement);
    return status < 0 ? status : ASSAY_OK;
}

static int read_schema_version(struct sqlite_store *store, int *version, struct assay_error *error)
{
    int64_t has_table = 0, value = 0;
    int status = query_integer(store,
                               "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
                               " name = 'store_migrations'",
                               &has_table, error);
    if (status == ASSAY_OK && has_table)
        status = query_integer(store, "SELECT max(version) FROM store_migrations", &value, error);
    *version = (int)value;
    return status;
}

static int note_migration(struct sqlite_store *store, const struct migration *migration,
                          struct assay_error *error)
{
    const char *doing = "noting a schema migration";
    sqlite3_stmt *statement = NULL;
    int status = prepare(store, "INSERT INTO store_migrations VALUES (?1, ?2, datetime('now'))",
                         doing, &statement, error);
    if (status != ASSAY_OK)
        return status;
    sqlite3_bind_int(statement, 1, migration->version);
    sqlite3_bind_text(statement, 2, migration->description, -1, SQLITE_STATIC);
    status = step_write(store, statement, doing, error);
    sqlite3_finalize(statement);
    return status;
}

/* Brings the schema up to STORE_SCHEMA_VERSION. BEGIN IMMEDIATE takes the
 * write lock before reading the version, so two processes opening a new
 * file at once do not both create the tables. */
static int migrate(struct sqlite_store *store, struct assay_error *error)
{
    int status = execute(store, "BEGIN IMMEDIATE", "starting the schema check", error);
    if (status != ASSAY_OK)
        return status;
    int version = 0;
    int64_t application_id = 0, table_count = 0;
    status = read_schema_version(store, &version, error);
    if (status == ASSAY_OK)
        status = query_integer(store, "PRAGMA application_id", &application_id, error);
    if (status == ASSAY_OK)
        status = query_integer(store, "SELECT count(*) FROM sqlite_master", &table_count, error);
    if (status != ASSAY_OK)
        goto fail;
    if (version == 0 && (table_count > 0 || application_id != 0)) {
        status = assay_error_set(error, ASSAY_ERR_INVALID,
                                 "%s is an SQLite database but not an assay results store; "
                                 "give the path of an assay.db or of a new file",
                                 store->path);
        goto fail;
    }
    if (version > STORE_SCHEMA_VERSION) {
        status = assay_error_set(error, ASSAY_ERR_UNSUPPORTED,
                                 "%s has results-store schema version %d but this assay (%s) "
                                 "knows versions up to %d; use a newer assay to read it",
                                 store->path, version, ASSAY_VERSION, STORE_SCHEMA_VERSION);
        goto fail;
    }
    for (size_t index = 0; index < MIGRATION_COUNT; index++) {
        const struct migration *migration = &migrations[index];
        if (migration->version <= version)
            continue;
        if (version == 0 && migration->version == 1) {
            status = execute(store,
                             "CREATE TABLE store_migrations (version INTEGER PRIMARY KEY,"
                             " description TEXT NOT NULL, applied_at TEXT NOT NULL);"
                             "PRAGMA application_id = 1095979865;",
                             "creating the schema", error);
            if (status != ASSAY_OK)
                goto fail;
        }
        status = execute(store, migration->sql, "applying a schema migration", error);
        if (status != ASSAY_OK)
            goto fail;
        status = note_migration(store, migration, error);
        if (status != ASSAY_OK)
            goto fail;
    }
    return execute(store, "COMMIT", "committing the schema", error);
fail:
    rollback(store);
    return status;
}

static void sqlite_close(struct store *base)
{
    if (base == NULL)
        return;
    struct sqlite_store *store = sqlite_store_of(base);
    for (size_t index = 0; index < STATEMENT_COUNT; index++)
        sqlite3_finalize(store->statements[index]);
    /* close_v2: a forgotten iterator does not keep the file open forever */
    sqlite3_close_v2(store->database);
    assay_free(store->path);
    assay_free(store);
}

static int sqlite_open(const char *path, struct store **out, struct assay_error *error)
{
    _Static_assert(STORE_APPLICATION_ID == 1095979865, "application_id literal in migrate()");
    *out = NULL;
    struct stat information;
    if (stat(path, &information) == 0 && S_ISDIR(information.st_mode))
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "%s is a directory; give a file path for the results store, "
                               "such as %s/assay.db",
                               path, path);
    struct sqlite_store *store = assay_calloc(1, sizeof *store);
    if (store == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory opening %s", path);
    store->base.backend = &store__sqlite_backend;
    int status = ASSAY_OK;
    store->path = assay_strdup(path);
    if (store->path == NULL) {
        status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory opening %s", path);
        goto fail;
    }
    int result =
        sqlite3_open_v2(path, &store->database,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (result != SQLITE_OK) {
        status = assay_error_set(error, ASSAY_ERR_IO,
                                 "cannot open the results store %s: %s (check that the folder "
                                 "exists and is writable)",
                                 path,
                                 store->database != NULL ? sqlite3_errmsg(store->database)
                                                         : sqlite3_errstr(result));
        goto fail;
    }
    sqlite3_extended_result_codes(store->database, 1);
    sqlite3_busy_timeout(store->database, STORE_BUSY_TIMEOUT_MS);
    /* The first statement reads the header: a file that is not a database
     * fails here with SQLITE_NOTADB, which sqlite_failure words for the user. */
    int64_t ignored = 0;
    status = query_integer(store, "PRAGMA schema_version", &ignored, error);
    if (status != ASSAY_OK)
        goto fail;
    sqlite3_stmt *statement = NULL;
    status =
        prepare(store, "PRAGMA journal_mode = WAL", "switching to WAL mode", &statement, error);
    if (status == ASSAY_OK)
        status = step_one_row(store, statement, "switching to WAL mode", error);
    int is_wal = status == ASSAY_OK && strcmp(column_text(statement, 0), "wal") == 0;
    sqlite3_finalize(statement);
    if (status != ASSAY_OK)
        goto fail;
    if (!is_wal) {
        status = assay_error_set(error, ASSAY_ERR_IO,
                                 "results store %s: the file system does not support SQLite's "
                                 "WAL mode; put the store on a local disk",
                                 path);
        goto fail;
    }
    status = execute(store, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                     "configuring the connection", error);
    if (status != ASSAY_OK)
        goto fail;
    status = migrate(store, error);
    if (status != ASSAY_OK)
        goto fail;
    for (size_t index = 0; index < STATEMENT_COUNT; index++) {
        result = sqlite3_prepare_v3(store->database, statement_sql[index], -1,
                                    SQLITE_PREPARE_PERSISTENT, &store->statements[index], NULL);
        if (result != SQLITE_OK) {
            status = sqlite_failure(store, result, "preparing statements", error);
            goto fail;
        }
    }
    *out = &store->base;
    return ASSAY_OK;
fail:
    sqlite_close(&store->base);
    return status;
}

static int sqlite_schema_version(struct store *base, int *version, struct assay_error *error)
{
    return read_schema_version(sqlite_store_of(base), version, error);
}

static int sqlite_run_create(struct store *base, struct store_run *run, struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    sqlite3_stmt *statement = NULL;
    int status =
        prepare(store,
                "INSERT INTO runs (scenario_name, scenario_json, mode, status, provenance_json,"
                " started_at_ms, finished_at_ms, assay_version) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
                "creating a run", &statement, error);
    if (status != ASSAY_OK)
        return status;
    bind_text(statement, 1, run->scenario_name);
    bind_text(statement, 2, run->scenario_json);
    bind_text(statement, 3, run->mode);
    bind_text(statement, 4, store_run_status_name(run->status));
    bind_text(statement, 5, run->provenance_json);
    sqlite3_bind_int64(statement, 6, run->started_at_ms);
    bind_time(statement, 7, run->finished_at_ms);
    bind_text(statement, 8, run->assay_version != NULL ? run->assay_version : ASSAY_VERSION);
    status = step_write(store, statement, "creating a run", error);
    if (status == ASSAY_OK)
        run->id = sqlite3_last_insert_rowid(store->database);
    sqlite3_finalize(statement);
    return status;
}

static int sqlite_run_finish(struct store *base, int64_t run_id, enum store_run_status status_value,
                             int64_t finished_at_ms, struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    sqlite3_stmt *statement = NULL;
    int status = prepare(store, "UPDATE runs SET status = ?2, finished_at_ms = ?3 WHERE id = ?1",
                         "finishing a run", &statement, error);
    if (status != ASSAY_OK)
        return status;
    sqlite3_bind_int64(statement, 1, run_id);
    bind_text(statement, 2, store_run_status_name(status_value));
    bind_time(statement, 3, finished_at_ms);
    status = step_write(store, statement, "finishing a run", error);
    if (status == ASSAY_OK && sqlite3_changes(store->database) == 0)
        status = no_such_run(store, run_id, error);
    sqlite3_finalize(statement);
    return status;
}

static int sqlite_participant_add(struct store *base, struct store_participant *participant,
                                  struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    sqlite3_stmt *statement = NULL;
    int status = prepare(store,
                         "INSERT INTO participants (run_id, role, name,"
                         " agent_card_json, endpoint_kind) VALUES (?1,?2,?3,?4,?5)",
                         "adding a participant", &statement, error);
    if (status != ASSAY_OK)
        return status;
    sqlite3_bind_int64(statement, 1, participant->run_id);
    bind_text(statement, 2, participant->role);
    bind_text(statement, 3, participant->name);
    bind_text(statement, 4, participant->agent_card_json);
    bind_text(statement, 5, participant->endpoint_kind);
    int result = sqlite3_step(statement);
    if (result == SQLITE_CONSTRAINT_UNIQUE)
        status = assay_error_set(error, ASSAY_ERR_STATE,
                                 "run %lld already has a participant with role '%s'",
                                 (long long)participant->run_id, participant->role);
    else if (result == SQLITE_CONSTRAINT_FOREIGNKEY)
        status = no_such_run(store, participant->run_id, error);
    else if (result != SQLITE_DONE)
        status = sqlite_failure(store, result, "adding a participant", error);
    else
        participant->id = sqlite3_last_insert_rowid(store->database);
    sqlite3_finalize(statement);
    return status;
}

static int find_participant(struct sqlite_store *store, int64_t run_id, const char *role,
                            int64_t *participant_id, struct assay_error *error)
{
    sqlite3_stmt *statement = store->statements[STATEMENT_PARTICIPANT_FIND];
    sqlite3_bind_int64(statement, 1, run_id);
    bind_text(statement, 2, role);
    int status = step_row(store, statement, "finding a participant", error);
    if (status == 1)
        *participant_id = sqlite3_column_int64(statement, 0);
    else if (status == 0)
        status =
            assay_error_set(error, ASSAY_ERR_NOT_FOUND,
                            "run %lld has no participant with role '%s'", (long long)run_id, role);
    release_cached(statement);
    return status < 0 ? status : ASSAY_OK;
}

static int sqlite_episode_record(struct store *base, struct store_episode *episode,
                                 struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    /* IMMEDIATE: take the write lock now so that a concurrent writer makes
     * us wait (busy timeout) at BEGIN rather than fail halfway through. */
    int status = execute(store, "BEGIN IMMEDIATE", "starting an episode transaction", error);
    if (status != ASSAY_OK)
        return status;
    int64_t participant_id = 0;
    status =
        find_participant(store, episode->run_id, episode->participant_role, &participant_id, error);
    if (status != ASSAY_OK)
        goto fail;
    sqlite3_stmt *insert = store->statements[STATEMENT_EPISODE_INSERT];
    sqlite3_bind_int64(insert, 1, episode->run_id);
    sqlite3_bind_int64(insert, 2, participant_id);
    bind_text(insert, 3, episode->task_id);
    sqlite3_bind_int64(insert, 4, episode->trial);
    /* NaN (no score, e.g. an infrastructure error) is stored as NULL */
    if (isfinite(episode->score))
        sqlite3_bind_double(insert, 5, episode->score);
    else
        sqlite3_bind_null(insert, 5);
    sqlite3_bind_int(insert, 6, episode->passed ? 1 : 0);
    bind_text(insert, 7, episode->verdicts_json);
    bind_text(insert, 8, store_episode_status_name(episode->status));
    bind_text(insert, 9, store_error_class_name(episode->error_class));
    if (episode->error_class == STORE_ERROR_NONE)
        sqlite3_bind_null(insert, 9);
    bind_text(insert, 10, episode->error_message);
    bind_time(insert, 11, episode->started_at_ms);
    bind_time(insert, 12, episode->finished_at_ms);
    bind_count(insert, 13, episode->duration_ms);
    bind_count(insert, 14, episode->steps);
    bind_count(insert, 15, episode->input_tokens);
    bind_count(insert, 16, episode->output_tokens);
    if (episode->cost >= 0)
        sqlite3_bind_double(insert, 17, episode->cost);
    else
        sqlite3_bind_null(insert, 17);
    bind_text(insert, 18, episode->task_family);
    bind_text(insert, 19, episode->task_tags_json);
    sqlite3_bind_int64(insert, 20, (int64_t)episode->trace_count);
    bind_text(insert, 21, episode->task_parts_json);
    if (episode->task_human_minutes > 0 && isfinite(episode->task_human_minutes))
        sqlite3_bind_double(insert, 22, episode->task_human_minutes);
    else
        sqlite3_bind_null(insert, 22);
    int result = sqlite3_step(insert);
    release_cached(insert);
    if (result == SQLITE_CONSTRAINT_UNIQUE) {
        status = assay_error_set(error, ASSAY_ERR_STATE,
                                 "episode (participant '%s', task '%s', trial %lld) of run %lld "
                                 "is already recorded; it is never recorded twice",
                                 episode->participant_role, episode->task_id,
                                 (long long)episode->trial, (long long)episode->run_id);
        goto fail;
    }
    if (result != SQLITE_DONE) {
        status = sqlite_failure(store, result, "recording an episode", error);
        goto fail;
    }
    int64_t episode_id = sqlite3_last_insert_rowid(store->database);
    sqlite3_stmt *trace = store->statements[STATEMENT_TRACE_INSERT];
    for (size_t index = 0; index < episode->trace_count; index++) {
        const struct store_trace_entry *entry = &episode->trace[index];
        sqlite3_bind_int64(trace, 1, episode_id);
        sqlite3_bind_int64(trace, 2, (int64_t)index);
        bind_text(trace, 3, entry->direction);
        bind_text(trace, 4, entry->kind);
        bind_text(trace, 5, entry->payload_json);
        bind_time(trace, 6, entry->at_ms);
        result = sqlite3_step(trace);
        release_cached(trace);
        if (result == SQLITE_CONSTRAINT_CHECK) {
            status = assay_error_set(error, ASSAY_ERR_INVALID,
                                     "trace row %zu of episode (task '%s', trial %lld): the "
                                     "payload is not valid JSON",
                                     index, episode->task_id, (long long)episode->trial);
            goto fail;
        }
        if (result != SQLITE_DONE) {
            status = sqlite_failure(store, result, "recording a trace row", error);
            goto fail;
        }
    }
    status = execute(store, "COMMIT", "committing an episode", error);
    if (status != ASSAY_OK)
        goto fail;
    episode->id = episode_id;
    return ASSAY_OK;
fail:
    rollback(store);
    return status;
}

static int run_exists(struct sqlite_store *store, int64_t run_id, struct assay_error *error)
{
    int found =
        id_exists(store, "SELECT 1 FROM runs WHERE id = ?1", run_id, "finding a run", error);
    if (found == 0)
        return no_such_run(store, run_id, error);
    return found < 0 ? found : ASSAY_OK;
}

static int sqlite_episodes_missing(struct store *base, int64_t run_id,
                                   const struct store_planned_episode *planned, size_t count,
                                   unsigned char *is_missing, size_t *missing_count,
                                   struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    /* One read transaction: the answer is a consistent snapshot even while
     * another process records episodes. */
    int status = execute(store, "BEGIN", "starting a read", error);
    if (status != ASSAY_OK)
        return status;
    status = run_exists(store, run_id, error);
    if (status != ASSAY_OK)
        goto fail;
    sqlite3_stmt *statement = store->statements[STATEMENT_EPISODE_EXISTS];
    size_t missing = 0;
    for (size_t index = 0; index < count; index++) {
        sqlite3_bind_int64(statement, 1, run_id);
        bind_text(statement, 2, planned[index].participant_role);
        bind_text(statement, 3, planned[index].task_id);
        sqlite3_bind_int64(statement, 4, planned[index].trial);
        int found = step_row(store, statement, "looking for recorded episodes", error);
        release_cached(statement);
        if (found < 0) {
            status = found;
            goto fail;
        }
        is_missing[index] = found == 0;
        missing += is_missing[index];
    }
    *missing_count = missing;
    return execute(store, "COMMIT", "ending a read", error);
fail:
    rollback(store);
    return status;
}

static int sqlite_runs_list(struct store *base, int64_t run_id, store_run_visitor visitor,
                            void *context, struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    sqlite3_stmt *statement = NULL;
    int status = prepare(
        store,
        "SELECT id, scenario_name, scenario_json, mode, status, provenance_json, started_at_ms,"
        " finished_at_ms, assay_version FROM runs WHERE ?1 = 0 OR id = ?1 ORDER BY id DESC",
        "listing runs", &statement, error);
    if (status != ASSAY_OK)
        return status;
    sqlite3_bind_int64(statement, 1, run_id);
    int seen = 0;
    while ((status = step_row(store, statement, "listing runs", error)) == 1) {
        struct store_run run = {
            .id = sqlite3_column_int64(statement, 0),
            .scenario_name = column_text(statement, 1),
            .scenario_json = column_text(statement, 2),
            .mode = column_text(statement, 3),
            .provenance_json = column_text(statement, 5),
            .started_at_ms = sqlite3_column_int64(statement, 6),
            .finished_at_ms = sqlite3_column_int64(statement, 7),
            .assay_version = column_text(statement, 8),
        };
        store_run_status_parse(column_text(statement, 4), &run.status);
        seen++;
        /* a visitor's non-zero stops the walk and is returned as it is */
        if ((status = visitor(context, &run)) != ASSAY_OK)
            break;
    }
    if (status == ASSAY_OK && run_id != 0 && seen == 0)
        status = no_such_run(store, run_id, error);
    sqlite3_finalize(statement);
    return status;
}

static int sqlite_participants_list(struct store *base, int64_t run_id,
                                    store_participant_visitor visitor, void *context,
                                    struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    int status = run_exists(store, run_id, error);
    if (status != ASSAY_OK)
        return status;
    sqlite3_stmt *statement = NULL;
    status = prepare(store,
                     "SELECT id, run_id, role, name, agent_card_json, endpoint_kind"
                     " FROM participants WHERE run_id = ?1 ORDER BY id",
                     "listing participants", &statement, error);
    if (status != ASSAY_OK)
        return status;
    sqlite3_bind_int64(statement, 1, run_id);
    while ((status = step_row(store, statement, "listing participants", error)) == 1) {
        struct store_participant participant = {
            .id = sqlite3_column_int64(statement, 0),
            .run_id = sqlite3_column_int64(statement, 1),
            .role = column_text(statement, 2),
            .name = column_text(statement, 3),
            .agent_card_json = column_text(statement, 4),
            .endpoint_kind = column_text(statement, 5),
        };
        if ((status = visitor(context, &participant)) != ASSAY_OK)
            break;
    }
    sqlite3_finalize(statement);
    return status;
}

static int sqlite_episodes_open(struct store *base, int64_t run_id, const char *role,
                                void **cursor_out, struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    *cursor_out = NULL;
    int status = run_exists(store, run_id, error);
    if (status != ASSAY_OK)
        return status;
    struct episode_cursor *cursor = assay_calloc(1, sizeof *cursor);
    if (cursor == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory reading episodes");
    cursor->store = store;
    status = prepare(
        store, EPISODE_SELECT " WHERE e.run_id = ?1 AND (?2 IS NULL OR p.role = ?2) ORDER BY e.id",
        "reading episodes", &cursor->statement, error);
    if (status != ASSAY_OK) {
        sqlite3_finalize(cursor->statement);
        assay_free(cursor);
        return status;
    }
    sqlite3_bind_int64(cursor->statement, 1, run_id);
    bind_text(cursor->statement, 2, role);
    *cursor_out = cursor;
    return ASSAY_OK;
}

static int sqlite_episodes_next(void *cursor_pointer, struct store_episode *episode,
                                struct assay_error *error)
{
    struct episode_cursor *cursor = cursor_pointer;
    sqlite3_stmt *statement = cursor->statement;
    int found = step_row(cursor->store, statement, "reading episodes", error);
    if (found != 1)
        return found;
    *episode = (struct store_episode){
        .id = sqlite3_column_int64(statement, 0),
        .run_id = sqlite3_column_int64(statement, 1),
        .participant_role = column_text(statement, 2),
        .task_id = column_text(statement, 3),
        .trial = sqlite3_column_int64(statement, 4),
        .score = sqlite3_column_type(statement, 5) == SQLITE_NULL
                     ? NAN
                     : sqlite3_column_double(statement, 5),
        .passed = sqlite3_column_int(statement, 6),
        .verdicts_json = column_text(statement, 7),
        .error_message = column_text(statement, 10),
        .started_at_ms = sqlite3_column_int64(statement, 11),
        .finished_at_ms = sqlite3_column_int64(statement, 12),
        .duration_ms = column_count(statement, 13),
        .steps = column_count(statement, 14),
        .input_tokens = column_count(statement, 15),
        .output_tokens = column_count(statement, 16),
        .cost = sqlite3_column_type(statement, 17) == SQLITE_NULL
                    ? -1.0
                    : sqlite3_column_double(statement, 17),
        .task_family = column_text(statement, 18),
        .task_tags_json = column_text(statement, 19),
        .trace = NULL,
        .trace_count = (size_t)sqlite3_column_int64(statement, 20),
        .task_parts_json = column_text(statement, 21),
        .task_human_minutes = sqlite3_column_type(statement, 22) == SQLITE_NULL
                                  ? -1.0
                                  : sqlite3_column_double(statement, 22),
    };
    store_episode_status_parse(column_text(statement, 8), &episode->status);
    const char *error_class = column_text(statement, 9);
    episode->error_class = STORE_ERROR_NONE;
    if (error_class != NULL)
        store_error_class_parse(error_class, &episode->error_class);
    return 1;
}

static void sqlite_episodes_close(void *cursor_pointer)
{
    struct episode_cursor *cursor = cursor_pointer;
    if (cursor == NULL)
        return;
    sqlite3_finalize(cursor->statement);
    assay_free(cursor);
}

static int sqlite_trace_read(struct store *base, int64_t episode_id, int64_t offset, int64_t limit,
                             store_trace_visitor visitor, void *context, struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    int status = id_exists(store, "SELECT 1 FROM episodes WHERE id = ?1", episode_id,
                           "reading a trace", error);
    if (status == 0)
        return no_such_episode(store, episode_id, error);
    if (status < 0)
        return status;
    sqlite3_stmt *statement = store->statements[STATEMENT_TRACE_PAGE];
    sqlite3_bind_int64(statement, 1, episode_id);
    sqlite3_bind_int64(statement, 2, offset);
    sqlite3_bind_int64(statement, 3, limit);
    while ((status = step_row(store, statement, "reading a trace", error)) == 1) {
        struct store_trace_entry entry = {
            .sequence = sqlite3_column_int64(statement, 0),
            .direction = column_text(statement, 1),
            .kind = column_text(statement, 2),
            .payload_json = column_text(statement, 3),
            .at_ms = sqlite3_column_int64(statement, 4),
        };
        if ((status = visitor(context, &entry)) != ASSAY_OK)
            break;
    }
    release_cached(statement);
    return status;
}

static int sqlite_generation(struct store *base, int64_t *out, struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    sqlite3_stmt *statement = store->statements[STATEMENT_GENERATION]; /* prepared once: viewers ask per request */
    int status = step_one_row(store, statement, "reading the store's generation", error);
    if (status == ASSAY_OK)
        *out = sqlite3_column_int64(statement, 0) * 1000003 + sqlite3_column_int64(statement, 1);
    sqlite3_reset(statement);
    return status;
}

/* A deferred transaction that only reads: in WAL mode it pins the snapshot
 * of the first read until it ends, and never blocks writers. */
static int sqlite_snapshot(struct store *base, int begin, struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    if (!begin)
        return sqlite3_get_autocommit(store->database) ? ASSAY_OK
                                                       : execute(store, "COMMIT", "ending a read snapshot", error);
    return execute(store, "BEGIN DEFERRED", "starting a read snapshot", error);
}

static int sqlite_episode_get(struct store *base, int64_t episode_id, store_episode_visitor visitor,
                              void *context, struct assay_error *error)
{
    struct sqlite_store *store = sqlite_store_of(base);
    struct episode_cursor cursor = {.store = store};
    int status = prepare(store, EPISODE_SELECT " WHERE e.id = ?1", "reading an episode",
                         &cursor.statement, error);
    if (status != ASSAY_OK)
        return status;
    sqlite3_bind_int64(cursor.statement, 1, episode_id);
    struct store_episode episode;
    status = sqlite_episodes_next(&cursor, &episode, error);
    if (status == 0)
        status = no_such_episode(store, episode_id, error);
    else if (status == 1)
        status = visitor(context, &episode);
    sqlite3_finalize(cursor.statement);
    return status;
}

const struct store_backend store__sqlite_backend = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .schema_version = sqlite_schema_version,
    .run_create = sqlite_run_create,
    .run_finish = sqlite_run_finish,
    .participant_add = sqlite_participant_add,
    .episode_record = sqlite_episode_record,
    .episodes_missing = sqlite_episodes_missing,
    .runs_list = sqlite_runs_list,
    .participants_list = sqlite_participants_list,
    .episodes_open = sqlite_episodes_open,
    .episodes_next = sqlite_episodes_next,
    .episodes_close = sqlite_episodes_close,
    .generation = sqlite_generation,
    .snapshot = sqlite_snapshot,
    .episode_get = sqlite_episode_get,
    .trace_read = sqlite_trace_read,
};
