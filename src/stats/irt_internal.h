/* irt_internal.h — the layout of the response matrix and helpers shared by
 * the irt_*.c files; not part of the public contract (see irt.h). */
#ifndef ASSAY_STATS_IRT_INTERNAL_H
#define ASSAY_STATS_IRT_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/irt.h"
#include "stats/stats_internal.h"

/* The matrix is stored twice, by subject and by item, in compressed sparse
 * form without a value array: each row lists its correct responses first
 * and its incorrect ones after `split`. Why: the EM sums over the correct
 * (or the incorrect) responses of a row separately, so the split turns a
 * branch per response into two branch-free loops, and 4 bytes per response
 * per direction is all the storage (80 MB for a dense 1,000 × 10,000). Both
 * halves of every row are in ascending index order. */
struct irt_responses {
    size_t subject_count;
    size_t item_count;
    size_t response_count;
    struct stats__string_table subjects; /* ids, in order of first appearance */
    struct stats__string_table items;
    /* By subject: items of subject s are subject_items[subject_start[s] ..
     * subject_start[s + 1]); correct ones before subject_split[s]. */
    size_t *subject_start; /* subject_count + 1 */
    size_t *subject_split; /* subject_count */
    uint32_t *subject_items;
    /* By item, likewise. */
    size_t *item_start; /* item_count + 1 */
    size_t *item_split; /* item_count */
    uint32_t *item_subjects;
};

/* Gauss–Hermite rule for ∫ f(x) exp(−x²) dx: `count` nodes (ascending) and
 * the logarithms of their weights. count in [1, 400]. */
int irt__gauss_hermite(size_t count, double *nodes, double *log_weights);

/* log(1 + exp(x)) without overflow, to an absolute error of ~1e-16 (log of
 * 1 + t instead of log1p(t): absolute precision is what sums of
 * log-likelihoods need, and log is the faster of the two). */
static inline double irt__softplus(double x)
{
    return x > 0 ? x + log(1.0 + exp(-x)) : log(1.0 + exp(x));
}

#endif
