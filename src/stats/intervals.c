/* intervals.c — Wilson and normal-approximation intervals. */
#include "stats/intervals.h"

#include <math.h>

void stats_wilson_interval(size_t successes, size_t trials, double z, double *low, double *high)
{
    if (trials == 0) {
        *low = 0;
        *high = 1;
        return;
    }
    double n = (double)trials, p = (double)successes / n, z2 = z * z;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
    *low = centre - half < 0 ? 0 : centre - half;
    *high = centre + half > 1 ? 1 : centre + half;
}

void stats_mean_interval(const double *scores, size_t n, double z, double *mean, double *low, double *high)
{
    double sum = 0;
    for (size_t index = 0; index < n; index++)
        sum += scores[index];
    *mean = n > 0 ? sum / (double)n : 0;
    if (n < 2) {
        *low = 0;
        *high = 1;
        return;
    }
    double squares = 0;
    for (size_t index = 0; index < n; index++)
        squares += (scores[index] - *mean) * (scores[index] - *mean);
    double half = z * sqrt(squares / (double)(n - 1) / (double)n);
    *low = *mean - half < 0 ? 0 : *mean - half;
    *high = *mean + half > 1 ? 1 : *mean + half;
}
