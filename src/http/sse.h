/* sse.h — Server-Sent Events: formatting (server side) and an incremental
 * parser (client side) that follows the WHATWG event-stream rules: lines end
 * in LF, CRLF or CR; "data" lines join with LF; "event", "id", "retry";
 * lines starting with ':' are comments; a blank line dispatches.
 *
 * The parser owns its buffers; the event handed to the callback borrows them
 * and is valid only during the call.
 */
#ifndef ASSAY_HTTP_SSE_H
#define ASSAY_HTTP_SSE_H

#include <stddef.h>

#include "core/buffer.h"

/* Appends one event. event_type and id may be NULL. Data with newlines is
 * split into several data lines, as the format requires. */
int sse_format_event(struct buffer *out, const char *event_type, const char *id,
                     const char *data, size_t data_length);
/* A comment line, used as a keep-alive that also detects dead peers. */
int sse_format_comment(struct buffer *out, const char *text);

struct sse_event {
    const char *type; /* "message" when the stream gave none */
    const char *data;
    size_t data_length;
    const char *id;   /* last event id seen on the stream, "" if none */
    long retry_ms;    /* -1 when the event carried no retry field */
};

/* Returns 0 to continue, nonzero to stop parsing (returned by sse_parser_feed). */
typedef int (*sse_event_handler)(const struct sse_event *event, void *context);

struct sse_parser {
    struct buffer line;
    struct buffer data;
    struct buffer event_type;
    struct buffer last_id;
    long retry_ms;
    int saw_data;
    int after_carriage_return;
    size_t max_event_bytes;
    sse_event_handler handler;
    void *context;
};

/* max_event_bytes 0 means 16 MiB: a bound, so a hostile peer cannot make us
 * buffer without end. */
void sse_parser_init(struct sse_parser *parser, size_t max_event_bytes, sse_event_handler handler,
                     void *context);
/* ASSAY_OK, ASSAY_ERR_LIMIT for an oversized line or event, ASSAY_ERR_NOMEM,
 * or the handler's nonzero value when it asked to stop. */
int sse_parser_feed(struct sse_parser *parser, const char *bytes, size_t length);
void sse_parser_free(struct sse_parser *parser);

#endif
