/* svg_horizon.c — the time-horizon plot of svg.h: one agent's tasks by
 * human time (log2 minutes) and success, the fitted logistic curve, and its
 * 50% point. The shared frame and axes are in svg_axes.c.
 *
 * Cost: linear in the tasks, plus 121 points of curve. */
#include "web/svg.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"
#include "web/svg_internal.h"

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
        {1.0 / 60, "1 s"}, {4.0 / 60, "4 s"}, {15.0 / 60, "15 s"}, {0.5, "30 s"},   {1, "1 min"},
        {2, "2 min"},      {4, "4 min"},      {8, "8 min"},        {15, "15 min"},  {30, "30 min"},
        {60, "1 h"},       {120, "2 h"},      {240, "4 h"},        {480, "8 h"},    {960, "16 h"},
        {1440, "1 d"},     {2880, "2 d"},     {5760, "4 d"},       {10080, "1 wk"}, {20160, "2 wk"},
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

static void horizon_summarise(const double *log2_minutes, const double *success, size_t point_count,
                              struct horizon_summary *summary)
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
                             const struct horizon_summary *summary, int curve, double intercept,
                             double slope, enum horizon_mark mark, double horizon_minutes)
{
    char shortest[32], longest[32], horizon[32];
    minutes_text(exp2(summary->low), shortest, sizeof shortest);
    minutes_text(exp2(summary->high), longest, sizeof longest);
    svg__escaped(writer, agent);
    svg__format(writer, " on %zu task%s with human times from %s to %s", summary->usable,
                svg__plural(summary->usable), shortest, longest);
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
                    summary->skipped, svg__plural(summary->skipped));
    if (summary->clamped > 0)
        svg__format(writer, " %zu time%s off the axis drawn at its end.", summary->clamped,
                    svg__plural(summary->clamped));
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
                    label_left ? mark_x - 9 : mark_x + 9, mark_y - 9, label_left ? "end" : "start",
                    text);
    }
    return svg__finish(&writer);
}
