/* test_core.c — buffer and allocation wrapper. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/buffer.h"
#include "core/memory.h"
#include "core/status.h"
#include "test_list.h"

static void buffer_appends_and_formats(void **state)
{
    struct buffer buffer = {0};
    assert_int_equal(buffer_append_string(&buffer, "abc"), ASSAY_OK);
    assert_int_equal(buffer_append_format(&buffer, "-%d-%s", 42, "x"), ASSAY_OK);
    assert_string_equal(buffer.data, "abc-42-x");
    buffer_consume(&buffer, 4);
    assert_string_equal(buffer.data, "42-x");
    for (int index = 0; index < 10000; index++)
        assert_int_equal(buffer_append(&buffer, "0123456789", 10), ASSAY_OK);
    assert_int_equal(buffer.length, 4 + 100000);
    char *detached = buffer_detach(&buffer);
    assert_null(buffer.data);
    assert_int_equal(strlen(detached), 100004);
    assay_free(detached);
    buffer_free(&buffer);
}

static void memory_failure_injection_fails_exactly_the_chosen_allocation(void **state)
{
    long before = assay_memory_live_allocations();
    assay_memory_fail_after(1);
    void *first = assay_malloc(8);
    void *second = assay_malloc(8);
    void *third = assay_malloc(8);
    assay_memory_fail_after(-1);
    assert_non_null(first);
    assert_null(second);
    assert_non_null(third);
    assert_int_equal(assay_memory_live_allocations(), before + 2);
    assay_free(first);
    assay_free(third);
    assert_int_equal(assay_memory_live_allocations(), before);
}

static void buffer_reports_out_of_memory(void **state)
{
    struct buffer buffer = {0};
    assay_memory_fail_after(0);
    assert_int_equal(buffer_append_string(&buffer, "x"), ASSAY_ERR_NOMEM);
    assay_memory_fail_after(-1);
    assert_int_equal(buffer.length, 0);
    buffer_free(&buffer);
}

int test_group_buffer(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffer_appends_and_formats),
        cmocka_unit_test(buffer_reports_out_of_memory),
    };
    return cmocka_run_group_tests_name("buffer", tests, NULL, NULL);
}

int test_group_memory(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memory_failure_injection_fails_exactly_the_chosen_allocation),
    };
    return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
