/* group.c — aggregation of a group's checks: product, mean, weighted,
 * chain (flag chain over ordered hops) and tree (rubric nodes that are
 * critical or not, parallel or sequential).
 *
 * Every child is run even when the outcome is already decided (a failed
 * product, a broken chain, a zeroed sequence), so the verdicts show what
 * each check saw; checks are cheap next to the episode that produced the
 * state. The annotations a child gets from its parent ("critical",
 * "weight", "counted", "zeroed") are added to the child's verdict here. */
#include <string.h>

#include "core/memory.h"
#include "evaluate/internal.h"

/* How many failing children a group's reason names before "...". */
#define REASON_FAILURES 3
/* How much of each named child's reason is quoted. */
#define REASON_CHILD_LIMIT 160

static double tree_score(const struct evaluate__group *group, double *scores, json_t *children,
                         int *critical_failed, int *status)
{
    int failed_before = 0;
    for (size_t index = 0; index < group->count; index++) {
        json_t *verdict = json_array_get(children, index);
        if (json_object_set_new(verdict, "critical", json_boolean(group->checks[index].critical)) !=
            0)
            *status = ASSAY_ERR_NOMEM;
        if (group->sequential && failed_before) {
            /* the verdict keeps what the check saw, and says why it counts 0 */
            if (json_object_set_new(verdict, "zeroed", json_true()) != 0 ||
                json_object_set_new(verdict, "score_before_zeroing", json_real(scores[index])) !=
                    0 ||
                json_object_set_new(verdict, "score", json_real(0)) != 0 ||
                json_object_set_new(verdict, "passed", json_false()) != 0)
                *status = ASSAY_ERR_NOMEM;
            scores[index] = 0;
        }
        if (!evaluate__passed(scores[index]))
            failed_before = 1;
    }
    size_t non_critical = 0;
    double sum = 0;
    *critical_failed = -1;
    for (size_t index = 0; index < group->count; index++) {
        if (group->checks[index].critical) {
            if (!evaluate__passed(scores[index]) && *critical_failed < 0)
                *critical_failed = (int)index;
            continue;
        }
        non_critical++;
        sum += scores[index];
    }
    if (*critical_failed >= 0)
        return 0;
    return non_critical == 0 ? 1 : sum / (double)non_critical;
}

static int explain(const struct evaluate__group *group, const double *scores, json_t *children,
                   double score, int critical_failed, size_t chain_length, struct buffer *reason)
{
    if (group->count == 1) {
        /* one check: its own reason says more than a tally of one */
        const char *child_reason =
            json_string_value(json_object_get(json_array_get(children, 0), "reason"));
        int status = buffer_append_format(reason, "%s: ", group->checks[0].name);
        return status == ASSAY_OK
                   ? buffer_append_string(reason, child_reason != NULL ? child_reason : "")
                   : status;
    }
    size_t passed = 0;
    for (size_t index = 0; index < group->count; index++)
        passed += (size_t)evaluate__passed(scores[index]);
    int status = buffer_append_format(reason, "%s of %zu check%s: %zu passed",
                                      evaluate__aggregate_name(group->aggregate), group->count,
                                      group->count == 1 ? "" : "s", passed);
    if (status == ASSAY_OK && group->aggregate == EVALUATE__AGGREGATE_CHAIN)
        status = buffer_append_format(reason, ", %zu hop%s in an unbroken chain", chain_length,
                                      chain_length == 1 ? "" : "s");
    if (status == ASSAY_OK && critical_failed >= 0)
        status = buffer_append_format(reason, ", critical check %s failed",
                                      group->checks[critical_failed].name);
    if (status == ASSAY_OK)
        status = buffer_append_format(reason, " (score %.4g)", score);
    size_t named = 0;
    for (size_t index = 0; index < group->count && status == ASSAY_OK; index++) {
        if (evaluate__passed(scores[index]))
            continue;
        if (named == REASON_FAILURES) {
            status = buffer_append_string(reason, "; ...");
            break;
        }
        const char *child_reason =
            json_string_value(json_object_get(json_array_get(children, index), "reason"));
        status = buffer_append_format(reason, "%s %s: ", named == 0 ? "; failed:" : ";",
                                      group->checks[index].name);
        if (status == ASSAY_OK)
            status = evaluate__append_text_cut(child_reason != NULL ? child_reason : "",
                                               REASON_CHILD_LIMIT, reason);
        named++;
    }
    return status;
}

int evaluate__group_run(const struct evaluate__group *group,
                        const struct evaluate__context *context, double *score,
                        struct buffer *reason, json_t **children)
{
    *score = 0;
    *children = json_array();
    double *scores = assay_calloc(group->count, sizeof *scores);
    int status = *children == NULL || scores == NULL ? ASSAY_ERR_NOMEM : ASSAY_OK;
    for (size_t index = 0; index < group->count && status == ASSAY_OK; index++) {
        json_t *verdict = NULL;
        status = evaluate__check_run(&group->checks[index], context, &scores[index], &verdict);
        if (status == ASSAY_OK && json_array_append_new(*children, verdict) != 0)
            status = ASSAY_ERR_NOMEM;
    }
    if (status != ASSAY_OK)
        goto fail;

    int critical_failed = -1;
    size_t chain_length = 0;
    double total = 0, weights = 0;
    switch (group->aggregate) {
    case EVALUATE__AGGREGATE_PRODUCT:
        *score = 1;
        for (size_t index = 0; index < group->count; index++)
            *score *= scores[index];
        break;
    case EVALUATE__AGGREGATE_MEAN:
        for (size_t index = 0; index < group->count; index++)
            total += scores[index];
        *score = total / (double)group->count;
        break;
    case EVALUATE__AGGREGATE_WEIGHTED:
        for (size_t index = 0; index < group->count; index++) {
            total += group->checks[index].weight * scores[index];
            weights += group->checks[index].weight;
            if (json_object_set_new(json_array_get(*children, index), "weight",
                                    json_real(group->checks[index].weight)) != 0)
                status = ASSAY_ERR_NOMEM;
        }
        *score = total / weights; /* weights > 0: checked at compile time */
        break;
    case EVALUATE__AGGREGATE_CHAIN:
        /* hop k counts only when hops 1..k-1 passed as well */
        while (chain_length < group->count && evaluate__passed(scores[chain_length]))
            chain_length++;
        for (size_t index = 0; index < group->count; index++)
            if (json_object_set_new(json_array_get(*children, index), "counted",
                                    json_boolean(index < chain_length)) != 0)
                status = ASSAY_ERR_NOMEM;
        *score = (double)chain_length / (double)group->count;
        break;
    case EVALUATE__AGGREGATE_TREE:
        *score = tree_score(group, scores, *children, &critical_failed, &status);
        break;
    }
    /* keep rounding from pushing a score out of [0, 1] */
    if (*score < 0)
        *score = 0;
    if (*score > 1)
        *score = 1;
    if (status == ASSAY_OK)
        status = explain(group, scores, *children, *score, critical_failed, chain_length, reason);
    if (status != ASSAY_OK)
        goto fail;
    assay_free(scores);
    return ASSAY_OK;
fail:
    assay_free(scores);
    json_decref(*children);
    *children = NULL;
    *score = 0;
    return status;
}
