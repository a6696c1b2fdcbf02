/* query_internal.h — what the files of the query language share (lexer,
 * parser, evaluator) and what state hashing borrows from them; nobody else
 * may use it. Every node of a parsed query is owned by its parent and freed
 * with it; literals are jansson values owned by their node. */
#ifndef ASSAY_EVALUATE_QUERY_INTERNAL_H
#define ASSAY_EVALUATE_QUERY_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "core/buffer.h"
#include "core/status.h"
#include "evaluate/query.h"

/* ---- lexer ----------------------------------------------------------- */

enum evaluate__token_kind {
    EVALUATE__TOKEN_END,
    EVALUATE__TOKEN_NAME,   /* identifiers and keywords alike */
    EVALUATE__TOKEN_STRING, /* "..." or '...'; decoded text in lexer->string */
    EVALUATE__TOKEN_NUMBER, /* value in lexer->number (integer or real) */
    EVALUATE__TOKEN_DOT,
    EVALUATE__TOKEN_LEFT_BRACKET,
    EVALUATE__TOKEN_RIGHT_BRACKET,
    EVALUATE__TOKEN_LEFT_PARENTHESIS,
    EVALUATE__TOKEN_RIGHT_PARENTHESIS,
    EVALUATE__TOKEN_QUESTION,
    EVALUATE__TOKEN_STAR,
    EVALUATE__TOKEN_AT,
    EVALUATE__TOKEN_DOLLAR,
    EVALUATE__TOKEN_EQUAL,
    EVALUATE__TOKEN_NOT_EQUAL,
    EVALUATE__TOKEN_LESS,
    EVALUATE__TOKEN_LESS_EQUAL,
    EVALUATE__TOKEN_GREATER,
    EVALUATE__TOKEN_GREATER_EQUAL,
};

struct evaluate__lexer {
    const char *text;
    size_t length;
    size_t position; /* where the next token starts scanning */
    /* the current token */
    enum evaluate__token_kind kind;
    size_t token_start;
    size_t token_length;
    struct buffer string; /* decoded STRING token, owned by the lexer */
    int number_is_integer;
    json_int_t integer;
    double real;
    /* where errors go */
    size_t *error_column;
    struct assay_error *error;
};

/* Reads the next token into the lexer. ASSAY_ERR_INVALID with a positioned
 * message on a malformed token; ASSAY_ERR_NOMEM. */
int evaluate__lexer_next(struct evaluate__lexer *lexer);
/* Fills the error for the current token: "column N: <message>, found X". */
int evaluate__lexer_fail(struct evaluate__lexer *lexer, int status, const char *expectation);
/* 1 when the current token is the name `word`. */
int evaluate__lexer_is_word(const struct evaluate__lexer *lexer, const char *word);
void evaluate__lexer_release(struct evaluate__lexer *lexer);

/* ---- syntax tree ---------------------------------------------------- */

enum evaluate__root {
    EVALUATE__ROOT_STATE,
    EVALUATE__ROOT_INITIAL,
    EVALUATE__ROOT_DIFF,
    EVALUATE__ROOT_CURRENT, /* the element a filter is testing */
};

enum evaluate__segment_kind {
    EVALUATE__SEGMENT_KEY,
    EVALUATE__SEGMENT_INDEX,
    EVALUATE__SEGMENT_WILDCARD,
    EVALUATE__SEGMENT_FILTER,
};

struct evaluate__expression;

struct evaluate__segment {
    enum evaluate__segment_kind kind;
    char *key;                           /* KEY */
    json_int_t index;                    /* INDEX; negative counts from the end */
    struct evaluate__expression *filter; /* FILTER */
};

struct evaluate_path {
    enum evaluate__root root;
    struct evaluate__segment *segments;
    size_t segment_count;
    int projecting;
    unsigned roots_read; /* evaluate_query_root_flag, including filters */
    char *text;          /* only for top-level parsed paths */
};

enum evaluate__expression_kind {
    EVALUATE__EXPRESSION_OR,
    EVALUATE__EXPRESSION_AND,
    EVALUATE__EXPRESSION_NOT,
    EVALUATE__EXPRESSION_EXISTS,
    EVALUATE__EXPRESSION_COUNT,
    EVALUATE__EXPRESSION_COMPARE,
};

enum evaluate__comparison {
    EVALUATE__COMPARE_EQUAL,
    EVALUATE__COMPARE_NOT_EQUAL,
    EVALUATE__COMPARE_LESS,
    EVALUATE__COMPARE_LESS_EQUAL,
    EVALUATE__COMPARE_GREATER,
    EVALUATE__COMPARE_GREATER_EQUAL,
    EVALUATE__COMPARE_CONTAINS,
};

struct evaluate__expression {
    enum evaluate__expression_kind kind;
    struct evaluate__expression *left;  /* OR, AND, NOT */
    struct evaluate__expression *right; /* OR, AND */
    struct evaluate_path path;          /* EXISTS, COUNT, COMPARE */
    enum evaluate__comparison comparison;
    json_t *literal;                    /* COUNT (a number), COMPARE */
    size_t source_start, source_length; /* the predicate's text, for explanations */
};

struct evaluate_query {
    struct evaluate__expression *root;
    char *text;
    unsigned roots_read;
};

void evaluate__expression_free(struct evaluate__expression *expression);
void evaluate__path_release(struct evaluate_path *path);

/* ---- evaluation ----------------------------------------------------- */

/* A list of borrowed pointers into the trees being queried. */
struct evaluate__node_list {
    const json_t **items;
    size_t count;
    size_t capacity;
};

void evaluate__node_list_release(struct evaluate__node_list *list);

/* Appends to out the values the first segment_count segments of path
 * select. current is the filter element (NULL outside filters). */
int evaluate__path_select(const struct evaluate_path *path, size_t segment_count,
                          const struct evaluate_query_roots *roots, const json_t *current,
                          struct evaluate__node_list *out);

/* Deletes from root (a tree the caller owns and may modify) every value
 * the path selects. The path must start at the state root and have at
 * least one segment. */
int evaluate__path_remove(json_t *root, const struct evaluate_path *path);

#endif
