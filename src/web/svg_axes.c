/* svg_axes.c — the parts every plot of svg.h shares (svg_internal.h): the
 * writer, the <svg>/<title>/<desc> frame, scales, axes, markers, dashes and
 * label spreading.
 *
 * Why a sticky status: a plot is a long list of appends; checking each one
 * would bury the drawing under error handling. The writer remembers the
 * first failure, skips everything after it, and svg__finish() cuts the
 * buffer back, so a caller never sees half an SVG. */
#include "web/svg_internal.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "web/escape.h"

enum { ID_LONGEST = 64 };

static int id_is_valid(const char *id)
{
    if (id == NULL || id[0] == '\0')
        return 0;
    size_t length = 0;
    for (const char *character = id; *character != '\0'; character++, length++) {
        char c = *character;
        int allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
        if (!allowed || length >= ID_LONGEST)
            return 0;
    }
    return 1;
}

int svg__start(struct svg__writer *writer, struct buffer *out, const char *id)
{
    writer->out = out;
    writer->id = id;
    writer->start = out != NULL ? out->length : 0;
    writer->status = out != NULL && id_is_valid(id) ? ASSAY_OK : ASSAY_ERR_INVALID;
    return writer->status;
}

void svg__text(struct svg__writer *writer, const char *text)
{
    if (writer->status == ASSAY_OK)
        writer->status = buffer_append_string(writer->out, text);
}

void svg__format(struct svg__writer *writer, const char *format, ...)
{
    if (writer->status != ASSAY_OK)
        return;
    va_list arguments;
    va_start(arguments, format);
    writer->status = buffer_append_vformat(writer->out, format, arguments);
    va_end(arguments);
}

void svg__escaped(struct svg__writer *writer, const char *text)
{
    if (writer->status == ASSAY_OK)
        writer->status = web_append_escaped(writer->out, text);
}

void svg__label(struct svg__writer *writer, const char *text, size_t max_characters)
{
    assert(max_characters >= 1);
    if (text == NULL || writer->status != ASSAY_OK)
        return;
    /* Count code points by their first bytes; `cut` is where the
     * (max_characters - 1)-th one ends, which is where the ellipsis goes. */
    const unsigned char *bytes = (const unsigned char *)text;
    size_t characters = 0, cut = 0, index = 0;
    for (; bytes[index] != '\0'; index++) {
        if ((bytes[index] & 0xC0) == 0x80)
            continue;
        if (characters == max_characters - 1)
            cut = index;
        if (characters == max_characters)
            break;
        characters++;
    }
    if (bytes[index] == '\0') {
        svg__escaped(writer, text);
        return;
    }
    writer->status = web_append_escaped_length(writer->out, text, cut);
    svg__text(writer, "\xE2\x80\xA6"); /* U+2026 HORIZONTAL ELLIPSIS */
}

const char *svg__plural(size_t count)
{
    return count == 1 ? "" : "s";
}

void svg__name(struct svg__writer *writer, const char *const *names, size_t index,
               const char *fallback, size_t max_characters)
{
    if (names != NULL && names[index] != NULL)
        svg__label(writer, names[index], max_characters);
    else
        svg__format(writer, "%s %zu", fallback, index + 1);
}

void svg__open(struct svg__writer *writer, double width, double height)
{
    const char *id = writer->id; /* checked by svg__start: safe to print as is */
    svg__format(writer,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\""
                " aria-labelledby=\"%s-title %s-desc\" id=\"%s\" class=\"plot\""
                " font-family=\"sans-serif\" font-size=\"12\">\n<title id=\"%s-title\">",
                width, height, id, id, id, id);
}

void svg__begin_desc(struct svg__writer *writer)
{
    svg__format(writer, "</title>\n<desc id=\"%s-desc\">", writer->id);
}

void svg__end_desc(struct svg__writer *writer)
{
    svg__text(writer, "</desc>\n");
}

int svg__finish(struct svg__writer *writer)
{
    svg__text(writer, "</svg>");
    if (writer->status != ASSAY_OK && writer->out != NULL) {
        writer->out->length = writer->start;
        if (writer->out->data != NULL)
            writer->out->data[writer->start] = '\0';
    }
    return writer->status;
}

int svg__no_data(struct svg__writer *writer, const char *title, const char *subject,
                 const char *reason)
{
    svg__open(writer, 640, 120);
    svg__escaped(writer, title);
    svg__escaped(writer, subject);
    svg__begin_desc(writer);
    svg__text(writer, "No data: ");
    svg__escaped(writer, reason);
    svg__text(writer, ".");
    svg__end_desc(writer);
    svg__text(writer, "<text class=\"plot-no-data\" x=\"320.00\" y=\"64.00\""
                      " text-anchor=\"middle\" fill=\"currentColor\">no data</text>\n");
    return svg__finish(writer);
}

double svg__clamp(double value, double low, double high)
{
    if (!(value >= low)) /* also catches NaN */
        return low;
    return value > high ? high : value;
}

double svg__map(const struct svg__scale *scale, double value)
{
    double span = scale->domain_high - scale->domain_low;
    if (!(fabs(span) > 0))
        return (scale->range_low + scale->range_high) / 2;
    double fraction = (value - scale->domain_low) / span;
    return scale->range_low + fraction * (scale->range_high - scale->range_low);
}

size_t svg__ticks_every(double low, double high, double step, enum svg__tick_style style,
                        struct svg__tick *ticks, size_t capacity)
{
    assert(step > 0 && isfinite(low) && isfinite(high));
    /* Multiples are computed from an index, not by adding step repeatedly,
     * so 0.1-sized steps land exactly on their labels. */
    double first = ceil(low / step - 1e-9);
    size_t count = 0;
    for (double multiple = first; count < capacity; multiple += 1) {
        double value = multiple * step;
        if (value > high + step * 1e-9)
            break;
        if (fabs(value) < step * 1e-9)
            value = 0; /* no "-0" */
        ticks[count].value = value;
        if (style == SVG__TICK_PERCENT)
            snprintf(ticks[count].label, sizeof ticks[count].label, "%.0f%%", value * 100);
        else
            snprintf(ticks[count].label, sizeof ticks[count].label, "%g", value);
        count++;
    }
    return count;
}

void svg__axis_bottom(struct svg__writer *writer, const struct svg__scale *x, double y,
                      const struct svg__tick *ticks, size_t tick_count, double grid_end,
                      const char *caption)
{
    for (size_t index = 0; index < tick_count; index++) {
        double position = svg__map(x, ticks[index].value);
        if (grid_end != y)
            svg__format(writer,
                        "<line class=\"plot-grid\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\""
                        " stroke=\"currentColor\" stroke-opacity=\"0.15\"/>\n",
                        position, grid_end, position, y);
        svg__format(writer,
                    "<line class=\"plot-tick\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\""
                    " stroke=\"currentColor\"/>\n",
                    position, y, position, y + 5);
        svg__format(writer,
                    "<text class=\"plot-tick-label\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\""
                    " fill=\"currentColor\">",
                    position, y + 18);
        svg__escaped(writer, ticks[index].label);
        svg__text(writer, "</text>\n");
    }
    svg__format(writer,
                "<line class=\"plot-axis\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\""
                " stroke=\"currentColor\"/>\n",
                x->range_low, y, x->range_high, y);
    if (caption != NULL) {
        svg__format(writer,
                    "<text class=\"plot-caption\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\""
                    " fill=\"currentColor\">",
                    (x->range_low + x->range_high) / 2, y + 36);
        svg__escaped(writer, caption);
        svg__text(writer, "</text>\n");
    }
}

void svg__axis_left(struct svg__writer *writer, const struct svg__scale *y, double x,
                    const struct svg__tick *ticks, size_t tick_count, double grid_end,
                    const char *caption)
{
    for (size_t index = 0; index < tick_count; index++) {
        double position = svg__map(y, ticks[index].value);
        if (grid_end != x)
            svg__format(writer,
                        "<line class=\"plot-grid\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\""
                        " stroke=\"currentColor\" stroke-opacity=\"0.15\"/>\n",
                        x, position, grid_end, position);
        svg__format(writer,
                    "<line class=\"plot-tick\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\""
                    " stroke=\"currentColor\"/>\n",
                    x - 5, position, x, position);
        svg__format(writer,
                    "<text class=\"plot-tick-label\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\""
                    " fill=\"currentColor\">",
                    x - 8, position + 4);
        svg__escaped(writer, ticks[index].label);
        svg__text(writer, "</text>\n");
    }
    svg__format(writer,
                "<line class=\"plot-axis\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\""
                " stroke=\"currentColor\"/>\n",
                x, y->range_low, x, y->range_high);
    if (caption != NULL) {
        double caption_x = x - 42, caption_y = (y->range_low + y->range_high) / 2;
        svg__format(writer,
                    "<text class=\"plot-caption\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\""
                    " transform=\"rotate(-90 %.2f %.2f)\" fill=\"currentColor\">",
                    caption_x, caption_y, caption_x, caption_y);
        svg__escaped(writer, caption);
        svg__text(writer, "</text>\n");
    }
}

enum { MARKER_SHAPES = 6 };

void svg__marker(struct svg__writer *writer, size_t shape, double x, double y, double radius,
                 const char *class_name)
{
    int hollow = (shape / MARKER_SHAPES) % 2 == 1;
    const char *fill = hollow ? "none" : "currentColor";
    double r = radius;
    svg__format(writer, "<%s class=\"%s\" fill=\"%s\" stroke=\"currentColor\"",
                shape % MARKER_SHAPES == 0   ? "circle"
                : shape % MARKER_SHAPES == 1 ? "rect"
                                             : "path",
                class_name, fill);
    switch (shape % MARKER_SHAPES) {
    case 0:
        svg__format(writer, " cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"/>\n", x, y, r);
        break;
    case 1:
        svg__format(writer, " x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n", x - r,
                    y - r, 2 * r, 2 * r);
        break;
    case 2:
        svg__format(writer, " d=\"M%.2f %.2fL%.2f %.2fL%.2f %.2fZ\"/>\n", x, y - r * 1.2, x + r,
                    y + r * 0.8, x - r, y + r * 0.8);
        break;
    case 3:
        svg__format(writer, " d=\"M%.2f %.2fL%.2f %.2fL%.2f %.2fL%.2f %.2fZ\"/>\n", x, y - r * 1.3,
                    x + r * 1.3, y, x, y + r * 1.3, x - r * 1.3, y);
        break;
    case 4:
        svg__format(writer, " d=\"M%.2f %.2fL%.2f %.2fL%.2f %.2fZ\"/>\n", x, y + r * 1.2, x + r,
                    y - r * 0.8, x - r, y - r * 0.8);
        break;
    default:
        /* a cross has no inside: the hollow variant is an upright plus */
        if (hollow)
            svg__format(writer, " stroke-width=\"2\" d=\"M%.2f %.2fH%.2fM%.2f %.2fV%.2f\"/>\n",
                        x - r, y, x + r, x, y - r, y + r);
        else
            svg__format(writer,
                        " stroke-width=\"2\" d=\"M%.2f %.2fL%.2f %.2fM%.2f %.2fL%.2f %.2f\"/>\n",
                        x - r, y - r, x + r, y + r, x - r, y + r, x + r, y - r);
        break;
    }
}

void svg__dash(struct svg__writer *writer, size_t index)
{
    static const char *const patterns[] = {NULL, "6 3", "2 3", "8 3 2 3", "12 4", "4 2 1 2"};
    const char *pattern = patterns[index % (sizeof patterns / sizeof patterns[0])];
    if (pattern != NULL)
        svg__format(writer, " stroke-dasharray=\"%s\"", pattern);
}

void svg__spread(double *positions, size_t count, double gap, double low, double high)
{
    if (count == 0)
        return;
    if (count > 1 && gap * (double)(count - 1) > high - low)
        gap = (high - low) / (double)(count - 1);
    positions[0] = svg__clamp(positions[0], low, high);
    for (size_t index = 1; index < count; index++)
        if (positions[index] < positions[index - 1] + gap)
            positions[index] = positions[index - 1] + gap;
    if (positions[count - 1] > high)
        positions[count - 1] = high;
    for (size_t index = count - 1; index > 0; index--)
        if (positions[index - 1] > positions[index] - gap)
            positions[index - 1] = positions[index] - gap;
}

static int order_compare(const void *left, const void *right)
{
    const struct svg__order *a = left, *b = right;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

void svg__sort(struct svg__order *order, size_t count)
{
    if (count > 1)
        qsort(order, count, sizeof order[0], order_compare);
}
