/* irt_store.h — the item response matrix of a results store: which agent
 * passed which task, read from the recorded episodes of one run or of every
 * run, for `assay stats irt` and `assay stats horizon`.
 *
 * Subjects are agents, identified by their participant role as recorded
 * with each episode (the scenario's participant name), so the same name in
 * two runs is one subject. Items are task ids. A response is an episode's
 * `passed` (0/1). Episodes with status `error` (infrastructure failures,
 * score NULL) are not responses and are skipped. An agent with several
 * scored trials of a task (trials, or the same task in several runs) gets
 * one response: 1 when more than half of those trials passed, else 0 (the
 * rounded pass rate with exactly one half counted as a failure, so a tie
 * never credits a success the agent did not show most of the time).
 * docs/statistics-irt.md has the details.
 *
 * Ownership: the matrix handed back belongs to the caller
 * (irt_responses_free); the location string is borrowed for the call; the
 * summary is a plain caller-owned struct. The store is opened and closed
 * within the call.
 * Status: 0 or a negative ASSAY_ERR_*; struct assay_error (may be NULL)
 * receives a sentence naming the store and what was missing. */
#ifndef ASSAY_REPORT_IRT_STORE_H
#define ASSAY_REPORT_IRT_STORE_H

#include <stddef.h>

#include "core/buffer.h"
#include "core/status.h"
#include "stats/irt.h"

/* What was read besides the matrix, so a user can see what was dropped or
 * folded together. */
struct report_irt_store_summary {
    size_t runs;                   /* runs read */
    size_t episodes;               /* episodes in those runs */
    size_t infrastructure_skipped; /* status error or no score: not responses */
    size_t responses;              /* (agent, task) pairs: entries of the matrix */
    size_t aggregated_pairs;       /* pairs that had more than one scored trial */
    size_t aggregated_trials;      /* the scored trials folded into those pairs */
    size_t aggregated_ties;        /* of those pairs, exactly half passed: counted as 0 */
};

/* 1 when `input` names a results store rather than a py-irt file: it starts
 * with "sqlite:", or it is a file whose first 16 bytes are SQLite's header
 * "SQLite format 3\0". 0 otherwise, including when it cannot be read (the
 * py-irt reader then says why). */
int report_irt_input_is_store(const char *input);

/* Reads the responses of run `run_id` (0: every run in the store) from the
 * store at `location` (a path or "sqlite:PATH"). summary may be NULL.
 * Errors: ASSAY_ERR_NOT_FOUND when the file does not exist (it is never
 * created) or the run is unknown; ASSAY_ERR_INVALID when the store has no
 * runs or no scored episode; store_open's errors for a file that is not an
 * assay store; ASSAY_ERR_NOMEM. */
int report_irt_responses_from_store(const char *location, long long run_id,
                                    struct irt_responses **out,
                                    struct report_irt_store_summary *summary,
                                    struct assay_error *error);

/* Appends one line saying what was read, skipped and aggregated, e.g.
 * "2 runs, 130 episodes: 2 infrastructure errors skipped; 64 agent-task
 * pairs, 3 of them from several trials (7 trials; 1 tie counted as
 * failed)\n". */
int report_irt_store_summary_format(const struct report_irt_store_summary *summary,
                                    struct buffer *out);

#endif
