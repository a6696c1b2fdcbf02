/* internal.h — what the files of src/evaluate share and nobody else may
 * use: the compiled form of a spec (spec.c builds and frees it), the
 * per-type runners (answer.c, url.c, trace.c, hash.c), aggregation
 * (group.c) and small JSON helpers (value.c).
 *
 * Ownership: a compiled spec owns every string, array, query and JSON
 * value hanging off it; nothing in it is shared with the source JSON. The
 * runners borrow the spec and the episode; what they report goes into a
 * caller-owned buffer (the reason) and a caller-owned JSON object (the
 * details).
 */
#ifndef ASSAY_EVALUATE_INTERNAL_H
#define ASSAY_EVALUATE_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "core/buffer.h"
#include "core/status.h"
#include "evaluate/evaluate.h"
#include "evaluate/query.h"
#include "evaluate/state.h"

/* Groups nest at most this deep; the runner recurses once per level. */
#define EVALUATE__MAX_GROUP_DEPTH 16
/* Reasons and quoted values are cut here, so that a 10 MB answer does not
 * make a 10 MB verdict. */
#define EVALUATE__QUOTE_LIMIT 80

enum evaluate__check_type {
    EVALUATE__CHECK_ANSWER,
    EVALUATE__CHECK_URL,
    EVALUATE__CHECK_STATE_QUERY,
    EVALUATE__CHECK_STATE_HASH,
    EVALUATE__CHECK_TOOL_CALLED,
    EVALUATE__CHECK_TOOL_NOT_CALLED,
    EVALUATE__CHECK_ATTRIBUTE_DISCLOSURE,
    EVALUATE__CHECK_GROUP,
};

enum evaluate__aggregate {
    EVALUATE__AGGREGATE_PRODUCT,
    EVALUATE__AGGREGATE_MEAN,
    EVALUATE__AGGREGATE_WEIGHTED,
    EVALUATE__AGGREGATE_CHAIN,
    EVALUATE__AGGREGATE_TREE,
};

enum evaluate__answer_mode {
    EVALUATE__ANSWER_EXACT,
    EVALUATE__ANSWER_NORMALISED,
    EVALUATE__ANSWER_INCLUDES,
    EVALUATE__ANSWER_NUMERIC,
};

enum evaluate__number_pick {
    EVALUATE__PICK_ONLY,
    EVALUATE__PICK_FIRST,
    EVALUATE__PICK_LAST,
    EVALUATE__PICK_ANY,
};

/* One required item: any of its texts satisfies it. For the normalised
 * and includes modes the texts are stored already normalised. */
struct evaluate__alternatives {
    char **texts;
    size_t count;
};

struct evaluate__answer {
    enum evaluate__answer_mode mode;
    struct evaluate__alternatives *items; /* exact, normalised: exactly one */
    size_t item_count;
    int partial_credit;
    double expected;
    double tolerance;
    double relative_tolerance;
    enum evaluate__number_pick pick;
};

enum evaluate__path_match {
    EVALUATE__PATH_CONTAINS,
    EVALUATE__PATH_PREFIX,
    EVALUATE__PATH_EXACT,
};

struct evaluate__url_parameter {
    char *name;
    char *value; /* NULL: any value will do */
};

struct evaluate__url {
    char **segments; /* decoded, non-empty path segments */
    size_t segment_count;
    enum evaluate__path_match path_match;
    char *host; /* lowercase, NULL: any */
    struct evaluate__url_parameter *parameters;
    size_t parameter_count;
};

struct evaluate__hash {
    struct evaluate_path **subtrees;
    size_t subtree_count;
    struct evaluate_path **ignored;
    size_t ignored_count;
    int has_expected; /* compare with `expected` instead of the reference state */
    char expected[EVALUATE_SHA256_HEX_LENGTH + 1];
};

struct evaluate__tool_predicate {
    char **tools;
    size_t tool_count;
    json_t *arguments;            /* owned; NULL: any arguments */
    struct evaluate_query *where; /* NULL: no further condition */
    size_t min_count;
};

struct evaluate__attribute {
    char *name;
    char *phrase; /* normalised */
    char **words; /* distinct content words of the phrase, normalised */
    size_t word_count;
};

struct evaluate__disclosure {
    struct evaluate__attribute *attributes;
    size_t attribute_count;
    unsigned channels; /* bit (1 << enum evaluate_channel) */
    double min_word_fraction;
    int phrase_only;
    int expect_present; /* the check passes when an attribute does appear */
};

struct evaluate__check;

struct evaluate__group {
    enum evaluate__aggregate aggregate;
    int sequential; /* tree only */
    struct evaluate__check *checks;
    size_t count;
};

/* One check. Only the member for `type` is filled; the others stay zero,
 * which lets one release function free any check. */
struct evaluate__check {
    enum evaluate__check_type type;
    char *name;
    int critical;  /* under a tree */
    double weight; /* under weighted */
    struct evaluate__answer answer;
    struct evaluate__url url;
    struct evaluate_query *query;
    struct evaluate__hash hash;
    struct evaluate__tool_predicate tool;
    struct evaluate__disclosure disclosure;
    struct evaluate__group group;
};

struct evaluate_spec {
    struct evaluate__group root;
    struct evaluate__check *harm;
    size_t harm_count;
    int has_harm;
    int has_oversharing;
    struct evaluate__disclosure oversharing;
    int safety_affects_score;
    unsigned roots_read; /* evaluate_query_root_flag over every query */
};

/* What a run reads, prepared once per episode. */
struct evaluate__context {
    const struct evaluate_episode *episode;
    struct evaluate_query_roots roots; /* state, initial, diff */
    const json_t *trace;               /* validated; NULL reads as empty */
};

/* ---- spec.c ---------------------------------------------------------- */

void evaluate__check_release(struct evaluate__check *check);
void evaluate__disclosure_release(struct evaluate__disclosure *disclosure);
const char *evaluate__check_type_name(enum evaluate__check_type type);
const char *evaluate__aggregate_name(enum evaluate__aggregate aggregate);

/* ---- runners: each sets *score in [0, 1], appends a reason and may add
 * type-specific members to details. Return 0 or ASSAY_ERR_NOMEM. ------- */

int evaluate__answer_run(const struct evaluate__answer *answer, const char *text, double *score,
                         struct buffer *reason, json_t *details);
/* Splits a URL path into its decoded, non-empty segments (an owned array
 * of owned strings; free with evaluate__strings_free). */
int evaluate__url_split_path(const char *path, size_t length, char ***segments, size_t *count);
void evaluate__strings_free(char **strings, size_t count);
int evaluate__url_run(const struct evaluate__url *url, const char *final_url, double *score,
                      struct buffer *reason, json_t *details);
int evaluate__hash_run(const struct evaluate__hash *hash, const json_t *state,
                       const json_t *reference, double *score, struct buffer *reason,
                       json_t *details);
int evaluate__tool_run(const struct evaluate__tool_predicate *tool, int must_not_be_called,
                       const json_t *trace, double *score, struct buffer *reason, json_t *details);
int evaluate__disclosure_run(const struct evaluate__disclosure *disclosure, const json_t *trace,
                             double *score, struct buffer *reason, json_t *details);

/* Counts disclosures over the trace and, when occurrences is not NULL,
 * appends {"step", "channel", "attribute", "kind"} objects to it. */
int evaluate__disclosure_scan(const struct evaluate__disclosure *disclosure, const json_t *trace,
                              struct evaluate_disclosure_counts *counts, json_t *occurrences);
const char *evaluate__channel_name(enum evaluate_channel channel);

/* Checks the trace shape; ASSAY_ERR_INVALID naming the bad step. */
int evaluate__trace_validate(const json_t *trace, struct assay_error *error);

/* ---- hash.c ---------------------------------------------------------- */

int evaluate__state_hash(const json_t *state, struct evaluate_path *const *subtrees,
                         size_t subtree_count, struct evaluate_path *const *ignored,
                         size_t ignored_count, char digest[EVALUATE_SHA256_HEX_LENGTH + 1]);

/* ---- group.c / run.c ------------------------------------------------- */

/* Runs any check (groups recursively) and returns its verdict object in
 * *verdict (owned by the caller). */
int evaluate__check_run(const struct evaluate__check *check,
                        const struct evaluate__context *context, double *score, json_t **verdict);
int evaluate__group_run(const struct evaluate__group *group,
                        const struct evaluate__context *context, double *score,
                        struct buffer *reason, json_t **children);

/* ---- value.c --------------------------------------------------------- */

/* Deep equality where numbers compare by value (1 == 1.0). */
int evaluate__values_equal(const json_t *left, const json_t *right);
/* Every member of expected (recursively, for objects) is in actual with
 * an equal value; non-objects compare with evaluate__values_equal. */
int evaluate__values_subset(const json_t *expected, const json_t *actual);
/* ASCII case-insensitive substring search. */
int evaluate__contains_ignoring_case(const char *haystack, size_t haystack_length,
                                     const char *needle, size_t needle_length);
/* Appends compact canonical JSON of value, cut at EVALUATE__QUOTE_LIMIT
 * bytes (on a UTF-8 boundary) with "..." after a cut. */
int evaluate__describe_value(const json_t *value, struct buffer *out);
/* Appends text cut the same way, with bytes that are not valid UTF-8
 * and control characters replaced (reasons must be valid JSON strings). */
int evaluate__append_text(const char *text, struct buffer *out);
/* The same between double quotes. */
int evaluate__quote_text(const char *text, struct buffer *out);
/* evaluate__append_text with another limit. */
int evaluate__append_text_cut(const char *text, size_t limit, struct buffer *out);
/* A JSON string of the buffer's text, with anything that is not valid
 * UTF-8 replaced; NULL only on out-of-memory. */
json_t *evaluate__json_string(const struct buffer *text);
/* 1 when |score - 1| <= EVALUATE_PASS_TOLERANCE. */
int evaluate__passed(double score);

#endif
