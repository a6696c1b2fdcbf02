/* test_web_benchmark.c — the built-in web-of-sites package as a whole:
 * every reference scores 1.0, an idle agent scores 0, and a seeded random
 * agent (valid tool calls on whatever the page offers) scores near 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "environment/environment.h"
#include "environment/task_evaluate.h"
#include "environment/task_server.h"
#include "evaluate/evaluate.h"
#include "package/package.h"
#include "episode_fixture.h"
#include "test_list.h"


static double score_of(const struct task *task, const struct environment *episode, const struct environment *reference,
                       int *harm)
{
    json_t *verdict = NULL;
    struct assay_error error = {0};
    struct evaluate_spec *spec = NULL;
    if (task_compile_evaluators(task, &spec, &error) != ASSAY_OK ||
        task_evaluate(spec, episode, reference, &verdict, &error) != ASSAY_OK)
        fail_msg("%s: %s", task->id, error.message);
    evaluate_spec_free(spec);
    double score = json_number_value(json_object_get(verdict, "score"));
    if (harm != NULL)
        *harm = json_is_true(json_object_get(json_object_get(verdict, "safety"), "harm_caused"));
    json_decref(verdict);
    return score;
}

static void the_package_has_the_promised_shape(void **state)
{
    assert_true(web_package->task_count >= 60);
    size_t composed = 0, safety = 0;
    for (size_t index = 0; index < web_package->task_count; index++) {
        const struct task *task = &web_package->tasks[index];
        assert_non_null(task->reference);
        composed += task->subtasks.count > 0;
        safety += string_list_contains(&task->tags, "safety") || string_list_contains(&task->tags, "privacy");
        /* every atomic part of a composition is also a task on its own */
        for (size_t part = 0; part < task->subtasks.count; part++)
            assert_non_null(package_find_task(web_package, task->subtasks.items[part]));
    }
    assert_true(composed >= 6);
    assert_true(safety >= 6);
}

static void references_score_one_and_idle_agents_zero(void **state)
{
    for (size_t index = 0; index < web_package->task_count; index++) {
        const struct task *task = &web_package->tasks[index];
        struct environment *reference = NULL, *idle = NULL;
        struct assay_error error = {0};
        if (task_replay_reference(task, web_world, &reference, &error) != ASSAY_OK)
            fail_msg("%s", error.message);
        int harm = 0;
        double score = score_of(task, reference, reference, &harm);
        if (score < 1.0 - 1e-9 || harm)
            fail_msg("%s: reference scores %.3f (harm %d)", task->id, score, harm);
        assert_int_equal(environment_create("web", web_world, task->environment_state, task->seed, &idle, &error), 0);
        score = score_of(task, idle, reference, &harm);
        if (score != 0.0 || harm)
            fail_msg("%s: an idle agent scores %.3f (harm %d)", task->id, score, harm);
        environment_free(idle);
        environment_free(reference);
    }
}

/* The verdict records what the episode changed: a purchase adds an order
 * and a confirmation mail; an idle episode changes nothing. */
static void verdicts_carry_the_state_changes(void **state)
{
    const struct task *task = package_find_task(web_package, "buy-1-blue-ceramic-mug");
    assert_non_null(task);
    struct environment *reference = NULL, *idle = NULL;
    struct evaluate_spec *spec = NULL;
    json_t *verdict = NULL;
    struct assay_error error = {0};
    assert_int_equal(task_replay_reference(task, web_world, &reference, &error), ASSAY_OK);
    assert_int_equal(task_compile_evaluators(task, &spec, &error), ASSAY_OK);
    assert_int_equal(task_evaluate(spec, reference, reference, &verdict, &error), ASSAY_OK);
    const json_t *added = json_object_get(json_object_get(verdict, "state_changes"), "added");
    assert_int_equal(json_array_size(json_object_get(json_object_get(added, "shop"), "orders")), 1);
    assert_int_equal(json_array_size(json_object_get(json_object_get(added, "mail"), "inbox")), 1);
    json_decref(verdict);
    assert_int_equal(environment_create("web", web_world, task->environment_state, task->seed, &idle, &error), 0);
    assert_int_equal(task_evaluate(spec, idle, reference, &verdict, &error), ASSAY_OK);
    const json_t *changes = json_object_get(verdict, "state_changes");
    assert_int_equal(json_object_size(json_object_get(changes, "added")), 0);
    assert_int_equal(json_object_size(json_object_get(changes, "updated")), 0);
    json_decref(verdict);
    evaluate_spec_free(spec);
    environment_free(idle);
    environment_free(reference);
}

/* splitmix64: a tiny seeded generator so the random agent is reproducible. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t value = (*state += 0x9e3779b97f4a7c15ULL);
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

/* A random agent: opens a random site, then clicks random elements and
 * types random words into random textboxes, then answers something. */
static void play_randomly(struct environment *environment, uint64_t *seed, int steps)
{
    static const char *const sites[] = {"http://shop.local/", "http://mail.local/", "http://calendar.local/"};
    static const char *const words[] = {"blue", "mug", "hello", "2026-12-01", "12:30", "sam.lee@mail.local", "3"};
    struct buffer observation = {0};
    json_t *arguments = json_pack("{s:s}", "url", sites[next_random(seed) % 3]);
    environment_step(environment, "open", arguments, &observation, NULL);
    json_decref(arguments);
    for (int step = 0; step < steps; step++) {
        buffer_reset(&observation);
        environment_step(environment, "read", NULL, &observation, NULL);
        int elements = 0;
        for (const char *cursor = observation.data; cursor && (cursor = strstr(cursor, "\n[")) != NULL; cursor++)
            elements++;
        if (elements == 0)
            break;
        int number = (int)(next_random(seed) % (uint64_t)elements) + 1;
        buffer_reset(&observation);
        if (next_random(seed) % 3 == 0) {
            arguments = json_pack("{s:i, s:s}", "element", number, "text", words[next_random(seed) % 7]);
            environment_step(environment, "type", arguments, &observation, NULL);
        } else {
            arguments = json_pack("{s:i}", "element", number);
            environment_step(environment, "click", arguments, &observation, NULL);
        }
        json_decref(arguments);
    }
    arguments = json_pack("{s:s}", "text", words[next_random(seed) % 7]);
    buffer_reset(&observation);
    environment_step(environment, "answer", arguments, &observation, NULL);
    json_decref(arguments);
    buffer_free(&observation);
}

static void a_seeded_random_agent_scores_near_zero(void **state)
{
    uint64_t seed = 20261122;
    double total = 0;
    size_t episodes = 0, passed = 0;
    for (int trial = 0; trial < 3; trial++)
        for (size_t index = 0; index < web_package->task_count; index++) {
            const struct task *task = &web_package->tasks[index];
            struct environment *episode = NULL, *reference = NULL;
            assert_int_equal(environment_create("web", web_world, task->environment_state, task->seed, &episode, NULL), 0);
            task_replay_reference(task, web_world, &reference, NULL);
            play_randomly(episode, &seed, 20);
            double score = score_of(task, episode, reference, NULL);
            total += score;
            passed += score > 1.0 - 1e-9;
            episodes++;
            environment_free(episode);
            environment_free(reference);
        }
    double mean = total / (double)episodes;
    print_message("random agent: mean %.4f over %zu episodes, %zu passed\n", mean, episodes, passed);
    assert_true(mean < 0.05);
}

int test_group_web_benchmark(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_package_has_the_promised_shape),
        cmocka_unit_test(references_score_one_and_idle_agents_zero),
        cmocka_unit_test(verdicts_carry_the_state_changes),
        cmocka_unit_test(a_seeded_random_agent_scores_near_zero),
    };
    return cmocka_run_group_tests_name("web_benchmark", tests, web_package_load, web_package_free);
}
