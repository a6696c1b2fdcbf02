/* command_demo.c — placeholder until the protocol layers land. */
#include <stdio.h>
#include "cli/commands.h"
int command_demo(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "assay demo: not yet available\n");
    return 2;
}
