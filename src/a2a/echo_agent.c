/* echo_agent.c — the echo executor (see echo_agent.h for its contract). */
#include "a2a/echo_agent.h"

#include <stdio.h>
#include <string.h>

static int starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

static void echo_complete(struct a2a_execution *execution, const char *text)
{
    if (a2a_execution_add_text_artifact(execution, "echo", "echo", text) == 0)
        a2a_execution_set_status(execution, A2A_TASK_STATE_COMPLETED, NULL);
}

static void echo_execute(struct a2a_execution *execution, void *context)
{
    (void)context;
    const char *text = a2a_message_text(a2a_execution_message(execution));
    if (text == NULL)
        text = "";
    if (a2a_execution_is_continuation(execution)) {
        echo_complete(execution, text);
    } else if (starts_with(text, "input")) {
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_INPUT_REQUIRED,
                                      "more input needed: send a follow-up message on this task");
    } else if (starts_with(text, "fail")) {
        a2a_execution_set_status_text(execution, A2A_TASK_STATE_FAILED, "failed as asked");
    } else if (starts_with(text, "slow")) {
        if (a2a_execution_set_status(execution, A2A_TASK_STATE_WORKING, NULL) != 0)
            return;
        for (int step = 1; step <= A2A_ECHO_SLOW_STEPS; step++) {
            if (a2a_execution_wait(execution, A2A_ECHO_SLOW_STEP_MS))
                return; /* canceled: the task is already TASK_STATE_CANCELED */
            char note[32];
            snprintf(note, sizeof note, "step %d/%d", step, A2A_ECHO_SLOW_STEPS);
            if (a2a_execution_set_status_text(execution, A2A_TASK_STATE_WORKING, note) != 0)
                return;
        }
        echo_complete(execution, text);
    } else {
        echo_complete(execution, text);
    }
}

static int echo_runs_inline(const json_t *message, void *context)
{
    (void)context;
    const char *text = a2a_message_text(message);
    return text == NULL || !starts_with(text, "slow");
}

struct a2a_executor a2a_echo_executor(void)
{
    struct a2a_executor executor = {.execute = echo_execute, .runs_inline = echo_runs_inline};
    return executor;
}
