/* run.c — running a compiled spec on one episode: prepares what the checks
 * read (the diff, only when a query asks for it), runs the checks and the
 * safety part, and assembles the result and its JSON.
 *
 * A run allocates only its result and scratch space that it frees before
 * returning; the spec and the episode are read, never written, so runs of
 * one spec may proceed on several threads at once. */
#include <string.h>

#include "core/memory.h"
#include "evaluate/internal.h"

static int run_leaf(const struct evaluate__check *check, const struct evaluate__context *context,
                    double *score, struct buffer *reason, json_t *details)
{
    const struct evaluate_episode *episode = context->episode;
    switch (check->type) {
    case EVALUATE__CHECK_ANSWER:
        return evaluate__answer_run(&check->answer, episode->answer, score, reason, details);
    case EVALUATE__CHECK_URL:
        return evaluate__url_run(&check->url, episode->final_url, score, reason, details);
    case EVALUATE__CHECK_STATE_QUERY: {
        /* A query over a tree the episode lacks is not evaluated: "count ==
         * 0" over a missing diff would otherwise pass, and "not" would turn
         * any such miss into a pass. */
        unsigned reads = evaluate_query_roots_read(check->query);
        const char *missing = NULL;
        if ((reads & EVALUATE_QUERY_READS_STATE) && context->roots.state == NULL)
            missing = "the episode has no final state";
        else if ((reads & EVALUATE_QUERY_READS_INITIAL) && context->roots.initial == NULL)
            missing = "the episode has no initial snapshot";
        else if ((reads & EVALUATE_QUERY_READS_DIFF) && context->roots.diff == NULL)
            missing = "diff. needs both an initial snapshot and a final state";
        if (missing != NULL) {
            *score = 0;
            return buffer_append_format(reason, "cannot be evaluated: %s", missing);
        }
        int truth = 0;
        struct buffer explanation = {0};
        int status = evaluate_query_run(check->query, &context->roots, &truth, &explanation);
        *score = truth ? 1 : 0;
        if (status == ASSAY_OK)
            status = buffer_append_string(reason, truth ? "holds: " : "does not hold: ");
        if (status == ASSAY_OK)
            status = buffer_append(reason, explanation.data != NULL ? explanation.data : "",
                                   explanation.length);
        buffer_free(&explanation);
        return status;
    }
    case EVALUATE__CHECK_STATE_HASH:
        return evaluate__hash_run(&check->hash, episode->final_state, episode->reference_state,
                                  score, reason, details);
    case EVALUATE__CHECK_TOOL_CALLED:
    case EVALUATE__CHECK_TOOL_NOT_CALLED:
        return evaluate__tool_run(&check->tool, check->type == EVALUATE__CHECK_TOOL_NOT_CALLED,
                                  context->trace, score, reason, details);
    case EVALUATE__CHECK_ATTRIBUTE_DISCLOSURE:
        return evaluate__disclosure_run(&check->disclosure, context->trace, score, reason, details);
    case EVALUATE__CHECK_GROUP:
        break;
    }
    return ASSAY_OK;
}

int evaluate__check_run(const struct evaluate__check *check,
                        const struct evaluate__context *context, double *score, json_t **verdict)
{
    *score = 0;
    *verdict = NULL;
    struct buffer reason = {0};
    json_t *details = json_object();
    json_t *children = NULL;
    json_t *result = json_object();
    int status = details == NULL || result == NULL ? ASSAY_ERR_NOMEM : ASSAY_OK;
    if (status == ASSAY_OK && check->type == EVALUATE__CHECK_GROUP)
        status = evaluate__group_run(&check->group, context, score, &reason, &children);
    else if (status == ASSAY_OK)
        status = run_leaf(check, context, score, &reason, details);
    if (status != ASSAY_OK)
        goto fail;
    if (json_object_set_new(result, "name", json_string(check->name)) != 0 ||
        json_object_set_new(result, "type", json_string(evaluate__check_type_name(check->type))) !=
            0 ||
        json_object_set_new(result, "score", json_real(*score)) != 0 ||
        json_object_set_new(result, "passed", json_boolean(evaluate__passed(*score))) != 0 ||
        json_object_set_new(result, "reason", evaluate__json_string(&reason)) != 0)
        goto nomem;
    if (check->type == EVALUATE__CHECK_GROUP) {
        if (json_object_set_new(result, "aggregate",
                                json_string(evaluate__aggregate_name(check->group.aggregate))) !=
                0 ||
            (check->group.aggregate == EVALUATE__AGGREGATE_TREE &&
             json_object_set_new(
                 result, "order",
                 json_string(check->group.sequential ? "sequential" : "parallel")) != 0))
            goto nomem;
        status =
            json_object_set_new(result, "children", children) == 0 ? ASSAY_OK : ASSAY_ERR_NOMEM;
        children = NULL;
        if (status != ASSAY_OK)
            goto fail;
    }
    if (json_object_size(details) > 0) {
        status = json_object_set_new(result, "details", details) == 0 ? ASSAY_OK : ASSAY_ERR_NOMEM;
        details = NULL;
        if (status != ASSAY_OK)
            goto fail;
    }
    json_decref(details);
    buffer_free(&reason);
    *verdict = result;
    return ASSAY_OK;
nomem:
    status = ASSAY_ERR_NOMEM;
fail:
    json_decref(children);
    json_decref(details);
    json_decref(result);
    buffer_free(&reason);
    *score = 0;
    return status;
}

static json_t *counts_json(const struct evaluate_disclosure_counts *counts)
{
    json_t *object = json_object();
    json_t *channels = json_object();
    int failed = object == NULL || channels == NULL;
    for (size_t channel = 0; channel < EVALUATE_CHANNEL_COUNT && !failed; channel++)
        failed =
            json_object_set_new(channels, evaluate__channel_name((enum evaluate_channel)channel),
                                json_integer((json_int_t)counts->by_channel[channel])) != 0;
    if (!failed) {
        failed = json_object_set_new(object, "channels", channels) != 0;
        channels = NULL;
    }
    if (failed ||
        json_object_set_new(object, "content", json_integer((json_int_t)counts->content)) != 0 ||
        json_object_set_new(object, "behaviour", json_integer((json_int_t)counts->behaviour)) !=
            0 ||
        json_object_set_new(object, "explicit",
                            json_integer((json_int_t)counts->explicit_matches)) != 0 ||
        json_object_set_new(object, "implied", json_integer((json_int_t)counts->implied_matches)) !=
            0) {
        json_decref(channels);
        json_decref(object);
        return NULL;
    }
    return object;
}

static int run_safety(const struct evaluate_spec *spec, const struct evaluate__context *context,
                      struct evaluate_result *result)
{
    struct evaluate_safety *figures = &result->safety_figures;
    json_t *safety = json_object();
    json_t *harm = json_array();
    json_t *occurrences = json_array();
    int status = safety == NULL || harm == NULL || occurrences == NULL ? ASSAY_ERR_NOMEM : ASSAY_OK;
    figures->harm_checked = spec->has_harm;
    for (size_t index = 0; index < spec->harm_count && status == ASSAY_OK; index++) {
        double score;
        json_t *verdict = NULL;
        status = evaluate__check_run(&spec->harm[index], context, &score, &verdict);
        if (status != ASSAY_OK)
            break;
        /* a harm check passing means the harm happened */
        int fired = evaluate__passed(score);
        figures->harm_triggered += (size_t)fired;
        if (json_object_set_new(verdict, "harm", json_boolean(fired)) != 0) {
            json_decref(verdict);
            status = ASSAY_ERR_NOMEM;
        } else if (json_array_append_new(harm, verdict) != 0) {
            status = ASSAY_ERR_NOMEM;
        }
    }
    figures->harm_caused = figures->harm_triggered > 0;
    figures->oversharing_checked = spec->has_oversharing;
    if (status == ASSAY_OK && spec->has_oversharing)
        status = evaluate__disclosure_scan(&spec->oversharing, context->trace,
                                           &figures->oversharing, occurrences);
    if (status != ASSAY_OK)
        goto fail;
    if (json_object_set_new(safety, "harm_checked", json_boolean(figures->harm_checked)) != 0 ||
        json_object_set_new(safety, "harm_caused", json_boolean(figures->harm_caused)) != 0 ||
        json_object_set_new(safety, "harm_triggered",
                            json_integer((json_int_t)figures->harm_triggered)) != 0 ||
        json_object_set_new(safety, "affects_score", json_boolean(spec->safety_affects_score)) != 0)
        goto nomem;
    status = json_object_set_new(safety, "harm", harm) == 0 ? ASSAY_OK : ASSAY_ERR_NOMEM;
    harm = NULL;
    if (status != ASSAY_OK)
        goto fail;
    if (spec->has_oversharing) {
        json_t *oversharing = counts_json(&figures->oversharing);
        if (oversharing == NULL || json_object_set_new(safety, "oversharing", oversharing) != 0)
            goto nomem;
        status = json_object_set_new(oversharing, "occurrences", occurrences) == 0
                     ? ASSAY_OK
                     : ASSAY_ERR_NOMEM;
        occurrences = NULL;
        if (status != ASSAY_OK)
            goto fail;
    }
    json_decref(occurrences);
    result->safety = safety;
    return ASSAY_OK;
nomem:
    status = ASSAY_ERR_NOMEM;
fail:
    json_decref(occurrences);
    json_decref(harm);
    json_decref(safety);
    return status;
}

int evaluate_run(const struct evaluate_spec *spec, const struct evaluate_episode *episode,
                 struct evaluate_result *result, struct assay_error *error)
{
    memset(result, 0, sizeof *result);
    int status = evaluate__trace_validate(episode->trace, error);
    if (status != ASSAY_OK)
        return status;
    struct evaluate__context context = {
        episode, {episode->final_state, episode->initial_state, NULL}, episode->trace};
    json_t *diff = NULL;
    struct buffer reason = {0};
    context.roots.diff = episode->diff;
    if (episode->diff == NULL && (spec->roots_read & EVALUATE_QUERY_READS_DIFF) && episode->initial_state != NULL &&
        episode->final_state != NULL) {
        status = evaluate_state_diff(episode->initial_state, episode->final_state, &diff);
        if (status != ASSAY_OK)
            goto fail;
        context.roots.diff = diff;
    }
    status = evaluate__group_run(&spec->root, &context, &result->score, &reason, &result->verdicts);
    if (status == ASSAY_OK && (spec->has_harm || spec->has_oversharing))
        status = run_safety(spec, &context, result);
    if (status != ASSAY_OK)
        goto fail;
    const struct evaluate_safety *figures = &result->safety_figures;
    size_t overshared = figures->oversharing.content + figures->oversharing.behaviour;
    if (result->safety != NULL) {
        status = buffer_append_format(&reason, ". Safety: %s",
                                      !figures->harm_checked ? "harm not checked"
                                      : figures->harm_caused ? "harm caused"
                                                             : "no harm");
        if (status == ASSAY_OK && figures->oversharing_checked)
            status = buffer_append_format(&reason, ", oversharing %zu (content %zu, behaviour %zu)",
                                          overshared, figures->oversharing.content,
                                          figures->oversharing.behaviour);
        if (status == ASSAY_OK && spec->safety_affects_score &&
            (figures->harm_caused || overshared > 0)) {
            result->score = 0;
            status = buffer_append_string(&reason, "; the spec makes this score 0");
        }
        if (status != ASSAY_OK)
            goto fail;
    }
    result->passed = evaluate__passed(result->score);
    json_t *text = evaluate__json_string(&reason);
    result->reason = text != NULL ? assay_strdup(json_string_value(text)) : NULL;
    json_decref(text);
    if (result->reason == NULL) {
        status = ASSAY_ERR_NOMEM;
        goto fail;
    }
    buffer_free(&reason);
    json_decref(diff);
    return ASSAY_OK;
fail:
    if (status == ASSAY_ERR_NOMEM)
        assay_error_set(error, status, "out of memory while evaluating an episode");
    buffer_free(&reason);
    json_decref(diff);
    evaluate_result_release(result);
    return status;
}

void evaluate_result_release(struct evaluate_result *result)
{
    if (result == NULL)
        return;
    assay_free(result->reason);
    json_decref(result->verdicts);
    json_decref(result->safety);
    memset(result, 0, sizeof *result);
}

json_t *evaluate_result_to_json(const struct evaluate_result *result)
{
    json_t *object = json_object();
    if (object == NULL)
        return NULL;
    if (json_object_set_new(object, "score", json_real(result->score)) != 0 ||
        json_object_set_new(object, "passed", json_boolean(result->passed)) != 0 ||
        json_object_set_new(object, "reason",
                            json_string(result->reason != NULL ? result->reason : "")) != 0 ||
        json_object_set_new(object, "verdicts",
                            result->verdicts != NULL ? json_deep_copy(result->verdicts)
                                                     : json_array()) != 0 ||
        json_object_set_new(object, "safety",
                            result->safety != NULL ? json_deep_copy(result->safety)
                                                   : json_null()) != 0) {
        json_decref(object);
        return NULL;
    }
    return object;
}
