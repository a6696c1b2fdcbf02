/* string_table.c — interned strings for subject, item and task ids. */
#include <assert.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"
#include "stats/stats_internal.h"

static uint64_t hash_bytes(const char *text, size_t length)
{
    /* FNV-1a: short keys (ids are tens of bytes), no alignment needs, and
     * good enough dispersion for linear probing at half load. */
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (size_t index = 0; index < length; index++) {
        hash ^= (unsigned char)text[index];
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

static uint32_t *probe(const struct stats__string_table *table, const char *text, size_t length)
{
    size_t mask = table->slot_capacity - 1;
    size_t slot = (size_t)hash_bytes(text, length) & mask;
    for (;;) {
        uint32_t entry = table->slots[slot];
        if (entry == 0)
            return &table->slots[slot];
        const char *candidate = table->strings[entry - 1];
        if (strncmp(candidate, text, length) == 0 && candidate[length] == '\0')
            return &table->slots[slot];
        slot = (slot + 1) & mask;
    }
}

static int grow_slots(struct stats__string_table *table)
{
    size_t capacity = table->slot_capacity == 0 ? 64 : table->slot_capacity * 2;
    uint32_t *slots = assay_calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return ASSAY_ERR_NOMEM;
    uint32_t *old_slots = table->slots;
    table->slots = slots;
    table->slot_capacity = capacity;
    for (size_t index = 0; index < table->count; index++) {
        const char *text = table->strings[index];
        *probe(table, text, strlen(text)) = (uint32_t)(index + 1);
    }
    assay_free(old_slots);
    return ASSAY_OK;
}

int stats__string_table_intern(struct stats__string_table *table, const char *text, size_t length,
                               uint32_t *index, int *added)
{
    if (added != NULL)
        *added = 0;
    if (table->slot_capacity == 0 || (table->count + 1) * 2 > table->slot_capacity) {
        int status = grow_slots(table);
        if (status != ASSAY_OK)
            return status;
    }
    uint32_t *slot = probe(table, text, length);
    if (*slot != 0) {
        *index = *slot - 1;
        return ASSAY_OK;
    }
    if (table->count >= UINT32_MAX - 1)
        return ASSAY_ERR_LIMIT;
    if (table->count == table->strings_capacity) {
        size_t capacity = table->strings_capacity == 0 ? 64 : table->strings_capacity * 2;
        char **strings = assay_realloc(table->strings, capacity * sizeof *strings);
        if (strings == NULL)
            return ASSAY_ERR_NOMEM;
        table->strings = strings;
        table->strings_capacity = capacity;
    }
    char *copy = assay_strndup(text, length);
    if (copy == NULL)
        return ASSAY_ERR_NOMEM;
    table->strings[table->count] = copy;
    *slot = (uint32_t)(table->count + 1);
    *index = (uint32_t)table->count;
    table->count++;
    if (added != NULL)
        *added = 1;
    return ASSAY_OK;
}

int stats__string_table_find(const struct stats__string_table *table, const char *text,
                             uint32_t *index)
{
    if (table->slot_capacity == 0)
        return ASSAY_ERR_NOT_FOUND;
    uint32_t *slot = probe(table, text, strlen(text));
    if (*slot == 0)
        return ASSAY_ERR_NOT_FOUND;
    *index = *slot - 1;
    return ASSAY_OK;
}

void stats__string_table_free(struct stats__string_table *table)
{
    if (table == NULL)
        return;
    for (size_t index = 0; index < table->count; index++)
        assay_free(table->strings[index]);
    assay_free(table->strings);
    assay_free(table->slots);
    memset(table, 0, sizeof *table);
}
