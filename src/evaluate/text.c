/* text.c — answer normalisation, number extraction and word matching.
 *
 * Everything here is a single left-to-right pass over bytes with no
 * backtracking, so the cost is linear in the text; containment is the
 * naive O(n·m) search, fine for answers and attributes of a few hundred
 * bytes. The C library's ctype functions are avoided because they depend on
 * the locale; these rules must not. */
#include "evaluate/text.h"

#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"

static int is_ascii_letter(unsigned char character)
{
    return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z');
}

static int is_digit(unsigned char character)
{
    return character >= '0' && character <= '9';
}

/* Length of the UTF-8 sequence that starts at text[index] when it is one of
 * the Unicode punctuation marks treated as separators (no-break space,
 * dashes, curly quotes, bullet, ellipsis); 0 otherwise. */
static size_t unicode_separator_length(const char *text, size_t length, size_t index)
{
    const unsigned char *bytes = (const unsigned char *)text + index;
    size_t remaining = length - index;
    if (remaining >= 2 && bytes[0] == 0xC2 && bytes[1] == 0xA0)
        return 2;
    if (remaining >= 3 && bytes[0] == 0xE2 && bytes[1] == 0x80) {
        unsigned char last = bytes[2];
        if ((last >= 0x90 && last <= 0x9F) || last == 0xA2 || last == 0xA6)
            return 3;
    }
    return 0;
}

/* Scans the number that starts at text[start] (a digit, or '-' followed by
 * a digit) and returns the index just past it. When canonical is not NULL
 * the canonical spelling is appended: no thousands separators, no leading
 * zeros, no trailing fraction zeros, no "-" on zero. */
static size_t scan_number(const char *text, size_t length, size_t start, struct buffer *canonical,
                          int *status)
{
    size_t index = start;
    int negative = 0;
    if (text[index] == '-') {
        negative = 1;
        index++;
    }
    size_t integer_start = index;
    while (index < length && is_digit((unsigned char)text[index]))
        index++;
    size_t first_group = index - integer_start;
    size_t integer_end = index;
    /* "1,299" is one number; "1,2" and "12345,678" are lists. */
    if (first_group <= 3) {
        while (
            index + 3 < length && text[index] == ',' && is_digit((unsigned char)text[index + 1]) &&
            is_digit((unsigned char)text[index + 2]) && is_digit((unsigned char)text[index + 3]) &&
            (index + 4 >= length || !is_digit((unsigned char)text[index + 4])))
            index += 4;
        integer_end = index;
    }
    size_t fraction_start = 0, fraction_end = 0;
    if (index + 1 < length && text[index] == '.' && is_digit((unsigned char)text[index + 1])) {
        fraction_start = ++index;
        while (index < length && is_digit((unsigned char)text[index]))
            index++;
        fraction_end = index;
    }
    if (canonical == NULL)
        return index;

    /* Significant integer digits, skipping separators and leading zeros. */
    struct buffer digits = {0};
    int local_status = ASSAY_OK;
    int seen_nonzero = 0;
    for (size_t position = integer_start; position < integer_end; position++) {
        char character = text[position];
        if (character == ',' || (character == '0' && !seen_nonzero))
            continue;
        seen_nonzero = 1;
        if (local_status == ASSAY_OK)
            local_status = buffer_append(&digits, &character, 1);
    }
    while (fraction_end > fraction_start && text[fraction_end - 1] == '0')
        fraction_end--;
    int is_zero = !seen_nonzero && fraction_end == fraction_start;
    if (local_status == ASSAY_OK && negative && !is_zero)
        local_status = buffer_append(canonical, "-", 1);
    if (local_status == ASSAY_OK)
        local_status = seen_nonzero ? buffer_append(canonical, digits.data, digits.length)
                                    : buffer_append(canonical, "0", 1);
    if (local_status == ASSAY_OK && fraction_end > fraction_start) {
        local_status = buffer_append(canonical, ".", 1);
        if (local_status == ASSAY_OK)
            local_status =
                buffer_append(canonical, text + fraction_start, fraction_end - fraction_start);
    }
    buffer_free(&digits);
    if (local_status != ASSAY_OK)
        *status = local_status;
    return index;
}

/* A word boundary is what decides whether '-' is a sign and whether digits
 * start a number: both only at the start of a word. */
int evaluate_text_normalise(const char *text, size_t length, struct buffer *out)
{
    size_t start_length = out->length;
    int in_word = 0;
    int status = ASSAY_OK;
    size_t index = 0;
    while (index < length && status == ASSAY_OK) {
        unsigned char character = (unsigned char)text[index];
        int starts_number =
            !in_word && (is_digit(character) || (character == '-' && index + 1 < length &&
                                                 is_digit((unsigned char)text[index + 1])));
        if (starts_number) {
            if (out->length > start_length)
                status = buffer_append(out, " ", 1);
            if (status == ASSAY_OK)
                index = scan_number(text, length, index, out, &status);
            in_word = 1;
            continue;
        }
        if (is_ascii_letter(character) || is_digit(character)) {
            char lowered =
                (char)(character >= 'A' && character <= 'Z' ? character + 32 : character);
            if (!in_word && out->length > start_length)
                status = buffer_append(out, " ", 1);
            if (status == ASSAY_OK)
                status = buffer_append(out, &lowered, 1);
            in_word = 1;
            index++;
            continue;
        }
        if (character >= 0x80) {
            size_t separator = unicode_separator_length(text, length, index);
            if (separator > 0) {
                in_word = 0;
                index += separator;
                continue;
            }
            if (!in_word && out->length > start_length)
                status = buffer_append(out, " ", 1);
            if (status == ASSAY_OK)
                status = buffer_append(out, text + index, 1);
            in_word = 1;
            index++;
            continue;
        }
        in_word = 0; /* ASCII punctuation, whitespace, control characters */
        index++;
    }
    return status;
}

int evaluate_text_numbers(const char *text, size_t length, double **values, size_t *count)
{
    *values = NULL;
    *count = 0;
    size_t capacity = 0;
    int in_word = 0;
    int status = ASSAY_OK;
    struct buffer canonical = {0};
    size_t index = 0;
    while (index < length) {
        unsigned char character = (unsigned char)text[index];
        int starts_number =
            !in_word && (is_digit(character) || (character == '-' && index + 1 < length &&
                                                 is_digit((unsigned char)text[index + 1])));
        if (!starts_number) {
            in_word = is_ascii_letter(character) || is_digit(character) ||
                      (character >= 0x80 && unicode_separator_length(text, length, index) == 0);
            index++;
            continue;
        }
        buffer_reset(&canonical);
        index = scan_number(text, length, index, &canonical, &status);
        if (status != ASSAY_OK)
            goto fail;
        if (*count == capacity) {
            size_t new_capacity = capacity == 0 ? 4 : capacity * 2;
            double *grown = assay_realloc(*values, new_capacity * sizeof **values);
            if (grown == NULL) {
                status = ASSAY_ERR_NOMEM;
                goto fail;
            }
            *values = grown;
            capacity = new_capacity;
        }
        /* The canonical spelling uses '.', so strtod reads it in the C locale
         * that assay never changes. */
        (*values)[(*count)++] = strtod(canonical.data, NULL);
        in_word = 1;
    }
    buffer_free(&canonical);
    return ASSAY_OK;
fail:
    buffer_free(&canonical);
    assay_free(*values);
    *values = NULL;
    *count = 0;
    return status;
}

int evaluate_text_contains_words(const char *haystack, const char *needle)
{
    size_t needle_length = strlen(needle);
    if (needle_length == 0)
        return 1;
    const char *position = haystack;
    while ((position = strstr(position, needle)) != NULL) {
        int starts_word = position == haystack || position[-1] == ' ';
        char after = position[needle_length];
        if (starts_word && (after == '\0' || after == ' '))
            return 1;
        position++;
    }
    return 0;
}

/* Function words only: a personal attribute such as "lives in the north of
 * Leeds" should be recognised by "north" and "leeds", not by "the" and "of". */
static const char *const stop_words[] = {
    "a",    "about", "after", "all",   "am",   "an",    "and",   "any",  "are",   "as",    "at",
    "be",   "been",  "but",   "by",    "can",  "did",   "do",    "does", "for",   "from",  "had",
    "has",  "have",  "he",    "her",   "hers", "him",   "his",   "i",    "if",    "in",    "into",
    "is",   "it",    "its",   "me",    "mine", "my",    "of",    "on",   "or",    "our",   "ours",
    "she",  "so",    "than",  "that",  "the",  "their", "them",  "then", "there", "these", "they",
    "this", "those", "to",    "up",    "us",   "was",   "we",    "were", "what",  "when",  "which",
    "who",  "will",  "with",  "would", "you",  "your",  "yours",
};

int evaluate_text_is_stop_word(const char *word, size_t length)
{
    for (size_t index = 0; index < sizeof stop_words / sizeof stop_words[0]; index++)
        if (strlen(stop_words[index]) == length && memcmp(stop_words[index], word, length) == 0)
            return 1;
    return 0;
}

size_t evaluate_text_utf8_valid_length(const char *text, size_t length)
{
    const unsigned char *bytes = (const unsigned char *)text;
    size_t index = 0;
    while (index < length) {
        unsigned char lead = bytes[index];
        if (lead == 0)
            return index;
        if (lead < 0x80) {
            index++;
            continue;
        }
        size_t extra;
        unsigned long code_point;
        if (lead >= 0xC2 && lead <= 0xDF) {
            extra = 1;
            code_point = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            extra = 2;
            code_point = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            extra = 3;
            code_point = lead & 0x07;
        } else {
            return index;
        }
        if (length - index <= extra)
            return index;
        for (size_t offset = 1; offset <= extra; offset++) {
            if ((bytes[index + offset] & 0xC0) != 0x80)
                return index;
            code_point = (code_point << 6) | (bytes[index + offset] & 0x3F);
        }
        if ((extra == 2 && code_point < 0x800) || (extra == 3 && code_point < 0x10000) ||
            code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF))
            return index;
        index += extra + 1;
    }
    return length;
}

static int hex_value(char character)
{
    if (character >= '0' && character <= '9')
        return character - '0';
    if (character >= 'a' && character <= 'f')
        return character - 'a' + 10;
    if (character >= 'A' && character <= 'F')
        return character - 'A' + 10;
    return -1;
}

int evaluate_text_percent_decode(const char *text, size_t length, int plus_is_space,
                                 struct buffer *out)
{
    int status = buffer_reserve(out, length);
    for (size_t index = 0; index < length && status == ASSAY_OK; index++) {
        char character = text[index];
        if (character == '+' && plus_is_space) {
            character = ' ';
        } else if (character == '%' && index + 2 < length && hex_value(text[index + 1]) >= 0 &&
                   hex_value(text[index + 2]) >= 0) {
            character = (char)(hex_value(text[index + 1]) * 16 + hex_value(text[index + 2]));
            index += 2;
        }
        status = buffer_append(out, &character, 1);
    }
    return status;
}
