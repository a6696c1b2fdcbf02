/* data.h — every document `assay serve` shows, as JSON built from the
 * results store. The JSON API returns these documents as they are and the
 * HTML pages are rendered from them, so a page never shows anything the API
 * does not (docs/web.md lists them).
 *
 * Ownership: each function returns a new JSON reference in *out (the caller
 * decrefs it). The store is borrowed for the call.
 * Errors: 0 or a negative ASSAY_ERR_* code with a sentence: NOT_FOUND for an
 * unknown run, episode, agent or benchmark; INVALID for a bad parameter. */
#ifndef ASSAY_WEB_DATA_H
#define ASSAY_WEB_DATA_H

#include <jansson.h>
#include <stdint.h>

#include "core/status.h"
#include "store/store.h"

/* Filters of a run's episode table; NULL or "" means any. */
struct web_episode_filter {
    const char *agent;
    const char *tag;
    const char *outcome; /* passed, failed, error */
    const char *error_class;
    int64_t offset, limit;
};

int web_data_benchmarks(struct store *store, json_t **out, struct assay_error *error);
int web_data_leaderboard(struct store *store, const char *benchmark, json_t **out, struct assay_error *error);
int web_data_runs(struct store *store, json_t **out, struct assay_error *error);
int web_data_run(struct store *store, int64_t run_id, json_t **out, struct assay_error *error);
int web_data_episodes(struct store *store, int64_t run_id, const struct web_episode_filter *filter, json_t **out,
                      struct assay_error *error);
int web_data_episode(struct store *store, int64_t episode_id, json_t **out, struct assay_error *error);
int web_data_trace(struct store *store, int64_t episode_id, int64_t offset, int64_t limit, json_t **out,
                   struct assay_error *error);
int web_data_compare(struct store *store, int64_t run_id, const char *a, const char *b, json_t **out,
                     struct assay_error *error);
/* IRT over the run's agents and tasks, time horizons per agent (tasks with
 * human minutes), capability means and pass@k. */
int web_data_analysis(struct store *store, int64_t run_id, json_t **out, struct assay_error *error);
int web_data_agent(struct store *store, const char *agent, json_t **out, struct assay_error *error);

/* The benchmark a run played, from its provenance or scenario; NULL when
 * neither names one. Returns a pointer into a new JSON reference kept in
 * *holder (decref it when done). */
const char *web_run_benchmark(const struct store_run *run, json_t **holder);

#endif
