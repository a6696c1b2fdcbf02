/* buffer.h — a growable byte buffer, always NUL-terminated.
 *
 * The buffer owns `data`. buffer_detach() hands it to the caller (free with
 * assay_free). A zeroed struct is a valid empty buffer. */
#ifndef ASSAY_CORE_BUFFER_H
#define ASSAY_CORE_BUFFER_H

#include <stdarg.h>
#include <stddef.h>

struct buffer {
    char *data;
    size_t length;
    size_t capacity;
};

int buffer_reserve(struct buffer *buffer, size_t additional);
int buffer_append(struct buffer *buffer, const void *bytes, size_t length);
int buffer_append_string(struct buffer *buffer, const char *text);
int buffer_append_format(struct buffer *buffer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
int buffer_append_vformat(struct buffer *buffer, const char *format, va_list arguments);
/* One CSV field (RFC 4180): quoted when it holds a comma, quote or line
 * break, with quotes doubled. NULL appends nothing (an empty field). */
int buffer_append_csv_field(struct buffer *buffer, const char *text);
/* Drops the first `count` bytes (used by parsers that consume input). */
void buffer_consume(struct buffer *buffer, size_t count);
void buffer_reset(struct buffer *buffer);
char *buffer_detach(struct buffer *buffer);
void buffer_free(struct buffer *buffer);

#endif
