/* state.h — what evaluators compute from whole state trees: the diff
 * between the initial snapshot and the final state, and the canonical hash
 * of a state.
 *
 * The diff is an object of four trees that mirror the state's shape:
 *   "added"    values present only in the final state
 *   "deleted"  values present only in the initial snapshot
 *   "updated"  new values of what changed in place
 *   "previous" the old values of the same places as "updated"
 * Objects are compared key by key and recursed into. Inside arrays the
 * element is the unit: each of the four trees holds, at the array's path,
 * an array of whole elements (added ones, deleted ones, the new and the old
 * versions of changed ones). Elements are matched by their "id" member when
 * every element of both arrays is an object with a distinct string or
 * integer "id"; otherwise by a longest common subsequence of equal
 * elements, and an unmatched object (array) between two matches is paired
 * with an unmatched object (array) at the same place as one changed element.
 * Numbers compare by value (1 equals 1.0). Paths with nothing to report are
 * absent, so `diff.added.shop.orders count == 0` holds when no order was
 * added. docs/evaluators.md has worked examples.
 *
 * The hash is SHA-256 (OpenSSL EVP) over the canonical JSON (sorted keys,
 * compact, integral reals written as integers) of the state after the
 * ignored paths are deleted, restricted — when subtrees are listed — to an
 * object that maps each subtree path's text to what it selects.
 *
 * Ownership: inputs are borrowed and never modified; *diff is a new
 * reference the caller decrefs.
 */
#ifndef ASSAY_EVALUATE_STATE_H
#define ASSAY_EVALUATE_STATE_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"

#define EVALUATE_SHA256_HEX_LENGTH 64

/* Array matching by longest common subsequence costs O(n·m) time and
 * bytes; past this many cells the diff falls back to matching by position
 * (after the common prefix and suffix are set aside, which covers the
 * usual appends and removals at either end). */
#define EVALUATE_DIFF_MAX_CELLS 4000000

/* Either state may be NULL (an absent tree): everything then counts as
 * added (or deleted). Returns 0 or ASSAY_ERR_NOMEM. */
int evaluate_state_diff(const json_t *initial, const json_t *final, json_t **diff);

/* Writes the lowercase hex digest and a NUL to digest. subtrees and
 * ignored are paths in the query language rooted at the state (docs/
 * evaluators.md); a bad path gives ASSAY_ERR_INVALID naming it. */
int evaluate_state_hash(const json_t *state, const char *const *subtrees, size_t subtree_count,
                        const char *const *ignored, size_t ignored_count,
                        char digest[EVALUATE_SHA256_HEX_LENGTH + 1], struct assay_error *error);

#endif
