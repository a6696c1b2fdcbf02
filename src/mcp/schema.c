/* schema.c — the JSON Schema subset used to check tool arguments and
 * structured results.
 *
 * Supported keywords: type (a name or a list), properties, required,
 * additionalProperties (boolean or schema), items (one schema), enum, const,
 * minimum, maximum, exclusiveMinimum, exclusiveMaximum (numeric forms),
 * minLength, maxLength (in code points), minItems, maxItems, anyOf, oneOf,
 * allOf, and local $ref ("#/$defs/NAME", "#/definitions/NAME"). Boolean
 * schemas work. Other keywords (format, pattern, dependentSchemas, ...) are
 * accepted and ignored: the check is a guard against malformed calls, not a
 * full validator, and ignoring is the safe direction for a server (the
 * handler still sees only well-typed values for the keywords above).
 *
 * Cost: one walk of the instance; $ref resolution is a lookup per use.
 * Recursion is bounded by MAX_DEPTH, which also stops $ref cycles. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "mcp/internal.h"

#define MAX_DEPTH  64
#define PATH_BYTES 192

struct validation {
    const json_t *root;
    char *message;
    size_t message_size;
};

/* Where in the instance we are: a chain to the root, turned into text
 * ("arguments.items[2].name") only when a check fails, so valid input pays
 * no formatting. */
struct path {
    const struct path *parent;
    const char *key; /* NULL for an array index */
    size_t index;
};

static size_t format_path(const struct path *path, char *out, size_t size)
{
    size_t used = path->parent != NULL ? format_path(path->parent, out, size) : 0;
    if (used >= size)
        return used;
    int written = path->key == NULL      ? snprintf(out + used, size - used, "[%zu]", path->index)
                  : path->parent != NULL ? snprintf(out + used, size - used, ".%s", path->key)
                                         : snprintf(out + used, size - used, "%s", path->key);
    return written > 0 ? used + (size_t)written : used;
}

static const char *type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

static int matches_type(const char *name, const json_t *value)
{
    if (strcmp(name, "number") == 0)
        return json_is_number(value);
    if (strcmp(name, "integer") == 0) {
        if (json_is_integer(value))
            return 1;
        if (json_is_real(value)) {
            double number = json_real_value(value);
            return isfinite(number) && floor(number) == number;
        }
        return 0;
    }
    if (strcmp(name, "boolean") == 0)
        return json_is_boolean(value);
    return strcmp(name, type_name(value)) == 0;
}

static int fail(struct validation *validation, const struct path *path, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct validation *validation, const struct path *path, const char *format, ...)
{
    if (validation->message != NULL && validation->message_size > 0) {
        char where[PATH_BYTES];
        format_path(path, where, sizeof where);
        int used = snprintf(validation->message, validation->message_size, "%s: ", where);
        if (used >= 0 && (size_t)used < validation->message_size) {
            va_list arguments;
            va_start(arguments, format);
            vsnprintf(validation->message + used, validation->message_size - (size_t)used, format,
                      arguments);
            va_end(arguments);
        }
    }
    return ASSAY_ERR_INVALID;
}

static size_t utf8_length(const char *text, size_t bytes)
{
    size_t count = 0;
    for (size_t index = 0; index < bytes; index++)
        if (((unsigned char)text[index] & 0xC0) != 0x80)
            count++;
    return count;
}

static const json_t *resolve_reference(const struct validation *validation, const char *reference)
{
    const char *name = NULL;
    const json_t *table = NULL;
    if (strncmp(reference, "#/$defs/", 8) == 0) {
        name = reference + 8;
        table = json_object_get(validation->root, "$defs");
    } else if (strncmp(reference, "#/definitions/", 14) == 0) {
        name = reference + 14;
        table = json_object_get(validation->root, "definitions");
    } else if (strcmp(reference, "#") == 0) {
        return validation->root;
    }
    return table != NULL ? json_object_get(table, name) : NULL;
}

/* The keywords of one schema object, found in a single pass over its
 * members (a schema has a handful of members; looking each of ~20 keywords
 * up by name cost more than the whole check). */
struct keywords {
    const json_t *reference, *type, *constant, *allowed;
    const json_t *minimum, *maximum, *exclusive_minimum, *exclusive_maximum;
    const json_t *min_length, *max_length, *min_items, *max_items;
    const json_t *properties, *required, *additional, *items, *any, *one, *all;
};

static void collect_keywords(const json_t *schema, struct keywords *found)
{
    static const struct {
        const char *name;
        size_t offset;
    } table[] = {
        {"$ref", offsetof(struct keywords, reference)},
        {"type", offsetof(struct keywords, type)},
        {"const", offsetof(struct keywords, constant)},
        {"enum", offsetof(struct keywords, allowed)},
        {"minimum", offsetof(struct keywords, minimum)},
        {"maximum", offsetof(struct keywords, maximum)},
        {"exclusiveMinimum", offsetof(struct keywords, exclusive_minimum)},
        {"exclusiveMaximum", offsetof(struct keywords, exclusive_maximum)},
        {"minLength", offsetof(struct keywords, min_length)},
        {"maxLength", offsetof(struct keywords, max_length)},
        {"minItems", offsetof(struct keywords, min_items)},
        {"maxItems", offsetof(struct keywords, max_items)},
        {"properties", offsetof(struct keywords, properties)},
        {"required", offsetof(struct keywords, required)},
        {"additionalProperties", offsetof(struct keywords, additional)},
        {"items", offsetof(struct keywords, items)},
        {"anyOf", offsetof(struct keywords, any)},
        {"oneOf", offsetof(struct keywords, one)},
        {"allOf", offsetof(struct keywords, all)},
    };
    memset(found, 0, sizeof *found);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)schema, key, value)
    {
        for (size_t index = 0; index < sizeof table / sizeof table[0]; index++)
            if (key[0] == table[index].name[0] && strcmp(key, table[index].name) == 0) {
                *(const json_t **)((char *)found + table[index].offset) = value;
                break;
            }
    }
}

static int validate(struct validation *validation, const json_t *schema, const json_t *instance,
                    const struct path *path, int depth);

static int validate_number(struct validation *validation, const struct keywords *keywords,
                           const json_t *instance, const struct path *path)
{
    double value = json_number_value(instance);
    const json_t *limit;
    if ((limit = keywords->minimum) != NULL && json_is_number(limit) &&
        value < json_number_value(limit))
        return fail(validation, path, "must be at least %g", json_number_value(limit));
    if ((limit = keywords->maximum) != NULL && json_is_number(limit) &&
        value > json_number_value(limit))
        return fail(validation, path, "must be at most %g", json_number_value(limit));
    if ((limit = keywords->exclusive_minimum) != NULL && json_is_number(limit) &&
        value <= json_number_value(limit))
        return fail(validation, path, "must be greater than %g", json_number_value(limit));
    if ((limit = keywords->exclusive_maximum) != NULL && json_is_number(limit) &&
        value >= json_number_value(limit))
        return fail(validation, path, "must be less than %g", json_number_value(limit));
    return ASSAY_OK;
}

static int validate_object(struct validation *validation, const struct keywords *keywords,
                           const json_t *instance, const struct path *path, int depth)
{
    const json_t *properties = keywords->properties;
    const json_t *additional = keywords->additional;
    if (json_is_array(keywords->required)) {
        size_t index;
        const json_t *name;
        json_array_foreach(keywords->required, index, name)
        {
            if (json_is_string(name) &&
                json_object_get(instance, json_string_value(name)) == NULL) {
                struct path child = {path, json_string_value(name), 0};
                return fail(validation, &child, "is required");
            }
        }
    }
    if (properties == NULL && additional == NULL)
        return ASSAY_OK;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)instance, key, value)
    {
        const json_t *property =
            json_is_object(properties) ? json_object_get(properties, key) : NULL;
        if (property == NULL && !json_is_false(additional) && !json_is_object(additional))
            continue;
        struct path child = {path, key, 0};
        if (property != NULL) {
            int status = validate(validation, property, value, &child, depth + 1);
            if (status != ASSAY_OK)
                return status;
        } else if (json_is_false(additional)) {
            return fail(validation, &child, "is not an allowed property");
        } else {
            int status = validate(validation, additional, value, &child, depth + 1);
            if (status != ASSAY_OK)
                return status;
        }
    }
    return ASSAY_OK;
}

static int validate_array(struct validation *validation, const struct keywords *keywords,
                          const json_t *instance, const struct path *path, int depth)
{
    const json_t *limit;
    size_t size = json_array_size(instance);
    if ((limit = keywords->min_items) != NULL && json_is_integer(limit) &&
        (json_int_t)size < json_integer_value(limit))
        return fail(validation, path, "needs at least %lld items",
                    (long long)json_integer_value(limit));
    if ((limit = keywords->max_items) != NULL && json_is_integer(limit) &&
        (json_int_t)size > json_integer_value(limit))
        return fail(validation, path, "allows at most %lld items",
                    (long long)json_integer_value(limit));
    const json_t *items = keywords->items;
    if (items == NULL || json_is_array(items))
        return ASSAY_OK;
    size_t index;
    const json_t *value;
    json_array_foreach(instance, index, value)
    {
        struct path child = {path, NULL, index};
        int status = validate(validation, items, value, &child, depth + 1);
        if (status != ASSAY_OK)
            return status;
    }
    return ASSAY_OK;
}

static int validate_alternatives(struct validation *validation, const struct keywords *keywords,
                                 const json_t *instance, const struct path *path, int depth)
{
    size_t index;
    const json_t *branch;
    if (json_is_array(keywords->all)) {
        json_array_foreach(keywords->all, index, branch)
        {
            int status = validate(validation, branch, instance, path, depth + 1);
            if (status != ASSAY_OK)
                return status;
        }
    }
    for (int pass = 0; pass < 2; pass++) {
        const json_t *list = pass == 0 ? keywords->any : keywords->one;
        if (!json_is_array(list))
            continue;
        size_t matched = 0;
        json_array_foreach(list, index, branch)
        {
            struct validation quiet = {validation->root, NULL, 0};
            if (validate(&quiet, branch, instance, path, depth + 1) == ASSAY_OK)
                matched++;
        }
        if (matched == 0)
            return fail(validation, path, "matches none of the allowed forms");
        if (pass == 1 && matched > 1)
            return fail(validation, path, "matches more than one of the exclusive forms");
    }
    return ASSAY_OK;
}

static int validate(struct validation *validation, const json_t *schema, const json_t *instance,
                    const struct path *path, int depth)
{
    if (depth > MAX_DEPTH)
        return fail(validation, path, "schema nests deeper than %d levels", MAX_DEPTH);
    if (json_is_true(schema))
        return ASSAY_OK;
    if (json_is_false(schema))
        return fail(validation, path, "is not allowed");
    if (!json_is_object(schema))
        return ASSAY_OK;
    struct keywords keywords;
    collect_keywords(schema, &keywords);

    if (json_is_string(keywords.reference)) {
        const char *reference = json_string_value(keywords.reference);
        const json_t *target = resolve_reference(validation, reference);
        if (target == NULL)
            return fail(validation, path, "schema reference %s cannot be resolved", reference);
        int status = validate(validation, target, instance, path, depth + 1);
        if (status != ASSAY_OK)
            return status;
    }

    const json_t *type = keywords.type;
    if (json_is_string(type) && !matches_type(json_string_value(type), instance))
        return fail(validation, path, "expected %s, got %s", json_string_value(type),
                    type_name(instance));
    if (json_is_array(type)) {
        int matched = 0;
        size_t index;
        const json_t *name;
        json_array_foreach(type, index, name)
        {
            if (json_is_string(name) && matches_type(json_string_value(name), instance))
                matched = 1;
        }
        if (!matched)
            return fail(validation, path, "has type %s, which the schema does not allow",
                        type_name(instance));
    }

    if (keywords.constant != NULL && !json_equal(keywords.constant, instance))
        return fail(validation, path, "must equal the schema's const value");
    if (json_is_array(keywords.allowed)) {
        int found = 0;
        size_t index;
        const json_t *option;
        json_array_foreach(keywords.allowed, index, option)
        {
            if (json_equal(option, instance))
                found = 1;
        }
        if (!found)
            return fail(validation, path, "is not one of the allowed values");
    }

    int status = ASSAY_OK;
    if (json_is_object(instance))
        status = validate_object(validation, &keywords, instance, path, depth);
    else if (json_is_array(instance))
        status = validate_array(validation, &keywords, instance, path, depth);
    else if (json_is_number(instance))
        status = validate_number(validation, &keywords, instance, path);
    else if (json_is_string(instance) &&
             (keywords.min_length != NULL || keywords.max_length != NULL)) {
        size_t length = utf8_length(json_string_value(instance), json_string_length(instance));
        const json_t *limit;
        if ((limit = keywords.min_length) != NULL && json_is_integer(limit) &&
            (json_int_t)length < json_integer_value(limit))
            return fail(validation, path, "must be at least %lld characters long",
                        (long long)json_integer_value(limit));
        if ((limit = keywords.max_length) != NULL && json_is_integer(limit) &&
            (json_int_t)length > json_integer_value(limit))
            return fail(validation, path, "must be at most %lld characters long",
                        (long long)json_integer_value(limit));
    }
    if (status != ASSAY_OK)
        return status;
    if (keywords.any == NULL && keywords.one == NULL && keywords.all == NULL)
        return ASSAY_OK;
    return validate_alternatives(validation, &keywords, instance, path, depth);
}

int mcp__schema_validate(const json_t *schema, const json_t *instance, const char *path,
                         char *message, size_t message_size)
{
    struct validation validation = {schema, message, message_size};
    struct path root = {NULL, path, 0};
    if (message != NULL && message_size > 0)
        message[0] = '\0';
    return validate(&validation, schema, instance, &root, 0);
}
