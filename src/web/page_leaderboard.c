/* page_leaderboard.c — the front page, a benchmark's leaderboard and an
 * agent's runs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"
#include "web/data.h"
#include "web/escape.h"
#include "web/page.h"
#include "web/svg.h"

static void gap_cell(struct buffer *out, const json_t *gap)
{
    const json_t *value = json_object_get(gap, "atomic_minus_composite");
    if (!json_is_number(value)) {
        buffer_append_string(out, "<td class=\"number\" data-value=\"\">-</td>");
        return;
    }
    const json_t *interval = json_object_get(gap, "ci95");
    buffer_append_format(out, "<td class=\"number\" data-value=\"%.6f\">%+.1f [%.1f, %.1f]</td>",
                         json_number_value(value), 100 * json_number_value(value),
                         100 * json_number_value(json_array_get(interval, 0)),
                         100 * json_number_value(json_array_get(interval, 1)));
}

/* The leaderboard table and its error-bar plot. */
static void leaderboard_table(struct buffer *out, const json_t *board)
{
    const json_t *agents = json_object_get(board, "agents");
    const json_t *capabilities = json_object_get(board, "capabilities");
    const char *benchmark = json_string_value(json_object_get(board, "benchmark"));
    size_t count = json_array_size(agents);
    buffer_append_string(out, "<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"leaderboard\">"
                              "<table id=\"leaderboard\"><caption>");
    html_text(out, benchmark);
    buffer_append_format(out, ": %zu agents ranked by mean score, each by its latest run. \"=\" marks a tie: "
                              "the agent's 95%% interval reaches that of the first agent of its rank, so the "
                              "data do not order them.</caption>\n<thead><tr>",
                         count);
    html_sort_header(out, "rank", 1);
    html_sort_header(out, "agent", 0);
    html_sort_header(out, "mean score [95% CI]", 1);
    html_sort_header(out, "pass rate", 1);
    size_t index;
    json_t *tag;
    json_array_foreach(capabilities, index, tag) html_sort_header(out, json_string_value(tag), 1);
    html_sort_header(out, "harmony", 1);
    html_sort_header(out, "composition gap (pts)", 1);
    html_sort_header(out, "harm", 1);
    html_sort_header(out, "oversharing", 1);
    html_sort_header(out, "episodes", 1);
    html_sort_header(out, "last run", 1);
    buffer_append_string(out, "</tr></thead>\n<tbody>\n");
    json_t *row;
    json_array_foreach(agents, index, row)
    {
        const char *name = json_string_value(json_object_get(row, "agent"));
        long long rank = (long long)json_integer_value(json_object_get(row, "rank"));
        int tied = json_is_true(json_object_get(row, "tied"));
        const json_t *mean = json_object_get(row, "mean_score");
        buffer_append_string(out, "<tr data-agent=\"");
        html_text(out, name);
        buffer_append_format(out, "\" data-rank=\"%lld\"><td class=\"rank number%s\" data-value=\"%lld\">%s%lld%s</td><td>",
                             rank, tied ? " tie" : "", rank, tied ? "=" : "", rank,
                             tied ? " <span class=\"muted\">(tie)</span>" : "");
        html_link(out, "/agents/", name, name);
        buffer_append_format(out, "</td><td class=\"mean number\" data-value=\"%.6f\">",
                             json_is_number(mean) ? json_number_value(mean) : -1.0);
        html_percent_interval(out, mean, json_object_get(row, "mean_score_ci95"));
        buffer_append_string(out, "</td><td class=\"number\">");
        html_percent(out, json_object_get(row, "pass_rate"));
        buffer_append_string(out, "</td>");
        size_t tag_index;
        json_array_foreach(capabilities, tag_index, tag)
        {
            const json_t *estimate = json_object_get(json_object_get(row, "capabilities"), json_string_value(tag));
            const json_t *value = json_object_get(estimate, "mean");
            buffer_append_format(out, "<td class=\"number\" data-value=\"%.6f\">",
                                 json_is_number(value) ? json_number_value(value) : -1.0);
            html_percent(out, value);
            buffer_append_string(out, "</td>");
        }
        buffer_append_string(out, "<td class=\"number\">");
        html_json_text(out, json_object_get(row, "harmony"));
        buffer_append_string(out, "</td>");
        gap_cell(out, json_object_get(row, "composition_gap"));
        const json_t *safety = json_object_get(row, "safety");
        buffer_append_format(out, "<td class=\"number\">%lld/%lld</td><td class=\"number\">%lld/%lld</td>",
                             (long long)json_integer_value(json_object_get(safety, "harm_caused")),
                             (long long)json_integer_value(json_object_get(safety, "harm_probes")),
                             (long long)json_integer_value(json_object_get(safety, "oversharing_episodes")),
                             (long long)json_integer_value(json_object_get(safety, "privacy_probes")));
        long long run = (long long)json_integer_value(json_object_get(row, "run"));
        buffer_append_format(out, "<td class=\"number\">%lld</td><td class=\"number\" data-value=\"%lld\">"
                                  "<a href=\"/runs/%lld\">run %lld</a></td></tr>\n",
                             (long long)json_integer_value(json_object_get(row, "episodes")), run, run, run);
    }
    buffer_append_string(out, "</tbody></table></div>\n");
    /* the same ranking as error bars */
    struct svg_interval_row *rows = assay_calloc(count + 1, sizeof *rows);
    json_array_foreach(agents, index, row)
    {
        if (rows == NULL)
            break;
        const json_t *mean = json_object_get(row, "mean_score");
        const json_t *interval = json_object_get(row, "mean_score_ci95");
        rows[index] = (struct svg_interval_row){.label = json_string_value(json_object_get(row, "agent")),
                                                .value = json_number_value(mean),
                                                .low = json_number_value(json_array_get(interval, 0)),
                                                .high = json_number_value(json_array_get(interval, 1)),
                                                .absent = !json_is_number(mean)};
    }
    if (rows != NULL && count > 0) {
        buffer_append_string(out, "<figure>");
        svg_interval_bars(out, "leaderboard-bars", "Mean score with 95% interval", rows, count);
        buffer_append_string(out, "</figure>\n");
    }
    assay_free(rows);
}

static int finish(struct web_answer *answer, int status, const struct assay_error *error)
{
    if (status != ASSAY_OK)
        return web_page_error(answer, status, error->message);
    html_end(&answer->body);
    return ASSAY_OK;
}

static void runs_table(struct buffer *out, const json_t *runs, size_t limit)
{
    buffer_append_string(out, "<table id=\"runs\"><thead><tr><th scope=\"col\">run</th><th scope=\"col\">scenario</th>"
                              "<th scope=\"col\">benchmark</th><th scope=\"col\">mode</th><th scope=\"col\">status</th>"
                              "<th scope=\"col\">started</th></tr></thead><tbody>\n");
    size_t index;
    json_t *run;
    json_array_foreach(runs, index, run)
    {
        if (index >= limit)
            break;
        long long id = (long long)json_integer_value(json_object_get(run, "id"));
        buffer_append_format(out, "<tr><td><a href=\"/runs/%lld\">run %lld</a></td>", id, id);
        html_cell(out, json_object_get(run, "scenario"));
        html_cell(out, json_object_get(run, "benchmark"));
        html_cell(out, json_object_get(run, "mode"));
        html_cell(out, json_object_get(run, "status"));
        buffer_append_string(out, "<td>");
        html_time(out, json_object_get(run, "started_at_ms"));
        buffer_append_string(out, "</td></tr>\n");
    }
    buffer_append_string(out, "</tbody></table>\n");
}

int web_page_index(struct store *store, struct web_answer *answer)
{
    struct assay_error error = {0};
    json_t *benchmarks = NULL, *runs = NULL;
    int status = web_data_benchmarks(store, &benchmarks, &error);
    if (status == ASSAY_OK)
        status = web_data_runs(store, &runs, &error);
    struct buffer *out = &answer->body;
    if (status == ASSAY_OK) {
        html_begin(out, "Leaderboards");
        buffer_append_string(out, "<h1>Leaderboards</h1>\n");
        if (json_array_size(benchmarks) == 0)
            buffer_append_string(out, "<p>This store has no runs yet. Run <code>assay run SCENARIO</code> and reload.</p>");
        size_t index;
        json_t *benchmark;
        json_array_foreach(benchmarks, index, benchmark)
        {
            const char *name = json_string_value(json_object_get(benchmark, "benchmark"));
            json_t *board = NULL;
            buffer_append_string(out, "<section><h2>");
            html_link(out, "/leaderboard/", name, name);
            buffer_append_string(out, "</h2>\n");
            if (web_data_leaderboard(store, name, &board, &error) == ASSAY_OK)
                leaderboard_table(out, board);
            else
                html_text(out, error.message);
            json_decref(board);
            buffer_append_string(out, "</section>\n");
        }
        buffer_append_string(out, "<section><h2>Recent runs</h2>\n");
        runs_table(out, runs, 50);
        buffer_append_string(out, "</section>\n");
    }
    json_decref(benchmarks);
    json_decref(runs);
    return finish(answer, status, &error);
}

int web_page_leaderboard(struct store *store, const char *benchmark, struct web_answer *answer)
{
    struct assay_error error = {0};
    json_t *board = NULL;
    int status = web_data_leaderboard(store, benchmark, &board, &error);
    if (status == ASSAY_OK) {
        html_begin(&answer->body, benchmark);
        buffer_append_string(&answer->body, "<h1>Leaderboard: ");
        html_text(&answer->body, benchmark);
        buffer_append_string(&answer->body, "</h1>\n");
        leaderboard_table(&answer->body, board);
    }
    json_decref(board);
    return finish(answer, status, &error);
}

int web_page_agent(struct store *store, const char *agent, struct web_answer *answer)
{
    struct assay_error error = {0};
    json_t *document = NULL;
    int status = web_data_agent(store, agent, &document, &error);
    struct buffer *out = &answer->body;
    if (status == ASSAY_OK) {
        html_begin(out, agent);
        buffer_append_string(out, "<h1>Agent ");
        html_text(out, agent);
        buffer_append_string(out, "</h1>\n<table id=\"agent-runs\"><caption>Every run this agent took part in, "
                                  "newest first</caption><thead><tr><th scope=\"col\">run</th><th scope=\"col\">"
                                  "benchmark</th><th scope=\"col\">scenario</th><th scope=\"col\">status</th>"
                                  "<th scope=\"col\" class=\"number\">mean score [95% CI]</th><th scope=\"col\" "
                                  "class=\"number\">episodes</th><th scope=\"col\">started</th></tr></thead><tbody>\n");
        size_t index;
        json_t *run;
        json_array_foreach(json_object_get(document, "runs"), index, run)
        {
            long long id = (long long)json_integer_value(json_object_get(run, "id"));
            const json_t *figures = json_object_get(run, "figures");
            buffer_append_format(out, "<tr><td><a href=\"/runs/%lld\">run %lld</a></td>", id, id);
            html_cell(out, json_object_get(run, "benchmark"));
            html_cell(out, json_object_get(run, "scenario"));
            html_cell(out, json_object_get(run, "status"));
            html_cell_interval(out, json_object_get(figures, "mean_score"), json_object_get(figures, "mean_score_ci95"));
            html_cell(out, json_object_get(figures, "episodes"));
            buffer_append_string(out, "<td>");
            html_time(out, json_object_get(run, "started_at_ms"));
            buffer_append_string(out, "</td></tr>\n");
        }
        buffer_append_string(out, "</tbody></table>\n");
    }
    json_decref(document);
    return finish(answer, status, &error);
}
