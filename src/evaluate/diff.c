/* diff.c — the state diff described in state.h.
 *
 * Costs: objects are walked key by key, O(size) plus the cost of equality
 * tests at changed places. Arrays matched by "id" cost O(n + m) with a
 * jansson object as the index; arrays without ids cost O(n·m) equality
 * tests for the part between their common prefix and suffix, bounded by
 * EVALUATE_DIFF_MAX_CELLS, past which elements are matched by position.
 * Everything the diff reports is a deep copy, so the diff never shares
 * (or bumps the reference counts of) the caller's trees. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"
#include "evaluate/internal.h"

struct changes {
    json_t *added;
    json_t *updated;
    json_t *deleted;
    json_t *previous;
};

static void changes_release(struct changes *changes)
{
    json_decref(changes->added);
    json_decref(changes->updated);
    json_decref(changes->deleted);
    json_decref(changes->previous);
    memset(changes, 0, sizeof *changes);
}

/* Sets key in *slot (created on first use); consumes value. */
static int put_member(json_t **slot, const char *key, json_t *value)
{
    if (value == NULL)
        return ASSAY_ERR_NOMEM;
    if (*slot == NULL && (*slot = json_object()) == NULL) {
        json_decref(value);
        return ASSAY_ERR_NOMEM;
    }
    return json_object_set_new(*slot, key, value) == 0 ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

/* Appends to *slot (created on first use); consumes value. */
static int put_element(json_t **slot, json_t *value)
{
    if (value == NULL)
        return ASSAY_ERR_NOMEM;
    if (*slot == NULL && (*slot = json_array()) == NULL) {
        json_decref(value);
        return ASSAY_ERR_NOMEM;
    }
    return json_array_append_new(*slot, value) == 0 ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static json_t *copy(const json_t *value)
{
    return json_deep_copy(value);
}

static int diff_value(const json_t *before, const json_t *after, struct changes *out);

static int diff_objects(const json_t *before, const json_t *after, struct changes *out)
{
    const char *key;
    json_t *value;
    int status = ASSAY_OK;
    json_object_foreach((json_t *)after, key, value)
    {
        const json_t *old = json_object_get(before, key);
        if (old == NULL) {
            status = put_member(&out->added, key, copy(value));
        } else {
            struct changes inner = {0};
            status = diff_value(old, value, &inner);
            if (status == ASSAY_OK && inner.added != NULL) {
                status = put_member(&out->added, key, inner.added);
                inner.added = NULL;
            }
            if (status == ASSAY_OK && inner.updated != NULL) {
                status = put_member(&out->updated, key, inner.updated);
                inner.updated = NULL;
            }
            if (status == ASSAY_OK && inner.deleted != NULL) {
                status = put_member(&out->deleted, key, inner.deleted);
                inner.deleted = NULL;
            }
            if (status == ASSAY_OK && inner.previous != NULL) {
                status = put_member(&out->previous, key, inner.previous);
                inner.previous = NULL;
            }
            changes_release(&inner);
        }
        if (status != ASSAY_OK)
            return status;
    }
    json_object_foreach((json_t *)before, key, value)
    {
        if (json_object_get(after, key) == NULL) {
            status = put_member(&out->deleted, key, copy(value));
            if (status != ASSAY_OK)
                return status;
        }
    }
    return ASSAY_OK;
}

static int same_container_kind(const json_t *left, const json_t *right)
{
    return (json_is_object(left) && json_is_object(right)) ||
           (json_is_array(left) && json_is_array(right));
}

/* A matched pair of elements: nothing when equal, else the whole new
 * element in "updated" and the old one in "previous". */
static int record_pair(const json_t *before, const json_t *after, struct changes *out)
{
    if (evaluate__values_equal(before, after))
        return ASSAY_OK;
    int status = put_element(&out->updated, copy(after));
    if (status == ASSAY_OK)
        status = put_element(&out->previous, copy(before));
    return status;
}

/* The key an element is indexed by: "s:" or "i:" keeps the string "1"
 * and the integer 1 apart. 0 when the element has no usable id. */
static int identity_key(const json_t *element, char *key, size_t size)
{
    const json_t *id = json_is_object(element) ? json_object_get(element, "id") : NULL;
    if (json_is_integer(id)) {
        snprintf(key, size, "i:%lld", (long long)json_integer_value(id));
        return 1;
    }
    if (json_is_string(id) && json_string_length(id) < size - 3 &&
        strlen(json_string_value(id)) == json_string_length(id)) {
        snprintf(key, size, "s:%s", json_string_value(id));
        return 1;
    }
    return 0;
}

/* Builds id → index for array; 0 (and no index) when some element has no
 * usable id or two share one. */
static int index_by_identity(const json_t *array, json_t **index, int *status)
{
    char key[256];
    *index = json_object();
    if (*index == NULL) {
        *status = ASSAY_ERR_NOMEM;
        return 0;
    }
    for (size_t position = 0; position < json_array_size(array); position++) {
        if (!identity_key(json_array_get(array, position), key, sizeof key) ||
            json_object_get(*index, key) != NULL)
            goto unusable;
        if (json_object_set_new(*index, key, json_integer((json_int_t)position)) != 0) {
            *status = ASSAY_ERR_NOMEM;
            goto unusable;
        }
    }
    return 1;
unusable:
    json_decref(*index);
    *index = NULL;
    return 0;
}

static int diff_arrays_by_identity(const json_t *before, const json_t *after,
                                   const json_t *before_index, struct changes *out)
{
    char key[256];
    size_t before_size = json_array_size(before);
    unsigned char *matched = assay_calloc(before_size == 0 ? 1 : before_size, 1);
    if (matched == NULL)
        return ASSAY_ERR_NOMEM;
    int status = ASSAY_OK;
    for (size_t position = 0; position < json_array_size(after) && status == ASSAY_OK; position++) {
        const json_t *element = json_array_get(after, position);
        identity_key(element, key, sizeof key);
        const json_t *found = json_object_get(before_index, key);
        if (found == NULL) {
            status = put_element(&out->added, copy(element));
            continue;
        }
        size_t old_position = (size_t)json_integer_value(found);
        matched[old_position] = 1;
        status = record_pair(json_array_get(before, old_position), element, out);
    }
    for (size_t position = 0; position < before_size && status == ASSAY_OK; position++)
        if (!matched[position])
            status = put_element(&out->deleted, copy(json_array_get(before, position)));
    assay_free(matched);
    return status;
}

/* The unmatched elements between two matches (or an end): pair what can be
 * paired as changed elements, the rest are deletions and additions. */
static int diff_gap(const json_t *before, size_t before_start, size_t before_end,
                    const json_t *after, size_t after_start, size_t after_end, struct changes *out)
{
    int status = ASSAY_OK;
    size_t before_position = before_start, after_position = after_start;
    while (status == ASSAY_OK && (before_position < before_end || after_position < after_end)) {
        const json_t *old =
            before_position < before_end ? json_array_get(before, before_position) : NULL;
        const json_t *new =
            after_position < after_end ? json_array_get(after, after_position) : NULL;
        if (old != NULL && new != NULL && same_container_kind(old, new)) {
            status = record_pair(old, new, out);
            before_position++;
            after_position++;
        } else if (old != NULL && new != NULL && evaluate__values_equal(old, new)) {
            before_position++; /* positional fallback: an unchanged element */
            after_position++;
        } else {
            if (old != NULL) {
                status = put_element(&out->deleted, copy(old));
                before_position++;
            }
            if (status == ASSAY_OK && new != NULL) {
                status = put_element(&out->added, copy(new));
                after_position++;
            }
        }
    }
    return status;
}

/* Longest common subsequence of equal elements over before[start..start+n)
 * and after[start..start+m), then the gaps between its matches. */
static int diff_arrays_by_subsequence(const json_t *before, const json_t *after, size_t start,
                                      size_t before_count, size_t after_count, struct changes *out)
{
    size_t width = after_count + 1;
    uint32_t *lengths = assay_calloc((before_count + 1) * width, sizeof *lengths);
    if (lengths == NULL)
        return ASSAY_ERR_NOMEM;
    /* lengths[i][j]: LCS of the suffixes before[i..], after[j..] */
    for (size_t i = before_count; i-- > 0;) {
        for (size_t j = after_count; j-- > 0;) {
            if (evaluate__values_equal(json_array_get(before, start + i),
                                       json_array_get(after, start + j)))
                lengths[i * width + j] = lengths[(i + 1) * width + j + 1] + 1;
            else {
                uint32_t down = lengths[(i + 1) * width + j], right = lengths[i * width + j + 1];
                lengths[i * width + j] = down >= right ? down : right;
            }
        }
    }
    int status = ASSAY_OK;
    size_t i = 0, j = 0, gap_i = 0, gap_j = 0;
    while (i < before_count && j < after_count && status == ASSAY_OK) {
        if (evaluate__values_equal(json_array_get(before, start + i),
                                   json_array_get(after, start + j))) {
            status =
                diff_gap(before, start + gap_i, start + i, after, start + gap_j, start + j, out);
            gap_i = ++i;
            gap_j = ++j;
        } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
            i++;
        } else {
            j++;
        }
    }
    if (status == ASSAY_OK)
        status = diff_gap(before, start + gap_i, start + before_count, after, start + gap_j,
                          start + after_count, out);
    assay_free(lengths);
    return status;
}

static int diff_arrays(const json_t *before, const json_t *after, struct changes *out)
{
    json_t *before_index = NULL, *after_index = NULL;
    int status = ASSAY_OK;
    int by_identity = json_array_size(before) > 0 && json_array_size(after) > 0 &&
                      index_by_identity(before, &before_index, &status) &&
                      index_by_identity(after, &after_index, &status);
    if (status != ASSAY_OK)
        goto done;
    if (by_identity) {
        status = diff_arrays_by_identity(before, after, before_index, out);
        goto done;
    }
    size_t before_size = json_array_size(before), after_size = json_array_size(after);
    size_t prefix = 0;
    while (prefix < before_size && prefix < after_size &&
           evaluate__values_equal(json_array_get(before, prefix), json_array_get(after, prefix)))
        prefix++;
    size_t suffix = 0;
    while (suffix < before_size - prefix && suffix < after_size - prefix &&
           evaluate__values_equal(json_array_get(before, before_size - 1 - suffix),
                                  json_array_get(after, after_size - 1 - suffix)))
        suffix++;
    size_t before_count = before_size - prefix - suffix, after_count = after_size - prefix - suffix;
    if (before_count == 0 || after_count == 0 ||
        (before_count + 1) > EVALUATE_DIFF_MAX_CELLS / (after_count + 1))
        status = diff_gap(before, prefix, prefix + before_count, after, prefix,
                          prefix + after_count, out);
    else
        status = diff_arrays_by_subsequence(before, after, prefix, before_count, after_count, out);
done:
    json_decref(before_index);
    json_decref(after_index);
    return status;
}

static int diff_value(const json_t *before, const json_t *after, struct changes *out)
{
    if (before == NULL && after == NULL)
        return ASSAY_OK;
    if (before == NULL)
        return (out->added = copy(after)) != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
    if (after == NULL)
        return (out->deleted = copy(before)) != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
    if (json_is_object(before) && json_is_object(after))
        return diff_objects(before, after, out);
    if (json_is_array(before) && json_is_array(after))
        return diff_arrays(before, after, out);
    if (evaluate__values_equal(before, after))
        return ASSAY_OK;
    if ((out->updated = copy(after)) == NULL || (out->previous = copy(before)) == NULL)
        return ASSAY_ERR_NOMEM;
    return ASSAY_OK;
}

int evaluate_state_diff(const json_t *initial, const json_t *final, json_t **diff)
{
    *diff = NULL;
    struct changes changes = {0};
    json_t *result = json_object();
    int status = result == NULL ? ASSAY_ERR_NOMEM : diff_value(initial, final, &changes);
    /* absent trees read as empty objects, so paths into them find nothing */
    const char *names[] = {"added", "updated", "deleted", "previous"};
    json_t **trees[] = {&changes.added, &changes.updated, &changes.deleted, &changes.previous};
    for (size_t index = 0; index < 4 && status == ASSAY_OK; index++) {
        json_t *tree = *trees[index] != NULL ? *trees[index] : json_object();
        *trees[index] = NULL;
        if (tree == NULL || json_object_set_new(result, names[index], tree) != 0)
            status = ASSAY_ERR_NOMEM;
    }
    changes_release(&changes);
    if (status != ASSAY_OK) {
        json_decref(result);
        return status;
    }
    *diff = result;
    return ASSAY_OK;
}
