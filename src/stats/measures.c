/* measures.c — pass@k, harmony, CVaR, KS, Shapley (see measures.h). */
#include "stats/measures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"

double stats_pass_at_k(size_t n, size_t c, size_t k)
{
    if (k == 0 || k > n)
        return 0;
    if (n - c < k)
        return 1;
    double fail_all = 1; /* C(n-c, k) / C(n, k) as a product, no overflow */
    for (size_t i = n - c + 1; i <= n; i++)
        fail_all *= 1.0 - (double)k / (double)i;
    return 1.0 - fail_all;
}

double stats_pass_hat_k(size_t n, size_t c, size_t k)
{
    if (k == 0 || k > n || c < k)
        return 0;
    double product = 1;
    for (size_t i = 0; i < k; i++)
        product *= (double)(c - i) / (double)(n - i);
    return product;
}

double stats_harmony(const double *means, size_t k)
{
    if (k <= 1)
        return 1;
    double total = 0;
    for (size_t index = 0; index < k; index++)
        total += means[index] > 0 ? means[index] : 0;
    if (total <= 0)
        return 1;
    double entropy = 0;
    for (size_t index = 0; index < k; index++) {
        double p = (means[index] > 0 ? means[index] : 0) / total;
        if (p > 0)
            entropy -= p * log(p);
    }
    return entropy / log((double)k);
}

static int compare_doubles(const void *left, const void *right)
{
    double a = *(const double *)left, b = *(const double *)right;
    return (a > b) - (a < b);
}

double stats_cvar(double *losses, size_t n, double alpha)
{
    if (n == 0)
        return 0;
    alpha = alpha < 0 ? 0 : alpha > 0.999 ? 0.999 : alpha;
    qsort(losses, n, sizeof *losses, compare_doubles);
    size_t rank = (size_t)ceil(alpha * (double)n);
    double var = losses[rank == 0 ? 0 : rank - 1];
    double excess = 0;
    for (size_t index = 0; index < n; index++)
        excess += losses[index] > var ? losses[index] - var : 0;
    return var + excess / ((1 - alpha) * (double)n);
}

double stats_union_probability(const double *probabilities, size_t n)
{
    double none = 1;
    for (size_t index = 0; index < n; index++) {
        double h = probabilities[index];
        h = h < 0 ? 0 : h > 1 - 1e-12 ? 1 - 1e-12 : h;
        none *= 1 - h;
    }
    return 1 - none;
}

/* P(D >= d) under H0 by counting monotone lattice paths from (0,0) to
 * (n1,n2) that stay strictly inside |i/n1 - j/n2| < d (Hodges 1958). */
static double ks_exact_p(size_t n1, size_t n2, double d)
{
    double *row = assay_calloc(n2 + 1, sizeof *row);
    if (row == NULL)
        return 1;
    const double tolerance = 1e-12;
    for (size_t i = 0; i <= n1; i++)
        for (size_t j = 0; j <= n2; j++) {
            int inside = fabs((double)i / (double)n1 - (double)j / (double)n2) < d - tolerance;
            if (i == 0 && j == 0)
                row[j] = inside ? 1 : 0;
            else
                row[j] = inside ? (i > 0 ? row[j] : 0) + (j > 0 ? row[j - 1] : 0) : 0;
            /* row[j] holds paths to (i, j); normalise by C(n1+n2, n2) at the end, in logs */
        }
    double inside_paths = row[n2];
    assay_free(row);
    double log_total = lgamma((double)(n1 + n2 + 1)) - lgamma((double)(n1 + 1)) - lgamma((double)(n2 + 1));
    double p = 1 - exp(log(inside_paths > 0 ? inside_paths : 0) - log_total);
    if (inside_paths <= 0)
        p = 1;
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

void stats_ks_two_sample(double *first, size_t n1, double *second, size_t n2, double *statistic,
                         double *p_value)
{
    *statistic = 0;
    *p_value = 1;
    if (n1 == 0 || n2 == 0)
        return;
    qsort(first, n1, sizeof *first, compare_doubles);
    qsort(second, n2, sizeof *second, compare_doubles);
    size_t i = 0, j = 0;
    double d = 0;
    while (i < n1 && j < n2) {
        double x = first[i] < second[j] ? first[i] : second[j];
        while (i < n1 && first[i] <= x)
            i++;
        while (j < n2 && second[j] <= x)
            j++;
        double gap = fabs((double)i / (double)n1 - (double)j / (double)n2);
        if (gap > d)
            d = gap;
    }
    *statistic = d;
    if (d <= 0)
        return;
    if (n1 * n2 <= 10000) {
        *p_value = ks_exact_p(n1, n2, d);
        return;
    }
    double e = sqrt((double)n1 * (double)n2 / (double)(n1 + n2));
    double lambda = (e + 0.12 + 0.11 / e) * d;
    double sum = 0;
    for (int k = 1; k <= 100; k++) {
        double term = exp(-2.0 * k * k * lambda * lambda);
        sum += (k % 2 == 1 ? 1 : -1) * term;
        if (term < 1e-12)
            break;
    }
    double p = 2 * sum;
    *p_value = p < 0 ? 0 : p > 1 ? 1 : p;
}

double stats_ks_at_n(const double *p_values, size_t n, double alpha)
{
    if (n == 0)
        return 0;
    size_t kept = 0;
    for (size_t index = 0; index < n; index++)
        kept += p_values[index] >= alpha;
    return (double)kept / (double)n;
}

int stats_shapley(const double *v, size_t n, double *phi)
{
    if (n > 20)
        return -1;
    double factorial[21];
    factorial[0] = 1;
    for (size_t index = 1; index <= 20; index++)
        factorial[index] = factorial[index - 1] * (double)index;
    size_t subsets = (size_t)1 << n;
    for (size_t module = 0; module < n; module++) {
        double value = 0;
        for (size_t subset = 0; subset < subsets; subset++) {
            if (subset & ((size_t)1 << module))
                continue;
            size_t size = (size_t)__builtin_popcountll((unsigned long long)subset);
            double weight = factorial[size] * factorial[n - size - 1] / factorial[n];
            value += weight * (v[subset | ((size_t)1 << module)] - v[subset]);
        }
        phi[module] = value;
    }
    return 0;
}
