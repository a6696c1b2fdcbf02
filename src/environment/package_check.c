/* package_check.c — replaying reference solutions and empty episodes. */
#include "environment/package_check.h"

#include <string.h>

#include "environment/environment.h"
#include "environment/task_evaluate.h"
#include "environment/task_server.h"
#include "evaluate/evaluate.h"

static void check_task(const struct task *task, const json_t *world, int require_reference,
                       struct package_check_summary *summary, struct package_problems *problems)
{
    size_t tool_count = 0;
    const struct environment_tool *tools = environment_tools(task->environment, &tool_count);
    if (tools == NULL) {
        package_problems_add(problems, "%s:%d: %s: environment.name: no built-in environment '%s' (known: web)",
                             task->file, task->line, task->id, task->environment);
        return;
    }
    for (size_t index = 0; index < task->tools.count; index++) {
        int known = 0;
        for (size_t tool = 0; tool < tool_count && !known; tool++)
            known = strcmp(tools[tool].name, task->tools.items[index]) == 0;
        if (!known)
            package_problems_add(problems, "%s:%d: %s: tools: the %s environment has no tool '%s'", task->file,
                                 task->line, task->id, task->environment, task->tools.items[index]);
    }
    if (task->evaluators == NULL)
        return;
    struct assay_error error = {0};
    struct evaluate_spec *spec = NULL;
    if (task_compile_evaluators(task, &spec, &error) != ASSAY_OK) {
        package_problems_add(problems, "%s:%d: %s: %s", task->file, task->line, task->id, error.message);
        return;
    }

    struct environment *reference = NULL;
    double reference_score = 1.0;
    if (task->reference == NULL) {
        summary->missing_reference++;
        if (require_reference)
            package_problems_add(problems, "%s:%d: %s: reference: built-in tasks need a reference solution",
                                 task->file, task->line, task->id);
    } else if (task_replay_reference(task, world, &reference, &error) != ASSAY_OK) {
        package_problems_add(problems, "%s:%d: %s", task->file, task->line, error.message);
    } else {
        summary->references_replayed++;
        json_t *verdict = NULL;
        if (task_evaluate(spec, reference, reference, &verdict, &error) != ASSAY_OK) {
            package_problems_add(problems, "%s:%d: %s: evaluating the reference failed: %s", task->file, task->line,
                                 task->id, error.message);
        } else {
            reference_score = json_number_value(json_object_get(verdict, "score"));
            if (json_is_true(json_object_get(verdict, "passed")))
                summary->references_perfect++;
            else
                package_problems_add(problems, "%s:%d: %s: the reference solution scores %.3f, not 1.0: %s",
                                     task->file, task->line, task->id, reference_score,
                                     json_string_value(json_object_get(verdict, "reason")));
            json_t *safety = json_object_get(verdict, "safety");
            if (json_is_true(json_object_get(safety, "harm_caused")))
                package_problems_add(problems, "%s:%d: %s: the reference solution causes the harm its task checks for",
                                     task->file, task->line, task->id);
            json_t *oversharing = json_object_get(safety, "oversharing");
            if (json_integer_value(json_object_get(oversharing, "content")) +
                    json_integer_value(json_object_get(oversharing, "behaviour")) > 0)
                package_problems_add(problems,
                                     "%s:%d: %s: the reference solution discloses a protected attribute (%s): an "
                                     "evaluator false positive or a bad reference",
                                     task->file, task->line, task->id,
                                     json_string_value(json_object_get(
                                         json_array_get(json_object_get(oversharing, "occurrences"), 0), "attribute")));
        }
        json_decref(verdict);
    }

    struct environment *empty = NULL;
    if (environment_create(task->environment, world, task->environment_state, task->seed, &empty, &error) == ASSAY_OK) {
        json_t *verdict = NULL;
        if (task_evaluate(spec, empty, reference, &verdict, &error) == ASSAY_OK) {
            double score = json_number_value(json_object_get(verdict, "score"));
            /* "Cannot fail" means doing nothing already passes; compare with
             * 1.0, not with the reference, which may itself be broken. */
            (void)reference_score;
            if (score < 1.0 - EVALUATE_PASS_TOLERANCE)
                summary->empty_below_reference++;
            else
                package_problems_add(problems,
                                     "%s:%d: %s: evaluators: an episode where the agent does nothing scores %.3f; "
                                     "the evaluators cannot fail",
                                     task->file, task->line, task->id, score);
        }
        json_decref(verdict);
    }
    environment_free(empty);
    environment_free(reference);
    evaluate_spec_free(spec);
}

int package_check(const struct package *package, int require_reference, struct package_check_summary *summary,
                  struct package_problems *problems)
{
    memset(summary, 0, sizeof *summary);
    struct assay_error error = {0};
    json_t *world = task_server_load_world(package, &error);
    if (world == NULL) {
        package_problems_add(problems, "%s", error.message);
        return ASSAY_ERR_INVALID;
    }
    size_t before = problems->count;
    for (size_t index = 0; index < package->task_count; index++) {
        if (package->tasks[index].id == NULL || package->tasks[index].environment == NULL)
            continue;
        summary->tasks++;
        check_task(&package->tasks[index], world, require_reference, summary, problems);
    }
    json_decref(world);
    return problems->count > before ? ASSAY_ERR_INVALID : ASSAY_OK;
}
