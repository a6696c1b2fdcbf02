/* agent.c — the executor shared by the baseline agents: parse the judge's
 * message, connect to the environment, run the strategy, publish the result
 * (agents.h has the contract). */
#include "agents/agents.h"
#include "agents/internal.h"

#include <stdio.h>
#include <string.h>

#include "a2a/model.h"

const char *agent_kind_name(enum agent_kind kind)
{
    switch (kind) {
    case AGENT_ORACLE:
        return "oracle";
    case AGENT_RANDOM:
        return "random";
    }
    return NULL;
}

int agent_kind_parse(const char *name, enum agent_kind *out)
{
    if (name != NULL && strcmp(name, "oracle") == 0)
        *out = AGENT_ORACLE;
    else if (name != NULL && strcmp(name, "random") == 0)
        *out = AGENT_RANDOM;
    else
        return ASSAY_ERR_NOT_FOUND;
    return ASSAY_OK;
}

void agent__publish_episode(struct a2a_execution *execution, const char *sentence, json_t *data)
{
    json_t *parts = json_array();
    if (data == NULL || parts == NULL) {
        json_decref(data);
        json_decref(parts);
        return;
    }
    json_array_append_new(parts, a2a_text_part_new(sentence));
    json_array_append_new(parts, json_pack("{s:o}", "data", data));
    json_t *artifact = a2a_artifact_new("episode", "episode", parts);
    if (artifact != NULL)
        a2a_execution_add_artifact(execution, artifact, 0, 1);
}

int agent__turn_begin(struct a2a_execution *execution, int need_reference, struct agent_request *request)
{
    if (a2a_execution_is_continuation(execution)) {
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_FAILED,
                                      "a baseline agent plays one message per task; "
                                      "start a new task for a new episode");
        return 0;
    }
    struct assay_error error = {0};
    if (agent__request_parse(a2a_execution_message(execution), request, &error) != ASSAY_OK) {
        char reason[300];
        snprintf(reason, sizeof reason, "bad message: %s", error.message);
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_FAILED, reason);
        return 0;
    }
    if (need_reference && request->reference == NULL) {
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_FAILED, AGENT_NO_REFERENCE_REASON);
        return 0;
    }
    char note[300];
    snprintf(note, sizeof note, "playing %.200s within %ld steps and %g s", request->task_id,
             request->steps, request->seconds);
    /* a task canceled meanwhile refuses the update: nothing left to do */
    return a2a_execution_set_status_text(execution, A2A_TASK_STATE_WORKING, note) == ASSAY_OK;
}

/* The machine part of the artifact: who played, and every call made (the
 * judge may record them; tests compare them across runs). */
static json_t *episode_data(const struct agent_config *config, const struct agent_request *request,
                            const struct agent_episode *episode)
{
    return json_pack("{s:s, s:s, s:I, s:O}", "agent", agent_kind_name(config->kind), "task", request->task_id,
                     "steps", (json_int_t)episode->steps_used, "calls", episode->calls);
}

static void agent_execute(struct a2a_execution *execution, void *context)
{
    const struct agent_config *config = context;
    struct agent_request request;
    if (!agent__turn_begin(execution, config->kind == AGENT_ORACLE, &request))
        return;
    struct assay_error error = {0};
    struct agent_episode episode;
    struct buffer summary = {0};
    int status = agent__episode_open(&episode, execution, &request, &error);
    if (status == ASSAY_OK)
        status = config->kind == AGENT_ORACLE
                     ? agent__oracle_play(&episode, &summary, &error)
                     : agent__random_play(&episode, config->seed, &summary, &error);
    if (status == ASSAY_ERR_CANCELED) {
        /* The task is already TASK_STATE_CANCELED; nothing to publish. */
    } else if (status == ASSAY_OK) {
        agent__publish_episode(execution, summary.data != NULL ? summary.data : "",
                               episode_data(config, &request, &episode));
        a2a_execution_set_status(execution, A2A_TASK_STATE_COMPLETED, NULL);
    } else {
        if (json_array_size(episode.calls) > 0)
            agent__publish_episode(execution, error.message, episode_data(config, &request, &episode));
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_FAILED, error.message);
    }
    buffer_free(&summary);
    agent__episode_close(&episode);
}

struct a2a_executor agent_executor(const struct agent_config *config)
{
    /* No runs_inline: every turn does network I/O and goes to the worker
     * pool, so HTTP event threads never wait on an environment. */
    struct a2a_executor executor = {.execute = agent_execute, .context = (void *)config};
    return executor;
}
