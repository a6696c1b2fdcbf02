/* test_stats_paired.c — paired comparisons and intervals, checked against
 * values worked out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "stats/intervals.h"
#include "stats/paired.h"
#include "test_list.h"

static void assert_close(double actual, double expected, double tolerance)
{
    if (fabs(actual - expected) > tolerance)
        fail_msg("%.6f is not within %.6f of %.6f", actual, tolerance, expected);
}

static void a_clear_win_excludes_zero(void **state)
{
    const double d[] = {0.1, 0.2, 0.3, 0.4};
    struct stats_paired paired;
    assert_int_equal(stats_paired_compare(d, NULL, 4, &paired), 0);
    assert_close(paired.difference, 0.25, 1e-12);
    assert_close(paired.standard_error, 0.0645497, 1e-6); /* sd 0.129099 / 2 */
    assert_close(paired.low, 0.25 - 3.182 * 0.0645497, 1e-5);
    assert_true(paired.excludes_zero);
    assert_false(paired.clustered);
    struct buffer text = {0};
    stats_paired_sentence(&paired, "A", "B", &text);
    assert_string_equal(text.data, "A beats B by 25 points, 95% CI [4, 46]");
    buffer_free(&text);
}

static void no_difference_is_said_plainly(void **state)
{
    const double d[] = {0.1, -0.1, 0.2, -0.2};
    struct stats_paired paired;
    stats_paired_compare(d, NULL, 4, &paired);
    assert_false(paired.excludes_zero);
    struct buffer text = {0};
    stats_paired_sentence(&paired, "A", "B", &text);
    assert_non_null(strstr(text.data, "no detectable difference between A and B (A - B = 0 points"));
    buffer_free(&text);
}

static void the_loser_can_be_the_first_named(void **state)
{
    const double d[] = {-0.4, -0.5, -0.6};
    struct stats_paired paired;
    stats_paired_compare(d, NULL, 3, &paired);
    struct buffer text = {0};
    stats_paired_sentence(&paired, "A", "B", &text);
    assert_string_equal(text.data, "B beats A by 50 points, 95% CI [25, 75]");
    buffer_free(&text);
}

static void families_give_the_clustered_error(void **state)
{
    const double d[] = {0.1, 0.2, 0.3, 0.4};
    const char *families[] = {"f1", "f1", "f2", "f2"};
    struct stats_paired paired;
    stats_paired_compare(d, families, 4, &paired);
    assert_true(paired.clustered);
    assert_int_equal(paired.clusters, 2);
    /* cluster sums -0.2 and 0.2: sqrt(2 * 0.08) / 4 = 0.1, with 1 degree of freedom */
    assert_close(paired.standard_error, 0.1, 1e-12);
    /* 0.25 ± 12.706 x 0.1 reaches past any possible difference: clipped */
    assert_close(paired.high, 1, 0);
    assert_close(paired.low, -1, 0); /* and 0.25 - 1.27 below -1 too */
    assert_false(paired.excludes_zero);
    assert_true(paired.standard_error > 0.0645497); /* wider than the naive one here */
}

static void too_few_pairs_say_nothing(void **state)
{
    const double d[] = {0.7};
    struct stats_paired paired;
    stats_paired_compare(d, NULL, 1, &paired);
    assert_false(paired.excludes_zero);
    assert_close(paired.low, -1, 0);
    assert_close(paired.high, 1, 0);
}

static void wilson_matches_the_formula(void **state)
{
    double low, high;
    stats_wilson_interval(64, 64, 1.96, &low, &high);
    assert_close(low, 0.9434, 1e-4);
    assert_close(high, 1.0, 1e-12);
    stats_wilson_interval(0, 64, 1.96, &low, &high);
    assert_close(low, 0.0, 1e-12);
    assert_close(high, 0.0566, 1e-4);
    stats_wilson_interval(5, 10, 1.96, &low, &high);
    assert_close(low, 0.2366, 1e-4);
    assert_close(high, 0.7634, 1e-4);
    stats_wilson_interval(0, 0, 1.96, &low, &high);
    assert_close(low, 0, 0);
    assert_close(high, 1, 0);
}

int test_group_stats_paired(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_clear_win_excludes_zero),
        cmocka_unit_test(no_difference_is_said_plainly),
        cmocka_unit_test(the_loser_can_be_the_first_named),
        cmocka_unit_test(families_give_the_clustered_error),
        cmocka_unit_test(too_few_pairs_say_nothing),
        cmocka_unit_test(wilson_matches_the_formula),
    };
    return cmocka_run_group_tests_name("stats_paired", tests, NULL, NULL);
}
