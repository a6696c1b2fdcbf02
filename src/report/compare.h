/* compare.h — two agents head to head on the tasks both have scores for:
 * the paired difference of their per-task mean scores (stats/paired.h,
 * clustered by family when every shared task has one), the plain sentence,
 * the minimum detectable difference, and the per-task table.
 *
 * Ownership: report_compare() fills a caller-owned struct whose task table
 * it allocates; release it with report_comparison_release(). It copies task
 * names, so the episodes may be freed first.
 * Errors: ASSAY_ERR_NOT_FOUND (with a sentence) when either agent has no
 * episodes; ASSAY_ERR_NOMEM. */
#ifndef ASSAY_REPORT_COMPARE_H
#define ASSAY_REPORT_COMPARE_H

#include <jansson.h>

#include "report/episodes.h"
#include "stats/paired.h"

struct report_task_pair {
    char *task;
    double a, b; /* mean scores over scored trials */
    int outcome; /* 1: A wins, -1: B wins, 0: tie */
};

struct report_comparison {
    struct stats_paired paired;
    size_t wins, losses, ties; /* from A's side */
    struct report_task_pair *tasks;
    size_t task_count;
    char *sentence; /* owned */
};

int report_compare(const struct report_episodes *episodes, const char *a, const char *b,
                   struct report_comparison *out, struct assay_error *error);
void report_comparison_release(struct report_comparison *comparison);
/* The document `assay stats compare --format json` prints, and with
 * per_task nonzero the per-task table too. */
json_t *report_comparison_json(const struct report_comparison *comparison, long long run_id, const char *a,
                               const char *b, int per_task);

#endif
