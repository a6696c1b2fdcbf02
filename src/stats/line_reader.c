/* line_reader.c — feeds a stream to a callback one line at a time.
 *
 * Reads 64 KiB chunks into one growing buffer and hands out every complete
 * line, so memory is bounded by the longest line plus a chunk, not by the
 * file; a last line without a newline is still a line. */
#include <errno.h>
#include <string.h>

#include "core/buffer.h"
#include "core/status.h"
#include "stats/stats_internal.h"

#define CHUNK 65536

int stats__read_lines(FILE *stream, const char *name, stats__line_callback callback, void *context,
                      size_t *line_count, struct assay_error *error)
{
    struct buffer pending = {0};
    size_t line_number = 0;
    int status = ASSAY_OK, at_end = 0;
    while (status == ASSAY_OK && !at_end) {
        if ((status = buffer_reserve(&pending, CHUNK)) != ASSAY_OK) {
            assay_error_set(error, status, "%s: out of memory", name);
            break;
        }
        size_t got = fread(pending.data + pending.length, 1, CHUNK, stream);
        pending.length += got;
        pending.data[pending.length] = '\0';
        if (got < CHUNK) {
            if (ferror(stream)) {
                status = assay_error_set(error, ASSAY_ERR_IO, "%s: read failed: %s", name,
                                         strerror(errno));
                break;
            }
            at_end = 1;
        }
        size_t consumed = 0;
        while (status == ASSAY_OK) {
            char *newline = memchr(pending.data + consumed, '\n', pending.length - consumed);
            size_t end = newline != NULL ? (size_t)(newline - pending.data) : pending.length;
            if (newline == NULL && (!at_end || consumed == pending.length))
                break;
            line_number++;
            status = callback(context, pending.data + consumed, end - consumed, line_number);
            consumed = newline != NULL ? end + 1 : end;
        }
        buffer_consume(&pending, consumed);
    }
    buffer_free(&pending);
    if (line_count != NULL)
        *line_count = line_number;
    return status;
}

int stats__line_is_blank(const char *line, size_t length)
{
    for (size_t index = 0; index < length; index++)
        if (line[index] != ' ' && line[index] != '\t' && line[index] != '\r')
            return 0;
    return 1;
}

int stats__parse_json_line(const char *line, size_t length, const char *name, size_t number, const char *expected,
                           json_t **root, struct assay_error *error)
{
    json_error_t parse_error;
    *root = json_loadb(line, length, JSON_REJECT_DUPLICATES, &parse_error);
    if (*root != NULL)
        return ASSAY_OK;
    /* jansson allocates through assay_malloc (see json_strict.h); it says
     * "out of memory", or nothing at all when its lexer could not start. */
    if (json_error_code(&parse_error) == json_error_out_of_memory || parse_error.text[0] == '\0')
        return assay_error_set(error, ASSAY_ERR_NOMEM, "%s:%zu: out of memory", name, number);
    return assay_error_set(error, ASSAY_ERR_INVALID,
                           "%s:%zu: not valid JSON (%s, column %d); expected one object per line: %s", name, number,
                           parse_error.text, parse_error.column, expected);
}
