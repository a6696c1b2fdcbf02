/* text.h — the text rules the evaluators share: answer normalisation, number
 * extraction, whole-word containment, content words.
 *
 * The normal form (docs/evaluators.md, "Normalisation"): ASCII letters are
 * lowercased; punctuation, symbols and whitespace (and the common Unicode
 * quotes, dashes, ellipsis and no-break space) separate words; numbers are
 * rewritten canonically, so "1,299.00", "1299" and "01299.0" all become
 * "1299"; words are joined by single spaces with none at either end.
 * Non-ASCII letters are kept as they are: there is no Unicode case folding,
 * which would need tables this project does not carry.
 *
 * Ownership: functions append to a caller-owned struct buffer or return
 * arrays the caller frees with assay_free. Inputs are borrowed.
 */
#ifndef ASSAY_EVALUATE_TEXT_H
#define ASSAY_EVALUATE_TEXT_H

#include <stddef.h>

#include "core/buffer.h"

/* Appends the normal form of text[0..length) to out (nothing for an empty
 * or all-punctuation text; out->data stays NULL if nothing was ever
 * appended). Returns 0 or ASSAY_ERR_NOMEM. */
int evaluate_text_normalise(const char *text, size_t length, struct buffer *out);

/* The numbers written in text, in order of appearance, as doubles. A number
 * is an optional '-' (when it starts a word), digits with optional ","
 * thousands groups of exactly three digits, and an optional "." fraction;
 * digits glued to a preceding letter ("B12") are part of a word, not a
 * number. *values is NULL when *count is 0; otherwise free with assay_free. */
int evaluate_text_numbers(const char *text, size_t length, double **values, size_t *count);

/* 1 when needle occurs in haystack as a run of whole words; both must
 * already be in normal form. An empty needle is contained in everything. */
int evaluate_text_contains_words(const char *haystack, const char *needle);

/* 1 for the small built-in list of English function words ("the", "of",
 * "my", ...) that carry no attribute content. */
int evaluate_text_is_stop_word(const char *word, size_t length);

/* The length of the longest prefix of text[0..length) that is valid UTF-8
 * without NUL bytes: equal to length when all of it is. */
size_t evaluate_text_utf8_valid_length(const char *text, size_t length);

/* Appends text with %XX escapes decoded and, when plus_is_space, '+' read
 * as a space (query strings use that form, paths do not). Malformed
 * escapes are copied literally. */
int evaluate_text_percent_decode(const char *text, size_t length, int plus_is_space,
                                 struct buffer *out);

#endif
