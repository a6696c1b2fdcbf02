/* escape.c — HTML/XML escaping and URL percent-encoding (see escape.h).
 *
 * Both functions copy runs of bytes that need no change with one append, so
 * the cost is one pass over the text plus one append per replaced byte. */
#include "web/escape.h"

#include <string.h>

#include "core/status.h"

/* U+FFFD REPLACEMENT CHARACTER, in UTF-8. */
static const char replacement_character[] = "\xEF\xBF\xBD";

/* The length of the well-formed UTF-8 sequence that starts text[0] (a byte
 * of 0x80 or more), or 0 when it is not one a XML 1.0 document may hold:
 * stray continuation bytes, overlong forms, surrogates, code points above
 * U+10FFFF, and the noncharacters U+FFFE and U+FFFF. */
static size_t utf8_sequence_length(const unsigned char *text, size_t remaining)
{
    unsigned char lead = text[0];
    unsigned char second_low = 0x80, second_high = 0xBF;
    size_t length;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            second_low = 0xA0; /* overlong */
        else if (lead == 0xED)
            second_high = 0x9F; /* surrogates */
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            second_low = 0x90; /* overlong */
        else if (lead == 0xF4)
            second_high = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (length > remaining || text[1] < second_low || text[1] > second_high)
        return 0;
    for (size_t index = 2; index < length; index++)
        if ((text[index] & 0xC0) != 0x80)
            return 0;
    if (lead == 0xEF && text[1] == 0xBF && text[2] >= 0xBE)
        return 0; /* U+FFFE, U+FFFF */
    return length;
}

int web_append_escaped_length(struct buffer *out, const char *text, size_t length)
{
    if (out == NULL)
        return ASSAY_ERR_INVALID;
    if (text == NULL)
        return ASSAY_OK;
    const unsigned char *bytes = (const unsigned char *)text;
    size_t run_start = 0, index = 0;
    while (index < length) {
        unsigned char byte = bytes[index];
        const char *replacement = NULL;
        switch (byte) {
        case '&':
            replacement = "&amp;";
            break;
        case '<':
            replacement = "&lt;";
            break;
        case '>':
            replacement = "&gt;";
            break;
        case '"':
            replacement = "&quot;";
            break;
        case '\'':
            replacement = "&#39;"; /* &apos; is not an HTML 4 entity */
            break;
        default:
            if (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') {
                replacement = replacement_character;
            } else if (byte >= 0x80) {
                size_t sequence = utf8_sequence_length(bytes + index, length - index);
                if (sequence == 0) {
                    replacement = replacement_character; /* one byte at a time */
                } else {
                    index += sequence;
                    continue;
                }
            }
            break;
        }
        if (replacement == NULL) {
            index++;
            continue;
        }
        int status = buffer_append(out, bytes + run_start, index - run_start);
        if (status == ASSAY_OK)
            status = buffer_append_string(out, replacement);
        if (status != ASSAY_OK)
            return status;
        index++;
        run_start = index;
    }
    return buffer_append(out, bytes + run_start, length - run_start);
}

int web_append_escaped(struct buffer *out, const char *text)
{
    return web_append_escaped_length(out, text, text == NULL ? 0 : strlen(text));
}

static int is_unreserved(unsigned char byte)
{
    return (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
           (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' || byte == '~';
}

int web_append_url_component(struct buffer *out, const char *text)
{
    static const char hex_digits[] = "0123456789ABCDEF";
    if (out == NULL)
        return ASSAY_ERR_INVALID;
    if (text == NULL)
        return ASSAY_OK;
    const unsigned char *bytes = (const unsigned char *)text;
    size_t run_start = 0, index = 0;
    for (; bytes[index] != '\0'; index++) {
        if (is_unreserved(bytes[index]))
            continue;
        char encoded[3] = {'%', hex_digits[bytes[index] >> 4], hex_digits[bytes[index] & 0x0F]};
        int status = buffer_append(out, bytes + run_start, index - run_start);
        if (status == ASSAY_OK)
            status = buffer_append(out, encoded, sizeof encoded);
        if (status != ASSAY_OK)
            return status;
        run_start = index + 1;
    }
    return buffer_append(out, bytes + run_start, index - run_start);
}

json_t *web_json_string(const char *text)
{
    if (text == NULL)
        return json_null();
    json_t *value = json_string(text);
    if (value != NULL)
        return value;
    struct buffer clean = {0};
    const unsigned char *bytes = (const unsigned char *)text;
    size_t length = strlen(text);
    for (size_t index = 0; index < length;) {
        size_t sequence = bytes[index] < 0x80 ? 1 : utf8_sequence_length(bytes + index, length - index);
        if (sequence == 0) {
            buffer_append_string(&clean, replacement_character);
            index++;
        } else {
            buffer_append(&clean, text + index, sequence);
            index += sequence;
        }
    }
    value = json_string(clean.data != NULL ? clean.data : "");
    buffer_free(&clean);
    return value;
}
