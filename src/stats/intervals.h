/* intervals.h — confidence intervals for means (../shared/brief/statistics.md).
 * Pure functions; nothing is allocated. */
#ifndef ASSAY_STATS_INTERVALS_H
#define ASSAY_STATS_INTERVALS_H

#include <stddef.h>

/* Wilson score interval for `successes` out of `trials` at normal quantile
 * z (1.96 for 95%). With no trials the interval is [0, 1]. */
void stats_wilson_interval(size_t successes, size_t trials, double z, double *low, double *high);

/* Mean and normal-approximation interval (mean ± z·sd/√n) of n scores in
 * [0, 1], clipped to [0, 1]. With n < 2 the interval is [0, 1]. */
void stats_mean_interval(const double *scores, size_t n, double z, double *mean, double *low, double *high);

#endif
