/* page_analysis.c — the analysis of a run as SVG plots drawn by assay:
 * Wright map, item characteristic curves, the time-horizon plot,
 * capability bars and pass@k curves (data from web_data_analysis). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"
#include "web/data.h"
#include "web/page.h"
#include "web/svg.h"

#define SHOWN_CURVES 12

/* How many curves to draw: at most SHOWN_CURVES, and no more than there are
 * visibly different items (with few agents many tasks get the same
 * estimates, and a dozen identical curves would hide each other's labels). */
static size_t distinct_curves(const double *discrimination, const double *difficulty, size_t count)
{
    size_t distinct = 0;
    for (size_t index = 0; index < count && distinct < SHOWN_CURVES; index++) {
        int seen = 0;
        for (size_t other = 0; other < index && !seen; other++)
            seen = fabs(difficulty[other] - difficulty[index]) < 0.05 &&
                   fabs(discrimination[other] - discrimination[index]) < 0.05;
        distinct += !seen;
    }
    return distinct;
}

static void irt_plots(struct buffer *out, const json_t *irt)
{
    const json_t *items = json_object_get(irt, "items"), *agents = json_object_get(irt, "agents");
    if (!json_is_array(items)) {
        buffer_append_string(out, "<p>No IRT fit: ");
        html_json_text(out, json_object_get(irt, "error"));
        buffer_append_string(out, "</p>\n");
        return;
    }
    size_t item_count = json_array_size(items), agent_count = json_array_size(agents);
    double *abilities = assay_calloc(agent_count + 1, sizeof *abilities);
    double *difficulty = assay_calloc(item_count + 1, sizeof *difficulty);
    double *discrimination = assay_calloc(item_count + 1, sizeof *discrimination);
    const char **agent_ids = assay_calloc(agent_count + 1, sizeof *agent_ids);
    const char **item_ids = assay_calloc(item_count + 1, sizeof *item_ids);
    if (abilities != NULL && difficulty != NULL && discrimination != NULL && agent_ids != NULL && item_ids != NULL) {
        for (size_t index = 0; index < agent_count; index++) {
            const json_t *agent = json_array_get(agents, index);
            abilities[index] = json_number_value(json_object_get(agent, "ability"));
            agent_ids[index] = json_string_value(json_object_get(agent, "id"));
        }
        for (size_t index = 0; index < item_count; index++) {
            const json_t *item = json_array_get(items, index);
            difficulty[index] = json_number_value(json_object_get(item, "difficulty"));
            discrimination[index] = json_number_value(json_object_get(item, "discrimination"));
            item_ids[index] = json_string_value(json_object_get(item, "id"));
        }
        buffer_append_format(out, "<p>A 2PL model fitted by marginal maximum likelihood to %zu agents and %zu tasks "
                                  "(%lld EM iterations, %s). With few agents the task parameters rest mostly on the "
                                  "weak priors: read them as a sketch. <code>assay stats irt</code> gives the "
                                  "standard errors.</p>\n",
                             agent_count, item_count, (long long)json_integer_value(json_object_get(irt, "iterations")),
                             json_is_true(json_object_get(irt, "converged")) ? "converged" : "not converged");
        buffer_append_string(out, "<h2>Wright map</h2>\n<figure>");
        svg_wright_map(out, "wright-map", abilities, agent_ids, agent_count, difficulty, item_ids, item_count);
        buffer_append_string(out, "</figure>\n<h2>Item characteristic curves</h2>\n<figure>");
        svg_item_curves(out, "item-curves", discrimination, difficulty, item_ids, item_count,
                        distinct_curves(discrimination, difficulty, item_count));
        buffer_append_string(out, "</figure>\n");
    }
    assay_free(abilities);
    assay_free(difficulty);
    assay_free(discrimination);
    assay_free(agent_ids);
    assay_free(item_ids);
}

/* The horizon plot of one agent: the best one with a finite horizon, else
 * the first with timed tasks. */
static void horizon_plot(struct buffer *out, const json_t *horizon)
{
    const json_t *agents = json_object_get(horizon, "agents"), *chosen = NULL;
    size_t index;
    json_t *agent;
    json_array_foreach(agents, index, agent)
    {
        if (json_integer_value(json_object_get(agent, "tasks")) == 0)
            continue;
        if (chosen == NULL || (json_is_number(json_object_get(agent, "horizon_minutes")) &&
                               (!json_is_number(json_object_get(chosen, "horizon_minutes")) ||
                                json_number_value(json_object_get(agent, "horizon_minutes")) >
                                    json_number_value(json_object_get(chosen, "horizon_minutes")))))
            chosen = agent;
    }
    buffer_append_string(out, "<h2>Time horizon</h2>\n");
    if (chosen == NULL) {
        buffer_append_string(out, "<p>No task of this run carries human minutes, so there is no time horizon.</p>\n");
        return;
    }
    const json_t *points = json_object_get(chosen, "points");
    size_t count = json_array_size(points);
    double *log2_minutes = assay_calloc(count + 1, sizeof *log2_minutes);
    double *success = assay_calloc(count + 1, sizeof *success);
    if (log2_minutes == NULL || success == NULL) {
        assay_free(log2_minutes);
        assay_free(success);
        return;
    }
    for (size_t point = 0; point < count; point++) {
        const json_t *row = json_array_get(points, point);
        log2_minutes[point] = log2(json_number_value(json_object_get(row, "minutes")));
        success[point] = json_is_true(json_object_get(row, "passed")) ? 1 : 0;
    }
    const json_t *minutes = json_object_get(chosen, "horizon_minutes");
    buffer_append_string(out, "<p>Success against the time a skilled human needs (log scale), with the fitted "
                              "logistic curve and its 50% point, for ");
    html_json_text(out, json_object_get(chosen, "agent"));
    buffer_append_string(out, " (fit: ");
    html_json_text(out, json_object_get(chosen, "status"));
    buffer_append_string(out, "; the other agents' fits are in the JSON API).</p>\n<figure>");
    svg_horizon_plot(out, "horizon-plot", json_string_value(json_object_get(chosen, "agent")), log2_minutes, success,
                     count, json_number_value(json_object_get(chosen, "intercept")),
                     json_number_value(json_object_get(chosen, "slope")),
                     json_is_number(minutes) ? json_number_value(minutes) : NAN);
    buffer_append_string(out, "</figure>\n");
    assay_free(log2_minutes);
    assay_free(success);
}

static void capability_bars(struct buffer *out, const json_t *tags, const json_t *agents)
{
    size_t rows_wanted = json_array_size(tags) * json_array_size(agents);
    struct svg_interval_row *rows = assay_calloc(rows_wanted + 1, sizeof *rows);
    char (*labels)[160] = assay_calloc(rows_wanted + 1, sizeof *labels);
    size_t count = 0, tag_index, agent_index;
    json_t *tag, *agent;
    json_array_foreach(tags, tag_index, tag)
    {
        json_array_foreach(agents, agent_index, agent)
        {
            if (rows == NULL || labels == NULL)
                break;
            const json_t *estimate = json_object_get(json_object_get(agent, "capabilities"), json_string_value(tag));
            const json_t *interval = json_object_get(estimate, "ci95");
            snprintf(labels[count], sizeof labels[count], "%s · %s", json_string_value(tag),
                     json_string_value(json_object_get(agent, "agent")));
            rows[count] = (struct svg_interval_row){.label = labels[count],
                                                    .value = json_number_value(json_object_get(estimate, "mean")),
                                                    .low = json_number_value(json_array_get(interval, 0)),
                                                    .high = json_number_value(json_array_get(interval, 1)),
                                                    .absent = !json_is_number(json_object_get(estimate, "mean"))};
            count++;
        }
    }
    buffer_append_string(out, "<h2>Capabilities</h2>\n<figure>");
    if (rows != NULL && labels != NULL)
        svg_interval_bars(out, "capability-bars", "Mean score per capability with 95% interval", rows, count);
    buffer_append_string(out, "</figure>\n");
    assay_free(rows);
    assay_free(labels);
}

static void pass_at_k(struct buffer *out, const json_t *agents)
{
    size_t series = json_array_size(agents), k_max = 0, index;
    json_t *agent;
    json_array_foreach(agents, index, agent)
    {
        size_t length = json_array_size(json_object_get(agent, "pass_at_k"));
        if (length > k_max)
            k_max = length;
    }
    buffer_append_string(out, "<h2>pass@k</h2>\n<p>The chance that at least one of k trials succeeds (unbiased "
                              "estimator), averaged over tasks with at least k trials.</p>\n<figure>");
    double *values = assay_calloc(series * (k_max > 0 ? k_max : 1) + 1, sizeof *values);
    const char **names = assay_calloc(series + 1, sizeof *names);
    if (values != NULL && names != NULL) {
        json_array_foreach(agents, index, agent)
        {
            names[index] = json_string_value(json_object_get(agent, "agent"));
            const json_t *curve = json_object_get(agent, "pass_at_k");
            for (size_t k = 0; k < k_max; k++)
                values[index * k_max + k] = k < json_array_size(curve) ? json_number_value(json_array_get(curve, k))
                                                                       : NAN;
        }
        svg_pass_at_k(out, "pass-at-k", names, values, series, k_max);
    }
    buffer_append_string(out, "</figure>\n");
    assay_free(values);
    assay_free(names);
}

int web_page_analysis(struct store *store, int64_t run_id, struct web_answer *answer)
{
    struct assay_error error = {0};
    json_t *document = NULL;
    int status = web_data_analysis(store, run_id, &document, &error);
    if (status != ASSAY_OK)
        return web_page_error(answer, status, error.message);
    struct buffer *out = &answer->body;
    char title[64];
    snprintf(title, sizeof title, "Analysis of run %lld", (long long)run_id);
    html_begin(out, title);
    buffer_append_format(out, "<h1>Analysis of <a href=\"/runs/%lld\">run %lld</a></h1>\n", (long long)run_id,
                         (long long)run_id);
    irt_plots(out, json_object_get(document, "irt"));
    horizon_plot(out, json_object_get(document, "horizon"));
    capability_bars(out, json_object_get(document, "capabilities"), json_object_get(document, "agents"));
    pass_at_k(out, json_object_get(document, "agents"));
    html_end(out);
    json_decref(document);
    return ASSAY_OK;
}
