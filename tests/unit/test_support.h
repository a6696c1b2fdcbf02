/* test_support.h — small helpers several unit-test files share; not a test
 * group. What it holds, and who owns what:
 *   - assert_near(): a double within a tolerance (cmocka's float check is
 *     float-only); fails the running test with the line and expression.
 *   - The temporary folder of a test group (stats_horizon, stats_irt): one
 *     at a time, held here. temp_folder_make() is called from the group's
 *     setup, temp_folder_remove() is the group teardown, and it unlinks
 *     every file temp_file_write() put there; returned paths live until then.
 *   - struct store_folder (store, report_irt_store): a per-test cmocka
 *     fixture, a fresh temporary folder with assay.db named in it.
 *     store_folder_setup() allocates it into *state; store_folder_teardown()
 *     removes the folder, frees it, and fails the test when allocations
 *     leaked in between. open_or_fail() hands back a store the caller closes.
 *   - json_from(): JSON written with ' for " (a \' inside a string becomes
 *     \"); the caller owns the value. json_decref_all() drops a list of
 *     values, any of them NULL. */
#ifndef ASSAY_TEST_SUPPORT_H
#define ASSAY_TEST_SUPPORT_H

#include <stddef.h>

#include <jansson.h>

struct store;

#define assert_near(actual, expected, tolerance)                                                   \
    assert_near_at((actual), (expected), (tolerance), #actual, __LINE__)

void assert_near_at(double actual, double expected, double tolerance, const char *text, int line);

/* ---- A group's temporary folder ----------------------------------------- */

/* Creates the folder from a mkdtemp() template; at most `capacity` (up to
 * 64) files may then be written. 0, or -1 when it cannot be made. */
int temp_folder_make(const char *template, size_t capacity);
/* cmocka group teardown: unlinks what was written, removes the folder. */
int temp_folder_remove(void **state);
/* Writes `text` to FOLDER/name and returns the path. */
const char *temp_file_write(const char *name, const char *text);

/* ---- A temporary store folder per test ------------------------------------ */

struct store_folder {
    char folder[64];
    char path[128];        /* folder/assay.db, not created */
    long live_allocations; /* at setup */
    const char *group;     /* names the group in the leak message */
};

/* cmocka setup body: `template` for mkdtemp(), `group` for messages. */
int store_folder_setup(void **state, const char *template, const char *group);
int store_folder_teardown(void **state);
struct store *open_or_fail(const char *path);

/* ---- JSON fixtures ---------------------------------------------------------- */

/* Parsed with JSON_REJECT_DUPLICATES; json_from_any() also takes a scalar. */
json_t *json_from(const char *text);
json_t *json_from_any(const char *text);

#define json_decref_all(...)                                                                       \
    json_decref_each((json_t *[]){__VA_ARGS__},                                                    \
                     sizeof((json_t *[]){__VA_ARGS__}) / sizeof(json_t *))

void json_decref_each(json_t *const *values, size_t count);

#endif
