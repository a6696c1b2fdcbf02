/* paired.c — paired differences with plain or clustered standard errors. */
#include "stats/paired.h"

#include <math.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"

double stats_t_quantile_975(size_t degrees)
{
    static const double table[31] = {
        INFINITY, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201,    2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
        2.074,    2.069,  2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (degrees <= 30)
        return table[degrees];
    /* beyond 30 the t quantile approaches 1.96 as 1.96 + 2.4/df roughly */
    return 1.959964 + 2.4 / (double)degrees;
}

int stats_paired_compare(const double *differences, const char *const *families, size_t n,
                         struct stats_paired *out)
{
    memset(out, 0, sizeof *out);
    out->tasks = n;
    out->low = -1;
    out->high = 1;
    if (n == 0)
        return ASSAY_OK;
    double sum = 0;
    for (size_t index = 0; index < n; index++)
        sum += differences[index];
    out->difference = sum / (double)n;
    if (n < 2)
        return ASSAY_OK;

    /* families: sums of centred differences per family */
    size_t clusters = 0;
    const char **names = NULL;
    double *sums = NULL;
    if (families != NULL) {
        names = assay_calloc(n, sizeof *names);
        sums = assay_calloc(n, sizeof *sums);
        if (names == NULL || sums == NULL) {
            assay_free(names);
            assay_free(sums);
            return ASSAY_ERR_NOMEM;
        }
        for (size_t index = 0; index < n; index++) {
            const char *family = families[index] != NULL ? families[index] : "";
            size_t cluster = 0;
            while (cluster < clusters && strcmp(names[cluster], family) != 0)
                cluster++;
            if (cluster == clusters)
                names[clusters++] = family;
            sums[cluster] += differences[index] - out->difference;
        }
    }
    size_t degrees;
    if (clusters >= 2) {
        double squares = 0;
        for (size_t cluster = 0; cluster < clusters; cluster++)
            squares += sums[cluster] * sums[cluster];
        out->standard_error = sqrt((double)clusters / (double)(clusters - 1) * squares) / (double)n;
        out->clustered = 1;
        out->clusters = clusters;
        degrees = clusters - 1;
    } else {
        double squares = 0;
        for (size_t index = 0; index < n; index++)
            squares += (differences[index] - out->difference) * (differences[index] - out->difference);
        out->standard_error = sqrt(squares / (double)(n - 1)) / sqrt((double)n);
        degrees = n - 1;
    }
    assay_free(names);
    assay_free(sums);
    double t = stats_t_quantile_975(degrees);
    /* differences of scores in [0, 1] lie in [-1, 1]: an interval past
     * that (few clusters make t large) says nothing more when clipped */
    out->low = fmax(-1, out->difference - t * out->standard_error);
    out->high = fmin(1, out->difference + t * out->standard_error);
    out->minimum_detectable = fmin(2, (t + 0.841621) * out->standard_error);
    out->excludes_zero = out->low > 0 || out->high < 0;
    return ASSAY_OK;
}

int stats_paired_sentence(const struct stats_paired *paired, const char *a, const char *b, struct buffer *out)
{
    double points = 100 * paired->difference, low = 100 * paired->low, high = 100 * paired->high;
    if (paired->excludes_zero)
        return buffer_append_format(out, "%s beats %s by %.0f points, 95%% CI [%.0f, %.0f]",
                                    points > 0 ? a : b, points > 0 ? b : a, fabs(points),
                                    points > 0 ? low : -high, points > 0 ? high : -low);
    return buffer_append_format(out, "no detectable difference between %s and %s (%s - %s = %.0f points, 95%% CI [%.0f, %.0f])",
                                a, b, a, b, points, low, high);
}
