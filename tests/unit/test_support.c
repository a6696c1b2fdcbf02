/* test_support.c — the helpers unit-test files share (see test_support.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/memory.h"
#include "store/store.h"
#include "test_support.h"

void assert_near_at(double actual, double expected, double tolerance, const char *text, int line)
{
    if (!(fabs(actual - expected) <= tolerance))
        fail_msg("line %d: %s = %.17g, expected %.17g within %g", line, text, actual, expected,
                 tolerance);
}

/* ---- A group's temporary folder ----------------------------------------- */

static char directory[64];
static char written[64][160];
static size_t written_count;
static size_t written_capacity;

int temp_folder_make(const char *template, size_t capacity)
{
    snprintf(directory, sizeof directory, "%s", template);
    written_capacity = capacity < 64 ? capacity : 64;
    return mkdtemp(directory) == NULL ? -1 : 0;
}

int temp_folder_remove(void **state)
{
    for (size_t index = 0; index < written_count; index++)
        unlink(written[index]);
    written_count = 0;
    return rmdir(directory);
}

const char *temp_file_write(const char *name, const char *text)
{
    assert_true(written_count < written_capacity);
    char *path = written[written_count++];
    snprintf(path, sizeof written[0], "%s/%s", directory, name);
    FILE *stream = fopen(path, "wb");
    assert_non_null(stream);
    assert_int_equal(fwrite(text, 1, strlen(text), stream), strlen(text));
    assert_int_equal(fclose(stream), 0);
    return path;
}

/* ---- A temporary store folder per test ------------------------------------ */

static int remove_entry(const char *path, const struct stat *information, int type,
                        struct FTW *walk)
{
    return remove(path);
}

int store_folder_setup(void **state, const char *template, const char *group)
{
    struct store_folder *fixture = calloc(1, sizeof *fixture);
    if (fixture == NULL)
        return -1;
    snprintf(fixture->folder, sizeof fixture->folder, "%s", template);
    if (mkdtemp(fixture->folder) == NULL) {
        free(fixture);
        return -1;
    }
    snprintf(fixture->path, sizeof fixture->path, "%s/assay.db", fixture->folder);
    fixture->group = group;
    fixture->live_allocations = assay_memory_live_allocations();
    *state = fixture;
    return 0;
}

int store_folder_teardown(void **state)
{
    struct store_folder *fixture = *state;
    long leaked = assay_memory_live_allocations() - fixture->live_allocations;
    nftw(fixture->folder, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    const char *group = fixture->group;
    free(fixture);
    if (leaked != 0) {
        fprintf(stderr, "%s: %ld allocations leaked\n", group, leaked);
        return -1;
    }
    return 0;
}

struct store *open_or_fail(const char *path)
{
    struct store *store = NULL;
    struct assay_error error = {0};
    if (store_open(path, &store, &error) != ASSAY_OK)
        fail_msg("store_open(%s): %s", path, error.message);
    return store;
}

/* ---- JSON fixtures ---------------------------------------------------------- */

static json_t *json_from_flags(const char *text, size_t flags)
{
    char *copy = assay_strdup(text);
    assert_non_null(copy);
    for (char *character = copy; *character != '\0'; character++)
        if (*character == '\'')
            *character = '"';
    json_error_t error;
    json_t *value = json_loads(copy, flags, &error);
    if (value == NULL)
        fail_msg("fixture JSON: %s at column %d in %s", error.text, error.column, copy);
    assay_free(copy);
    return value;
}

json_t *json_from(const char *text)
{
    return json_from_flags(text, JSON_REJECT_DUPLICATES);
}

json_t *json_from_any(const char *text)
{
    return json_from_flags(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY);
}

void json_decref_each(json_t *const *values, size_t count)
{
    for (size_t index = 0; index < count; index++)
        json_decref(values[index]);
}
