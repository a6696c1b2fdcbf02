/* hash.c — canonical state hashing (state.h) and the state_hash check.
 *
 * The state is deep-copied once (so volatile paths can be deleted without
 * touching the caller's tree), serialised once with sorted keys and hashed
 * once: O(size of the state) time and memory. OpenSSL allocates its digest
 * context with its own allocator, outside assay_malloc's accounting; that
 * is the one allocation here the counters do not see. */
#include <math.h>
#include <openssl/evp.h>
#include <string.h>

#include "core/memory.h"
#include "evaluate/internal.h"
#include "evaluate/query_internal.h"
#include "jsonrpc/json_strict.h"

/* Reals that hold an integer are written as integers, so that a state
 * which stored 22.0 and one which stored 22 hash the same; 2^53 is where
 * doubles stop holding every integer. */
static int canonicalise_numbers(json_t *value)
{
    if (json_is_array(value)) {
        for (size_t index = 0; index < json_array_size(value); index++) {
            json_t *element = json_array_get(value, index);
            if (json_is_real(element)) {
                double real = json_real_value(element);
                if (real == floor(real) && fabs(real) <= 9007199254740992.0 &&
                    json_array_set_new(value, index, json_integer((json_int_t)real)) != 0)
                    return ASSAY_ERR_NOMEM;
            } else if (canonicalise_numbers(element) != ASSAY_OK) {
                return ASSAY_ERR_NOMEM;
            }
        }
    } else if (json_is_object(value)) {
        const char *key;
        json_t *member;
        json_object_foreach(value, key, member)
        {
            if (json_is_real(member)) {
                double real = json_real_value(member);
                if (real == floor(real) && fabs(real) <= 9007199254740992.0 &&
                    json_object_set_new(value, key, json_integer((json_int_t)real)) != 0)
                    return ASSAY_ERR_NOMEM;
            } else if (canonicalise_numbers(member) != ASSAY_OK) {
                return ASSAY_ERR_NOMEM;
            }
        }
    }
    return ASSAY_OK;
}

static int sha256_hex(const char *text, size_t length, char digest[EVALUATE_SHA256_HEX_LENGTH + 1])
{
    unsigned char bytes[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(text, length, bytes, &size, EVP_sha256(), NULL) != 1 || size != 32)
        return ASSAY_ERR_NOMEM; /* OpenSSL fails here only when it cannot allocate */
    static const char hex[] = "0123456789abcdef";
    for (unsigned int index = 0; index < size; index++) {
        digest[2 * index] = hex[bytes[index] >> 4];
        digest[2 * index + 1] = hex[bytes[index] & 15];
    }
    digest[EVALUATE_SHA256_HEX_LENGTH] = '\0';
    return ASSAY_OK;
}

/* {path text: selection} — one value for a plain path (absent when it
 * selects nothing), an array of values for a projecting path. */
static int select_subtrees(json_t *state, struct evaluate_path *const *subtrees, size_t count,
                           json_t **out)
{
    json_t *selection = json_object();
    if (selection == NULL)
        return ASSAY_ERR_NOMEM;
    struct evaluate_query_roots roots = {state, NULL, NULL};
    int status = ASSAY_OK;
    for (size_t index = 0; index < count && status == ASSAY_OK; index++) {
        struct evaluate__node_list list = {0};
        const struct evaluate_path *path = subtrees[index];
        status = evaluate__path_select(path, path->segment_count, &roots, NULL, &list);
        if (status == ASSAY_OK && path->projecting) {
            json_t *values = json_array();
            for (size_t item = 0; values != NULL && item < list.count; item++)
                if (json_array_append(values, (json_t *)list.items[item]) != 0) {
                    json_decref(values);
                    values = NULL;
                }
            if (values == NULL || json_object_set_new(selection, path->text, values) != 0)
                status = ASSAY_ERR_NOMEM;
        } else if (status == ASSAY_OK && list.count > 0) {
            if (json_object_set(selection, path->text, (json_t *)list.items[0]) != 0)
                status = ASSAY_ERR_NOMEM;
        }
        evaluate__node_list_release(&list);
    }
    if (status != ASSAY_OK) {
        json_decref(selection);
        return status;
    }
    *out = selection;
    return ASSAY_OK;
}

int evaluate__state_hash(const json_t *state, struct evaluate_path *const *subtrees,
                         size_t subtree_count, struct evaluate_path *const *ignored,
                         size_t ignored_count, char digest[EVALUATE_SHA256_HEX_LENGTH + 1])
{
    char *text = NULL;
    json_t *selection = NULL;
    json_t *work = json_deep_copy(state);
    int status = work == NULL ? ASSAY_ERR_NOMEM : canonicalise_numbers(work);
    for (size_t index = 0; index < ignored_count && status == ASSAY_OK; index++)
        status = evaluate__path_remove(work, ignored[index]);
    if (status != ASSAY_OK)
        goto done;
    /* The selection shares the copy's nodes (one reference each), which is
     * safe because nothing modifies either after this point. */
    if (subtree_count > 0)
        status = select_subtrees(work, subtrees, subtree_count, &selection);
    if (status != ASSAY_OK)
        goto done;
    text = json_strict_dump_canonical(selection != NULL ? selection : work);
    status = text == NULL ? ASSAY_ERR_NOMEM : sha256_hex(text, strlen(text), digest);
done:
    assay_free(text);
    json_decref(selection);
    json_decref(work);
    return status;
}

int evaluate_state_hash(const json_t *state, const char *const *subtrees, size_t subtree_count,
                        const char *const *ignored, size_t ignored_count,
                        char digest[EVALUATE_SHA256_HEX_LENGTH + 1], struct assay_error *error)
{
    size_t total = subtree_count + ignored_count;
    struct evaluate_path **paths = assay_calloc(total == 0 ? 1 : total, sizeof *paths);
    if (paths == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    int status = ASSAY_OK;
    for (size_t index = 0; index < total && status == ASSAY_OK; index++) {
        int is_subtree = index < subtree_count;
        const char *text = is_subtree ? subtrees[index] : ignored[index - subtree_count];
        struct assay_error detail = {0};
        status = evaluate_path_parse(text, strlen(text), &paths[index], NULL, &detail);
        if (status != ASSAY_OK) {
            assay_error_set(error, status, "%s path \"%s\": %s", is_subtree ? "subtree" : "ignored",
                            text, detail.message);
        } else if (paths[index]->root != EVALUATE__ROOT_STATE ||
                   (!is_subtree && paths[index]->segment_count == 0)) {
            status = assay_error_set(error, ASSAY_ERR_INVALID,
                                     "%s path \"%s\": must name a part of the state (not "
                                     "initial., diff. or the whole state)",
                                     is_subtree ? "subtree" : "ignored", text);
        }
    }
    if (status == ASSAY_OK) {
        status = evaluate__state_hash(state, paths, subtree_count, paths + subtree_count,
                                      ignored_count, digest);
        if (status != ASSAY_OK)
            assay_error_set(error, status, "out of memory while hashing a state");
    }
    for (size_t index = 0; index < total; index++)
        evaluate_path_free(paths[index]);
    assay_free(paths);
    return status;
}

int evaluate__hash_run(const struct evaluate__hash *hash, const json_t *state,
                       const json_t *reference, double *score, struct buffer *reason,
                       json_t *details)
{
    char actual[EVALUATE_SHA256_HEX_LENGTH + 1], expected[EVALUATE_SHA256_HEX_LENGTH + 1];
    *score = 0;
    if (state == NULL)
        return buffer_append_string(reason, "no final state to hash");
    if (!hash->has_expected && reference == NULL)
        return buffer_append_string(reason, "no reference final state to compare with (replay "
                                            "the reference solution, or give expected_sha256)");
    int status = evaluate__state_hash(state, hash->subtrees, hash->subtree_count, hash->ignored,
                                      hash->ignored_count, actual);
    if (status != ASSAY_OK)
        return status;
    if (hash->has_expected) {
        memcpy(expected, hash->expected, sizeof expected);
    } else {
        status = evaluate__state_hash(reference, hash->subtrees, hash->subtree_count, hash->ignored,
                                      hash->ignored_count, expected);
        if (status != ASSAY_OK)
            return status;
    }
    if (json_object_set_new(details, "sha256", json_string(actual)) != 0 ||
        json_object_set_new(details, "expected_sha256", json_string(expected)) != 0)
        return ASSAY_ERR_NOMEM;
    if (strcmp(actual, expected) == 0) {
        *score = 1;
        return buffer_append_string(reason, "final state hash matches the reference");
    }
    return buffer_append_format(
        reason, "final state hash %.12s... differs from the reference %.12s...", actual, expected);
}
