/* page_run.c — a run (its scenario, progress, agents, capabilities and
 * episodes with filters) and the head-to-head comparison of two of its
 * agents. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "web/data.h"
#include "web/escape.h"
#include "web/page.h"
#include "web/svg.h"

static void agents_table(struct buffer *out, const json_t *summary, long long run_id)
{
    buffer_append_string(out, "<table id=\"agents\"><caption>Per agent. Infrastructure errors are never scored; "
                              "the interval column names how the 95% interval was computed.</caption><thead><tr>");
    html_sort_header(out, "agent", 0);
    html_sort_header(out, "episodes", 1);
    html_sort_header(out, "mean score [95% CI]", 1);
    buffer_append_string(out, "<th scope=\"col\">interval</th>");
    html_sort_header(out, "pass rate [Wilson]", 1);
    html_sort_header(out, "harmony", 1);
    html_sort_header(out, "CVaR90 loss", 1);
    html_sort_header(out, "infrastructure errors", 1);
    buffer_append_string(out, "<th scope=\"col\">errors by class</th></tr></thead><tbody>\n");
    size_t index;
    json_t *agent;
    json_array_foreach(json_object_get(summary, "agents"), index, agent)
    {
        const char *name = json_string_value(json_object_get(agent, "agent"));
        buffer_append_string(out, "<tr data-agent=\"");
        html_text(out, name);
        buffer_append_string(out, "\"><td>");
        html_link(out, "/agents/", name, name);
        buffer_append_string(out, "</td>");
        html_cell(out, json_object_get(agent, "episodes"));
        html_cell_interval(out, json_object_get(agent, "mean_score"), json_object_get(agent, "mean_score_ci95"));
        html_cell(out, json_object_get(agent, "interval"));
        html_cell_interval(out, json_object_get(agent, "pass_rate"), json_object_get(agent, "pass_rate_wilson95"));
        html_cell(out, json_object_get(agent, "harmony"));
        html_cell(out, json_object_get(agent, "cvar90_loss"));
        html_cell(out, json_object_get(agent, "infrastructure_errors"));
        buffer_append_string(out, "<td>");
        const char *class_name;
        json_t *count;
        json_object_foreach(json_object_get(agent, "errors_by_class"), class_name, count)
        {
            html_text(out, class_name);
            buffer_append_format(out, " %lld; ", (long long)json_integer_value(count));
        }
        buffer_append_string(out, "</td></tr>\n");
    }
    buffer_append_format(out, "</tbody></table>\n<p><a href=\"/runs/%lld/analysis\">Analysis of this run</a>: "
                              "item response theory, time horizons, capabilities, pass@k.</p>\n",
                         run_id);
}

static void capabilities_table(struct buffer *out, const json_t *summary)
{
    const json_t *tags = json_object_get(summary, "capabilities");
    const json_t *agents = json_object_get(summary, "agents");
    buffer_append_string(out, "<table id=\"capabilities\"><caption>Mean score per capability tag with 95% interval"
                              "</caption><thead><tr><th scope=\"col\">capability</th>");
    size_t index;
    json_t *agent;
    json_array_foreach(agents, index, agent)
    {
        buffer_append_string(out, "<th scope=\"col\" class=\"number\">");
        html_json_text(out, json_object_get(agent, "agent"));
        buffer_append_string(out, "</th>");
    }
    buffer_append_string(out, "</tr></thead><tbody>\n");
    size_t tag_index;
    json_t *tag;
    json_array_foreach(tags, tag_index, tag)
    {
        buffer_append_string(out, "<tr><th scope=\"row\">");
        html_json_text(out, tag);
        buffer_append_string(out, "</th>");
        json_array_foreach(agents, index, agent)
        {
            const json_t *estimate = json_object_get(json_object_get(agent, "capabilities"), json_string_value(tag));
            buffer_append_string(out, "<td class=\"number\">");
            html_percent_interval(out, json_object_get(estimate, "mean"), json_object_get(estimate, "ci95"));
            buffer_append_string(out, "</td>");
        }
        buffer_append_string(out, "</tr>\n");
    }
    buffer_append_string(out, "</tbody></table>\n");
}

/* A <select> of the filter form with the current choice selected. */
static void filter_select(struct buffer *out, const char *name, const char *label, const char *const *choices,
                          size_t count, const char *current)
{
    buffer_append_format(out, "<label>%s <select name=\"%s\"><option value=\"\">any</option>", label, name);
    for (size_t index = 0; index < count; index++) {
        buffer_append_string(out, "<option value=\"");
        html_text(out, choices[index]);
        buffer_append_string(out, current != NULL && strcmp(current, choices[index]) == 0 ? "\" selected>" : "\">");
        html_text(out, choices[index]);
        buffer_append_string(out, "</option>");
    }
    buffer_append_string(out, "</select></label>");
}

static void filters_form(struct buffer *out, long long run_id, const json_t *summary, const struct web_query *query)
{
    const json_t *agents = json_object_get(summary, "agents"), *tags = json_object_get(summary, "capabilities");
    size_t agent_count = json_array_size(agents), tag_count = json_array_size(tags);
    const char **agent_names = assay_calloc(agent_count + 1, sizeof *agent_names);
    const char **tag_names = assay_calloc(tag_count + 1, sizeof *tag_names);
    for (size_t index = 0; agent_names != NULL && index < agent_count; index++)
        agent_names[index] = json_string_value(json_object_get(json_array_get(agents, index), "agent"));
    for (size_t index = 0; tag_names != NULL && index < tag_count; index++)
        tag_names[index] = json_string_value(json_array_get(tags, index));
    static const char *const outcomes[] = {"passed", "failed", "error"};
    static const char *const classes[] = {"wrong_answer",  "gave_up",       "timed_out",           "protocol_error",
                                          "agent_crashed", "environment_crashed", "store_error", "runner_interrupted"};
    buffer_append_format(out, "<form id=\"filters\" method=\"get\" action=\"/runs/%lld\" aria-label=\"filter the "
                              "episodes\">",
                         run_id);
    if (agent_names != NULL)
        filter_select(out, "agent", "agent", agent_names, agent_count, query->agent);
    if (tag_names != NULL)
        filter_select(out, "tag", "capability", tag_names, tag_count, query->tag);
    filter_select(out, "outcome", "outcome", outcomes, 3, query->outcome);
    filter_select(out, "error_class", "error class", classes, sizeof classes / sizeof classes[0], query->error_class);
    buffer_append_string(out, "<button type=\"submit\">Filter</button></form>\n");
    assay_free(agent_names);
    assay_free(tag_names);
}

/* The query string of the current filters, for pagination links. */
static void filter_query(struct buffer *out, const struct web_query *query)
{
    const char *names[] = {"agent", "tag", "outcome", "error_class"};
    const char *values[] = {query->agent, query->tag, query->outcome, query->error_class};
    for (size_t index = 0; index < 4; index++) {
        if (values[index] == NULL || values[index][0] == '\0')
            continue;
        buffer_append_format(out, "&amp;%s=", names[index]);
        web_append_url_component(out, values[index]);
    }
}

static void episodes_table(struct buffer *out, long long run_id, const json_t *page, const struct web_query *query)
{
    long long total = (long long)json_integer_value(json_object_get(page, "total"));
    long long offset = (long long)json_integer_value(json_object_get(page, "offset"));
    long long limit = (long long)json_integer_value(json_object_get(page, "limit"));
    const json_t *rows = json_object_get(page, "episodes");
    buffer_append_format(out, "<section id=\"episodes-section\"><p>%lld episodes match", total);
    if (total > 0)
        buffer_append_format(out, "; showing %lld to %lld", offset + 1, offset + (long long)json_array_size(rows));
    buffer_append_string(out, ".</p>\n<table id=\"episodes\"><thead><tr>");
    html_sort_header(out, "episode", 1);
    html_sort_header(out, "agent", 0);
    html_sort_header(out, "task", 0);
    html_sort_header(out, "trial", 1);
    html_sort_header(out, "score", 1);
    html_sort_header(out, "outcome", 0);
    html_sort_header(out, "error class", 0);
    html_sort_header(out, "steps", 1);
    html_sort_header(out, "seconds", 1);
    buffer_append_string(out, "</tr></thead><tbody>\n");
    size_t index;
    json_t *row;
    json_array_foreach(rows, index, row)
    {
        long long id = (long long)json_integer_value(json_object_get(row, "id"));
        const char *outcome = json_string_value(json_object_get(row, "outcome"));
        buffer_append_format(out, "<tr><td class=\"number\" data-value=\"%lld\"><a href=\"/episodes/%lld\">#%lld</a></td>",
                             id, id, id);
        html_cell(out, json_object_get(row, "agent"));
        html_cell(out, json_object_get(row, "task"));
        html_cell(out, json_object_get(row, "trial"));
        html_cell(out, json_object_get(row, "score"));
        buffer_append_format(out, "<td class=\"%s\">%s</td>", outcome, outcome);
        html_cell(out, json_object_get(row, "error_class"));
        html_cell(out, json_object_get(row, "steps"));
        buffer_append_format(out, "<td class=\"number\">%.2f</td></tr>\n",
                             (double)json_integer_value(json_object_get(row, "duration_ms")) / 1000);
    }
    buffer_append_string(out, "</tbody></table>\n<nav class=\"pages\" aria-label=\"episode pages\">");
    if (offset > 0) {
        buffer_append_format(out, "<a rel=\"prev\" href=\"/runs/%lld?offset=%lld", run_id,
                             offset > limit ? offset - limit : 0);
        filter_query(out, query);
        buffer_append_string(out, "\">previous page</a>");
    }
    if (offset + limit < total) {
        buffer_append_format(out, "<a rel=\"next\" href=\"/runs/%lld?offset=%lld", run_id, offset + limit);
        filter_query(out, query);
        buffer_append_string(out, "\">next page</a>");
    }
    buffer_append_string(out, "</nav></section>\n");
}

int web_page_run(struct store *store, int64_t run_id, const struct web_query *query, struct web_answer *answer)
{
    struct assay_error error = {0};
    json_t *document = NULL, *page = NULL;
    struct web_episode_filter filter = {.agent = query->agent, .tag = query->tag, .outcome = query->outcome,
                                        .error_class = query->error_class};
    int status = web_data_run(store, run_id, &document, &error);
    if (status == ASSAY_OK)
        status = web_query_integer(query->offset, "offset", 0, &filter.offset, &error);
    if (status == ASSAY_OK)
        status = web_data_episodes(store, run_id, &filter, &page, &error);
    if (status != ASSAY_OK) {
        json_decref(document);
        return web_page_error(answer, status, error.message);
    }
    struct buffer *out = &answer->body;
    const json_t *run = json_object_get(document, "run");
    const json_t *progress = json_object_get(document, "progress");
    const json_t *summary = json_object_get(document, "summary");
    const char *run_status = json_string_value(json_object_get(run, "status"));
    char title[64];
    snprintf(title, sizeof title, "Run %lld", (long long)run_id);
    html_begin(out, title);
    buffer_append_format(out, "<h1>Run %lld: ", (long long)run_id);
    html_json_text(out, json_object_get(run, "scenario"));
    buffer_append_string(out, "</h1>\n<dl class=\"facts\"><dt>benchmark</dt><dd>");
    const char *benchmark = json_string_value(json_object_get(run, "benchmark"));
    if (benchmark != NULL)
        html_link(out, "/leaderboard/", benchmark, benchmark);
    buffer_append_string(out, "</dd>");
    html_fact(out, "mode", json_object_get(run, "mode"));
    html_fact_time(out, "started", json_object_get(run, "started_at_ms"));
    html_fact_time(out, "finished", json_object_get(run, "finished_at_ms"));
    html_fact(out, "assay", json_object_get(run, "assay_version"));
    buffer_append_string(out, "<dt>provenance</dt><dd>");
    const json_t *provenance = json_object_get(run, "provenance");
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)provenance, key, value)
    {
        html_text(out, key);
        buffer_append_string(out, " ");
        html_json_text(out, value);
        buffer_append_string(out, "; ");
    }
    buffer_append_string(out, "</dd></dl>\n<details><summary>Scenario</summary><pre>");
    char *scenario = json_dumps(json_object_get(run, "scenario_document"), JSON_INDENT(2) | JSON_ENCODE_ANY);
    html_text(out, scenario);
    free(scenario);
    buffer_append_string(out, "</pre></details>\n");
    long long recorded = (long long)json_integer_value(json_object_get(progress, "recorded"));
    const json_t *planned = json_object_get(progress, "planned");
    buffer_append_format(out, "<section id=\"progress\" data-run=\"%lld\" data-status=\"", (long long)run_id);
    html_text(out, run_status);
    buffer_append_format(out, "\" aria-live=\"polite\"><h2>Progress</h2><p>Status <strong>%s</strong>: "
                              "<span id=\"episodes-done\">%lld</span> of <span id=\"episodes-planned\">",
                         run_status != NULL ? run_status : "-", recorded);
    if (json_is_integer(planned))
        buffer_append_format(out, "%lld", (long long)json_integer_value(planned));
    else
        buffer_append_string(out, "?");
    buffer_append_string(out, "</span> episodes recorded.");
    if (json_is_integer(planned) && json_integer_value(planned) > 0)
        buffer_append_format(out, " <progress max=\"%lld\" value=\"%lld\" aria-label=\"episodes recorded\"></progress>",
                             (long long)json_integer_value(planned), recorded);
    if (run_status != NULL && strcmp(run_status, "running") == 0)
        buffer_append_string(out, " <span class=\"muted\">This page follows the run while it goes on.</span>");
    buffer_append_string(out, "</p></section>\n<h2>Agents</h2>\n");
    agents_table(out, summary, (long long)run_id);
    /* head-to-head: a form naming two agents */
    const json_t *agents = json_object_get(summary, "agents");
    if (json_array_size(agents) >= 2) {
        buffer_append_format(out, "<form id=\"compare-form\" method=\"get\" action=\"/runs/%lld/compare\" "
                                  "aria-label=\"compare two agents\"><h2>Compare two agents</h2>",
                             (long long)run_id);
        for (int side = 0; side < 2; side++) {
            buffer_append_format(out, "<label>%s <select name=\"%s\">", side == 0 ? "agent A" : "agent B",
                                 side == 0 ? "a" : "b");
            size_t index;
            json_t *agent;
            json_array_foreach(agents, index, agent)
            {
                buffer_append_string(out, "<option value=\"");
                html_json_text(out, json_object_get(agent, "agent"));
                buffer_append_string(out, index == (size_t)side ? "\" selected>" : "\">");
                html_json_text(out, json_object_get(agent, "agent"));
                buffer_append_string(out, "</option>");
            }
            buffer_append_string(out, "</select></label> ");
        }
        buffer_append_string(out, "<button type=\"submit\">Compare</button></form>\n");
    }
    if (json_array_size(json_object_get(summary, "capabilities")) > 0) {
        buffer_append_string(out, "<h2>Capabilities</h2>\n");
        capabilities_table(out, summary);
    }
    buffer_append_string(out, "<h2>Episodes</h2>\n");
    filters_form(out, (long long)run_id, summary, query);
    episodes_table(out, (long long)run_id, page, query);
    html_end(out);
    json_decref(page);
    json_decref(document);
    return ASSAY_OK;
}

int web_page_compare(struct store *store, int64_t run_id, const struct web_query *query, struct web_answer *answer)
{
    struct assay_error error = {0};
    json_t *document = NULL;
    int status = web_data_compare(store, run_id, query->a, query->b, &document, &error);
    if (status != ASSAY_OK)
        return web_page_error(answer, status, error.message);
    struct buffer *out = &answer->body;
    html_begin(out, "Compare");
    buffer_append_string(out, "<h1>");
    html_text(out, query->a);
    buffer_append_string(out, " against ");
    html_text(out, query->b);
    buffer_append_format(out, " in <a href=\"/runs/%lld\">run %lld</a></h1>\n<p id=\"paired\"><strong>",
                         (long long)run_id, (long long)run_id);
    html_json_text(out, json_object_get(document, "sentence"));
    const json_t *interval = json_object_get(document, "ci95");
    buffer_append_format(out, "</strong></p>\n<dl class=\"facts\"><dt>shared tasks</dt><dd>%lld</dd>"
                              "<dt>difference (A - B)</dt><dd>%+.1f points, 95%% CI [%.1f, %.1f]</dd>"
                              "<dt>standard error</dt><dd>%.1f points (%s)</dd>"
                              "<dt>minimum detectable difference</dt><dd>%.1f points (80%% power, 5%% level)</dd>"
                              "<dt>per task</dt><dd>A wins %lld, loses %lld, ties %lld</dd></dl>\n",
                         (long long)json_integer_value(json_object_get(document, "tasks")),
                         100 * json_number_value(json_object_get(document, "difference")),
                         100 * json_number_value(json_array_get(interval, 0)),
                         100 * json_number_value(json_array_get(interval, 1)),
                         100 * json_number_value(json_object_get(document, "standard_error")),
                         json_string_value(json_object_get(document, "standard_error_kind")),
                         100 * json_number_value(json_object_get(document, "minimum_detectable_difference")),
                         (long long)json_integer_value(json_object_get(document, "wins")),
                         (long long)json_integer_value(json_object_get(document, "losses")),
                         (long long)json_integer_value(json_object_get(document, "ties")));
    buffer_append_string(out, "<table id=\"per-task\"><caption>Per task: mean score of each agent over its scored "
                              "trials</caption><thead><tr>");
    html_sort_header(out, "task", 0);
    html_sort_header(out, "A", 1);
    html_sort_header(out, "B", 1);
    html_sort_header(out, "outcome for A", 0);
    buffer_append_string(out, "</tr></thead><tbody>\n");
    size_t index;
    json_t *row;
    json_array_foreach(json_object_get(document, "per_task"), index, row)
    {
        const char *outcome = json_string_value(json_object_get(row, "outcome"));
        buffer_append_string(out, "<tr><td>");
        html_json_text(out, json_object_get(row, "task"));
        buffer_append_format(out, "</td><td class=\"number\">%.2f</td><td class=\"number\">%.2f</td>"
                                  "<td class=\"%s\">%s</td></tr>\n",
                             json_number_value(json_object_get(row, "a")), json_number_value(json_object_get(row, "b")),
                             strcmp(outcome, "win") == 0 ? "passed" : strcmp(outcome, "loss") == 0 ? "failed" : "muted",
                             outcome);
    }
    buffer_append_string(out, "</tbody></table>\n");
    html_end(out);
    json_decref(document);
    return ASSAY_OK;
}
