/* command_demo.c — placeholder until the protocol layer lands (same commit series). */
#include <stdio.h>
#include "cli/commands.h"
int command_demo(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "assay demo: not yet available\n"); return 2; }
int command_serve_a2a_echo(int argc, char **argv) { (void)argc; (void)argv; return 2; }
int command_serve_mcp_fixture(int argc, char **argv) { (void)argc; (void)argv; return 2; }
