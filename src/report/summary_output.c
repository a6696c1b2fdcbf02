/* summary_output.c — a run summary as text tables, JSON and CSV.
 * Absent figures are "-" in text, null in JSON and empty in CSV: never NaN
 * and never a 0 that was not earned. */
#include "report/summary.h"

#include <string.h>

#include "core/memory.h"
#include "stats/intervals.h"

static const char *const shown_classes[] = {"wrong_answer", "gave_up", "timed_out", "protocol_error",
                                            "agent_crashed", "environment_crashed", "store_error",
                                            "runner_interrupted"};

static void text_scores(const struct report_summary *summary, struct buffer *out)
{
    buffer_append_format(out, "%-16s %8s %22s %24s %7s  %s\n", "agent", "episodes", "mean score [95% CI]",
                         "pass rate [95% Wilson]", "infra", "interval");
    for (size_t index = 0; index < summary->agent_count; index++) {
        const struct report_agent *agent = &summary->agents[index];
        if (agent->scored == 0) { /* nothing scored: no number, rather than a 0 that was never earned */
            buffer_append_format(out, "%-16s %8zu %22s %24s %7zu\n", agent->name, agent->episodes, "- (none scored)",
                                 "-", agent->infrastructure);
            continue;
        }
        char method[64];
        snprintf(method, sizeof method, "%s", report_interval_method_name(agent->score.method));
        if (agent->score.method == REPORT_INTERVAL_FAMILY || agent->score.method == REPORT_INTERVAL_TASK)
            snprintf(method, sizeof method, "%s (%zu)", report_interval_method_name(agent->score.method),
                     agent->score.clusters);
        buffer_append_format(out, "%-16s %8zu %7.1f%% [%4.1f, %5.1f] %8.1f%% [%4.1f, %5.1f] %7zu  %s\n",
                             agent->name, agent->episodes, 100 * agent->score.mean, 100 * agent->score.low,
                             100 * agent->score.high, 100 * (double)agent->passed / (double)agent->scored,
                             100 * agent->pass_low, 100 * agent->pass_high, agent->infrastructure, method);
    }
}

static void text_capabilities(const struct report_summary *summary, struct buffer *out)
{
    if (summary->tag_count == 0)
        return;
    buffer_append_format(out, "\n%-16s", "capability");
    for (size_t index = 0; index < summary->agent_count; index++)
        buffer_append_format(out, " %20.20s", summary->agents[index].name);
    buffer_append_string(out, "\n");
    for (size_t tag = 0; tag < summary->tag_count; tag++) {
        buffer_append_format(out, "%-16.16s", summary->tags[tag]);
        for (size_t index = 0; index < summary->agent_count; index++) {
            const struct report_estimate *estimate = &summary->agents[index].capabilities[tag];
            if (estimate->count == 0)
                buffer_append_format(out, " %20s", "-");
            else
                buffer_append_format(out, " %6.1f%% [%4.0f, %4.0f]", 100 * estimate->mean, 100 * estimate->low,
                                     100 * estimate->high);
        }
        buffer_append_string(out, "\n");
    }
}

static void text_extras(const struct report_summary *summary, struct buffer *out)
{
    buffer_append_format(out, "\n%-16s %34s %22s %30s\n", "agent", "composition gap [95% CI]", "harm caused [Wilson]",
                         "oversharing: episodes (content, behaviour)");
    for (size_t index = 0; index < summary->agent_count; index++) {
        const struct report_agent *agent = &summary->agents[index];
        char gap[64] = "-", harm[64] = "-", overshare[64] = "-";
        if (agent->compositions > 0)
            snprintf(gap, sizeof gap, "%+.1f pts [%.1f, %.1f] over %zu", 100 * agent->gap.difference,
                     100 * agent->gap.low, 100 * agent->gap.high, agent->compositions);
        if (agent->harm_probes > 0) {
            double low, high;
            stats_wilson_interval(agent->harm_caused, agent->harm_probes, 1.96, &low, &high);
            snprintf(harm, sizeof harm, "%zu/%zu [%.0f%%, %.0f%%]", agent->harm_caused, agent->harm_probes, 100 * low,
                     100 * high);
        }
        if (agent->privacy_probes > 0)
            snprintf(overshare, sizeof overshare, "%zu/%zu (%zu, %zu)", agent->disclosing, agent->privacy_probes,
                     agent->overshare_content, agent->overshare_behaviour);
        buffer_append_format(out, "%-16s %34s %22s %30s\n", agent->name, gap, harm, overshare);
    }
    buffer_append_string(out, "(gap: mean of a composition's atomic parts minus the composition, per composition)\n");
    buffer_append_format(out, "\n%-16s %18s %14s   %s\n", "agent", "harmony (tags)", "CVaR90 loss",
                         "pass@k / pass^k, k = 1..");
    for (size_t index = 0; index < summary->agent_count; index++) {
        const struct report_agent *agent = &summary->agents[index];
        if (agent->scored == 0) {
            buffer_append_format(out, "%-16s %18s %14s\n", agent->name, "-", "-");
            continue;
        }
        buffer_append_format(out, "%-16s %11.3f (%3zu) %14.3f  ", agent->name, agent->harmony, agent->harmony_tags,
                             agent->cvar90);
        for (size_t k = 1; k <= agent->max_trials && k <= 5; k++)
            buffer_append_format(out, " %zu: %.2f/%.2f", k, agent->pass_at[k - 1], agent->pass_hat[k - 1]);
        buffer_append_string(out, "\n");
    }
}

static void text_errors(const struct report_summary *summary, struct buffer *out)
{
    buffer_append_string(out, "\nerrors by class (agent failures count in the scores; infrastructure ones do not):\n");
    for (size_t index = 0; index < summary->agent_count; index++) {
        const struct report_agent *agent = &summary->agents[index];
        buffer_append_format(out, "  %-14s", agent->name);
        for (size_t name = 0; name < sizeof shown_classes / sizeof shown_classes[0]; name++) {
            enum store_error_class error_class;
            if (store_error_class_parse(shown_classes[name], &error_class) == ASSAY_OK && agent->errors[error_class] > 0)
                buffer_append_format(out, " %s %zu (%s)", shown_classes[name], agent->errors[error_class],
                                     store_error_side_name(store_error_class_side(error_class)));
        }
        buffer_append_string(out, "\n");
    }
}

int report_summary_text(const struct report_summary *summary, struct buffer *out)
{
    size_t before = out->length;
    text_scores(summary, out);
    text_capabilities(summary, out);
    text_extras(summary, out);
    text_errors(summary, out);
    return out->length > before ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

/* A real number, or null for an absent figure. */
static json_t *number_or_null(double value, int present) { return present ? json_real(value) : json_null(); }

static json_t *estimate_json(const struct report_estimate *estimate)
{
    return json_pack("{s:I, s:o, s:[f,f], s:s, s:I}", "scored", (json_int_t)estimate->count, "mean",
                     number_or_null(estimate->mean, estimate->count > 0), "ci95", estimate->low, estimate->high,
                     "interval", report_interval_method_name(estimate->method), "clusters",
                     (json_int_t)estimate->clusters);
}

static json_t *agent_json(const struct report_summary *summary, const struct report_agent *agent)
{
    int scored = agent->scored > 0;
    json_t *item = json_pack("{s:s, s:I, s:I, s:o, s:[f,f], s:s, s:I, s:I, s:o, s:[f,f], s:I}", "agent", agent->name,
                             "episodes", (json_int_t)agent->episodes, "scored", (json_int_t)agent->scored, "mean_score",
                             number_or_null(agent->score.mean, scored), "mean_score_ci95", agent->score.low,
                             agent->score.high, "interval", report_interval_method_name(agent->score.method),
                             "clusters", (json_int_t)agent->score.clusters, "passed", (json_int_t)agent->passed,
                             "pass_rate", number_or_null(scored ? (double)agent->passed / (double)agent->scored : 0, scored),
                             "pass_rate_wilson95", agent->pass_low, agent->pass_high, "infrastructure_errors",
                             (json_int_t)agent->infrastructure);
    if (item == NULL)
        return NULL;
    json_t *errors = json_object();
    for (size_t name = 0; name < sizeof shown_classes / sizeof shown_classes[0]; name++) {
        enum store_error_class error_class;
        if (store_error_class_parse(shown_classes[name], &error_class) == ASSAY_OK && agent->errors[error_class] > 0)
            json_object_set_new(errors, shown_classes[name], json_integer((json_int_t)agent->errors[error_class]));
    }
    json_object_set_new(item, "errors_by_class", errors);
    json_t *capabilities = json_object();
    for (size_t tag = 0; tag < summary->tag_count; tag++)
        if (agent->capabilities[tag].count > 0)
            json_object_set_new(capabilities, summary->tags[tag], estimate_json(&agent->capabilities[tag]));
    json_object_set_new(item, "capabilities", capabilities);
    json_object_set_new(item, "harmony", number_or_null(agent->harmony, agent->harmony_tags > 0));
    json_object_set_new(item, "harmony_tags", json_integer((json_int_t)agent->harmony_tags));
    json_object_set_new(item, "cvar90_loss", number_or_null(agent->cvar90, scored));
    json_t *pass_at = json_array(), *pass_hat = json_array(), *pass_tasks = json_array();
    for (size_t k = 1; k <= agent->max_trials; k++) {
        json_array_append_new(pass_at, json_real(agent->pass_at[k - 1]));
        json_array_append_new(pass_hat, json_real(agent->pass_hat[k - 1]));
        json_array_append_new(pass_tasks, json_integer((json_int_t)agent->pass_tasks[k - 1]));
    }
    json_object_set_new(item, "pass_at_k", pass_at);
    json_object_set_new(item, "pass_hat_k", pass_hat);
    json_object_set_new(item, "pass_k_tasks", pass_tasks);
    json_object_set_new(item, "composition_gap",
                        agent->compositions == 0
                            ? json_null()
                            : json_pack("{s:f, s:[f,f], s:I}", "atomic_minus_composite", agent->gap.difference, "ci95",
                                        agent->gap.low, agent->gap.high, "compositions",
                                        (json_int_t)agent->compositions));
    json_object_set_new(item, "safety",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "harm_probes", (json_int_t)agent->harm_probes,
                                  "harm_caused", (json_int_t)agent->harm_caused, "privacy_probes",
                                  (json_int_t)agent->privacy_probes, "oversharing_episodes",
                                  (json_int_t)agent->disclosing, "oversharing_content",
                                  (json_int_t)agent->overshare_content, "oversharing_behaviour",
                                  (json_int_t)agent->overshare_behaviour));
    json_object_set_new(item, "mean_seconds", json_real(agent->mean_seconds));
    return item;
}

json_t *report_summary_json(const struct report_summary *summary)
{
    json_t *agents = json_array(), *tags = json_array();
    for (size_t index = 0; index < summary->agent_count; index++)
        json_array_append_new(agents, agent_json(summary, &summary->agents[index]));
    for (size_t tag = 0; tag < summary->tag_count; tag++)
        json_array_append_new(tags, json_string(summary->tags[tag]));
    return json_pack("{s:I, s:I, s:o, s:o}", "tasks", (json_int_t)summary->tasks, "episodes",
                     (json_int_t)summary->episodes, "capabilities", tags, "agents", agents);
}

int report_summary_csv(const struct report_summary *summary, struct buffer *out)
{
    size_t before = out->length;
    buffer_append_string(out, "agent,episodes,scored,infrastructure_errors,mean_score,mean_low,mean_high,interval,"
                              "passed,pass_low,pass_high,harmony,cvar90_loss,pass_at_1,composition_gap,gap_low,"
                              "gap_high,harm_probes,harm_caused,privacy_probes,oversharing_episodes\r\n");
    for (size_t index = 0; index < summary->agent_count; index++) {
        const struct report_agent *agent = &summary->agents[index];
        buffer_append_csv_field(out, agent->name);
        buffer_append_format(out, ",%zu,%zu,%zu,", agent->episodes, agent->scored, agent->infrastructure);
        if (agent->scored > 0)
            buffer_append_format(out, "%.6f,%.6f,%.6f", agent->score.mean, agent->score.low, agent->score.high);
        else
            buffer_append_string(out, ",,");
        buffer_append_format(out, ",%s,%zu,%.6f,%.6f,", report_interval_method_name(agent->score.method),
                             agent->passed, agent->pass_low, agent->pass_high);
        if (agent->scored > 0)
            buffer_append_format(out, "%.6f,%.6f,%.6f", agent->harmony, agent->cvar90,
                                 agent->max_trials > 0 ? agent->pass_at[0] : 0);
        else
            buffer_append_string(out, ",,");
        buffer_append_string(out, ",");
        if (agent->compositions > 0)
            buffer_append_format(out, "%.6f,%.6f,%.6f", agent->gap.difference, agent->gap.low, agent->gap.high);
        else
            buffer_append_string(out, ",,");
        buffer_append_format(out, ",%zu,%zu,%zu,%zu\r\n", agent->harm_probes, agent->harm_caused,
                             agent->privacy_probes, agent->disclosing);
    }
    return out->length > before ? ASSAY_OK : ASSAY_ERR_NOMEM;
}
