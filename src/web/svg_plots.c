/* svg_plots.c — the score plots of svg.h: interval bars (leaderboards,
 * capabilities) and pass@k lines. Time horizons are in svg_horizon.c, the
 * IRT plots in svg_irt.c, the shared frame and axes in svg_axes.c.
 *
 * Every plot writes its desc first, from the same cleaned values it then
 * draws, so the words and the picture cannot disagree. Costs are linear in
 * the data except for the label sort of pass@k (n log n in the series). */
#include "web/svg.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "core/memory.h"
#include "core/status.h"
#include "web/svg_internal.h"

/* ---- Interval bars -------------------------------------------------------- */

enum {
    BARS_WIDTH = 720,
    BARS_LABEL_END = 196,
    BARS_AXIS_START = 210,
    BARS_AXIS_END = 640,
    BARS_TOP = 12,
    BARS_ROW = 22,
    BARS_THICKNESS = 14,
    BARS_BELOW_AXIS = 32,
    BARS_LABEL_CHARACTERS = 30,
};

/* A row as drawn: the value, and the interval when it has one, in [0, 1]. */
struct bar {
    int drawn, whisker;
    double value, low, high;
};

static struct bar bar_of(const struct svg_interval_row *row, size_t *not_finite, size_t *clamped)
{
    struct bar bar = {0};
    if (row->absent)
        return bar;
    if (!isfinite(row->value)) {
        (*not_finite)++;
        return bar;
    }
    if (row->value < 0 || row->value > 1)
        (*clamped)++;
    bar.drawn = 1;
    bar.value = svg__clamp(row->value, 0, 1);
    if (isfinite(row->low) && isfinite(row->high)) {
        bar.whisker = 1;
        bar.low = svg__clamp(fmin(row->low, row->high), 0, 1);
        bar.high = svg__clamp(fmax(row->low, row->high), 0, 1);
    }
    return bar;
}

static void bars_describe(struct svg__writer *writer, const struct svg_interval_row *rows,
                          size_t count)
{
    size_t not_finite = 0, clamped = 0;
    for (size_t index = 0; index < count; index++) {
        struct bar bar = bar_of(&rows[index], &not_finite, &clamped);
        if (index > 0)
            svg__text(writer, "; ");
        svg__escaped(writer, rows[index].label != NULL ? rows[index].label : "(unnamed)");
        if (!bar.drawn)
            svg__text(writer, " no score");
        else if (bar.whisker)
            svg__format(writer, " %.1f%% (95%% CI %.1f to %.1f)", bar.value * 100, bar.low * 100,
                        bar.high * 100);
        else
            svg__format(writer, " %.1f%% (no interval)", bar.value * 100);
    }
    svg__text(writer, ".");
    if (not_finite > 0)
        svg__format(writer, " %zu score%s not a finite number, shown as no score.", not_finite,
                    svg__plural(not_finite));
    if (clamped > 0)
        svg__format(writer, " %zu score%s outside 0 to 100%%, drawn at the end of the axis.",
                    clamped, svg__plural(clamped));
}

static void bars_draw_row(struct svg__writer *writer, const struct svg__scale *x,
                          const struct svg_interval_row *row, size_t index)
{
    size_t ignored = 0;
    struct bar bar = bar_of(row, &ignored, &ignored);
    double middle = BARS_TOP + (double)index * BARS_ROW + BARS_ROW / 2.0;
    svg__format(writer,
                "<text class=\"plot-label\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\""
                " fill=\"currentColor\">",
                (double)BARS_LABEL_END, middle + 4);
    svg__label(writer, row->label != NULL ? row->label : "(unnamed)", BARS_LABEL_CHARACTERS);
    svg__text(writer, "</text>\n");
    if (!bar.drawn) {
        svg__format(writer,
                    "<text class=\"plot-absent\" x=\"%.2f\" y=\"%.2f\" font-style=\"italic\""
                    " fill=\"currentColor\">no score</text>\n",
                    BARS_AXIS_START + 6.0, middle + 4);
        return;
    }
    double end = svg__map(x, bar.value), text_start = end;
    svg__format(writer,
                "<rect class=\"plot-bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\""
                " fill=\"currentColor\" fill-opacity=\"0.35\"/>\n",
                (double)BARS_AXIS_START, middle - BARS_THICKNESS / 2.0, end - BARS_AXIS_START,
                (double)BARS_THICKNESS);
    if (bar.whisker) {
        double low = svg__map(x, bar.low), high = svg__map(x, bar.high);
        svg__format(
            writer,
            "<path class=\"plot-whisker\" d=\"M%.2f %.2fH%.2fM%.2f %.2fV%.2fM%.2f %.2fV%.2f\""
            " stroke=\"currentColor\" fill=\"none\"/>\n",
            low, middle, high, low, middle - 4, middle + 4, high, middle - 4, middle + 4);
        text_start = fmax(end, high);
    }
    svg__format(writer,
                "<text class=\"plot-value\" x=\"%.2f\" y=\"%.2f\" fill=\"currentColor\">%.1f%%"
                "</text>\n",
                text_start + 6, middle + 4, bar.value * 100);
}

int svg_interval_bars(struct buffer *out, const char *id, const char *title,
                      const struct svg_interval_row *rows, size_t count)
{
    struct svg__writer writer;
    if (svg__start(&writer, out, id) != ASSAY_OK || (count > 0 && rows == NULL))
        return ASSAY_ERR_INVALID;
    if (title == NULL)
        title = "Scores";
    if (count == 0)
        return svg__no_data(&writer, title, NULL, "there are no rows");

    double axis_y = BARS_TOP + (double)count * BARS_ROW + 6;
    svg__open(&writer, BARS_WIDTH, axis_y + BARS_BELOW_AXIS);
    svg__escaped(&writer, title);
    svg__begin_desc(&writer);
    bars_describe(&writer, rows, count);
    svg__end_desc(&writer);

    struct svg__scale x = {0, 1, BARS_AXIS_START, BARS_AXIS_END};
    struct svg__tick ticks[5];
    size_t tick_count = svg__ticks_every(0, 1, 0.25, SVG__TICK_PERCENT, ticks, 5);
    svg__axis_bottom(&writer, &x, axis_y, ticks, tick_count, BARS_TOP, NULL);
    for (size_t index = 0; index < count && writer.status == ASSAY_OK; index++)
        bars_draw_row(&writer, &x, &rows[index], index);
    return svg__finish(&writer);
}

/* ---- pass@k ----------------------------------------------------------------- */

enum {
    PASS_WIDTH = 640,
    PASS_HEIGHT = 350,
    PASS_LEFT = 64,
    PASS_FIRST_K = 76,
    PASS_RIGHT = 500,
    PASS_TOP = 30,
    PASS_BOTTOM = 290,
    PASS_LABEL_CHARACTERS = 18,
    PASS_TICKS_MOST = 12,
};

/* Ticks at k = 1 and at the multiples of the smallest step of 1, 2, 5, 10,
 * 20, 50... that leaves at most 10 of them. */
static size_t pass_ticks(size_t k_max, struct svg__tick *ticks)
{
    static const size_t multipliers[] = {1, 2, 5};
    size_t step = 1, decade = 1, multiplier = 0;
    while ((k_max - 1) / step + 1 > 10) {
        if (++multiplier == 3) {
            multiplier = 0;
            decade *= 10;
        }
        step = multipliers[multiplier] * decade;
    }
    size_t count = 0;
    for (size_t k = 1; k <= k_max && count < PASS_TICKS_MOST;
         k = k == 1 && step > 1 ? step : k + step) {
        ticks[count].value = (double)k;
        snprintf(ticks[count].label, sizeof ticks[count].label, "%zu", k);
        count++;
    }
    return count;
}

static void pass_describe(struct svg__writer *writer, const char *const *series_names,
                          const double *values, size_t series_count, size_t k_max)
{
    size_t not_finite = 0, clamped = 0;
    svg__format(writer, "pass@k for k = 1 to %zu. ", k_max);
    for (size_t series = 0; series < series_count; series++) {
        const double *row = values + series * k_max;
        size_t first = k_max, last = k_max;
        for (size_t k = 0; k < k_max; k++) {
            if (!isfinite(row[k])) {
                not_finite++;
                continue;
            }
            if (row[k] < 0 || row[k] > 1)
                clamped++;
            if (first == k_max)
                first = k;
            last = k;
        }
        if (series > 0)
            svg__text(writer, "; ");
        svg__name(writer, series_names, series, "series", SIZE_MAX);
        if (first == k_max)
            svg__text(writer, ": no finite value");
        else
            svg__format(writer, ": %.1f%% at k = %zu", svg__clamp(row[first], 0, 1) * 100,
                        first + 1);
        if (last != first)
            svg__format(writer, ", %.1f%% at k = %zu", svg__clamp(row[last], 0, 1) * 100, last + 1);
    }
    svg__text(writer, ".");
    if (not_finite > 0)
        svg__format(writer, " %zu value%s not a finite number, left out.", not_finite,
                    svg__plural(not_finite));
    if (clamped > 0)
        svg__format(writer, " %zu value%s outside 0 to 100%%, drawn at the end of the axis.",
                    clamped, svg__plural(clamped));
}

static void pass_draw_series(struct svg__writer *writer, const struct svg__scale *x,
                             const struct svg__scale *y, const double *row, size_t series,
                             size_t k_max)
{
    char class_name[48];
    size_t finite = 0;
    for (size_t k = 0; k < k_max; k++)
        finite += isfinite(row[k]) != 0;
    if (finite >= 2) {
        svg__format(writer,
                    "<polyline class=\"plot-line plot-series-%zu\" fill=\"none\""
                    " stroke=\"currentColor\" stroke-width=\"1.5\"",
                    series % 8);
        svg__dash(writer, series);
        svg__text(writer, " points=\"");
        for (size_t k = 0; k < k_max; k++)
            if (isfinite(row[k]))
                svg__format(writer, "%.2f,%.2f ", svg__map(x, (double)(k + 1)),
                            svg__map(y, svg__clamp(row[k], 0, 1)));
        svg__text(writer, "\"/>\n");
    }
    snprintf(class_name, sizeof class_name, "plot-marker plot-series-%zu", series % 8);
    for (size_t k = 0; k < k_max; k++)
        if (isfinite(row[k]))
            svg__marker(writer, series, svg__map(x, (double)(k + 1)),
                        svg__map(y, svg__clamp(row[k], 0, 1)), 4, class_name);
}

int svg_pass_at_k(struct buffer *out, const char *id, const char *const *series_names,
                  const double *values, size_t series_count, size_t k_max)
{
    struct svg__writer writer;
    if (svg__start(&writer, out, id) != ASSAY_OK)
        return ASSAY_ERR_INVALID;
    if (k_max > 0 && series_count > SIZE_MAX / k_max)
        return ASSAY_ERR_INVALID;
    if (series_count > 0 && k_max > 0 && values == NULL)
        return ASSAY_ERR_INVALID;
    const char *title = "pass@k: the chance that at least one of k attempts succeeds";
    if (series_count == 0 || k_max == 0)
        return svg__no_data(&writer, title, NULL,
                            series_count == 0 ? "there are no series" : "k_max is 0");

    struct svg__scale x = {1, (double)k_max, PASS_FIRST_K, PASS_RIGHT};
    struct svg__scale y = {0, 1, PASS_BOTTOM, PASS_TOP};
    /* Labels sit at each series' last finite point, sorted by height and
     * spread so they do not overlap. */
    struct svg__order *labels = assay_malloc(series_count * sizeof *labels);
    double *positions = assay_malloc(series_count * sizeof *positions);
    if (labels == NULL || positions == NULL) {
        assay_free(labels);
        assay_free(positions);
        return ASSAY_ERR_NOMEM;
    }
    size_t labelled = 0;
    for (size_t series = 0; series < series_count; series++) {
        const double *row = values + series * k_max;
        for (size_t k = k_max; k > 0; k--)
            if (isfinite(row[k - 1])) {
                labels[labelled].key = svg__map(&y, svg__clamp(row[k - 1], 0, 1));
                labels[labelled++].index = series;
                break;
            }
    }
    if (labelled == 0) {
        assay_free(labels);
        assay_free(positions);
        return svg__no_data(&writer, title, NULL, "no pass@k value is a finite number");
    }
    svg__sort(labels, labelled);
    for (size_t index = 0; index < labelled; index++)
        positions[index] = labels[index].key;
    svg__spread(positions, labelled, 14, PASS_TOP, PASS_BOTTOM);

    svg__open(&writer, PASS_WIDTH, PASS_HEIGHT);
    svg__escaped(&writer, title);
    svg__begin_desc(&writer);
    pass_describe(&writer, series_names, values, series_count, k_max);
    svg__end_desc(&writer);

    struct svg__tick ticks[PASS_TICKS_MOST];
    size_t tick_count = pass_ticks(k_max, ticks);
    svg__axis_bottom(&writer, &x, PASS_BOTTOM, ticks, tick_count, PASS_TOP,
                     "k (attempts per task)");
    /* the y axis stands a little left of k = 1, so first points stay clear of it */
    tick_count = svg__ticks_every(0, 1, 0.25, SVG__TICK_PERCENT, ticks, PASS_TICKS_MOST);
    svg__axis_left(&writer, &y, PASS_LEFT, ticks, tick_count, PASS_RIGHT, "pass@k");
    svg__format(&writer,
                "<line class=\"plot-axis\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\""
                " stroke=\"currentColor\"/>\n",
                (double)PASS_LEFT, (double)PASS_BOTTOM, (double)PASS_FIRST_K, (double)PASS_BOTTOM);
    for (size_t series = 0; series < series_count; series++)
        pass_draw_series(&writer, &x, &y, values + series * k_max, series, k_max);
    for (size_t index = 0; index < labelled; index++) {
        size_t series = labels[index].index, last = k_max;
        while (!isfinite(values[series * k_max + last - 1]))
            last--;
        double point_x = svg__map(&x, (double)last), point_y = labels[index].key;
        if (fabs(positions[index] - point_y) > 0.5)
            svg__format(&writer,
                        "<line class=\"plot-leader\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\""
                        " y2=\"%.2f\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/>\n",
                        point_x + 5, point_y, point_x + 9, positions[index]);
        svg__format(&writer,
                    "<text class=\"plot-label plot-series-%zu\" x=\"%.2f\" y=\"%.2f\""
                    " fill=\"currentColor\">",
                    series % 8, point_x + 10, positions[index] + 4);
        svg__name(&writer, series_names, series, "series", PASS_LABEL_CHARACTERS);
        svg__text(&writer, "</text>\n");
    }
    assay_free(labels);
    assay_free(positions);
    return svg__finish(&writer);
}
