/* paired.h — paired comparison of two agents on the same tasks
 * (../shared/brief/statistics.md: d_i = s_Ai - s_Bi, SE = sd(d)/sqrt(n), or
 * the clustered SE when tasks share families; report the difference with
 * its interval and whether the interval excludes 0).
 *
 * Pure functions over caller-owned arrays; nothing is allocated except by
 * stats_paired_compare's internal per-family sums (freed before return).
 */
#ifndef ASSAY_STATS_PAIRED_H
#define ASSAY_STATS_PAIRED_H

#include <stddef.h>

#include "core/buffer.h"

struct stats_paired {
    size_t tasks;          /* pairs used */
    size_t clusters;       /* distinct families (0 when not clustered) */
    int clustered;         /* 1: clustered SE over families, 0: plain paired SE */
    double difference;     /* mean of d = A - B, in score units [−1, 1] */
    double standard_error;
    double low, high;      /* 95% interval, clipped to [-1, 1] */
    double minimum_detectable; /* at 80% power, two-sided 5%: (t_.975 + z_.8) x SE */
    int excludes_zero;
};

/* Two-sided 97.5% quantile of Student's t with `degrees` degrees of freedom
 * (exact table up to 30, the normal value beyond). */
double stats_t_quantile_975(size_t degrees);

/* differences[i] = A's score minus B's on task i; families[i] names task
 * i's family or is NULL (families NULL: none). With at least two families
 * among the tasks the clustered SE is used (Miller 2024), else the paired
 * one. n < 2 gives an interval of [-1, 1] and excludes_zero 0. */
int stats_paired_compare(const double *differences, const char *const *families, size_t n,
                         struct stats_paired *out);

/* "A beats B by 12 points, 95% CI [6, 18]" or "no detectable difference
 * between A and B (A - B = 3 points, 95% CI [-4, 10])", in points (x100). */
int stats_paired_sentence(const struct stats_paired *paired, const char *a, const char *b,
                          struct buffer *out);

#endif
