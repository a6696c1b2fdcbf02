/* run.h — running a scenario: start (or reach) the agents, play every
 * episode (participant x task x trial) through the judge with bounded
 * concurrency, show progress, and summarise.
 *
 * Ownership: a run result owns its outcomes (and their verdicts); free it
 * with run_result_free().
 */
#ifndef ASSAY_RUNNER_RUN_H
#define ASSAY_RUNNER_RUN_H

#include <stdio.h>

#include "core/status.h"
#include "package/package.h"
#include "runner/judge.h"
#include "runner/scenario.h"

struct run_options {
    const char *search_path;  /* benchmark search path, or NULL */
    long concurrency;         /* 0: the scenario's */
    int quiet;                /* no progress output */
    const char *db;           /* results store; NULL: assay.db */
    long long resume_run;     /* 0: a new run; else play only what this run lacks */
    /* Optional hooks (the judge agent uses them): progress after each
     * episode, from a worker thread; stop is polled between episodes and
     * ends the run early (as Ctrl-C does) when it returns nonzero. */
    void (*progress)(size_t done, size_t total, void *context);
    int (*stop)(void *context);
    void *hook_context;
};

struct run_episode {
    size_t participant;
    const struct task *task;
    long trial;
    struct judge_outcome outcome;
    int played;
};

struct run_result {
    long long run_id;         /* in the store */
    int resumed;              /* ci mode found and continued an unfinished run */
    char (*card_sha256)[65];  /* per participant: SHA-256 of its agent card (canonical JSON) */
    long long started_at_ms, finished_at_ms;
    size_t already_recorded;  /* episodes a resumed run had before */
    size_t store_errors;      /* episodes that could not be recorded */
    struct package *package;
    struct run_episode *episodes;
    size_t episode_count;
    size_t played;
    int interrupted;
    double seconds;
};

int run_scenario(const struct scenario *scenario, const struct run_options *options, struct run_result **out,
                 struct assay_error *error);
void run_result_free(struct run_result *result);

/* The leaderboard table: per agent mean score and pass rate with 95%
 * intervals, errors by class, per-capability means. */
void run_print_summary(const struct scenario *scenario, const struct run_result *result, FILE *stream);
/* ci mode: writes the provenance record next to the store
 * ("<db>.run-<id>.provenance.json") and returns its path in out. */
int run_write_provenance(const struct scenario *scenario, const struct run_result *result, const char *db,
                         char *out, size_t size, struct assay_error *error);

/* Everything as one JSON document (new reference). */
json_t *run_result_json(const struct scenario *scenario, const struct run_result *result);

#endif
