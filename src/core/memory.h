/* memory.h — the single allocation wrapper.
 *
 * All heap memory in assay (including jansson's, see json_install_allocator)
 * goes through these functions so that tests can count live allocations and
 * inject out-of-memory failures. They behave like their libc namesakes:
 * they return NULL on failure and assay_free(NULL) is a no-op.
 */
#ifndef ASSAY_CORE_MEMORY_H
#define ASSAY_CORE_MEMORY_H

#include <stddef.h>

void *assay_malloc(size_t size);
void *assay_calloc(size_t count, size_t size);
void *assay_realloc(void *pointer, size_t size);
char *assay_strdup(const char *text);
char *assay_strndup(const char *text, size_t length);
void assay_free(void *pointer);

/* Test hooks. Counting live blocks costs an atomic update per call on a
 * cache line every thread shares (measured at 7-8% of a busy server's CPU),
 * so it is off unless a test turns it on, before any allocation it wants
 * counted. assay_memory_fail_after(n): the n-th allocation from now (0 = the
 * next one) fails; a negative n disables injection (always available: it
 * costs one relaxed read). */
void assay_memory_set_counting(int enabled);
long assay_memory_live_allocations(void);
void assay_memory_fail_after(long count);

#endif
