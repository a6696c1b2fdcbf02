/* query.h — the state query language: paths into JSON state trees, with
 * comparisons, combined by and / or / not.
 *
 *     shop.orders[-1].total < 22
 *     mail.sent[?to == "bob@example.com"].subject contains "refund"
 *     diff.added.shop.orders count == 1
 *     calendar.events[?title == "Dentist"] exists
 *
 * A path starts at the final state (a bare name, or $), at the initial
 * snapshot (`initial`), at the diff between the two (`diff.added`,
 * `diff.updated`, `diff.deleted`, `diff.previous`, see state.h) or, inside
 * a filter [?...], at the element being tested (a bare name, or @). The
 * grammar and the exact semantics are in docs/evaluators.md.
 *
 * Ownership: the parse functions return an owned object freed with the
 * matching _free function (which accepts NULL). Running borrows the query
 * and the roots and never modifies either; a parsed query is immutable, so
 * one query may be run from several threads at once.
 */
#ifndef ASSAY_EVALUATE_QUERY_H
#define ASSAY_EVALUATE_QUERY_H

#include <jansson.h>
#include <stddef.h>

#include "core/buffer.h"
#include "core/status.h"

/* Limits that keep hostile or careless queries cheap: the parser and the
 * evaluator recurse once per nesting level. */
#define EVALUATE_QUERY_MAX_LENGTH 4096
#define EVALUATE_QUERY_MAX_DEPTH  32

struct evaluate_query;
struct evaluate_path;

/* The trees a query can read. Any may be NULL: a path into a missing tree
 * finds nothing (and the explanation says which tree was missing). */
struct evaluate_query_roots {
    const json_t *state;   /* the final state: bare paths and $ */
    const json_t *initial; /* `initial.` paths */
    const json_t *diff;    /* `diff.` paths: the object evaluate_state_diff made */
};

/* Which roots a query or path reads, so a caller computes the diff only
 * when it is needed. */
enum evaluate_query_root_flag {
    EVALUATE_QUERY_READS_STATE = 1,
    EVALUATE_QUERY_READS_INITIAL = 2,
    EVALUATE_QUERY_READS_DIFF = 4,
};

/* Parses text[0..length). On failure returns ASSAY_ERR_INVALID (or
 * ASSAY_ERR_LIMIT past the limits above), sets *error_column (when not
 * NULL) to the 1-based byte column of the offending token and fills error
 * with "column N: what was expected, what was found". */
int evaluate_query_parse(const char *text, size_t length, struct evaluate_query **query,
                         size_t *error_column, struct assay_error *error);
void evaluate_query_free(struct evaluate_query *query);
/* The source text, NUL-terminated, owned by the query. */
const char *evaluate_query_text(const struct evaluate_query *query);
unsigned evaluate_query_roots_read(const struct evaluate_query *query);

/* Sets *truth to 1 or 0. When explanation is not NULL, appends what each
 * comparison that decided the outcome observed, e.g.
 * "shop.orders[-1].total < 22: value is 25". Returns 0 or ASSAY_ERR_NOMEM. */
int evaluate_query_run(const struct evaluate_query *query, const struct evaluate_query_roots *roots,
                       int *truth, struct buffer *explanation);

/* A path on its own (no comparison), as used by state hashing to name
 * subtrees and volatile fields. Same errors as evaluate_query_parse. */
int evaluate_path_parse(const char *text, size_t length, struct evaluate_path **path,
                        size_t *error_column, struct assay_error *error);
void evaluate_path_free(struct evaluate_path *path);
const char *evaluate_path_text(const struct evaluate_path *path);
unsigned evaluate_path_roots_read(const struct evaluate_path *path);
/* 1 when the path can select several values (it has [*] or [?...]). */
int evaluate_path_is_projecting(const struct evaluate_path *path);
/* 1 when the path has no segments ("$"). */
int evaluate_path_is_root(const struct evaluate_path *path);

#endif
