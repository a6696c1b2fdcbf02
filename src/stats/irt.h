/* irt.h — two-parameter logistic item response theory (2PL) for binary
 * outcomes of agents ("subjects") on tasks ("items").
 *
 * Model: P(y_ij = 1) = σ(a_i (θ_j − b_i)), discrimination a_i > 0,
 * difficulty b_i, ability θ_j ~ N(0, 1). Estimation is marginal maximum
 * likelihood (Bock–Aitkin EM over Gauss–Hermite nodes, refined to an
 * equally spaced grid where posteriors are sharp) with weak priors
 * log a ~ N(μ_a, σ_a²) and b ~ N(μ_b, σ_b²), so items that every subject
 * passes or fails get finite estimates. The scale is fixed by the subjects:
 * their pooled posterior has mean 0 and variance 1. Abilities are EAPs with
 * posterior SDs; item standard errors come from Louis' formula and are
 * conditional on that scale. docs/statistics-irt.md describes the model,
 * the estimator and the treatment of bad input in full.
 *
 * Ownership:
 *   - Every constructor (irt_responses_read_pyirt, irt_responses_builder_*,
 *     irt_responses_simulate, irt_fit_estimate) hands back an object the
 *     caller frees with the matching *_free(); all *_free() accept NULL.
 *   - A struct irt_fit copies the ids it reports, so the responses it was
 *     fitted on may be freed before it.
 *   - Strings and arrays returned by accessors are borrowed: they live as
 *     long as the object they came from and must not be freed.
 *   - Output functions append to a caller-owned struct buffer or write to a
 *     caller-owned FILE *.
 * Status: functions return 0 or a negative ASSAY_ERR_* code; those taking a
 * struct assay_error * (may be NULL) also explain what was wrong with the
 * input, naming file and line where there is one.
 * Threads: objects are not shared-mutable; distinct objects may be used from
 * distinct threads. */
#ifndef ASSAY_STATS_IRT_H
#define ASSAY_STATS_IRT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buffer.h"
#include "core/status.h"
#include "stats/format.h"

/* ---- Responses: a sparse binary subject × item matrix ------------------- */

struct irt_responses;

/* What the reader saw besides the responses it kept. */
struct irt_read_report {
    size_t lines;                  /* physical lines read */
    size_t blank_lines;            /* skipped: empty or only white space */
    size_t empty_subjects_skipped; /* skipped: `responses` was {} */
};

/* Reads py-irt JSONL: one JSON object per line,
 *   {"subject_id": "...", "responses": {"item id": 0 | 1, ...}}
 * Other members are ignored. Responses may be 0/1 integers or false/true.
 * Rejected with ASSAY_ERR_INVALID and a "FILE:LINE: ..." message: a line
 * that is not a JSON object, a missing or non-string subject_id or item id,
 * a responses member that is not an object, a response other than 0/1,
 * a duplicated key within a line, a subject_id seen on an earlier line, and
 * a file with no responses at all. Skipped and counted in `report` (may be
 * NULL): blank lines and subjects whose responses object is empty (they
 * carry no information; a warning is logged). ASSAY_ERR_NOT_FOUND when the
 * file does not exist, ASSAY_ERR_IO when it cannot be opened or read. */
int irt_responses_read_pyirt(const char *path, struct irt_responses **responses,
                             struct irt_read_report *report, struct assay_error *error);
/* The same from an open stream; `name` is used in messages. */
int irt_responses_read_pyirt_stream(FILE *stream, const char *name,
                                    struct irt_responses **responses,
                                    struct irt_read_report *report, struct assay_error *error);

/* Programmatic construction (results stores, simulations): add subjects and
 * items, then responses by index; finish() builds the compact matrix and
 * frees nothing else (the builder still needs irt_responses_builder_free).
 * Adding an id twice returns the existing index with *added = 0. */
struct irt_responses_builder;
int irt_responses_builder_create(struct irt_responses_builder **builder);
int irt_responses_builder_add_subject(struct irt_responses_builder *builder, const char *subject_id,
                                      size_t *subject, int *added);
int irt_responses_builder_add_item(struct irt_responses_builder *builder, const char *item_id,
                                   size_t *item, int *added);
/* value must be 0 or 1 (ASSAY_ERR_INVALID otherwise). */
int irt_responses_builder_add_response(struct irt_responses_builder *builder, size_t subject,
                                       size_t item, int value);
/* ASSAY_ERR_INVALID (with the ids in the message) when a subject answered an
 * item twice, or when there are no responses. The builder is left empty. */
int irt_responses_builder_finish(struct irt_responses_builder *builder,
                                 struct irt_responses **responses, struct assay_error *error);
void irt_responses_builder_free(struct irt_responses_builder *builder);

/* Draws responses from the 2PL with the given parameters: subject j answers
 * item i with probability `response_rate` (1 = dense), correctly with
 * probability σ(a_i (θ_j − b_i)). Ids are "subject-<j>" and "item-<i>".
 * Deterministic for a given seed. */
int irt_responses_simulate(const double *discrimination, const double *difficulty,
                           size_t item_count, const double *ability, size_t subject_count,
                           double response_rate, uint64_t seed, struct irt_responses **responses);

void irt_responses_free(struct irt_responses *responses);

size_t irt_responses_subject_count(const struct irt_responses *responses);
size_t irt_responses_item_count(const struct irt_responses *responses);
size_t irt_responses_response_count(const struct irt_responses *responses);
const char *irt_responses_subject_id(const struct irt_responses *responses, size_t subject);
const char *irt_responses_item_id(const struct irt_responses *responses, size_t item);
/* 0 and the index, or ASSAY_ERR_NOT_FOUND. */
int irt_responses_find_subject(const struct irt_responses *responses, const char *subject_id,
                               size_t *subject);
int irt_responses_find_item(const struct irt_responses *responses, const char *item_id,
                            size_t *item);
/* One subject's responses: the items answered correctly, then those answered
 * incorrectly, each in ascending item order. Borrowed arrays. */
void irt_responses_subject_items(const struct irt_responses *responses, size_t subject,
                                 const uint32_t **correct, size_t *correct_count,
                                 const uint32_t **incorrect, size_t *incorrect_count);

/* ---- Fitting ------------------------------------------------------------ */

struct irt_options {
    size_t quadrature_nodes;        /* starting Gauss–Hermite nodes, 5..201; default 41 */
    size_t max_iterations;          /* EM iterations; default 1000 */
    double tolerance;               /* stop when no item's log a or b moves more; 1e-4 */
    double log_discrimination_mean; /* prior on log a: mean, default 0 (a = 1) */
    double log_discrimination_sd;   /* prior on log a: sd, default 1 */
    double difficulty_mean;         /* prior on b: mean, default 0 */
    double difficulty_sd;           /* prior on b: sd, default 3 */
    /* Called after each EM iteration's M-step with the iterations done so
     * far and the largest parameter change; NULL (default) for none. For
     * progress reports on long fits, and for timing the iterations apart
     * from the fixed costs around them (bench/irt_driver.c). */
    void (*progress)(void *context, size_t iteration, double change);
    void *progress_context;
};

/* Fills the defaults above. */
void irt_options_default(struct irt_options *options);

struct irt_item_estimate {
    double difficulty;        /* b */
    double difficulty_se;     /* standard error of b */
    double discrimination;    /* a */
    double discrimination_se; /* a · SE(log a) (delta method) */
    double log_discrimination_se;
    size_t response_count;
    double proportion_correct;
    int converged; /* 0 when its parameters still moved more than the tolerance */
};

struct irt_subject_estimate {
    double ability;    /* EAP of θ */
    double ability_sd; /* posterior SD of θ */
    size_t response_count;
    double proportion_correct;
};

/* A fitted model. Read-only for callers; free with irt_fit_free(). */
struct irt_fit {
    size_t item_count;
    size_t subject_count;
    size_t response_count;
    char **item_ids;    /* owned copies */
    char **subject_ids; /* owned copies */
    struct irt_item_estimate *items;
    struct irt_subject_estimate *subjects;
    double log_likelihood; /* marginal log-likelihood (quadrature) */
    double log_posterior;  /* log-likelihood + log prior density of (log a, b) */
    size_t iterations;
    size_t quadrature_nodes;   /* nodes of the final grid */
    double quadrature_spacing; /* 0: Gauss–Hermite; else the refined grid's spacing */
    int converged;             /* 1 when every item converged */
    size_t nonconverged_items;
    double last_change;         /* largest parameter change in the last iteration */
    struct irt_options options; /* the options used */
};

/* Fits the 2PL. options may be NULL (defaults). ASSAY_ERR_INVALID for
 * options out of range or an empty matrix; ASSAY_ERR_NOMEM. Not converging
 * within max_iterations is not an error: the fit is returned with
 * converged = 0 and the items concerned flagged. */
int irt_fit_estimate(const struct irt_responses *responses, const struct irt_options *options,
                     struct irt_fit **fit, struct assay_error *error);
void irt_fit_free(struct irt_fit *fit);

/* Predicted probability that a subject of ability `ability` passes the item. */
double irt_probability(const struct irt_item_estimate *item, double ability);

/* ---- Output ------------------------------------------------------------- */

/* Appends the fit as a table, a JSON document, or CSV (one row per item and
 * per subject, told apart by the `kind` column). */
int irt_fit_format(const struct irt_fit *fit, enum stats_format format, struct buffer *out);
int irt_fit_write(const struct irt_fit *fit, enum stats_format format, FILE *stream);

#endif
