/* irt_output.c — a fitted 2PL as a table, JSON or CSV. */
#include <math.h>
#include <string.h>

#include "core/status.h"
#include "stats/irt.h"
#include "stats/stats_internal.h"

/* Id columns are as wide as the longest id up to this; longer ids push the
 * rest of their row right rather than being cut (an id is a key). */
#define TABLE_ID_WIDTH_LIMIT 48

static int id_width(char *const *ids, size_t count, const char *heading)
{
    size_t width = strlen(heading);
    for (size_t index = 0; index < count; index++) {
        size_t length = strlen(ids[index]);
        if (length > width)
            width = length;
    }
    return (int)(width > TABLE_ID_WIDTH_LIMIT ? TABLE_ID_WIDTH_LIMIT : width);
}

static int format_table(const struct irt_fit *fit, struct buffer *out)
{
    const struct irt_options *options = &fit->options;
    int status = buffer_append_format(
        out,
        "2PL item response model: %zu subjects, %zu items, %zu responses\n"
        "marginal log-likelihood %.3f, log posterior %.3f, %zu EM iterations, %s\n",
        fit->subject_count, fit->item_count, fit->response_count, fit->log_likelihood,
        fit->log_posterior, fit->iterations,
        fit->converged ? "converged" : "NOT converged (see items marked *)");
    if (status == ASSAY_OK && fit->quadrature_spacing > 0)
        status = buffer_append_format(out, "quadrature: %zu equally spaced nodes, spacing %.4f\n",
                                      fit->quadrature_nodes, fit->quadrature_spacing);
    else if (status == ASSAY_OK)
        status = buffer_append_format(out, "quadrature: %zu Gauss-Hermite nodes\n",
                                      fit->quadrature_nodes);
    if (status == ASSAY_OK)
        status = buffer_append_format(
            out,
            "priors: log a ~ N(%g, %g^2), b ~ N(%g, %g^2); abilities scaled to mean 0, sd 1\n\n",
            options->log_discrimination_mean, options->log_discrimination_sd,
            options->difficulty_mean, options->difficulty_sd);
    int width = id_width(fit->item_ids, fit->item_count, "item");
    if (status == ASSAY_OK)
        status = buffer_append_format(out, "%-*s %9s %8s %8s %8s %7s %7s\n", width, "item", "b",
                                      "se(b)", "a", "se(a)", "n", "p");
    for (size_t item = 0; status == ASSAY_OK && item < fit->item_count; item++) {
        const struct irt_item_estimate *estimate = &fit->items[item];
        status = buffer_append_format(
            out, "%-*s %9.3f %8.3f %8.3f %8.3f %7zu %7.3f%s\n", width, fit->item_ids[item],
            estimate->difficulty, estimate->difficulty_se, estimate->discrimination,
            estimate->discrimination_se, estimate->response_count, estimate->proportion_correct,
            estimate->converged ? "" : " *");
    }
    width = id_width(fit->subject_ids, fit->subject_count, "subject");
    if (status == ASSAY_OK)
        status = buffer_append_format(out, "\n%-*s %9s %8s %7s %7s\n", width, "subject", "ability",
                                      "sd", "n", "p");
    for (size_t subject = 0; status == ASSAY_OK && subject < fit->subject_count; subject++) {
        const struct irt_subject_estimate *estimate = &fit->subjects[subject];
        status =
            buffer_append_format(out, "%-*s %9.3f %8.3f %7zu %7.3f\n", width,
                                 fit->subject_ids[subject], estimate->ability, estimate->ability_sd,
                                 estimate->response_count, estimate->proportion_correct);
    }
    return status;
}

static int json_member_number(struct buffer *out, const char *name, double value)
{
    int status = buffer_append_format(out, "\"%s\":", name);
    return status == ASSAY_OK ? stats__json_append_number(out, value) : status;
}

static int format_json(const struct irt_fit *fit, struct buffer *out)
{
    const struct irt_options *options = &fit->options;
    int status =
        buffer_append_format(out,
                             "{\"model\":\"2pl\",\"subjects\":%zu,\"items\":%zu,\"responses\":%zu,"
                             "\"iterations\":%zu,\"converged\":%s,",
                             fit->subject_count, fit->item_count, fit->response_count,
                             fit->iterations, fit->converged ? "true" : "false");
    if (status == ASSAY_OK)
        status = json_member_number(out, "log_likelihood", fit->log_likelihood);
    if (status == ASSAY_OK)
        status = buffer_append(out, ",", 1);
    if (status == ASSAY_OK)
        status = json_member_number(out, "log_posterior", fit->log_posterior);
    if (status == ASSAY_OK)
        status = buffer_append_format(
            out,
            ",\"quadrature\":{\"kind\":\"%s\",\"nodes\":%zu,\"spacing\":%.15g},"
            "\"priors\":{\"log_discrimination\":{\"mean\":%.15g,\"sd\":%.15g},"
            "\"difficulty\":{\"mean\":%.15g,\"sd\":%.15g}},\"nonconverged_items\":[",
            fit->quadrature_spacing > 0 ? "equally-spaced" : "gauss-hermite", fit->quadrature_nodes,
            fit->quadrature_spacing, options->log_discrimination_mean,
            options->log_discrimination_sd, options->difficulty_mean, options->difficulty_sd);
    int first = 1;
    for (size_t item = 0; status == ASSAY_OK && item < fit->item_count; item++) {
        if (fit->items[item].converged)
            continue;
        if (!first)
            status = buffer_append(out, ",", 1);
        if (status == ASSAY_OK)
            status = stats__json_append_string(out, fit->item_ids[item]);
        first = 0;
    }
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "],\"item_estimates\":[");
    for (size_t item = 0; status == ASSAY_OK && item < fit->item_count; item++) {
        const struct irt_item_estimate *estimate = &fit->items[item];
        status = buffer_append_string(out, item == 0 ? "{\"id\":" : ",{\"id\":");
        if (status == ASSAY_OK)
            status = stats__json_append_string(out, fit->item_ids[item]);
        const char *names[] = {",\"difficulty\":", ",\"difficulty_se\":", ",\"discrimination\":",
                               ",\"discrimination_se\":", ",\"proportion_correct\":"};
        double values[] = {estimate->difficulty, estimate->difficulty_se, estimate->discrimination,
                           estimate->discrimination_se, estimate->proportion_correct};
        for (size_t field = 0; status == ASSAY_OK && field < 5; field++) {
            status = buffer_append_string(out, names[field]);
            if (status == ASSAY_OK)
                status = stats__json_append_number(out, values[field]);
        }
        if (status == ASSAY_OK)
            status = buffer_append_format(out, ",\"responses\":%zu,\"converged\":%s}",
                                          estimate->response_count,
                                          estimate->converged ? "true" : "false");
    }
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "],\"subject_estimates\":[");
    for (size_t subject = 0; status == ASSAY_OK && subject < fit->subject_count; subject++) {
        const struct irt_subject_estimate *estimate = &fit->subjects[subject];
        status = buffer_append_string(out, subject == 0 ? "{\"id\":" : ",{\"id\":");
        if (status == ASSAY_OK)
            status = stats__json_append_string(out, fit->subject_ids[subject]);
        const char *names[] = {",\"ability\":", ",\"ability_sd\":", ",\"proportion_correct\":"};
        double values[] = {estimate->ability, estimate->ability_sd, estimate->proportion_correct};
        for (size_t field = 0; status == ASSAY_OK && field < 3; field++) {
            status = buffer_append_string(out, names[field]);
            if (status == ASSAY_OK)
                status = stats__json_append_number(out, values[field]);
        }
        if (status == ASSAY_OK)
            status = buffer_append_format(out, ",\"responses\":%zu}", estimate->response_count);
    }
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "]}\n");
    return status;
}

static int csv_numbers(struct buffer *out, const double *values, size_t count)
{
    int status = ASSAY_OK;
    for (size_t index = 0; status == ASSAY_OK && index < count; index++) {
        status = buffer_append(out, ",", 1);
        if (status == ASSAY_OK && !isnan(values[index])) /* empty cell: does not apply */
            status = stats__append_number(out, values[index]);
    }
    return status;
}

/* One row: kind, id, the six estimate cells, responses, proportion correct,
 * and the converged cell ("" for subjects, to which it does not apply). */
static int csv_row(struct buffer *out, const char *kind, const char *id, const double *values, size_t responses,
                   double proportion, const char *converged)
{
    int status = buffer_append_format(out, "%s,", kind);
    if (status == ASSAY_OK)
        status = buffer_append_csv_field(out, id);
    if (status == ASSAY_OK)
        status = csv_numbers(out, values, 6);
    if (status == ASSAY_OK)
        status = buffer_append_format(out, ",%zu,", responses);
    if (status == ASSAY_OK)
        status = stats__append_number(out, proportion);
    if (status == ASSAY_OK)
        status = buffer_append_format(out, ",%s\n", converged);
    return status;
}

static int format_csv(const struct irt_fit *fit, struct buffer *out)
{
    int status = buffer_append_string(out, "kind,id,difficulty,difficulty_se,discrimination,"
                                           "discrimination_se,ability,ability_sd,responses,"
                                           "proportion_correct,converged\n");
    /* NAN marks the cells that do not apply to the row's kind; they are
     * written empty, never as "nan". */
    for (size_t item = 0; status == ASSAY_OK && item < fit->item_count; item++) {
        const struct irt_item_estimate *estimate = &fit->items[item];
        double values[] = {estimate->difficulty, estimate->difficulty_se, estimate->discrimination,
                           estimate->discrimination_se, NAN, NAN};
        status = csv_row(out, "item", fit->item_ids[item], values, estimate->response_count,
                         estimate->proportion_correct, estimate->converged ? "1" : "0");
    }
    for (size_t subject = 0; status == ASSAY_OK && subject < fit->subject_count; subject++) {
        const struct irt_subject_estimate *estimate = &fit->subjects[subject];
        double values[] = {NAN, NAN, NAN, NAN, estimate->ability, estimate->ability_sd};
        status = csv_row(out, "subject", fit->subject_ids[subject], values, estimate->response_count,
                         estimate->proportion_correct, "");
    }
    return status;
}

int irt_fit_format(const struct irt_fit *fit, enum stats_format format, struct buffer *out)
{
    switch (format) {
    case STATS_FORMAT_TABLE:
        return format_table(fit, out);
    case STATS_FORMAT_JSON:
        return format_json(fit, out);
    case STATS_FORMAT_CSV:
        return format_csv(fit, out);
    }
    return ASSAY_ERR_INVALID;
}

int irt_fit_write(const struct irt_fit *fit, enum stats_format format, FILE *stream)
{
    struct buffer out = {0};
    int status = irt_fit_format(fit, format, &out);
    if (status == ASSAY_OK)
        status = stats__write_buffer(&out, stream);
    buffer_free(&out);
    return status;
}
