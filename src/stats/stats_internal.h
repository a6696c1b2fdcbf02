/* stats_internal.h — helpers shared by the files of src/stats; not part of
 * any public contract (names carry the double-underscore `stats__` prefix).
 *
 * Ownership: a string table owns copies of the strings interned into it and
 * frees them in stats__string_table_free(). */
#ifndef ASSAY_STATS_INTERNAL_H
#define ASSAY_STATS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <stdio.h>

#include "core/buffer.h"
#include "core/status.h"

/* An insertion-ordered set of strings with O(1) lookup: strings[i] is the
 * string with index i. Open addressing with linear probing over a power-of-
 * two slot array kept at most half full. A zeroed struct is an empty table. */
struct stats__string_table {
    char **strings;
    size_t count;
    size_t strings_capacity;
    uint32_t *slots; /* string index + 1; 0 marks an empty slot */
    size_t slot_capacity;
};

/* Finds `text` (of `length` bytes) or adds a copy of it. *index receives its
 * index; *added is 1 when it was new. Fails with ASSAY_ERR_NOMEM, or
 * ASSAY_ERR_LIMIT past UINT32_MAX - 1 strings. */
int stats__string_table_intern(struct stats__string_table *table, const char *text, size_t length,
                               uint32_t *index, int *added);
/* 0 and *index, or ASSAY_ERR_NOT_FOUND. */
int stats__string_table_find(const struct stats__string_table *table, const char *text,
                             uint32_t *index);
void stats__string_table_free(struct stats__string_table *table);

/* Appends `value` for CSV: %.10g keeps files readable and its rounding is
 * far below any statistical error; non-finite values print as inf/-inf. */
int stats__append_number(struct buffer *out, double value);
/* Appends a JSON string literal (quotes and escapes included). */
int stats__json_append_string(struct buffer *out, const char *text);
/* Appends a JSON number, or null when `value` is not finite (JSON has no
 * infinity; callers document what null means for each field). */
int stats__json_append_number(struct buffer *out, double value);
/* Writes the buffer to the stream; ASSAY_ERR_IO when the write fails. */
int stats__write_buffer(const struct buffer *out, FILE *stream);

/* Calls `callback` with every line of `stream` (without its newline; a
 * trailing CR is left in place, JSON parsers treat it as white space) and
 * its 1-based number, stopping at the first nonzero status, which it
 * returns. The callback fills `error` itself; read failures and running
 * out of memory are reported here, naming `name`. *line_count (may be
 * NULL) receives the number of lines seen. */
typedef int (*stats__line_callback)(void *context, const char *line, size_t length,
                                    size_t line_number);
int stats__read_lines(FILE *stream, const char *name, stats__line_callback callback, void *context,
                      size_t *line_count, struct assay_error *error);
/* 1 when the line holds only spaces, tabs and carriage returns. */
int stats__line_is_blank(const char *line, size_t length);
/* Parses one JSONL line (duplicate keys refused) into *root. Errors name
 * "NAME:NUMBER": ASSAY_ERR_NOMEM, or ASSAY_ERR_INVALID saying the line is not
 * JSON and that `expected` (e.g. {"task_id": ...}) is one object per line. */
int stats__parse_json_line(const char *line, size_t length, const char *name, size_t number, const char *expected,
                           json_t **root, struct assay_error *error);

#endif
