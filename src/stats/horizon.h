/* horizon.h — time horizons: the length of task, measured in human working
 * time, that an agent completes at a given success rate.
 *
 * Two estimators (docs/statistics-irt.md has the details):
 *   - METR (Kwa et al. 2025, "Measuring AI Ability to Complete Long
 *     Tasks"): per agent, a weighted logistic regression of success on
 *     x = log2(human minutes); the horizon at success rate p is
 *     2^((logit p − β0) / β1). Interval: a hierarchical bootstrap that
 *     resamples task families, then tasks within each drawn family.
 *   - BRIDGE anchoring (Liu et al. 2026): a least-squares line of
 *     ln(human minutes) on IRT difficulty b over the items that have human
 *     times. R² says how well difficulty tracks human time; the line
 *     predicts a time for every other item, and an agent's 50% horizon is
 *     the time of an item with b = θ (where its 2PL success chance is 1/2).
 *
 * Ownership: constructors (horizon_minutes_read*, horizon_table_estimate)
 * return objects the caller frees with the matching *_free(), which accept
 * NULL. A horizon_table copies the subject ids it reports. Output functions
 * append to a caller-owned struct buffer or write to a caller-owned FILE *.
 * Status: 0 or a negative ASSAY_ERR_* code; a struct assay_error * (may be
 * NULL) receives a sentence naming the file and line of bad input. */
#ifndef ASSAY_STATS_HORIZON_H
#define ASSAY_STATS_HORIZON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buffer.h"
#include "core/status.h"
#include "stats/format.h"
#include "stats/irt.h"

/* ---- Human completion times --------------------------------------------- */

struct horizon_minutes;

struct horizon_minutes_options {
    /* 0 (default): a line whose human_minutes is 0 or negative is an error.
     * 1: such lines are skipped and counted (a warning names each one). */
    int skip_nonpositive;
};

struct horizon_minutes_report {
    size_t lines;
    size_t blank_lines;         /* skipped */
    size_t nonpositive_skipped; /* only with skip_nonpositive */
};

/* Reads JSONL lines {"task_id": "...", "human_minutes": <number>}; other
 * members are ignored. Rejected with ASSAY_ERR_INVALID and "FILE:LINE: ...":
 * a line that is not a JSON object, a missing or empty task_id, a
 * human_minutes that is missing or not a number, a task_id seen before, a
 * non-positive time (unless skipped, above), and a file without any time.
 * options and report may be NULL. */
int horizon_minutes_read(const char *path, const struct horizon_minutes_options *options,
                         struct horizon_minutes **minutes, struct horizon_minutes_report *report,
                         struct assay_error *error);
int horizon_minutes_read_stream(FILE *stream, const char *name,
                                const struct horizon_minutes_options *options,
                                struct horizon_minutes **minutes,
                                struct horizon_minutes_report *report, struct assay_error *error);
/* 0 and the time, or ASSAY_ERR_NOT_FOUND. */
int horizon_minutes_lookup(const struct horizon_minutes *minutes, const char *task_id,
                           double *value);
size_t horizon_minutes_count(const struct horizon_minutes *minutes);
void horizon_minutes_free(struct horizon_minutes *minutes);

/* ---- Options -------------------------------------------------------------- */

/* Chooses the items an estimate uses: nonzero to keep `item_id`. */
typedef int (*horizon_item_filter)(const char *item_id, void *context);

/* A ready-made filter: keeps the ids that do not contain the string given
 * as context (for BRIDGE data, "__" drops the SWE-bench items, whose times
 * are four coarse buckets, and keeps METR's and Cybench's measured ones). */
int horizon_exclude_containing(const char *item_id, void *context);

struct horizon_options {
    double success_rate;              /* p in (0, 1); default 0.5 */
    int family_weighting;             /* 1 (default): METR's 1/sqrt(family size) task weights */
    char family_separator;            /* default '/': family = id up to the first one; 0: none */
    size_t bootstrap_replicates;      /* default 1000; 0: no interval */
    double confidence;                /* default 0.95 */
    uint64_t seed;                    /* default 1 */
    size_t minimum_tasks;             /* default 10: fewer timed tasks, no estimate */
    horizon_item_filter include_item; /* NULL (default): every item with a time */
    void *include_context;
};

void horizon_options_default(struct horizon_options *options);

/* ---- METR logistic horizons ----------------------------------------------- */

enum horizon_status {
    HORIZON_ESTIMATED = 0,
    HORIZON_TOO_FEW_TASKS = 1,  /* fewer than minimum_tasks timed tasks */
    HORIZON_ALL_SUCCEEDED = 2,  /* no failure: minutes = +inf ("beyond the data") */
    HORIZON_ALL_FAILED = 3,     /* no success: minutes = 0 ("below the data") */
    HORIZON_NOT_DECREASING = 4, /* success does not fall with length: +inf or 0 as
                                   the fitted rate is above or below p */
};

/* A short name for a status ("estimated", "too-few-tasks", ...). */
const char *horizon_status_name(enum horizon_status status);

struct horizon_estimate {
    enum horizon_status status;
    double minutes;   /* at options->success_rate; see status for 0 and +inf */
    double lower;     /* bootstrap percentile interval; 0 and +inf mark an */
    double upper;     /*   end the resamples leave unbounded; NaN: no bootstrap */
    double intercept; /* logit P(success) = intercept + slope · log2(minutes) */
    double slope;
    int extrapolated; /* the horizon lies outside the agent's task times */
    size_t task_count;
    size_t success_count;
    size_t family_count;
    size_t bootstrap_degenerate; /* resamples without a decreasing fit */
};

/* One agent's horizon from its tasks: log2 human minutes, 0/1 success and
 * a family index per task (family may be NULL: every task its own family).
 * The bootstrap uses options->seed as is. */
int horizon_logistic_estimate(const double *log2_minutes, const unsigned char *success,
                              const size_t *family, size_t count,
                              const struct horizon_options *options,
                              struct horizon_estimate *estimate, struct assay_error *error);

/* ---- BRIDGE anchoring ------------------------------------------------------ */

struct horizon_anchor {
    double intercept; /* ln(minutes) = intercept + slope · b */
    double slope;
    double r_squared;
    double residual_sd; /* of ln(minutes) around the line */
    size_t item_count;  /* items in the regression */
};

/* Fits the line over the items of `fit` that have a time in `minutes` and
 * pass `include` (NULL: all). ASSAY_ERR_INVALID with fewer than 3 such items
 * or when their difficulties are all equal. */
int horizon_anchor_fit(const struct irt_fit *fit, const struct horizon_minutes *minutes,
                       horizon_item_filter include, void *context, struct horizon_anchor *anchor,
                       struct assay_error *error);
/* exp(intercept + slope · value): the human minutes of an item of
 * difficulty `value`, or the 50% horizon of an agent of ability `value`. */
double horizon_anchor_minutes(const struct horizon_anchor *anchor, double value);

/* The line, then every item of the fit with its difficulty, its human time
 * where known and the time the line predicts. `minutes` may be NULL. */
int horizon_anchor_format(const struct horizon_anchor *anchor, const struct irt_fit *fit,
                          const struct horizon_minutes *minutes, enum stats_format format,
                          struct buffer *out);

/* ---- Per-agent tables ------------------------------------------------------ */

struct horizon_agent {
    char *subject_id; /* owned copy */
    struct horizon_estimate logistic;
    /* From the IRT anchoring, when horizon_table_add_anchor() was called and
     * the fit has this subject: 50% horizon from θ, interval θ ± z·sd. */
    int anchored;
    double ability;
    double ability_sd;
    double anchored_minutes;
    double anchored_lower;
    double anchored_upper;
};

struct horizon_table {
    size_t agent_count;
    struct horizon_agent *agents;
    struct horizon_options options; /* as used; include_* are not followed later */
    int has_anchor;
    struct horizon_anchor anchor;
};

/* METR horizons for every subject of `responses`: its responses to items
 * that have a time and pass options->include_item. Each agent's bootstrap
 * is seeded from options->seed and a hash of its id, so an agent's
 * interval does not depend on the order of the file. options may be NULL. */
int horizon_table_estimate(const struct irt_responses *responses,
                           const struct horizon_minutes *minutes,
                           const struct horizon_options *options, struct horizon_table **table,
                           struct assay_error *error);
/* Adds the anchored horizon of every agent that `fit` has (by id). */
int horizon_table_add_anchor(struct horizon_table *table, const struct irt_fit *fit,
                             const struct horizon_anchor *anchor);
/* 0 and the agent, or ASSAY_ERR_NOT_FOUND. */
int horizon_table_find(const struct horizon_table *table, const char *subject_id,
                       const struct horizon_agent **agent);
int horizon_table_format(const struct horizon_table *table, enum stats_format format,
                         struct buffer *out);
int horizon_table_write(const struct horizon_table *table, enum stats_format format, FILE *stream);
void horizon_table_free(struct horizon_table *table);

#endif
