/* fixture_a2a.c — placeholder; the A2A layer fills this in. */
#include <stdio.h>
#include "cli/commands.h"
int command_fixture_a2a(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "assay fixture a2a: not yet available\n");
    return 2;
}
