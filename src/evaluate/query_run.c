/* query_run.c — evaluation of parsed queries and paths over borrowed JSON
 * trees, and removal of what a path selects (for state hashing).
 *
 * A path is evaluated breadth-first: the list of values reached so far is
 * mapped through each segment. The lists hold borrowed pointers, so the
 * cost is one pointer per reached value and no copying of the trees.
 * Filters re-enter the expression evaluator with the element as the
 * current value; the parser's depth limit bounds that recursion. */
#include <assert.h>
#include <string.h>

#include "core/memory.h"
#include "evaluate/internal.h"
#include "evaluate/query_internal.h"

/* How many matched values an explanation quotes before "...". */
#define EXPLAIN_VALUES 3

void evaluate__node_list_release(struct evaluate__node_list *list)
{
    assay_free(list->items);
    memset(list, 0, sizeof *list);
}

static int node_list_push(struct evaluate__node_list *list, const json_t *value)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 8 : list->capacity * 2;
        const json_t **grown = assay_realloc(list->items, capacity * sizeof *grown);
        if (grown == NULL)
            return ASSAY_ERR_NOMEM;
        list->items = grown;
        list->capacity = capacity;
    }
    list->items[list->count++] = value;
    return ASSAY_OK;
}

static int evaluate_expression(const struct evaluate__expression *expression,
                               const struct evaluate_query_roots *roots, const json_t *current,
                               int *truth);

/* Children of an array or the member values of an object, in order. */
static int for_each_child(const json_t *node, int (*visit)(const json_t *, void *), void *context)
{
    int status = ASSAY_OK;
    if (json_is_array(node)) {
        for (size_t index = 0; index < json_array_size(node) && status == ASSAY_OK; index++)
            status = visit(json_array_get(node, index), context);
    } else if (json_is_object(node)) {
        const char *key;
        json_t *value;
        json_object_foreach((json_t *)node, key, value)
        {
            status = visit(value, context);
            if (status != ASSAY_OK)
                break;
        }
    }
    return status;
}

struct child_visit {
    const struct evaluate__segment *segment;
    const struct evaluate_query_roots *roots;
    struct evaluate__node_list *out;
};

static int visit_child(const json_t *child, void *context)
{
    struct child_visit *visit = context;
    if (visit->segment->kind == EVALUATE__SEGMENT_WILDCARD)
        return node_list_push(visit->out, child);
    int truth = 0;
    int status = evaluate_expression(visit->segment->filter, visit->roots, child, &truth);
    if (status == ASSAY_OK && truth)
        status = node_list_push(visit->out, child);
    return status;
}

/* Resolves a possibly negative index against an array of `size`. */
static int resolve_index(json_int_t index, size_t size, size_t *resolved)
{
    if (index < 0) {
        if ((size_t)(-(index + 1)) >= size)
            return 0;
        *resolved = size - (size_t)(-(index + 1)) - 1;
        return 1;
    }
    if ((size_t)index >= size)
        return 0;
    *resolved = (size_t)index;
    return 1;
}

static int apply_segment(const struct evaluate__segment *segment,
                         const struct evaluate_query_roots *roots, const json_t *node,
                         struct evaluate__node_list *out)
{
    switch (segment->kind) {
    case EVALUATE__SEGMENT_KEY: {
        const json_t *value = json_is_object(node) ? json_object_get(node, segment->key) : NULL;
        return value != NULL ? node_list_push(out, value) : ASSAY_OK;
    }
    case EVALUATE__SEGMENT_INDEX: {
        size_t index;
        if (json_is_array(node) && resolve_index(segment->index, json_array_size(node), &index))
            return node_list_push(out, json_array_get(node, index));
        return ASSAY_OK;
    }
    case EVALUATE__SEGMENT_WILDCARD:
    case EVALUATE__SEGMENT_FILTER: {
        struct child_visit visit = {segment, roots, out};
        return for_each_child(node, visit_child, &visit);
    }
    }
    return ASSAY_OK;
}

static const json_t *root_of(const struct evaluate_path *path,
                             const struct evaluate_query_roots *roots, const json_t *current)
{
    switch (path->root) {
    case EVALUATE__ROOT_STATE:
        return roots->state;
    case EVALUATE__ROOT_INITIAL:
        return roots->initial;
    case EVALUATE__ROOT_DIFF:
        return roots->diff;
    case EVALUATE__ROOT_CURRENT:
        return current;
    }
    return NULL;
}

int evaluate__path_select(const struct evaluate_path *path, size_t segment_count,
                          const struct evaluate_query_roots *roots, const json_t *current,
                          struct evaluate__node_list *out)
{
    assert(segment_count <= path->segment_count);
    const json_t *root = root_of(path, roots, current);
    if (root == NULL)
        return ASSAY_OK;
    struct evaluate__node_list reached = {0}, next = {0};
    int status = node_list_push(&reached, root);
    for (size_t segment = 0; segment < segment_count && status == ASSAY_OK; segment++) {
        next.count = 0;
        for (size_t index = 0; index < reached.count && status == ASSAY_OK; index++)
            status = apply_segment(&path->segments[segment], roots, reached.items[index], &next);
        struct evaluate__node_list swap = reached;
        reached = next;
        next = swap;
    }
    for (size_t index = 0; index < reached.count && status == ASSAY_OK; index++)
        status = node_list_push(out, reached.items[index]);
    evaluate__node_list_release(&reached);
    evaluate__node_list_release(&next);
    return status;
}

static int strings_compare(const json_t *left, const json_t *right)
{
    size_t left_length = json_string_length(left), right_length = json_string_length(right);
    size_t common = left_length < right_length ? left_length : right_length;
    int order = memcmp(json_string_value(left), json_string_value(right), common);
    if (order != 0)
        return order;
    return left_length < right_length ? -1 : left_length > right_length;
}

static int numbers_compare(const json_t *left, const json_t *right)
{
    if (json_is_integer(left) && json_is_integer(right)) {
        json_int_t a = json_integer_value(left), b = json_integer_value(right);
        return a < b ? -1 : a > b;
    }
    double a = json_number_value(left), b = json_number_value(right);
    return a < b ? -1 : a > b;
}

static int ordered(const json_t *value, enum evaluate__comparison comparison, const json_t *literal)
{
    int order;
    if (json_is_number(value) && json_is_number(literal))
        order = numbers_compare(value, literal);
    else if (json_is_string(value) && json_is_string(literal))
        order = strings_compare(value, literal);
    else
        return 0; /* mixed types have no order */
    switch (comparison) {
    case EVALUATE__COMPARE_LESS:
        return order < 0;
    case EVALUATE__COMPARE_LESS_EQUAL:
        return order <= 0;
    case EVALUATE__COMPARE_GREATER:
        return order > 0;
    case EVALUATE__COMPARE_GREATER_EQUAL:
        return order >= 0;
    default:
        return 0;
    }
}

static int contains(const json_t *value, const json_t *literal)
{
    if (json_is_string(value) && json_is_string(literal))
        return evaluate__contains_ignoring_case(json_string_value(value), json_string_length(value),
                                                json_string_value(literal),
                                                json_string_length(literal));
    if (json_is_array(value)) {
        for (size_t index = 0; index < json_array_size(value); index++)
            if (evaluate__values_equal(json_array_get(value, index), literal))
                return 1;
        return 0;
    }
    if (json_is_object(value) && json_is_string(literal))
        return json_object_get(value, json_string_value(literal)) != NULL;
    return 0;
}

static int compare(const json_t *value, enum evaluate__comparison comparison, const json_t *literal)
{
    switch (comparison) {
    case EVALUATE__COMPARE_EQUAL:
        return evaluate__values_equal(value, literal);
    case EVALUATE__COMPARE_NOT_EQUAL:
        return !evaluate__values_equal(value, literal);
    case EVALUATE__COMPARE_CONTAINS:
        return contains(value, literal);
    default:
        return ordered(value, comparison, literal);
    }
}

/* The count of a path: a projecting path counts the values it matched; a
 * plain path counts the elements (members) of the one value it names. */
static json_int_t count_of(const struct evaluate_path *path, const struct evaluate__node_list *list)
{
    if (path->projecting)
        return (json_int_t)list->count;
    if (list->count == 0)
        return 0;
    const json_t *value = list->items[0];
    if (json_is_array(value))
        return (json_int_t)json_array_size(value);
    if (json_is_object(value))
        return (json_int_t)json_object_size(value);
    return json_is_null(value) ? 0 : 1;
}

static int explain_predicate(const struct evaluate__expression *expression,
                             const struct evaluate_query_roots *roots, const json_t *current,
                             const struct evaluate__node_list *list, json_int_t count,
                             const char *source, struct buffer *explanation)
{
    int status = ASSAY_OK;
    if (explanation->length > 0)
        status = buffer_append_string(explanation, "; ");
    if (status == ASSAY_OK)
        status = buffer_append_format(explanation, "%.*s: ", (int)expression->source_length,
                                      source + expression->source_start);
    if (status != ASSAY_OK)
        return status;
    const struct evaluate_path *path = &expression->path;
    if (root_of(path, roots, current) == NULL) {
        const char *missing = path->root == EVALUATE__ROOT_INITIAL ? "no initial snapshot"
                              : path->root == EVALUATE__ROOT_DIFF
                                  ? "no diff (the episode has no initial snapshot or final state)"
                                  : "no final state";
        return buffer_append_string(explanation, missing);
    }
    if (expression->kind == EVALUATE__EXPRESSION_COUNT)
        return buffer_append_format(explanation, "count is %lld", (long long)count);
    if (list->count == 0)
        return buffer_append_string(explanation,
                                    path->projecting ? "matched nothing" : "not found");
    if (!path->projecting) {
        status = buffer_append_string(explanation, "value is ");
        return status == ASSAY_OK ? evaluate__describe_value(list->items[0], explanation) : status;
    }
    status = buffer_append_format(explanation, "matched %zu value%s: ", list->count,
                                  list->count == 1 ? "" : "s");
    for (size_t index = 0; index < list->count && index < EXPLAIN_VALUES && status == ASSAY_OK;
         index++) {
        if (index > 0)
            status = buffer_append_string(explanation, ", ");
        if (status == ASSAY_OK)
            status = evaluate__describe_value(list->items[index], explanation);
    }
    if (status == ASSAY_OK && list->count > EXPLAIN_VALUES)
        status = buffer_append_string(explanation, ", ...");
    return status;
}

/* The source text explanations quote; set by evaluate_query_run for the
 * top level, where explanation is not NULL. */
struct explained {
    struct buffer *buffer;
    const char *source;
};

static int evaluate_predicate(const struct evaluate__expression *expression,
                              const struct evaluate_query_roots *roots, const json_t *current,
                              int *truth, const struct explained *explained)
{
    struct evaluate__node_list list = {0};
    int status = evaluate__path_select(&expression->path, expression->path.segment_count, roots,
                                       current, &list);
    if (status != ASSAY_OK)
        goto done;
    json_int_t count = 0;
    *truth = 0;
    switch (expression->kind) {
    case EVALUATE__EXPRESSION_EXISTS:
        *truth = list.count > 0;
        break;
    case EVALUATE__EXPRESSION_COUNT: {
        count = count_of(&expression->path, &list);
        json_t *counted = json_integer(count);
        if (counted == NULL) {
            status = ASSAY_ERR_NOMEM;
            goto done;
        }
        *truth = compare(counted, expression->comparison, expression->literal);
        json_decref(counted);
        break;
    }
    default:
        for (size_t index = 0; index < list.count && !*truth; index++)
            *truth = compare(list.items[index], expression->comparison, expression->literal);
        break;
    }
    if (explained != NULL && explained->buffer != NULL)
        status = explain_predicate(expression, roots, current, &list, count, explained->source,
                                   explained->buffer);
done:
    evaluate__node_list_release(&list);
    return status;
}

static int evaluate_node(const struct evaluate__expression *expression,
                         const struct evaluate_query_roots *roots, const json_t *current,
                         int *truth, const struct explained *explained)
{
    int status;
    switch (expression->kind) {
    case EVALUATE__EXPRESSION_OR:
    case EVALUATE__EXPRESSION_AND:
        status = evaluate_node(expression->left, roots, current, truth, explained);
        if (status != ASSAY_OK)
            return status;
        /* short-circuit: the explanation then names only what decided */
        if (*truth == (expression->kind == EVALUATE__EXPRESSION_OR))
            return ASSAY_OK;
        return evaluate_node(expression->right, roots, current, truth, explained);
    case EVALUATE__EXPRESSION_NOT:
        status = evaluate_node(expression->left, roots, current, truth, explained);
        *truth = !*truth;
        return status;
    default:
        return evaluate_predicate(expression, roots, current, truth, explained);
    }
}

/* Filters: no explanation, the element is the current value. */
static int evaluate_expression(const struct evaluate__expression *expression,
                               const struct evaluate_query_roots *roots, const json_t *current,
                               int *truth)
{
    return evaluate_node(expression, roots, current, truth, NULL);
}

int evaluate_query_run(const struct evaluate_query *query, const struct evaluate_query_roots *roots,
                       int *truth, struct buffer *explanation)
{
    struct explained explained = {explanation, query->text};
    *truth = 0;
    return evaluate_node(query->root, roots, NULL, truth, &explained);
}

struct removal {
    const struct evaluate__segment *segment;
    const struct evaluate_query_roots *roots;
};

static int remove_from(json_t *parent, const struct removal *removal)
{
    const struct evaluate__segment *segment = removal->segment;
    switch (segment->kind) {
    case EVALUATE__SEGMENT_KEY:
        if (json_is_object(parent))
            json_object_del(parent, segment->key);
        return ASSAY_OK;
    case EVALUATE__SEGMENT_INDEX: {
        size_t index;
        if (json_is_array(parent) && resolve_index(segment->index, json_array_size(parent), &index))
            json_array_remove(parent, index);
        return ASSAY_OK;
    }
    case EVALUATE__SEGMENT_WILDCARD:
        if (json_is_array(parent))
            json_array_clear(parent);
        else if (json_is_object(parent))
            json_object_clear(parent);
        return ASSAY_OK;
    case EVALUATE__SEGMENT_FILTER:
        break;
    }
    /* Decide for every child first, then delete: a filter must not see a
     * half-pruned parent. */
    int status = ASSAY_OK;
    if (json_is_array(parent)) {
        size_t size = json_array_size(parent);
        unsigned char *doomed = assay_calloc(size == 0 ? 1 : size, 1);
        if (doomed == NULL)
            return ASSAY_ERR_NOMEM;
        for (size_t index = 0; index < size && status == ASSAY_OK; index++) {
            int truth = 0;
            status = evaluate_expression(segment->filter, removal->roots,
                                         json_array_get(parent, index), &truth);
            doomed[index] = (unsigned char)truth;
        }
        for (size_t index = size; index > 0 && status == ASSAY_OK; index--)
            if (doomed[index - 1])
                json_array_remove(parent, index - 1);
        assay_free(doomed);
        return status;
    }
    if (json_is_object(parent)) {
        size_t size = json_object_size(parent);
        unsigned char *doomed = assay_calloc(size == 0 ? 1 : size, 1);
        if (doomed == NULL)
            return ASSAY_ERR_NOMEM;
        const char *key;
        json_t *value;
        void *scratch;
        size_t index = 0;
        json_object_foreach(parent, key, value)
        {
            int truth = 0;
            status = evaluate_expression(segment->filter, removal->roots, value, &truth);
            if (status != ASSAY_OK)
                break;
            doomed[index++] = (unsigned char)truth;
        }
        index = 0;
        if (status == ASSAY_OK)
            json_object_foreach_safe(parent, scratch, key, value) if (doomed[index++])
                json_object_del(parent, key);
        assay_free(doomed);
    }
    return status;
}

int evaluate__path_remove(json_t *root, const struct evaluate_path *path)
{
    assert(path->root == EVALUATE__ROOT_STATE && path->segment_count > 0);
    struct evaluate_query_roots roots = {root, NULL, NULL};
    struct evaluate__node_list parents = {0};
    int status = evaluate__path_select(path, path->segment_count - 1, &roots, NULL, &parents);
    struct removal removal = {&path->segments[path->segment_count - 1], &roots};
    /* All parents are reached by the same number of steps from the root of
     * a tree without shared nodes (a deep copy), so none contains another
     * and deleting under one cannot free another. */
    for (size_t index = 0; index < parents.count && status == ASSAY_OK; index++)
        status = remove_from((json_t *)parents.items[index], &removal);
    evaluate__node_list_release(&parents);
    return status;
}
