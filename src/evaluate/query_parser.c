/* query_parser.c — recursive descent over the grammar in
 * docs/evaluators.md; builds the tree query_internal.h describes and owns
 * it until it is handed to the caller.
 *
 *   query      := or_expr END
 *   or_expr    := and_expr ("or" and_expr)*
 *   and_expr   := unary ("and" unary)*
 *   unary      := "not" unary | "(" or_expr ")" | predicate
 *   predicate  := path ("exists" | "count" operator number
 *                       | operator literal | "contains" literal)
 *   path       := head segment*
 *   head       := "$" | "@" | name
 *   segment    := "." (name | string) | "[" (integer | string | "*" | "?" or_expr) "]"
 *
 * Every nesting (parentheses, "not", filters) counts against
 * EVALUATE_QUERY_MAX_DEPTH so that neither this parser nor the evaluator
 * can be driven into a deep recursion. */
#include <string.h>

#include "core/memory.h"
#include "evaluate/query_internal.h"
#include "evaluate/text.h"

struct parser {
    struct evaluate__lexer lexer;
    size_t depth;
    size_t last_end; /* end offset of the token consumed last */
};

static const char *const reserved_words[] = {
    "and", "or", "not", "contains", "exists", "count", "true", "false", "null",
};

static int is_reserved(const struct evaluate__lexer *lexer)
{
    for (size_t index = 0; index < sizeof reserved_words / sizeof reserved_words[0]; index++)
        if (evaluate__lexer_is_word(lexer, reserved_words[index]))
            return 1;
    return 0;
}

static int advance(struct parser *parser)
{
    parser->last_end = parser->lexer.token_start + parser->lexer.token_length;
    return evaluate__lexer_next(&parser->lexer);
}

static int expect(struct parser *parser, enum evaluate__token_kind kind, const char *expectation)
{
    if (parser->lexer.kind != kind)
        return evaluate__lexer_fail(&parser->lexer, ASSAY_ERR_INVALID, expectation);
    return advance(parser);
}

static int enter(struct parser *parser)
{
    if (++parser->depth > EVALUATE_QUERY_MAX_DEPTH)
        return evaluate__lexer_fail(&parser->lexer, ASSAY_ERR_LIMIT,
                                    "nesting deeper than 32 levels");
    return ASSAY_OK;
}

void evaluate__path_release(struct evaluate_path *path)
{
    for (size_t index = 0; index < path->segment_count; index++) {
        assay_free(path->segments[index].key);
        evaluate__expression_free(path->segments[index].filter);
    }
    assay_free(path->segments);
    assay_free(path->text);
    memset(path, 0, sizeof *path);
}

void evaluate__expression_free(struct evaluate__expression *expression)
{
    if (expression == NULL)
        return;
    evaluate__expression_free(expression->left);
    evaluate__expression_free(expression->right);
    evaluate__path_release(&expression->path);
    json_decref(expression->literal);
    assay_free(expression);
}

static int add_segment(struct evaluate_path *path, struct evaluate__segment **segment)
{
    struct evaluate__segment *grown =
        assay_realloc(path->segments, (path->segment_count + 1) * sizeof *grown);
    if (grown == NULL)
        return ASSAY_ERR_NOMEM;
    path->segments = grown;
    *segment = &grown[path->segment_count++];
    memset(*segment, 0, sizeof **segment);
    return ASSAY_OK;
}

static int parse_or(struct parser *parser, int in_filter, struct evaluate__expression **out);

static int parse_key_segment(struct parser *parser, struct evaluate_path *path)
{
    struct evaluate__lexer *lexer = &parser->lexer;
    struct evaluate__segment *segment;
    int status = add_segment(path, &segment);
    if (status != ASSAY_OK)
        return status;
    segment->kind = EVALUATE__SEGMENT_KEY;
    if (lexer->kind == EVALUATE__TOKEN_NAME)
        segment->key = assay_strndup(lexer->text + lexer->token_start, lexer->token_length);
    else
        segment->key = assay_strndup(lexer->string.data != NULL ? lexer->string.data : "",
                                     lexer->string.length);
    if (segment->key == NULL)
        return ASSAY_ERR_NOMEM;
    return advance(parser);
}

static int parse_bracket_segment(struct parser *parser, struct evaluate_path *path)
{
    struct evaluate__lexer *lexer = &parser->lexer;
    int status = advance(parser); /* '[' */
    if (status != ASSAY_OK)
        return status;
    if (lexer->kind == EVALUATE__TOKEN_STRING) {
        status = parse_key_segment(parser, path);
    } else if (lexer->kind == EVALUATE__TOKEN_NUMBER) {
        if (!lexer->number_is_integer)
            return evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID,
                                        "an array index must be an integer");
        struct evaluate__segment *segment;
        status = add_segment(path, &segment);
        if (status != ASSAY_OK)
            return status;
        segment->kind = EVALUATE__SEGMENT_INDEX;
        segment->index = lexer->integer;
        status = advance(parser);
    } else if (lexer->kind == EVALUATE__TOKEN_STAR) {
        struct evaluate__segment *segment;
        status = add_segment(path, &segment);
        if (status != ASSAY_OK)
            return status;
        segment->kind = EVALUATE__SEGMENT_WILDCARD;
        path->projecting = 1;
        status = advance(parser);
    } else if (lexer->kind == EVALUATE__TOKEN_QUESTION) {
        struct evaluate__segment *segment;
        status = add_segment(path, &segment);
        if (status != ASSAY_OK)
            return status;
        segment->kind = EVALUATE__SEGMENT_FILTER;
        path->projecting = 1;
        status = enter(parser);
        if (status == ASSAY_OK)
            status = advance(parser);
        if (status == ASSAY_OK)
            status = parse_or(parser, 1, &segment->filter);
        parser->depth--;
    } else {
        return evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID,
                                    "expected an index, a \"key\", * or ?filter after '['");
    }
    if (status != ASSAY_OK)
        return status;
    return expect(parser, EVALUATE__TOKEN_RIGHT_BRACKET, "expected ']'");
}

static unsigned expression_roots(const struct evaluate__expression *expression)
{
    if (expression == NULL)
        return 0;
    return expression_roots(expression->left) | expression_roots(expression->right) |
           expression->path.roots_read;
}

static int parse_path(struct parser *parser, int in_filter, struct evaluate_path *path)
{
    struct evaluate__lexer *lexer = &parser->lexer;
    int status;
    if (lexer->kind == EVALUATE__TOKEN_DOLLAR) {
        path->root = EVALUATE__ROOT_STATE;
        status = advance(parser);
    } else if (lexer->kind == EVALUATE__TOKEN_AT) {
        if (!in_filter)
            return evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID,
                                        "'@' (the element under test) only exists inside [?...]");
        path->root = EVALUATE__ROOT_CURRENT;
        status = advance(parser);
    } else if (lexer->kind == EVALUATE__TOKEN_NAME) {
        if (is_reserved(lexer))
            return evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID,
                                        "expected a path (a reserved word cannot start one; write "
                                        "$.name for a key of that name)");
        if (!in_filter && evaluate__lexer_is_word(lexer, "diff")) {
            path->root = EVALUATE__ROOT_DIFF;
            status = advance(parser);
            if (status != ASSAY_OK)
                return status;
            const char *expectation =
                "expected .added, .updated, .deleted or .previous after 'diff'";
            if (lexer->kind != EVALUATE__TOKEN_DOT)
                return evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID, expectation);
            status = advance(parser);
            if (status != ASSAY_OK)
                return status;
            if (!evaluate__lexer_is_word(lexer, "added") &&
                !evaluate__lexer_is_word(lexer, "updated") &&
                !evaluate__lexer_is_word(lexer, "deleted") &&
                !evaluate__lexer_is_word(lexer, "previous"))
                return evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID, expectation);
            status = parse_key_segment(parser, path);
        } else if (!in_filter && evaluate__lexer_is_word(lexer, "initial")) {
            path->root = EVALUATE__ROOT_INITIAL;
            status = advance(parser);
        } else {
            path->root = in_filter ? EVALUATE__ROOT_CURRENT : EVALUATE__ROOT_STATE;
            status = parse_key_segment(parser, path);
        }
    } else {
        return evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID, "expected a path");
    }
    while (status == ASSAY_OK) {
        if (lexer->kind == EVALUATE__TOKEN_DOT) {
            status = advance(parser);
            if (status != ASSAY_OK)
                return status;
            if (lexer->kind != EVALUATE__TOKEN_NAME && lexer->kind != EVALUATE__TOKEN_STRING)
                return evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID,
                                            "expected a key name after '.' (use [N] for indexes)");
            status = parse_key_segment(parser, path);
        } else if (lexer->kind == EVALUATE__TOKEN_LEFT_BRACKET) {
            status = parse_bracket_segment(parser, path);
        } else {
            break;
        }
    }
    if (status != ASSAY_OK)
        return status;
    switch (path->root) {
    case EVALUATE__ROOT_STATE:
        path->roots_read = EVALUATE_QUERY_READS_STATE;
        break;
    case EVALUATE__ROOT_INITIAL:
        path->roots_read = EVALUATE_QUERY_READS_INITIAL;
        break;
    case EVALUATE__ROOT_DIFF:
        path->roots_read = EVALUATE_QUERY_READS_DIFF;
        break;
    case EVALUATE__ROOT_CURRENT:
        path->roots_read = 0;
        break;
    }
    for (size_t index = 0; index < path->segment_count; index++)
        path->roots_read |= expression_roots(path->segments[index].filter);
    return ASSAY_OK;
}

static int comparison_of(enum evaluate__token_kind kind, enum evaluate__comparison *comparison)
{
    switch (kind) {
    case EVALUATE__TOKEN_EQUAL:
        *comparison = EVALUATE__COMPARE_EQUAL;
        return 1;
    case EVALUATE__TOKEN_NOT_EQUAL:
        *comparison = EVALUATE__COMPARE_NOT_EQUAL;
        return 1;
    case EVALUATE__TOKEN_LESS:
        *comparison = EVALUATE__COMPARE_LESS;
        return 1;
    case EVALUATE__TOKEN_LESS_EQUAL:
        *comparison = EVALUATE__COMPARE_LESS_EQUAL;
        return 1;
    case EVALUATE__TOKEN_GREATER:
        *comparison = EVALUATE__COMPARE_GREATER;
        return 1;
    case EVALUATE__TOKEN_GREATER_EQUAL:
        *comparison = EVALUATE__COMPARE_GREATER_EQUAL;
        return 1;
    default:
        return 0;
    }
}

static json_t *number_literal(const struct evaluate__lexer *lexer)
{
    return lexer->number_is_integer ? json_integer(lexer->integer) : json_real(lexer->real);
}

static int parse_literal(struct parser *parser, json_t **literal)
{
    struct evaluate__lexer *lexer = &parser->lexer;
    if (lexer->kind == EVALUATE__TOKEN_STRING) {
        /* the whole query was checked to be UTF-8 and escapes decode to
         * UTF-8 without NUL, so only allocation can fail here */
        *literal = json_stringn(lexer->string.data != NULL ? lexer->string.data : "",
                                lexer->string.length);
    } else if (lexer->kind == EVALUATE__TOKEN_NUMBER) {
        *literal = number_literal(lexer);
    } else if (evaluate__lexer_is_word(lexer, "true")) {
        *literal = json_true();
    } else if (evaluate__lexer_is_word(lexer, "false")) {
        *literal = json_false();
    } else if (evaluate__lexer_is_word(lexer, "null")) {
        *literal = json_null();
    } else {
        return evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID,
                                    "expected a value (a \"string\", a number, true, false or "
                                    "null; the right-hand side cannot be a path)");
    }
    if (*literal == NULL)
        return ASSAY_ERR_NOMEM;
    return advance(parser);
}

static int parse_predicate(struct parser *parser, int in_filter, struct evaluate__expression **out)
{
    struct evaluate__lexer *lexer = &parser->lexer;
    struct evaluate__expression *expression = assay_calloc(1, sizeof *expression);
    if (expression == NULL)
        return ASSAY_ERR_NOMEM;
    expression->source_start = lexer->token_start;
    int status = parse_path(parser, in_filter, &expression->path);
    if (status != ASSAY_OK)
        goto fail;
    if (evaluate__lexer_is_word(lexer, "exists")) {
        expression->kind = EVALUATE__EXPRESSION_EXISTS;
        status = advance(parser);
    } else if (evaluate__lexer_is_word(lexer, "count")) {
        expression->kind = EVALUATE__EXPRESSION_COUNT;
        status = advance(parser);
        if (status != ASSAY_OK)
            goto fail;
        if (!comparison_of(lexer->kind, &expression->comparison)) {
            status = evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID,
                                          "expected ==, !=, <, <=, > or >= after 'count'");
            goto fail;
        }
        status = advance(parser);
        if (status != ASSAY_OK)
            goto fail;
        if (lexer->kind != EVALUATE__TOKEN_NUMBER) {
            status = evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID,
                                          "expected a number to compare the count with");
            goto fail;
        }
        expression->literal = number_literal(lexer);
        status = expression->literal == NULL ? ASSAY_ERR_NOMEM : advance(parser);
    } else if (evaluate__lexer_is_word(lexer, "contains")) {
        expression->kind = EVALUATE__EXPRESSION_COMPARE;
        expression->comparison = EVALUATE__COMPARE_CONTAINS;
        status = advance(parser);
        if (status == ASSAY_OK)
            status = parse_literal(parser, &expression->literal);
    } else if (comparison_of(lexer->kind, &expression->comparison)) {
        expression->kind = EVALUATE__EXPRESSION_COMPARE;
        status = advance(parser);
        if (status == ASSAY_OK)
            status = parse_literal(parser, &expression->literal);
    } else {
        status = evaluate__lexer_fail(lexer, ASSAY_ERR_INVALID,
                                      "expected a comparison after the path (==, !=, <, <=, >, "
                                      ">=, contains, exists or count)");
    }
    if (status != ASSAY_OK)
        goto fail;
    expression->source_length = parser->last_end - expression->source_start;
    *out = expression;
    return ASSAY_OK;
fail:
    evaluate__expression_free(expression);
    return status;
}

static int parse_unary(struct parser *parser, int in_filter, struct evaluate__expression **out)
{
    struct evaluate__lexer *lexer = &parser->lexer;
    int status;
    if (evaluate__lexer_is_word(lexer, "not")) {
        struct evaluate__expression *expression = assay_calloc(1, sizeof *expression);
        if (expression == NULL)
            return ASSAY_ERR_NOMEM;
        expression->kind = EVALUATE__EXPRESSION_NOT;
        status = enter(parser);
        if (status == ASSAY_OK)
            status = advance(parser);
        if (status == ASSAY_OK)
            status = parse_unary(parser, in_filter, &expression->left);
        parser->depth--;
        if (status != ASSAY_OK) {
            evaluate__expression_free(expression);
            return status;
        }
        *out = expression;
        return ASSAY_OK;
    }
    if (lexer->kind == EVALUATE__TOKEN_LEFT_PARENTHESIS) {
        status = enter(parser);
        if (status == ASSAY_OK)
            status = advance(parser);
        if (status == ASSAY_OK)
            status = parse_or(parser, in_filter, out);
        parser->depth--;
        if (status != ASSAY_OK)
            return status;
        status = expect(parser, EVALUATE__TOKEN_RIGHT_PARENTHESIS, "expected ')'");
        if (status != ASSAY_OK) {
            evaluate__expression_free(*out);
            *out = NULL;
        }
        return status;
    }
    return parse_predicate(parser, in_filter, out);
}

/* Both binary levels share this loop; `word` is the operator and `next`
 * parses one operand. */
static int parse_binary(struct parser *parser, int in_filter, const char *word,
                        enum evaluate__expression_kind kind,
                        int (*next)(struct parser *, int, struct evaluate__expression **),
                        struct evaluate__expression **out)
{
    struct evaluate__expression *left = NULL;
    int status = next(parser, in_filter, &left);
    if (status != ASSAY_OK)
        return status;
    while (evaluate__lexer_is_word(&parser->lexer, word)) {
        struct evaluate__expression *combined = assay_calloc(1, sizeof *combined);
        if (combined == NULL) {
            status = ASSAY_ERR_NOMEM;
            goto fail;
        }
        combined->kind = kind;
        combined->left = left;
        left = combined;
        status = advance(parser);
        if (status == ASSAY_OK)
            status = next(parser, in_filter, &combined->right);
        if (status != ASSAY_OK)
            goto fail;
    }
    *out = left;
    return ASSAY_OK;
fail:
    evaluate__expression_free(left);
    return status;
}

static int parse_and(struct parser *parser, int in_filter, struct evaluate__expression **out)
{
    return parse_binary(parser, in_filter, "and", EVALUATE__EXPRESSION_AND, parse_unary, out);
}

static int parse_or(struct parser *parser, int in_filter, struct evaluate__expression **out)
{
    return parse_binary(parser, in_filter, "or", EVALUATE__EXPRESSION_OR, parse_and, out);
}

static int parser_start(struct parser *parser, const char *text, size_t length,
                        size_t *error_column, struct assay_error *error)
{
    memset(parser, 0, sizeof *parser);
    parser->lexer.text = text;
    parser->lexer.length = length;
    parser->lexer.error = error;
    parser->lexer.error_column = error_column;
    if (length > EVALUATE_QUERY_MAX_LENGTH) {
        if (error_column != NULL)
            *error_column = EVALUATE_QUERY_MAX_LENGTH + 1;
        return assay_error_set(error, ASSAY_ERR_LIMIT, "column %d: query longer than %d bytes",
                               EVALUATE_QUERY_MAX_LENGTH + 1, EVALUATE_QUERY_MAX_LENGTH);
    }
    size_t valid = evaluate_text_utf8_valid_length(text, length);
    if (valid < length) {
        if (error_column != NULL)
            *error_column = valid + 1;
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "column %zu: not valid UTF-8 (or a NUL byte)", valid + 1);
    }
    return evaluate__lexer_next(&parser->lexer);
}

int evaluate_query_parse(const char *text, size_t length, struct evaluate_query **query,
                         size_t *error_column, struct assay_error *error)
{
    *query = NULL;
    struct parser parser;
    struct evaluate_query *result = assay_calloc(1, sizeof *result);
    if (result == NULL)
        return ASSAY_ERR_NOMEM;
    int status = parser_start(&parser, text, length, error_column, error);
    if (status != ASSAY_OK)
        goto fail;
    status = parse_or(&parser, 0, &result->root);
    if (status != ASSAY_OK)
        goto fail;
    if (parser.lexer.kind != EVALUATE__TOKEN_END) {
        status = evaluate__lexer_fail(&parser.lexer, ASSAY_ERR_INVALID,
                                      "expected 'and', 'or' or the end of the query");
        goto fail;
    }
    result->text = assay_strndup(text, length);
    if (result->text == NULL) {
        status = ASSAY_ERR_NOMEM;
        goto fail;
    }
    result->roots_read = expression_roots(result->root);
    evaluate__lexer_release(&parser.lexer);
    *query = result;
    return ASSAY_OK;
fail:
    if (status == ASSAY_ERR_NOMEM)
        assay_error_set(error, status, "out of memory while parsing a query");
    evaluate__lexer_release(&parser.lexer);
    evaluate_query_free(result);
    return status;
}

void evaluate_query_free(struct evaluate_query *query)
{
    if (query == NULL)
        return;
    evaluate__expression_free(query->root);
    assay_free(query->text);
    assay_free(query);
}

const char *evaluate_query_text(const struct evaluate_query *query)
{
    return query->text;
}

unsigned evaluate_query_roots_read(const struct evaluate_query *query)
{
    return query->roots_read;
}

int evaluate_path_parse(const char *text, size_t length, struct evaluate_path **path,
                        size_t *error_column, struct assay_error *error)
{
    *path = NULL;
    struct parser parser;
    struct evaluate_path *result = assay_calloc(1, sizeof *result);
    if (result == NULL)
        return ASSAY_ERR_NOMEM;
    int status = parser_start(&parser, text, length, error_column, error);
    if (status != ASSAY_OK)
        goto fail;
    status = parse_path(&parser, 0, result);
    if (status != ASSAY_OK)
        goto fail;
    if (parser.lexer.kind != EVALUATE__TOKEN_END) {
        status = evaluate__lexer_fail(&parser.lexer, ASSAY_ERR_INVALID,
                                      "expected '.', '[' or the end of the path");
        goto fail;
    }
    result->text = assay_strndup(text, length);
    if (result->text == NULL) {
        status = ASSAY_ERR_NOMEM;
        goto fail;
    }
    evaluate__lexer_release(&parser.lexer);
    *path = result;
    return ASSAY_OK;
fail:
    if (status == ASSAY_ERR_NOMEM)
        assay_error_set(error, status, "out of memory while parsing a path");
    evaluate__lexer_release(&parser.lexer);
    evaluate_path_free(result);
    return status;
}

void evaluate_path_free(struct evaluate_path *path)
{
    if (path == NULL)
        return;
    evaluate__path_release(path);
    assay_free(path);
}

const char *evaluate_path_text(const struct evaluate_path *path)
{
    return path->text;
}

unsigned evaluate_path_roots_read(const struct evaluate_path *path)
{
    return path->roots_read;
}

int evaluate_path_is_projecting(const struct evaluate_path *path)
{
    return path->projecting;
}

int evaluate_path_is_root(const struct evaluate_path *path)
{
    return path->segment_count == 0;
}
