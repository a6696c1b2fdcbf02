/* irt_quadrature.c — Gauss–Hermite nodes and weights.
 *
 * Newton's method on the orthonormal Hermite recurrence, from the largest
 * root down, with the classical asymptotic starting guesses (Stroud and
 * Secrest 1966). Why not Golub–Welsch: it needs a symmetric tridiagonal
 * eigensolver for the same result, and n is small (≤ 400), so the O(n²)
 * Newton sweep costs microseconds. Weights are returned as logarithms: the
 * outer weights of a 201-node rule are around 1e-170 and only ever enter
 * the EM added to log-likelihoods. */
#include <assert.h>
#include <math.h>

#include "core/status.h"
#include "stats/irt_internal.h"

/* The orthonormal Hermite function value p_n(x) and, through the recurrence,
 * the derivative p_n'(x) = sqrt(2n) p_{n-1}(x). */
static void hermite(size_t count, double x, double *value, double *derivative)
{
    double current = 1.0 / pow(M_PI, 0.25), previous = 0.0;
    for (size_t degree = 1; degree <= count; degree++) {
        double older = previous;
        previous = current;
        current = x * sqrt(2.0 / (double)degree) * previous -
                  sqrt((double)(degree - 1) / (double)degree) * older;
    }
    *value = current;
    *derivative = sqrt(2.0 * (double)count) * previous;
}

int irt__gauss_hermite(size_t count, double *nodes, double *log_weights)
{
    if (count < 1 || count > 400)
        return ASSAY_ERR_INVALID;
    size_t half = (count + 1) / 2;
    double n = (double)count, root = 0.0;
    double roots[200]; /* the largest roots, in descending order */
    for (size_t index = 0; index < half; index++) {
        if (index == 0)
            root = sqrt(2 * n + 1) - 1.85575 * pow(2 * n + 1, -1.0 / 6.0);
        else if (index == 1)
            root -= 1.14 * pow(n, 0.426) / root;
        else if (index == 2)
            root = 1.86 * root - 0.86 * roots[0];
        else if (index == 3)
            root = 1.91 * root - 0.91 * roots[1];
        else
            root = 2.0 * root - roots[index - 2];
        double value, derivative = 1.0;
        for (int step = 0; step < 100; step++) {
            hermite(count, root, &value, &derivative);
            double change = value / derivative;
            root -= change;
            if (fabs(change) <= 1e-15 * (1.0 + fabs(root)))
                break;
        }
        hermite(count, root, &value, &derivative);
        roots[index] = root;
        /* w = 2 / p_n'(x)² for the orthonormal recurrence. */
        double log_weight = log(2.0) - 2.0 * log(fabs(derivative));
        nodes[index] = -root;
        log_weights[index] = log_weight;
        nodes[count - 1 - index] = root;
        log_weights[count - 1 - index] = log_weight;
    }
    if (count % 2 == 1)
        nodes[half - 1] = 0.0; /* exactly, not 1e-17 */
    for (size_t index = 1; index < count; index++)
        assert(nodes[index] > nodes[index - 1]);
    return ASSAY_OK;
}
