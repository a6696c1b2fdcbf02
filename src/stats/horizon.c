/* horizon.c — METR logistic time horizons with a hierarchical bootstrap,
 * BRIDGE anchoring of IRT difficulty to human time, per-agent tables. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"
#include "stats/horizon.h"
#include "stats/random.h"
#include "stats/stats_internal.h"

/* A ridge penalty on the (centred) logistic coefficients. Why: when an
 * agent's successes and failures are perfectly separated by task length
 * the maximum-likelihood slope is −∞; this keeps it finite (the horizon
 * then sits at the separating length) and is far too small to move any
 * ordinary fit (it is 1e-6 of the weight of one task per unit slope²). */
#define RIDGE 1e-6

void horizon_options_default(struct horizon_options *options)
{
    options->success_rate = 0.5;
    options->family_weighting = 1;
    options->family_separator = '/';
    options->bootstrap_replicates = 1000;
    options->confidence = 0.95;
    options->seed = 1;
    options->minimum_tasks = 10;
    options->include_item = NULL;
    options->include_context = NULL;
}

int horizon_exclude_containing(const char *item_id, void *context)
{
    return strstr(item_id, (const char *)context) == NULL;
}

const char *horizon_status_name(enum horizon_status status)
{
    switch (status) {
    case HORIZON_ESTIMATED:
        return "estimated";
    case HORIZON_TOO_FEW_TASKS:
        return "too-few-tasks";
    case HORIZON_ALL_SUCCEEDED:
        return "all-succeeded";
    case HORIZON_ALL_FAILED:
        return "all-failed";
    case HORIZON_NOT_DECREASING:
        return "not-decreasing";
    }
    return "unknown";
}

static int check_options(const struct horizon_options *options, struct assay_error *error)
{
    if (!(options->success_rate > 0 && options->success_rate < 1))
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "the success rate must lie strictly between 0 and 1");
    if (!(options->confidence > 0 && options->confidence < 1))
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "the confidence level must lie strictly between 0 and 1");
    return ASSAY_OK;
}

/* ---- Weighted logistic regression -------------------------------------- */

struct logistic_fit {
    double intercept; /* on x itself */
    double slope;
};

struct logistic_state {
    double value;
    double gradient[2];
    double hessian[3]; /* negative Hessian: 00, 01, 11 */
};

static void logistic_evaluate(const double *x, const unsigned char *y, const double *weight,
                              size_t count, double centre, double level, double slope,
                              struct logistic_state *state)
{
    double value = -0.5 * RIDGE * (level * level + slope * slope);
    double gradient0 = -RIDGE * level, gradient1 = -RIDGE * slope;
    double hessian00 = RIDGE, hessian01 = 0, hessian11 = RIDGE;
    for (size_t index = 0; index < count; index++) {
        double centred = x[index] - centre;
        double z = level + slope * centred;
        double tail = exp(-fabs(z));
        double probability = z >= 0 ? 1.0 / (1.0 + tail) : tail / (1.0 + tail);
        double softplus = (z > 0 ? z : 0.0) + log1p(tail);
        double w = weight[index];
        value += w * ((y[index] ? z : 0.0) - softplus);
        double residual = w * ((double)y[index] - probability);
        gradient0 += residual;
        gradient1 += residual * centred;
        double curvature = w * probability * (1.0 - probability);
        hessian00 += curvature;
        hessian01 += curvature * centred;
        hessian11 += curvature * centred * centred;
    }
    state->value = value;
    state->gradient[0] = gradient0;
    state->gradient[1] = gradient1;
    state->hessian[0] = hessian00;
    state->hessian[1] = hessian01;
    state->hessian[2] = hessian11;
}

/* Newton's method on the ridge-penalised weighted log-likelihood, in x
 * centred at its weighted mean (which decorrelates the two coefficients
 * and keeps the Hessian well conditioned). The objective is strictly
 * concave, so Newton with step halving converges from zero. */
static void logistic_regression(const double *x, const unsigned char *y, const double *weight,
                                size_t count, struct logistic_fit *fit)
{
    double total = 0, centre = 0;
    for (size_t index = 0; index < count; index++) {
        total += weight[index];
        centre += weight[index] * x[index];
    }
    centre /= total;
    double level = 0, slope = 0;
    struct logistic_state current, trial;
    logistic_evaluate(x, y, weight, count, centre, level, slope, &current);
    for (int iteration = 0; iteration < 200; iteration++) {
        const double *h = current.hessian;
        double determinant = h[0] * h[2] - h[1] * h[1];
        double step0 = (h[2] * current.gradient[0] - h[1] * current.gradient[1]) / determinant;
        double step1 = (h[0] * current.gradient[1] - h[1] * current.gradient[0]) / determinant;
        double scale = 1.0;
        for (int halving = 0; halving < 40; halving++, scale *= 0.5) {
            logistic_evaluate(x, y, weight, count, centre, level + scale * step0,
                              slope + scale * step1, &trial);
            if (trial.value >= current.value)
                break;
        }
        if (!(trial.value >= current.value))
            break; /* no ascent left at machine precision */
        level += scale * step0;
        slope += scale * step1;
        current = trial;
        if (fabs(scale * step0) + fabs(scale * step1) < 1e-10)
            break;
    }
    fit->intercept = level - slope * centre;
    fit->slope = slope;
}

/* The horizon of a fit, in log2 minutes, with the conventions of
 * enum horizon_status for fits that do not fall with task length. */
static enum horizon_status horizon_of(const struct logistic_fit *fit, size_t successes,
                                      size_t count, double success_rate, double mean_x,
                                      double *log2_minutes)
{
    double target = log(success_rate / (1.0 - success_rate));
    if (successes == 0) {
        *log2_minutes = -INFINITY;
        return HORIZON_ALL_FAILED;
    }
    if (successes == count) {
        *log2_minutes = INFINITY;
        return HORIZON_ALL_SUCCEEDED;
    }
    if (!(fit->slope < 0)) {
        double at_mean = fit->intercept + fit->slope * mean_x;
        *log2_minutes = at_mean >= target ? INFINITY : -INFINITY;
        return HORIZON_NOT_DECREASING;
    }
    *log2_minutes = (target - fit->intercept) / fit->slope;
    return HORIZON_ESTIMATED;
}

/* ---- One agent ---------------------------------------------------------- */

struct task_order {
    size_t family;
    size_t task;
};

static int compare_task_order(const void *left, const void *right)
{
    const struct task_order *a = left, *b = right;
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return a->task < b->task ? -1 : a->task > b->task;
}

static int compare_double(const void *left, const void *right)
{
    double a = *(const double *)left, b = *(const double *)right;
    return a < b ? -1 : a > b;
}

/* Percentile of sorted values (type 7, linear between order statistics);
 * next to an infinite neighbour the outer neighbour is taken, which keeps
 * an interval end unbounded rather than inventing a number. */
static double percentile(const double *sorted, size_t count, double probability, int upper)
{
    double position = probability * (double)(count - 1);
    size_t below = (size_t)floor(position);
    size_t above = below + 1 < count ? below + 1 : below;
    double fraction = position - (double)below;
    if (!isfinite(sorted[below]) || !isfinite(sorted[above]))
        return upper ? sorted[above] : sorted[below];
    return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

int horizon_logistic_estimate(const double *log2_minutes, const unsigned char *success,
                              const size_t *family, size_t count,
                              const struct horizon_options *options,
                              struct horizon_estimate *estimate, struct assay_error *error)
{
    memset(estimate, 0, sizeof *estimate);
    estimate->lower = estimate->upper = NAN;
    int status = check_options(options, error);
    if (status != ASSAY_OK)
        return status;
    estimate->task_count = count;
    for (size_t index = 0; index < count; index++) {
        if (!isfinite(log2_minutes[index]))
            return assay_error_set(error, ASSAY_ERR_INVALID, "task %zu has a non-finite log2 time",
                                   index);
        estimate->success_count += success[index] != 0;
    }
    if (count == 0 || count < options->minimum_tasks) {
        estimate->status = HORIZON_TOO_FEW_TASKS;
        return ASSAY_OK;
    }

    /* Group the tasks by family: order[] lists them family by family. */
    struct task_order *order = assay_malloc(count * sizeof *order);
    size_t *family_start = assay_malloc((count + 1) * sizeof *family_start);
    double *weight = assay_malloc(count * sizeof *weight);
    double *sample_x = NULL, *sample_weight = NULL, *horizons = NULL;
    unsigned char *sample_y = NULL;
    if (order == NULL || family_start == NULL || weight == NULL) {
        status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory estimating a horizon");
        goto done;
    }
    for (size_t index = 0; index < count; index++) {
        order[index].family = family != NULL ? family[index] : index;
        order[index].task = index;
    }
    qsort(order, count, sizeof *order, compare_task_order);
    size_t families = 0, largest_family = 0;
    for (size_t index = 0; index < count; index++)
        if (index == 0 || order[index].family != order[index - 1].family)
            family_start[families++] = index;
    family_start[families] = count;
    for (size_t group = 0; group < families; group++) {
        size_t size = family_start[group + 1] - family_start[group];
        largest_family = size > largest_family ? size : largest_family;
        for (size_t index = family_start[group]; index < family_start[group + 1]; index++)
            weight[order[index].task] = options->family_weighting ? 1.0 / sqrt((double)size) : 1.0;
    }
    estimate->family_count = families;

    double minimum_x = INFINITY, maximum_x = -INFINITY, mean_x = 0;
    for (size_t index = 0; index < count; index++) {
        minimum_x = fmin(minimum_x, log2_minutes[index]);
        maximum_x = fmax(maximum_x, log2_minutes[index]);
        mean_x += log2_minutes[index] / (double)count;
    }
    struct logistic_fit fit;
    logistic_regression(log2_minutes, success, weight, count, &fit);
    double horizon;
    estimate->status =
        horizon_of(&fit, estimate->success_count, count, options->success_rate, mean_x, &horizon);
    estimate->intercept = fit.intercept;
    estimate->slope = fit.slope;
    estimate->minutes = exp2(horizon);
    estimate->extrapolated =
        estimate->status == HORIZON_ESTIMATED && (horizon < minimum_x || horizon > maximum_x);
    if (options->bootstrap_replicates == 0)
        goto done;

    /* Hierarchical bootstrap: draw as many families as there are, with
     * replacement; within each drawn family draw as many of its tasks as
     * it has, with replacement; weights follow the drawn family's size. A
     * family drawn twice counts as two families. */
    size_t capacity = families * largest_family, replicates = options->bootstrap_replicates;
    sample_x = assay_malloc(capacity * sizeof *sample_x);
    sample_weight = assay_malloc(capacity * sizeof *sample_weight);
    sample_y = assay_malloc(capacity);
    horizons = assay_malloc(replicates * sizeof *horizons);
    if (sample_x == NULL || sample_weight == NULL || sample_y == NULL || horizons == NULL) {
        status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory in the bootstrap");
        goto done;
    }
    struct stats_random random;
    stats_random_seed(&random, options->seed);
    for (size_t replicate = 0; replicate < replicates; replicate++) {
        size_t size = 0, successes = 0;
        double sample_mean = 0;
        for (size_t draw = 0; draw < families; draw++) {
            size_t group = (size_t)stats_random_below(&random, families);
            size_t first = family_start[group], members = family_start[group + 1] - first;
            double member_weight = options->family_weighting ? 1.0 / sqrt((double)members) : 1.0;
            for (size_t pick = 0; pick < members; pick++) {
                size_t task = order[first + (size_t)stats_random_below(&random, members)].task;
                sample_x[size] = log2_minutes[task];
                sample_y[size] = success[task] != 0;
                sample_weight[size] = member_weight;
                successes += sample_y[size];
                sample_mean += sample_x[size];
                size++;
            }
        }
        assert(size <= capacity);
        struct logistic_fit resample;
        logistic_regression(sample_x, sample_y, sample_weight, size, &resample);
        if (horizon_of(&resample, successes, size, options->success_rate,
                       sample_mean / (double)size, &horizons[replicate]) != HORIZON_ESTIMATED)
            estimate->bootstrap_degenerate++;
    }
    qsort(horizons, replicates, sizeof *horizons, compare_double);
    double tail = 0.5 * (1.0 - options->confidence);
    estimate->lower = exp2(percentile(horizons, replicates, tail, 0));
    estimate->upper = exp2(percentile(horizons, replicates, 1.0 - tail, 1));
done:
    assay_free(order);
    assay_free(family_start);
    assay_free(weight);
    assay_free(sample_x);
    assay_free(sample_weight);
    assay_free(sample_y);
    assay_free(horizons);
    return status;
}

/* ---- BRIDGE anchoring --------------------------------------------------- */

int horizon_anchor_fit(const struct irt_fit *fit, const struct horizon_minutes *minutes,
                       horizon_item_filter include, void *context, struct horizon_anchor *anchor,
                       struct assay_error *error)
{
    memset(anchor, 0, sizeof *anchor);
    /* Two passes (means, then centred sums) rather than raw sums of
     * squares, which lose digits when the difficulties are far from 0. */
    double mean_x = 0, mean_y = 0;
    size_t count = 0;
    for (int pass = 0; pass < 2; pass++) {
        double sxx = 0, sxy = 0, syy = 0;
        for (size_t item = 0; item < fit->item_count; item++) {
            double value;
            if (horizon_minutes_lookup(minutes, fit->item_ids[item], &value) != ASSAY_OK)
                continue;
            if (include != NULL && !include(fit->item_ids[item], context))
                continue;
            double x = fit->items[item].difficulty, y = log(value);
            if (pass == 0) {
                mean_x += x;
                mean_y += y;
                count++;
            } else {
                sxx += (x - mean_x) * (x - mean_x);
                sxy += (x - mean_x) * (y - mean_y);
                syy += (y - mean_y) * (y - mean_y);
            }
        }
        if (pass == 0) {
            if (count < 3)
                return assay_error_set(error, ASSAY_ERR_INVALID,
                                       "only %zu fitted items have a human time; the anchoring "
                                       "regression needs at least 3",
                                       count);
            mean_x /= (double)count;
            mean_y /= (double)count;
            continue;
        }
        if (!(sxx > 0))
            return assay_error_set(error, ASSAY_ERR_INVALID,
                                   "the items with human times all have the same difficulty");
        anchor->slope = sxy / sxx;
        anchor->intercept = mean_y - anchor->slope * mean_x;
        double residual = syy - anchor->slope * sxy;
        anchor->r_squared = syy > 0 ? 1.0 - residual / syy : 1.0;
        anchor->residual_sd = sqrt(fmax(residual, 0.0) / (double)(count - 2));
        anchor->item_count = count;
    }
    return ASSAY_OK;
}

double horizon_anchor_minutes(const struct horizon_anchor *anchor, double value)
{
    return exp(anchor->intercept + anchor->slope * value);
}

/* ---- Tables -------------------------------------------------------------- */

void horizon_table_free(struct horizon_table *table)
{
    if (table == NULL)
        return;
    for (size_t agent = 0; agent < table->agent_count; agent++)
        assay_free(table->agents[agent].subject_id);
    assay_free(table->agents);
    assay_free(table);
}

static uint64_t hash_text(const char *text)
{
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (; *text != '\0'; text++) {
        hash ^= (unsigned char)*text;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

int horizon_table_estimate(const struct irt_responses *responses,
                           const struct horizon_minutes *minutes,
                           const struct horizon_options *options, struct horizon_table **result,
                           struct assay_error *error)
{
    *result = NULL;
    struct horizon_options defaults;
    if (options == NULL) {
        horizon_options_default(&defaults);
        options = &defaults;
    }
    int status = check_options(options, error);
    if (status != ASSAY_OK)
        return status;
    size_t items = irt_responses_item_count(responses);
    size_t subjects = irt_responses_subject_count(responses);
    struct stats__string_table family_names = {0};
    double *item_log2_minutes = assay_malloc((items + 1) * sizeof(double));
    size_t *item_family = assay_malloc((items + 1) * sizeof(size_t));
    double *task_x = assay_malloc((items + 1) * sizeof(double));
    unsigned char *task_y = assay_malloc(items + 1);
    size_t *task_family = assay_malloc((items + 1) * sizeof(size_t));
    struct horizon_table *table = assay_calloc(1, sizeof *table);
    if (item_log2_minutes == NULL || item_family == NULL || task_x == NULL || task_y == NULL ||
        task_family == NULL || table == NULL)
        goto out_of_memory;
    table->options = *options;
    table->agents = assay_calloc(subjects + 1, sizeof *table->agents);
    if (table->agents == NULL)
        goto out_of_memory;

    /* Per item, once: its time (NaN: none, or filtered out) and family. */
    for (size_t item = 0; item < items; item++) {
        const char *id = irt_responses_item_id(responses, item);
        double value;
        item_log2_minutes[item] = NAN;
        if (horizon_minutes_lookup(minutes, id, &value) == ASSAY_OK &&
            (options->include_item == NULL || options->include_item(id, options->include_context)))
            item_log2_minutes[item] = log2(value);
        const char *separator =
            options->family_separator != '\0' ? strchr(id, options->family_separator) : NULL;
        size_t length = separator != NULL ? (size_t)(separator - id) : strlen(id);
        uint32_t family;
        if (separator == NULL) {
            item_family[item] = SIZE_MAX - item; /* alone in its family */
            continue;
        }
        if ((status = stats__string_table_intern(&family_names, id, length, &family, NULL)) !=
            ASSAY_OK)
            goto out_of_memory;
        item_family[item] = family;
    }

    for (size_t subject = 0; subject < subjects; subject++, table->agent_count++) {
        struct horizon_agent *agent = &table->agents[subject];
        const char *id = irt_responses_subject_id(responses, subject);
        if ((agent->subject_id = assay_strdup(id)) == NULL)
            goto out_of_memory;
        const uint32_t *halves[2];
        size_t sizes[2], count = 0;
        irt_responses_subject_items(responses, subject, &halves[0], &sizes[0], &halves[1],
                                    &sizes[1]);
        for (int half = 0; half < 2; half++)
            for (size_t index = 0; index < sizes[half]; index++) {
                uint32_t item = halves[half][index];
                if (isnan(item_log2_minutes[item]))
                    continue;
                task_x[count] = item_log2_minutes[item];
                task_y[count] = half == 0;
                task_family[count] = item_family[item];
                count++;
            }
        struct horizon_options agent_options = *options;
        agent_options.seed = stats_random_mix(options->seed ^ hash_text(id));
        status = horizon_logistic_estimate(task_x, task_y, task_family, count, &agent_options,
                                           &agent->logistic, error);
        if (status != ASSAY_OK) {
            table->agent_count++;
            goto done;
        }
    }
    *result = table;
    table = NULL;
    goto done;
out_of_memory:
    status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory estimating horizons");
done:
    horizon_table_free(table);
    stats__string_table_free(&family_names);
    assay_free(item_log2_minutes);
    assay_free(item_family);
    assay_free(task_x);
    assay_free(task_y);
    assay_free(task_family);
    return status;
}

int horizon_table_find(const struct horizon_table *table, const char *subject_id,
                       const struct horizon_agent **agent)
{
    /* Linear: tables hold hundreds of agents and are searched rarely. */
    for (size_t index = 0; index < table->agent_count; index++)
        if (strcmp(table->agents[index].subject_id, subject_id) == 0) {
            *agent = &table->agents[index];
            return ASSAY_OK;
        }
    return ASSAY_ERR_NOT_FOUND;
}

int horizon_table_add_anchor(struct horizon_table *table, const struct irt_fit *fit,
                             const struct horizon_anchor *anchor)
{
    /* z for the table's confidence level, by bisection on erfc: exact to
     * 1e-12 and free of a quantile-function dependency. */
    double tail = 1.0 - table->options.confidence, low = 0.0, high = 10.0;
    while (high - low > 1e-12) {
        double middle = 0.5 * (low + high);
        if (erfc(middle / M_SQRT2) > tail)
            low = middle;
        else
            high = middle;
    }
    double z = 0.5 * (low + high);
    struct stats__string_table index = {0};
    for (size_t subject = 0; subject < fit->subject_count; subject++) {
        uint32_t position;
        int status = stats__string_table_intern(&index, fit->subject_ids[subject],
                                                strlen(fit->subject_ids[subject]), &position, NULL);
        if (status != ASSAY_OK) {
            stats__string_table_free(&index);
            return status;
        }
    }
    for (size_t agent = 0; agent < table->agent_count; agent++) {
        struct horizon_agent *row = &table->agents[agent];
        uint32_t subject;
        if (stats__string_table_find(&index, row->subject_id, &subject) != ASSAY_OK)
            continue;
        const struct irt_subject_estimate *estimate = &fit->subjects[subject];
        row->anchored = 1;
        row->ability = estimate->ability;
        row->ability_sd = estimate->ability_sd;
        row->anchored_minutes = horizon_anchor_minutes(anchor, estimate->ability);
        /* exp is monotone; a negative slope would swap the ends. */
        double first = horizon_anchor_minutes(anchor, estimate->ability - z * estimate->ability_sd);
        double second =
            horizon_anchor_minutes(anchor, estimate->ability + z * estimate->ability_sd);
        row->anchored_lower = fmin(first, second);
        row->anchored_upper = fmax(first, second);
    }
    stats__string_table_free(&index);
    table->has_anchor = 1;
    table->anchor = *anchor;
    return ASSAY_OK;
}
