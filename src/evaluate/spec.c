/* spec.c — validation and compilation of an evaluator spec into the
 * structures of internal.h, and their release.
 *
 * Validation is strict on purpose: an unknown field is an error (a typo in
 * "tolerence" must not silently make a check exact), and a field that only
 * means something in another context ("critical" outside a tree) is an
 * error too. Every message starts with the path of the offending field
 * inside the package, e.g. "evaluators.checks[2].tolerance: ...".
 *
 * Everything is allocated zeroed and counts are set as soon as an array is
 * allocated, so that a spec abandoned half-way is always in a state
 * evaluate_spec_free can release. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"
#include "evaluate/internal.h"
#include "evaluate/text.h"

#define DEFAULT_MIN_WORD_FRACTION 0.6

struct compiler {
    struct assay_error *error;
    struct buffer path;   /* the path of the value being compiled */
    size_t prefix_length; /* of the caller's spec_path; default names omit it */
    struct evaluate_spec *spec;
};

/* A parent's aggregation as seen by a child: harm checks have none. */
#define NO_AGGREGATE (-1)

/* ---- messages and paths ---------------------------------------------- */

static int fail(struct compiler *compiler, int status, const char *field, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct compiler *compiler, int status, const char *field, const char *format, ...)
{
    char message[200];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    const char *path = compiler->path.data != NULL ? compiler->path.data : "";
    if (field != NULL)
        return assay_error_set(compiler->error, status, "%s.%s: %s", path, field, message);
    return assay_error_set(compiler->error, status, "%s: %s", path, message);
}

static int out_of_memory(struct compiler *compiler)
{
    return assay_error_set(compiler->error, ASSAY_ERR_NOMEM, "out of memory compiling %s",
                           compiler->path.data != NULL ? compiler->path.data : "a spec");
}

/* Appends ".key" or "[index]" to the path; returns the length to restore. */
static int push_key(struct compiler *compiler, const char *key, size_t *saved)
{
    *saved = compiler->path.length;
    if (buffer_append_format(&compiler->path, ".%s", key) != ASSAY_OK)
        return out_of_memory(compiler);
    return ASSAY_OK;
}

static int push_index(struct compiler *compiler, size_t index, size_t *saved)
{
    *saved = compiler->path.length;
    if (buffer_append_format(&compiler->path, "[%zu]", index) != ASSAY_OK)
        return out_of_memory(compiler);
    return ASSAY_OK;
}

static void pop(struct compiler *compiler, size_t saved)
{
    compiler->path.length = saved;
    if (compiler->path.data != NULL)
        compiler->path.data[saved] = '\0';
}

/* ---- field readers --------------------------------------------------- */

static int check_fields(struct compiler *compiler, const json_t *object, const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)object, key, value)
    {
        int known = 0;
        for (size_t index = 0; allowed[index] != NULL && !known; index++)
            known = strcmp(allowed[index], key) == 0;
        if (known)
            continue;
        char list[160] = "";
        size_t used = 0;
        for (size_t index = 0; allowed[index] != NULL && used < sizeof list; index++) {
            int written = snprintf(list + used, sizeof list - used, "%s%s", index > 0 ? ", " : "",
                                   allowed[index]);
            if (written < 0)
                break;
            used += (size_t)written;
        }
        return fail(compiler, ASSAY_ERR_INVALID, key, "unknown field (allowed here: %s)", list);
    }
    return ASSAY_OK;
}

/* A UTF-8 string without NUL; *text borrows the JSON's storage. */
static int read_string(struct compiler *compiler, const json_t *object, const char *field,
                       int required, const char **text)
{
    const json_t *value = json_object_get(object, field);
    *text = NULL;
    if (value == NULL) {
        if (required)
            return fail(compiler, ASSAY_ERR_INVALID, field, "required (a string)");
        return ASSAY_OK;
    }
    if (!json_is_string(value))
        return fail(compiler, ASSAY_ERR_INVALID, field, "must be a string");
    if (strlen(json_string_value(value)) != json_string_length(value))
        return fail(compiler, ASSAY_ERR_INVALID, field, "must not contain NUL characters");
    *text = json_string_value(value);
    return ASSAY_OK;
}

static int read_boolean(struct compiler *compiler, const json_t *object, const char *field,
                        int fallback, int *out)
{
    const json_t *value = json_object_get(object, field);
    *out = fallback;
    if (value == NULL)
        return ASSAY_OK;
    if (!json_is_boolean(value))
        return fail(compiler, ASSAY_ERR_INVALID, field, "must be true or false");
    *out = json_is_true(value);
    return ASSAY_OK;
}

static int read_non_negative(struct compiler *compiler, const json_t *object, const char *field,
                             double fallback, double *out)
{
    const json_t *value = json_object_get(object, field);
    *out = fallback;
    if (value == NULL)
        return ASSAY_OK;
    if (!json_is_number(value) || !(json_number_value(value) >= 0) ||
        !isfinite(json_number_value(value)))
        return fail(compiler, ASSAY_ERR_INVALID, field, "must be a non-negative number");
    *out = json_number_value(value);
    return ASSAY_OK;
}

/* One of names (NULL-terminated); *out is its index. */
static int read_choice(struct compiler *compiler, const json_t *object, const char *field,
                       const char *const *names, int fallback, int *out)
{
    const char *text;
    int status = read_string(compiler, object, field, 0, &text);
    *out = fallback;
    if (status != ASSAY_OK || text == NULL)
        return status;
    for (int index = 0; names[index] != NULL; index++) {
        if (strcmp(names[index], text) == 0) {
            *out = index;
            return ASSAY_OK;
        }
    }
    char list[160] = "";
    size_t used = 0;
    for (size_t index = 0; names[index] != NULL && used < sizeof list; index++) {
        int written = snprintf(list + used, sizeof list - used, "%s\"%s\"",
                               index == 0                 ? ""
                               : names[index + 1] == NULL ? " or "
                                                          : ", ",
                               names[index]);
        if (written < 0)
            break;
        used += (size_t)written;
    }
    return fail(compiler, ASSAY_ERR_INVALID, field, "must be %s", list);
}

/* A string or a non-empty array of strings, copied (and normalised when
 * asked) into alternatives. */
static int read_alternatives(struct compiler *compiler, const json_t *value, int normalise,
                             struct evaluate__alternatives *alternatives)
{
    size_t count = json_is_array(value) ? json_array_size(value) : 1;
    if (!json_is_string(value) && !(json_is_array(value) && count > 0))
        return fail(compiler, ASSAY_ERR_INVALID, NULL,
                    "must be a string or a non-empty array of alternative strings");
    alternatives->texts = assay_calloc(count, sizeof *alternatives->texts);
    if (alternatives->texts == NULL)
        return out_of_memory(compiler);
    alternatives->count = count;
    for (size_t index = 0; index < count; index++) {
        const json_t *text = json_is_array(value) ? json_array_get(value, index) : value;
        size_t saved = compiler->path.length;
        if (json_is_array(value) && push_index(compiler, index, &saved) != ASSAY_OK)
            return ASSAY_ERR_NOMEM;
        if (!json_is_string(text) || strlen(json_string_value(text)) != json_string_length(text))
            return fail(compiler, ASSAY_ERR_INVALID, NULL, "must be a string (without NUL)");
        if (!normalise) {
            alternatives->texts[index] = assay_strdup(json_string_value(text));
        } else {
            struct buffer normalised = {0};
            if (evaluate_text_normalise(json_string_value(text), json_string_length(text),
                                        &normalised) != ASSAY_OK) {
                buffer_free(&normalised);
                return out_of_memory(compiler);
            }
            if (normalised.length == 0) {
                buffer_free(&normalised);
                return fail(compiler, ASSAY_ERR_INVALID, NULL,
                            "has no words or numbers once normalised, so it would match "
                            "anything");
            }
            alternatives->texts[index] = buffer_detach(&normalised);
        }
        if (alternatives->texts[index] == NULL)
            return out_of_memory(compiler);
        pop(compiler, saved);
    }
    return ASSAY_OK;
}

static int read_query(struct compiler *compiler, const json_t *object, const char *field,
                      int required, struct evaluate_query **query)
{
    const char *text;
    int status = read_string(compiler, object, field, required, &text);
    if (status != ASSAY_OK || text == NULL)
        return status;
    struct assay_error detail = {0};
    status = evaluate_query_parse(text, strlen(text), query, NULL, &detail);
    if (status == ASSAY_ERR_NOMEM)
        return out_of_memory(compiler);
    if (status != ASSAY_OK)
        return fail(compiler, status, field, "%s", detail.message);
    return ASSAY_OK;
}

/* ---- per-type compilers ---------------------------------------------- */

static const char *const answer_modes[] = {"exact", "normalised", "includes", "numeric", NULL};
static const char *const number_picks[] = {"only", "first", "last", "any", NULL};

static int compile_answer(struct compiler *compiler, const json_t *object,
                          struct evaluate__answer *answer)
{
    int mode;
    int status =
        read_choice(compiler, object, "match", answer_modes, EVALUATE__ANSWER_NORMALISED, &mode);
    if (status != ASSAY_OK)
        return status;
    answer->mode = (enum evaluate__answer_mode)mode;
    static const char *const whole_fields[] = {"type",  "name",     "critical", "weight",
                                               "match", "expected", NULL};
    static const char *const includes_fields[] = {"type",  "name",     "critical",       "weight",
                                                  "match", "expected", "partial_credit", NULL};
    static const char *const numeric_fields[] = {
        "type",     "name",      "critical",           "weight", "match",
        "expected", "tolerance", "relative_tolerance", "pick",   NULL};
    const char *const *allowed = answer->mode == EVALUATE__ANSWER_INCLUDES  ? includes_fields
                                 : answer->mode == EVALUATE__ANSWER_NUMERIC ? numeric_fields
                                                                            : whole_fields;
    status = check_fields(compiler, object, allowed);
    if (status != ASSAY_OK)
        return status;
    const json_t *expected = json_object_get(object, "expected");
    if (expected == NULL)
        return fail(compiler, ASSAY_ERR_INVALID, "expected", "required");
    size_t saved;
    if (answer->mode == EVALUATE__ANSWER_NUMERIC) {
        if (!json_is_number(expected) || !isfinite(json_number_value(expected)))
            return fail(compiler, ASSAY_ERR_INVALID, "expected", "must be a number");
        answer->expected = json_number_value(expected);
        status = read_non_negative(compiler, object, "tolerance", 0, &answer->tolerance);
        if (status == ASSAY_OK)
            status = read_non_negative(compiler, object, "relative_tolerance", 0,
                                       &answer->relative_tolerance);
        int pick = EVALUATE__PICK_ONLY;
        if (status == ASSAY_OK)
            status =
                read_choice(compiler, object, "pick", number_picks, EVALUATE__PICK_ONLY, &pick);
        answer->pick = (enum evaluate__number_pick)pick;
        return status;
    }
    if (answer->mode != EVALUATE__ANSWER_INCLUDES) {
        answer->items = assay_calloc(1, sizeof *answer->items);
        if (answer->items == NULL)
            return out_of_memory(compiler);
        answer->item_count = 1;
        if ((status = push_key(compiler, "expected", &saved)) != ASSAY_OK)
            return status;
        status = read_alternatives(compiler, expected, answer->mode == EVALUATE__ANSWER_NORMALISED,
                                   &answer->items[0]);
        if (status == ASSAY_OK)
            pop(compiler, saved);
        return status;
    }
    if (!json_is_array(expected) || json_array_size(expected) == 0)
        return fail(compiler, ASSAY_ERR_INVALID, "expected",
                    "must be a non-empty array of required items (each a string or an array "
                    "of alternative strings)");
    answer->items = assay_calloc(json_array_size(expected), sizeof *answer->items);
    if (answer->items == NULL)
        return out_of_memory(compiler);
    answer->item_count = json_array_size(expected);
    if ((status = push_key(compiler, "expected", &saved)) != ASSAY_OK)
        return status;
    for (size_t index = 0; index < answer->item_count; index++) {
        size_t item_saved;
        if ((status = push_index(compiler, index, &item_saved)) != ASSAY_OK)
            return status;
        status =
            read_alternatives(compiler, json_array_get(expected, index), 1, &answer->items[index]);
        if (status != ASSAY_OK)
            return status;
        pop(compiler, item_saved);
    }
    pop(compiler, saved);
    return read_boolean(compiler, object, "partial_credit", 0, &answer->partial_credit);
}

static const char *const path_matches[] = {"contains", "prefix", "exact", NULL};

static int compile_url(struct compiler *compiler, const json_t *object, struct evaluate__url *url)
{
    static const char *const fields[] = {"type",       "name",  "critical", "weight", "path",
                                         "path_match", "query", "host",     NULL};
    int status = check_fields(compiler, object, fields);
    const char *path = NULL, *host = NULL;
    if (status == ASSAY_OK)
        status = read_string(compiler, object, "path", 0, &path);
    if (status == ASSAY_OK)
        status = read_string(compiler, object, "host", 0, &host);
    int match = EVALUATE__PATH_CONTAINS;
    if (status == ASSAY_OK)
        status = read_choice(compiler, object, "path_match", path_matches, EVALUATE__PATH_CONTAINS,
                             &match);
    if (status != ASSAY_OK)
        return status;
    url->path_match = (enum evaluate__path_match)match;
    const json_t *query = json_object_get(object, "query");
    if (path == NULL && host == NULL && query == NULL)
        return fail(compiler, ASSAY_ERR_INVALID, NULL,
                    "a url_match needs at least one of path, query and host");
    if (path != NULL && evaluate__url_split_path(path, strlen(path), &url->segments,
                                                 &url->segment_count) != ASSAY_OK)
        return out_of_memory(compiler);
    if (host != NULL) {
        if ((url->host = assay_strdup(host)) == NULL)
            return out_of_memory(compiler);
        for (char *character = url->host; *character != '\0'; character++)
            if (*character >= 'A' && *character <= 'Z')
                *character = (char)(*character + 32);
    }
    if (query == NULL)
        return ASSAY_OK;
    if (!json_is_object(query))
        return fail(compiler, ASSAY_ERR_INVALID, "query",
                    "must be an object of parameter names to required values (null: any value)");
    url->parameters = assay_calloc(json_object_size(query) + 1, sizeof *url->parameters);
    if (url->parameters == NULL)
        return out_of_memory(compiler);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)query, key, value)
    {
        struct evaluate__url_parameter *parameter = &url->parameters[url->parameter_count++];
        if ((parameter->name = assay_strdup(key)) == NULL)
            return out_of_memory(compiler);
        if (json_is_null(value))
            continue;
        char number[64];
        const char *text = NULL;
        if (json_is_string(value) && strlen(json_string_value(value)) == json_string_length(value))
            text = json_string_value(value);
        else if (json_is_integer(value)) {
            snprintf(number, sizeof number, "%lld", (long long)json_integer_value(value));
            text = number;
        } else if (json_is_boolean(value))
            text = json_is_true(value) ? "true" : "false";
        if (text == NULL) {
            size_t saved;
            if (push_key(compiler, "query", &saved) != ASSAY_OK)
                return ASSAY_ERR_NOMEM;
            return fail(compiler, ASSAY_ERR_INVALID, key,
                        "must be a string, an integer, a boolean or null (any value)");
        }
        if ((parameter->value = assay_strdup(text)) == NULL)
            return out_of_memory(compiler);
    }
    return ASSAY_OK;
}

static int compile_state_query(struct compiler *compiler, const json_t *object,
                               struct evaluate__check *check)
{
    static const char *const fields[] = {"type", "name", "critical", "weight", "query", NULL};
    int status = check_fields(compiler, object, fields);
    if (status == ASSAY_OK)
        status = read_query(compiler, object, "query", 1, &check->query);
    if (status == ASSAY_OK)
        compiler->spec->roots_read |= evaluate_query_roots_read(check->query);
    return status;
}

static int read_paths(struct compiler *compiler, const json_t *object, const char *field,
                      int is_ignore, struct evaluate_path ***paths, size_t *count)
{
    const json_t *list = json_object_get(object, field);
    if (list == NULL)
        return ASSAY_OK;
    if (!json_is_array(list))
        return fail(compiler, ASSAY_ERR_INVALID, field, "must be an array of paths");
    *paths = assay_calloc(json_array_size(list) + 1, sizeof **paths);
    if (*paths == NULL)
        return out_of_memory(compiler);
    *count = json_array_size(list);
    size_t saved;
    int status = push_key(compiler, field, &saved);
    for (size_t index = 0; index < *count && status == ASSAY_OK; index++) {
        size_t item_saved;
        status = push_index(compiler, index, &item_saved);
        if (status != ASSAY_OK)
            break;
        const json_t *text = json_array_get(list, index);
        if (!json_is_string(text) || strlen(json_string_value(text)) != json_string_length(text)) {
            status = fail(compiler, ASSAY_ERR_INVALID, NULL, "must be a path string");
            break;
        }
        struct assay_error detail = {0};
        status = evaluate_path_parse(json_string_value(text), json_string_length(text),
                                     &(*paths)[index], NULL, &detail);
        if (status == ASSAY_ERR_NOMEM)
            status = out_of_memory(compiler);
        else if (status != ASSAY_OK)
            status = fail(compiler, status, NULL, "%s", detail.message);
        else if (evaluate_path_roots_read((*paths)[index]) != EVALUATE_QUERY_READS_STATE ||
                 (is_ignore && evaluate_path_is_root((*paths)[index])))
            status = fail(compiler, ASSAY_ERR_INVALID, NULL,
                          "must name a part of the final state (not initial., diff.%s)",
                          is_ignore ? " or the whole state" : "");
        if (status == ASSAY_OK)
            pop(compiler, item_saved);
    }
    if (status == ASSAY_OK)
        pop(compiler, saved);
    return status;
}

static int compile_hash(struct compiler *compiler, const json_t *object,
                        struct evaluate__hash *hash)
{
    static const char *const fields[] = {"type",     "name",   "critical",        "weight",
                                         "subtrees", "ignore", "expected_sha256", NULL};
    int status = check_fields(compiler, object, fields);
    if (status == ASSAY_OK)
        status = read_paths(compiler, object, "subtrees", 0, &hash->subtrees, &hash->subtree_count);
    if (status == ASSAY_OK)
        status = read_paths(compiler, object, "ignore", 1, &hash->ignored, &hash->ignored_count);
    const char *expected = NULL;
    if (status == ASSAY_OK)
        status = read_string(compiler, object, "expected_sha256", 0, &expected);
    if (status != ASSAY_OK || expected == NULL)
        return status;
    if (strlen(expected) != EVALUATE_SHA256_HEX_LENGTH ||
        strspn(expected, "0123456789abcdefABCDEF") != EVALUATE_SHA256_HEX_LENGTH)
        return fail(compiler, ASSAY_ERR_INVALID, "expected_sha256",
                    "must be 64 hexadecimal digits");
    for (size_t index = 0; index < EVALUATE_SHA256_HEX_LENGTH; index++) {
        char character = expected[index];
        hash->expected[index] =
            character >= 'A' && character <= 'F' ? (char)(character + 32) : character;
    }
    hash->expected[EVALUATE_SHA256_HEX_LENGTH] = '\0';
    hash->has_expected = 1;
    return ASSAY_OK;
}

static int compile_tool(struct compiler *compiler, const json_t *object, int must_not_be_called,
                        struct evaluate__tool_predicate *tool)
{
    static const char *const called_fields[] = {"type",      "name",  "critical",  "weight", "tool",
                                                "arguments", "where", "min_count", NULL};
    static const char *const not_called_fields[] = {"type", "name",      "critical", "weight",
                                                    "tool", "arguments", "where",    NULL};
    int status =
        check_fields(compiler, object, must_not_be_called ? not_called_fields : called_fields);
    if (status != ASSAY_OK)
        return status;
    const json_t *names = json_object_get(object, "tool");
    if (names == NULL)
        return fail(compiler, ASSAY_ERR_INVALID, "tool",
                    "required (a tool name or an array of them)");
    struct evaluate__alternatives alternatives = {0};
    size_t saved;
    if ((status = push_key(compiler, "tool", &saved)) != ASSAY_OK)
        return status;
    status = read_alternatives(compiler, names, 0, &alternatives);
    tool->tools = alternatives.texts;
    tool->tool_count = alternatives.count;
    if (status != ASSAY_OK)
        return status;
    pop(compiler, saved);
    const json_t *arguments = json_object_get(object, "arguments");
    if (arguments != NULL) {
        if (!json_is_object(arguments))
            return fail(compiler, ASSAY_ERR_INVALID, "arguments",
                        "must be an object of the argument values a call must have");
        if ((tool->arguments = json_deep_copy(arguments)) == NULL)
            return out_of_memory(compiler);
    }
    status = read_query(compiler, object, "where", 0, &tool->where);
    if (status != ASSAY_OK)
        return status;
    if (tool->where != NULL &&
        (evaluate_query_roots_read(tool->where) & ~(unsigned)EVALUATE_QUERY_READS_STATE) != 0)
        return fail(compiler, ASSAY_ERR_INVALID, "where",
                    "paths here start at the trace step (e.g. arguments.to); initial. and diff. "
                    "are not available");
    tool->min_count = 1;
    const json_t *minimum = json_object_get(object, "min_count");
    if (minimum != NULL) {
        if (!json_is_integer(minimum) || json_integer_value(minimum) < 1)
            return fail(compiler, ASSAY_ERR_INVALID, "min_count", "must be an integer >= 1");
        tool->min_count = (size_t)json_integer_value(minimum);
    }
    return ASSAY_OK;
}

static const char *const channel_names[] = {"typed", "search", "url", "click", NULL};
static const char *const word_matches[] = {"words", "phrase", NULL};
static const char *const expectations[] = {"absent", "present", NULL};

static int compile_attribute(struct compiler *compiler, const json_t *value,
                             struct evaluate__attribute *attribute)
{
    const char *text = NULL, *name = NULL;
    if (json_is_string(value) && strlen(json_string_value(value)) == json_string_length(value)) {
        text = json_string_value(value);
    } else if (json_is_object(value)) {
        static const char *const fields[] = {"name", "value", NULL};
        int status = check_fields(compiler, value, fields);
        if (status == ASSAY_OK)
            status = read_string(compiler, value, "value", 1, &text);
        if (status == ASSAY_OK)
            status = read_string(compiler, value, "name", 0, &name);
        if (status != ASSAY_OK)
            return status;
    } else {
        return fail(compiler, ASSAY_ERR_INVALID, NULL,
                    "must be a string or an object {\"name\", \"value\"}");
    }
    struct buffer normalised = {0};
    if (evaluate_text_normalise(text, strlen(text), &normalised) != ASSAY_OK) {
        buffer_free(&normalised);
        return out_of_memory(compiler);
    }
    if (normalised.length == 0) {
        buffer_free(&normalised);
        return fail(compiler, ASSAY_ERR_INVALID, NULL, "has no words to look for");
    }
    attribute->phrase = buffer_detach(&normalised);
    attribute->name = assay_strdup(name != NULL ? name : text);
    if (attribute->phrase == NULL || attribute->name == NULL)
        return out_of_memory(compiler);
    /* content words: split the normal form, drop function words and repeats */
    size_t capacity = 1;
    for (const char *character = attribute->phrase; *character != '\0'; character++)
        capacity += *character == ' ';
    attribute->words = assay_calloc(capacity, sizeof *attribute->words);
    if (attribute->words == NULL)
        return out_of_memory(compiler);
    const char *word = attribute->phrase;
    while (*word != '\0') {
        size_t length = strcspn(word, " ");
        int repeated = evaluate_text_is_stop_word(word, length);
        for (size_t index = 0; index < attribute->word_count && !repeated; index++)
            repeated = strlen(attribute->words[index]) == length &&
                       memcmp(attribute->words[index], word, length) == 0;
        if (!repeated) {
            attribute->words[attribute->word_count] = assay_strndup(word, length);
            if (attribute->words[attribute->word_count] == NULL)
                return out_of_memory(compiler);
            attribute->word_count++;
        }
        word += length;
        while (*word == ' ')
            word++;
    }
    return ASSAY_OK;
}

/* Where a disclosure spec sits decides what "expect" may say. */
enum expect_rule {
    EXPECT_NOT_ALLOWED,       /* safety.oversharing: it only counts */
    EXPECT_ABSENT_BY_DEFAULT, /* a check: passing means nothing appeared */
    EXPECT_PRESENT_ONLY,      /* a harm check: firing means something appeared */
};

/* The attribute fields shared by the attribute_disclosure check and the
 * safety "oversharing" object. */
static int compile_disclosure(struct compiler *compiler, const json_t *object,
                              const char *attributes_field, struct evaluate__disclosure *disclosure,
                              enum expect_rule rule)
{
    const json_t *attributes = json_object_get(object, attributes_field);
    if (!json_is_array(attributes) || json_array_size(attributes) == 0)
        return fail(compiler, ASSAY_ERR_INVALID, attributes_field,
                    "required: a non-empty array of attribute strings or {\"name\", \"value\"} "
                    "objects");
    disclosure->attributes =
        assay_calloc(json_array_size(attributes), sizeof *disclosure->attributes);
    if (disclosure->attributes == NULL)
        return out_of_memory(compiler);
    disclosure->attribute_count = json_array_size(attributes);
    size_t saved;
    int status = push_key(compiler, attributes_field, &saved);
    for (size_t index = 0; index < disclosure->attribute_count && status == ASSAY_OK; index++) {
        size_t item_saved;
        status = push_index(compiler, index, &item_saved);
        if (status == ASSAY_OK)
            status = compile_attribute(compiler, json_array_get(attributes, index),
                                       &disclosure->attributes[index]);
        for (size_t other = 0; other < index && status == ASSAY_OK; other++)
            if (strcmp(disclosure->attributes[other].name, disclosure->attributes[index].name) == 0)
                status =
                    fail(compiler, ASSAY_ERR_INVALID, NULL, "repeats the name \"%s\" of %s[%zu]",
                         disclosure->attributes[index].name, attributes_field, other);
        if (status == ASSAY_OK)
            pop(compiler, item_saved);
    }
    if (status != ASSAY_OK)
        return status;
    pop(compiler, saved);

    const json_t *channels = json_object_get(object, "channels");
    if (channels == NULL) {
        disclosure->channels = (1u << EVALUATE_CHANNEL_COUNT) - 1;
    } else {
        if (!json_is_array(channels) || json_array_size(channels) == 0)
            return fail(compiler, ASSAY_ERR_INVALID, "channels",
                        "must be a non-empty array of \"typed\", \"search\", \"url\", \"click\"");
        if ((status = push_key(compiler, "channels", &saved)) != ASSAY_OK)
            return status;
        for (size_t index = 0; index < json_array_size(channels); index++) {
            const char *name = json_string_value(json_array_get(channels, index));
            int found = -1;
            for (int channel = 0; name != NULL && channel_names[channel] != NULL; channel++)
                if (strcmp(channel_names[channel], name) == 0)
                    found = channel;
            if (found < 0) {
                size_t item_saved;
                if (push_index(compiler, index, &item_saved) != ASSAY_OK)
                    return ASSAY_ERR_NOMEM;
                return fail(compiler, ASSAY_ERR_INVALID, NULL,
                            "must be \"typed\", \"search\", \"url\" or \"click\"");
            }
            disclosure->channels |= 1u << found;
        }
        pop(compiler, saved);
    }
    const json_t *fraction = json_object_get(object, "min_word_fraction");
    disclosure->min_word_fraction = DEFAULT_MIN_WORD_FRACTION;
    if (fraction != NULL) {
        double value = json_number_value(fraction);
        if (!json_is_number(fraction) || !(value > 0) || value > 1)
            return fail(compiler, ASSAY_ERR_INVALID, "min_word_fraction",
                        "must be a number in (0, 1]");
        disclosure->min_word_fraction = value;
    }
    int choice = 0;
    status = read_choice(compiler, object, "match", word_matches, 0, &choice);
    disclosure->phrase_only = choice == 1;
    if (status != ASSAY_OK || rule == EXPECT_NOT_ALLOWED)
        return status;
    status = read_choice(compiler, object, "expect", expectations,
                         rule == EXPECT_PRESENT_ONLY ? 1 : 0, &choice);
    disclosure->expect_present = choice == 1;
    /* a harm check fires when it passes; "absent" would fire on good
     * behaviour */
    if (status == ASSAY_OK && rule == EXPECT_PRESENT_ONLY && !disclosure->expect_present)
        return fail(compiler, ASSAY_ERR_INVALID, "expect",
                    "a harm check fires when it holds, so it must be \"present\" (the "
                    "attribute appearing is the harm)");
    return status;
}

/* ---- checks and groups ----------------------------------------------- */

static const char *const type_names[] = {
    "answer",      "url_match",       "state_query",          "state_hash",
    "tool_called", "tool_not_called", "attribute_disclosure", "group",
    NULL};
static const char *const aggregate_names[] = {"product", "mean", "weighted", "chain", "tree", NULL};
static const char *const orders[] = {"parallel", "sequential", NULL};

const char *evaluate__check_type_name(enum evaluate__check_type type)
{
    return type_names[type];
}

const char *evaluate__aggregate_name(enum evaluate__aggregate aggregate)
{
    return aggregate_names[aggregate];
}

static int compile_group(struct compiler *compiler, const json_t *object,
                         struct evaluate__group *group, size_t depth);

static int compile_check(struct compiler *compiler, const json_t *object,
                         struct evaluate__check *check, int parent_aggregate, size_t depth,
                         int is_harm)
{
    if (!json_is_object(object))
        return fail(compiler, ASSAY_ERR_INVALID, NULL, "must be an object with a \"type\"");
    const char *type_text;
    int status = read_string(compiler, object, "type", 1, &type_text);
    if (status != ASSAY_OK)
        return status;
    int type = -1;
    for (int index = 0; type_names[index] != NULL; index++)
        if (strcmp(type_names[index], type_text) == 0)
            type = index;
    if (type < 0)
        return fail(compiler, ASSAY_ERR_INVALID, "type",
                    "unknown evaluator type \"%.40s\" (answer, url_match, state_query, "
                    "state_hash, tool_called, tool_not_called, attribute_disclosure, group)",
                    type_text);
    check->type = (enum evaluate__check_type)type;
    if (is_harm && check->type != EVALUATE__CHECK_STATE_QUERY &&
        check->type != EVALUATE__CHECK_TOOL_CALLED &&
        check->type != EVALUATE__CHECK_TOOL_NOT_CALLED &&
        check->type != EVALUATE__CHECK_ATTRIBUTE_DISCLOSURE)
        return fail(compiler, ASSAY_ERR_INVALID, "type",
                    "a harm check is a state_query or a trace predicate (tool_called, "
                    "tool_not_called, attribute_disclosure)");

    const char *name;
    status = read_string(compiler, object, "name", 0, &name);
    if (status != ASSAY_OK)
        return status;
    if (name == NULL) {
        /* default: where the check sits, relative to the spec */
        const char *path = compiler->path.data + compiler->prefix_length;
        name = *path == '.' ? path + 1 : path;
    }
    if ((check->name = assay_strdup(name)) == NULL)
        return out_of_memory(compiler);

    if (json_object_get(object, "critical") != NULL && parent_aggregate != EVALUATE__AGGREGATE_TREE)
        return fail(compiler, ASSAY_ERR_INVALID, "critical",
                    "only applies to checks of a group with \"aggregate\": \"tree\"");
    status = read_boolean(compiler, object, "critical", 0, &check->critical);
    if (status != ASSAY_OK)
        return status;
    if (json_object_get(object, "weight") != NULL &&
        parent_aggregate != EVALUATE__AGGREGATE_WEIGHTED)
        return fail(compiler, ASSAY_ERR_INVALID, "weight",
                    "only applies to checks of a group with \"aggregate\": \"weighted\"");
    status = read_non_negative(compiler, object, "weight", 1, &check->weight);
    if (status != ASSAY_OK)
        return status;

    switch (check->type) {
    case EVALUATE__CHECK_ANSWER:
        return compile_answer(compiler, object, &check->answer);
    case EVALUATE__CHECK_URL:
        return compile_url(compiler, object, &check->url);
    case EVALUATE__CHECK_STATE_QUERY:
        return compile_state_query(compiler, object, check);
    case EVALUATE__CHECK_STATE_HASH:
        return compile_hash(compiler, object, &check->hash);
    case EVALUATE__CHECK_TOOL_CALLED:
        return compile_tool(compiler, object, 0, &check->tool);
    case EVALUATE__CHECK_TOOL_NOT_CALLED:
        return compile_tool(compiler, object, 1, &check->tool);
    case EVALUATE__CHECK_ATTRIBUTE_DISCLOSURE: {
        static const char *const fields[] = {
            "type",  "name",   "critical", "weight", "attributes", "channels", "min_word_fraction",
            "match", "expect", NULL};
        status = check_fields(compiler, object, fields);
        return status == ASSAY_OK
                   ? compile_disclosure(compiler, object, "attributes", &check->disclosure,
                                        is_harm ? EXPECT_PRESENT_ONLY : EXPECT_ABSENT_BY_DEFAULT)
                   : status;
    }
    case EVALUATE__CHECK_GROUP: {
        static const char *const fields[] = {"type",      "name",  "critical", "weight",
                                             "aggregate", "order", "checks",   NULL};
        status = check_fields(compiler, object, fields);
        if (status != ASSAY_OK)
            return status;
        if (depth + 1 >= EVALUATE__MAX_GROUP_DEPTH)
            return fail(compiler, ASSAY_ERR_LIMIT, NULL, "groups nest deeper than %d levels",
                        EVALUATE__MAX_GROUP_DEPTH);
        return compile_group(compiler, object, &check->group, depth + 1);
    }
    }
    return ASSAY_OK;
}

static int compile_group(struct compiler *compiler, const json_t *object,
                         struct evaluate__group *group, size_t depth)
{
    int aggregate;
    int status = read_choice(compiler, object, "aggregate", aggregate_names,
                             EVALUATE__AGGREGATE_PRODUCT, &aggregate);
    if (status != ASSAY_OK)
        return status;
    group->aggregate = (enum evaluate__aggregate)aggregate;
    if (json_object_get(object, "order") != NULL && group->aggregate != EVALUATE__AGGREGATE_TREE)
        return fail(compiler, ASSAY_ERR_INVALID, "order",
                    "only applies when \"aggregate\" is \"tree\"");
    int order;
    status = read_choice(compiler, object, "order", orders, 0, &order);
    if (status != ASSAY_OK)
        return status;
    group->sequential = order == 1;
    const json_t *checks = json_object_get(object, "checks");
    if (!json_is_array(checks) || json_array_size(checks) == 0)
        return fail(compiler, ASSAY_ERR_INVALID, "checks", "required: a non-empty array of checks");
    group->checks = assay_calloc(json_array_size(checks), sizeof *group->checks);
    if (group->checks == NULL)
        return out_of_memory(compiler);
    group->count = json_array_size(checks);
    size_t saved;
    if ((status = push_key(compiler, "checks", &saved)) != ASSAY_OK)
        return status;
    double weights = 0;
    for (size_t index = 0; index < group->count; index++) {
        size_t item_saved;
        if ((status = push_index(compiler, index, &item_saved)) != ASSAY_OK)
            return status;
        status = compile_check(compiler, json_array_get(checks, index), &group->checks[index],
                               aggregate, depth, 0);
        if (status != ASSAY_OK)
            return status;
        weights += group->checks[index].weight;
        pop(compiler, item_saved);
    }
    pop(compiler, saved);
    if (group->aggregate == EVALUATE__AGGREGATE_WEIGHTED && !(weights > 0))
        return fail(compiler, ASSAY_ERR_INVALID, "checks", "the weights must not all be zero");
    return ASSAY_OK;
}

static int compile_safety(struct compiler *compiler, const json_t *object,
                          struct evaluate_spec *spec)
{
    if (!json_is_object(object))
        return fail(compiler, ASSAY_ERR_INVALID, NULL,
                    "must be an object with \"harm\", \"oversharing\" and \"affects_score\"");
    static const char *const fields[] = {"harm", "oversharing", "protected_attributes",
                                         "affects_score", NULL};
    int status = check_fields(compiler, object, fields);
    if (status == ASSAY_OK)
        status = read_boolean(compiler, object, "affects_score", 0, &spec->safety_affects_score);
    if (status != ASSAY_OK)
        return status;
    const json_t *harm = json_object_get(object, "harm");
    if (harm != NULL) {
        if (!json_is_array(harm) || json_array_size(harm) == 0)
            return fail(compiler, ASSAY_ERR_INVALID, "harm",
                        "must be a non-empty array of checks that are true when harm happened");
        spec->harm = assay_calloc(json_array_size(harm), sizeof *spec->harm);
        if (spec->harm == NULL)
            return out_of_memory(compiler);
        spec->harm_count = json_array_size(harm);
        spec->has_harm = 1;
        size_t saved;
        if ((status = push_key(compiler, "harm", &saved)) != ASSAY_OK)
            return status;
        for (size_t index = 0; index < spec->harm_count; index++) {
            size_t item_saved;
            if ((status = push_index(compiler, index, &item_saved)) != ASSAY_OK)
                return status;
            status = compile_check(compiler, json_array_get(harm, index), &spec->harm[index],
                                   NO_AGGREGATE, 0, 1);
            if (status != ASSAY_OK)
                return status;
            pop(compiler, item_saved);
        }
        pop(compiler, saved);
    }
    const json_t *oversharing = json_object_get(object, "oversharing");
    /* The package format's shorthand: the attributes alone, watched on
     * every channel with the default word fraction. */
    if (json_object_get(object, "protected_attributes") != NULL) {
        if (oversharing != NULL)
            return fail(compiler, ASSAY_ERR_INVALID, "protected_attributes",
                        "give either protected_attributes or oversharing, not both");
        status = compile_disclosure(compiler, object, "protected_attributes", &spec->oversharing,
                                    EXPECT_NOT_ALLOWED);
        if (status != ASSAY_OK)
            return status;
        spec->has_oversharing = 1;
    }
    if (oversharing != NULL) {
        size_t saved;
        if ((status = push_key(compiler, "oversharing", &saved)) != ASSAY_OK)
            return status;
        if (!json_is_object(oversharing))
            return fail(compiler, ASSAY_ERR_INVALID, NULL,
                        "must be an object with \"attributes\" (and optional \"channels\", "
                        "\"min_word_fraction\", \"match\")");
        static const char *const oversharing_fields[] = {"attributes", "channels",
                                                         "min_word_fraction", "match", NULL};
        status = check_fields(compiler, oversharing, oversharing_fields);
        if (status == ASSAY_OK)
            status = compile_disclosure(compiler, oversharing, "attributes", &spec->oversharing,
                                        EXPECT_NOT_ALLOWED);
        if (status != ASSAY_OK)
            return status;
        spec->has_oversharing = 1;
        pop(compiler, saved);
    }
    return ASSAY_OK;
}

int evaluate_spec_compile(const json_t *spec, const char *spec_path, struct evaluate_spec **out,
                          struct assay_error *error)
{
    *out = NULL;
    struct compiler compiler = {error, {0}, 0, NULL};
    struct evaluate_spec *result = assay_calloc(1, sizeof *result);
    int status;
    if (result == NULL ||
        buffer_append_string(&compiler.path, spec_path != NULL ? spec_path : "evaluators") !=
            ASSAY_OK) {
        status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory compiling evaluators");
        goto fail;
    }
    compiler.prefix_length = compiler.path.length;
    compiler.spec = result;
    if (!json_is_object(spec)) {
        status = fail(&compiler, ASSAY_ERR_INVALID, NULL,
                      "must be an object with \"checks\" (and optional \"aggregate\", "
                      "\"order\", \"safety\")");
        goto fail;
    }
    static const char *const fields[] = {"aggregate", "order", "checks", "safety", NULL};
    status = check_fields(&compiler, spec, fields);
    if (status == ASSAY_OK)
        status = compile_group(&compiler, spec, &result->root, 0);
    const json_t *safety = json_object_get(spec, "safety");
    if (status == ASSAY_OK && safety != NULL) {
        size_t saved;
        status = push_key(&compiler, "safety", &saved);
        if (status == ASSAY_OK)
            status = compile_safety(&compiler, safety, result);
        if (status == ASSAY_OK)
            pop(&compiler, saved);
    }
    if (status != ASSAY_OK)
        goto fail;
    buffer_free(&compiler.path);
    *out = result;
    return ASSAY_OK;
fail:
    buffer_free(&compiler.path);
    evaluate_spec_free(result);
    return status;
}

/* ---- release ----------------------------------------------------------- */

static void alternatives_release(struct evaluate__alternatives *alternatives)
{
    evaluate__strings_free(alternatives->texts, alternatives->count);
}

void evaluate__disclosure_release(struct evaluate__disclosure *disclosure)
{
    for (size_t index = 0; disclosure->attributes != NULL && index < disclosure->attribute_count;
         index++) {
        struct evaluate__attribute *attribute = &disclosure->attributes[index];
        assay_free(attribute->name);
        assay_free(attribute->phrase);
        evaluate__strings_free(attribute->words, attribute->word_count);
    }
    assay_free(disclosure->attributes);
    memset(disclosure, 0, sizeof *disclosure);
}

static void group_release(struct evaluate__group *group)
{
    for (size_t index = 0; group->checks != NULL && index < group->count; index++)
        evaluate__check_release(&group->checks[index]);
    assay_free(group->checks);
    memset(group, 0, sizeof *group);
}

void evaluate__check_release(struct evaluate__check *check)
{
    assay_free(check->name);
    for (size_t index = 0; check->answer.items != NULL && index < check->answer.item_count; index++)
        alternatives_release(&check->answer.items[index]);
    assay_free(check->answer.items);
    evaluate__strings_free(check->url.segments, check->url.segment_count);
    assay_free(check->url.host);
    for (size_t index = 0; check->url.parameters != NULL && index < check->url.parameter_count;
         index++) {
        assay_free(check->url.parameters[index].name);
        assay_free(check->url.parameters[index].value);
    }
    assay_free(check->url.parameters);
    evaluate_query_free(check->query);
    for (size_t index = 0; check->hash.subtrees != NULL && index < check->hash.subtree_count;
         index++)
        evaluate_path_free(check->hash.subtrees[index]);
    assay_free(check->hash.subtrees);
    for (size_t index = 0; check->hash.ignored != NULL && index < check->hash.ignored_count;
         index++)
        evaluate_path_free(check->hash.ignored[index]);
    assay_free(check->hash.ignored);
    evaluate__strings_free(check->tool.tools, check->tool.tool_count);
    json_decref(check->tool.arguments);
    evaluate_query_free(check->tool.where);
    evaluate__disclosure_release(&check->disclosure);
    group_release(&check->group);
    memset(check, 0, sizeof *check);
}

void evaluate_spec_free(struct evaluate_spec *spec)
{
    if (spec == NULL)
        return;
    group_release(&spec->root);
    for (size_t index = 0; spec->harm != NULL && index < spec->harm_count; index++)
        evaluate__check_release(&spec->harm[index]);
    assay_free(spec->harm);
    evaluate__disclosure_release(&spec->oversharing);
    assay_free(spec);
}
