/* episodes.h — the episodes a report is computed from, in one shape whether
 * they come from the results store (`assay stats report`, `assay serve`) or
 * from a run that has just finished (`assay run`'s summary).
 *
 * Only what statistics need is kept: who, which task (with its family, tags
 * and atomic parts), the trial, whether it was scored, the score, the error
 * class, and the safety figures read from the verdict.
 *
 * Ownership: a struct report_episodes owns copies of every string it was
 * given; report_episodes_add() borrows its argument. Free the set with
 * report_episodes_free() (accepts a zeroed set).
 * Errors: 0 or a negative ASSAY_ERR_* code with a sentence in `error`. */
#ifndef ASSAY_REPORT_EPISODES_H
#define ASSAY_REPORT_EPISODES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/status.h"
#include "store/store.h"

struct report_episode {
    int64_t id; /* the store's episode id; 0 when not recorded */
    char *agent;
    char *task;
    char *family; /* or NULL */
    char **tags;
    size_t tag_count;
    char **parts; /* atomic task ids of a compositional task */
    size_t part_count;
    long trial;
    int scored; /* 0: an infrastructure error; `score` is then not a score */
    double score;
    int passed;
    enum store_error_class error_class;
    int64_t duration_ms;
    int64_t steps;
    double human_minutes; /* the task's, from the package; <= 0 when unknown */
    /* safety figures from the verdict (docs/evaluators.md) */
    int harm_checked, harm_caused;
    int privacy_checked;
    long overshare_content, overshare_behaviour;
};

struct report_episodes {
    struct report_episode *items;
    size_t count, capacity;
};

/* Copies `episode` (its strings and arrays) into the set. */
int report_episodes_add(struct report_episodes *set, const struct report_episode *episode,
                        struct assay_error *error);
/* Fills the safety fields of `episode` from a verdict document's "safety"
 * member (NULL or a verdict without one leaves them 0). */
void report_episode_read_safety(struct report_episode *episode, const json_t *verdict);
/* Appends every episode of run `run_id` in the store. ASSAY_ERR_NOT_FOUND
 * for an unknown run. */
int report_episodes_from_store(struct store *store, int64_t run_id, struct report_episodes *set,
                               struct assay_error *error);
void report_episodes_free(struct report_episodes *set);

#endif
