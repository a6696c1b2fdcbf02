/* page_layout.c — the frame every page shares, small formatting helpers,
 * and the dispatch of page paths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/version.h"
#include "web/escape.h"
#include "web/page.h"

void html_text(struct buffer *out, const char *text) { web_append_escaped(out, text); }

void html_begin(struct buffer *out, const char *title)
{
    buffer_append_string(out, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    html_text(out, title);
    buffer_append_string(out, " · assay</title><link rel=\"stylesheet\" href=\"/assets/assay.css\"></head><body>\n"
                              "<header class=\"site\"><a href=\"/\"><strong>assay</strong></a>"
                              "<nav aria-label=\"site\"><a href=\"/\">Leaderboards and runs</a></nav></header>\n"
                              "<main>\n");
}

void html_end(struct buffer *out)
{
    buffer_append_string(out, "</main>\n<footer class=\"muted\"><p>assay " ASSAY_VERSION
                              " · every figure here is also in the JSON API under /api/ (docs/web.md)</p></footer>\n"
                              "<script src=\"/assets/assay.js\" defer></script>\n</body></html>\n");
}

void html_json_text(struct buffer *out, const json_t *value)
{
    if (json_is_string(value))
        html_text(out, json_string_value(value));
    else if (json_is_integer(value))
        buffer_append_format(out, "%lld", (long long)json_integer_value(value));
    else if (json_is_real(value) && isfinite(json_real_value(value)))
        buffer_append_format(out, "%.3g", json_real_value(value));
    else if (json_is_boolean(value))
        buffer_append_string(out, json_is_true(value) ? "yes" : "no");
    else
        buffer_append_string(out, "-");
}

void html_percent(struct buffer *out, const json_t *value)
{
    if (json_is_number(value) && isfinite(json_number_value(value)))
        buffer_append_format(out, "%.1f%%", 100 * json_number_value(value));
    else
        buffer_append_string(out, "-");
}

void html_percent_interval(struct buffer *out, const json_t *value, const json_t *interval)
{
    html_percent(out, value);
    if (json_is_number(value) && json_array_size(interval) == 2)
        buffer_append_format(out, " [%.1f, %.1f]", 100 * json_number_value(json_array_get(interval, 0)),
                             100 * json_number_value(json_array_get(interval, 1)));
}

void html_link(struct buffer *out, const char *prefix, const char *name, const char *shown)
{
    buffer_append_format(out, "<a href=\"%s", prefix);
    web_append_url_component(out, name);
    buffer_append_string(out, "\">");
    html_text(out, shown != NULL ? shown : name);
    buffer_append_string(out, "</a>");
}

void html_time(struct buffer *out, const json_t *milliseconds)
{
    if (!json_is_integer(milliseconds) || json_integer_value(milliseconds) <= 0) {
        buffer_append_string(out, "-");
        return;
    }
    time_t seconds = (time_t)(json_integer_value(milliseconds) / 1000);
    struct tm parts;
    char text[64];
    gmtime_r(&seconds, &parts);
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
    buffer_append_string(out, text);
}

void html_cell(struct buffer *out, const json_t *value)
{
    if (json_is_number(value))
        buffer_append_format(out, "<td class=\"number\" data-value=\"%.10g\">", json_number_value(value));
    else
        buffer_append_string(out, "<td>");
    html_json_text(out, value);
    buffer_append_string(out, "</td>");
}

void html_cell_interval(struct buffer *out, const json_t *value, const json_t *interval)
{
    buffer_append_format(out, "<td class=\"number\" data-value=\"%.10g\">",
                         json_is_number(value) ? json_number_value(value) : -1.0);
    html_percent_interval(out, value, interval);
    buffer_append_string(out, "</td>");
}

void html_fact(struct buffer *out, const char *label, const json_t *value)
{
    buffer_append_string(out, "<dt>");
    html_text(out, label);
    buffer_append_string(out, "</dt><dd>");
    html_json_text(out, value);
    buffer_append_string(out, "</dd>");
}

void html_fact_time(struct buffer *out, const char *label, const json_t *milliseconds)
{
    buffer_append_string(out, "<dt>");
    html_text(out, label);
    buffer_append_string(out, "</dt><dd>");
    html_time(out, milliseconds);
    buffer_append_string(out, "</dd>");
}

void html_sort_header(struct buffer *out, const char *label, int numeric)
{
    buffer_append_format(out, "<th scope=\"col\"%s><button type=\"button\" data-sort=\"1\" data-type=\"%s\">",
                         numeric ? " class=\"number\"" : "", numeric ? "number" : "text");
    html_text(out, label);
    buffer_append_string(out, "</button></th>");
}

int web_page_error(struct web_answer *answer, int code, const char *message)
{
    answer->status = web_status_of(code);
    answer->content_type = "text/html; charset=utf-8";
    buffer_reset(&answer->body);
    html_begin(&answer->body, answer->status == 404 ? "Not found" : "Error");
    buffer_append_format(&answer->body, "<h1>%s</h1><p role=\"alert\">", answer->status == 404 ? "Not found" : "Error");
    html_text(&answer->body, message);
    buffer_append_string(&answer->body, "</p><p><a href=\"/\">Back to the leaderboards</a></p>");
    html_end(&answer->body);
    return ASSAY_OK;
}

int web_page_answer(struct store *store, const char *path, const struct web_query *query,
                    struct web_answer *answer)
{
    answer->status = 200;
    answer->content_type = "text/html; charset=utf-8";
    int64_t id = 0;
    const char *rest = NULL;
    char name[256];
    if (strcmp(path, "/") == 0)
        return web_page_index(store, answer);
    if (strncmp(path, "/leaderboard/", 13) == 0 && web_path_name(path + 13, name, sizeof name) == 0)
        return web_page_leaderboard(store, name, answer);
    if (strncmp(path, "/agents/", 8) == 0 && web_path_name(path + 8, name, sizeof name) == 0)
        return web_page_agent(store, name, answer);
    if (web_path_id(path, "/runs/", &id, &rest)) {
        if (strcmp(rest, "") == 0)
            return web_page_run(store, id, query, answer);
        if (strcmp(rest, "/compare") == 0)
            return web_page_compare(store, id, query, answer);
        if (strcmp(rest, "/analysis") == 0)
            return web_page_analysis(store, id, answer);
    }
    if (web_path_id(path, "/episodes/", &id, &rest) && strcmp(rest, "") == 0)
        return web_page_episode(store, id, query, answer);
    char message[300];
    snprintf(message, sizeof message, "There is no page at %.200s.", path);
    return web_page_error(answer, ASSAY_ERR_NOT_FOUND, message);
}
