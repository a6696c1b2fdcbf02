/* task_evaluate.h — judging one episode of a task: runs the task's
 * evaluators (src/evaluate) over the episode's final state, answer, URL and
 * trace, and the reference final state obtained by replaying the task's
 * reference solution on a fresh environment.
 *
 * The verdict is a new json_t:
 *   {"score": 0..1, "passed": bool, "reason": "...", "verdicts": [...],
 *    "done": bool, "steps": n, "safety": {...}}
 * where "safety" carries harm and oversharing figures kept apart from the
 * task score (see docs/evaluators.md).
 */
#ifndef ASSAY_ENVIRONMENT_TASK_EVALUATE_H
#define ASSAY_ENVIRONMENT_TASK_EVALUATE_H

#include <jansson.h>

#include "core/status.h"
#include "environment/environment.h"
#include "package/package.h"

/* Replays the task's reference actions (and answer) on a fresh environment.
 * *out is that environment (caller frees). A reference step the world
 * refuses is an error naming the step. */
int task_replay_reference(const struct task *task, const json_t *world, struct environment **out,
                          struct assay_error *error);

struct evaluate_spec;

/* Compiles the task's evaluators, with its task-level safety annotations
 * joined in. Once per task: the compiled spec is immutable and may be used
 * by any number of evaluations, from several threads. Free it with
 * evaluate_spec_free(). */
int task_compile_evaluators(const struct task *task, struct evaluate_spec **out, struct assay_error *error);

/* Judges `episode` with the task's compiled spec. reference may be NULL
 * (state-hash checks then fail with a reason saying so). */
int task_evaluate(const struct evaluate_spec *spec, const struct environment *episode,
                  const struct environment *reference, json_t **verdict, struct assay_error *error);

#endif
