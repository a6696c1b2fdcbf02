/* test_package.c — package loading against fixtures kept as data:
 * tests/data/packages/NAME/ is a broken package and its expected-errors.txt
 * lists, one per line, text that some reported problem must contain. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "environment/package_check.h"
#include "package/package.h"
#include "test_list.h"

#define FIXTURES "tests/data/packages"

static void check_fixture(const char *name)
{
    char folder[512], expected_file[600];
    snprintf(folder, sizeof folder, FIXTURES "/%s", name);
    snprintf(expected_file, sizeof expected_file, "%s/expected-errors.txt", folder);
    struct package *package = NULL;
    struct package_problems problems = {0};
    int status = package_load(folder, &package, &problems);
    struct package_check_summary summary;
    if (status == ASSAY_OK)
        status = package_check(package, 1, &summary, &problems);
    if (status == ASSAY_OK)
        fail_msg("%s: passed the check without problems", name);
    FILE *expected = fopen(expected_file, "r");
    assert_non_null(expected);
    char line[512];
    int lines = 0;
    while (fgets(line, sizeof line, expected) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0')
            continue;
        lines++;
        int found = 0;
        for (size_t index = 0; index < problems.count && !found; index++)
            found = strstr(problems.messages[index], line) != NULL;
        if (!found) {
            for (size_t index = 0; index < problems.count; index++)
                print_message("  got: %s\n", problems.messages[index]);
            fail_msg("%s: no problem mentions '%s'", name, line);
        }
    }
    fclose(expected);
    assert_true(lines > 0);
    package_problems_free(&problems);
    package_free(package);
}

static void broken_packages_report_precise_errors(void **state)
{
    DIR *directory = opendir(FIXTURES);
    assert_non_null(directory);
    struct dirent *entry;
    int fixtures = 0;
    while ((entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        check_fixture(entry->d_name);
        fixtures++;
    }
    closedir(directory);
    assert_true(fixtures >= 7);
}

static void the_documented_example_loads_cleanly(void **state)
{
    struct package *package = NULL;
    struct package_problems problems = {0};
    int status = package_load("examples/packages/hello-shop/", &package, &problems);
    for (size_t index = 0; index < problems.count; index++)
        print_message("  problem: %s\n", problems.messages[index]);
    assert_int_equal(status, ASSAY_OK);
    assert_string_equal(package->name, "hello-shop");
    assert_int_equal(package->task_count, 1);
    const struct task *task = package_find_task(package, "find-mug-price");
    assert_non_null(task);
    assert_int_equal(task->budget_steps, 20); /* from the benchmark's defaults */
    assert_true(task->human_minutes == 0.5);
    assert_string_equal(task->environment, "web");
    assert_int_equal(strlen(package->content_hash), 64);
    int all = 0;
    assert_non_null(package_find_split(package, "test", &all));
    assert_null(package_find_split(package, "all", &all));
    assert_true(all);
    struct package_check_summary summary;
    assert_int_equal(package_check(package, 1, &summary, &problems), ASSAY_OK);
    assert_int_equal(summary.references_perfect, 1);
    assert_int_equal(summary.empty_below_reference, 1);
    package_problems_free(&problems);
    package_free(package);
}

static void content_hash_follows_content(void **state)
{
    char first[65], second[65], third[65];
    assert_int_equal(package_content_hash("examples/packages/hello-shop", first, NULL), 0);
    assert_int_equal(package_content_hash("examples/packages/hello-shop", second, NULL), 0);
    assert_string_equal(first, second);
    assert_int_equal(package_content_hash(FIXTURES "/missing-field", third, NULL), 0);
    assert_string_not_equal(first, third);
}

int test_group_package(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(broken_packages_report_precise_errors),
        cmocka_unit_test(the_documented_example_loads_cleanly),
        cmocka_unit_test(content_hash_follows_content),
    };
    return cmocka_run_group_tests_name("package", tests, NULL, NULL);
}
