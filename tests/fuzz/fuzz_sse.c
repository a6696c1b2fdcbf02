/* fuzz_sse.c — libFuzzer harness for the incremental SSE parser.
 * The input is fed in pieces whose sizes come from the input itself, and
 * the events must not depend on how the bytes were split. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "core/buffer.h"
#include "http/sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int record(const struct sse_event *event, void *context)
{
    struct buffer *log = context;
    buffer_append_string(log, event->type);
    buffer_append(log, "\x1f", 1);
    buffer_append(log, event->data, event->data_length);
    buffer_append(log, "\x1e", 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)(data[0] % 7) + 1;
    const char *text = (const char *)data + 1;
    size -= 1;

    struct buffer whole = {0}, pieces = {0};
    struct sse_parser parser;
    sse_parser_init(&parser, 4096, record, &whole);
    int whole_status = sse_parser_feed(&parser, text, size);
    sse_parser_free(&parser);

    sse_parser_init(&parser, 4096, record, &pieces);
    int pieces_status = 0;
    for (size_t offset = 0; offset < size && pieces_status == 0; offset += chunk) {
        size_t length = size - offset < chunk ? size - offset : chunk;
        pieces_status = sse_parser_feed(&parser, text + offset, length);
    }
    sse_parser_free(&parser);
    if (whole_status == 0 && pieces_status == 0) {
        assert(whole.length == pieces.length);
        assert(whole.length == 0 || memcmp(whole.data, pieces.data, whole.length) == 0);
    }
    buffer_free(&whole);
    buffer_free(&pieces);
    return 0;
}
