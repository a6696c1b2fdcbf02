/* svg_irt.c — the item response theory plots of svg.h: the Wright map
 * (agents and items on one logit scale) and item characteristic curves.
 * The shared frame and axes are in svg_axes.c.
 *
 * Costs: the Wright map sorts the agents for label placement (n log n) and
 * bins the items in one pass into at most 80 bins (the axis never exceeds
 * -10 to 10 logits); the curves sort the items by difficulty (n log n) and
 * draw 81 points per chosen curve. */
#include "web/svg.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "core/memory.h"
#include "core/status.h"
#include "web/svg_internal.h"

/* ---- Wright map ------------------------------------------------------------- */

enum {
    WRIGHT_WIDTH = 640,
    WRIGHT_TOP = 48,
    WRIGHT_PLOT_HEIGHT = 400,
    WRIGHT_BELOW = 24,
    WRIGHT_AXIS_X = 320,
    WRIGHT_AGENT_X = 280,
    WRIGHT_BAR_START = 328,
    WRIGHT_BAR_LONGEST = 220,
    WRIGHT_LABEL_CHARACTERS = 26,
    WRIGHT_BINS_MOST = 80, /* 20 logits in quarters */
    WRIGHT_TICKS_MOST = 24,
};

static const double logit_limit = 10, bin_width = 0.25;

struct wright_layout {
    double low, high; /* the axis, in whole logits */
    size_t bins, counts[WRIGHT_BINS_MOST], most;
    size_t not_finite, clamped, finite_items;
    size_t easiest, hardest; /* item indexes, valid when finite_items > 0 */
};

/* The axis: the data's range widened to whole logits, at least 4 wide,
 * within -10 to 10. Returns the number of finite values. */
static size_t wright_axis(const double *abilities, size_t agent_count, const double *difficulties,
                          size_t item_count, struct wright_layout *layout)
{
    double lowest = INFINITY, highest = -INFINITY;
    size_t finite = 0;
    for (size_t index = 0; index < agent_count + item_count; index++) {
        double value = index < agent_count ? abilities[index] : difficulties[index - agent_count];
        if (!isfinite(value)) {
            layout->not_finite++;
            continue;
        }
        finite++;
        lowest = fmin(lowest, value);
        highest = fmax(highest, value);
    }
    if (finite == 0)
        return 0;
    layout->low = svg__clamp(floor(lowest - bin_width), -logit_limit, logit_limit);
    layout->high = svg__clamp(ceil(highest + bin_width), -logit_limit, logit_limit);
    while (layout->high - layout->low < 4) {
        if (layout->low > -logit_limit)
            layout->low -= 1;
        if (layout->high - layout->low < 4 && layout->high < logit_limit)
            layout->high += 1;
    }
    return finite;
}

static void wright_bin(const double *difficulties, size_t item_count, struct wright_layout *layout)
{
    layout->bins = (size_t)lround((layout->high - layout->low) / bin_width);
    for (size_t index = 0; index < item_count; index++) {
        double value = difficulties[index];
        if (!isfinite(value))
            continue;
        if (layout->finite_items == 0 || value < difficulties[layout->easiest])
            layout->easiest = index;
        if (layout->finite_items == 0 || value > difficulties[layout->hardest])
            layout->hardest = index;
        layout->finite_items++;
        double clamped = svg__clamp(value, layout->low, layout->high);
        size_t bin = (size_t)floor((clamped - layout->low) / bin_width);
        if (bin >= layout->bins)
            bin = layout->bins - 1; /* the top edge belongs to the top bin */
        if (++layout->counts[bin] > layout->most)
            layout->most = layout->counts[bin];
    }
}

static void wright_describe(struct svg__writer *writer, const double *abilities,
                            const char *const *agent_names, const struct svg__order *agents,
                            size_t agent_total, const double *difficulties,
                            const char *const *item_ids, const struct wright_layout *layout)
{
    svg__format(writer, "Agents and items on one logit scale from %.0f to %.0f. ", layout->low,
                layout->high);
    if (agent_total == 0)
        svg__text(writer, "No agent ability to show.");
    for (size_t index = 0; index < agent_total; index++) {
        size_t agent = agents[index].index;
        svg__text(writer, index == 0 ? "Agent abilities, highest first: " : ", ");
        svg__name(writer, agent_names, agent, "agent", SIZE_MAX);
        svg__format(writer, " %.2f", abilities[agent]);
        if (index + 1 == agent_total)
            svg__text(writer, ".");
    }
    if (layout->finite_items == 0) {
        svg__text(writer, " No item difficulty to show.");
    } else {
        svg__format(writer, " %zu item difficult%s from %.2f (", layout->finite_items,
                    layout->finite_items == 1 ? "y" : "ies", difficulties[layout->easiest]);
        svg__name(writer, item_ids, layout->easiest, "item", SIZE_MAX);
        svg__format(writer, ") to %.2f (", difficulties[layout->hardest]);
        svg__name(writer, item_ids, layout->hardest, "item", SIZE_MAX);
        svg__text(writer, "). Items per quarter logit:");
        const char *separator = " ";
        for (size_t bin = 0; bin < layout->bins; bin++) {
            if (layout->counts[bin] == 0)
                continue;
            double from = layout->low + (double)bin * bin_width;
            svg__format(writer, "%s%.2f to %.2f: %zu", separator, from, from + bin_width,
                        layout->counts[bin]);
            separator = "; ";
        }
        svg__text(writer, ".");
    }
    if (layout->not_finite > 0)
        svg__format(writer, " %zu value%s not a finite number, left out.", layout->not_finite,
                    svg__plural(layout->not_finite));
    if (layout->clamped > 0)
        svg__format(writer, " %zu value%s beyond -10 to 10 logits, drawn at the end of the axis.",
                    layout->clamped, svg__plural(layout->clamped));
}

static void wright_draw_items(struct svg__writer *writer, const struct svg__scale *y,
                              const struct wright_layout *layout)
{
    double bin_height = WRIGHT_PLOT_HEIGHT / (double)layout->bins;
    for (size_t bin = 0; bin < layout->bins; bin++) {
        if (layout->counts[bin] == 0)
            continue;
        double bottom = svg__map(y, layout->low + (double)bin * bin_width);
        double top = svg__map(y, layout->low + (double)(bin + 1) * bin_width);
        double width = WRIGHT_BAR_LONGEST * (double)layout->counts[bin] / (double)layout->most;
        svg__format(writer,
                    "<rect class=\"plot-histogram\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\""
                    " height=\"%.2f\" fill=\"currentColor\" fill-opacity=\"0.35\"/>\n",
                    (double)WRIGHT_BAR_START, top + 0.5, width, bin_height - 1);
        /* counts need 10 units of height; thinner bins keep theirs in the desc */
        if (bin_height >= 10)
            svg__format(writer,
                        "<text class=\"plot-count\" x=\"%.2f\" y=\"%.2f\" font-size=\"10\""
                        " fill=\"currentColor\">%zu</text>\n",
                        WRIGHT_BAR_START + width + 4, (top + bottom) / 2 + 3.5,
                        layout->counts[bin]);
    }
}

static void wright_draw_agents(struct svg__writer *writer, const struct svg__scale *y,
                               const double *abilities, const char *const *agent_names,
                               const struct svg__order *agents, double *positions, size_t total)
{
    for (size_t index = 0; index < total; index++)
        positions[index] = agents[index].key;
    svg__spread(positions, total, 14, WRIGHT_TOP, WRIGHT_TOP + WRIGHT_PLOT_HEIGHT);
    for (size_t index = 0; index < total && writer->status == ASSAY_OK; index++) {
        size_t agent = agents[index].index;
        double point_y = agents[index].key;
        svg__marker(writer, 0, WRIGHT_AGENT_X, point_y, 4, "plot-agent");
        if (fabs(positions[index] - point_y) > 0.5)
            svg__format(writer,
                        "<line class=\"plot-leader\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\""
                        " y2=\"%.2f\" stroke=\"currentColor\" stroke-opacity=\"0.5\"/>\n",
                        WRIGHT_AGENT_X - 9.0, positions[index], WRIGHT_AGENT_X - 5.0, point_y);
        svg__format(writer,
                    "<text class=\"plot-label\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\""
                    " fill=\"currentColor\">",
                    WRIGHT_AGENT_X - 11.0, positions[index] + 4);
        svg__name(writer, agent_names, agent, "agent", WRIGHT_LABEL_CHARACTERS);
        svg__format(writer, " %.2f</text>\n", abilities[agent]);
    }
}

int svg_wright_map(struct buffer *out, const char *id, const double *abilities,
                   const char *const *agent_names, size_t agent_count, const double *difficulties,
                   const char *const *item_ids, size_t item_count)
{
    struct svg__writer writer;
    if (svg__start(&writer, out, id) != ASSAY_OK || (agent_count > 0 && abilities == NULL) ||
        (item_count > 0 && difficulties == NULL) || agent_count > SIZE_MAX - item_count)
        return ASSAY_ERR_INVALID;
    const char *title = "Wright map: agent abilities and item difficulties on one logit scale";
    struct wright_layout layout = {0};
    if (wright_axis(abilities, agent_count, difficulties, item_count, &layout) == 0)
        return svg__no_data(&writer, title, NULL,
                            agent_count + item_count == 0
                                ? "there are no agents and no items"
                                : "no ability or difficulty is a finite number");
    wright_bin(difficulties, item_count, &layout);
    struct svg__scale y = {layout.low, layout.high, WRIGHT_TOP + WRIGHT_PLOT_HEIGHT, WRIGHT_TOP};

    /* agents top to bottom (by screen position), for the desc and the labels */
    struct svg__order *agents = assay_malloc((agent_count > 0 ? agent_count : 1) * sizeof *agents);
    double *positions = assay_malloc((agent_count > 0 ? agent_count : 1) * sizeof *positions);
    if (agents == NULL || positions == NULL) {
        assay_free(agents);
        assay_free(positions);
        return ASSAY_ERR_NOMEM;
    }
    size_t agent_total = 0;
    for (size_t index = 0; index < agent_count + item_count; index++) {
        double value = index < agent_count ? abilities[index] : difficulties[index - agent_count];
        if (isfinite(value) && (value < layout.low || value > layout.high))
            layout.clamped++;
        if (index < agent_count && isfinite(value)) {
            agents[agent_total].key = svg__map(&y, svg__clamp(value, layout.low, layout.high));
            agents[agent_total++].index = index;
        }
    }
    svg__sort(agents, agent_total);

    svg__open(&writer, WRIGHT_WIDTH, WRIGHT_TOP + WRIGHT_PLOT_HEIGHT + WRIGHT_BELOW);
    svg__escaped(&writer, title);
    svg__begin_desc(&writer);
    wright_describe(&writer, abilities, agent_names, agents, agent_total, difficulties, item_ids,
                    &layout);
    svg__end_desc(&writer);

    svg__format(&writer,
                "<text class=\"plot-heading\" x=\"%.2f\" y=\"20.00\" text-anchor=\"end\""
                " fill=\"currentColor\">agents (ability)</text>\n"
                "<text class=\"plot-heading\" x=\"%.2f\" y=\"20.00\" fill=\"currentColor\">"
                "items (difficulty)</text>\n"
                "<text class=\"plot-heading\" x=\"%.2f\" y=\"36.00\" text-anchor=\"middle\""
                " fill=\"currentColor\">logit</text>\n",
                (double)WRIGHT_AGENT_X, (double)WRIGHT_BAR_START, (double)WRIGHT_AXIS_X);
    struct svg__tick ticks[WRIGHT_TICKS_MOST];
    size_t tick_count =
        svg__ticks_every(layout.low, layout.high, layout.high - layout.low > 12 ? 2 : 1,
                         SVG__TICK_NUMBER, ticks, WRIGHT_TICKS_MOST);
    svg__axis_left(&writer, &y, WRIGHT_AXIS_X, ticks, tick_count, WRIGHT_AXIS_X, NULL);
    wright_draw_items(&writer, &y, &layout);
    wright_draw_agents(&writer, &y, abilities, agent_names, agents, positions, agent_total);
    assay_free(agents);
    assay_free(positions);
    return svg__finish(&writer);
}

/* ---- Item characteristic curves -------------------------------------------- */

enum {
    CURVES_WIDTH = 640,
    CURVES_HEIGHT = 380,
    CURVES_LEFT = 64,
    CURVES_RIGHT = 600,
    CURVES_TOP = 30,
    CURVES_BOTTOM = 310,
    CURVES_STEPS = 80,
    CURVES_LABEL_CHARACTERS = 16,
};

static const double theta_limit = 4;

static double item_chance(double discrimination, double difficulty, double theta)
{
    return 1 / (1 + exp(-discrimination * (theta - difficulty)));
}

/* Keeps `chosen` of the `usable` sorted items, evenly spaced by rank, in
 * place at the front. Rank j*(usable-1)/(chosen-1), rounded, grows by at
 * least one per j when chosen <= usable, so the ranks are distinct, and is
 * never below j, so the copy never overwrites an entry still to be read. */
static void curves_choose(struct svg__order *items, size_t usable, size_t chosen)
{
    for (size_t index = 0; index < chosen; index++) {
        size_t rank = chosen == 1 ? (usable - 1) / 2
                                  : (index * (usable - 1) + (chosen - 1) / 2) / (chosen - 1);
        items[index] = items[rank];
    }
}

static void curves_describe(struct svg__writer *writer, const double *discrimination,
                            const double *difficulty, const char *const *item_ids,
                            const struct svg__order *items, size_t chosen, size_t usable,
                            size_t skipped)
{
    size_t off_axis = 0;
    svg__format(writer,
                "%zu item characteristic curve%s: the chance of success against ability,"
                " from -4 to 4 logits",
                chosen, svg__plural(chosen));
    if (chosen < usable)
        svg__format(writer, ", for %zu of %zu items spread evenly over the difficulty range",
                    chosen, usable);
    svg__text(writer, ". ");
    for (size_t index = 0; index < chosen; index++) {
        size_t item = items[index].index;
        if (index > 0)
            svg__text(writer, "; ");
        svg__name(writer, item_ids, item, "item", SIZE_MAX);
        svg__format(writer, " difficulty %.2f, discrimination %.2f", difficulty[item],
                    discrimination[item]);
        off_axis += fabs(difficulty[item]) > theta_limit;
    }
    svg__text(writer, ".");
    if (off_axis > 0)
        svg__format(writer, " %zu 50%% point%s off the axis, labelled at its end.", off_axis,
                    svg__plural(off_axis));
    if (skipped > 0)
        svg__format(writer, " %zu item%s without a finite discrimination and difficulty left out.",
                    skipped, svg__plural(skipped));
}

static void curves_draw(struct svg__writer *writer, const struct svg__scale *x,
                        const struct svg__scale *y, const double *discrimination,
                        const double *difficulty, const char *const *item_ids,
                        const struct svg__order *items, size_t chosen)
{
    for (size_t index = 0; index < chosen; index++) {
        size_t item = items[index].index;
        svg__format(writer,
                    "<polyline class=\"plot-curve plot-series-%zu\" fill=\"none\""
                    " stroke=\"currentColor\" stroke-width=\"1.5\"",
                    index % 8);
        svg__dash(writer, index);
        svg__text(writer, " points=\"");
        for (size_t step = 0; step <= CURVES_STEPS; step++) {
            double theta = -theta_limit + 2 * theta_limit * (double)step / CURVES_STEPS;
            double chance = item_chance(discrimination[item], difficulty[item], theta);
            svg__format(writer, "%.2f,%.2f ", svg__map(x, theta), svg__map(y, chance));
        }
        svg__text(writer, "\"/>\n");
    }
    /* Labels after all curves, so no curve covers one. Neighbours by
     * difficulty alternate between four heights around the 50% line. */
    static const double label_offsets[] = {-8, 18, -20, 30};
    for (size_t index = 0; index < chosen; index++) {
        size_t item = items[index].index;
        double theta = svg__clamp(difficulty[item], -theta_limit, theta_limit);
        double point_x = svg__map(x, theta);
        double point_y = svg__map(y, item_chance(discrimination[item], difficulty[item], theta));
        if (fabs(difficulty[item]) <= theta_limit) {
            char class_name[48];
            snprintf(class_name, sizeof class_name, "plot-midpoint plot-series-%zu", index % 8);
            svg__marker(writer, 0, point_x, point_y, 3, class_name);
        }
        const char *anchor = point_x < CURVES_LEFT + 40    ? "start"
                             : point_x > CURVES_RIGHT - 40 ? "end"
                                                           : "middle";
        svg__format(writer,
                    "<text class=\"plot-label plot-series-%zu\" x=\"%.2f\" y=\"%.2f\""
                    " text-anchor=\"%s\" fill=\"currentColor\">",
                    index % 8, point_x, point_y + label_offsets[index % 4], anchor);
        svg__name(writer, item_ids, item, "item", CURVES_LABEL_CHARACTERS);
        svg__text(writer, "</text>\n");
    }
}

int svg_item_curves(struct buffer *out, const char *id, const double *discrimination,
                    const double *difficulty, const char *const *item_ids, size_t item_count,
                    size_t max_curves)
{
    struct svg__writer writer;
    if (svg__start(&writer, out, id) != ASSAY_OK ||
        (item_count > 0 && (discrimination == NULL || difficulty == NULL)))
        return ASSAY_ERR_INVALID;
    const char *title = "Item characteristic curves";
    if (item_count == 0 || max_curves == 0)
        return svg__no_data(&writer, title, NULL,
                            item_count == 0 ? "there are no items" : "no curve was asked for");
    struct svg__order *items = assay_malloc(item_count * sizeof *items);
    if (items == NULL)
        return ASSAY_ERR_NOMEM;
    size_t usable = 0;
    for (size_t index = 0; index < item_count; index++)
        if (isfinite(discrimination[index]) && isfinite(difficulty[index])) {
            items[usable].key = difficulty[index];
            items[usable++].index = index;
        }
    if (usable == 0) {
        assay_free(items);
        return svg__no_data(&writer, title, NULL,
                            "no item has a finite discrimination and difficulty");
    }
    svg__sort(items, usable);
    size_t chosen = max_curves < usable ? max_curves : usable;
    curves_choose(items, usable, chosen);

    svg__open(&writer, CURVES_WIDTH, CURVES_HEIGHT);
    svg__escaped(&writer, title);
    svg__begin_desc(&writer);
    curves_describe(&writer, discrimination, difficulty, item_ids, items, chosen, usable,
                    item_count - usable);
    svg__end_desc(&writer);

    struct svg__scale x = {-theta_limit, theta_limit, CURVES_LEFT, CURVES_RIGHT};
    struct svg__scale y = {0, 1, CURVES_BOTTOM, CURVES_TOP};
    struct svg__tick ticks[9];
    size_t tick_count = svg__ticks_every(-theta_limit, theta_limit, 1, SVG__TICK_NUMBER, ticks, 9);
    svg__axis_bottom(&writer, &x, CURVES_BOTTOM, ticks, tick_count, CURVES_TOP,
                     "ability \xCE\xB8 (logits)");
    tick_count = svg__ticks_every(0, 1, 0.25, SVG__TICK_NUMBER, ticks, 9);
    svg__axis_left(&writer, &y, CURVES_LEFT, ticks, tick_count, CURVES_RIGHT, "chance of success");
    curves_draw(&writer, &x, &y, discrimination, difficulty, item_ids, items, chosen);
    assay_free(items);
    return svg__finish(&writer);
}
