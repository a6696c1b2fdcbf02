/* oracle.c — the oracle: replays the reference solution that the judge
 * handed over on the privileged channel (assay.reference), step by step
 * through the same MCP tools any subject gets. It has no other source of
 * the solution: without the channel it refuses (agent.c) rather than guess. */
#include "agents/internal.h"

#include <string.h>

int agent__oracle_play(struct agent_episode *episode, struct buffer *summary,
                       struct assay_error *error)
{
    const json_t *reference = episode->request->reference;
    const json_t *actions = json_object_get(reference, "actions");
    const char *answer = json_string_value(json_object_get(reference, "answer"));
    struct buffer text = {0};
    int status = ASSAY_OK;
    size_t index;
    const json_t *action;
    json_array_foreach(actions, index, action)
    {
        const char *tool = json_string_value(json_object_get(action, "tool"));
        const json_t *arguments = json_object_get(action, "arguments");
        int refused = 0;
        status = agent__episode_call(episode, tool, arguments ? json_deep_copy(arguments) : NULL,
                                     &text, &refused, error);
        if (status == ASSAY_OK && refused)
            status = assay_error_set(error, ASSAY_ERR_REMOTE,
                                     "the environment refused reference step %zu (%s): %.160s",
                                     index + 1, tool, text.data ? text.data : "");
        if (status != ASSAY_OK)
            goto done;
    }
    if (answer != NULL) {
        int refused = 0;
        status = agent__episode_call(episode, "answer", json_pack("{s:s}", "text", answer), &text,
                                     &refused, error);
        if (status == ASSAY_OK && refused)
            status = assay_error_set(error, ASSAY_ERR_REMOTE,
                                     "the environment refused the answer: %.160s",
                                     text.data ? text.data : "");
        if (status != ASSAY_OK)
            goto done;
    }
    status = buffer_append_format(summary, "oracle: played %zu reference actions%s in %ld steps",
                                  json_array_size(actions), answer != NULL ? " and answered" : "",
                                  episode->steps_used);
done:
    buffer_free(&text);
    return status;
}
