/* svg.h — accessible inline SVG plots for the web UI (assay serve).
 *
 * Each function appends ONE complete, self-contained element
 *   <svg xmlns="http://www.w3.org/2000/svg" viewBox="..." role="img"
 *        aria-labelledby="ID-title ID-desc" id="ID" class="plot" ...>
 * holding <title id="ID-title">, a <desc id="ID-desc"> that states the data
 * in words (what a screen reader says instead of the picture), axes with
 * tick labels, and the marks. The element refers to nothing outside itself:
 * no fonts, stylesheets, scripts or links. Marks carry class names (below)
 * and draw with currentColor, so the page's CSS colours them; colour never
 * carries meaning alone: series differ by label, marker shape and dash
 * pattern too. The SVG has no width or height, so it scales to its box.
 *
 * Numbers are printed with a fixed number of decimals and are never "nan" or
 * "inf": a non-finite input is skipped (or drawn as "no score") and values
 * off an axis are clamped to its end; the desc says how many of each. Empty
 * data gives a valid SVG whose desc and text say "no data".
 *
 * Ownership: every argument is borrowed for the duration of the call and
 * nothing is kept; the output is appended to the caller's buffer.
 * Errors: 0; ASSAY_ERR_INVALID when out is NULL, when id is not 1 to 64 of
 * A-Z a-z 0-9 - _ (it is used verbatim in id="" and aria-labelledby), or when
 * an array is NULL while its count is not 0; ASSAY_ERR_NOMEM when memory
 * runs out, in which case `out` is left exactly as it was. Name arrays
 * (labels, ids) may be NULL: marks are then numbered.
 *
 * Class names, for the page's stylesheet: plot, plot-axis, plot-tick,
 * plot-tick-label, plot-grid, plot-caption, plot-heading, plot-label,
 * plot-leader, plot-no-data; interval bars: plot-bar, plot-whisker,
 * plot-value, plot-absent; Wright map: plot-agent, plot-histogram,
 * plot-count; item curves: plot-curve, plot-midpoint; horizon: plot-point,
 * plot-fit, plot-horizon; pass@k: plot-line, plot-marker; and
 * plot-series-0 .. plot-series-7 on every per-series mark. */
#ifndef ASSAY_WEB_SVG_H
#define ASSAY_WEB_SVG_H

#include <stddef.h>

#include "core/buffer.h"

/* One row of an interval bar chart: a proportion in [0, 1] and its 95%
 * interval [low, high]. absent != 0 draws the row as "no score" (an agent
 * with no scored episode, say); value, low and high are then ignored. */
struct svg_interval_row {
    const char *label;
    double value, low, high;
    int absent;
};

/* Horizontal bars on a 0 to 100% axis, one per row in the given order, with
 * whiskers for [low, high] and the value printed at the end of the bar (for
 * leaderboards and capability bars). A row whose low or high is not finite
 * gets no whisker. Height grows linearly with count (22 units a row); the
 * cost is linear too. title may be NULL ("Scores"). */
int svg_interval_bars(struct buffer *out, const char *id, const char *title,
                      const struct svg_interval_row *rows, size_t count);

/* A Wright map: one vertical logit axis, agents' abilities as labelled points
 * on its left, a histogram of item difficulties (0.25-logit bins, with the
 * count in each) on its right. The axis covers both, in whole logits, at
 * least 4 wide and at most -10 to 10 (beyond that values sit at the end).
 * item_ids name the easiest and the hardest item in the desc. */
int svg_wright_map(struct buffer *out, const char *id, const double *abilities,
                   const char *const *agent_names, size_t agent_count, const double *difficulties,
                   const char *const *item_ids, size_t item_count);

/* 2PL item characteristic curves P(θ) = 1/(1+exp(-a(θ-b))) for θ in [-4, 4],
 * for at most max_curves items: items are sorted by difficulty and evenly
 * spaced ones taken, so the curves span the difficulty range. Each curve
 * has a dash pattern and is labelled with its item id at its 50% point (at
 * the axis end when b lies off the axis). Items with a non-finite a or b are
 * skipped. Draws exactly min(max_curves, usable items) curves. */
int svg_item_curves(struct buffer *out, const char *id, const double *discrimination,
                    const double *difficulty, const char *const *item_ids, size_t item_count,
                    size_t max_curves);

/* A time-horizon plot for one agent: one point per task (x = human minutes
 * on a log2 axis labelled "1 min", "15 min", "1 h"...; y = success in [0, 1],
 * moved up to 10 units towards the middle by a fixed per-index offset so
 * that equal points stay visible and the picture is reproducible), the
 * fitted curve P = 1/(1+exp(-(intercept + slope*log2(minutes)))), and the
 * 50% point at horizon_minutes, marked and labelled. The mark is left out,
 * and the desc says why, when horizon_minutes is not finite, not positive or
 * off the axis (under a second or over a year); the curve is left out when
 * intercept or slope is not finite. agent may be NULL. */
int svg_horizon_plot(struct buffer *out, const char *id, const char *agent,
                     const double *log2_minutes, const double *success, size_t point_count,
                     double intercept, double slope, double horizon_minutes);

/* pass@k against k = 1 .. k_max, one line per series: values[s * k_max +
 * (k - 1)] in [0, 1]. Each series has its own marker shape and dash pattern
 * and its name at its last point; with k_max = 1 it is a single point. */
int svg_pass_at_k(struct buffer *out, const char *id, const char *const *series_names,
                  const double *values, size_t series_count, size_t k_max);

#endif
