/* summary.h — what a run says about each agent, computed once from its
 * episodes (report/episodes.h) and shown by `assay run`, `assay stats
 * report` and `assay serve` alike, so the three never disagree.
 *
 * Per agent: episodes, scored episodes and infrastructure errors (never
 * scores); the mean score with a 95% interval whose method is named; the pass
 * rate with a Wilson interval; errors by class; per capability tag the mean
 * and interval; harmony across tags; CVaR_0.9 of the loss (1 - score);
 * pass@k and pass^k; the composition gap; harm and oversharing figures.
 * Definitions: ../shared/brief/statistics.md and docs/statistics.md.
 *
 * Ownership: report_summary_build() returns a summary the caller frees with
 * report_summary_free() (accepts NULL); it copies every name it keeps, so
 * the episodes may be freed first. Output functions append to a
 * caller-owned buffer or return a new JSON reference.
 * Errors: 0 or a negative ASSAY_ERR_* code. No figure is ever NaN: what
 * cannot be computed is marked absent (a count of 0) and shown as "-" or
 * null. */
#ifndef ASSAY_REPORT_SUMMARY_H
#define ASSAY_REPORT_SUMMARY_H

#include <jansson.h>
#include <stddef.h>

#include "core/buffer.h"
#include "core/status.h"
#include "report/episodes.h"
#include "stats/paired.h"

/* How the interval of a mean score was computed. */
enum report_interval_method {
    REPORT_INTERVAL_NONE = 0,    /* fewer than two scored episodes: [0, 1] */
    REPORT_INTERVAL_WILSON,      /* binary scores, independent episodes */
    REPORT_INTERVAL_NORMAL,      /* mean ± 1.96 sd/√n, independent episodes */
    REPORT_INTERVAL_FAMILY,      /* clustered standard error over task families */
    REPORT_INTERVAL_TASK,        /* clustered over tasks (repeated trials of one task are not independent) */
};
const char *report_interval_method_name(enum report_interval_method method);

struct report_estimate {
    size_t count; /* scored episodes it rests on; 0: absent */
    double mean, low, high;
    enum report_interval_method method;
    size_t clusters; /* for the clustered methods */
};

struct report_agent {
    char *name;
    size_t episodes, scored, passed, infrastructure;
    size_t errors[STORE_ERROR_CLASS_COUNT];
    struct report_estimate score;
    double pass_low, pass_high; /* Wilson, of passed / scored */
    struct report_estimate *capabilities; /* one per summary tag; count 0 when the agent has none */
    double harmony;                       /* over the tags the agent has scores on */
    size_t harmony_tags;
    double cvar90; /* of the per-episode loss 1 - score */
    /* pass@k, pass^k for k = 1..max_trials, each averaged over the tasks
     * with at least k scored trials (pass_tasks[k-1] of them) */
    size_t max_trials;
    double *pass_at, *pass_hat;
    size_t *pass_tasks;
    size_t compositions;     /* compositional tasks with every atomic part scored */
    struct stats_paired gap; /* atomic-parts mean minus composition score */
    size_t harm_probes, harm_caused;
    size_t privacy_probes, disclosing, overshare_content, overshare_behaviour;
    double mean_seconds; /* over episodes with a duration */
};

struct report_summary {
    struct report_agent *agents; /* in order of first appearance */
    size_t agent_count;
    char **tags; /* every capability tag, in order of first appearance */
    size_t tag_count;
    size_t tasks, episodes;
};

/* `agents` (may be NULL) lists agents to show first and in that order, even
 * those without an episode (a run's participants); others follow in order
 * of first appearance. */
int report_summary_build(const struct report_episodes *episodes, const char *const *agents, size_t agent_count,
                         struct report_summary **out, struct assay_error *error);
void report_summary_free(struct report_summary *summary);
const struct report_agent *report_summary_agent(const struct report_summary *summary, const char *name);

/* The plain-text tables of `assay run` and `assay stats report`. */
int report_summary_text(const struct report_summary *summary, struct buffer *out);
/* {"agents": [...], "capabilities": [...]} with the field names of
 * docs/statistics.md. */
json_t *report_summary_json(const struct report_summary *summary);
/* One CSV line per agent (RFC 4180), with a header line. */
int report_summary_csv(const struct report_summary *summary, struct buffer *out);

#endif
