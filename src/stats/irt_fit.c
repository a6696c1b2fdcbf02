/* irt_fit.c — 2PL by marginal maximum likelihood: Bock–Aitkin EM.
 *
 * Abilities are integrated out over a fixed grid of nodes θ_q carrying the
 * N(0, 1) prior. Each iteration:
 *   E-step: for every subject j, log L_j(θ_q) + log w_q, normalised by
 *     log-sum-exp into posterior weights π_jq.
 *   M-step: for every item, expected respondents n_iq = Σ_j π_jq and
 *     expected correct r_iq = Σ_{j correct} π_jq at each node; then Newton
 *     steps on (log a, b) for Σ_q r z − n softplus(z) + log prior.
 *   Rescaling: the items are re-expressed on the scale where the subjects'
 *     pooled posterior has mean 0 and variance 1 (see maximisation()).
 * and every second iteration a SQUAREM extrapolation.
 *
 * The grid starts as Gauss–Hermite (options->quadrature_nodes) and is
 * replaced by a finer equally spaced one when some subject's posterior is
 * narrower than half the node spacing (see "Grid refinement" below): a
 * too-coarse grid does not merely lose accuracy, it stretches the scale.
 *
 * Why it is fast (the cost model; R = responses, S subjects, I items):
 *   - log σ(z) = z + log(1 − σ(z)) and z = a(θ − b) is linear in θ, so the
 *     correct responses of a subject contribute θ_q·Σa − Σab: two sums over
 *     its correct items, O(R) per iteration instead of O(R·Q).
 *   - log(1 − p_iq) is tabulated once per iteration (I·Q softplus calls);
 *     each subject adds the rows of the items it answered, or, when it
 *     answered most items, subtracts the rows of the few it missed from the
 *     all-items total. For a dense matrix the E-step is O(R + S·Q).
 *   - Posterior weights below 1e-15 are zeroed, so each subject has a short
 *     window of non-zero nodes; sums over subjects and, on the fine grid,
 *     the E-step itself run over windows only.
 *   - r_iq sums posterior rows over the correct subjects of an item or, when
 *     they are the majority, n_iq minus the sum over the incorrect ones, so
 *     the M-step touches at most half the responses.
 *   - All buffers are allocated once per grid; rows are padded to a multiple
 *     of four nodes so that the inner loops are unrolled and vectorised.
 * Standard errors use Louis' formula per item (observed information = the
 * complete-data information minus the posterior variance of the score),
 * one pass over the responses after convergence; they ignore covariances
 * between items and are conditional on the fixed scale. Abilities are EAPs;
 * where a subject's posterior is narrower than the node spacing the grid is
 * not trusted and the subject is re-integrated by adaptive Gauss–Hermite
 * quadrature centred on its posterior mode. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"
#include "stats/irt_internal.h"

#define ADAPTIVE_NODES 9    /* adaptive Gauss–Hermite nodes for EAP refinement */
#define NEWTON_STEPS   25   /* most Newton steps per item per EM iteration */
#define MAX_STEP       1.0  /* largest change of log a or b in one scoring step */
#define PRIOR_SUBJECTS 10.0 /* pseudo-subjects in the rescaling moments */

struct workspace {
    const struct irt_responses *responses;
    struct irt_options options;
    /* Item parameters and per-item scratch. */
    double *log_discrimination;
    double *difficulty;
    double *discrimination;            /* exp(log a), refreshed with the tables */
    double *discrimination_difficulty; /* a·b */
    double *item_change;
    /* The quadrature grid and everything sized by it (see set_grid). */
    int grid_equally_spaced; /* 0: Gauss–Hermite; 1: refined, equally spaced */
    size_t node_count;
    size_t stride;          /* node_count rounded up to a multiple of 4 */
    double spacing;         /* of the equally spaced grid */
    double *nodes;          /* θ_q */
    double *log_prior;      /* log of the normalised prior weight of each node */
    double *log_fail;       /* I × stride: log(1 − p_iq) */
    double *log_fail_total; /* Σ_i log_fail */
    double *posterior;      /* S × stride: π_jq, exactly 0 outside the window */
    double *posterior_total;
    double *respondents; /* n_iq of the item being updated */
    double *correct;     /* r_iq */
    size_t active_begin; /* nodes with n_iq > 0 lie in [active_begin, active_end) */
    size_t active_end;
    double *probability_row; /* p_iq, for standard errors */
    double *product_row;     /* p_iq z_iq */
    /* Per subject: the 4-aligned node range [begin, end) holding its
     * posterior mass, and its posterior mean on the grid. */
    uint32_t *window_begin;
    uint32_t *window_end;
    int windows_valid; /* the windows belong to the present grid */
    double *subject_mean;
    /* Pooled over subjects: mean and variance of the posteriors. */
    double pooled_mean;
    double pooled_variance;
    double *previous_log_discrimination; /* parameters before the iteration */
    double *previous_difficulty;
    double *squarem; /* 6 × I: log a and b at x0, x1, x2 of the extrapolation */
    /* Per row: 1 when the complement (missing entries) is shorter than the
     * present ones, and that complement. */
    unsigned char *subject_uses_missing;
    size_t *subject_missing_start;
    uint32_t *subject_missing;
    unsigned char *item_uses_missing;
    size_t *item_missing_start;
    uint32_t *item_missing;
};

void irt_options_default(struct irt_options *options)
{
    options->quadrature_nodes = 41;
    options->max_iterations = 1000;
    options->tolerance = 1e-4;
    options->log_discrimination_mean = 0.0;
    options->log_discrimination_sd = 1.0;
    options->difficulty_mean = 0.0;
    options->difficulty_sd = 3.0;
    options->progress = NULL;
    options->progress_context = NULL;
}

double irt_probability(const struct irt_item_estimate *item, double ability)
{
    return 1.0 / (1.0 + exp(-item->discrimination * (ability - item->difficulty)));
}

static int check_options(const struct irt_options *options, struct assay_error *error)
{
    if (options->quadrature_nodes < 5 || options->quadrature_nodes > 201)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "quadrature nodes must be between 5 and 201, got %zu",
                               options->quadrature_nodes);
    if (options->max_iterations < 1)
        return assay_error_set(error, ASSAY_ERR_INVALID, "at least one EM iteration is needed");
    if (!(options->tolerance > 0) || !isfinite(options->tolerance))
        return assay_error_set(error, ASSAY_ERR_INVALID, "the tolerance must be positive");
    if (!(options->log_discrimination_sd > 0) || !isfinite(options->log_discrimination_sd) ||
        !(options->difficulty_sd > 0) || !isfinite(options->difficulty_sd) ||
        !isfinite(options->log_discrimination_mean) || !isfinite(options->difficulty_mean))
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "prior means must be finite and prior standard deviations "
                               "positive and finite");
    return ASSAY_OK;
}

/* ---- Vector kernels: 4-wide unrolled loops over 4-aligned ranges ------- */

static void add_row(double *restrict sum, const double *restrict row, size_t begin, size_t end)
{
    for (size_t node = begin; node < end; node += 4) {
        sum[node] += row[node];
        sum[node + 1] += row[node + 1];
        sum[node + 2] += row[node + 2];
        sum[node + 3] += row[node + 3];
    }
}

static void subtract_row(double *restrict sum, const double *restrict row, size_t begin, size_t end)
{
    for (size_t node = begin; node < end; node += 4) {
        sum[node] -= row[node];
        sum[node + 1] -= row[node + 1];
        sum[node + 2] -= row[node + 2];
        sum[node + 3] -= row[node + 3];
    }
}

static double dot_row(const double *restrict left, const double *restrict right, size_t begin,
                      size_t end)
{
    double sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
    for (size_t node = begin; node < end; node += 4) {
        sum0 += left[node] * right[node];
        sum1 += left[node + 1] * right[node + 1];
        sum2 += left[node + 2] * right[node + 2];
        sum3 += left[node + 3] * right[node + 3];
    }
    return (sum0 + sum1) + (sum2 + sum3);
}

/* ---- Setup ------------------------------------------------------------- */

static void free_grid(struct workspace *work)
{
    assay_free(work->nodes);
    assay_free(work->log_prior);
    assay_free(work->log_fail);
    assay_free(work->log_fail_total);
    assay_free(work->posterior);
    assay_free(work->posterior_total);
    assay_free(work->respondents);
    assay_free(work->correct);
    assay_free(work->probability_row);
    assay_free(work->product_row);
    work->nodes = work->log_prior = work->log_fail = work->log_fail_total = NULL;
    work->posterior = work->posterior_total = work->respondents = work->correct = NULL;
    work->probability_row = work->product_row = NULL;
}

static void workspace_free(struct workspace *work)
{
    free_grid(work);
    assay_free(work->log_discrimination);
    assay_free(work->difficulty);
    assay_free(work->discrimination);
    assay_free(work->discrimination_difficulty);
    assay_free(work->item_change);
    assay_free(work->window_begin);
    assay_free(work->window_end);
    assay_free(work->subject_mean);
    assay_free(work->previous_log_discrimination);
    assay_free(work->previous_difficulty);
    assay_free(work->squarem);
    assay_free(work->subject_uses_missing);
    assay_free(work->subject_missing_start);
    assay_free(work->subject_missing);
    assay_free(work->item_uses_missing);
    assay_free(work->item_missing_start);
    assay_free(work->item_missing);
}

/* Allocates the grid-sized buffers for `node_count` nodes; the caller fills
 * nodes and log_prior. */
static int set_grid(struct workspace *work, size_t node_count)
{
    free_grid(work);
    work->windows_valid = 0;
    size_t stride = (node_count + 3) & ~(size_t)3;
    size_t subjects = work->responses->subject_count, items = work->responses->item_count;
    work->node_count = node_count;
    work->stride = stride;
    work->nodes = assay_calloc(stride, sizeof(double));
    work->log_prior = assay_calloc(stride, sizeof(double));
    work->log_fail = assay_calloc(items * stride, sizeof(double));
    work->log_fail_total = assay_calloc(stride, sizeof(double));
    work->posterior = assay_calloc(subjects * stride, sizeof(double));
    work->posterior_total = assay_calloc(stride, sizeof(double));
    work->respondents = assay_calloc(stride, sizeof(double));
    work->correct = assay_calloc(stride, sizeof(double));
    work->probability_row = assay_calloc(stride, sizeof(double));
    work->product_row = assay_calloc(stride, sizeof(double));
    if (work->nodes == NULL || work->log_prior == NULL || work->log_fail == NULL ||
        work->log_fail_total == NULL || work->posterior == NULL || work->posterior_total == NULL ||
        work->respondents == NULL || work->correct == NULL || work->probability_row == NULL ||
        work->product_row == NULL)
        return ASSAY_ERR_NOMEM;
    return ASSAY_OK;
}

static int set_gauss_hermite_grid(struct workspace *work, size_t node_count)
{
    int status = set_grid(work, node_count);
    if (status == ASSAY_OK)
        status = irt__gauss_hermite(node_count, work->nodes, work->log_prior);
    if (status != ASSAY_OK)
        return status;
    /* ∫ f(θ) φ(θ) dθ = π^{-1/2} Σ w_q f(√2 x_q). */
    for (size_t node = 0; node < node_count; node++) {
        work->nodes[node] *= M_SQRT2;
        work->log_prior[node] -= 0.5 * log(M_PI);
    }
    work->grid_equally_spaced = 0;
    work->spacing = 0;
    return ASSAY_OK;
}

/* Nodes −limit, −limit + spacing, ..., +limit with weights φ(θ_q)
 * normalised to sum to 1: the prior truncated to ±limit (limit ≥ 5, where
 * less than 6e-7 of the N(0, 1) mass lies outside). */
static int set_equally_spaced_grid(struct workspace *work, double spacing, double limit)
{
    size_t half = (size_t)ceil(limit / spacing);
    int status = set_grid(work, 2 * half + 1);
    if (status != ASSAY_OK)
        return status;
    double total = 0;
    for (size_t node = 0; node < work->node_count; node++) {
        double theta = ((double)node - (double)half) * spacing;
        work->nodes[node] = theta;
        work->log_prior[node] = -0.5 * theta * theta;
        total += exp(work->log_prior[node]);
    }
    for (size_t node = 0; node < work->node_count; node++)
        work->log_prior[node] -= log(total);
    work->grid_equally_spaced = 1;
    work->spacing = spacing;
    return ASSAY_OK;
}

/* For every row (subject or item) whose missing entries are fewer than its
 * present ones, lists the missing column indices. Rows are the halves
 * [start, split) and [split, end) of `entries`, each ascending. */
static int build_complements(size_t row_count, size_t column_count, const size_t *start,
                             const size_t *split, const uint32_t *entries,
                             unsigned char **uses_missing, size_t **missing_start,
                             uint32_t **missing)
{
    *uses_missing = assay_calloc(row_count + 1, 1);
    *missing_start = assay_calloc(row_count + 1, sizeof(size_t));
    if (*uses_missing == NULL || *missing_start == NULL)
        return ASSAY_ERR_NOMEM;
    size_t total = 0;
    for (size_t row = 0; row < row_count; row++) {
        size_t present = start[row + 1] - start[row];
        (*missing_start)[row] = total;
        if (column_count - present < present) {
            (*uses_missing)[row] = 1;
            total += column_count - present;
        }
    }
    (*missing_start)[row_count] = total;
    *missing = assay_malloc((total + 1) * sizeof(uint32_t));
    if (*missing == NULL)
        return ASSAY_ERR_NOMEM;
    for (size_t row = 0; row < row_count; row++) {
        if (!(*uses_missing)[row])
            continue;
        /* Merge the two ascending halves and emit the gaps. */
        size_t first = start[row], first_end = split[row];
        size_t second = split[row], second_end = start[row + 1];
        size_t out = (*missing_start)[row];
        for (size_t column = 0; column < column_count; column++) {
            if (first < first_end && entries[first] == column)
                first++;
            else if (second < second_end && entries[second] == column)
                second++;
            else
                (*missing)[out++] = (uint32_t)column;
        }
        assert(out == (*missing_start)[row + 1]);
    }
    return ASSAY_OK;
}

static int workspace_create(struct workspace *work, const struct irt_responses *responses,
                            const struct irt_options *options)
{
    memset(work, 0, sizeof *work);
    work->responses = responses;
    work->options = *options;
    size_t subjects = responses->subject_count, items = responses->item_count;
    work->log_discrimination = assay_calloc(items, sizeof(double));
    work->difficulty = assay_calloc(items, sizeof(double));
    work->discrimination = assay_calloc(items, sizeof(double));
    work->discrimination_difficulty = assay_calloc(items, sizeof(double));
    work->item_change = assay_calloc(items, sizeof(double));
    work->window_begin = assay_calloc(subjects, sizeof(uint32_t));
    work->window_end = assay_calloc(subjects, sizeof(uint32_t));
    work->subject_mean = assay_calloc(subjects, sizeof(double));
    work->previous_log_discrimination = assay_calloc(items, sizeof(double));
    work->previous_difficulty = assay_calloc(items, sizeof(double));
    work->squarem = assay_calloc(6 * items, sizeof(double));
    if (work->log_discrimination == NULL || work->difficulty == NULL ||
        work->discrimination == NULL || work->discrimination_difficulty == NULL ||
        work->item_change == NULL || work->window_begin == NULL || work->window_end == NULL ||
        work->subject_mean == NULL || work->previous_log_discrimination == NULL ||
        work->previous_difficulty == NULL || work->squarem == NULL)
        return ASSAY_ERR_NOMEM;
    int status = set_gauss_hermite_grid(work, options->quadrature_nodes);
    if (status == ASSAY_OK)
        status =
            build_complements(subjects, items, responses->subject_start, responses->subject_split,
                              responses->subject_items, &work->subject_uses_missing,
                              &work->subject_missing_start, &work->subject_missing);
    if (status == ASSAY_OK)
        status = build_complements(items, subjects, responses->item_start, responses->item_split,
                                   responses->item_subjects, &work->item_uses_missing,
                                   &work->item_missing_start, &work->item_missing);
    return status;
}

/* Starting values: a = 1 and b from the item's proportion correct, using
 * E[σ(θ − b)] ≈ σ(−0.86 b) for θ ~ N(0, 1). */
static void initialise_items(struct workspace *work)
{
    const struct irt_responses *responses = work->responses;
    for (size_t item = 0; item < responses->item_count; item++) {
        double total = (double)(responses->item_start[item + 1] - responses->item_start[item]);
        double correct = (double)(responses->item_split[item] - responses->item_start[item]);
        double proportion = total > 0 ? correct / total : 0.5;
        proportion = fmin(fmax(proportion, 0.02), 0.98);
        work->log_discrimination[item] = 0.0;
        work->difficulty[item] = -log(proportion / (1 - proportion)) / 0.86;
    }
}

/* ---- E-step ------------------------------------------------------------ */

static void refresh_tables(struct workspace *work)
{
    size_t stride = work->stride, node_count = work->node_count;
    memset(work->log_fail_total, 0, stride * sizeof(double));
    for (size_t item = 0; item < work->responses->item_count; item++) {
        double discrimination = exp(work->log_discrimination[item]);
        double difficulty = work->difficulty[item];
        work->discrimination[item] = discrimination;
        work->discrimination_difficulty[item] = discrimination * difficulty;
        double *row = work->log_fail + item * stride;
        for (size_t node = 0; node < node_count; node++)
            row[node] = -irt__softplus(discrimination * (work->nodes[node] - difficulty));
        add_row(work->log_fail_total, row, 0, stride);
    }
}

/* Posterior weights below this (relative to 1) are set to exactly zero, so
 * that later sums can skip them: each subject's row then has a short window
 * of non-zero nodes, which is what keeps a fine grid affordable. */
#define POSTERIOR_FLOOR 1e-15

/* The E-step of one subject over the nodes [begin, end) (4-aligned): log
 * likelihood plus log prior into `row`. Returns the largest value. */
static double subject_log_posterior_row(const struct workspace *work, size_t subject, double *row,
                                        size_t begin, size_t end, double slope_sum,
                                        double offset_sum)
{
    const struct irt_responses *responses = work->responses;
    size_t stride = work->stride;
    if (work->subject_uses_missing[subject]) {
        memcpy(row + begin, work->log_fail_total + begin, (end - begin) * sizeof(double));
        for (size_t index = work->subject_missing_start[subject];
             index < work->subject_missing_start[subject + 1]; index++)
            subtract_row(row, work->log_fail + work->subject_missing[index] * stride, begin, end);
    } else {
        memset(row + begin, 0, (end - begin) * sizeof(double));
        for (size_t index = responses->subject_start[subject];
             index < responses->subject_start[subject + 1]; index++)
            add_row(row, work->log_fail + responses->subject_items[index] * stride, begin, end);
    }
    double largest = -INFINITY;
    size_t last = end < work->node_count ? end : work->node_count;
    for (size_t node = begin; node < last; node++) {
        row[node] += work->log_prior[node] + work->nodes[node] * slope_sum - offset_sum;
        largest = row[node] > largest ? row[node] : largest;
    }
    return largest;
}

/* How far below its peak a log posterior must be at both ends of the
 * computed range for the rest to be negligible: e^-40 < 1e-17. */
#define WINDOW_EDGE_DROP 40.0
/* Nodes added on each side of last iteration's window. */
#define WINDOW_MARGIN 8

/* Posterior weights of every subject; returns the marginal log-likelihood.
 *
 * On the equally spaced grid only a window of nodes around last
 * iteration's posterior is computed: the log posterior of θ is concave
 * (a sum of concave log-likelihoods and a normal log prior), so when it has
 * fallen by WINDOW_EDGE_DROP at both ends of the range it is smaller still
 * everywhere outside it. Otherwise the whole grid is computed. This turns
 * the sparse-subject E-step from O(R·Q) into O(R·window). The Gauss–Hermite
 * grid's log weights are not exactly concave, so it always uses all nodes. */
static double expectation(struct workspace *work)
{
    const struct irt_responses *responses = work->responses;
    size_t stride = work->stride, node_count = work->node_count;
    double log_likelihood = 0.0, pooled_first = 0.0, pooled_second = 0.0;
    memset(work->posterior_total, 0, stride * sizeof(double));
    for (size_t subject = 0; subject < responses->subject_count; subject++) {
        double *row = work->posterior + subject * stride;
        size_t start = responses->subject_start[subject];
        size_t split = responses->subject_split[subject];
        double slope_sum = 0.0, offset_sum = 0.0;
        for (size_t index = start; index < split; index++) {
            uint32_t item = responses->subject_items[index];
            slope_sum += work->discrimination[item];
            offset_sum += work->discrimination_difficulty[item];
        }
        size_t begin = 0, end = stride;
        if (work->windows_valid) {
            begin = work->window_begin[subject] > WINDOW_MARGIN
                        ? work->window_begin[subject] - WINDOW_MARGIN
                        : 0;
            end = work->window_end[subject] + WINDOW_MARGIN < stride
                      ? work->window_end[subject] + WINDOW_MARGIN
                      : stride;
        }
        double largest =
            subject_log_posterior_row(work, subject, row, begin, end, slope_sum, offset_sum);
        size_t last = end < node_count ? end : node_count;
        if ((begin > 0 && row[begin] > largest - WINDOW_EDGE_DROP) ||
            (last < node_count && row[last - 1] > largest - WINDOW_EDGE_DROP)) {
            begin = 0;
            end = stride;
            last = node_count;
            largest =
                subject_log_posterior_row(work, subject, row, begin, end, slope_sum, offset_sum);
        }
        double sum = 0.0;
        for (size_t node = begin; node < last; node++) {
            row[node] = exp(row[node] - largest);
            sum += row[node];
        }
        double scale = 1.0 / sum, mean = 0.0, second = 0.0;
        size_t first = last, final = begin;
        for (size_t node = begin; node < last; node++) {
            row[node] *= scale;
            if (row[node] < POSTERIOR_FLOOR) {
                row[node] = 0.0;
                continue;
            }
            first = node < first ? node : first;
            final = node;
            mean += row[node] * work->nodes[node];
            second += row[node] * work->nodes[node] * work->nodes[node];
        }
        for (size_t node = last; node < end; node++)
            row[node] = 0.0;    /* padding past the last node */
        assert(first <= final); /* the largest weight is at least 1/Q */
        /* Everything outside [begin, end) is still zero from before: the
         * previous window lay inside the computed range. */
        work->window_begin[subject] = (uint32_t)(first & ~(size_t)3);
        work->window_end[subject] = (uint32_t)((final + 4) & ~(size_t)3);
        work->subject_mean[subject] = mean;
        pooled_first += mean;
        pooled_second += second;
        add_row(work->posterior_total, row, work->window_begin[subject], work->window_end[subject]);
        log_likelihood += largest + log(sum);
    }
    work->windows_valid = work->grid_equally_spaced;
    double count = (double)responses->subject_count;
    work->pooled_mean = pooled_first / count;
    work->pooled_variance =
        fmax(pooled_second / count - work->pooled_mean * work->pooled_mean, 1e-12);
    return log_likelihood;
}

/* ---- M-step ------------------------------------------------------------ */

/* Adds (or subtracts) the posterior rows of the listed subjects, each over
 * its window only. */
static void accumulate_posteriors(const struct workspace *work, double *sum,
                                  const uint32_t *subjects, size_t count, int subtract)
{
    size_t stride = work->stride;
    for (size_t index = 0; index < count; index++) {
        uint32_t subject = subjects[index];
        const double *row = work->posterior + (size_t)subject * stride;
        if (subtract)
            subtract_row(sum, row, work->window_begin[subject], work->window_end[subject]);
        else
            add_row(sum, row, work->window_begin[subject], work->window_end[subject]);
    }
}

/* n_iq and r_iq of one item, from whichever lists are shorter. */
static void item_counts(struct workspace *work, size_t item)
{
    const struct irt_responses *responses = work->responses;
    size_t stride = work->stride;
    double *respondents = work->respondents, *correct = work->correct;
    size_t start = responses->item_start[item], split = responses->item_split[item];
    size_t end = responses->item_start[item + 1];
    const uint32_t *subjects = responses->item_subjects;
    if (work->item_uses_missing[item]) {
        size_t missing = work->item_missing_start[item];
        memcpy(respondents, work->posterior_total, stride * sizeof(double));
        accumulate_posteriors(work, respondents, work->item_missing + missing,
                              work->item_missing_start[item + 1] - missing, 1);
    } else {
        memset(respondents, 0, stride * sizeof(double));
        accumulate_posteriors(work, respondents, subjects + start, end - start, 0);
    }
    if (split - start <= end - split) {
        memset(correct, 0, stride * sizeof(double));
        accumulate_posteriors(work, correct, subjects + start, split - start, 0);
    } else {
        memcpy(correct, respondents, stride * sizeof(double));
        accumulate_posteriors(work, correct, subjects + split, end - split, 1);
    }
    /* Subtraction can leave -1e-17 where the truth is 0. The active range
     * spans the nodes where anyone responded. */
    work->active_begin = work->node_count;
    work->active_end = 0;
    for (size_t node = 0; node < work->node_count; node++) {
        respondents[node] = respondents[node] > 0 ? respondents[node] : 0.0;
        correct[node] = correct[node] > 0 ? correct[node] : 0.0;
        correct[node] = correct[node] < respondents[node] ? correct[node] : respondents[node];
        if (respondents[node] > 0) {
            work->active_begin = node < work->active_begin ? node : work->active_begin;
            work->active_end = node + 1;
        }
    }
}

/* The item's expected complete-data log posterior at (log a, b), its
 * gradient, and its negative Hessian: the observed one when it is positive
 * definite (Newton: quadratic convergence), else the expected information
 * (Fisher scoring: always positive definite thanks to the priors). */
struct item_objective {
    double value;
    double gradient[2];    /* d/d log a, d/d b */
    double information[3]; /* aa, ab, bb */
};

/* The objective's value costs a logarithm per node and is only needed to
 * guard long steps, so it is computed on request (with_value). */
static void item_objective(const struct workspace *work, double log_discrimination,
                           double difficulty, int with_value, struct item_objective *result)
{
    const struct irt_options *options = &work->options;
    double discrimination = exp(log_discrimination);
    double value = 0, gradient_a = 0, gradient_b = 0, info_aa = 0, info_ab = 0, info_bb = 0;
    for (size_t node = work->active_begin; node < work->active_end; node++) {
        double respondents = work->respondents[node];
        if (respondents <= 0)
            continue;
        double correct = work->correct[node];
        double z = discrimination * (work->nodes[node] - difficulty);
        double tail = exp(-fabs(z));
        double probability = z >= 0 ? 1.0 / (1.0 + tail) : tail / (1.0 + tail);
        double residual = correct - respondents * probability;
        double weight = respondents * probability * (1.0 - probability);
        if (with_value) {
            /* log(1 + t), not log1p(t): the absolute error is ~1e-16, all
             * a sum of log-likelihoods can use, and log is faster. */
            double softplus = (z > 0 ? z : 0.0) + log(1.0 + tail);
            value += correct * z - respondents * softplus;
        }
        /* dz/d log a = z, dz/db = −a. */
        gradient_a += residual * z;
        gradient_b -= residual * discrimination;
        info_aa += weight * z * z;
        info_ab -= weight * z * discrimination;
        info_bb += weight * discrimination * discrimination;
    }
    double deviation_a = log_discrimination - options->log_discrimination_mean;
    double deviation_b = difficulty - options->difficulty_mean;
    double precision_a = 1.0 / (options->log_discrimination_sd * options->log_discrimination_sd);
    double precision_b = 1.0 / (options->difficulty_sd * options->difficulty_sd);
    result->value = value - 0.5 * (deviation_a * deviation_a * precision_a +
                                   deviation_b * deviation_b * precision_b);
    result->gradient[0] = gradient_a - deviation_a * precision_a;
    result->gradient[1] = gradient_b - deviation_b * precision_b;
    result->information[0] = info_aa + precision_a;
    result->information[1] = info_ab;
    result->information[2] = info_bb + precision_b;
    /* d²z/d(log a)² = z and d²z/d(log a)db = −a add residual terms: Σ r z
     * (the raw log-a gradient) and −a Σ r (the raw b gradient). */
    double observed_aa = result->information[0] - gradient_a;
    double observed_ab = result->information[1] - gradient_b;
    double observed_bb = result->information[2];
    if (observed_aa > 0 && observed_aa * observed_bb - observed_ab * observed_ab > 0) {
        result->information[0] = observed_aa;
        result->information[1] = observed_ab;
    }
}

/* Newton (or Fisher scoring) steps. Steps longer than SAFE_STEP are
 * guarded by step halving so the objective never drops; shorter ones are
 * taken as they come (near the optimum, where nearly all steps of a warm
 * started EM are, the Newton model is accurate and the guard would cost a
 * logarithm per node for nothing). */
#define SAFE_STEP 0.2

static void update_item(struct workspace *work, size_t item)
{
    double log_discrimination = work->log_discrimination[item];
    double difficulty = work->difficulty[item];
    struct item_objective current, trial;
    int have_value = 0;
    item_objective(work, log_discrimination, difficulty, 0, &current);
    for (int step = 0; step < NEWTON_STEPS; step++) {
        const double *info = current.information;
        double determinant = info[0] * info[2] - info[1] * info[1];
        assert(determinant > 0); /* the priors make the information positive definite */
        double delta_a =
            (info[2] * current.gradient[0] - info[1] * current.gradient[1]) / determinant;
        double delta_b =
            (info[0] * current.gradient[1] - info[1] * current.gradient[0]) / determinant;
        double largest = fmax(fabs(delta_a), fabs(delta_b));
        if (largest > MAX_STEP) {
            delta_a *= MAX_STEP / largest;
            delta_b *= MAX_STEP / largest;
            largest = MAX_STEP;
        }
        if (largest <= SAFE_STEP) {
            log_discrimination += delta_a;
            difficulty += delta_b;
            if (largest < 0.1 * work->options.tolerance)
                break;
            item_objective(work, log_discrimination, difficulty, 0, &current);
            have_value = 0;
            continue;
        }
        if (!have_value)
            item_objective(work, log_discrimination, difficulty, 1, &current);
        int accepted = 0;
        for (int halving = 0; halving < 20; halving++) {
            item_objective(work, log_discrimination + delta_a, difficulty + delta_b, 1, &trial);
            if (trial.value >= current.value) {
                accepted = 1;
                break;
            }
            delta_a *= 0.5;
            delta_b *= 0.5;
        }
        if (!accepted)
            break;
        log_discrimination += delta_a;
        difficulty += delta_b;
        current = trial;
        have_value = 1;
    }
    work->log_discrimination[item] = log_discrimination;
    work->difficulty[item] = difficulty;
}

/* The M-step for every item, then the rescaling that fixes the scale: the
 * items are re-expressed on the scale where the subjects' pooled posterior
 * has mean 0 and variance 1 (θ' = (θ − m)/s, so b' = (b − m)/s and
 * log a' = log a + log s), as BILOG's EM does.
 *
 * Why rescale when the N(0, 1) prior already fixes the scale: two reasons.
 * EM alone moves the scale by about 1/(test information) of the distance
 * per iteration, so long tests would need thousands of iterations. And the
 * exact posterior mode trades the ability prior against the item priors:
 * with many items per subject the b prior (sd 3 by default) pulls the whole
 * scale in by several percent, which biases every parameter. With the
 * rescaling the subjects alone fix the scale and the item priors only keep
 * ill-determined items finite. The price: the result is the fixed point of
 * this iteration, not exactly the mode of the stated posterior (the log
 * posterior reported differs from the mode's by a few units).
 *
 * Returns the largest change of any log a or b over the whole iteration. */
static double maximisation(struct workspace *work)
{
    size_t items = work->responses->item_count;
    memcpy(work->previous_log_discrimination, work->log_discrimination, items * sizeof(double));
    memcpy(work->previous_difficulty, work->difficulty, items * sizeof(double));
    for (size_t item = 0; item < items; item++) {
        item_counts(work, item);
        update_item(work, item);
    }
    /* A few subjects cannot carry a scale (one subject's posterior is as
     * narrow as its test is long), so the pooled moments are taken as if
     * PRIOR_SUBJECTS more subjects with an N(0, 1) posterior were present:
     * negligible for hundreds of subjects, a brake for a handful. */
    double count = (double)work->responses->subject_count;
    double mean = count * work->pooled_mean / (count + PRIOR_SUBJECTS);
    double second =
        (count * (work->pooled_variance + work->pooled_mean * work->pooled_mean) + PRIOR_SUBJECTS) /
        (count + PRIOR_SUBJECTS);
    double sd = sqrt(second - mean * mean), largest = 0.0;
    for (size_t item = 0; item < items; item++) {
        work->difficulty[item] = (work->difficulty[item] - mean) / sd;
        work->log_discrimination[item] += log(sd);
        work->item_change[item] =
            fmax(fabs(work->log_discrimination[item] - work->previous_log_discrimination[item]),
                 fabs(work->difficulty[item] - work->previous_difficulty[item]));
        largest = fmax(largest, work->item_change[item]);
    }
    return largest;
}

/* ---- Standard errors (Louis) ------------------------------------------- */

/* Observed information of one item's (log a, b), given the posteriors of the
 * final E-step; inverted into the item's standard errors. Needs
 * item_counts() for this item first. */
static void item_standard_errors(struct workspace *work, size_t item,
                                 struct irt_item_estimate *estimate)
{
    double *probability_row = work->probability_row, *product_row = work->product_row;
    const double *subject_means = work->subject_mean;
    const struct irt_responses *responses = work->responses;
    const struct irt_options *options = &work->options;
    size_t stride = work->stride;
    double discrimination = exp(work->log_discrimination[item]);
    double difficulty = work->difficulty[item];
    /* Complete-data information (exact Hessian of the expected log
     * likelihood) and Σ_j E_j[s sᵀ], from the node counts. */
    double hessian_aa = 0, hessian_ab = 0, hessian_bb = 0;
    double square_aa = 0, square_ab = 0, square_bb = 0;
    for (size_t node = 0; node < stride; node++) {
        probability_row[node] = 0;
        product_row[node] = 0;
    }
    for (size_t node = 0; node < work->node_count; node++) {
        double z = discrimination * (work->nodes[node] - difficulty);
        double probability = 1.0 / (1.0 + exp(-z));
        probability_row[node] = probability;
        product_row[node] = probability * z;
        double respondents = work->respondents[node], correct = work->correct[node];
        double residual = correct - respondents * probability;
        double weight = respondents * probability * (1.0 - probability);
        hessian_aa += weight * z * z - residual * z;
        hessian_ab += -weight * z * discrimination + residual * discrimination;
        hessian_bb += weight * discrimination * discrimination;
        double squared = correct * (1 - probability) * (1 - probability) +
                         (respondents - correct) * probability * probability;
        square_aa += squared * z * z;
        square_ab -= squared * z * discrimination;
        square_bb += squared * discrimination * discrimination;
    }
    /* Σ_j E_j[s] E_j[s]ᵀ needs each respondent's posterior: with
     * u = Σ π p and v = Σ π p z, E[s_loga] = y·a(μ_j − b) − v and
     * E[s_b] = −a (y − u). */
    double outer_aa = 0, outer_ab = 0, outer_bb = 0;
    size_t start = responses->item_start[item], split = responses->item_split[item];
    size_t end = responses->item_start[item + 1];
    for (size_t index = start; index < end; index++) {
        uint32_t subject = responses->item_subjects[index];
        const double *row = work->posterior + (size_t)subject * stride;
        double outcome = index < split ? 1.0 : 0.0;
        size_t begin = work->window_begin[subject], finish = work->window_end[subject];
        double u = dot_row(row, probability_row, begin, finish);
        double v = dot_row(row, product_row, begin, finish);
        double score_a = outcome * discrimination * (subject_means[subject] - difficulty) - v;
        double score_b = -discrimination * (outcome - u);
        outer_aa += score_a * score_a;
        outer_ab += score_a * score_b;
        outer_bb += score_b * score_b;
    }
    double precision_a = 1.0 / (options->log_discrimination_sd * options->log_discrimination_sd);
    double precision_b = 1.0 / (options->difficulty_sd * options->difficulty_sd);
    double info_aa = hessian_aa - (square_aa - outer_aa) + precision_a;
    double info_ab = hessian_ab - (square_ab - outer_ab);
    double info_bb = hessian_bb - (square_bb - outer_bb) + precision_b;
    double determinant = info_aa * info_bb - info_ab * info_ab;
    if (!(info_aa > 0 && info_bb > 0 && determinant > 0)) {
        /* Only off the optimum (a non-converged item) can the observed
         * information fail to be positive definite; fall back to the
         * complete-data information, which understates the error. */
        info_aa = hessian_aa + precision_a;
        info_ab = hessian_ab;
        info_bb = hessian_bb + precision_b;
        determinant = info_aa * info_bb - info_ab * info_ab;
    }
    estimate->log_discrimination_se = sqrt(info_bb / determinant);
    estimate->difficulty_se = sqrt(info_aa / determinant);
    estimate->discrimination_se = discrimination * estimate->log_discrimination_se;
}

/* ---- Abilities --------------------------------------------------------- */

/* Log posterior of θ for one subject, up to a constant. Kept apart from
 * the derivatives below because it needs a logarithm per response and
 * Newton's method does not. */
static double subject_log_posterior(const struct workspace *work, size_t subject, double ability)
{
    const struct irt_responses *responses = work->responses;
    size_t start = responses->subject_start[subject], split = responses->subject_split[subject];
    size_t end = responses->subject_start[subject + 1];
    double value = -0.5 * ability * ability;
    for (size_t index = start; index < end; index++) {
        uint32_t item = responses->subject_items[index];
        double z = work->discrimination[item] * ability - work->discrimination_difficulty[item];
        value -= irt__softplus(z);
        if (index < split)
            value += z;
    }
    return value;
}

/* Its first and second derivatives in θ. */
static void subject_log_posterior_derivatives(const struct workspace *work, size_t subject,
                                              double ability, double *first, double *second)
{
    const struct irt_responses *responses = work->responses;
    size_t start = responses->subject_start[subject], split = responses->subject_split[subject];
    size_t end = responses->subject_start[subject + 1];
    double slope = -ability, curvature = -1.0;
    for (size_t index = start; index < end; index++) {
        uint32_t item = responses->subject_items[index];
        double discrimination = work->discrimination[item];
        double z = discrimination * ability - work->discrimination_difficulty[item];
        double probability = 1.0 / (1.0 + exp(-z));
        slope += discrimination * ((index < split ? 1.0 : 0.0) - probability);
        curvature -= discrimination * discrimination * probability * (1.0 - probability);
    }
    *first = slope;
    *second = curvature;
}

/* EAP and posterior SD by adaptive Gauss–Hermite quadrature around the
 * posterior mode (Newton from `start`; the log posterior is concave in θ,
 * so Newton with a capped step converges). */
static void adaptive_ability(const struct workspace *work, size_t subject, double start,
                             const double *adaptive_nodes, const double *adaptive_log_weights,
                             double *mean, double *sd)
{
    double mode = start, first, second;
    for (int step = 0; step < 50; step++) {
        subject_log_posterior_derivatives(work, subject, mode, &first, &second);
        double change = -first / second;
        change = fmax(fmin(change, 1.0), -1.0);
        mode += change;
        if (fabs(change) < 1e-10)
            break;
    }
    subject_log_posterior_derivatives(work, subject, mode, &first, &second);
    double scale = M_SQRT2 / sqrt(-second);
    double log_values[ADAPTIVE_NODES], abilities[ADAPTIVE_NODES], largest = -INFINITY;
    for (size_t node = 0; node < ADAPTIVE_NODES; node++) {
        double x = adaptive_nodes[node];
        abilities[node] = mode + scale * x;
        /* ∫ f = scale Σ w_k e^{x_k²} f(mode + scale x_k); scale cancels. */
        log_values[node] = adaptive_log_weights[node] + x * x +
                           subject_log_posterior(work, subject, abilities[node]);
        largest = fmax(largest, log_values[node]);
    }
    double total = 0, first_moment = 0, second_moment = 0;
    for (size_t node = 0; node < ADAPTIVE_NODES; node++) {
        double weight = exp(log_values[node] - largest);
        double offset = abilities[node] - mode;
        total += weight;
        first_moment += weight * offset;
        second_moment += weight * offset * offset;
    }
    double offset_mean = first_moment / total;
    *mean = mode + offset_mean;
    *sd = sqrt(fmax(second_moment / total - offset_mean * offset_mean, 0.0));
}

static int score_subjects(struct workspace *work, struct irt_fit *fit)
{
    double adaptive_nodes[ADAPTIVE_NODES], adaptive_log_weights[ADAPTIVE_NODES];
    int status = irt__gauss_hermite(ADAPTIVE_NODES, adaptive_nodes, adaptive_log_weights);
    if (status != ASSAY_OK)
        return status;
    const struct irt_responses *responses = work->responses;
    size_t stride = work->stride, node_count = work->node_count;
    for (size_t subject = 0; subject < responses->subject_count; subject++) {
        const double *row = work->posterior + subject * stride;
        double mean = work->subject_mean[subject], variance = 0;
        size_t peak = work->window_begin[subject];
        for (size_t node = work->window_begin[subject]; node < work->window_end[subject]; node++) {
            double offset = work->nodes[node] - mean;
            variance += row[node] * offset * offset;
            if (row[node] > row[peak])
                peak = node;
        }
        double sd = sqrt(variance);
        /* The grid integrates a posterior accurately while it is wider than
         * the node spacing (the error of the trapezoid-like sum falls as
         * exp(−2π² sd²/h²)); narrower ones are re-integrated. */
        size_t left = peak > 0 ? peak - 1 : peak, right = peak + 1 < node_count ? peak + 1 : peak;
        double spacing = (work->nodes[right] - work->nodes[left]) / (double)(right - left);
        if (sd < spacing)
            adaptive_ability(work, subject, mean, adaptive_nodes, adaptive_log_weights, &mean, &sd);
        struct irt_subject_estimate *estimate = &fit->subjects[subject];
        estimate->ability = mean;
        estimate->ability_sd = sd;
        size_t start = responses->subject_start[subject];
        size_t end = responses->subject_start[subject + 1];
        estimate->response_count = end - start;
        estimate->proportion_correct =
            end > start
                ? (double)(responses->subject_split[subject] - start) / (double)(end - start)
                : 0.0;
    }
    return ASSAY_OK;
}

/* ---- Grid refinement --------------------------------------------------- */

/* A fixed grid coarser than a posterior is not just inaccurate, it biases
 * the fit: with sharp likelihoods the marginal likelihood of the grid model
 * grows when the scale is stretched (each subject's likelihood then loses
 * less between nodes), so long tests on 41 Gauss–Hermite nodes come out
 * with abilities spread ~1.35 times too wide. The remedy is a grid whose
 * spacing is at most twice the narrowest posterior SD, where the residual
 * bias is below 0.1% (the grid error falls as exp(−2π² sd²/h²)).
 *
 * The posterior SD is estimated by the Laplace approximation at the grid
 * mean, sd_j = (1 + Σ a_i² p_i (1 − p_i))^{-1/2}: exact enough for choosing
 * a grid, and O(R) where the grid posterior itself would be meaningless. */
#define GRID_MAX_SPACING_RATIO 2.0 /* spacing / posterior SD that is still fine */
#define GRID_TARGET_RATIO      1.5 /* what a refinement aims for, leaving margin */
#define GRID_MAX_NODES         2001
#define GRID_MAX_REFINEMENTS   3
#define GRID_FIRST_CHECK       5 /* iterations before the grid is first checked */

static double local_spacing(const struct workspace *work, double theta)
{
    if (work->grid_equally_spaced)
        return work->spacing;
    size_t node = 1;
    while (node + 1 < work->node_count && work->nodes[node] < theta)
        node++;
    return work->nodes[node] - work->nodes[node - 1];
}

/* 1 when a finer grid was set up. */
static int refine_grid(struct workspace *work, int *status)
{
    const struct irt_responses *responses = work->responses;
    double narrowest = INFINITY, worst_ratio = INFINITY, limit = 5.0;
    for (size_t subject = 0; subject < responses->subject_count; subject++) {
        double mean = work->subject_mean[subject], information = 1.0;
        size_t start = responses->subject_start[subject];
        for (size_t index = start; index < responses->subject_start[subject + 1]; index++) {
            /* The parameters of the last E-step, like the means. */
            uint32_t item = responses->subject_items[index];
            double discrimination = work->discrimination[item];
            double z = discrimination * mean - work->discrimination_difficulty[item];
            double probability = 1.0 / (1.0 + exp(-z));
            information += discrimination * discrimination * probability * (1.0 - probability);
        }
        double sd = 1.0 / sqrt(information);
        narrowest = fmin(narrowest, sd);
        worst_ratio = fmin(worst_ratio, sd / local_spacing(work, mean));
        limit = fmax(limit, fabs(mean) + 8.0 * sd);
    }
    if (worst_ratio * GRID_MAX_SPACING_RATIO >= 1.0)
        return 0;
    double spacing = GRID_TARGET_RATIO * narrowest;
    limit = fmin(limit, 10.0);
    if (2.0 * limit / spacing + 1 > GRID_MAX_NODES)
        spacing = 2.0 * limit / (GRID_MAX_NODES - 1); /* capped: coarser than ideal */
    if (work->grid_equally_spaced && spacing >= work->spacing * 0.9)
        return 0; /* no real gain over the present grid */
    *status = set_equally_spaced_grid(work, spacing, limit);
    return 1;
}

/* ---- The fit ----------------------------------------------------------- */

void irt_fit_free(struct irt_fit *fit)
{
    if (fit == NULL)
        return;
    if (fit->item_ids != NULL)
        for (size_t item = 0; item < fit->item_count; item++)
            assay_free(fit->item_ids[item]);
    if (fit->subject_ids != NULL)
        for (size_t subject = 0; subject < fit->subject_count; subject++)
            assay_free(fit->subject_ids[subject]);
    assay_free(fit->item_ids);
    assay_free(fit->subject_ids);
    assay_free(fit->items);
    assay_free(fit->subjects);
    assay_free(fit);
}

static int fit_create(const struct irt_responses *responses, struct irt_fit **result)
{
    struct irt_fit *fit = assay_calloc(1, sizeof *fit);
    if (fit == NULL)
        return ASSAY_ERR_NOMEM;
    *result = fit;
    fit->item_ids = assay_calloc(responses->item_count, sizeof(char *));
    fit->subject_ids = assay_calloc(responses->subject_count, sizeof(char *));
    fit->items = assay_calloc(responses->item_count, sizeof *fit->items);
    fit->subjects = assay_calloc(responses->subject_count, sizeof *fit->subjects);
    if (fit->item_ids == NULL || fit->subject_ids == NULL || fit->items == NULL ||
        fit->subjects == NULL)
        return ASSAY_ERR_NOMEM;
    /* Counts are set as the ids are copied so that irt_fit_free() frees
     * exactly what exists if a copy fails half way. */
    for (size_t item = 0; item < responses->item_count; item++, fit->item_count++)
        if ((fit->item_ids[item] = assay_strdup(responses->items.strings[item])) == NULL)
            return ASSAY_ERR_NOMEM;
    for (size_t subject = 0; subject < responses->subject_count; subject++, fit->subject_count++)
        if ((fit->subject_ids[subject] = assay_strdup(responses->subjects.strings[subject])) ==
            NULL)
            return ASSAY_ERR_NOMEM;
    fit->response_count = responses->response_count;
    return ASSAY_OK;
}

static double log_prior_density(const struct workspace *work)
{
    const struct irt_options *options = &work->options;
    double total = 0;
    double normaliser = 0.5 * log(2 * M_PI);
    for (size_t item = 0; item < work->responses->item_count; item++) {
        double za = (work->log_discrimination[item] - options->log_discrimination_mean) /
                    options->log_discrimination_sd;
        double zb = (work->difficulty[item] - options->difficulty_mean) / options->difficulty_sd;
        total += -0.5 * (za * za + zb * zb) - 2 * normaliser - log(options->log_discrimination_sd) -
                 log(options->difficulty_sd);
    }
    return total;
}

int irt_fit_estimate(const struct irt_responses *responses, const struct irt_options *options,
                     struct irt_fit **result, struct assay_error *error)
{
    *result = NULL;
    struct irt_options defaults;
    if (options == NULL) {
        irt_options_default(&defaults);
        options = &defaults;
    }
    int status = check_options(options, error);
    if (status != ASSAY_OK)
        return status;
    if (responses->item_count == 0 || responses->subject_count == 0 ||
        responses->response_count == 0)
        return assay_error_set(error, ASSAY_ERR_INVALID, "there are no responses to fit");

    struct workspace work;
    struct irt_fit *fit = NULL;
    status = workspace_create(&work, responses, options);
    if (status == ASSAY_OK)
        status = fit_create(responses, &fit);
    if (status != ASSAY_OK)
        goto done;
    fit->options = *options;

    initialise_items(&work);
    /* SQUAREM (Varadhan and Roland 2008): after two EM steps x0 → x1 → x2,
     * jump to x0 − 2αr + α²v with r = x1 − x0, v = x2 − 2x1 + x0 and
     * α = −|r|/|v|. Why: EM converges linearly, and items answered mostly by
     * subjects with uncertain abilities have a large fraction of missing
     * information, so plain EM crawls (rate ≈ 0.8 per iteration on the
     * BRIDGE data); the extrapolation cuts the iteration count severalfold,
     * at the price of three parameter copies. The rescaling makes the
     * iteration a fixed-point map that no objective increases along, so a
     * jump is judged by the residual instead: it is kept when the EM step
     * taken from it moves the parameters less than the step x1 → x2 did,
     * and otherwise undone (back to x2, with a shorter step limit). */
    size_t items = responses->item_count;
    double *saved_log_discrimination[3] = {work.squarem, work.squarem + items,
                                           work.squarem + 2 * items};
    double *saved_difficulty[3] = {work.squarem + 3 * items, work.squarem + 4 * items,
                                   work.squarem + 5 * items};
    size_t iteration = 0, phase_iterations = 0;
    int refinements = 0, squarem_phase = 0, check_pending = 0;
    double change = INFINITY, step_limit = 4.0, checkpoint = 0.0;
    while (iteration < options->max_iterations) {
        refresh_tables(&work);
        expectation(&work);
        if (squarem_phase == 0) {
            memcpy(saved_log_discrimination[0], work.log_discrimination, items * sizeof(double));
            memcpy(saved_difficulty[0], work.difficulty, items * sizeof(double));
        }
        change = maximisation(&work);
        iteration++;
        phase_iterations++;
        if (options->progress != NULL)
            options->progress(options->progress_context, iteration, change);
        if (check_pending) {
            check_pending = 0;
            if (!(change <= checkpoint)) {
                memcpy(work.log_discrimination, saved_log_discrimination[2],
                       items * sizeof(double));
                memcpy(work.difficulty, saved_difficulty[2], items * sizeof(double));
                step_limit = fmax(1.0, step_limit / 4.0);
                squarem_phase = 0;
                continue;
            }
        }
        int converged = change < options->tolerance;
        /* Check the grid once the items are roughly placed, and again at
         * convergence (the scale may have moved since). */
        if (refinements < GRID_MAX_REFINEMENTS &&
            (converged || phase_iterations == GRID_FIRST_CHECK)) {
            if (refine_grid(&work, &status)) {
                if (status != ASSAY_OK)
                    goto done;
                refinements++;
                phase_iterations = 0;
                squarem_phase = 0;
                continue;
            }
        }
        if (converged)
            break;
        if (squarem_phase == 0) {
            memcpy(saved_log_discrimination[1], work.log_discrimination, items * sizeof(double));
            memcpy(saved_difficulty[1], work.difficulty, items * sizeof(double));
            squarem_phase = 1;
            continue;
        }
        squarem_phase = 0;
        memcpy(saved_log_discrimination[2], work.log_discrimination, items * sizeof(double));
        memcpy(saved_difficulty[2], work.difficulty, items * sizeof(double));
        double r_squared = 0.0, v_squared = 0.0;
        for (size_t kind = 0; kind < 2; kind++) {
            double *const *saved = kind == 0 ? saved_log_discrimination : saved_difficulty;
            for (size_t item = 0; item < items; item++) {
                double r = saved[1][item] - saved[0][item];
                double v = saved[2][item] - 2.0 * saved[1][item] + saved[0][item];
                r_squared += r * r;
                v_squared += v * v;
            }
        }
        if (!(v_squared > 0))
            continue;
        double alpha = -sqrt(r_squared / v_squared);
        if (alpha > -1.0)
            continue; /* the jump would fall short of x2: plain EM */
        if (alpha <= -step_limit) {
            alpha = -step_limit;
            step_limit *= 4.0;
        }
        for (size_t kind = 0; kind < 2; kind++) {
            double *const *saved = kind == 0 ? saved_log_discrimination : saved_difficulty;
            double *target = kind == 0 ? work.log_discrimination : work.difficulty;
            for (size_t item = 0; item < items; item++) {
                double r = saved[1][item] - saved[0][item];
                double v = saved[2][item] - 2.0 * saved[1][item] + saved[0][item];
                target[item] = saved[0][item] - 2.0 * alpha * r + alpha * alpha * v;
            }
        }
        checkpoint = change;
        check_pending = 1;
    }
    if (check_pending) {
        /* Out of iterations right after a jump nobody checked: report the
         * last plain EM iterate instead. */
        memcpy(work.log_discrimination, saved_log_discrimination[2], items * sizeof(double));
        memcpy(work.difficulty, saved_difficulty[2], items * sizeof(double));
    }
    /* A last E-step at the final parameters: the posteriors, the
     * log-likelihood and the standard errors all refer to them. */
    refresh_tables(&work);
    fit->log_likelihood = expectation(&work);
    fit->log_posterior = fit->log_likelihood + log_prior_density(&work);
    fit->iterations = iteration;
    fit->last_change = change;
    fit->quadrature_nodes = work.node_count;
    fit->quadrature_spacing = work.grid_equally_spaced ? work.spacing : 0.0;
    status = score_subjects(&work, fit);
    if (status != ASSAY_OK)
        goto done;
    for (size_t item = 0; item < responses->item_count; item++) {
        struct irt_item_estimate *estimate = &fit->items[item];
        estimate->difficulty = work.difficulty[item];
        estimate->discrimination = exp(work.log_discrimination[item]);
        size_t start = responses->item_start[item], end = responses->item_start[item + 1];
        estimate->response_count = end - start;
        estimate->proportion_correct =
            end > start ? (double)(responses->item_split[item] - start) / (double)(end - start)
                        : 0.0;
        estimate->converged = work.item_change[item] < options->tolerance;
        if (!estimate->converged)
            fit->nonconverged_items++;
        item_counts(&work, item);
        item_standard_errors(&work, item, estimate);
    }
    fit->converged = fit->nonconverged_items == 0;
    *result = fit;
    fit = NULL;
done:
    if (status == ASSAY_ERR_NOMEM)
        assay_error_set(error, status, "out of memory fitting %zu items and %zu subjects",
                        responses->item_count, responses->subject_count);
    irt_fit_free(fit);
    workspace_free(&work);
    return status;
}
