/* main.c — `assay`: dispatch to a command, or explain the command surface.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/version.h"
#include "jsonrpc/json_strict.h"

static const struct command commands[] = {
    {"run", "run an assessment from a scenario file", command_run},
    {"serve", "leaderboard, runs, trajectories and analysis as web pages and JSON", command_serve},
    {"judge", "serve a benchmark's judge agent over A2A", command_judge},
    {"agent", "serve a built-in subject agent over A2A: oracle | random", command_agent},
    {"env", "serve one task environment over MCP", command_env},
    {"bench", "list, show and check benchmark packages", command_bench},
    {"stats", "reports and comparisons of runs; IRT and time horizons", command_stats},
    {"fixture", "protocol fixtures for interop tests and benchmarks: a2a | mcp",
     command_fixture},
    {"version", "print the version and the protocol versions spoken", command_version},
};

static void print_usage(FILE *stream)
{
    fprintf(stream,
            "assay %s — open, agent-agnostic assessment of AI agents\n\n"
            "usage: assay COMMAND [OPTIONS]\n\ncommands:\n",
            ASSAY_VERSION);
    for (size_t index = 0; index < sizeof commands / sizeof commands[0]; index++)
        fprintf(stream, "  %-9s %s\n", commands[index].name, commands[index].summary);
    fprintf(stream, "\nRun `assay COMMAND --help` for a command's options.\n");
}

int command_wants_help(int argc, char **argv)
{
    for (int index = 1; index < argc; index++)
        if (strcmp(argv[index], "-h") == 0 || strcmp(argv[index], "--help") == 0)
            return 1;
    return 0;
}

int command_version(int argc, char **argv)
{
    if (command_wants_help(argc, argv)) {
        printf("usage: assay version\n\nPrints the assay version and the protocol versions it speaks.\n");
        return 0;
    }
    printf("assay %s (A2A %s, MCP %s)\n", ASSAY_VERSION, ASSAY_A2A_PROTOCOL_VERSION,
           ASSAY_MCP_PROTOCOL_VERSION);
    return 0;
}

int main(int argc, char **argv)
{
    json_strict_install_allocator();
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return command_version(1, argv + 1);
    for (size_t index = 0; index < sizeof commands / sizeof commands[0]; index++)
        if (strcmp(argv[1], commands[index].name) == 0)
            return commands[index].run(argc - 1, argv + 1);
    fprintf(stderr, "assay: unknown command '%s' (see `assay --help`)\n", argv[1]);
    return 2;
}
