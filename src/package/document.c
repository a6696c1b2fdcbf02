/* document.c — YAML (libyaml event API) and JSON to jansson, with locations.
 *
 * Locations live in a hash table keyed by node address: nodes are never
 * moved by jansson, and the table only answers for nodes this loader
 * created. Cost: one small entry per node, which for hand-written package
 * files (kilobytes) is noise. */
#include "package/document.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/buffer.h"
#include "core/memory.h"
#include "jsonrpc/json_strict.h"

#define DOCUMENT_MAX_BYTES (16u << 20)
#define DOCUMENT_MAX_DEPTH 64

struct location {
    const json_t *node;
    int line, column;
};

struct anchor {
    char *name;
    json_t *value;
};

struct document {
    char *name;
    json_t *root;
    struct location *locations; /* open addressing, capacity a power of two */
    size_t location_count, location_capacity;
    struct anchor *anchors;
    size_t anchor_count;
};

static size_t hash_pointer(const void *pointer)
{
    uintptr_t value = (uintptr_t)pointer;
    value ^= value >> 33;
    value *= 0xff51afd7ed558ccdULL;
    value ^= value >> 33;
    return (size_t)value;
}

static int location_put(struct document *document, const json_t *node, int line, int column)
{
    if ((document->location_count + 1) * 2 > document->location_capacity) {
        size_t capacity = document->location_capacity ? document->location_capacity * 2 : 64;
        struct location *table = assay_calloc(capacity, sizeof *table);
        if (table == NULL)
            return ASSAY_ERR_NOMEM;
        for (size_t index = 0; index < document->location_capacity; index++) {
            struct location *entry = &document->locations[index];
            if (entry->node == NULL)
                continue;
            size_t slot = hash_pointer(entry->node) & (capacity - 1);
            while (table[slot].node != NULL)
                slot = (slot + 1) & (capacity - 1);
            table[slot] = *entry;
        }
        assay_free(document->locations);
        document->locations = table;
        document->location_capacity = capacity;
    }
    size_t slot = hash_pointer(node) & (document->location_capacity - 1);
    while (document->locations[slot].node != NULL && document->locations[slot].node != node)
        slot = (slot + 1) & (document->location_capacity - 1);
    if (document->locations[slot].node == NULL)
        document->location_count++;
    document->locations[slot] = (struct location){node, line, column};
    return ASSAY_OK;
}

int document_line_of(const struct document *document, const json_t *node, int *column)
{
    if (document == NULL || node == NULL || document->location_capacity == 0)
        return 0;
    size_t slot = hash_pointer(node) & (document->location_capacity - 1);
    while (document->locations[slot].node != NULL) {
        if (document->locations[slot].node == node) {
            if (column != NULL)
                *column = document->locations[slot].column;
            return document->locations[slot].line;
        }
        slot = (slot + 1) & (document->location_capacity - 1);
    }
    return 0;
}

json_t *document_root(const struct document *document) { return document->root; }
const char *document_name(const struct document *document) { return document->name; }

void document_free(struct document *document)
{
    if (document == NULL)
        return;
    json_decref(document->root);
    for (size_t index = 0; index < document->anchor_count; index++) {
        assay_free(document->anchors[index].name);
        json_decref(document->anchors[index].value);
    }
    assay_free(document->anchors);
    assay_free(document->locations);
    assay_free(document->name);
    assay_free(document);
}

int document_error(const struct document *document, const json_t *node, const char *field,
                   struct assay_error *error, int status, const char *format, ...)
{
    char message[200];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    int line = document_line_of(document, node, NULL);
    const char *name = document != NULL ? document->name : "(input)";
    if (line > 0)
        return assay_error_set(error, status, "%s:%d: %s: %s", name, line, field, message);
    return assay_error_set(error, status, "%s: %s: %s", name, field, message);
}

/* ---- YAML scalars (core schema) ------------------------------------------- */

static int matches_any(const char *text, const char *const *words)
{
    for (; *words != NULL; words++)
        if (strcmp(text, *words) == 0)
            return 1;
    return 0;
}

static json_t *plain_scalar(const char *text, size_t length)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    if (strlen(text) != length) /* embedded NUL: keep it a string jansson will refuse */
        return json_stringn(text, length);
    if (matches_any(text, nulls))
        return json_null();
    if (matches_any(text, trues))
        return json_true();
    if (matches_any(text, falses))
        return json_false();
    const char *digits = text + (text[0] == '-' || text[0] == '+');
    if (*digits >= '0' && *digits <= '9') {
        char *end = NULL;
        errno = 0;
        long long integer = strtoll(text, &end, 10);
        if (*end == '\0' && errno == 0)
            return json_integer(integer);
        errno = 0;
        double real = strtod(text, &end);
        if (*end == '\0' && errno == 0 && isfinite(real) && strpbrk(text, "xXpP") == NULL)
            return json_real(real);
    }
    return json_stringn(text, length);
}

/* ---- YAML events to a tree -------------------------------------------------- */

struct builder {
    struct document *document;
    yaml_parser_t parser;
    struct assay_error *error;
    int depth;
};

static int parse_node(struct builder *builder, yaml_event_t *event, json_t **out);

static int builder_fail(struct builder *builder, const yaml_mark_t *mark, const char *message)
{
    return assay_error_set(builder->error, ASSAY_ERR_INVALID, "%s:%zu:%zu: %s",
                           builder->document->name, mark->line + 1, mark->column + 1, message);
}

static int next_event(struct builder *builder, yaml_event_t *event)
{
    if (!yaml_parser_parse(&builder->parser, event)) {
        const char *problem = builder->parser.problem ? builder->parser.problem : "syntax error";
        return assay_error_set(builder->error, ASSAY_ERR_INVALID, "%s:%zu:%zu: YAML syntax error: %s",
                               builder->document->name, builder->parser.problem_mark.line + 1,
                               builder->parser.problem_mark.column + 1, problem);
    }
    return ASSAY_OK;
}

static int remember_anchor(struct builder *builder, const yaml_char_t *anchor, json_t *value)
{
    if (anchor == NULL)
        return ASSAY_OK;
    struct document *document = builder->document;
    struct anchor *anchors =
        assay_realloc(document->anchors, (document->anchor_count + 1) * sizeof *anchors);
    if (anchors == NULL)
        return ASSAY_ERR_NOMEM;
    document->anchors = anchors;
    anchors[document->anchor_count].name = assay_strdup((const char *)anchor);
    if (anchors[document->anchor_count].name == NULL)
        return ASSAY_ERR_NOMEM;
    anchors[document->anchor_count].value = json_incref(value);
    document->anchor_count++;
    return ASSAY_OK;
}

static int parse_mapping(struct builder *builder, json_t *object)
{
    for (;;) {
        yaml_event_t key_event;
        int status = next_event(builder, &key_event);
        if (status != ASSAY_OK)
            return status;
        if (key_event.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&key_event);
            return ASSAY_OK;
        }
        if (key_event.type != YAML_SCALAR_EVENT) {
            status = builder_fail(builder, &key_event.start_mark, "mapping keys must be plain text");
            yaml_event_delete(&key_event);
            return status;
        }
        char *key = assay_strndup((const char *)key_event.data.scalar.value,
                                  key_event.data.scalar.length);
        yaml_mark_t key_mark = key_event.start_mark;
        yaml_event_delete(&key_event);
        if (key == NULL)
            return ASSAY_ERR_NOMEM;
        if (strcmp(key, "<<") == 0) {
            assay_free(key);
            return builder_fail(builder, &key_mark, "merge keys (<<) are not supported; write the fields out");
        }
        if (json_object_get(object, key) != NULL) {
            char message[160];
            snprintf(message, sizeof message, "duplicate key '%.100s'", key);
            assay_free(key);
            return builder_fail(builder, &key_mark, message);
        }
        yaml_event_t value_event;
        status = next_event(builder, &value_event);
        json_t *value = NULL;
        if (status == ASSAY_OK)
            status = parse_node(builder, &value_event, &value);
        if (status == ASSAY_OK && json_object_set_new(object, key, value) != 0)
            status = builder_fail(builder, &key_mark, "key is not valid UTF-8");
        assay_free(key);
        if (status != ASSAY_OK)
            return status;
    }
}

static int parse_sequence(struct builder *builder, json_t *array)
{
    for (;;) {
        yaml_event_t event;
        int status = next_event(builder, &event);
        if (status != ASSAY_OK)
            return status;
        if (event.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&event);
            return ASSAY_OK;
        }
        json_t *value = NULL;
        status = parse_node(builder, &event, &value);
        if (status != ASSAY_OK)
            return status;
        json_array_append_new(array, value);
    }
}

/* Consumes *event. */
static int parse_node(struct builder *builder, yaml_event_t *event, json_t **out)
{
    int status = ASSAY_OK;
    json_t *value = NULL;
    yaml_mark_t mark = event->start_mark;
    const yaml_char_t *tag = NULL;
    const yaml_char_t *anchor = NULL;
    *out = NULL;
    switch (event->type) {
    case YAML_SCALAR_EVENT: {
        tag = event->data.scalar.tag;
        anchor = event->data.scalar.anchor;
        const char *text = (const char *)event->data.scalar.value;
        size_t length = event->data.scalar.length;
        if (tag != NULL && strcmp((const char *)tag, "tag:yaml.org,2002:str") != 0 &&
            strcmp((const char *)tag, "!") != 0) {
            status = builder_fail(builder, &mark, "custom YAML tags are not supported");
            break;
        }
        value = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && tag == NULL
                    ? plain_scalar(text, length)
                    : json_stringn(text, length);
        if (value == NULL)
            status = builder_fail(builder, &mark, "text is not valid UTF-8");
        break;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int mapping = event->type == YAML_MAPPING_START_EVENT;
        anchor = mapping ? event->data.mapping_start.anchor : event->data.sequence_start.anchor;
        if (++builder->depth > DOCUMENT_MAX_DEPTH) {
            status = builder_fail(builder, &mark, "nested deeper than 64 levels");
            break;
        }
        value = mapping ? json_object() : json_array();
        if (value == NULL) {
            status = ASSAY_ERR_NOMEM;
            break;
        }
        /* record before descending so the anchor can be stored after */
        status = location_put(builder->document, value, (int)mark.line + 1, (int)mark.column + 1);
        if (status == ASSAY_OK) {
            /* copy the anchor name: the event is deleted before we use it */
            char *anchor_copy = anchor != NULL ? assay_strdup((const char *)anchor) : NULL;
            yaml_event_delete(event);
            status = mapping ? parse_mapping(builder, value) : parse_sequence(builder, value);
            builder->depth--;
            if (status == ASSAY_OK)
                status = remember_anchor(builder, (const yaml_char_t *)anchor_copy, value);
            assay_free(anchor_copy);
            if (status != ASSAY_OK) {
                json_decref(value);
                return status;
            }
            *out = value;
            return ASSAY_OK;
        }
        break;
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)event->data.alias.anchor;
        for (size_t index = builder->document->anchor_count; index-- > 0;)
            if (strcmp(builder->document->anchors[index].name, name) == 0) {
                value = json_deep_copy(builder->document->anchors[index].value);
                break;
            }
        if (value == NULL)
            status = builder_fail(builder, &mark, "alias names an unknown anchor");
        break;
    }
    default:
        status = builder_fail(builder, &mark, "unexpected YAML structure");
        break;
    }
    if (status == ASSAY_OK && value != NULL && !json_is_object(value) && !json_is_array(value))
        status = location_put(builder->document, value, (int)mark.line + 1, (int)mark.column + 1);
    if (status == ASSAY_OK && event->type == YAML_SCALAR_EVENT)
        status = remember_anchor(builder, anchor, value);
    yaml_event_delete(event);
    if (status != ASSAY_OK) {
        json_decref(value);
        return status;
    }
    *out = value;
    return ASSAY_OK;
}

static int parse_yaml(struct document *document, const char *text, size_t length,
                      struct assay_error *error)
{
    struct builder builder = {.document = document, .error = error};
    if (!yaml_parser_initialize(&builder.parser))
        return ASSAY_ERR_NOMEM;
    yaml_parser_set_input_string(&builder.parser, (const unsigned char *)text, length);
    int status = ASSAY_OK;
    int documents = 0;
    for (;;) {
        yaml_event_t event;
        status = next_event(&builder, &event);
        if (status != ASSAY_OK)
            break;
        yaml_event_type_t type = event.type;
        if (type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&event);
            break;
        }
        if (type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&event);
            continue;
        }
        if (type == YAML_DOCUMENT_START_EVENT) {
            if (++documents > 1) {
                status = builder_fail(&builder, &event.start_mark,
                                      "one YAML document per file (found a second '---')");
                yaml_event_delete(&event);
                break;
            }
            yaml_event_delete(&event);
            continue;
        }
        status = parse_node(&builder, &event, &document->root);
        if (status != ASSAY_OK)
            break;
    }
    yaml_parser_delete(&builder.parser);
    if (status == ASSAY_OK && document->root == NULL)
        status = assay_error_set(error, ASSAY_ERR_INVALID, "%s: the file is empty", document->name);
    return status;
}

/* JSON files: strict parse, then locations from a second light pass are not
 * available from jansson, so JSON nodes carry no line; errors fall back to
 * the field path, which still names the problem exactly. */
static int parse_json(struct document *document, const char *text, size_t length,
                      struct assay_error *error)
{
    struct assay_error detail = {0};
    document->root = json_strict_parse(text, length, DOCUMENT_MAX_DEPTH, &detail);
    if (document->root == NULL)
        return assay_error_set(error, ASSAY_ERR_INVALID, "%s: %s", document->name, detail.message);
    return ASSAY_OK;
}

int document_parse(const char *name, const char *text, size_t length, struct document **out,
                   struct assay_error *error)
{
    *out = NULL;
    if (length > DOCUMENT_MAX_BYTES)
        return assay_error_set(error, ASSAY_ERR_LIMIT, "%s: larger than the 16 MiB limit", name);
    struct document *document = assay_calloc(1, sizeof *document);
    if (document == NULL)
        return ASSAY_ERR_NOMEM;
    document->name = assay_strdup(name);
    if (document->name == NULL) {
        document_free(document);
        return ASSAY_ERR_NOMEM;
    }
    size_t name_length = strlen(name);
    int is_json = name_length > 5 && strcmp(name + name_length - 5, ".json") == 0;
    int status = is_json ? parse_json(document, text, length, error)
                         : parse_yaml(document, text, length, error);
    if (status != ASSAY_OK) {
        document_free(document);
        return status;
    }
    *out = document;
    return ASSAY_OK;
}

int document_load(const char *file, struct document **out, struct assay_error *error)
{
    *out = NULL;
    FILE *stream = fopen(file, "rb");
    if (stream == NULL)
        return assay_error_set(error, ASSAY_ERR_NOT_FOUND, "%s: cannot open: %s", file,
                               strerror(errno));
    struct buffer content = {0};
    char chunk[65536];
    size_t count;
    int status = ASSAY_OK;
    while ((count = fread(chunk, 1, sizeof chunk, stream)) > 0) {
        if (content.length + count > DOCUMENT_MAX_BYTES) {
            status = assay_error_set(error, ASSAY_ERR_LIMIT, "%s: larger than the 16 MiB limit", file);
            break;
        }
        if ((status = buffer_append(&content, chunk, count)) != ASSAY_OK)
            break;
    }
    if (status == ASSAY_OK && ferror(stream))
        status = assay_error_set(error, ASSAY_ERR_IO, "%s: read error", file);
    fclose(stream);
    if (status == ASSAY_OK)
        status = document_parse(file, content.data != NULL ? content.data : "", content.length, out,
                                error);
    buffer_free(&content);
    return status;
}
