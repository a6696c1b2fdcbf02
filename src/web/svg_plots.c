/* svg_plots.c — the plots of svg.h for scores: interval bars (leaderboards,
 * capabilities), pass@k lines and time horizons. The IRT plots are in
 * svg_irt.c, the shared frame and axes in svg_axes.c.
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

static const char *plural(size_t count)
{
    return count == 1 ? "" : "s";
}

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
                    plural(not_finite));
    if (clamped > 0)
        svg__format(writer, " %zu score%s outside 0 to 100%%, drawn at the end of the axis.",
                    clamped, plural(clamped));
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
        svg__format(writer,
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

static void write_name(struct svg__writer *writer, const char *const *names, size_t index,
                       const char *fallback, size_t max_characters)
{
    if (names != NULL && names[index] != NULL)
        svg__label(writer, names[index], max_characters);
    else
        svg__format(writer, "%s %zu", fallback, index + 1);
}

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
        write_name(writer, series_names, series, "series", SIZE_MAX);
        if (first == k_max)
            svg__text(writer, ": no finite value");
        else
            svg__format(writer, ": %.1f%% at k = %zu", svg__clamp(row[first], 0, 1) * 100,
                        first + 1);
        if (last != first)
            svg__format(writer, ", %.1f%% at k = %zu", svg__clamp(row[last], 0, 1) * 100,
                        last + 1);
    }
    svg__text(writer, ".");
    if (not_finite > 0)
        svg__format(writer, " %zu value%s not a finite number, left out.", not_finite,
                    plural(not_finite));
    if (clamped > 0)
        svg__format(writer, " %zu value%s outside 0 to 100%%, drawn at the end of the axis.",
                    clamped, plural(clamped));
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
        write_name(&writer, series_names, series, "series", PASS_LABEL_CHARACTERS);
        svg__text(&writer, "</text>\n");
    }
    assay_free(labels);
    assay_free(positions);
    return svg__finish(&writer);
}

/* ---- Time horizon ----------------------------------------------------------- */

enum {
    HORIZON_WIDTH = 640,
    HORIZON_HEIGHT = 380,
    HORIZON_LEFT = 64,
    HORIZON_RIGHT = 600,
    HORIZON_TOP = 40,
    HORIZON_BOTTOM = 320,
    HORIZON_STEPS = 120,
    HORIZON_JITTER = 10,
    HORIZON_TICK_SPACING = 44,
    HORIZON_TICKS_MOST = 24,
};

/* The axis runs from one second to one year at most: a task time outside
 * that is surely a unit mistake, and drawing it would squash the rest. */
static double shortest_log2_minutes(void)
{
    return log2(1.0 / 60);
}
static double longest_log2_minutes(void)
{
    return log2(365.0 * 24 * 60);
}

static void minutes_text(double minutes, char *text, size_t size)
{
    if (minutes < 1)
        snprintf(text, size, "%.0f s", minutes * 60);
    else if (minutes < 10)
        snprintf(text, size, "%.1f min", minutes);
    else if (minutes < 60)
        snprintf(text, size, "%.0f min", minutes);
    else if (minutes < 600)
        snprintf(text, size, "%.1f h", minutes / 60);
    else if (minutes < 2880)
        snprintf(text, size, "%.0f h", minutes / 60);
    else
        snprintf(text, size, "%.1f d", minutes / 1440);
}

/* Tick candidates, roughly doubling; ticks closer than HORIZON_TICK_SPACING
 * to the previous one are dropped, so the axis reads well at any range. */
static size_t horizon_ticks(const struct svg__scale *x, struct svg__tick *ticks)
{
    static const struct {
        double minutes;
        const char *label;
    } candidates[] = {
        {1.0 / 60, "1 s"}, {4.0 / 60, "4 s"}, {15.0 / 60, "15 s"}, {0.5, "30 s"},
        {1, "1 min"},      {2, "2 min"},      {4, "4 min"},        {8, "8 min"},
        {15, "15 min"},    {30, "30 min"},    {60, "1 h"},         {120, "2 h"},
        {240, "4 h"},      {480, "8 h"},      {960, "16 h"},       {1440, "1 d"},
        {2880, "2 d"},     {5760, "4 d"},     {10080, "1 wk"},     {20160, "2 wk"},
        {40320, "4 wk"},   {129600, "3 mo"},  {262800, "6 mo"},    {525600, "1 y"},
    };
    size_t count = 0;
    double previous = -INFINITY;
    for (size_t index = 0; index < sizeof candidates / sizeof candidates[0]; index++) {
        double value = log2(candidates[index].minutes);
        if (value < x->domain_low - 1e-9 || value > x->domain_high + 1e-9 ||
            count == HORIZON_TICKS_MOST)
            continue;
        double position = svg__map(x, value);
        if (position - previous < HORIZON_TICK_SPACING)
            continue;
        ticks[count].value = value;
        snprintf(ticks[count].label, sizeof ticks[count].label, "%s", candidates[index].label);
        previous = position;
        count++;
    }
    return count;
}

/* A fixed offset in [0, HORIZON_JITTER] per point index (Knuth's
 * multiplicative hash), so that the same data always give the same picture. */
static double horizon_jitter(size_t index)
{
    uint32_t hash = (uint32_t)(index + 1) * 2654435761u;
    return (double)(hash >> 24) / 255.0 * HORIZON_JITTER;
}

enum horizon_mark { MARK_DRAWN, MARK_NOT_FINITE, MARK_NOT_POSITIVE, MARK_OFF_AXIS };

struct horizon_summary {
    size_t usable, skipped, clamped;
    int all_binary;
    double success_sum, low, high; /* low, high: the clamped extremes of log2 minutes */
};

static void horizon_summarise(const double *log2_minutes, const double *success,
                              size_t point_count, struct horizon_summary *summary)
{
    double shortest = shortest_log2_minutes(), longest = longest_log2_minutes();
    *summary = (struct horizon_summary){.all_binary = 1, .low = INFINITY, .high = -INFINITY};
    for (size_t index = 0; index < point_count; index++) {
        if (!isfinite(log2_minutes[index]) || !isfinite(success[index])) {
            summary->skipped++;
            continue;
        }
        double time = svg__clamp(log2_minutes[index], shortest, longest);
        double outcome = svg__clamp(success[index], 0, 1);
        summary->clamped += time != log2_minutes[index];
        summary->usable++;
        summary->success_sum += outcome;
        summary->all_binary &= outcome == 0 || outcome == 1;
        summary->low = fmin(summary->low, time);
        summary->high = fmax(summary->high, time);
    }
}

static void horizon_describe(struct svg__writer *writer, const char *agent,
                             const struct horizon_summary *summary, int curve,
                             double intercept, double slope, enum horizon_mark mark,
                             double horizon_minutes)
{
    char shortest[32], longest[32], horizon[32];
    minutes_text(exp2(summary->low), shortest, sizeof shortest);
    minutes_text(exp2(summary->high), longest, sizeof longest);
    svg__escaped(writer, agent);
    svg__format(writer, " on %zu task%s with human times from %s to %s", summary->usable,
                plural(summary->usable), shortest, longest);
    if (summary->all_binary)
        svg__format(writer, ": %.0f succeeded.", summary->success_sum);
    else
        svg__format(writer, ": mean success %.1f%%.",
                    summary->success_sum / (double)summary->usable * 100);
    if (curve)
        svg__format(writer,
                    " Fitted logistic curve: intercept %.2f, slope %.2f per doubling of human"
                    " time.",
                    intercept, slope);
    else
        svg__text(writer, " No fitted curve: its intercept or slope is not a finite number.");
    switch (mark) {
    case MARK_DRAWN:
        minutes_text(horizon_minutes, horizon, sizeof horizon);
        svg__format(writer, " 50%% time horizon: %s, marked on the plot.", horizon);
        break;
    case MARK_NOT_FINITE:
        svg__text(writer, " No 50% horizon is marked: it is not a finite number.");
        break;
    case MARK_NOT_POSITIVE:
        svg__text(writer, " No 50% horizon is marked: it is zero or negative.");
        break;
    case MARK_OFF_AXIS:
        svg__text(writer,
                  " No 50% horizon is marked: it lies off the axis (under a second or over a"
                  " year).");
        break;
    }
    if (summary->skipped > 0)
        svg__format(writer, " %zu task%s without a finite time or success left out.",
                    summary->skipped, plural(summary->skipped));
    if (summary->clamped > 0)
        svg__format(writer, " %zu time%s off the axis drawn at its end.", summary->clamped,
                    plural(summary->clamped));
}

static void horizon_draw(struct svg__writer *writer, const struct svg__scale *x,
                         const struct svg__scale *y, const double *log2_minutes,
                         const double *success, size_t point_count, int curve, double intercept,
                         double slope)
{
    double shortest = shortest_log2_minutes(), longest = longest_log2_minutes();
    for (size_t index = 0; index < point_count && writer->status == ASSAY_OK; index++) {
        if (!isfinite(log2_minutes[index]) || !isfinite(success[index]))
            continue;
        double outcome = svg__clamp(success[index], 0, 1);
        double offset = horizon_jitter(index); /* towards the middle: stays inside the plot */
        double point_y = svg__map(y, outcome) + (outcome >= 0.5 ? offset : -offset);
        double point_x = svg__map(x, svg__clamp(log2_minutes[index], shortest, longest));
        svg__format(writer,
                    "<circle class=\"plot-point\" cx=\"%.2f\" cy=\"%.2f\" r=\"3.00\""
                    " fill=\"currentColor\" fill-opacity=\"0.5\"/>\n",
                    point_x, point_y);
    }
    if (!curve)
        return;
    svg__text(writer, "<polyline class=\"plot-fit\" fill=\"none\" stroke=\"currentColor\""
                      " stroke-width=\"2\" points=\"");
    for (size_t step = 0; step <= HORIZON_STEPS; step++) {
        double time = x->domain_low + (x->domain_high - x->domain_low) * step / HORIZON_STEPS;
        double chance = 1 / (1 + exp(-(intercept + slope * time)));
        svg__format(writer, "%.2f,%.2f ", svg__map(x, time), svg__map(y, chance));
    }
    svg__text(writer, "\"/>\n");
}

int svg_horizon_plot(struct buffer *out, const char *id, const char *agent,
                     const double *log2_minutes, const double *success, size_t point_count,
                     double intercept, double slope, double horizon_minutes)
{
    struct svg__writer writer;
    if (svg__start(&writer, out, id) != ASSAY_OK ||
        (point_count > 0 && (log2_minutes == NULL || success == NULL)))
        return ASSAY_ERR_INVALID;
    if (agent == NULL)
        agent = "the agent";
    const char *title = "Time horizon of ";
    struct horizon_summary summary;
    horizon_summarise(log2_minutes, success, point_count, &summary);
    if (summary.usable == 0)
        return svg__no_data(&writer, title, agent,
                            point_count == 0 ? "there are no tasks"
                                             : "no task has a finite time and success");

    enum horizon_mark mark = MARK_DRAWN;
    double horizon_log2 = 0;
    if (!isfinite(horizon_minutes))
        mark = MARK_NOT_FINITE;
    else if (horizon_minutes <= 0)
        mark = MARK_NOT_POSITIVE;
    else if ((horizon_log2 = log2(horizon_minutes)) < shortest_log2_minutes() ||
             horizon_log2 > longest_log2_minutes())
        mark = MARK_OFF_AXIS;
    int curve = isfinite(intercept) && isfinite(slope);

    /* The range covers the tasks and the mark, padded half a doubling each
     * side and at least three doublings wide, within the axis limits. */
    double low = summary.low, high = summary.high;
    if (mark == MARK_DRAWN) {
        low = fmin(low, horizon_log2);
        high = fmax(high, horizon_log2);
    }
    low -= 0.5;
    high += 0.5;
    if (high - low < 3) {
        double middle = (low + high) / 2;
        low = middle - 1.5;
        high = middle + 1.5;
    }
    if (low < shortest_log2_minutes()) {
        high = fmin(high + shortest_log2_minutes() - low, longest_log2_minutes());
        low = shortest_log2_minutes();
    }
    if (high > longest_log2_minutes()) {
        low = fmax(low - (high - longest_log2_minutes()), shortest_log2_minutes());
        high = longest_log2_minutes();
    }

    svg__open(&writer, HORIZON_WIDTH, HORIZON_HEIGHT);
    svg__escaped(&writer, title);
    svg__escaped(&writer, agent);
    svg__begin_desc(&writer);
    horizon_describe(&writer, agent, &summary, curve, intercept, slope, mark, horizon_minutes);
    svg__end_desc(&writer);

    struct svg__scale x = {low, high, HORIZON_LEFT, HORIZON_RIGHT};
    struct svg__scale y = {0, 1, HORIZON_BOTTOM, HORIZON_TOP};
    struct svg__tick ticks[HORIZON_TICKS_MOST];
    size_t tick_count = horizon_ticks(&x, ticks);
    svg__axis_bottom(&writer, &x, HORIZON_BOTTOM, ticks, tick_count, HORIZON_TOP,
                     "human time to complete the task (log scale)");
    tick_count = svg__ticks_every(0, 1, 0.25, SVG__TICK_NUMBER, ticks, HORIZON_TICKS_MOST);
    svg__axis_left(&writer, &y, HORIZON_LEFT, ticks, tick_count, HORIZON_RIGHT, "success");
    horizon_draw(&writer, &x, &y, log2_minutes, success, point_count, curve, intercept, slope);
    if (mark == MARK_DRAWN) {
        char text[32];
        minutes_text(horizon_minutes, text, sizeof text);
        double mark_x = svg__map(&x, horizon_log2), mark_y = svg__map(&y, 0.5);
        int label_left = mark_x > HORIZON_RIGHT - 120;
        svg__format(&writer,
                    "<path class=\"plot-horizon\" d=\"M%.2f %.2fV%.2fH%.2f\" fill=\"none\""
                    " stroke=\"currentColor\" stroke-dasharray=\"4 3\"/>\n",
                    mark_x, (double)HORIZON_BOTTOM, mark_y, (double)HORIZON_LEFT);
        svg__marker(&writer, 3, mark_x, mark_y, 5, "plot-horizon");
        svg__format(&writer,
                    "<text class=\"plot-horizon\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\""
                    " fill=\"currentColor\">50%% at %s</text>\n",
                    label_left ? mark_x - 9 : mark_x + 9, mark_y - 9,
                    label_left ? "end" : "start", text);
    }
    return svg__finish(&writer);
}
