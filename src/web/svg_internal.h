/* svg_internal.h — what svg_axes.c lends the plot files (svg_plots.c,
 * svg_horizon.c, svg_irt.c): a writer whose first failure sticks, the frame
 * every plot opens and closes with, linear scales, axes, marker shapes,
 * dash patterns, label spreading and naming. Not part of the contract in
 * svg.h.
 *
 * Ownership: a writer borrows its buffer and id. Its functions do nothing
 * once writer->status is not 0; svg__finish() reports that status and, on
 * failure, cuts the buffer back to its length at svg__start(). */
#ifndef ASSAY_WEB_SVG_INTERNAL_H
#define ASSAY_WEB_SVG_INTERNAL_H

#include <stddef.h>

#include "core/buffer.h"

struct svg__writer {
    struct buffer *out;
    const char *id;
    size_t start;
    int status;
};

/* 0, or ASSAY_ERR_INVALID when out is NULL or id is not 1 to 64 of
 * A-Z a-z 0-9 - _ (then nothing may be written). */
int svg__start(struct svg__writer *writer, struct buffer *out, const char *id);
void svg__text(struct svg__writer *writer, const char *text);
void svg__format(struct svg__writer *writer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Escaped for text and attributes (web/escape.h); NULL writes nothing. */
void svg__escaped(struct svg__writer *writer, const char *text);
/* Escaped, and cut to at most max_characters code points (the last one an
 * ellipsis) so that long names cannot run over other marks. */
void svg__label(struct svg__writer *writer, const char *text, size_t max_characters);

/* names[index] as a label of at most max_characters (SIZE_MAX: whole), or
 * "FALLBACK N" (numbered from 1) when names or names[index] is NULL. */
void svg__name(struct svg__writer *writer, const char *const *names, size_t index,
               const char *fallback, size_t max_characters);
/* "" for one, "s" otherwise: "1 value", "2 values". */
const char *svg__plural(size_t count);

/* The frame: svg__open writes <svg ...><title id="ID-title">; the caller
 * writes the title, calls svg__begin_desc (</title><desc id="ID-desc">),
 * writes the description, calls svg__end_desc, draws, and svg__finish
 * closes </svg> and returns the status. */
void svg__open(struct svg__writer *writer, double width, double height);
void svg__begin_desc(struct svg__writer *writer);
void svg__end_desc(struct svg__writer *writer);
int svg__finish(struct svg__writer *writer);

/* A complete plot that says "no data": its title is `title` followed by
 * `subject` (escaped; may be NULL), its desc gives `reason`. */
int svg__no_data(struct svg__writer *writer, const char *title, const char *subject,
                 const char *reason);

/* Clamps into [low, high]; NaN becomes low. */
double svg__clamp(double value, double low, double high);

/* Linear map from [domain_low, domain_high] to [range_low, range_high]; an
 * empty domain maps everything to the middle of the range. */
struct svg__scale {
    double domain_low, domain_high, range_low, range_high;
};
double svg__map(const struct svg__scale *scale, double value);

struct svg__tick {
    double value;
    char label[24];
};
enum svg__tick_style {
    SVG__TICK_NUMBER,  /* "%g": -2, 0.25, 1 */
    SVG__TICK_PERCENT, /* value * 100 as "50%" */
};
/* Ticks at the multiples of step in [low, high]; returns how many (at most
 * capacity). */
size_t svg__ticks_every(double low, double high, double step, enum svg__tick_style style,
                        struct svg__tick *ticks, size_t capacity);

/* An axis line with tick marks and labels. grid_end: the other end of the
 * plot area (a y for the bottom axis, an x for the left one); light grid
 * lines are drawn up to it unless it equals the axis position. caption may
 * be NULL. */
void svg__axis_bottom(struct svg__writer *writer, const struct svg__scale *x, double y,
                      const struct svg__tick *ticks, size_t tick_count, double grid_end,
                      const char *caption);
void svg__axis_left(struct svg__writer *writer, const struct svg__scale *y, double x,
                    const struct svg__tick *ticks, size_t tick_count, double grid_end,
                    const char *caption);

/* Marker shapes: circle, square, triangle, diamond, inverted triangle and
 * cross, filled; then the same six hollow; then again. */
void svg__marker(struct svg__writer *writer, size_t shape, double x, double y, double radius,
                 const char *class_name);
/* ` stroke-dasharray="..."` for series `index` (nothing for the solid one). */
void svg__dash(struct svg__writer *writer, size_t index);

/* Moves sorted label positions apart so that neighbours are at least `gap`
 * apart and all lie in [low, high], keeping their order: two linear passes.
 * When they cannot fit, the gap shrinks to (high - low) / (count - 1). */
void svg__spread(double *positions, size_t count, double gap, double low, double high);

/* An index sorted by key (ties by index, so output is reproducible). */
struct svg__order {
    double key;
    size_t index;
};
void svg__sort(struct svg__order *order, size_t count);

#endif
