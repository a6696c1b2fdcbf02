/* json_strict.c — strict parsing with a depth limit, compact dumping. */
#include "jsonrpc/json_strict.h"

#include <string.h>

#include "core/memory.h"

void json_strict_install_allocator(void)
{
    json_set_alloc_funcs(assay_malloc, assay_free);
}

int json_strict_too_deep(const char *text, size_t length, size_t max_depth)
{
    size_t depth = 0;
    int in_string = 0;
    for (size_t index = 0; index < length; index++) {
        char character = text[index];
        if (in_string) {
            if (character == '\\')
                index++;
            else if (character == '"')
                in_string = 0;
        } else if (character == '"') {
            in_string = 1;
        } else if (character == '[' || character == '{') {
            if (++depth > max_depth)
                return 1;
        } else if ((character == ']' || character == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

json_t *json_strict_parse(const char *text, size_t length, size_t max_depth,
                          struct assay_error *error)
{
    if (json_strict_too_deep(text, length, max_depth)) {
        assay_error_set(error, ASSAY_ERR_LIMIT, "JSON nests deeper than %zu levels", max_depth);
        return NULL;
    }
    json_error_t detail;
    json_t *value = json_loadb(text, length, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &detail);
    if (value == NULL)
        assay_error_set(error, ASSAY_ERR_INVALID, "malformed JSON at line %d, column %d: %s",
                        detail.line, detail.column, detail.text);
    return value;
}

static int dump_callback(const char *bytes, size_t size, void *context)
{
    return buffer_append(context, bytes, size) == ASSAY_OK ? 0 : -1;
}

int json_strict_dump(const json_t *value, struct buffer *buffer)
{
    if (json_dump_callback(value, dump_callback, buffer, JSON_COMPACT | JSON_ENCODE_ANY) != 0)
        return ASSAY_ERR_NOMEM;
    return ASSAY_OK;
}

char *json_strict_dump_canonical(const json_t *value)
{
    struct buffer buffer = {0};
    if (json_dump_callback(value, dump_callback, &buffer,
                           JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) != 0) {
        buffer_free(&buffer);
        return NULL;
    }
    return buffer_detach(&buffer);
}
