/* judge_agent.c — assessment requests over A2A, run by the runner. */
#include "runner/judge_agent.h"

#include <stdio.h>
#include <string.h>

#include "runner/run.h"
#include "runner/scenario.h"

struct judge_turn {
    struct a2a_execution *execution;
};

static void report_progress(size_t done, size_t total, void *context)
{
    struct judge_turn *turn = context;
    char text[96];
    snprintf(text, sizeof text, "%zu/%zu episodes", done, total);
    a2a_execution_set_status_text(turn->execution, A2A_TASK_STATE_WORKING, text);
}

static int stop_requested(void *context)
{
    struct judge_turn *turn = context;
    return a2a_execution_cancel_requested(turn->execution);
}

/* The first data part of the message, or NULL. */
static const json_t *request_of(const json_t *message)
{
    size_t index;
    json_t *part;
    json_array_foreach(json_object_get(message, "parts"), index, part)
    {
        const json_t *data = json_object_get(part, "data");
        if (json_is_object(data))
            return data;
    }
    return NULL;
}

static void execute(struct a2a_execution *execution, void *context)
{
    struct judge_agent *agent = context;
    const json_t *request = request_of(a2a_execution_message(execution));
    struct assay_error error = {0};
    struct scenario *scenario = NULL;
    if (request == NULL) {
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_REJECTED,
                                      "send an assessment request: a data part {\"participants\": {\"<role>\": "
                                      "\"<A2A URL>\"}, \"config\": {...}}");
        return;
    }
    if (scenario_from_request(agent->bench, request, &scenario, &error) != ASSAY_OK) {
        char reason[320];
        snprintf(reason, sizeof reason, "bad assessment request: %s", error.message);
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_REJECTED, reason);
        return;
    }
    a2a_execution_set_status_text(execution, A2A_TASK_STATE_WORKING, "starting the assessment");
    struct judge_turn turn = {.execution = execution};
    struct run_options options = {.search_path = agent->search_path, .quiet = 1, .db = agent->db,
                                  .progress = report_progress, .stop = stop_requested, .hook_context = &turn};
    struct run_result *result = NULL;
    if (run_scenario(scenario, &options, &result, &error) != ASSAY_OK) {
        char reason[320];
        snprintf(reason, sizeof reason, "%s", error.message);
        /* an agent that cannot be reached, or a bench or task that does not
         * exist, is a problem with the request: rejected, not failed */
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_REJECTED, reason);
        scenario_free(scenario);
        return;
    }
    if (a2a_execution_cancel_requested(execution)) {
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_CANCELED, "canceled on request");
    } else {
        json_t *results = run_result_json(scenario, result);
        json_object_set_new(results, "run_id", json_integer(result->run_id));
        json_t *artifact = json_pack("{s:s, s:s, s:[{s:o}]}", "artifactId", "results", "name", "results", "parts",
                                     "data", results);
        a2a_execution_add_artifact(execution, artifact, 0, 1);
        char summary[128];
        snprintf(summary, sizeof summary, "%zu of %zu episodes played (run %lld)", result->played,
                 result->episode_count, result->run_id);
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_COMPLETED, summary);
    }
    run_result_free(result);
    scenario_free(scenario);
}

struct a2a_executor judge_agent_executor(struct judge_agent *agent)
{
    return (struct a2a_executor){.execute = execute, .context = agent};
}
