/* query_lexer.c — tokens of the state query language. The lexer owns the
 * decoded text of the current string token; everything else points into
 * the borrowed source text. One token of lookahead is all the parser needs. */
#include <stdio.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "evaluate/query_internal.h"

/* Longer numbers than this are certainly a mistake; the bound keeps the
 * conversion buffer on the stack. */
#define NUMBER_MAX_LENGTH 40

static int is_name_start(char character)
{
    return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
           character == '_';
}

static int is_name_part(char character)
{
    return is_name_start(character) || (character >= '0' && character <= '9') || character == '-';
}

static int is_digit(char character)
{
    return character >= '0' && character <= '9';
}

static void describe_token(const struct evaluate__lexer *lexer, char *out, size_t size)
{
    if (lexer->kind == EVALUATE__TOKEN_END) {
        snprintf(out, size, "end of query");
        return;
    }
    size_t length = lexer->token_length > 24 ? 24 : lexer->token_length;
    snprintf(out, size, "'%.*s%s'", (int)length, lexer->text + lexer->token_start,
             length < lexer->token_length ? "..." : "");
}

int evaluate__lexer_fail(struct evaluate__lexer *lexer, int status, const char *expectation)
{
    char found[48];
    describe_token(lexer, found, sizeof found);
    size_t column = lexer->token_start + 1;
    if (lexer->error_column != NULL)
        *lexer->error_column = column;
    return assay_error_set(lexer->error, status, "column %zu: %s, found %s", column, expectation,
                           found);
}

/* For errors inside a token (a bad escape, a stray character), where the
 * token is not complete enough to describe. */
static int fail_at(struct evaluate__lexer *lexer, size_t offset, const char *message)
{
    if (lexer->error_column != NULL)
        *lexer->error_column = offset + 1;
    return assay_error_set(lexer->error, ASSAY_ERR_INVALID, "column %zu: %s", offset + 1, message);
}

int evaluate__lexer_is_word(const struct evaluate__lexer *lexer, const char *word)
{
    return lexer->kind == EVALUATE__TOKEN_NAME && strlen(word) == lexer->token_length &&
           memcmp(lexer->text + lexer->token_start, word, lexer->token_length) == 0;
}

static int hex_digit(char character)
{
    if (character >= '0' && character <= '9')
        return character - '0';
    if (character >= 'a' && character <= 'f')
        return character - 'a' + 10;
    if (character >= 'A' && character <= 'F')
        return character - 'A' + 10;
    return -1;
}

static int read_hex4(const struct evaluate__lexer *lexer, size_t at, unsigned *value)
{
    if (lexer->length - at < 4)
        return -1;
    *value = 0;
    for (size_t index = 0; index < 4; index++) {
        int digit = hex_digit(lexer->text[at + index]);
        if (digit < 0)
            return -1;
        *value = *value * 16 + (unsigned)digit;
    }
    return 0;
}

static int append_utf8(struct buffer *out, unsigned long code_point)
{
    char bytes[4];
    size_t count;
    if (code_point < 0x80) {
        bytes[0] = (char)code_point;
        count = 1;
    } else if (code_point < 0x800) {
        bytes[0] = (char)(0xC0 | (code_point >> 6));
        bytes[1] = (char)(0x80 | (code_point & 0x3F));
        count = 2;
    } else if (code_point < 0x10000) {
        bytes[0] = (char)(0xE0 | (code_point >> 12));
        bytes[1] = (char)(0x80 | ((code_point >> 6) & 0x3F));
        bytes[2] = (char)(0x80 | (code_point & 0x3F));
        count = 3;
    } else {
        bytes[0] = (char)(0xF0 | (code_point >> 18));
        bytes[1] = (char)(0x80 | ((code_point >> 12) & 0x3F));
        bytes[2] = (char)(0x80 | ((code_point >> 6) & 0x3F));
        bytes[3] = (char)(0x80 | (code_point & 0x3F));
        count = 4;
    }
    return buffer_append(out, bytes, count);
}

/* Strings follow JSON's escapes, in double or single quotes (single quotes
 * spare YAML authors a layer of escaping). \u0000 is refused because keys
 * are C strings. */
static int scan_string(struct evaluate__lexer *lexer)
{
    char quote = lexer->text[lexer->position];
    size_t index = lexer->position + 1;
    buffer_reset(&lexer->string);
    int status = buffer_reserve(&lexer->string, 16);
    if (status != ASSAY_OK)
        return status;
    while (1) {
        if (index >= lexer->length)
            return fail_at(lexer, lexer->token_start, "unterminated string");
        char character = lexer->text[index];
        if (character == quote)
            break;
        if ((unsigned char)character < 0x20)
            return fail_at(lexer, index, "control character inside a string (write it escaped)");
        if (character != '\\') {
            status = buffer_append(&lexer->string, &character, 1);
            if (status != ASSAY_OK)
                return status;
            index++;
            continue;
        }
        if (index + 1 >= lexer->length)
            return fail_at(lexer, lexer->token_start, "unterminated string");
        char escape = lexer->text[index + 1];
        const char *simple = strchr("\"'\\/bfnrt", escape);
        if (escape != '\0' && simple != NULL) {
            static const char decoded[] = "\"'\\/\b\f\n\r\t";
            status = buffer_append(&lexer->string, &decoded[simple - "\"'\\/bfnrt"], 1);
            if (status != ASSAY_OK)
                return status;
            index += 2;
            continue;
        }
        if (escape != 'u')
            return fail_at(lexer, index,
                           "unknown escape in string (use \\\" \\' \\\\ \\n \\t \\uXXXX)");
        unsigned unit;
        if (read_hex4(lexer, index + 2, &unit) != 0)
            return fail_at(lexer, index, "\\u must be followed by four hex digits");
        unsigned long code_point = unit;
        size_t consumed = 6;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            unsigned low;
            if (index + 7 >= lexer->length || lexer->text[index + 6] != '\\' ||
                lexer->text[index + 7] != 'u' || read_hex4(lexer, index + 8, &low) != 0 ||
                low < 0xDC00 || low > 0xDFFF)
                return fail_at(lexer, index, "unpaired UTF-16 surrogate in \\u escape");
            code_point = 0x10000 + (((unsigned long)unit - 0xD800) << 10) + (low - 0xDC00);
            consumed = 12;
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
            return fail_at(lexer, index, "unpaired UTF-16 surrogate in \\u escape");
        } else if (unit == 0) {
            return fail_at(lexer, index, "\\u0000 is not allowed in a query string");
        }
        status = append_utf8(&lexer->string, code_point);
        if (status != ASSAY_OK)
            return status;
        index += consumed;
    }
    lexer->position = index + 1;
    return ASSAY_OK;
}

static int scan_number(struct evaluate__lexer *lexer)
{
    size_t index = lexer->position;
    int integer = 1;
    if (lexer->text[index] == '-')
        index++;
    while (index < lexer->length && is_digit(lexer->text[index]))
        index++;
    if (index + 1 < lexer->length && lexer->text[index] == '.' &&
        is_digit(lexer->text[index + 1])) {
        integer = 0;
        index++;
        while (index < lexer->length && is_digit(lexer->text[index]))
            index++;
    }
    if (index < lexer->length && (lexer->text[index] == 'e' || lexer->text[index] == 'E')) {
        size_t exponent = index + 1;
        if (exponent < lexer->length &&
            (lexer->text[exponent] == '+' || lexer->text[exponent] == '-'))
            exponent++;
        if (exponent < lexer->length && is_digit(lexer->text[exponent])) {
            integer = 0;
            index = exponent;
            while (index < lexer->length && is_digit(lexer->text[index]))
                index++;
        }
    }
    if (index < lexer->length && is_name_start(lexer->text[index]))
        return fail_at(lexer, index, "a number runs into a name (separate them with a space)");
    size_t length = index - lexer->position;
    if (length > NUMBER_MAX_LENGTH)
        return fail_at(lexer, lexer->position, "number too long");
    char digits[NUMBER_MAX_LENGTH + 1];
    memcpy(digits, lexer->text + lexer->position, length);
    digits[length] = '\0';
    lexer->position = index;
    lexer->number_is_integer = integer;
    if (integer) {
        char *end;
        long long value = strtoll(digits, &end, 10);
        /* out of range: keep it as a real, as JSON readers do */
        if (value == LLONG_MAX || value == LLONG_MIN)
            lexer->number_is_integer = 0;
        lexer->integer = (json_int_t)value;
    }
    lexer->real = strtod(digits, NULL);
    /* JSON has no infinity: 1e999 would have no value to compare with */
    if (!isfinite(lexer->real))
        return fail_at(lexer, lexer->token_start, "number out of range");
    return ASSAY_OK;
}

int evaluate__lexer_next(struct evaluate__lexer *lexer)
{
    while (lexer->position < lexer->length &&
           (lexer->text[lexer->position] == ' ' || lexer->text[lexer->position] == '\t' ||
            lexer->text[lexer->position] == '\n' || lexer->text[lexer->position] == '\r'))
        lexer->position++;
    lexer->token_start = lexer->position;
    if (lexer->position >= lexer->length) {
        lexer->kind = EVALUATE__TOKEN_END;
        lexer->token_length = 0;
        return ASSAY_OK;
    }
    const char *text = lexer->text;
    size_t at = lexer->position;
    char character = text[at];
    char next = at + 1 < lexer->length ? text[at + 1] : '\0';
    int status = ASSAY_OK;
    size_t width = 1;
    switch (character) {
    case '.':
        lexer->kind = EVALUATE__TOKEN_DOT;
        break;
    case '[':
        lexer->kind = EVALUATE__TOKEN_LEFT_BRACKET;
        break;
    case ']':
        lexer->kind = EVALUATE__TOKEN_RIGHT_BRACKET;
        break;
    case '(':
        lexer->kind = EVALUATE__TOKEN_LEFT_PARENTHESIS;
        break;
    case ')':
        lexer->kind = EVALUATE__TOKEN_RIGHT_PARENTHESIS;
        break;
    case '?':
        lexer->kind = EVALUATE__TOKEN_QUESTION;
        break;
    case '*':
        lexer->kind = EVALUATE__TOKEN_STAR;
        break;
    case '@':
        lexer->kind = EVALUATE__TOKEN_AT;
        break;
    case '$':
        lexer->kind = EVALUATE__TOKEN_DOLLAR;
        break;
    case '=':
        if (next != '=')
            return fail_at(lexer, at, "'=' is not an operator (write '==')");
        lexer->kind = EVALUATE__TOKEN_EQUAL;
        width = 2;
        break;
    case '!':
        if (next != '=')
            return fail_at(lexer, at, "'!' is not an operator (write '!=' or 'not')");
        lexer->kind = EVALUATE__TOKEN_NOT_EQUAL;
        width = 2;
        break;
    case '<':
        lexer->kind = next == '=' ? EVALUATE__TOKEN_LESS_EQUAL : EVALUATE__TOKEN_LESS;
        width = next == '=' ? 2 : 1;
        break;
    case '>':
        lexer->kind = next == '=' ? EVALUATE__TOKEN_GREATER_EQUAL : EVALUATE__TOKEN_GREATER;
        width = next == '=' ? 2 : 1;
        break;
    case '"':
    case '\'':
        lexer->kind = EVALUATE__TOKEN_STRING;
        status = scan_string(lexer);
        if (status != ASSAY_OK)
            return status;
        lexer->token_length = lexer->position - at;
        return ASSAY_OK;
    default:
        if (is_digit(character) || (character == '-' && is_digit(next))) {
            lexer->kind = EVALUATE__TOKEN_NUMBER;
            status = scan_number(lexer);
            if (status != ASSAY_OK)
                return status;
            lexer->token_length = lexer->position - at;
            return ASSAY_OK;
        }
        if (is_name_start(character)) {
            size_t end = at + 1;
            while (end < lexer->length && is_name_part(text[end]))
                end++;
            lexer->kind = EVALUATE__TOKEN_NAME;
            lexer->position = end;
            lexer->token_length = end - at;
            return ASSAY_OK;
        }
        if ((unsigned char)character >= 0x80)
            return fail_at(lexer, at,
                           "names are ASCII; quote a key with other characters: [\"clé\"]");
        if ((unsigned char)character < 0x20 || character == 0x7F)
            return fail_at(lexer, at, "control character in query");
        {
            char message[64];
            snprintf(message, sizeof message, "unexpected character '%c'", character);
            return fail_at(lexer, at, message);
        }
    }
    lexer->position = at + width;
    lexer->token_length = width;
    return ASSAY_OK;
}

void evaluate__lexer_release(struct evaluate__lexer *lexer)
{
    buffer_free(&lexer->string);
}
