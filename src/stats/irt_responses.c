/* irt_responses.c — the response matrix: builder, accessors, simulation. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"
#include "stats/irt_internal.h"
#include "stats/random.h"

/* One response while building: the item index carries the value in its top
 * bit, so an entry is 8 bytes (80 MB for ten million responses). */
struct pending_response {
    uint32_t subject;
    uint32_t item_and_value;
};

#define VALUE_BIT 0x80000000u

struct irt_responses_builder {
    struct stats__string_table subjects;
    struct stats__string_table items;
    struct pending_response *pending;
    size_t count;
    size_t capacity;
};

int irt_responses_builder_create(struct irt_responses_builder **builder)
{
    *builder = assay_calloc(1, sizeof **builder);
    return *builder == NULL ? ASSAY_ERR_NOMEM : ASSAY_OK;
}

void irt_responses_builder_free(struct irt_responses_builder *builder)
{
    if (builder == NULL)
        return;
    stats__string_table_free(&builder->subjects);
    stats__string_table_free(&builder->items);
    assay_free(builder->pending);
    assay_free(builder);
}

int irt_responses_builder_add_subject(struct irt_responses_builder *builder, const char *subject_id,
                                      size_t *subject, int *added)
{
    uint32_t index;
    int status = stats__string_table_intern(&builder->subjects, subject_id, strlen(subject_id),
                                            &index, added);
    if (status == ASSAY_OK)
        *subject = index;
    return status;
}

int irt_responses_builder_add_item(struct irt_responses_builder *builder, const char *item_id,
                                   size_t *item, int *added)
{
    uint32_t index;
    /* The top bit of an item index holds the value while building. */
    if (builder->items.count >= VALUE_BIT - 1)
        return ASSAY_ERR_LIMIT;
    int status =
        stats__string_table_intern(&builder->items, item_id, strlen(item_id), &index, added);
    if (status == ASSAY_OK)
        *item = index;
    return status;
}

int irt_responses_builder_add_response(struct irt_responses_builder *builder, size_t subject,
                                       size_t item, int value)
{
    if (subject >= builder->subjects.count || item >= builder->items.count ||
        (value != 0 && value != 1))
        return ASSAY_ERR_INVALID;
    if (builder->count == builder->capacity) {
        size_t capacity = builder->capacity == 0 ? 1024 : builder->capacity * 2;
        struct pending_response *pending =
            assay_realloc(builder->pending, capacity * sizeof *pending);
        if (pending == NULL)
            return ASSAY_ERR_NOMEM;
        builder->pending = pending;
        builder->capacity = capacity;
    }
    builder->pending[builder->count].subject = (uint32_t)subject;
    builder->pending[builder->count].item_and_value = (uint32_t)item | (value ? VALUE_BIT : 0);
    builder->count++;
    return ASSAY_OK;
}

void irt_responses_free(struct irt_responses *responses)
{
    if (responses == NULL)
        return;
    stats__string_table_free(&responses->subjects);
    stats__string_table_free(&responses->items);
    assay_free(responses->subject_start);
    assay_free(responses->subject_split);
    assay_free(responses->subject_items);
    assay_free(responses->item_start);
    assay_free(responses->item_split);
    assay_free(responses->item_subjects);
    assay_free(responses);
}

/* Row offsets from per-row counts of correct and incorrect entries: row r
 * spans start[r] .. start[r+1], correct entries before split[r]. The counts
 * arrays are turned into write cursors for the two halves. */
static void layout_rows(size_t row_count, size_t *correct, size_t *incorrect, size_t *start,
                        size_t *split)
{
    size_t offset = 0;
    for (size_t row = 0; row < row_count; row++) {
        start[row] = offset;
        split[row] = offset + correct[row];
        offset += correct[row] + incorrect[row];
        correct[row] = start[row];
        incorrect[row] = split[row];
    }
    start[row_count] = offset;
}

int irt_responses_builder_finish(struct irt_responses_builder *builder,
                                 struct irt_responses **responses, struct assay_error *error)
{
    *responses = NULL;
    size_t subject_count = builder->subjects.count, item_count = builder->items.count;
    size_t count = builder->count;
    if (count == 0)
        return assay_error_set(error, ASSAY_ERR_INVALID, "there are no responses to analyse");

    int status = ASSAY_ERR_NOMEM;
    struct irt_responses *result = assay_calloc(1, sizeof *result);
    size_t *subject_correct = assay_calloc(subject_count + 1, sizeof(size_t));
    size_t *subject_incorrect = assay_calloc(subject_count + 1, sizeof(size_t));
    size_t *item_correct = assay_calloc(item_count + 1, sizeof(size_t));
    size_t *item_incorrect = assay_calloc(item_count + 1, sizeof(size_t));
    size_t *by_subject_start = assay_calloc(subject_count + 1, sizeof(size_t));
    uint32_t *by_subject = assay_malloc(count * sizeof(uint32_t));
    if (result == NULL || subject_correct == NULL || subject_incorrect == NULL ||
        item_correct == NULL || item_incorrect == NULL || by_subject_start == NULL ||
        by_subject == NULL)
        goto done;
    result->subject_start = assay_malloc((subject_count + 1) * sizeof(size_t));
    result->subject_split = assay_malloc((subject_count + 1) * sizeof(size_t));
    result->subject_items = assay_malloc(count * sizeof(uint32_t));
    result->item_start = assay_malloc((item_count + 1) * sizeof(size_t));
    result->item_split = assay_malloc((item_count + 1) * sizeof(size_t));
    result->item_subjects = assay_malloc(count * sizeof(uint32_t));
    if (result->subject_start == NULL || result->subject_split == NULL ||
        result->subject_items == NULL || result->item_start == NULL || result->item_split == NULL ||
        result->item_subjects == NULL)
        goto done;

    /* Pass 1: bucket the pending entries by subject (order within a subject
     * is still arbitrary), counting correct and incorrect per row. */
    for (size_t index = 0; index < count; index++) {
        const struct pending_response *entry = &builder->pending[index];
        uint32_t item = entry->item_and_value & ~VALUE_BIT;
        int value = (entry->item_and_value & VALUE_BIT) != 0;
        by_subject_start[entry->subject + 1]++;
        (value ? subject_correct : subject_incorrect)[entry->subject]++;
        (value ? item_correct : item_incorrect)[item]++;
    }
    for (size_t subject = 0; subject < subject_count; subject++)
        by_subject_start[subject + 1] += by_subject_start[subject];
    for (size_t index = 0; index < count; index++) {
        const struct pending_response *entry = &builder->pending[index];
        by_subject[by_subject_start[entry->subject]++] = entry->item_and_value;
    }
    /* by_subject_start[s] now marks the end of subject s's bucket. */

    /* Pass 2: walk subjects in ascending order and scatter into item rows,
     * so every item row lists its subjects in ascending order; a subject
     * answering an item twice shows up as a repeat at the row's tail. */
    layout_rows(item_count, item_correct, item_incorrect, result->item_start, result->item_split);
    size_t bucket_begin = 0;
    for (size_t subject = 0; subject < subject_count; subject++) {
        for (size_t index = bucket_begin; index < by_subject_start[subject]; index++) {
            uint32_t item = by_subject[index] & ~VALUE_BIT;
            int value = (by_subject[index] & VALUE_BIT) != 0;
            size_t *cursor = value ? &item_correct[item] : &item_incorrect[item];
            size_t row_begin = value ? result->item_start[item] : result->item_split[item];
            size_t other_begin = value ? result->item_split[item] : result->item_start[item];
            size_t other_end = value ? item_incorrect[item] : item_correct[item];
            int repeated =
                (*cursor > row_begin && result->item_subjects[*cursor - 1] == subject) ||
                (other_end > other_begin && result->item_subjects[other_end - 1] == subject);
            if (repeated) {
                status = assay_error_set(error, ASSAY_ERR_INVALID,
                                         "subject \"%.80s\" has two responses to item \"%.80s\"",
                                         builder->subjects.strings[subject],
                                         builder->items.strings[item]);
                goto done;
            }
            result->item_subjects[(*cursor)++] = (uint32_t)subject;
        }
        bucket_begin = by_subject_start[subject];
    }

    /* Pass 3: walk items in ascending order and scatter into subject rows. */
    layout_rows(subject_count, subject_correct, subject_incorrect, result->subject_start,
                result->subject_split);
    for (size_t item = 0; item < item_count; item++) {
        for (size_t index = result->item_start[item]; index < result->item_split[item]; index++)
            result->subject_items[subject_correct[result->item_subjects[index]]++] = (uint32_t)item;
        for (size_t index = result->item_split[item]; index < result->item_start[item + 1]; index++)
            result->subject_items[subject_incorrect[result->item_subjects[index]]++] =
                (uint32_t)item;
    }

    result->subject_count = subject_count;
    result->item_count = item_count;
    result->response_count = count;
    /* The ids move from the builder to the matrix; the builder is left as
     * new, as the header promises. */
    result->subjects = builder->subjects;
    result->items = builder->items;
    memset(&builder->subjects, 0, sizeof builder->subjects);
    memset(&builder->items, 0, sizeof builder->items);
    builder->count = 0;
    *responses = result;
    result = NULL;
    status = ASSAY_OK;
done:
    if (status == ASSAY_ERR_NOMEM)
        assay_error_set(error, status, "out of memory building the response matrix");
    irt_responses_free(result);
    assay_free(subject_correct);
    assay_free(subject_incorrect);
    assay_free(item_correct);
    assay_free(item_incorrect);
    assay_free(by_subject_start);
    assay_free(by_subject);
    return status;
}

size_t irt_responses_subject_count(const struct irt_responses *responses)
{
    return responses->subject_count;
}

size_t irt_responses_item_count(const struct irt_responses *responses)
{
    return responses->item_count;
}

size_t irt_responses_response_count(const struct irt_responses *responses)
{
    return responses->response_count;
}

const char *irt_responses_subject_id(const struct irt_responses *responses, size_t subject)
{
    assert(subject < responses->subject_count);
    return responses->subjects.strings[subject];
}

const char *irt_responses_item_id(const struct irt_responses *responses, size_t item)
{
    assert(item < responses->item_count);
    return responses->items.strings[item];
}

int irt_responses_find_subject(const struct irt_responses *responses, const char *subject_id,
                               size_t *subject)
{
    uint32_t index;
    int status = stats__string_table_find(&responses->subjects, subject_id, &index);
    if (status == ASSAY_OK)
        *subject = index;
    return status;
}

int irt_responses_find_item(const struct irt_responses *responses, const char *item_id,
                            size_t *item)
{
    uint32_t index;
    int status = stats__string_table_find(&responses->items, item_id, &index);
    if (status == ASSAY_OK)
        *item = index;
    return status;
}

void irt_responses_subject_items(const struct irt_responses *responses, size_t subject,
                                 const uint32_t **correct, size_t *correct_count,
                                 const uint32_t **incorrect, size_t *incorrect_count)
{
    assert(subject < responses->subject_count);
    size_t start = responses->subject_start[subject];
    size_t split = responses->subject_split[subject];
    size_t end = responses->subject_start[subject + 1];
    *correct = responses->subject_items + start;
    *correct_count = split - start;
    *incorrect = responses->subject_items + split;
    *incorrect_count = end - split;
}

int irt_responses_simulate(const double *discrimination, const double *difficulty,
                           size_t item_count, const double *ability, size_t subject_count,
                           double response_rate, uint64_t seed, struct irt_responses **responses)
{
    *responses = NULL;
    if (item_count == 0 || subject_count == 0 || !(response_rate > 0 && response_rate <= 1))
        return ASSAY_ERR_INVALID;
    struct irt_responses_builder *builder = NULL;
    int status = irt_responses_builder_create(&builder);
    char name[48];
    size_t index;
    for (size_t subject = 0; status == ASSAY_OK && subject < subject_count; subject++) {
        snprintf(name, sizeof name, "subject-%zu", subject);
        status = irt_responses_builder_add_subject(builder, name, &index, NULL);
    }
    for (size_t item = 0; status == ASSAY_OK && item < item_count; item++) {
        snprintf(name, sizeof name, "item-%zu", item);
        status = irt_responses_builder_add_item(builder, name, &index, NULL);
    }
    struct stats_random random;
    stats_random_seed(&random, seed);
    for (size_t subject = 0; status == ASSAY_OK && subject < subject_count; subject++)
        for (size_t item = 0; status == ASSAY_OK && item < item_count; item++) {
            if (response_rate < 1 && stats_random_uniform(&random) >= response_rate)
                continue;
            double logit = discrimination[item] * (ability[subject] - difficulty[item]);
            double probability = 1.0 / (1.0 + exp(-logit));
            int value = stats_random_uniform(&random) < probability;
            status = irt_responses_builder_add_response(builder, subject, item, value);
        }
    if (status == ASSAY_OK)
        status = irt_responses_builder_finish(builder, responses, NULL);
    irt_responses_builder_free(builder);
    return status;
}
