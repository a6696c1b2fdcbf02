/* echo_agent.h — the echo executor: the A2A fixture agent of the interop
 * tests and benchmarks (`assay fixture a2a echo`).
 *
 * Behaviour, by the first text part of the user message:
 *   "input..."  TASK_STATE_INPUT_REQUIRED with a question; the next message
 *               on the same task completes it, echoing that message
 *   "slow..."   TASK_STATE_WORKING for about 3 s, a status update every
 *               250 ms, then completed; cancelable meanwhile
 *   "fail..."   TASK_STATE_FAILED
 *   otherwise   TASK_STATE_COMPLETED with an artifact "echo" holding the text
 * Every turn but "slow" runs inline on the HTTP thread (runs_inline). The
 * same contract is implemented with the official SDK in
 * tests/interop/a2a_sdk_server.mjs.
 */
#ifndef ASSAY_A2A_ECHO_AGENT_H
#define ASSAY_A2A_ECHO_AGENT_H

#include "a2a/executor.h"

#define A2A_ECHO_SLOW_STEPS   12
#define A2A_ECHO_SLOW_STEP_MS 250

/* A filled-in executor (no context needed). */
struct a2a_executor a2a_echo_executor(void);

#endif
