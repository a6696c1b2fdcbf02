/* commands.h — the command table of the `assay` binary.
 *
 * Each command is `int command_NAME(int argc, char **argv)` with argv[0] the
 * command name; it returns the process exit code (0 success, 1 failure of the
 * work, 2 bad usage) and prints its own one-line reason on failure. */
#ifndef ASSAY_CLI_COMMANDS_H
#define ASSAY_CLI_COMMANDS_H

struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

int command_version(int argc, char **argv);
int command_agent(int argc, char **argv);  /* src/cli/command_agent.c */
int command_bench(int argc, char **argv);  /* src/cli/command_bench.c */
int command_env(int argc, char **argv);    /* src/cli/command_env.c */
int command_stats(int argc, char **argv);  /* src/cli/command_stats.c */
int command_run(int argc, char **argv);    /* src/cli/command_run.c */
int command_judge(int argc, char **argv);  /* src/cli/command_judge.c */
int command_serve(int argc, char **argv);  /* src/cli/command_serve.c */
/* `assay fixture a2a|mcp ...`: protocol fixtures used by the interop tests
 * and the benchmarks (src/cli/fixture.c dispatches to the two below). */
int command_fixture(int argc, char **argv);
int command_fixture_a2a(int argc, char **argv); /* src/cli/fixture_a2a.c */
int command_fixture_mcp(int argc, char **argv); /* src/cli/fixture_mcp.c */

/* Long-running commands: call cli_stop_signals_block() before starting any
 * thread, then cli_stop_signals_wait() (returns SIGINT or SIGTERM). See
 * src/cli/stop_signals.c for why. */
#include <signal.h>
void cli_stop_signals_block(sigset_t *signals);
int cli_stop_signals_wait(const sigset_t *signals);

/* 1 when argv holds -h or --help. */
int command_wants_help(int argc, char **argv);

#endif
