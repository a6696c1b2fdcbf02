/* fixture.c — `assay fixture a2a|mcp ...`: small protocol fixtures (an echo
 * agent, a test MCP server, client drivers) that the interop tests and the
 * benchmarks start as real processes. Not part of the product surface. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

int command_fixture(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: assay fixture a2a ...   A2A fixtures (see `assay fixture a2a --help`)\n"
                "       assay fixture mcp ...   MCP fixtures (see `assay fixture mcp --help`)\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "a2a") == 0)
        return command_fixture_a2a(argc - 1, argv + 1);
    if (strcmp(argv[1], "mcp") == 0)
        return command_fixture_mcp(argc - 1, argv + 1);
    fprintf(stderr, "assay fixture: unknown fixture '%s' (a2a or mcp)\n", argv[1]);
    return 2;
}
