/* horizon_output.c — horizon tables and the anchoring line as a table,
 * JSON or CSV. Infinite horizons (an end the data leave open) print as
 * "inf" in tables and CSV and as null in JSON; the status says why. */
#include <math.h>
#include <string.h>

#include "core/status.h"
#include "stats/horizon.h"
#include "stats/stats_internal.h"

static int id_width(const struct horizon_table *table)
{
    size_t width = strlen("subject");
    for (size_t agent = 0; agent < table->agent_count; agent++) {
        size_t length = strlen(table->agents[agent].subject_id);
        width = length > width ? length : width;
    }
    return (int)(width > 48 ? 48 : width);
}

/* A time in minutes for a table cell: 4 significant digits, "inf" for an
 * open end, "-" when there is none. */
static int append_minutes_cell(struct buffer *out, double minutes, int width)
{
    char text[32];
    if (isnan(minutes))
        snprintf(text, sizeof text, "-");
    else if (isinf(minutes))
        snprintf(text, sizeof text, "inf");
    else
        snprintf(text, sizeof text, "%.4g", minutes);
    return buffer_append_format(out, " %*s", width, text);
}

static int format_table_text(const struct horizon_table *table, struct buffer *out)
{
    const struct horizon_options *options = &table->options;
    int status = buffer_append_format(
        out,
        "Time horizons at %g%% success: logistic regression of success on log2(human "
        "minutes)%s;\n%g%% interval from a hierarchical bootstrap (families, then tasks), %zu "
        "resamples, seed %llu\n",
        100 * options->success_rate,
        options->family_weighting ? ", tasks weighted 1/sqrt(family size)" : "",
        100 * options->confidence, options->bootstrap_replicates,
        (unsigned long long)options->seed);
    if (status == ASSAY_OK && table->has_anchor)
        status = buffer_append_format(
            out,
            "IRT anchoring: ln(minutes) = %.4f + %.4f * difficulty over %zu items, R^2 = %.3f; "
            "IRT horizon = time of an item with difficulty = ability\n",
            table->anchor.intercept, table->anchor.slope, table->anchor.item_count,
            table->anchor.r_squared);
    int width = id_width(table);
    if (status == ASSAY_OK)
        status = buffer_append_format(out, "\n%-*s %6s %6s %6s %10s %10s %10s  %-14s", width,
                                      "subject", "tasks", "passed", "groups", "horizon", "lower",
                                      "upper", "status");
    if (status == ASSAY_OK && table->has_anchor)
        status = buffer_append_format(out, " %8s %7s %10s %10s %10s", "ability", "sd",
                                      "irt-horizon", "irt-lower", "irt-upper");
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "\n");
    for (size_t index = 0; status == ASSAY_OK && index < table->agent_count; index++) {
        const struct horizon_agent *agent = &table->agents[index];
        const struct horizon_estimate *estimate = &agent->logistic;
        int estimated = estimate->status != HORIZON_TOO_FEW_TASKS;
        status = buffer_append_format(out, "%-*s %6zu %6zu %6zu", width, agent->subject_id,
                                      estimate->task_count, estimate->success_count,
                                      estimate->family_count);
        if (status == ASSAY_OK)
            status = append_minutes_cell(out, estimated ? estimate->minutes : NAN, 10);
        if (status == ASSAY_OK)
            status = append_minutes_cell(out, estimate->lower, 10);
        if (status == ASSAY_OK)
            status = append_minutes_cell(out, estimate->upper, 10);
        if (status == ASSAY_OK)
            status = buffer_append_format(
                out, "  %-14s",
                estimate->extrapolated ? "extrapolated" : horizon_status_name(estimate->status));
        if (status == ASSAY_OK && table->has_anchor && agent->anchored) {
            status = buffer_append_format(out, " %8.3f %7.3f", agent->ability, agent->ability_sd);
            if (status == ASSAY_OK)
                status = append_minutes_cell(out, agent->anchored_minutes, 10);
            if (status == ASSAY_OK)
                status = append_minutes_cell(out, agent->anchored_lower, 10);
            if (status == ASSAY_OK)
                status = append_minutes_cell(out, agent->anchored_upper, 10);
        }
        if (status == ASSAY_OK)
            status = buffer_append_string(out, "\n");
    }
    return status;
}

static int json_numbers(struct buffer *out, const char *const *names, const double *values,
                        size_t count)
{
    int status = ASSAY_OK;
    for (size_t index = 0; status == ASSAY_OK && index < count; index++) {
        status = buffer_append_format(out, ",\"%s\":", names[index]);
        if (status == ASSAY_OK)
            status = stats__json_append_number(out, values[index]);
    }
    return status;
}

static int format_table_json(const struct horizon_table *table, struct buffer *out)
{
    const struct horizon_options *options = &table->options;
    int status = buffer_append_format(
        out,
        "{\"success_rate\":%.15g,\"family_weighting\":%s,\"bootstrap_replicates\":%zu,"
        "\"confidence\":%.15g,\"seed\":%llu",
        options->success_rate, options->family_weighting ? "true" : "false",
        options->bootstrap_replicates, options->confidence, (unsigned long long)options->seed);
    if (status == ASSAY_OK && table->has_anchor) {
        const char *names[] = {"intercept", "slope", "r_squared", "residual_sd"};
        double values[] = {table->anchor.intercept, table->anchor.slope, table->anchor.r_squared,
                           table->anchor.residual_sd};
        status = buffer_append_format(out, ",\"anchor\":{\"items\":%zu", table->anchor.item_count);
        if (status == ASSAY_OK)
            status = json_numbers(out, names, values, 4);
        if (status == ASSAY_OK)
            status = buffer_append_string(out, "}");
    }
    if (status == ASSAY_OK)
        status = buffer_append_string(out, ",\"agents\":[");
    for (size_t index = 0; status == ASSAY_OK && index < table->agent_count; index++) {
        const struct horizon_agent *agent = &table->agents[index];
        const struct horizon_estimate *estimate = &agent->logistic;
        status = buffer_append_string(out, index == 0 ? "{\"subject_id\":" : ",{\"subject_id\":");
        if (status == ASSAY_OK)
            status = stats__json_append_string(out, agent->subject_id);
        if (status == ASSAY_OK)
            status = buffer_append_format(
                out,
                ",\"status\":\"%s\",\"extrapolated\":%s,\"tasks\":%zu,\"successes\":%zu,"
                "\"families\":%zu,\"bootstrap_degenerate\":%zu",
                horizon_status_name(estimate->status), estimate->extrapolated ? "true" : "false",
                estimate->task_count, estimate->success_count, estimate->family_count,
                estimate->bootstrap_degenerate);
        if (status == ASSAY_OK && estimate->status != HORIZON_TOO_FEW_TASKS) {
            const char *names[] = {"minutes", "lower", "upper", "intercept", "slope"};
            double values[] = {estimate->minutes, estimate->lower, estimate->upper,
                               estimate->intercept, estimate->slope};
            status = json_numbers(out, names, values, 5);
        }
        if (status == ASSAY_OK && agent->anchored) {
            const char *names[] = {"ability", "ability_sd", "irt_minutes", "irt_lower",
                                   "irt_upper"};
            double values[] = {agent->ability, agent->ability_sd, agent->anchored_minutes,
                               agent->anchored_lower, agent->anchored_upper};
            status = json_numbers(out, names, values, 5);
        }
        if (status == ASSAY_OK)
            status = buffer_append_string(out, "}");
    }
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "]}\n");
    return status;
}

/* A CSV number cell; empty when the value does not apply (NaN). */
static int csv_number(struct buffer *out, double value)
{
    int status = buffer_append(out, ",", 1);
    return status == ASSAY_OK && !isnan(value) ? stats__append_number(out, value) : status;
}

static int format_table_csv(const struct horizon_table *table, struct buffer *out)
{
    int status = buffer_append_string(
        out, "subject_id,status,extrapolated,tasks,successes,families,minutes,lower,upper,"
             "intercept,slope,ability,ability_sd,irt_minutes,irt_lower,irt_upper\n");
    for (size_t index = 0; status == ASSAY_OK && index < table->agent_count; index++) {
        const struct horizon_agent *agent = &table->agents[index];
        const struct horizon_estimate *estimate = &agent->logistic;
        int estimated = estimate->status != HORIZON_TOO_FEW_TASKS;
        status = buffer_append_csv_field(out, agent->subject_id);
        if (status == ASSAY_OK)
            status = buffer_append_format(out, ",%s,%d,%zu,%zu,%zu",
                                          horizon_status_name(estimate->status),
                                          estimate->extrapolated, estimate->task_count,
                                          estimate->success_count, estimate->family_count);
        double values[] = {
            estimated ? estimate->minutes : NAN,
            estimate->lower,
            estimate->upper,
            estimated ? estimate->intercept : NAN,
            estimated ? estimate->slope : NAN,
            agent->anchored ? agent->ability : NAN,
            agent->anchored ? agent->ability_sd : NAN,
            agent->anchored ? agent->anchored_minutes : NAN,
            agent->anchored ? agent->anchored_lower : NAN,
            agent->anchored ? agent->anchored_upper : NAN,
        };
        for (size_t field = 0; status == ASSAY_OK && field < 10; field++)
            status = csv_number(out, values[field]);
        if (status == ASSAY_OK)
            status = buffer_append_string(out, "\n");
    }
    return status;
}

int horizon_table_format(const struct horizon_table *table, enum stats_format format,
                         struct buffer *out)
{
    switch (format) {
    case STATS_FORMAT_TABLE:
        return format_table_text(table, out);
    case STATS_FORMAT_JSON:
        return format_table_json(table, out);
    case STATS_FORMAT_CSV:
        return format_table_csv(table, out);
    }
    return ASSAY_ERR_INVALID;
}

int horizon_table_write(const struct horizon_table *table, enum stats_format format, FILE *stream)
{
    struct buffer out = {0};
    int status = horizon_table_format(table, format, &out);
    if (status == ASSAY_OK)
        status = stats__write_buffer(&out, stream);
    buffer_free(&out);
    return status;
}

int horizon_anchor_format(const struct horizon_anchor *anchor, const struct irt_fit *fit,
                          const struct horizon_minutes *minutes, enum stats_format format,
                          struct buffer *out)
{
    int status = ASSAY_OK;
    if (format == STATS_FORMAT_TABLE)
        status = buffer_append_format(
            out,
            "ln(human minutes) = %.4f + %.4f * difficulty  (%zu items, R^2 = %.4f, residual sd "
            "%.3f)\n\n%-40s %9s %12s %12s\n",
            anchor->intercept, anchor->slope, anchor->item_count, anchor->r_squared,
            anchor->residual_sd, "item", "b", "human-min", "predicted");
    else if (format == STATS_FORMAT_JSON)
        status = buffer_append_format(
            out,
            "{\"intercept\":%.15g,\"slope\":%.15g,\"r_squared\":%.15g,\"residual_sd\":%.15g,"
            "\"items_in_regression\":%zu,\"items\":[",
            anchor->intercept, anchor->slope, anchor->r_squared, anchor->residual_sd,
            anchor->item_count);
    else if (format == STATS_FORMAT_CSV)
        status = buffer_append_string(out, "item_id,difficulty,human_minutes,predicted_minutes\n");
    else
        return ASSAY_ERR_INVALID;
    for (size_t item = 0; status == ASSAY_OK && item < fit->item_count; item++) {
        const char *id = fit->item_ids[item];
        double difficulty = fit->items[item].difficulty, observed = NAN;
        if (minutes != NULL)
            horizon_minutes_lookup(minutes, id, &observed);
        double predicted = horizon_anchor_minutes(anchor, difficulty);
        if (format == STATS_FORMAT_TABLE) {
            status = buffer_append_format(out, "%-40s %9.3f", id, difficulty);
            if (status == ASSAY_OK)
                status = append_minutes_cell(out, observed, 12);
            if (status == ASSAY_OK)
                status = append_minutes_cell(out, predicted, 12);
            if (status == ASSAY_OK)
                status = buffer_append_string(out, "\n");
        } else if (format == STATS_FORMAT_JSON) {
            status = buffer_append_string(out, item == 0 ? "{\"id\":" : ",{\"id\":");
            if (status == ASSAY_OK)
                status = stats__json_append_string(out, id);
            const char *names[] = {"difficulty", "human_minutes", "predicted_minutes"};
            double values[] = {difficulty, observed, predicted};
            if (status == ASSAY_OK)
                status = json_numbers(out, names, values, 3);
            if (status == ASSAY_OK)
                status = buffer_append_string(out, "}");
        } else {
            status = buffer_append_csv_field(out, id);
            if (status == ASSAY_OK)
                status = csv_number(out, difficulty);
            if (status == ASSAY_OK)
                status = csv_number(out, observed);
            if (status == ASSAY_OK)
                status = csv_number(out, predicted);
            if (status == ASSAY_OK)
                status = buffer_append_string(out, "\n");
        }
    }
    if (status == ASSAY_OK && format == STATS_FORMAT_JSON)
        status = buffer_append_string(out, "]}\n");
    return status;
}
