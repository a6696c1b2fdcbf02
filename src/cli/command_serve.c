/* command_serve.c — `assay serve`: the results store as web pages and a
 * JSON API (docs/web.md). The server lives in src/web. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "web/server.h"

static const char usage[] =
    "usage: assay serve [--db PATH] [--port 8080] [--bind 127.0.0.1] [--token TOKEN] [--threads N]\n"
    "\n"
    "Serves a results store (default assay.db) as a leaderboard, run pages with live progress,\n"
    "trajectories, head-to-head comparisons and analysis plots, and the same data as JSON under\n"
    "/api/ (docs/web.md). Read-only. Prints `READY http://ADDRESS:PORT` when listening\n"
    "(--port 0 picks a free port).\n"
    "\n"
    "  --db PATH       the results store to show (it must exist)\n"
    "  --port N        TCP port (default 8080)\n"
    "  --bind ADDRESS  address to listen on (default 127.0.0.1). Anything but loopback\n"
    "                  requires a token.\n"
    "  --token TOKEN   require this token on every request (Authorization: Bearer TOKEN, or\n"
    "                  ?token=TOKEN once in a browser); default: $ASSAY_SERVE_TOKEN\n"
    "  --threads N     event threads (default 2)\n";

int command_serve(int argc, char **argv)
{
    struct web_server_options options = {.port = 8080, .token = getenv("ASSAY_SERVE_TOKEN")};
    if (options.token != NULL && options.token[0] == '\0')
        options.token = NULL;
    static const struct option long_options[] = {
        {"db", required_argument, NULL, 'd'},    {"port", required_argument, NULL, 'p'},
        {"bind", required_argument, NULL, 'b'},  {"token", required_argument, NULL, 't'},
        {"threads", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 1;
    int option;
    char *end;
    long value;
    while ((option = getopt_long(argc, argv, "d:p:b:t:n:h", long_options, NULL)) != -1) {
        switch (option) {
        case 'd': options.db = optarg; break;
        case 'b': options.bind = optarg; break;
        case 't': options.token = optarg; break;
        case 'p':
            value = strtol(optarg, &end, 10);
            if (*end != '\0' || value < 0 || value > 65535) {
                fprintf(stderr, "assay serve: --port must be a port number (0 to 65535)\n");
                return 2;
            }
            options.port = (unsigned short)value;
            break;
        case 'n':
            value = strtol(optarg, &end, 10);
            if (*end != '\0' || value < 1 || value > 64) {
                fprintf(stderr, "assay serve: --threads must be 1 to 64\n");
                return 2;
            }
            options.threads = (unsigned)value;
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "assay serve: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    sigset_t signals;
    cli_stop_signals_block(&signals);
    struct assay_error error = {0};
    struct web_server *server = NULL;
    if (web_server_start(&options, &server, &error) != ASSAY_OK) {
        fprintf(stderr, "assay serve: %s\n", error.message);
        return error.status == ASSAY_ERR_INVALID ? 2 : 1;
    }
    const char *bind = options.bind != NULL ? options.bind : "127.0.0.1";
    printf("READY http://%s%s%s:%u\n", strchr(bind, ':') != NULL ? "[" : "", bind, strchr(bind, ':') != NULL ? "]" : "",
           web_server_port(server));
    fflush(stdout);
    cli_stop_signals_wait(&signals);
    web_server_free(server);
    return 0;
}
