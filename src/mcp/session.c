/* session.c — MCP sessions and the bounded table that holds them.
 *
 * Every connection to the server has a session: HTTP clients get one per
 * initialize (found again by the MCP-Session-Id header), a stdio connection
 * or a local session has exactly one. The table is a chained hash on the id
 * plus a list of all sessions (for sweeping and broadcasting), under one
 * mutex; lookups are O(1) and the lock is held for a few instructions.
 *
 * Bounds: at most max_sessions live at once. A session idle for longer than
 * session_idle_seconds expires (lazily on lookup, and when the table is
 * full or swept). When the table is full of live sessions, the one used least
 * recently that has no call running is evicted: clients that never say
 * goodbye (DELETE) must not lock new clients out. Only when every session is
 * busy does creation fail.
 *
 * Lock order: table lock, then a session's lock. Nothing takes them the
 * other way round. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"
#include "mcp/internal.h"

long long mcp__monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static size_t hash_id(const char *id)
{
    size_t hash = 1469598103934665603ull;
    for (const unsigned char *cursor = (const unsigned char *)id; *cursor != '\0'; cursor++)
        hash = (hash ^ *cursor) * 1099511628211ull;
    return hash;
}

static int generate_id(char out[MCP__SESSION_ID_LENGTH + 1])
{
    unsigned char bytes[MCP__SESSION_ID_LENGTH / 2];
    size_t filled = 0;
    while (filled < sizeof bytes) {
        ssize_t got = getrandom(bytes + filled, sizeof bytes - filled, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return ASSAY_ERR_IO;
        }
        filled += (size_t)got;
    }
    static const char digits[] = "0123456789abcdef";
    for (size_t index = 0; index < sizeof bytes; index++) {
        out[2 * index] = digits[bytes[index] >> 4];
        out[2 * index + 1] = digits[bytes[index] & 15];
    }
    out[MCP__SESSION_ID_LENGTH] = '\0';
    return ASSAY_OK;
}

static void session_free(struct mcp__session *session)
{
    for (size_t index = 0; index < session->subscription_count; index++)
        assay_free(session->subscriptions[index]);
    assay_free(session->subscriptions);
    pthread_mutex_destroy(&session->lock);
    assay_free(session);
}

void mcp__session_retain(struct mcp__session *session)
{
    atomic_fetch_add(&session->references, 1);
}

void mcp__session_release(struct mcp__session *session)
{
    if (session != NULL && atomic_fetch_sub(&session->references, 1) == 1)
        session_free(session);
}

/* Caller holds the table lock. Returns 1 when the session was in the table. */
static int table_unlink_locked(struct mcp__session_table *table, struct mcp__session *session)
{
    if (session->previous == NULL && table->list != session)
        return 0;
    if (session->previous != NULL)
        session->previous->next = session->next;
    else
        table->list = session->next;
    if (session->next != NULL)
        session->next->previous = session->previous;
    session->previous = session->next = NULL;
    if (session->indexed) {
        struct mcp__session **link =
            &table->buckets[hash_id(session->id) & (table->bucket_count - 1)];
        while (*link != NULL && *link != session)
            link = &(*link)->bucket_next;
        if (*link == session)
            *link = session->bucket_next;
        session->bucket_next = NULL;
    }
    table->count--;
    return 1;
}

void mcp__call_cancel_locked(struct mcp_call *call)
{
    atomic_store(&call->cancelled, 1);
    if (call->waiting != NULL)
        pthread_cond_broadcast(&call->waiting->answered);
}

/* Marks the session closed and lets go of everything that waits on it. */
static void session_shutdown(struct mcp__session *session)
{
    pthread_mutex_lock(&session->lock);
    if (session->closed) {
        pthread_mutex_unlock(&session->lock);
        return;
    }
    session->closed = 1;
    for (struct mcp_call *call = session->calls; call != NULL; call = call->next)
        mcp__call_cancel_locked(call);
    for (struct mcp__outbound *outbound = session->outbound; outbound != NULL;
         outbound = outbound->next)
        pthread_cond_broadcast(&outbound->answered);
    mcp__push_function push = session->push;
    void *push_context = session->push_context;
    session->push = NULL;
    session->push_context = NULL;
    if (push != NULL)
        push(push_context, NULL, 0); /* tells the transport to close its stream */
    pthread_mutex_unlock(&session->lock);
}

void mcp__session_close(struct mcp__session *session)
{
    struct mcp__session_table *table = &session->server->sessions;
    pthread_mutex_lock(&table->lock);
    int was_linked = table_unlink_locked(table, session);
    pthread_mutex_unlock(&table->lock);
    session_shutdown(session);
    if (was_linked)
        mcp__session_release(session); /* the table's reference */
}

static int session_is_idle(struct mcp__session *session, long long now, long long idle_ms)
{
    pthread_mutex_lock(&session->lock);
    int idle = session->calls == NULL && session->push == NULL &&
               now - atomic_load(&session->last_used_ms) > idle_ms;
    pthread_mutex_unlock(&session->lock);
    return idle;
}

/* Unlinks expired sessions into *expired (chained through `next`). Caller
 * holds the table lock and closes them after unlocking. */
static void collect_expired_locked(struct mcp_server *server, struct mcp__session **expired)
{
    struct mcp__session_table *table = &server->sessions;
    long long now = mcp__monotonic_ms();
    long long idle_ms = (long long)server->options.session_idle_seconds * 1000;
    struct mcp__session *session = table->list;
    while (session != NULL) {
        struct mcp__session *following = session->next;
        if (session->indexed && session_is_idle(session, now, idle_ms)) {
            table_unlink_locked(table, session);
            session->next = *expired;
            *expired = session;
        }
        session = following;
    }
}

static void close_collected(struct mcp__session *list)
{
    while (list != NULL) {
        struct mcp__session *following = list->next;
        list->next = NULL;
        session_shutdown(list);
        mcp__session_release(list);
        list = following;
    }
}

/* The indexed session used least recently with no call running, or NULL. */
static struct mcp__session *eviction_candidate_locked(struct mcp__session_table *table)
{
    struct mcp__session *best = NULL;
    long long best_used = 0;
    for (struct mcp__session *session = table->list; session != NULL; session = session->next) {
        if (!session->indexed)
            continue;
        pthread_mutex_lock(&session->lock);
        int busy = session->calls != NULL || session->outbound != NULL;
        pthread_mutex_unlock(&session->lock);
        long long used = atomic_load(&session->last_used_ms);
        if (!busy && (best == NULL || used < best_used)) {
            best = session;
            best_used = used;
        }
    }
    return best;
}

int mcp__session_create(struct mcp_server *server, int indexed, struct mcp__session **out)
{
    struct mcp__session_table *table = &server->sessions;
    struct mcp__session *session = assay_calloc(1, sizeof *session);
    if (session == NULL)
        return ASSAY_ERR_NOMEM;
    if (generate_id(session->id) != ASSAY_OK) {
        assay_free(session);
        return ASSAY_ERR_IO;
    }
    session->server = server;
    session->indexed = indexed;
    atomic_init(&session->references, 2); /* the caller's and the table's */
    atomic_init(&session->log_level, MCP_LOG_DEBUG);
    atomic_init(&session->last_used_ms, mcp__monotonic_ms());
    pthread_mutex_init(&session->lock, NULL);

    struct mcp__session *expired = NULL;
    int status = ASSAY_OK;
    pthread_mutex_lock(&table->lock);
    if (table->count >= server->options.max_sessions)
        collect_expired_locked(server, &expired);
    if (table->count >= server->options.max_sessions) {
        struct mcp__session *victim = eviction_candidate_locked(table);
        if (victim != NULL) {
            log_info("mcp: session table full (%zu); evicting the least recently used session",
                     table->count);
            table_unlink_locked(table, victim);
            victim->next = expired;
            expired = victim;
        } else {
            status = ASSAY_ERR_LIMIT;
        }
    }
    if (status == ASSAY_OK) {
        session->next = table->list;
        if (table->list != NULL)
            table->list->previous = session;
        table->list = session;
        if (indexed) {
            size_t bucket = hash_id(session->id) & (table->bucket_count - 1);
            session->bucket_next = table->buckets[bucket];
            table->buckets[bucket] = session;
        }
        table->count++;
    }
    pthread_mutex_unlock(&table->lock);
    close_collected(expired);
    if (status != ASSAY_OK) {
        session_free(session);
        return status;
    }
    *out = session;
    return ASSAY_OK;
}

struct mcp__session *mcp__session_find(struct mcp_server *server, const char *id)
{
    struct mcp__session_table *table = &server->sessions;
    if (id == NULL || strlen(id) != MCP__SESSION_ID_LENGTH)
        return NULL;
    long long now = mcp__monotonic_ms();
    long long idle_ms = (long long)server->options.session_idle_seconds * 1000;
    struct mcp__session *found = NULL, *expired = NULL;
    pthread_mutex_lock(&table->lock);
    for (struct mcp__session *session = table->buckets[hash_id(id) & (table->bucket_count - 1)];
         session != NULL; session = session->bucket_next) {
        if (strcmp(session->id, id) != 0)
            continue;
        /* Recently used sessions skip the locked idle check (the hot path). */
        if (now - atomic_load(&session->last_used_ms) > idle_ms &&
            session_is_idle(session, now, idle_ms)) {
            table_unlink_locked(table, session);
            expired = session;
        } else {
            atomic_store(&session->last_used_ms, now);
            mcp__session_retain(session);
            found = session;
        }
        break;
    }
    pthread_mutex_unlock(&table->lock);
    close_collected(expired);
    return found;
}

void mcp__session_sweep(struct mcp_server *server)
{
    struct mcp__session *expired = NULL;
    pthread_mutex_lock(&server->sessions.lock);
    collect_expired_locked(server, &expired);
    pthread_mutex_unlock(&server->sessions.lock);
    close_collected(expired);
}

static void close_matching(struct mcp_server *server, int everything, const void *owner)
{
    struct mcp__session_table *table = &server->sessions;
    struct mcp__session *chosen = NULL;
    pthread_mutex_lock(&table->lock);
    struct mcp__session *session = table->list;
    while (session != NULL) {
        struct mcp__session *following = session->next;
        if (everything || session->owner == owner) {
            table_unlink_locked(table, session);
            session->next = chosen;
            chosen = session;
        }
        session = following;
    }
    pthread_mutex_unlock(&table->lock);
    close_collected(chosen);
}

void mcp__session_close_all(struct mcp_server *server)
{
    close_matching(server, 1, NULL);
}

void mcp__session_close_owned(struct mcp_server *server, const void *owner)
{
    close_matching(server, 0, owner);
}

void mcp__session_keepalive(struct mcp_server *server)
{
    struct mcp__session_table *table = &server->sessions;
    pthread_mutex_lock(&table->lock);
    for (struct mcp__session *session = table->list; session != NULL; session = session->next) {
        pthread_mutex_lock(&session->lock);
        if (session->push != NULL)
            session->push(session->push_context, "", 0);
        pthread_mutex_unlock(&session->lock);
    }
    pthread_mutex_unlock(&table->lock);
}

void mcp__session_table_free(struct mcp_server *server)
{
    mcp__session_close_all(server);
    assay_free(server->sessions.buckets);
    server->sessions.buckets = NULL;
    pthread_mutex_destroy(&server->sessions.lock);
}

int mcp__session_set_push(struct mcp__session *session, mcp__push_function push, void *context)
{
    int status = ASSAY_OK;
    pthread_mutex_lock(&session->lock);
    if (push != NULL && (session->push != NULL || session->closed)) {
        status = ASSAY_ERR_STATE;
    } else if (push == NULL && session->push_context != context) {
        status = ASSAY_ERR_STATE; /* someone else's target: leave it */
    } else {
        session->push = push;
        session->push_context = push != NULL ? context : NULL;
    }
    pthread_mutex_unlock(&session->lock);
    return status;
}

void mcp__session_deliver_response(struct mcp__session *session, json_t *root)
{
    const json_t *id = json_object_get(root, "id");
    if (!json_is_string(id)) {
        log_debug("mcp: ignoring a response whose id is not one of ours");
        json_decref(root);
        return;
    }
    int delivered = 0;
    pthread_mutex_lock(&session->lock);
    for (struct mcp__outbound *outbound = session->outbound; outbound != NULL;
         outbound = outbound->next) {
        if (strcmp(outbound->id, json_string_value(id)) != 0 || outbound->done)
            continue;
        json_t *error = json_object_get(root, "error");
        if (json_is_object(error))
            outbound->error = json_incref(error);
        else
            outbound->result = json_incref(json_object_get(root, "result"));
        outbound->done = 1;
        pthread_cond_broadcast(&outbound->answered);
        delivered = 1;
        break;
    }
    pthread_mutex_unlock(&session->lock);
    if (!delivered)
        log_debug("mcp: response to unknown or finished request %s", json_string_value(id));
    json_decref(root);
}
