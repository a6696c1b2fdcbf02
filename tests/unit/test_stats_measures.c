/* test_stats_measures.c — pass@k, harmony, CVaR, KS and Shapley against
 * values worked out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "stats/measures.h"
#include "test_list.h"

static void assert_close(double actual, double expected, double tolerance)
{
    if (fabs(actual - expected) > tolerance)
        fail_msg("%.9g is not within %.3g of %.9g", actual, tolerance, expected);
}

static void pass_at_k_and_pass_hat_k(void **state)
{
    assert_close(stats_pass_at_k(10, 3, 1), 0.3, 1e-12);
    assert_close(stats_pass_at_k(10, 3, 2), 1 - 21.0 / 45.0, 1e-12); /* 1 - C(7,2)/C(10,2) */
    assert_close(stats_pass_at_k(5, 4, 2), 1, 0);                    /* n - c < k */
    assert_close(stats_pass_at_k(5, 0, 3), 0, 0);
    assert_close(stats_pass_at_k(3, 1, 4), 0, 0); /* k > n: not estimable */
    assert_close(stats_pass_hat_k(10, 3, 2), 6.0 / 90.0, 1e-12);
    assert_close(stats_pass_hat_k(10, 10, 5), 1, 1e-12);
    assert_close(stats_pass_hat_k(10, 1, 2), 0, 0);
    /* pass^1 = pass@1 = c/n */
    assert_close(stats_pass_hat_k(8, 5, 1), stats_pass_at_k(8, 5, 1), 1e-12);
}

static void harmony_and_its_edges(void **state)
{
    const double uniform[] = {0.4, 0.4, 0.4};
    const double one[] = {0.9, 0, 0, 0};
    const double zero[] = {0, 0};
    const double two[] = {0.75, 0.25};
    assert_close(stats_harmony(uniform, 3), 1, 1e-12);
    assert_close(stats_harmony(one, 4), 0, 1e-12);
    assert_close(stats_harmony(zero, 2), 1, 0);
    assert_close(stats_harmony(uniform, 1), 1, 0);
    /* p = (0.75, 0.25): H = -(0.75 ln 0.75 + 0.25 ln 0.25) / ln 2 */
    assert_close(stats_harmony(two, 2), 0.8112781245, 1e-9);
}

static void cvar_and_union(void **state)
{
    double losses[] = {1.0, 0.3, 0.5, 0.1, 0.9, 0.2, 0.7, 0.4, 0.6, 0.8};
    assert_close(stats_cvar(losses, 10, 0.9), 1.0, 1e-12); /* the worst 10%: the single 1.0 */
    double flat[] = {0.5, 0.5, 0.5, 0.5};
    assert_close(stats_cvar(flat, 4, 0.9), 0.5, 1e-12);
    double twenty[20];
    for (int index = 0; index < 20; index++)
        twenty[index] = index / 19.0;
    /* alpha 0.9, n 20: VaR is the 18th smallest (17/19); CVaR = mean of the worst 2 */
    assert_close(stats_cvar(twenty, 20, 0.9), (18 / 19.0 + 1.0) / 2, 1e-12);
    assert_close(stats_cvar(NULL, 0, 0.9), 0, 0);
    const double h[] = {0.5, 0.5};
    assert_close(stats_union_probability(h, 2), 0.75, 1e-12);
    const double certain[] = {1.0};
    assert_true(stats_union_probability(certain, 1) < 1); /* clamped, never exactly 1 */
}

static void kolmogorov_smirnov(void **state)
{
    double a[10], b[10], d, p;
    for (int index = 0; index < 10; index++) {
        a[index] = index;
        b[index] = index;
    }
    stats_ks_two_sample(a, 10, b, 10, &d, &p);
    assert_close(d, 0, 0);
    assert_close(p, 1, 0);
    for (int index = 0; index < 10; index++)
        b[index] = 100 + index;
    stats_ks_two_sample(a, 10, b, 10, &d, &p);
    assert_close(d, 1, 0);
    assert_close(p, 2.0 / 184756.0, 1e-12); /* only the two extreme paths of C(20,10) */
    /* a shift by half the range: clearly rejected, and the exact and
     * asymptotic p-values agree in magnitude */
    double big_a[120], big_b[120];
    for (int index = 0; index < 120; index++) {
        big_a[index] = index;
        big_b[index] = index + 60;
    }
    stats_ks_two_sample(big_a, 120, big_b, 120, &d, &p);
    assert_close(d, 0.5, 1e-12);
    assert_true(p < 1e-5);
    const double p_values[] = {0.5, 0.01, 0.2, 0.04};
    assert_close(stats_ks_at_n(p_values, 4, 0.05), 0.5, 0);
}

static void shapley_recovers_additive_values(void **state)
{
    /* v(S) = sum of weights 0.1, 0.2, 0.3 over S: phi is the weights */
    double v[8], phi[3];
    const double weight[3] = {0.1, 0.2, 0.3};
    for (int subset = 0; subset < 8; subset++) {
        v[subset] = 0;
        for (int module = 0; module < 3; module++)
            if (subset & (1 << module))
                v[subset] += weight[module];
    }
    assert_int_equal(stats_shapley(v, 3, phi), 0);
    for (int module = 0; module < 3; module++)
        assert_close(phi[module], weight[module], 1e-12);
    /* with an interaction, efficiency still holds: sum(phi) = v(N) - v(0) */
    v[3] += 0.25;
    v[7] += 0.25;
    stats_shapley(v, 3, phi);
    assert_close(phi[0] + phi[1] + phi[2], v[7] - v[0], 1e-12);
    assert_close(phi[0], 0.1 + 0.125, 1e-12); /* the interaction splits between modules 0 and 1 */
    assert_close(phi[2], 0.3, 1e-12);
    assert_int_equal(stats_shapley(v, 21, phi), -1);
}

int test_group_stats_measures(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pass_at_k_and_pass_hat_k), cmocka_unit_test(harmony_and_its_edges),
        cmocka_unit_test(cvar_and_union),           cmocka_unit_test(kolmogorov_smirnov),
        cmocka_unit_test(shapley_recovers_additive_values),
    };
    return cmocka_run_group_tests_name("stats_measures", tests, NULL, NULL);
}
