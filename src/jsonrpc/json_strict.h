/* json_strict.h — strict JSON in and out, on jansson.
 *
 * Parsing rejects duplicate keys, NUL bytes, invalid UTF-8, trailing garbage
 * and nesting deeper than a limit (jansson's own limit is 2048 levels, far
 * more than any honest message needs and enough to make deep recursion in
 * later tree walks costly). Returned json_t values follow jansson's reference
 * rules: the caller owns a new reference and releases it with json_decref.
 */
#ifndef ASSAY_JSONRPC_JSON_STRICT_H
#define ASSAY_JSONRPC_JSON_STRICT_H

#include <jansson.h>
#include <stddef.h>

#include "core/buffer.h"
#include "core/status.h"

#define JSON_STRICT_DEFAULT_DEPTH 64

/* Routes jansson's allocations through assay_malloc. Call once, early, from
 * the main thread (the program's and the tests' main do). */
void json_strict_install_allocator(void);

/* 1 when the text nests arrays/objects deeper than max_depth. Linear scan
 * that understands strings, so brackets inside strings do not count. */
int json_strict_too_deep(const char *text, size_t length, size_t max_depth);

/* Parses text; on failure returns NULL and fills error with a sentence that
 * names the line and column. */
json_t *json_strict_parse(const char *text, size_t length, size_t max_depth,
                          struct assay_error *error);

/* Compact serialisation appended to buffer. */
int json_strict_dump(const json_t *value, struct buffer *buffer);
/* Compact serialisation with sorted keys (canonical form for hashing). */
char *json_strict_dump_canonical(const json_t *value);

#endif
