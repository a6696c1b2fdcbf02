/* memory.c — the allocation wrapper, with optional counting and
 * out-of-memory injection for tests.
 *
 * Cost when counting is off (production): one relaxed load of a flag and
 * one of the injection countdown per call, both on read-mostly cache lines.
 * The count is of live blocks, not bytes, because blocks are what leak; byte
 * accounting would need a header per block. */
#include "core/memory.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long live_allocations;
static atomic_long fail_countdown = -1;
static atomic_int counting;

void assay_memory_set_counting(int enabled) { atomic_store(&counting, enabled != 0); }

static void count(long delta)
{
    if (atomic_load_explicit(&counting, memory_order_relaxed))
        atomic_fetch_add_explicit(&live_allocations, delta, memory_order_relaxed);
}

static int should_fail(void)
{
    long remaining = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (remaining < 0)
        return 0;
    return atomic_fetch_sub(&fail_countdown, 1) == 0;
}

void *assay_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    void *pointer = malloc(size == 0 ? 1 : size);
    if (pointer != NULL)
        count(1);
    return pointer;
}

void *assay_calloc(size_t items, size_t size)
{
    if (should_fail())
        return NULL;
    void *pointer = calloc(items == 0 ? 1 : items, size == 0 ? 1 : size);
    if (pointer != NULL)
        count(1);
    return pointer;
}

void *assay_realloc(void *pointer, size_t size)
{
    if (pointer == NULL)
        return assay_malloc(size);
    if (should_fail())
        return NULL;
    return realloc(pointer, size == 0 ? 1 : size);
}

char *assay_strndup(const char *text, size_t length)
{
    char *copy = assay_malloc(length + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

char *assay_strdup(const char *text)
{
    return text == NULL ? NULL : assay_strndup(text, strlen(text));
}

void assay_free(void *pointer)
{
    if (pointer == NULL)
        return;
    count(-1);
    free(pointer);
}

long assay_memory_live_allocations(void)
{
    return atomic_load(&live_allocations);
}

void assay_memory_fail_after(long count)
{
    atomic_store(&fail_countdown, count);
}
