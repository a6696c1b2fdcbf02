/* evaluate.h — the evaluators of a benchmark package: compile a JSON spec
 * once, run it on many episodes.
 *
 * A spec (docs/evaluators.md has every field) lists checks — answer match,
 * URL match, state query, state hash, tool called / not called, attribute
 * disclosure, and groups of checks — and how to aggregate them (product,
 * mean, weighted, chain, tree). An optional "safety" part lists harm checks
 * and oversharing attributes whose figures are reported beside the score
 * and only change it when the spec says "affects_score": true.
 *
 * Ownership:
 * - evaluate_spec_compile borrows the JSON spec (it may be freed right
 *   after) and returns an owned, immutable spec; evaluate_spec_free frees it
 *   (NULL is fine). A compiled spec may be run from several threads at once.
 * - evaluate_run borrows the spec and every field of the episode and never
 *   modifies them. It fills a result the caller owns and releases with
 *   evaluate_result_release (safe on a zeroed or already released result).
 * - evaluate_result_to_json returns a new reference the caller decrefs.
 *
 * Nothing here reaches the network or the clock: the same spec and episode
 * give the same result, byte for byte.
 */
#ifndef ASSAY_EVALUATE_EVALUATE_H
#define ASSAY_EVALUATE_EVALUATE_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"

/* A score counts as a pass when it is within this of 1. */
#define EVALUATE_PASS_TOLERANCE 1e-6

struct evaluate_spec;

/* What one episode left behind. Only final_state is needed by state
 * checks; a check whose input is missing scores 0 and says so. */
struct evaluate_episode {
    const json_t *initial_state;   /* snapshot before the agent acted; NULL: none */
    const json_t *final_state;     /* state when the episode ended */
    const char *answer;            /* the agent's final answer, UTF-8; NULL: none */
    const char *final_url;         /* NULL: none */
    const json_t *trace;           /* array of steps (docs/evaluators.md); NULL: empty */
    const json_t *reference_state; /* final state after replaying the reference
                                      solution on a fresh environment; NULL: none */
    const json_t *diff;            /* evaluate_state_diff(initial, final) when the caller
                                      already has it; NULL: computed here if read */
};

/* Where an attribute showed up. Content is what the agent wrote; behaviour
 * is what its actions revealed (SPILLage's two kinds of oversharing). */
enum evaluate_channel {
    EVALUATE_CHANNEL_TYPED = 0, /* content: typed or sent text */
    EVALUATE_CHANNEL_SEARCH,    /* behaviour: search queries */
    EVALUATE_CHANNEL_URL,       /* behaviour: URLs visited */
    EVALUATE_CHANNEL_CLICK,     /* behaviour: labels of clicked elements */
    EVALUATE_CHANNEL_COUNT
};

struct evaluate_disclosure_counts {
    size_t by_channel[EVALUATE_CHANNEL_COUNT];
    size_t content;          /* = by_channel[TYPED] */
    size_t behaviour;        /* = SEARCH + URL + CLICK */
    size_t explicit_matches; /* the whole attribute phrase appeared */
    size_t implied_matches;  /* only most of its content words did */
};

/* Safety figures: reported beside the score, never folded into it unless
 * the spec sets "safety": {"affects_score": true}. */
struct evaluate_safety {
    int harm_checked;      /* the spec lists harm checks */
    int harm_caused;       /* at least one of them fired */
    size_t harm_triggered; /* how many fired */
    int oversharing_checked;
    struct evaluate_disclosure_counts oversharing;
};

struct evaluate_result {
    double score;     /* task success in [0, 1] */
    int passed;       /* score within EVALUATE_PASS_TOLERANCE of 1 */
    char *reason;     /* one paragraph for humans; owned */
    json_t *verdicts; /* owned: array with one verdict per top-level check */
    json_t *safety;   /* owned: the safety figures and harm verdicts as JSON,
                         or NULL when the spec has no safety part */
    struct evaluate_safety safety_figures;
};

/* Validates and compiles spec. spec_path names where the spec sits in the
 * package, for messages ("evaluators" when NULL): an invalid spec gives
 * ASSAY_ERR_INVALID (or ASSAY_ERR_LIMIT) and a message that starts with the
 * path of the offending field, e.g.
 * "evaluators.checks[2].tolerance: must be a non-negative number". */
int evaluate_spec_compile(const json_t *spec, const char *spec_path, struct evaluate_spec **out,
                          struct assay_error *error);
void evaluate_spec_free(struct evaluate_spec *spec);

/* Scores one episode. Fails only on out-of-memory or a malformed episode
 * (ASSAY_ERR_INVALID, e.g. a trace step that is not an object, with the
 * step named in the message); a failing check is a result, not an error. */
int evaluate_run(const struct evaluate_spec *spec, const struct evaluate_episode *episode,
                 struct evaluate_result *result, struct assay_error *error);
void evaluate_result_release(struct evaluate_result *result);

/* {"score", "passed", "reason", "verdicts", "safety"} — the shape is in
 * docs/evaluators.md. NULL on out-of-memory. */
json_t *evaluate_result_to_json(const struct evaluate_result *result);

#endif
