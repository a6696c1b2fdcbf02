/* stop_signals.c — how long-running commands (servers, agents) wait for
 * SIGINT or SIGTERM: the signals are blocked in every thread and taken by
 * sigwait() in the main one, so no handler runs in the middle of library
 * code. Two traps handled here once: a shell starts background jobs with
 * SIGINT *ignored*, and an ignored signal is discarded instead of waiting
 * for sigwait(), so the default disposition is restored first; and a peer
 * that hangs up must not kill the process with SIGPIPE. */
#include <pthread.h>
#include <signal.h>

#include "cli/commands.h"

void cli_stop_signals_block(sigset_t *signals)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(signals);
    sigaddset(signals, SIGINT);
    sigaddset(signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, signals, NULL);
}

int cli_stop_signals_wait(const sigset_t *signals)
{
    int received = 0;
    sigwait(signals, &received);
    return received;
}
