/* fixture_mcp.c — placeholder; the MCP layer fills this in. */
#include <stdio.h>
#include "cli/commands.h"
int command_fixture_mcp(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "assay fixture mcp: not yet available\n");
    return 2;
}
