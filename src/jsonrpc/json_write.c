/* json_write.c — compact JSON serialisation for the protocol hot paths.
 *
 * Why not json_dumps: jansson 2.14's encoder formats every container's
 * address with snprintf into a hash table to detect cycles, calls back once
 * per token and formats integers with snprintf; on the A2A and MCP echo
 * benchmarks that was a quarter of the server's CPU. This writer appends runs
 * of bytes straight into a struct buffer. Values written here are trees built
 * from parsed, depth-limited input (no cycles); MAX_NESTING still bounds the
 * recursion. Output matches json_dumps(JSON_COMPACT | JSON_ENCODE_ANY):
 * insertion order, UTF-8 kept as is, control characters escaped, reals as
 * "%.17g" with ".0" when they would read as integers, so the two encoders are
 * interchangeable (tests/unit/test_mcp.c checks it). */
#include "jsonrpc/json_write.h"

#include <stdio.h>
#include <string.h>

#include "core/status.h"

#define MAX_NESTING 256

static int append_string(struct buffer *out, const char *text, size_t length)
{
    static const char hex[] = "0123456789abcdef";
    int status = buffer_reserve(out, length + 2);
    if (status != ASSAY_OK)
        return status;
    out->data[out->length++] = '"';
    size_t run = 0;
    for (size_t index = 0; index < length; index++) {
        unsigned char character = (unsigned char)text[index];
        if (character >= 0x20 && character != '"' && character != '\\')
            continue;
        if (index > run && (status = buffer_append(out, text + run, index - run)) != ASSAY_OK)
            return status;
        char escape[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t escape_length = 2;
        switch (character) {
        case '"':
            escape[1] = '"';
            break;
        case '\\':
            escape[1] = '\\';
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
        case '\b':
            escape[1] = 'b';
            break;
        case '\f':
            escape[1] = 'f';
            break;
        default:
            memcpy(escape + 1, "u00", 3);
            escape[4] = hex[character >> 4];
            escape[5] = hex[character & 15];
            escape_length = 6;
        }
        if ((status = buffer_append(out, escape, escape_length)) != ASSAY_OK)
            return status;
        run = index + 1;
    }
    if (length > run && (status = buffer_append(out, text + run, length - run)) != ASSAY_OK)
        return status;
    return buffer_append(out, "\"", 1);
}

static int append_integer(struct buffer *out, json_int_t value)
{
    char digits[24];
    size_t position = sizeof digits;
    unsigned long long magnitude =
        value < 0 ? 0ull - (unsigned long long)value : (unsigned long long)value;
    do {
        digits[--position] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0)
        digits[--position] = '-';
    return buffer_append(out, digits + position, sizeof digits - position);
}

static int append_real(struct buffer *out, double value)
{
    char text[40];
    int length = snprintf(text, sizeof text - 2, "%.17g", value);
    if (length <= 0)
        return ASSAY_ERR_INVALID;
    if (strpbrk(text, ".eEn") == NULL) { /* reads as an integer: keep it a real */
        memcpy(text + length, ".0", 3);
        length += 2;
    }
    char *exponent = strchr(text, 'e');
    if (exponent != NULL) { /* as jansson writes it: "1e300", "1e-5" (no '+', no leading 0) */
        char *digits = exponent + 1;
        char *write = digits;
        if (*digits == '-')
            write = ++digits;
        else if (*digits == '+')
            digits++;
        while (*digits == '0' && digits[1] != '\0')
            digits++;
        memmove(write, digits, strlen(digits) + 1);
        length = (int)strlen(text);
    }
    return buffer_append(out, text, (size_t)length);
}

static int append_value(struct buffer *out, const json_t *value, int depth)
{
    if (depth > MAX_NESTING)
        return ASSAY_ERR_LIMIT;
    int status = ASSAY_OK;
    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        status = buffer_append(out, "{", 1);
        int first = 1;
        const char *key;
        size_t key_length;
        json_t *member;
        json_object_keylen_foreach((json_t *)value, key, key_length, member)
        {
            if (status == ASSAY_OK && !first)
                status = buffer_append(out, ",", 1);
            if (status == ASSAY_OK)
                status = append_string(out, key, key_length);
            if (status == ASSAY_OK)
                status = buffer_append(out, ":", 1);
            if (status == ASSAY_OK)
                status = append_value(out, member, depth + 1);
            first = 0;
        }
        return status == ASSAY_OK ? buffer_append(out, "}", 1) : status;
    }
    case JSON_ARRAY: {
        status = buffer_append(out, "[", 1);
        size_t index;
        json_t *element;
        json_array_foreach(value, index, element)
        {
            if (status == ASSAY_OK && index > 0)
                status = buffer_append(out, ",", 1);
            if (status == ASSAY_OK)
                status = append_value(out, element, depth + 1);
        }
        return status == ASSAY_OK ? buffer_append(out, "]", 1) : status;
    }
    case JSON_STRING:
        return append_string(out, json_string_value(value), json_string_length(value));
    case JSON_INTEGER:
        return append_integer(out, json_integer_value(value));
    case JSON_REAL:
        return append_real(out, json_real_value(value));
    case JSON_TRUE:
        return buffer_append(out, "true", 4);
    case JSON_FALSE:
        return buffer_append(out, "false", 5);
    case JSON_NULL:
        return buffer_append(out, "null", 4);
    }
    return ASSAY_ERR_INVALID;
}

int json_write_compact(const json_t *value, struct buffer *out)
{
    if (value == NULL)
        return ASSAY_ERR_INVALID;
    size_t mark = out->length;
    int status = append_value(out, value, 0);
    if (status != ASSAY_OK && out->data != NULL) {
        out->length = mark; /* leave no half message behind */
        out->data[mark] = '\0';
    }
    return status;
}

int json_write_response(const json_t *id, const char *member, const json_t *value,
                        struct buffer *out)
{
    static const char prefix[] = "{\"jsonrpc\":\"2.0\",\"id\":";
    int status = buffer_reserve(out, 192);
    if (status == ASSAY_OK)
        status = buffer_append(out, prefix, sizeof prefix - 1);
    if (status == ASSAY_OK)
        status = id != NULL ? json_write_compact(id, out) : buffer_append(out, "null", 4);
    if (status == ASSAY_OK)
        status = buffer_append(out, ",\"", 2);
    if (status == ASSAY_OK)
        status = buffer_append_string(out, member);
    if (status == ASSAY_OK)
        status = buffer_append(out, "\":", 2);
    if (status == ASSAY_OK)
        status = json_write_compact(value, out);
    if (status == ASSAY_OK)
        status = buffer_append(out, "}", 1);
    return status;
}

