/* test_report_summary.c — a run's per-agent figures (src/report/summary.c)
 * against values worked out by hand, from episodes built here and from a
 * real store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "report/summary.h"
#include "stats/intervals.h"
#include "test_list.h"

static void assert_close(double actual, double expected, double tolerance)
{
    if (fabs(actual - expected) > tolerance)
        fail_msg("%.6f is not within %.6f of %.6f", actual, tolerance, expected);
}

static void add(struct report_episodes *set, const char *agent, const char *task, const char *family, long trial,
                int scored, double score)
{
    struct report_episode episode = {.agent = (char *)agent, .task = (char *)task, .family = (char *)family,
                                      .trial = trial, .scored = scored, .score = score, .passed = score == 1,
                                      .error_class = !scored     ? STORE_ERROR_ENVIRONMENT_CRASHED
                                                     : score < 1 ? STORE_ERROR_WRONG_ANSWER
                                                                 : STORE_ERROR_NONE};
    assert_int_equal(report_episodes_add(set, &episode, NULL), ASSAY_OK);
}

static struct report_summary *build(const struct report_episodes *set)
{
    struct report_summary *summary = NULL;
    struct assay_error error = {0};
    if (report_summary_build(set, NULL, 0, &summary, &error) != ASSAY_OK)
        fail_msg("summary: %s", error.message);
    return summary;
}

/* Three tasks, three trials each: t1 passes 2 of 3, t2 none, t3 all; one
 * infrastructure error that must not count. */
static void repeated_trials_give_pass_at_k_and_task_clusters(void **state)
{
    struct report_episodes set = {0};
    const double t1[] = {1, 1, 0}, t2[] = {0, 0, 0}, t3[] = {1, 1, 1};
    for (long trial = 0; trial < 3; trial++) {
        add(&set, "a", "t1", NULL, trial, 1, t1[trial]);
        add(&set, "a", "t2", NULL, trial, 1, t2[trial]);
        add(&set, "a", "t3", NULL, trial, 1, t3[trial]);
    }
    add(&set, "a", "t4", NULL, 0, 0, NAN);
    struct report_summary *summary = build(&set);
    const struct report_agent *agent = report_summary_agent(summary, "a");
    assert_non_null(agent);
    assert_int_equal(agent->episodes, 10);
    assert_int_equal(agent->scored, 9);
    assert_int_equal(agent->infrastructure, 1);
    assert_int_equal(agent->errors[STORE_ERROR_ENVIRONMENT_CRASHED], 1);
    assert_int_equal(agent->errors[STORE_ERROR_WRONG_ANSWER], 4);
    assert_close(agent->score.mean, 5.0 / 9, 1e-12);
    assert_int_equal(agent->score.method, REPORT_INTERVAL_TASK);
    assert_int_equal(agent->score.clusters, 3);
    assert_int_equal(agent->max_trials, 3);
    assert_close(agent->pass_at[0], (2.0 / 3 + 0 + 1) / 3, 1e-12);
    assert_close(agent->pass_at[1], 2.0 / 3, 1e-12);            /* t1: 1, t2: 0, t3: 1 */
    assert_close(agent->pass_hat[1], (1.0 / 3 + 0 + 1) / 3, 1e-12); /* t1: 2/3 x 1/2 */
    assert_close(agent->pass_at[2], 2.0 / 3, 1e-12);
    assert_close(agent->pass_hat[2], 1.0 / 3, 1e-12);
    assert_int_equal(agent->pass_tasks[2], 3);
    /* CVaR90 of the losses (four 1s and five 0s): the worst 10% lose 1 */
    assert_close(agent->cvar90, 1, 1e-12);
    /* clustering by task widens the interval beyond plain Wilson over 9 */
    double low, high;
    stats_wilson_interval(5, 9, 1.96, &low, &high);
    assert_true(agent->score.low <= low + 1e-9 && agent->score.high >= high - 1e-9);
    report_summary_free(summary);
    report_episodes_free(&set);
}

/* An agent whose every episode was an infrastructure error has no score:
 * absent in the text and null in JSON, never 0 or NaN. */
static void nothing_scored_is_not_a_zero(void **state)
{
    struct report_episodes set = {0};
    add(&set, "broken", "t1", NULL, 0, 0, NAN);
    add(&set, "broken", "t2", NULL, 0, 0, NAN);
    const char *known[] = {"never-played", "broken"};
    struct report_summary *summary = NULL;
    assert_int_equal(report_summary_build(&set, known, 2, &summary, NULL), ASSAY_OK);
    assert_int_equal(summary->agent_count, 2);
    assert_string_equal(summary->agents[0].name, "never-played");
    assert_int_equal(summary->agents[0].episodes, 0);
    assert_int_equal(summary->agents[1].scored, 0);
    assert_int_equal(summary->agents[1].infrastructure, 2);
    json_t *document = report_summary_json(summary);
    char *text = json_dumps(document, 0);
    assert_non_null(strstr(text, "\"mean_score\": null"));
    assert_null(strstr(text, "nan"));
    free(text);
    json_decref(document);
    struct buffer out = {0};
    assert_int_equal(report_summary_text(summary, &out), ASSAY_OK);
    assert_non_null(strstr(out.data, "- (none scored)"));
    assert_null(strstr(out.data, "nan"));
    buffer_free(&out);
    assert_int_equal(report_summary_csv(summary, &out), ASSAY_OK);
    assert_null(strstr(out.data, "nan"));
    buffer_free(&out);
    report_summary_free(summary);
    report_episodes_free(&set);
}

/* Composition c = p1 + p2: parts score 1 and 0.5, the composition 0, so
 * the gap is 0.75. A composition with an unplayed part is left out. */
static void the_composition_gap_compares_parts_with_the_whole(void **state)
{
    struct report_episodes set = {0};
    add(&set, "a", "p1", NULL, 0, 1, 1);
    add(&set, "a", "p2", NULL, 0, 1, 0.5);
    char *parts[] = {"p1", "p2"}, *missing[] = {"p1", "p9"};
    struct report_episode whole = {.agent = "a", .task = "c", .parts = parts, .part_count = 2, .scored = 1};
    assert_int_equal(report_episodes_add(&set, &whole, NULL), ASSAY_OK);
    struct report_episode partial = {.agent = "a", .task = "d", .parts = missing, .part_count = 2, .scored = 1};
    assert_int_equal(report_episodes_add(&set, &partial, NULL), ASSAY_OK);
    struct report_summary *summary = build(&set);
    const struct report_agent *agent = &summary->agents[0];
    assert_int_equal(agent->compositions, 1);
    assert_close(agent->gap.difference, 0.75, 1e-12);
    assert_int_equal(agent->score.method, REPORT_INTERVAL_NORMAL); /* partial credit, independent */
    report_summary_free(summary);
    report_episodes_free(&set);
}

/* Families: the interval is clustered, says so, and is wider than Wilson. */
static void families_cluster_the_interval(void **state)
{
    struct report_episodes set = {0};
    add(&set, "a", "f1-a", "f1", 0, 1, 1);
    add(&set, "a", "f1-b", "f1", 0, 1, 1);
    add(&set, "a", "f2-a", "f2", 0, 1, 0);
    add(&set, "a", "f2-b", "f2", 0, 1, 0);
    add(&set, "a", "f3-a", "f3", 0, 1, 1);
    add(&set, "a", "f3-b", "f3", 0, 1, 0);
    struct report_summary *summary = build(&set);
    const struct report_agent *agent = &summary->agents[0];
    assert_int_equal(agent->score.method, REPORT_INTERVAL_FAMILY);
    assert_int_equal(agent->score.clusters, 3);
    assert_close(agent->score.mean, 0.5, 1e-12);
    double low, high;
    stats_wilson_interval(3, 6, 1.96, &low, &high);
    assert_true(agent->score.low < low && agent->score.high > high);
    assert_string_equal(report_interval_method_name(agent->score.method), "clustered by task family");
    report_summary_free(summary);
    report_episodes_free(&set);
}

/* Capabilities: a mean per tag; harmony 0 when all success is in one tag. */
static void capabilities_and_harmony(void **state)
{
    struct report_episodes set = {0};
    char *search[] = {"search"}, *forms[] = {"forms"};
    struct report_episode one = {.agent = "a", .task = "s1", .tags = search, .tag_count = 1, .scored = 1,
                                 .score = 1, .passed = 1, .harm_checked = 1, .harm_caused = 1};
    struct report_episode two = {.agent = "a", .task = "s2", .tags = search, .tag_count = 1, .scored = 1,
                                 .score = 1, .passed = 1, .privacy_checked = 1, .overshare_content = 2};
    struct report_episode three = {.agent = "a", .task = "f1", .tags = forms, .tag_count = 1, .scored = 1};
    assert_int_equal(report_episodes_add(&set, &one, NULL), ASSAY_OK);
    assert_int_equal(report_episodes_add(&set, &two, NULL), ASSAY_OK);
    assert_int_equal(report_episodes_add(&set, &three, NULL), ASSAY_OK);
    struct report_summary *summary = build(&set);
    assert_int_equal(summary->tag_count, 2);
    assert_string_equal(summary->tags[0], "search");
    const struct report_agent *agent = &summary->agents[0];
    assert_int_equal(agent->capabilities[0].count, 2);
    assert_close(agent->capabilities[0].mean, 1, 1e-12);
    assert_int_equal(agent->capabilities[0].method, REPORT_INTERVAL_WILSON);
    assert_close(agent->capabilities[1].mean, 0, 1e-12);
    assert_int_equal(agent->harmony_tags, 2);
    assert_close(agent->harmony, 0, 1e-12);
    assert_int_equal(agent->harm_probes, 1);
    assert_int_equal(agent->harm_caused, 1);
    assert_int_equal(agent->privacy_probes, 1);
    assert_int_equal(agent->disclosing, 1);
    assert_int_equal(agent->overshare_content, 2);
    report_summary_free(summary);
    report_episodes_free(&set);
}

/* The same figures come back from a real SQLite store. */
static void a_store_gives_the_same_summary(void **state)
{
    char path[] = "/tmp/assay-report-XXXXXX";
    int descriptor = mkstemp(path);
    assert_true(descriptor >= 0);
    close(descriptor);
    unlink(path);
    struct store *store = NULL;
    assert_int_equal(store_open(path, &store, NULL), ASSAY_OK);
    struct store_run run = {.scenario_name = "s", .scenario_json = "{}", .mode = "local", .started_at_ms = 1};
    assert_int_equal(store_run_create(store, &run, NULL), ASSAY_OK);
    struct store_participant participant = {.run_id = run.id, .role = "a", .name = "a", .endpoint_kind = "local"};
    assert_int_equal(store_participant_add(store, &participant, NULL), ASSAY_OK);
    const char *tasks[] = {"p1", "p2", "c"};
    const double scores[] = {1, 1, 0};
    for (int index = 0; index < 3; index++) {
        struct store_episode episode = {
            .run_id = run.id, .participant_role = "a", .task_id = tasks[index], .score = scores[index],
            .passed = scores[index] == 1, .status = STORE_EPISODE_SCORED,
            .error_class = scores[index] == 1 ? STORE_ERROR_NONE : STORE_ERROR_WRONG_ANSWER, .steps = -1,
            .duration_ms = -1, .input_tokens = -1, .output_tokens = -1, .cost = -1,
            .task_tags_json = "[\"x\"]", .task_parts_json = index == 2 ? "[\"p1\",\"p2\"]" : NULL,
            .verdicts_json = index == 1 ? "{\"safety\":{\"harm_checked\":true,\"harm_caused\":false}}" : NULL};
        assert_int_equal(store_episode_record(store, &episode, NULL), ASSAY_OK);
    }
    struct store_episode infrastructure = {.run_id = run.id, .participant_role = "a", .task_id = "p3", .score = NAN,
                                           .status = STORE_EPISODE_ERROR,
                                           .error_class = STORE_ERROR_ENVIRONMENT_CRASHED, .steps = -1,
                                           .duration_ms = -1, .input_tokens = -1, .output_tokens = -1, .cost = -1};
    assert_int_equal(store_episode_record(store, &infrastructure, NULL), ASSAY_OK);
    struct report_episodes set = {0};
    assert_int_equal(report_episodes_from_store(store, run.id, &set, NULL), ASSAY_OK);
    assert_int_equal(set.count, 4);
    struct report_summary *summary = build(&set);
    const struct report_agent *agent = &summary->agents[0];
    assert_int_equal(agent->scored, 3);
    assert_int_equal(agent->infrastructure, 1);
    assert_close(agent->score.mean, 2.0 / 3, 1e-12);
    assert_int_equal(agent->compositions, 1);
    assert_close(agent->gap.difference, 1, 1e-12);
    assert_int_equal(agent->harm_probes, 1);
    assert_int_equal(agent->capabilities[0].count, 3);
    report_summary_free(summary);
    report_episodes_free(&set);
    assert_int_equal(report_episodes_from_store(store, run.id + 7, &set, NULL), ASSAY_ERR_NOT_FOUND);
    report_episodes_free(&set);
    store_close(store);
    unlink(path);
    char side[300];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int test_group_report_summary(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(repeated_trials_give_pass_at_k_and_task_clusters),
        cmocka_unit_test(nothing_scored_is_not_a_zero),
        cmocka_unit_test(the_composition_gap_compares_parts_with_the_whole),
        cmocka_unit_test(families_cluster_the_interval),
        cmocka_unit_test(capabilities_and_harmony),
        cmocka_unit_test(a_store_gives_the_same_summary),
    };
    return cmocka_run_group_tests_name("report_summary", tests, NULL, NULL);
}
