/* measures.h — the measures of ../shared/brief/statistics.md beyond means:
 * repeated trials (pass@k, pass^k), structure of performance (harmony),
 * tail risk (CVaR, union of failure probabilities), distributional fidelity
 * (two-sample Kolmogorov-Smirnov, KS@N) and module attribution (Shapley).
 * Pure functions over caller-owned arrays; none returns NaN: each edge case
 * has a defined value, documented here.
 */
#ifndef ASSAY_STATS_MEASURES_H
#define ASSAY_STATS_MEASURES_H

#include <stddef.h>

/* Unbiased pass@k for one task with n trials of which c succeeded (Chen et
 * al. 2021): 1 when n - c < k, else 1 - prod_{i=n-c+1..n} (1 - k/i).
 * k > n or k = 0: 0 (not estimable from these trials). */
double stats_pass_at_k(size_t n, size_t c, size_t k);
/* pass^k (tau-bench: all k trials succeed): prod_{i=0..k-1} (c-i)/(n-i);
 * k > n or k = 0: 0. */
double stats_pass_hat_k(size_t n, size_t c, size_t k);

/* Harmony: normalised Shannon entropy of the profile p_i = acc_i / sum(acc)
 * over k sub-domains, H = -sum p_i log p_i / log k. Edge cases: k = 1 gives
 * 1 (one sub-domain is trivially uniform); all scores 0 gives 1 (uniformly
 * nothing: no sub-domain carries the mean). Negative scores count as 0. */
double stats_harmony(const double *means, size_t k);

/* CVaR_alpha of losses (e.g. 1 - score): VaR = the ceil(alpha n)-th smallest
 * loss, CVaR = VaR + sum((x - VaR)+) / ((1 - alpha) n). The array is sorted
 * in place. n = 0 gives 0. alpha is clamped to [0, 0.999]. */
double stats_cvar(double *losses, size_t n, double alpha);
/* 1 - prod(1 - h_i), with each h_i clamped to [0, 1 - 1e-12]. */
double stats_union_probability(const double *probabilities, size_t n);

/* Two-sample Kolmogorov-Smirnov: D = sup |F1 - F2| (right-continuous
 * empirical CDFs) and its p-value: exact (counting lattice paths) when
 * n1 * n2 <= 10000, else the asymptotic series with
 * lambda = (e + 0.12 + 0.11/e) D, e = sqrt(n1 n2 / (n1 + n2)). With ties the
 * test is conservative on discrete targets. The arrays are sorted in place.
 * Empty samples give D = 0, p = 1. */
void stats_ks_two_sample(double *first, size_t n1, double *second, size_t n2, double *statistic,
                         double *p_value);
/* KS@N: the fraction of tasks whose p-value is at least alpha (the test does
 * not reject). n = 0 gives 0. */
double stats_ks_at_n(const double *p_values, size_t n, double alpha);

/* Shapley values of n modules (n <= 20) from v[S], S a bit mask over the
 * modules (v has 2^n entries): phi_i = sum over S without i of
 * |S|! (n-|S|-1)! / n! (v(S+i) - v(S)). Efficiency: sum(phi) = v(all) - v(0).
 * Returns 0, or -1 when n > 20. */
int stats_shapley(const double *v, size_t n, double *phi);

#endif
