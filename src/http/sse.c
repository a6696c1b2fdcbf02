/* sse.c — Server-Sent Events formatting and parsing. */
#include "http/sse.h"

#include <stdlib.h>
#include <string.h>

#include "core/status.h"

int sse_format_event(struct buffer *out, const char *event_type, const char *id,
                     const char *data, size_t data_length)
{
    int status = ASSAY_OK;
    if (event_type != NULL)
        status = buffer_append_format(out, "event: %s\n", event_type);
    if (status == ASSAY_OK && id != NULL)
        status = buffer_append_format(out, "id: %s\n", id);
    size_t start = 0;
    for (size_t index = 0; status == ASSAY_OK && index <= data_length; index++) {
        if (index == data_length || data[index] == '\n') {
            status = buffer_append_string(out, "data: ");
            if (status == ASSAY_OK)
                status = buffer_append(out, data + start, index - start);
            if (status == ASSAY_OK)
                status = buffer_append_string(out, "\n");
            start = index + 1;
        }
    }
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "\n");
    return status;
}

int sse_format_comment(struct buffer *out, const char *text)
{
    return buffer_append_format(out, ": %s\n\n", text);
}

void sse_parser_init(struct sse_parser *parser, size_t max_event_bytes, sse_event_handler handler,
                     void *context)
{
    memset(parser, 0, sizeof *parser);
    parser->max_event_bytes = max_event_bytes != 0 ? max_event_bytes : (16u << 20);
    parser->handler = handler;
    parser->context = context;
    parser->retry_ms = -1;
}

void sse_parser_free(struct sse_parser *parser)
{
    buffer_free(&parser->line);
    buffer_free(&parser->data);
    buffer_free(&parser->event_type);
    buffer_free(&parser->last_id);
}

static int dispatch(struct sse_parser *parser)
{
    int result = ASSAY_OK;
    if (parser->saw_data) {
        struct sse_event event = {
            .type = parser->event_type.length > 0 ? parser->event_type.data : "message",
            .data = parser->data.data != NULL ? parser->data.data : "",
            .data_length = parser->data.length,
            .id = parser->last_id.data != NULL ? parser->last_id.data : "",
            .retry_ms = parser->retry_ms,
        };
        result = parser->handler(&event, parser->context);
    }
    buffer_reset(&parser->data);
    buffer_reset(&parser->event_type);
    parser->saw_data = 0;
    parser->retry_ms = -1;
    return result;
}

static int process_line(struct sse_parser *parser)
{
    const char *line = parser->line.data != NULL ? parser->line.data : "";
    size_t length = parser->line.length;
    if (length == 0)
        return dispatch(parser);
    if (line[0] == ':')
        return ASSAY_OK;
    const char *colon = memchr(line, ':', length);
    size_t name_length = colon != NULL ? (size_t)(colon - line) : length;
    const char *value = colon != NULL ? colon + 1 : line + length;
    size_t value_length = length - (size_t)(value - line);
    if (value_length > 0 && value[0] == ' ') {
        value++;
        value_length--;
    }
    if (name_length == 4 && memcmp(line, "data", 4) == 0) {
        if (parser->data.length + value_length + 1 > parser->max_event_bytes)
            return ASSAY_ERR_LIMIT;
        int status = ASSAY_OK;
        if (parser->saw_data)
            status = buffer_append(&parser->data, "\n", 1);
        if (status == ASSAY_OK)
            status = buffer_append(&parser->data, value, value_length);
        parser->saw_data = 1;
        return status;
    }
    if (name_length == 5 && memcmp(line, "event", 5) == 0) {
        buffer_reset(&parser->event_type);
        return buffer_append(&parser->event_type, value, value_length);
    }
    if (name_length == 2 && memcmp(line, "id", 2) == 0) {
        if (memchr(value, '\0', value_length) != NULL)
            return ASSAY_OK; /* the rules say: ignore ids containing NUL */
        buffer_reset(&parser->last_id);
        return buffer_append(&parser->last_id, value, value_length);
    }
    if (name_length == 5 && memcmp(line, "retry", 5) == 0) {
        long retry = 0;
        size_t index = 0;
        for (; index < value_length && value[index] >= '0' && value[index] <= '9' && retry < 100000000;
             index++)
            retry = retry * 10 + (value[index] - '0');
        if (index == value_length && value_length > 0)
            parser->retry_ms = retry;
    }
    return ASSAY_OK; /* unknown fields are ignored */
}

int sse_parser_feed(struct sse_parser *parser, const char *bytes, size_t length)
{
    size_t start = 0;
    for (size_t index = 0; index < length; index++) {
        char character = bytes[index];
        if (character != '\n' && character != '\r')
            continue;
        if (character == '\n' && parser->after_carriage_return && index == start &&
            parser->line.length == 0) {
            /* the LF of a CRLF split across two feeds */
            parser->after_carriage_return = 0;
            start = index + 1;
            continue;
        }
        if (parser->line.length + (index - start) > parser->max_event_bytes)
            return ASSAY_ERR_LIMIT;
        int status = buffer_append(&parser->line, bytes + start, index - start);
        if (status == ASSAY_OK)
            status = process_line(parser);
        buffer_reset(&parser->line);
        if (status != ASSAY_OK)
            return status;
        parser->after_carriage_return = character == '\r';
        if (character == '\r' && index + 1 < length && bytes[index + 1] == '\n') {
            index++;
            parser->after_carriage_return = 0;
        }
        start = index + 1;
    }
    if (start < length) {
        parser->after_carriage_return = 0;
        if (parser->line.length + (length - start) > parser->max_event_bytes)
            return ASSAY_ERR_LIMIT;
        return buffer_append(&parser->line, bytes + start, length - start);
    }
    return ASSAY_OK;
}
