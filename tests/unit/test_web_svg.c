/* test_web_svg.c — the inline SVG plots (web/svg.h) and the escaping under
 * them (web/escape.h): every plot is one well-formed element with its
 * title and desc, hostile names come out escaped, no "nan" or "inf" ever
 * appears, marks sit where the data put them, and running out of memory
 * leaves the caller's buffer as it was, with nothing leaked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buffer.h"
#include "core/memory.h"
#include "core/status.h"
#include "web/escape.h"
#include "web/svg.h"
#include "test_list.h"

static const char hostile[] = "<script>&\"'";
static const char hostile_escaped[] = "&lt;script&gt;&amp;&quot;&#39;";

/* ---- A small XML checker ---------------------------------------------------- */

static int is_name_character(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == ':' || c == '.';
}

/* The length of a valid reference at text ("&amp;", "&#39;"...), or 0. */
static size_t entity_length(const char *text)
{
    static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    for (size_t index = 0; index < sizeof named / sizeof named[0]; index++)
        if (strncmp(text, named[index], strlen(named[index])) == 0)
            return strlen(named[index]);
    return 0;
}

/* NULL when text is exactly one well-formed element (tags balanced, every
 * attribute quoted, every & a known reference, no raw < or > in text or
 * values, nothing but white space around it); otherwise what is wrong. */
static const char *xml_problem(const char *text)
{
    static char problem[200];
    const char *open[256];
    size_t open_lengths[256], depth = 0, roots = 0;
    const char *at = text;
    while (*at != '\0') {
        if (*at == '&') {
            size_t length = entity_length(at);
            if (length == 0)
                goto bad_reference;
            at += length;
        } else if (*at == '>') {
            snprintf(problem, sizeof problem, "raw > at offset %td", at - text);
            return problem;
        } else if (*at != '<') {
            if (depth == 0 && *at != ' ' && *at != '\n') {
                snprintf(problem, sizeof problem, "text outside the element at offset %td",
                         at - text);
                return problem;
            }
            at++;
        } else if (at[1] == '/') {
            const char *name = at + 2;
            size_t length = 0;
            while (is_name_character(name[length]))
                length++;
            if (depth == 0 || open_lengths[depth - 1] != length ||
                strncmp(open[depth - 1], name, length) != 0 || name[length] != '>') {
                snprintf(problem, sizeof problem, "unexpected </%.*s> at offset %td", (int)length,
                         name, at - text);
                return problem;
            }
            depth--;
            at = name + length + 1;
        } else {
            const char *name = at + 1;
            size_t length = 0;
            while (is_name_character(name[length]))
                length++;
            if (length == 0) {
                snprintf(problem, sizeof problem, "bad tag at offset %td", at - text);
                return problem;
            }
            if (depth == 0 && roots++ > 0)
                return "more than one root element";
            at = name + length;
            for (;;) { /* attributes */
                while (*at == ' ' || *at == '\n')
                    at++;
                if (at[0] == '/' && at[1] == '>') {
                    at += 2;
                    break;
                }
                if (*at == '>') {
                    if (depth == sizeof open / sizeof open[0])
                        return "nested too deep";
                    open[depth] = name;
                    open_lengths[depth++] = length;
                    at++;
                    break;
                }
                size_t attribute = 0;
                while (is_name_character(at[attribute]))
                    attribute++;
                if (attribute == 0 || at[attribute] != '=' || at[attribute + 1] != '"') {
                    snprintf(problem, sizeof problem, "bad attribute at offset %td", at - text);
                    return problem;
                }
                at += attribute + 2;
                while (*at != '"') {
                    if (*at == '\0' || *at == '<' || *at == '>') {
                        snprintf(problem, sizeof problem, "bad value at offset %td", at - text);
                        return problem;
                    }
                    if (*at == '&') {
                        size_t entity = entity_length(at);
                        if (entity == 0)
                            goto bad_reference;
                        at += entity;
                    } else {
                        at++;
                    }
                }
                at++;
            }
        }
    }
    if (depth != 0)
        return "an element is not closed";
    if (roots != 1)
        return "no root element";
    return NULL;
bad_reference:
    snprintf(problem, sizeof problem, "bad & reference at offset %td: %.12s", at - text, at);
    return problem;
}

static size_t occurrences(const char *text, const char *needle)
{
    size_t count = 0;
    for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle))
        count++;
    return count;
}

/* The checks every plot must pass. */
static void assert_plot(const char *svg, const char *id)
{
    assert_non_null(svg);
    const char *problem = xml_problem(svg);
    if (problem != NULL)
        fail_msg("%s: not well-formed: %s\n%s", id, problem, svg);
    char expected[256];
    snprintf(expected, sizeof expected, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
    assert_true(strncmp(svg, expected, strlen(expected)) == 0);
    snprintf(expected, sizeof expected,
             " role=\"img\" aria-labelledby=\"%s-title %s-desc\" id=\"%s\"", id, id, id);
    assert_non_null(strstr(svg, expected));
    snprintf(expected, sizeof expected, "<title id=\"%s-title\">", id);
    assert_int_equal(occurrences(svg, expected), 1);
    snprintf(expected, sizeof expected, "<desc id=\"%s-desc\">", id);
    assert_int_equal(occurrences(svg, expected), 1);
    if (strcasestr(svg, "nan") != NULL || strcasestr(svg, "inf") != NULL)
        fail_msg("%s: holds nan or inf:\n%s", id, svg);
    /* nothing outside: no links, scripts, styles or fonts */
    assert_null(strstr(svg, "href"));
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "<style"));
    assert_null(strstr(svg, "url("));
    assert_null(strstr(svg, "@import"));
    assert_int_equal(occurrences(svg, "http"), 1); /* the namespace */
}

/* The desc's text (points into svg). */
static const char *desc_of(const char *svg, char *text, size_t size)
{
    const char *start = strstr(svg, "<desc");
    assert_non_null(start);
    start = strchr(start, '>') + 1;
    const char *end = strstr(start, "</desc>");
    assert_non_null(end);
    snprintf(text, size, "%.*s", (int)(end - start), start);
    return text;
}

/* The x of the tick labelled `label` (e.g. "50%"). */
static double tick_x(const char *svg, const char *label)
{
    char needle[64];
    snprintf(needle, sizeof needle, "\">%s</text>", label);
    const char *end = strstr(svg, needle);
    assert_non_null(end);
    const char *start = end;
    while (start > svg && strncmp(start, "<text class=\"plot-tick-label\"", 29) != 0)
        start--;
    double x = NAN;
    assert_int_equal(sscanf(start, "<text class=\"plot-tick-label\" x=\"%lf\"", &x), 1);
    return x;
}

static long live_at_start;

static int remember_live_blocks(void **state)
{
    live_at_start = assay_memory_live_allocations();
    return 0;
}

static int check_no_leak(void **state)
{
    assert_int_equal(assay_memory_live_allocations(), live_at_start);
    return 0;
}

/* ---- Escaping ----------------------------------------------------------------- */

static void escaping_covers_markup_and_quotes(void **state)
{
    struct buffer out = {0};
    assert_int_equal(web_append_escaped(&out, hostile), 0);
    assert_string_equal(out.data, hostile_escaped);
    assert_int_equal(web_append_escaped(&out, NULL), 0);
    assert_string_equal(out.data, hostile_escaped);
    buffer_reset(&out);
    /* good UTF-8 passes; bad bytes and forbidden controls become U+FFFD */
    assert_int_equal(
        web_append_escaped(&out, "caf\xC3\xA9 \xCE\xB8\t\x01|\xC0\xAF|\xFF|\xED\xA0\x80"), 0);
    assert_string_equal(out.data, "caf\xC3\xA9 \xCE\xB8\t\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|"
                                  "\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    buffer_reset(&out);
    assert_int_equal(web_append_escaped(&out, "cut \xE2\x82"), 0); /* truncated sequence */
    assert_string_equal(out.data, "cut \xEF\xBF\xBD\xEF\xBF\xBD");
    assert_int_equal(web_append_escaped(NULL, "x"), ASSAY_ERR_INVALID);
    buffer_free(&out);
}

static void url_components_keep_only_unreserved_characters(void **state)
{
    struct buffer out = {0};
    assert_int_equal(web_append_url_component(&out, "gpt-4o_mini.v2~"), 0);
    assert_string_equal(out.data, "gpt-4o_mini.v2~");
    buffer_reset(&out);
    assert_int_equal(web_append_url_component(&out, "a b/c?d&e=\"\xC3\xA9"), 0);
    assert_string_equal(out.data, "a%20b%2Fc%3Fd%26e%3D%22%C3%A9");
    buffer_reset(&out);
    assert_int_equal(web_append_url_component(&out, NULL), 0);
    assert_int_equal(out.length, 0);
    buffer_free(&out);
}

/* ---- Interval bars ------------------------------------------------------------ */

static void interval_bars_state_the_data_in_words(void **state)
{
    const struct svg_interval_row rows[] = {
        {"oracle", 1.0, 0.9434, 1.0, 0},
        {"random", 0.0, 0.0, 0.0566, 0},
        {"idle", 0, 0, 0, 1},
    };
    struct buffer out = {0};
    assert_int_equal(svg_interval_bars(&out, "board", "Mean score", rows, 3), 0);
    assert_plot(out.data, "board");
    char desc[1024];
    assert_string_equal(desc_of(out.data, desc, sizeof desc),
                        "oracle 100.0% (95% CI 94.3 to 100.0); random 0.0% (95% CI 0.0 to 5.7);"
                        " idle no score.");
    assert_non_null(strstr(out.data, ">Mean score</title>"));
    assert_int_equal(occurrences(out.data, "class=\"plot-bar\""), 2);
    assert_int_equal(occurrences(out.data, "class=\"plot-whisker\""), 2);
    assert_int_equal(occurrences(out.data, ">no score</text>"), 1);
    assert_non_null(strstr(out.data, ">100.0%</text>"));
    buffer_free(&out);
}

static void a_half_ends_at_the_middle_of_the_axis(void **state)
{
    const struct svg_interval_row rows[] = {{"half", 0.5, 0.25, 0.75, 0}};
    struct buffer out = {0};
    assert_int_equal(svg_interval_bars(&out, "half", NULL, rows, 1), 0);
    assert_plot(out.data, "half");
    double start = tick_x(out.data, "0%"), middle = tick_x(out.data, "50%");
    double end = tick_x(out.data, "100%");
    assert_true(end > start);
    assert_true(fabs(middle - (start + end) / 2) < 0.01);
    double x, y, width;
    const char *bar = strstr(out.data, "<rect class=\"plot-bar\"");
    assert_non_null(bar);
    assert_int_equal(
        sscanf(bar, "<rect class=\"plot-bar\" x=\"%lf\" y=\"%lf\" width=\"%lf\"", &x, &y, &width),
        3);
    assert_true(fabs(x - start) < 0.01);
    assert_true(fabs(x + width - middle) < 0.01);
    /* the whisker runs from the 25% to the 75% point */
    double low, middle_y, high;
    const char *whisker = strstr(out.data, "<path class=\"plot-whisker\" d=\"");
    assert_non_null(whisker);
    assert_int_equal(
        sscanf(whisker, "<path class=\"plot-whisker\" d=\"M%lf %lfH%lf", &low, &middle_y, &high),
        3);
    assert_true(fabs(low - (start + (end - start) * 0.25)) < 0.01);
    assert_true(fabs(high - (start + (end - start) * 0.75)) < 0.01);
    buffer_free(&out);
}

static void hostile_labels_and_bad_numbers_are_tamed(void **state)
{
    const struct svg_interval_row rows[] = {
        {hostile, 0.5, NAN, 0.6, 0},
        {"nothing", NAN, 0, 1, 0},
        {"too much", 1.7, INFINITY, -INFINITY, 0},
        {NULL, -0.2, -1, 2, 0},
    };
    struct buffer out = {0};
    assert_int_equal(svg_interval_bars(&out, "hostile", hostile, rows, 4), 0);
    assert_plot(out.data, "hostile");
    assert_null(strstr(out.data, "<script"));
    assert_int_equal(occurrences(out.data, hostile_escaped), 3); /* title, desc, label */
    char desc[1024];
    desc_of(out.data, desc, sizeof desc);
    assert_non_null(strstr(desc, "50.0% (no interval)"));
    assert_non_null(strstr(desc, "1 score not a finite number, shown as no score."));
    assert_non_null(strstr(desc, "2 scores outside 0 to 100%, drawn at the end of the axis."));
    assert_non_null(strstr(desc, "(unnamed) 0.0% (95% CI 0.0 to 100.0)"));
    buffer_free(&out);
}

static void long_labels_are_shortened_on_a_character_boundary(void **state)
{
    /* 40 two-byte characters: cut to 29 of them and an ellipsis */
    char label[81] = {0};
    for (size_t index = 0; index < 40; index++)
        memcpy(label + 2 * index, "\xC3\xA9", 2);
    const struct svg_interval_row rows[] = {{label, 0.3, 0.2, 0.4, 0}};
    struct buffer out = {0};
    assert_int_equal(svg_interval_bars(&out, "long", NULL, rows, 1), 0);
    assert_plot(out.data, "long");
    char expected[128] = {0};
    memcpy(expected, ">", 1);
    memcpy(expected + 1, label, 58);
    memcpy(expected + 59, "\xE2\x80\xA6</text>", 10);
    assert_non_null(strstr(out.data, expected));
    assert_non_null(strstr(out.data, label)); /* the desc keeps it whole */
    buffer_free(&out);
}

static void five_hundred_rows_are_built_in_one_pass(void **state)
{
    enum { ROWS = 500 };
    static struct svg_interval_row rows[ROWS];
    static char labels[ROWS][16];
    for (size_t index = 0; index < ROWS; index++) {
        snprintf(labels[index], sizeof labels[index], "agent-%03zu", index);
        rows[index] = (struct svg_interval_row){labels[index], (double)(index % 101) / 100,
                                                (double)(index % 101) / 200, 1.0, index % 7 == 0};
    }
    struct buffer out = {0};
    assert_int_equal(svg_interval_bars(&out, "many", "Many agents", rows, ROWS), 0);
    assert_plot(out.data, "many");
    assert_int_equal(occurrences(out.data, "class=\"plot-label\""), ROWS);
    assert_int_equal(occurrences(out.data, ">no score</text>"), (ROWS + 6) / 7);
    assert_int_equal(occurrences(out.data, "class=\"plot-bar\""), ROWS - (ROWS + 6) / 7);
    /* the height grows with the rows: 22 units each */
    double width, height;
    assert_int_equal(
        sscanf(strstr(out.data, "viewBox=\""), "viewBox=\"0 0 %lf %lf\"", &width, &height), 2);
    assert_true(height > ROWS * 22 && height < ROWS * 22 + 100);
    buffer_free(&out);
}

/* ---- Wright map ------------------------------------------------------------------ */

static void a_wright_map_covers_agents_and_items(void **state)
{
    const double abilities[] = {3.2, -2.9, NAN};
    const char *const names[] = {"oracle", hostile, "broken"};
    const double difficulties[] = {0.1, 0.2, 0.3, -1.6, INFINITY};
    const char *const items[] = {"q01", "q02", "q03", "q04", "q05"};
    struct buffer out = {0};
    assert_int_equal(svg_wright_map(&out, "wright", abilities, names, 3, difficulties, items, 5),
                     0);
    assert_plot(out.data, "wright");
    char desc[2048];
    desc_of(out.data, desc, sizeof desc);
    assert_non_null(strstr(desc, "from -4 to 4."));
    assert_non_null(
        strstr(desc, "highest first: oracle 3.20, &lt;script&gt;&amp;&quot;&#39; -2.90."));
    assert_non_null(strstr(desc, "4 item difficulties from -1.60 (q04) to 0.30 (q03)."));
    assert_non_null(strstr(desc, "-1.75 to -1.50: 1; 0.00 to 0.25: 2; 0.25 to 0.50: 1."));
    assert_non_null(strstr(desc, "2 values not a finite number, left out."));
    assert_int_equal(occurrences(out.data, "class=\"plot-agent\""), 2);
    assert_int_equal(occurrences(out.data, "class=\"plot-histogram\""), 3);
    assert_non_null(strstr(out.data, ">-4</text>"));
    assert_non_null(strstr(out.data, ">4</text>"));
    /* the ability 3.2 sits 7.2/8 of the way up the axis, from y = 448 to y = 48 */
    double cx, cy;
    assert_int_equal(sscanf(strstr(out.data, "<circle class=\"plot-agent\""),
                            "<circle class=\"plot-agent\" fill=\"currentColor\""
                            " stroke=\"currentColor\" cx=\"%lf\" cy=\"%lf\"",
                            &cx, &cy),
                     2);
    assert_true(fabs(cy - (448 - 400 * 7.2 / 8)) < 0.01);
    buffer_free(&out);
}

static void a_wright_map_clamps_wild_values_and_handles_none(void **state)
{
    const double abilities[] = {1e300, -50};
    const double difficulties[] = {0};
    struct buffer out = {0};
    assert_int_equal(svg_wright_map(&out, "wild", abilities, NULL, 2, difficulties, NULL, 1), 0);
    assert_plot(out.data, "wild");
    char desc[2048];
    desc_of(out.data, desc, sizeof desc);
    assert_non_null(strstr(desc, "from -10 to 10."));
    assert_non_null(strstr(desc, "agent 1 1"));
    assert_non_null(strstr(desc, "2 values beyond -10 to 10 logits"));
    buffer_reset(&out);
    assert_int_equal(svg_wright_map(&out, "empty", NULL, NULL, 0, NULL, NULL, 0), 0);
    assert_plot(out.data, "empty");
    assert_non_null(strstr(out.data, ">no data</text>"));
    assert_int_equal(svg_wright_map(&out, "bad", NULL, NULL, 2, NULL, NULL, 0), ASSAY_ERR_INVALID);
    buffer_free(&out);
}

/* ---- Item curves -------------------------------------------------------------------- */

static void exactly_the_asked_number_of_curves_spread_over_difficulty(void **state)
{
    enum { ITEMS = 20 };
    double a[ITEMS], b[ITEMS];
    char ids[ITEMS][8];
    const char *names[ITEMS];
    for (size_t index = 0; index < ITEMS; index++) {
        /* difficulties out of order, so the choice must sort them */
        size_t rank = (index * 7) % ITEMS;
        a[index] = 1.0 + 0.1 * (double)index;
        b[index] = -3.0 + 0.3 * (double)rank;
        snprintf(ids[index], sizeof ids[index], "q%02zu", rank);
        names[index] = ids[index];
    }
    struct buffer out = {0};
    for (size_t asked = 1; asked <= 6; asked++) {
        buffer_reset(&out);
        assert_int_equal(svg_item_curves(&out, "curves", a, b, names, ITEMS, asked), 0);
        assert_plot(out.data, "curves");
        assert_int_equal(occurrences(out.data, "class=\"plot-curve "), asked);
        assert_int_equal(occurrences(out.data, "<polyline"), asked);
        if (asked >= 2) { /* the easiest and the hardest are both drawn */
            assert_non_null(strstr(out.data, ">q00</text>"));
            assert_non_null(strstr(out.data, ">q19</text>"));
        }
    }
    buffer_reset(&out);
    assert_int_equal(svg_item_curves(&out, "all", a, b, names, ITEMS, 100), 0);
    assert_int_equal(occurrences(out.data, "class=\"plot-curve "), ITEMS);
    buffer_free(&out);
}

static void a_curve_crosses_one_half_at_its_difficulty(void **state)
{
    const double a[] = {1.5, NAN, 2.0};
    const double b[] = {0.0, 1.0, 6.0};
    const char *const ids[] = {"middle", "broken", "far"};
    struct buffer out = {0};
    assert_int_equal(svg_item_curves(&out, "icc", a, b, ids, 3, 5), 0);
    assert_plot(out.data, "icc");
    assert_int_equal(occurrences(out.data, "class=\"plot-curve "), 2);
    char desc[2048];
    desc_of(out.data, desc, sizeof desc);
    assert_non_null(strstr(desc, "middle difficulty 0.00, discrimination 1.50"));
    assert_non_null(strstr(desc, "1 50% point off the axis"));
    assert_non_null(strstr(desc, "1 item without a finite discrimination"));
    /* the midpoint of "middle" sits at theta = 0 (x = 332) and P = 0.5 (y = 170) */
    double cx, cy;
    const char *midpoint = strstr(out.data, "<circle class=\"plot-midpoint");
    assert_non_null(midpoint);
    assert_int_equal(sscanf(strstr(midpoint, "cx="), "cx=\"%lf\" cy=\"%lf\"", &cx, &cy), 2);
    assert_true(fabs(cx - (tick_x(out.data, "-4") + tick_x(out.data, "4")) / 2) < 0.01);
    assert_true(fabs(cy - 170) < 0.01);
    buffer_reset(&out);
    assert_int_equal(svg_item_curves(&out, "none", a, b, ids, 3, 0), 0);
    assert_plot(out.data, "none");
    assert_non_null(strstr(out.data, ">no data</text>"));
    assert_int_equal(svg_item_curves(&out, "bad", NULL, b, ids, 3, 2), ASSAY_ERR_INVALID);
    buffer_free(&out);
}

/* ---- Time horizon ---------------------------------------------------------------------- */

static void a_horizon_plot_marks_its_fifty_percent_point(void **state)
{
    /* 1 min .. 4 h, succeeding on the short ones */
    const double minutes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 8, NAN};
    const double success[] = {1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1};
    struct buffer out = {0};
    assert_int_equal(
        svg_horizon_plot(&out, "horizon", "oracle", minutes, success, 12, 3.5, -1, exp2(3.5)), 0);
    assert_plot(out.data, "horizon");
    assert_non_null(strstr(out.data, ">Time horizon of oracle</title>"));
    char desc[2048];
    desc_of(out.data, desc, sizeof desc);
    assert_non_null(strstr(desc, "oracle on 11 tasks with human times from 1.0 min to 4.3 h: 5"
                                 " succeeded."));
    assert_non_null(strstr(desc, "intercept 3.50, slope -1.00 per doubling"));
    assert_non_null(strstr(desc, "50% time horizon: 11 min, marked on the plot."));
    assert_non_null(strstr(desc, "1 task without a finite time or success left out."));
    assert_non_null(strstr(out.data, ">1 min</text>"));
    assert_non_null(strstr(out.data, ">15 min</text>"));
    assert_non_null(strstr(out.data, ">1 h</text>"));
    assert_non_null(strstr(out.data, ">4 h</text>"));
    assert_non_null(strstr(out.data, ">50% at 11 min</text>"));
    assert_int_equal(occurrences(out.data, "class=\"plot-point\""), 11);
    assert_int_equal(occurrences(out.data, "class=\"plot-fit\""), 1);
    /* the mark sits over log2(11.3 min) on the time axis */
    double mark_x;
    assert_int_equal(sscanf(strstr(out.data, "<path class=\"plot-horizon\" d=\"M"),
                            "<path class=\"plot-horizon\" d=\"M%lf", &mark_x),
                     1);
    double one = tick_x(out.data, "1 min"), sixteen = tick_x(out.data, "15 min");
    double per_doubling = (sixteen - one) / log2(15);
    assert_true(fabs(mark_x - (one + 3.5 * per_doubling)) < 0.05);
    /* jitter is fixed: the same data give the same picture */
    struct buffer again = {0};
    assert_int_equal(
        svg_horizon_plot(&again, "horizon", "oracle", minutes, success, 12, 3.5, -1, exp2(3.5)), 0);
    assert_string_equal(out.data, again.data);
    buffer_free(&again);
    buffer_free(&out);
}

static void a_horizon_without_a_finite_value_is_not_marked(void **state)
{
    const double minutes[] = {2, 4, 1e9};
    const double success[] = {0.5, 0.25, 2};
    struct buffer out = {0};
    assert_int_equal(svg_horizon_plot(&out, "flat", hostile, minutes, success, 3, 0, 0, INFINITY),
                     0);
    assert_plot(out.data, "flat");
    assert_null(strstr(out.data, "<script"));
    char desc[2048];
    desc_of(out.data, desc, sizeof desc);
    assert_non_null(strstr(desc, "No 50% horizon is marked: it is not a finite number."));
    assert_non_null(strstr(desc, "mean success 58.3%."));
    assert_non_null(strstr(desc, "1 time off the axis drawn at its end."));
    assert_null(strstr(out.data, "class=\"plot-horizon\""));

    buffer_reset(&out);
    assert_int_equal(svg_horizon_plot(&out, "negative", NULL, minutes, success, 2, NAN, 1, -3), 0);
    assert_plot(out.data, "negative");
    desc_of(out.data, desc, sizeof desc);
    assert_non_null(strstr(desc, "it is zero or negative."));
    assert_non_null(strstr(desc, "No fitted curve"));
    assert_null(strstr(out.data, "class=\"plot-fit\""));

    buffer_reset(&out);
    assert_int_equal(svg_horizon_plot(&out, "far", NULL, minutes, success, 2, 1, -1, 1e12), 0);
    assert_plot(out.data, "far");
    desc_of(out.data, desc, sizeof desc);
    assert_non_null(strstr(desc, "it lies off the axis"));

    buffer_reset(&out);
    assert_int_equal(svg_horizon_plot(&out, "none", "x", NULL, NULL, 0, 1, 1, 1), 0);
    assert_plot(out.data, "none");
    assert_non_null(strstr(out.data, ">no data</text>"));
    assert_int_equal(svg_horizon_plot(&out, "bad", "x", minutes, NULL, 2, 1, 1, 1),
                     ASSAY_ERR_INVALID);
    buffer_free(&out);
}

/* ---- pass@k ------------------------------------------------------------------------------ */

static void pass_at_k_gives_each_series_a_shape_and_a_name(void **state)
{
    const double values[] = {
        0.50, 0.70, 0.80, 0.85, 0.90, /* oracle */
        0.10, NAN,  0.20, 0.25, 0.30, /* hostile */
        0.50, 0.70, 0.80, 0.85, 1.50, /* clamped, and its label collides with oracle's */
    };
    const char *const names[] = {"oracle", hostile, "over"};
    struct buffer out = {0};
    assert_int_equal(svg_pass_at_k(&out, "pass", names, values, 3, 5), 0);
    assert_plot(out.data, "pass");
    char desc[2048];
    desc_of(out.data, desc, sizeof desc);
    assert_non_null(strstr(desc, "pass@k for k = 1 to 5. oracle: 50.0% at k = 1, 90.0% at k = 5;"));
    assert_non_null(strstr(desc, "1 value not a finite number, left out."));
    assert_non_null(strstr(desc, "1 value outside 0 to 100%"));
    assert_int_equal(occurrences(out.data, "class=\"plot-line "), 3);
    /* three marker shapes: circles, squares, triangles */
    assert_int_equal(occurrences(out.data, "<circle class=\"plot-marker plot-series-0\""), 5);
    assert_int_equal(occurrences(out.data, "<rect class=\"plot-marker plot-series-1\""), 4);
    assert_int_equal(occurrences(out.data, "<path class=\"plot-marker plot-series-2\""), 5);
    assert_int_equal(occurrences(out.data, "class=\"plot-label "), 3);
    assert_null(strstr(out.data, "<script"));
    for (size_t k = 1; k <= 5; k++) {
        char label[8];
        snprintf(label, sizeof label, "%zu", k);
        tick_x(out.data, label);
    }
    buffer_free(&out);
}

static void pass_at_one_is_a_single_point_per_series(void **state)
{
    const double values[] = {0.4, 0.6};
    struct buffer out = {0};
    assert_int_equal(svg_pass_at_k(&out, "one", NULL, values, 2, 1), 0);
    assert_plot(out.data, "one");
    assert_int_equal(occurrences(out.data, "<polyline"), 0);
    assert_int_equal(occurrences(out.data, "class=\"plot-marker "), 2);
    assert_non_null(strstr(out.data, ">series 1</text>"));
    char desc[1024];
    assert_string_equal(
        desc_of(out.data, desc, sizeof desc),
        "pass@k for k = 1 to 1. series 1: 40.0% at k = 1; series 2: 60.0% at k = 1.");
    buffer_reset(&out);
    /* many k: at most 10 ticks, starting at 1 */
    double many[200];
    for (size_t k = 0; k < 200; k++)
        many[k] = 1 - exp(-(double)(k + 1) / 40);
    assert_int_equal(svg_pass_at_k(&out, "many", NULL, many, 1, 200), 0);
    assert_plot(out.data, "many");
    assert_int_equal(occurrences(out.data, "<line class=\"plot-tick\""), 11 + 5);
    tick_x(out.data, "1");
    tick_x(out.data, "200");
    buffer_reset(&out);
    assert_int_equal(svg_pass_at_k(&out, "empty", NULL, NULL, 0, 5), 0);
    assert_plot(out.data, "empty");
    assert_int_equal(svg_pass_at_k(&out, "bad", NULL, NULL, 2, 5), ASSAY_ERR_INVALID);
    buffer_free(&out);
}

/* ---- Contract ----------------------------------------------------------------------------- */

static void ids_must_be_plain(void **state)
{
    const struct svg_interval_row rows[] = {{"a", 0.5, 0.4, 0.6, 0}};
    struct buffer out = {0};
    assert_int_equal(svg_interval_bars(&out, "a b", NULL, rows, 1), ASSAY_ERR_INVALID);
    assert_int_equal(svg_interval_bars(&out, "x\"y", NULL, rows, 1), ASSAY_ERR_INVALID);
    assert_int_equal(svg_interval_bars(&out, "", NULL, rows, 1), ASSAY_ERR_INVALID);
    assert_int_equal(svg_interval_bars(&out, NULL, NULL, rows, 1), ASSAY_ERR_INVALID);
    assert_int_equal(svg_interval_bars(NULL, "ok", NULL, rows, 1), ASSAY_ERR_INVALID);
    assert_int_equal(svg_interval_bars(&out, "ok", NULL, NULL, 1), ASSAY_ERR_INVALID);
    assert_int_equal(out.length, 0);
    assert_int_equal(svg_interval_bars(&out, "ok", NULL, NULL, 0), 0);
    assert_plot(out.data, "ok");
    assert_non_null(strstr(out.data, "No data: there are no rows."));
    buffer_free(&out);
}

static int draw_each(struct buffer *out, int which)
{
    static const struct svg_interval_row rows[] = {
        {"oracle", 1, 0.9, 1, 0}, {"random", 0.1, 0, 0.3, 0}, {"idle", 0, 0, 0, 1}};
    static const double abilities[] = {2, -1}, difficulties[] = {0.5, -0.5, 1.2};
    static const double discrimination[] = {1, 1.5, 0.7};
    static const double minutes[] = {1, 3, 5, 7}, success[] = {1, 1, 0, 0};
    static const double pass[] = {0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
    static const char *const names[] = {"a", "b", "c"};
    switch (which) {
    case 0:
        return svg_interval_bars(out, "p0", "t", rows, 3);
    case 1:
        return svg_wright_map(out, "p1", abilities, names, 2, difficulties, names, 3);
    case 2:
        return svg_item_curves(out, "p2", discrimination, difficulties, names, 3, 2);
    case 3:
        return svg_horizon_plot(out, "p3", "a", minutes, success, 4, 4, -1, 16);
    default:
        return svg_pass_at_k(out, "p4", names, pass, 2, 3);
    }
}

static void running_out_of_memory_leaves_the_buffer_as_it_was(void **state)
{
    for (int which = 0; which < 5; which++) {
        int failures = 0;
        for (long failing = 0;; failing++) {
            struct buffer out = {0};
            assert_int_equal(buffer_append_string(&out, "before"), 0);
            assay_memory_fail_after(failing);
            int status = draw_each(&out, which);
            assay_memory_fail_after(-1);
            if (status == ASSAY_OK) {
                char id[16];
                snprintf(id, sizeof id, "p%d", which);
                assert_plot(out.data + strlen("before"), id);
                buffer_free(&out);
                break;
            }
            assert_int_equal(status, ASSAY_ERR_NOMEM);
            assert_int_equal(out.length, strlen("before"));
            assert_string_equal(out.data, "before");
            buffer_free(&out);
            failures++;
            assert_true(failing < 1000);
        }
        assert_true(failures > 0); /* the test did exercise a failure */
    }
}

int test_group_web_svg(void)
{
#define LEAK_CHECKED(test)                                                                         \
    cmocka_unit_test_setup_teardown(test, remember_live_blocks, check_no_leak)
    const struct CMUnitTest tests[] = {
        LEAK_CHECKED(escaping_covers_markup_and_quotes),
        LEAK_CHECKED(url_components_keep_only_unreserved_characters),
        LEAK_CHECKED(interval_bars_state_the_data_in_words),
        LEAK_CHECKED(a_half_ends_at_the_middle_of_the_axis),
        LEAK_CHECKED(hostile_labels_and_bad_numbers_are_tamed),
        LEAK_CHECKED(long_labels_are_shortened_on_a_character_boundary),
        LEAK_CHECKED(five_hundred_rows_are_built_in_one_pass),
        LEAK_CHECKED(a_wright_map_covers_agents_and_items),
        LEAK_CHECKED(a_wright_map_clamps_wild_values_and_handles_none),
        LEAK_CHECKED(exactly_the_asked_number_of_curves_spread_over_difficulty),
        LEAK_CHECKED(a_curve_crosses_one_half_at_its_difficulty),
        LEAK_CHECKED(a_horizon_plot_marks_its_fifty_percent_point),
        LEAK_CHECKED(a_horizon_without_a_finite_value_is_not_marked),
        LEAK_CHECKED(pass_at_k_gives_each_series_a_shape_and_a_name),
        LEAK_CHECKED(pass_at_one_is_a_single_point_per_series),
        LEAK_CHECKED(ids_must_be_plain),
        LEAK_CHECKED(running_out_of_memory_leaves_the_buffer_as_it_was),
    };
#undef LEAK_CHECKED
    return cmocka_run_group_tests_name("web_svg", tests, NULL, NULL);
}
