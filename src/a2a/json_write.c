/* json_write.c — compact serialisation of jansson values for the hot path.
 *
 * Why not json_dumps: for every array and object it writes, jansson 2.14
 * formats the container's address with snprintf and records it in a hash
 * table to detect cycles, and it hands the output to the callback a token
 * at a time. On the echo benchmark that was a quarter of the server's CPU.
 * The values written here are built by the A2A layer from parsed input, so
 * they are trees (no cycles) and a straight recursive walk is safe; the
 * depth is bounded by the parser's limit on what came in plus the few
 * levels the A2A model adds. Output matches json_dumps(JSON_COMPACT |
 * JSON_ENCODE_ANY): insertion order, no spaces, UTF-8 kept as is, control
 * characters escaped, reals as "%.17g" with a ".0" when needed.
 */
#include <stdio.h>
#include <string.h>

#include "a2a/server_internal.h"

static int write_string(const char *text, size_t length, struct buffer *out)
{
    static const char hex[] = "0123456789abcdef";
    int status = buffer_reserve(out, length + 2);
    if (status != ASSAY_OK)
        return status;
    out->data[out->length++] = '"';
    size_t start = 0;
    for (size_t index = 0; index < length; index++) {
        unsigned char character = (unsigned char)text[index];
        if (character >= 0x20 && character != '"' && character != '\\')
            continue;
        status = buffer_append(out, text + start, index - start);
        char escape[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t escape_length = 2;
        switch (character) {
        case '"':
            escape[1] = '"';
            break;
        case '\\':
            escape[1] = '\\';
            break;
        case '\b':
            escape[1] = 'b';
            break;
        case '\f':
            escape[1] = 'f';
            break;
        case '\n':
            escape[1] = 'n';
            break;
        case '\r':
            escape[1] = 'r';
            break;
        case '\t':
            escape[1] = 't';
            break;
        default:
            memcpy(escape + 1, "u00", 3);
            escape[4] = hex[character >> 4];
            escape[5] = hex[character & 15];
            escape_length = 6;
        }
        if (status == ASSAY_OK)
            status = buffer_append(out, escape, escape_length);
        if (status != ASSAY_OK)
            return status;
        start = index + 1;
    }
    status = buffer_append(out, text + start, length - start);
    return status == ASSAY_OK ? buffer_append(out, "\"", 1) : status;
}

int a2a__json_write(const json_t *value, struct buffer *out)
{
    char number[64];
    int status = ASSAY_OK;
    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        status = buffer_append(out, "{", 1);
        const char *key;
        json_t *member;
        int first = 1;
        json_object_foreach((json_t *)value, key, member)
        {
            if (status == ASSAY_OK && !first)
                status = buffer_append(out, ",", 1);
            first = 0;
            if (status == ASSAY_OK)
                status = write_string(key, strlen(key), out);
            if (status == ASSAY_OK)
                status = buffer_append(out, ":", 1);
            if (status == ASSAY_OK)
                status = a2a__json_write(member, out);
            if (status != ASSAY_OK)
                return status;
        }
        return status == ASSAY_OK ? buffer_append(out, "}", 1) : status;
    }
    case JSON_ARRAY: {
        status = buffer_append(out, "[", 1);
        size_t size = json_array_size(value);
        for (size_t index = 0; status == ASSAY_OK && index < size; index++) {
            if (index > 0)
                status = buffer_append(out, ",", 1);
            if (status == ASSAY_OK)
                status = a2a__json_write(json_array_get(value, index), out);
        }
        return status == ASSAY_OK ? buffer_append(out, "]", 1) : status;
    }
    case JSON_STRING:
        return write_string(json_string_value(value), json_string_length(value), out);
    case JSON_INTEGER: {
        int length =
            snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        return buffer_append(out, number, (size_t)length);
    }
    case JSON_REAL: {
        int length = snprintf(number, sizeof number, "%.17g", json_real_value(value));
        if (length < 0 || (size_t)length >= sizeof number)
            return ASSAY_ERR_INVALID;
        if (strpbrk(number, ".eEni") == NULL) { /* keep it a real: 3 -> 3.0 */
            memcpy(number + length, ".0", 3);
            length += 2;
        }
        return buffer_append(out, number, (size_t)length);
    }
    case JSON_TRUE:
        return buffer_append(out, "true", 4);
    case JSON_FALSE:
        return buffer_append(out, "false", 5);
    case JSON_NULL:
        return buffer_append(out, "null", 4);
    default:
        return ASSAY_ERR_INVALID;
    }
}
