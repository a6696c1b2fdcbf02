/* task_store_memory.c — the in-memory task store with bounded retention.
 *
 * Records live in a chained hash table (by task id) and on two intrusive
 * lists: all records ordered by (status timestamp, save sequence), newest
 * first, for ListTasks; and finished records in the order they finished,
 * for eviction. Saves usually carry the newest timestamp, so keeping the
 * first list sorted costs O(1) per save; an out-of-order timestamp walks
 * the list. One mutex guards everything: every operation is short (a
 * lookup and a memcpy of a few hundred bytes), except list, which is O(n)
 * and bounded by the retention limits.
 */
#include "a2a/task_store.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"

struct record {
    struct record *hash_next;
    struct record *newer, *older;                   /* the time-ordered list */
    struct record *finished_newer, *finished_older; /* the eviction list */
    int64_t timestamp_ms;
    uint64_t sequence;
    enum a2a_task_state state;
    int finished;
    uint32_t hash;
    char *text;
    size_t length, capacity;
    size_t names_capacity;
    const char *context_id; /* points into names */
    char names[];           /* task id, NUL, context id, NUL */
};

/* Evicted records are kept for reuse (text buffer included): at steady
 * state every new task evicts an old one, and recycling turns two frees and
 * two mallocs per save into none. */
#define MAX_SPARE_RECORDS 64

struct memory_store {
    struct a2a_task_store base; /* first, so the interface pointer is the store */
    struct a2a_memory_store_options options;
    pthread_mutex_t lock;
    struct record **buckets;
    size_t bucket_count;
    size_t count;
    struct record *newest, *oldest;
    struct record *finished_newest, *finished_oldest;
    size_t finished_count, active_count;
    size_t finished_bytes; /* text bytes held by finished records */
    uint64_t sequence;
    struct record *spares; /* linked by hash_next */
    size_t spare_count;
};

static uint32_t hash_text(const char *text)
{
    uint32_t hash = 2166136261u; /* FNV-1a */
    for (; *text != '\0'; text++)
        hash = (hash ^ (unsigned char)*text) * 16777619u;
    return hash;
}

static struct record *record_find(struct memory_store *store, const char *task_id, uint32_t hash)
{
    struct record *record = store->buckets[hash & (store->bucket_count - 1)];
    while (record != NULL && (record->hash != hash || strcmp(record->names, task_id) != 0))
        record = record->hash_next;
    return record;
}

/* Doubles the table when it is full on average; a failed allocation only
 * makes chains longer, so it is not an error. */
static void table_grow(struct memory_store *store)
{
    if (store->count < store->bucket_count)
        return;
    size_t bucket_count = store->bucket_count * 2;
    struct record **buckets = assay_calloc(bucket_count, sizeof *buckets);
    if (buckets == NULL)
        return;
    for (size_t index = 0; index < store->bucket_count; index++) {
        struct record *record = store->buckets[index];
        while (record != NULL) {
            struct record *next = record->hash_next;
            size_t slot = record->hash & (bucket_count - 1);
            record->hash_next = buckets[slot];
            buckets[slot] = record;
            record = next;
        }
    }
    assay_free(store->buckets);
    store->buckets = buckets;
    store->bucket_count = bucket_count;
}

static int is_newer(const struct record *left, const struct record *right)
{
    return left->timestamp_ms > right->timestamp_ms ||
           (left->timestamp_ms == right->timestamp_ms && left->sequence > right->sequence);
}

static void time_unlink(struct memory_store *store, struct record *record)
{
    if (record->newer != NULL)
        record->newer->older = record->older;
    else
        store->newest = record->older;
    if (record->older != NULL)
        record->older->newer = record->newer;
    else
        store->oldest = record->newer;
    record->newer = record->older = NULL;
}

static void time_insert(struct memory_store *store, struct record *record)
{
    struct record *after = NULL, *before = store->newest; /* record goes between them */
    while (before != NULL && is_newer(before, record)) {
        after = before;
        before = before->older;
    }
    record->newer = after;
    record->older = before;
    if (after != NULL)
        after->older = record;
    else
        store->newest = record;
    if (before != NULL)
        before->newer = record;
    else
        store->oldest = record;
}

static void finished_append(struct memory_store *store, struct record *record)
{
    record->finished = 1;
    record->finished_older = store->finished_newest;
    record->finished_newer = NULL;
    if (store->finished_newest != NULL)
        store->finished_newest->finished_newer = record;
    else
        store->finished_oldest = record;
    store->finished_newest = record;
    store->finished_count++;
    store->finished_bytes += record->length;
}

static void finished_unlink(struct memory_store *store, struct record *record)
{
    if (!record->finished)
        return;
    if (record->finished_newer != NULL)
        record->finished_newer->finished_older = record->finished_older;
    else
        store->finished_newest = record->finished_older;
    if (record->finished_older != NULL)
        record->finished_older->finished_newer = record->finished_newer;
    else
        store->finished_oldest = record->finished_newer;
    record->finished = 0;
    store->finished_count--;
    store->finished_bytes -= record->length;
}

static void record_remove(struct memory_store *store, struct record *record)
{
    struct record **link = &store->buckets[record->hash & (store->bucket_count - 1)];
    while (*link != record)
        link = &(*link)->hash_next;
    *link = record->hash_next;
    time_unlink(store, record);
    if (record->finished)
        finished_unlink(store, record);
    else
        store->active_count--;
    store->count--;
    if (store->spare_count < MAX_SPARE_RECORDS) {
        if (record->capacity > 16384) { /* keep spares small: big texts are rare */
            assay_free(record->text);
            record->text = NULL;
            record->capacity = 0;
        }
        record->hash_next = store->spares;
        store->spares = record;
        store->spare_count++;
        return;
    }
    assay_free(record->text);
    assay_free(record);
}

/* A zeroed record with room for `names` bytes, recycled when possible. */
static struct record *record_allocate(struct memory_store *store, size_t names)
{
    for (struct record **link = &store->spares; *link != NULL; link = &(*link)->hash_next) {
        struct record *record = *link;
        if (record->names_capacity < names)
            continue;
        *link = record->hash_next;
        store->spare_count--;
        char *text = record->text;
        size_t capacity = record->capacity, names_capacity = record->names_capacity;
        memset(record, 0, sizeof *record);
        record->text = text;
        record->capacity = capacity;
        record->names_capacity = names_capacity;
        return record;
    }
    struct record *record = assay_calloc(1, sizeof *record + names);
    if (record != NULL)
        record->names_capacity = names;
    return record;
}

static void record_release(struct record *record)
{
    assay_free(record->text);
    assay_free(record);
}

static int record_set_text(struct record *record, const char *text, size_t length)
{
    if (length + 1 > record->capacity) {
        char *grown = assay_realloc(record->text, length + 1);
        if (grown == NULL)
            return ASSAY_ERR_NOMEM;
        record->text = grown;
        record->capacity = length + 1;
    }
    memcpy(record->text, text, length);
    record->text[length] = '\0';
    record->length = length;
    return ASSAY_OK;
}

static int memory_save(struct a2a_task_store *base, const struct a2a_task_summary *summary,
                       const char *task_json, size_t length)
{
    struct memory_store *store = (struct memory_store *)base;
    int terminal = a2a_task_state_is_terminal(summary->state);
    uint32_t hash = hash_text(summary->task_id);
    int status = ASSAY_OK;
    pthread_mutex_lock(&store->lock);
    struct record *record = record_find(store, summary->task_id, hash);
    if (record == NULL) {
        if (!terminal && store->active_count >= store->options.max_active_tasks) {
            status = ASSAY_ERR_LIMIT;
            goto done;
        }
        const char *context_id = summary->context_id != NULL ? summary->context_id : "";
        size_t id_length = strlen(summary->task_id), context_length = strlen(context_id);
        record = record_allocate(store, id_length + context_length + 2);
        if (record == NULL) {
            status = ASSAY_ERR_NOMEM;
            goto done;
        }
        memcpy(record->names, summary->task_id, id_length + 1);
        memcpy(record->names + id_length + 1, context_id, context_length + 1);
        record->context_id = record->names + id_length + 1;
        record->hash = hash;
        if (record_set_text(record, task_json, length) != ASSAY_OK) {
            record_release(record);
            status = ASSAY_ERR_NOMEM;
            goto done;
        }
        table_grow(store);
        size_t slot = hash & (store->bucket_count - 1);
        record->hash_next = store->buckets[slot];
        store->buckets[slot] = record;
        store->count++;
        record->state = summary->state;
        record->timestamp_ms = summary->timestamp_ms;
        record->sequence = ++store->sequence;
        time_insert(store, record);
        if (terminal)
            finished_append(store, record);
        else
            store->active_count++;
    } else {
        size_t old_length = record->length;
        status = record_set_text(record, task_json, length);
        if (status != ASSAY_OK)
            goto done;
        if (record->finished)
            store->finished_bytes = store->finished_bytes - old_length + record->length;
        if (record->timestamp_ms != summary->timestamp_ms) {
            time_unlink(store, record);
            record->timestamp_ms = summary->timestamp_ms;
            record->sequence = ++store->sequence;
            time_insert(store, record);
        }
        int was_terminal = a2a_task_state_is_terminal(record->state);
        record->state = summary->state;
        if (terminal && !was_terminal) {
            store->active_count--;
            finished_append(store, record);
        } else if (!terminal && was_terminal) {
            finished_unlink(store, record);
            store->active_count++;
        }
    }
    /* Evict by count and by bytes: big tasks must not defeat the bound. The
     * task just saved stays even if it alone exceeds the byte budget. */
    while (store->finished_count > store->options.max_terminal_tasks ||
           (store->finished_bytes > store->options.max_terminal_bytes &&
            store->finished_oldest != record))
        record_remove(store, store->finished_oldest);
done:
    pthread_mutex_unlock(&store->lock);
    return status;
}

static int memory_load(struct a2a_task_store *base, const char *task_id, struct buffer *out)
{
    struct memory_store *store = (struct memory_store *)base;
    uint32_t hash = hash_text(task_id);
    pthread_mutex_lock(&store->lock);
    struct record *record = record_find(store, task_id, hash);
    int status =
        record != NULL ? buffer_append(out, record->text, record->length) : ASSAY_ERR_NOT_FOUND;
    pthread_mutex_unlock(&store->lock);
    return status;
}

/* Tokens are "t<timestamp>.<sequence>" of the last task on the page: the
 * next page starts strictly after that position, so tasks saved meanwhile
 * with newer timestamps never shift it. */
static int token_parse(const char *token, int64_t *timestamp_ms, uint64_t *sequence)
{
    if (token[0] != 't')
        return ASSAY_ERR_INVALID;
    char *end = NULL;
    long long timestamp = strtoll(token + 1, &end, 10);
    if (end == token + 1 || *end != '.')
        return ASSAY_ERR_INVALID;
    const char *rest = end + 1;
    if (*rest < '0' || *rest > '9')
        return ASSAY_ERR_INVALID;
    unsigned long long value = strtoull(rest, &end, 10);
    if (*end != '\0')
        return ASSAY_ERR_INVALID;
    *timestamp_ms = timestamp;
    *sequence = value;
    return ASSAY_OK;
}

static int record_matches(const struct record *record, const struct a2a_task_query *query)
{
    if (query->context_id != NULL && query->context_id[0] != '\0' &&
        strcmp(record->context_id, query->context_id) != 0)
        return 0;
    if (query->state != A2A_TASK_STATE_UNSPECIFIED && record->state != query->state)
        return 0;
    return record->timestamp_ms >= query->updated_since_ms;
}

static int memory_list(struct a2a_task_store *base, const struct a2a_task_query *query,
                       struct a2a_task_page *page)
{
    struct memory_store *store = (struct memory_store *)base;
    memset(page, 0, sizeof *page);
    struct record cursor = {0};
    int has_cursor = query->page_token != NULL && query->page_token[0] != '\0';
    if (has_cursor &&
        token_parse(query->page_token, &cursor.timestamp_ms, &cursor.sequence) != ASSAY_OK)
        return ASSAY_ERR_INVALID;
    size_t page_size = query->page_size == 0 ? 50 : query->page_size;
    page->tasks = assay_calloc(page_size, sizeof *page->tasks);
    page->lengths = assay_calloc(page_size, sizeof *page->lengths);
    if (page->tasks == NULL || page->lengths == NULL) {
        a2a_task_page_free(page);
        return ASSAY_ERR_NOMEM;
    }
    int status = ASSAY_OK, more = 0;
    const struct record *last = NULL;
    pthread_mutex_lock(&store->lock);
    for (const struct record *record = store->newest; record != NULL; record = record->older) {
        if (!record_matches(record, query))
            continue;
        page->total++;
        if (has_cursor && !is_newer(&cursor, record))
            continue; /* at or before the cursor: an earlier page had it */
        if (page->count == page_size) {
            more = 1;
            continue;
        }
        char *copy = assay_strndup(record->text, record->length);
        if (copy == NULL) {
            status = ASSAY_ERR_NOMEM;
            break;
        }
        page->tasks[page->count] = copy;
        page->lengths[page->count] = record->length;
        page->count++;
        last = record;
    }
    if (status == ASSAY_OK && more && last != NULL)
        snprintf(page->next_page_token, sizeof page->next_page_token, "t%" PRId64 ".%" PRIu64,
                 last->timestamp_ms, last->sequence);
    pthread_mutex_unlock(&store->lock);
    if (status != ASSAY_OK)
        a2a_task_page_free(page);
    return status;
}

static void memory_free(struct a2a_task_store *base)
{
    struct memory_store *store = (struct memory_store *)base;
    if (store == NULL)
        return;
    while (store->newest != NULL)
        record_remove(store, store->newest);
    while (store->spares != NULL) {
        struct record *next = store->spares->hash_next;
        record_release(store->spares);
        store->spares = next;
    }
    assay_free(store->buckets);
    pthread_mutex_destroy(&store->lock);
    assay_free(store);
}

int a2a_memory_store_new(const struct a2a_memory_store_options *options,
                         struct a2a_task_store **out)
{
    struct memory_store *store = assay_calloc(1, sizeof *store);
    if (store == NULL)
        return ASSAY_ERR_NOMEM;
    if (options != NULL)
        store->options = *options;
    if (store->options.max_terminal_tasks == 0)
        store->options.max_terminal_tasks = 10000;
    if (store->options.max_active_tasks == 0)
        store->options.max_active_tasks = 10000;
    if (store->options.max_terminal_bytes == 0)
        store->options.max_terminal_bytes = 8u << 20;
    store->bucket_count = 1024;
    store->buckets = assay_calloc(store->bucket_count, sizeof *store->buckets);
    if (store->buckets == NULL) {
        assay_free(store);
        return ASSAY_ERR_NOMEM;
    }
    pthread_mutex_init(&store->lock, NULL);
    store->base.save = memory_save;
    store->base.load = memory_load;
    store->base.list = memory_list;
    store->base.free = memory_free;
    *out = &store->base;
    return ASSAY_OK;
}
