/* local_agent.h — agents the runner starts as child processes (local mode).
 *
 * The child gets its own process group and PR_SET_PDEATHSIG(SIGTERM), so it
 * dies with the runner even after a crash of the runner; stop() sends
 * SIGTERM to the group, waits up to two seconds, then SIGKILL. The agent
 * must print `READY URL` on stdout once it listens (assay's agents do).
 *
 * Ownership: the struct owns the URL and the process; local_agent_stop()
 * frees both (NULL is fine).
 */
#ifndef ASSAY_RUNNER_LOCAL_AGENT_H
#define ASSAY_RUNNER_LOCAL_AGENT_H

#include <sys/types.h>

#include "core/status.h"

struct local_agent {
    pid_t pid;
    char *url;
};

/* command[0] "assay" means this binary. Waits up to timeout_ms for READY. */
int local_agent_start(const char *name, char *const *command, long timeout_ms, struct local_agent **out,
                      struct assay_error *error);
void local_agent_stop(struct local_agent *agent);

#endif
