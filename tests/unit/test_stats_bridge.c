/* test_stats_bridge.c — the IRT and horizon statistics on real data: the
 * BRIDGE responses of 176 models on 1,019 tasks (tests/data/bridge, CC BY
 * 4.0, see its README), checked against the figures BRIDGE and METR
 * published. Paths are relative to the repository root, where the tests
 * run. One fit and one horizon table are shared by the whole group. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "stats/horizon.h"
#include "stats/irt.h"
#include "test_list.h"

#define RESPONSES_PATH "tests/data/bridge/all_a_pyirt.jsonl"
#define MINUTES_PATH   "tests/data/bridge/combined_human_minutes.jsonl"

struct bridge {
    struct irt_responses *responses;
    struct irt_read_report report;
    struct horizon_minutes *minutes;
    struct irt_fit *fit;
    struct horizon_anchor anchor;   /* over the METR/Cybench items (ids without "__") */
    struct horizon_table *horizons; /* METR-style, same items */
};

static struct bridge bridge;

static int load_bridge(void **state)
{
    struct assay_error error = {0};
    if (irt_responses_read_pyirt(RESPONSES_PATH, &bridge.responses, &bridge.report, &error) !=
            ASSAY_OK ||
        horizon_minutes_read(MINUTES_PATH, NULL, &bridge.minutes, NULL, &error) != ASSAY_OK ||
        irt_fit_estimate(bridge.responses, NULL, &bridge.fit, &error) != ASSAY_OK ||
        horizon_anchor_fit(bridge.fit, bridge.minutes, horizon_exclude_containing, "__",
                           &bridge.anchor, &error) != ASSAY_OK) {
        fprintf(stderr, "stats_bridge: %s (run the tests from the repository root)\n",
                error.message);
        return -1;
    }
    struct horizon_options options;
    horizon_options_default(&options);
    /* METR's items only: SWE-bench ids contain "__" and their times are
     * four coarse buckets, not measurements. 500 resamples keep the
     * sanitizer run short; the intervals move by a few percent at most. */
    options.include_item = horizon_exclude_containing;
    options.include_context = "__";
    options.bootstrap_replicates = 500;
    if (horizon_table_estimate(bridge.responses, bridge.minutes, &options, &bridge.horizons,
                               &error) != ASSAY_OK ||
        horizon_table_add_anchor(bridge.horizons, bridge.fit, &bridge.anchor) != ASSAY_OK) {
        fprintf(stderr, "stats_bridge: %s\n", error.message);
        return -1;
    }
    return 0;
}

static int free_bridge(void **state)
{
    horizon_table_free(bridge.horizons);
    irt_fit_free(bridge.fit);
    horizon_minutes_free(bridge.minutes);
    irt_responses_free(bridge.responses);
    memset(&bridge, 0, sizeof bridge);
    return 0;
}

static void bridge_data_has_the_published_shape(void **state)
{
    assert_int_equal(irt_responses_subject_count(bridge.responses), 176);
    assert_int_equal(irt_responses_item_count(bridge.responses), 1019);
    assert_int_equal(irt_responses_response_count(bridge.responses), 86441);
    assert_int_equal(bridge.report.empty_subjects_skipped, 0);
    assert_int_equal(horizon_minutes_count(bridge.minutes), 685);
}

static void bridge_fit_converges_to_finite_estimates(void **state)
{
    const struct irt_fit *fit = bridge.fit;
    print_message("BRIDGE fit: %zu iterations, %zu nodes (spacing %.4f), log-likelihood %.2f\n",
                  fit->iterations, fit->quadrature_nodes, fit->quadrature_spacing,
                  fit->log_likelihood);
    assert_true(fit->converged);
    assert_int_equal(fit->nonconverged_items, 0);
    size_t perfect = 0;
    for (size_t item = 0; item < fit->item_count; item++) {
        const struct irt_item_estimate *estimate = &fit->items[item];
        assert_true(isfinite(estimate->difficulty) && isfinite(estimate->difficulty_se));
        assert_true(isfinite(estimate->discrimination) && estimate->discrimination > 0);
        assert_true(estimate->difficulty_se > 0 && estimate->discrimination_se > 0);
        perfect += estimate->proportion_correct == 0 || estimate->proportion_correct == 1;
    }
    /* The data do hold items every respondent passed or failed. */
    assert_true(perfect > 0);
    for (size_t subject = 0; subject < fit->subject_count; subject++)
        assert_true(isfinite(fit->subjects[subject].ability) &&
                    fit->subjects[subject].ability_sd > 0);
}

/* BRIDGE: difficulty against ln(human minutes) on the METR tasks, R² = 0.81. */
static void bridge_difficulty_tracks_human_time(void **state)
{
    print_message("BRIDGE anchoring over %zu METR/Cybench items: R^2 = %.4f, ln(min) = %.3f + "
                  "%.3f b (published R^2 = 0.81)\n",
                  bridge.anchor.item_count, bridge.anchor.r_squared, bridge.anchor.intercept,
                  bridge.anchor.slope);
    assert_int_equal(bridge.anchor.item_count, 185);
    assert_true(bridge.anchor.r_squared >= 0.75);
    assert_true(bridge.anchor.slope > 0);
}

struct published {
    const char *subject_id;
    const char *name;
    double minutes; /* METR, "Measuring AI Ability to Complete Long Tasks" */
};

static const struct horizon_agent *find_agent(const char *subject_id)
{
    const struct horizon_agent *agent = NULL;
    assert_int_equal(horizon_table_find(bridge.horizons, subject_id, &agent), ASSAY_OK);
    return agent;
}

/* METR-style 50% horizons against METR's figures. What a careful reader of
 * the BRIDGE README accepts: the data binarise by majority vote, so the
 * horizons land near, not on, the published ones. Concretely each estimate
 * must be within a factor of two of the published figure (METR's own 95%
 * intervals are about that wide) and the published figure must lie inside
 * our 95% bootstrap interval; and the order must be the published one. */
static void bridge_metr_horizons_match_the_published_figures(void **state)
{
    static const struct published published[] = {
        {"claude-3-7-sonnet-20250219", "Claude 3.7 Sonnet", 59.0},
        {"o1", "o1", 39.0},
        {"gpt-4o-2024-05-13", "GPT-4o", 9.0},
        {"gpt-4-0314", "GPT-4 0314", 5.4},
    };
    for (size_t index = 0; index < sizeof published / sizeof published[0]; index++) {
        const struct horizon_estimate *estimate =
            &find_agent(published[index].subject_id)->logistic;
        print_message("%-18s %7.2f min [%6.2f, %6.2f]  published %5.1f\n", published[index].name,
                      estimate->minutes, estimate->lower, estimate->upper,
                      published[index].minutes);
        assert_int_equal(estimate->status, HORIZON_ESTIMATED);
        assert_true(estimate->minutes >= published[index].minutes / 2 &&
                    estimate->minutes <= published[index].minutes * 2);
        assert_true(estimate->lower <= published[index].minutes &&
                    published[index].minutes <= estimate->upper);
    }
    double claude = find_agent("claude-3-7-sonnet-20250219")->logistic.minutes;
    double o1 = find_agent("o1")->logistic.minutes;
    double gpt4o = find_agent("gpt-4o-2024-05-13")->logistic.minutes;
    const struct horizon_estimate *gpt2 = &find_agent("gpt2")->logistic;
    print_message("%-18s %7.3f min [%6.3f, %6.3f]  published: well under 1 minute\n", "GPT-2",
                  gpt2->minutes, gpt2->lower, gpt2->upper);
    assert_int_equal(gpt2->status, HORIZON_ESTIMATED);
    assert_true(claude > o1 && o1 > gpt4o && gpt4o > gpt2->minutes);
    assert_true(gpt2->minutes < 1.0 && gpt2->upper < 1.0);
}

/* The horizon from ability through the anchoring line (BRIDGE's method)
 * must keep the same sense: stronger models, longer horizons. */
static void bridge_irt_horizons_keep_the_order(void **state)
{
    const char *order[] = {"claude-3-7-sonnet-20250219", "gpt-4o-2024-05-13", "gpt-4-0314", "gpt2"};
    double previous = INFINITY;
    for (size_t index = 0; index < 4; index++) {
        const struct horizon_agent *agent = find_agent(order[index]);
        assert_true(agent->anchored);
        print_message("%-28s ability %6.3f ± %.3f  IRT horizon %7.2f min [%6.2f, %6.2f]\n",
                      order[index], agent->ability, agent->ability_sd, agent->anchored_minutes,
                      agent->anchored_lower, agent->anchored_upper);
        assert_true(agent->anchored_minutes < previous);
        assert_true(agent->anchored_lower < agent->anchored_minutes &&
                    agent->anchored_minutes < agent->anchored_upper);
        previous = agent->anchored_minutes;
    }
    assert_true(previous < 1.0); /* GPT-2 */
}

int test_group_stats_bridge(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bridge_data_has_the_published_shape),
        cmocka_unit_test(bridge_fit_converges_to_finite_estimates),
        cmocka_unit_test(bridge_difficulty_tracks_human_time),
        cmocka_unit_test(bridge_metr_horizons_match_the_published_figures),
        cmocka_unit_test(bridge_irt_horizons_keep_the_order),
    };
    return cmocka_run_group_tests_name("stats_bridge", tests, load_bridge, free_bridge);
}
