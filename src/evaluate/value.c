/* value.c — JSON comparisons and the quoting of values and texts in
 * reasons. Comparisons recurse once per nesting level of the values, which
 * is bounded by the depth limit of the JSON reader that made them. */
#include <math.h>
#include <string.h>

#include "core/memory.h"
#include "evaluate/internal.h"
#include "evaluate/text.h"

int evaluate__passed(double score)
{
    return fabs(score - 1.0) <= EVALUATE_PASS_TOLERANCE;
}

int evaluate__values_equal(const json_t *left, const json_t *right)
{
    if (left == right)
        return 1;
    if (left == NULL || right == NULL)
        return 0;
    if (json_is_number(left) && json_is_number(right)) {
        if (json_is_integer(left) && json_is_integer(right))
            return json_integer_value(left) == json_integer_value(right);
        return json_number_value(left) == json_number_value(right);
    }
    if (json_typeof(left) != json_typeof(right))
        return 0;
    switch (json_typeof(left)) {
    case JSON_STRING:
        return json_string_length(left) == json_string_length(right) &&
               memcmp(json_string_value(left), json_string_value(right),
                      json_string_length(left)) == 0;
    case JSON_ARRAY:
        if (json_array_size(left) != json_array_size(right))
            return 0;
        for (size_t index = 0; index < json_array_size(left); index++)
            if (!evaluate__values_equal(json_array_get(left, index), json_array_get(right, index)))
                return 0;
        return 1;
    case JSON_OBJECT: {
        if (json_object_size(left) != json_object_size(right))
            return 0;
        const char *key;
        json_t *value;
        json_object_foreach(
            (json_t *)left, key,
            value) if (!evaluate__values_equal(value, json_object_get(right, key))) return 0;
        return 1;
    }
    default:
        return 1; /* true, false, null: equal types are equal values */
    }
}

int evaluate__values_subset(const json_t *expected, const json_t *actual)
{
    if (!json_is_object(expected))
        return evaluate__values_equal(expected, actual);
    if (!json_is_object(actual))
        return 0;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)expected, key, value)
    {
        const json_t *found = json_object_get(actual, key);
        if (found == NULL || !evaluate__values_subset(value, found))
            return 0;
    }
    return 1;
}

static char fold(char character)
{
    return character >= 'A' && character <= 'Z' ? (char)(character + 32) : character;
}

int evaluate__contains_ignoring_case(const char *haystack, size_t haystack_length,
                                     const char *needle, size_t needle_length)
{
    if (needle_length == 0)
        return 1;
    for (size_t start = 0; start + needle_length <= haystack_length; start++) {
        size_t index = 0;
        while (index < needle_length && fold(haystack[start + index]) == fold(needle[index]))
            index++;
        if (index == needle_length)
            return 1;
    }
    return 0;
}

/* Appends at most `limit` bytes of text, never splitting a UTF-8 sequence,
 * with every byte that is not valid UTF-8 (or is a control character)
 * replaced, so that the result is always a valid JSON string. */
static int append_clean(const char *text, size_t length, size_t limit, struct buffer *out)
{
    size_t written = 0, index = 0;
    int status = ASSAY_OK;
    while (index < length && status == ASSAY_OK) {
        size_t valid = evaluate_text_utf8_valid_length(text + index, length - index);
        size_t end = index + valid;
        size_t run_start = index;
        while (index < end) {
            unsigned char lead = (unsigned char)text[index];
            size_t width = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
            if (written + width > limit)
                break;
            if (lead < 0x20 || lead == 0x7F) {
                status = buffer_append(out, text + run_start, index - run_start);
                if (status == ASSAY_OK)
                    status = buffer_append(out, " ", 1);
                run_start = index + 1;
            }
            index += width;
            written += width;
        }
        if (status == ASSAY_OK)
            status = buffer_append(out, text + run_start, index - run_start);
        if (index < end || written >= limit) {
            if (status == ASSAY_OK && index < length)
                status = buffer_append(out, "...", 3);
            return status;
        }
        if (index < length) { /* an invalid byte */
            status = buffer_append(out, "?", 1);
            index++;
            written++;
        }
    }
    return status;
}

int evaluate__append_text(const char *text, struct buffer *out)
{
    return append_clean(text, strlen(text), EVALUATE__QUOTE_LIMIT, out);
}

int evaluate__append_text_cut(const char *text, size_t limit, struct buffer *out)
{
    return append_clean(text, strlen(text), limit, out);
}

json_t *evaluate__json_string(const struct buffer *text)
{
    const char *data = text->data != NULL ? text->data : "";
    if (evaluate_text_utf8_valid_length(data, text->length) == text->length)
        return json_stringn(data, text->length);
    struct buffer clean = {0};
    json_t *value = NULL;
    if (append_clean(data, text->length, text->length, &clean) == ASSAY_OK)
        value = json_stringn(clean.data != NULL ? clean.data : "", clean.length);
    buffer_free(&clean);
    return value;
}

int evaluate__quote_text(const char *text, struct buffer *out)
{
    int status = buffer_append(out, "\"", 1);
    if (status == ASSAY_OK)
        status = append_clean(text, strlen(text), EVALUATE__QUOTE_LIMIT, out);
    if (status == ASSAY_OK)
        status = buffer_append(out, "\"", 1);
    return status;
}

static int dump_to_buffer(const char *bytes, size_t size, void *context)
{
    return buffer_append(context, bytes, size) == ASSAY_OK ? 0 : -1;
}

/* 15 significant digits: what a person wrote (21.99), not the 17 that
 * round-trip the binary value (21.989999999999998). */
int evaluate__describe_value(const json_t *value, struct buffer *out)
{
    struct buffer text = {0};
    int status = ASSAY_OK;
    if (json_dump_callback(value, dump_to_buffer, &text,
                           JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY |
                               JSON_REAL_PRECISION(15)) != 0)
        status = ASSAY_ERR_NOMEM;
    if (status == ASSAY_OK)
        status = append_clean(text.data != NULL ? text.data : "", text.length,
                              EVALUATE__QUOTE_LIMIT, out);
    buffer_free(&text);
    return status;
}
