/* answer.c — matching the agent's final answer: exact, normalised,
 * must-include with alternatives, numeric with tolerance. The expected
 * texts were normalised once at compile time; the answer is normalised
 * once per run. */
#include <math.h>
#include <string.h>

#include "core/memory.h"
#include "evaluate/internal.h"
#include "evaluate/text.h"

static int append_alternatives(const struct evaluate__alternatives *item, struct buffer *reason)
{
    int status = ASSAY_OK;
    for (size_t index = 0; index < item->count && status == ASSAY_OK; index++) {
        if (index > 0)
            status = buffer_append_string(reason, " or ");
        if (status == ASSAY_OK)
            status = evaluate__quote_text(item->texts[index], reason);
    }
    return status;
}

static int match_whole(const struct evaluate__answer *answer, const char *text, int normalised,
                       double *score, struct buffer *reason)
{
    const struct evaluate__alternatives *item = &answer->items[0];
    for (size_t index = 0; index < item->count; index++) {
        if (strcmp(text, item->texts[index]) == 0) {
            *score = 1;
            int status = buffer_append_string(reason, normalised ? "normalised answer equals "
                                                                 : "answer equals ");
            return status == ASSAY_OK ? evaluate__quote_text(item->texts[index], reason) : status;
        }
    }
    int status = buffer_append_string(reason, normalised ? "normalised answer " : "answer ");
    if (status == ASSAY_OK)
        status = evaluate__quote_text(text, reason);
    if (status == ASSAY_OK)
        status = buffer_append_string(reason, " does not equal ");
    if (status == ASSAY_OK)
        status = append_alternatives(item, reason);
    return status;
}

static int match_items(const struct evaluate__answer *answer, const char *normalised, double *score,
                       struct buffer *reason, json_t *details)
{
    json_t *found = json_array();
    if (found == NULL || json_object_set_new(details, "items_found", found) != 0)
        return ASSAY_ERR_NOMEM;
    size_t satisfied = 0;
    for (size_t item = 0; item < answer->item_count; item++) {
        int hit = 0;
        for (size_t index = 0; index < answer->items[item].count && !hit; index++)
            hit = evaluate_text_contains_words(normalised, answer->items[item].texts[index]);
        satisfied += (size_t)hit;
        if (json_array_append_new(found, json_boolean(hit)) != 0)
            return ASSAY_ERR_NOMEM;
    }
    if (answer->partial_credit)
        *score = (double)satisfied / (double)answer->item_count;
    else
        *score = satisfied == answer->item_count ? 1 : 0;
    int status = buffer_append_format(reason, "%zu of %zu required item%s found", satisfied,
                                      answer->item_count, answer->item_count == 1 ? "" : "s");
    int first = 1;
    for (size_t item = 0; item < answer->item_count && status == ASSAY_OK; item++) {
        if (json_is_true(json_array_get(found, item)))
            continue;
        status = buffer_append_string(reason, first ? "; missing: " : ", ");
        first = 0;
        if (status == ASSAY_OK)
            status = append_alternatives(&answer->items[item], reason);
    }
    return status;
}

static int within(const struct evaluate__answer *answer, double value)
{
    double distance = fabs(value - answer->expected);
    /* a hair of slack for the decimal → binary conversion of both sides */
    double slack = 1e-9 * fmax(1.0, fabs(answer->expected));
    return distance <= answer->tolerance + slack ||
           distance <= answer->relative_tolerance * fabs(answer->expected) + slack;
}

static int match_number(const struct evaluate__answer *answer, const char *text, double *score,
                        struct buffer *reason, json_t *details)
{
    double *values = NULL;
    size_t count = 0;
    int status = evaluate_text_numbers(text, strlen(text), &values, &count);
    if (status != ASSAY_OK)
        return status;
    if (count == 0) {
        status = buffer_append_string(reason, "no number in the answer");
        goto done;
    }
    if (answer->pick == EVALUATE__PICK_ONLY && count > 1) {
        status = buffer_append_format(reason,
                                      "the answer has %zu numbers where one was expected (the "
                                      "spec can say \"pick\": \"first\", \"last\" or \"any\")",
                                      count);
        goto done;
    }
    size_t chosen = answer->pick == EVALUATE__PICK_LAST ? count - 1 : 0;
    if (answer->pick == EVALUATE__PICK_ANY)
        for (size_t index = 0; index < count; index++)
            if (within(answer, values[index])) {
                chosen = index;
                break;
            }
    double value = values[chosen];
    if (json_object_set_new(details, "number", json_real(value)) != 0) {
        status = ASSAY_ERR_NOMEM;
        goto done;
    }
    *score = within(answer, value) ? 1 : 0;
    status = buffer_append_format(reason, "answer number %.15g is %swithin ", value,
                                  *score == 1 ? "" : "not ");
    if (status == ASSAY_OK && answer->relative_tolerance > 0)
        status = buffer_append_format(reason, "%.15g (or %.15g%%) of %.15g", answer->tolerance,
                                      answer->relative_tolerance * 100, answer->expected);
    else if (status == ASSAY_OK)
        status =
            buffer_append_format(reason, "%.15g of %.15g", answer->tolerance, answer->expected);
done:
    assay_free(values);
    return status;
}

int evaluate__answer_run(const struct evaluate__answer *answer, const char *text, double *score,
                         struct buffer *reason, json_t *details)
{
    *score = 0;
    if (text == NULL)
        return buffer_append_string(reason, "the agent gave no final answer");
    switch (answer->mode) {
    case EVALUATE__ANSWER_EXACT:
        return match_whole(answer, text, 0, score, reason);
    case EVALUATE__ANSWER_NUMERIC:
        return match_number(answer, text, score, reason, details);
    case EVALUATE__ANSWER_NORMALISED:
    case EVALUATE__ANSWER_INCLUDES:
        break;
    }
    struct buffer normalised = {0};
    int status = evaluate_text_normalise(text, strlen(text), &normalised);
    const char *form = normalised.data != NULL ? normalised.data : "";
    if (status == ASSAY_OK && answer->mode == EVALUATE__ANSWER_NORMALISED)
        status = match_whole(answer, form, 1, score, reason);
    else if (status == ASSAY_OK)
        status = match_items(answer, form, score, reason, details);
    buffer_free(&normalised);
    return status;
}
