/* task_evaluate.c — reference replay and episode judging for package tasks.
 * The task's `safety` annotations (harm checks, protected attributes) join
 * its evaluator spec here, so authors write them once at task level. */
#include "environment/task_evaluate.h"

#include "evaluate/state.h"

#include <string.h>

#include "core/memory.h"
#include "evaluate/evaluate.h"

int task_replay_reference(const struct task *task, const json_t *world, struct environment **out,
                          struct assay_error *error)
{
    *out = NULL;
    if (task->reference == NULL)
        return assay_error_set(error, ASSAY_ERR_NOT_FOUND, "task %s has no reference solution", task->id);
    struct environment *environment = NULL;
    int status = environment_create(task->environment, world, task->environment_state, task->seed, &environment,
                                    error);
    if (status != ASSAY_OK)
        return status;
    struct buffer observation = {0};
    size_t index;
    json_t *action;
    json_array_foreach(json_object_get(task->reference, "actions"), index, action)
    {
        const char *tool = json_string_value(json_object_get(action, "tool"));
        json_t *arguments = json_object_get(action, "arguments");
        struct assay_error step_error = {0};
        buffer_reset(&observation);
        status = environment_step(environment, tool != NULL ? tool : "", arguments, &observation, &step_error);
        if (status != ASSAY_OK) {
            assay_error_set(error, status, "task %s: reference step %zu (%s) was refused: %s", task->id, index + 1,
                            tool != NULL ? tool : "?", step_error.message);
            break;
        }
    }
    const char *answer = json_string_value(json_object_get(task->reference, "answer"));
    if (status == ASSAY_OK && answer != NULL && !environment_done(environment)) {
        json_t *arguments = json_pack("{s:s}", "text", answer);
        status = environment_step(environment, "answer", arguments, &observation, error);
        json_decref(arguments);
    }
    buffer_free(&observation);
    if (status != ASSAY_OK) {
        environment_free(environment);
        return status;
    }
    *out = environment;
    return ASSAY_OK;
}

/* The spec to compile: the task's evaluators, plus its safety part unless
 * the evaluators already carry one. New reference. */
static json_t *full_spec(const struct task *task)
{
    json_t *spec = json_deep_copy(task->evaluators);
    if (spec != NULL && task->safety != NULL && json_object_get(spec, "safety") == NULL)
        json_object_set(spec, "safety", task->safety);
    return spec;
}

int task_compile_evaluators(const struct task *task, struct evaluate_spec **out, struct assay_error *error)
{
    *out = NULL;
    json_t *spec_json = full_spec(task);
    if (spec_json == NULL)
        return ASSAY_ERR_NOMEM;
    int status = evaluate_spec_compile(spec_json, "evaluators", out, error);
    json_decref(spec_json);
    return status;
}

/* What the episode changed in the environment's state (docs/evaluators.md's
 * diff), kept with the verdict so a trajectory viewer can show it. A diff
 * larger than STATE_CHANGES_MAX_BYTES as JSON is replaced by its size: the
 * verdict is stored with every episode. */
#define STATE_CHANGES_MAX_BYTES (64 * 1024)

static json_t *state_changes_of(json_t *diff)
{
    size_t size = json_dumpb(diff, NULL, 0, JSON_COMPACT);
    if (size > STATE_CHANGES_MAX_BYTES)
        return json_pack("{s:s, s:I}", "omitted", "larger than 64 KiB", "bytes", (json_int_t)size);
    return json_incref(diff);
}

int task_evaluate(const struct evaluate_spec *spec, const struct environment *episode,
                  const struct environment *reference, json_t **verdict, struct assay_error *error)
{
    *verdict = NULL;
    struct evaluate_episode input = {
        .initial_state = environment_initial_state(episode),
        .final_state = environment_state(episode),
        .answer = environment_answer(episode),
        .final_url = environment_url(episode),
        .trace = environment_trace(episode),
        .reference_state = reference != NULL ? environment_state(reference) : NULL,
    };
    /* one diff for the evaluators that read it and for the verdict */
    json_t *diff = NULL;
    if (input.initial_state != NULL && input.final_state != NULL &&
        evaluate_state_diff(input.initial_state, input.final_state, &diff) != ASSAY_OK)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory comparing the states of an episode");
    input.diff = diff;
    struct evaluate_result result = {0};
    int status = evaluate_run(spec, &input, &result, error);
    if (status == ASSAY_OK) {
        *verdict = evaluate_result_to_json(&result);
        if (*verdict == NULL) {
            status = ASSAY_ERR_NOMEM;
        } else {
            json_object_set_new(*verdict, "done", json_boolean(environment_done(episode)));
            json_object_set_new(*verdict, "steps", json_integer(environment_steps(episode)));
            if (diff != NULL)
                json_object_set_new(*verdict, "state_changes", state_changes_of(diff));
        }
    }
    evaluate_result_release(&result);
    json_decref(diff);
    return status;
}
