/* fuzz_state_query.c — libFuzzer harness for the state query language.
 * Invariants: every input either parses (and then runs, with an
 * explanation, over a fixed state, its snapshot and their diff) or fails
 * with ASSAY_ERR_INVALID / ASSAY_ERR_LIMIT, a column inside the input (or
 * just past it) and a message that starts with that column. The same bytes
 * are also tried as a path for state hashing (subtree and ignored path).
 * Nothing leaks, nothing crashes, nothing recurses without bound. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"
#include "evaluate/query.h"
#include "evaluate/state.h"
#include "jsonrpc/json_strict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char final_text[] =
    "{\"shop\":{\"orders\":[{\"id\":1,\"total\":30.5,\"items\":[{\"sku\":\"A1\"}]},"
    "{\"id\":2,\"total\":21.99,\"status\":\"open\",\"items\":[{\"sku\":\"B2\"},{\"sku\":\"C3\"}]}],"
    "\"balance\":100,\"name\":\"Corner Shop\",\"tags\":[\"food\",\"local\"],\"count\":7},"
    "\"mail\":{\"sent\":[{\"to\":\"bob@example.com\",\"subject\":\"Refund\"}]},"
    "\"calendar\":{\"events\":[{\"title\":\"Dentist\"},[1,[2,[3]]]]},"
    "\"odd key\":{\"x\":1},\"flag\":null}";
static const char initial_text[] =
    "{\"shop\":{\"orders\":[{\"id\":1,\"total\":30.5,\"items\":[{\"sku\":\"A1\"}]}],"
    "\"balance\":120,\"closed\":false},\"mail\":{\"sent\":[]},\"odd key\":{\"x\":2}}";

static json_t *final_state, *initial_state, *diff;

static void load_fixtures(void)
{
    if (final_state != NULL)
        return;
    json_strict_install_allocator();
    final_state = json_loads(final_text, 0, NULL);
    initial_state = json_loads(initial_text, 0, NULL);
    assert(final_state != NULL && initial_state != NULL);
    int status = evaluate_state_diff(initial_state, final_state, &diff);
    assert(status == ASSAY_OK);
    (void)status;
}

static void check_error(int status, size_t column, const struct assay_error *error, size_t size)
{
    assert(status == ASSAY_ERR_INVALID || status == ASSAY_ERR_LIMIT);
    assert(column >= 1 && column <= size + 1);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "column %zu: ", column);
    assert(strncmp(error->message, prefix, strlen(prefix)) == 0);
    (void)status;
    (void)column;
    (void)error;
    (void)size;
    (void)prefix;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_fixtures();
    const char *text = (const char *)data;

    struct evaluate_query *query = NULL;
    struct assay_error error = {0};
    size_t column = 0;
    int status = evaluate_query_parse(text, size, &query, &column, &error);
    if (status == ASSAY_OK) {
        assert(strlen(evaluate_query_text(query)) == size);
        struct evaluate_query_roots roots = {final_state, initial_state, diff};
        struct buffer explanation = {0};
        int truth = -1;
        status = evaluate_query_run(query, &roots, &truth, &explanation);
        assert(status == ASSAY_OK && (truth == 0 || truth == 1));
        /* and with every root missing: still a clean answer */
        struct evaluate_query_roots empty = {NULL, NULL, NULL};
        status = evaluate_query_run(query, &empty, &truth, NULL);
        assert(status == ASSAY_OK);
        buffer_free(&explanation);
        evaluate_query_free(query);
    } else {
        assert(query == NULL);
        check_error(status, column, &error, size);
    }

    struct evaluate_path *path = NULL;
    status = evaluate_path_parse(text, size, &path, &column, &error);
    if (status != ASSAY_OK) {
        assert(path == NULL);
        check_error(status, column, &error, size);
        return 0;
    }
    int usable = evaluate_path_roots_read(path) == EVALUATE_QUERY_READS_STATE;
    int removable = usable && !evaluate_path_is_root(path);
    evaluate_path_free(path);
    if (!usable)
        return 0;
    /* the path parsed, so it has no NUL byte and can be a C string */
    char *copy = assay_strndup(text, size);
    assert(copy != NULL);
    const char *paths[] = {copy};
    char digest[EVALUATE_SHA256_HEX_LENGTH + 1];
    status = evaluate_state_hash(final_state, paths, 1, NULL, 0, digest, &error);
    assert(status == ASSAY_OK);
    if (removable) {
        status = evaluate_state_hash(final_state, NULL, 0, paths, 1, digest, &error);
        assert(status == ASSAY_OK);
    }
    assay_free(copy);
    (void)status;
    return 0;
}
