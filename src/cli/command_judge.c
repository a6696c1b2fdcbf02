/* command_judge.c — `assay judge --bench PKG`: a benchmark's judge as an A2A
 * agent (src/runner/judge_agent.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "a2a/server.h"
#include "cli/commands.h"
#include "runner/judge_agent.h"

static const char usage[] =
    "usage: assay judge --bench PKG [--port P] [--db PATH] [--path DIRS]\n"
    "\n"
    "Serves the benchmark's judge as an A2A agent on 127.0.0.1:P (0 = a free port; prints\n"
    "`READY http://127.0.0.1:PORT`). Send it a message with a data part\n"
    "  {\"participants\": {\"<role>\": \"<A2A URL>\"}, \"config\": {\"tasks\": [...], \"trials\": 1, ...}}\n"
    "and it assesses every participant, streaming progress as status updates and ending with\n"
    "an artifact \"results\". Episodes are recorded in the store (--db, default assay.db).\n"
    "A bad request or an unreachable agent is REJECTED with the reason; CancelTask stops the\n"
    "run between episodes. Stops on SIGINT or SIGTERM.\n";

int command_judge(int argc, char **argv)
{
    struct judge_agent agent = {0};
    long port = 0;
    static const struct option options[] = {{"bench", required_argument, NULL, 'b'},
                                            {"port", required_argument, NULL, 'p'},
                                            {"db", required_argument, NULL, 'd'},
                                            {"path", required_argument, NULL, 'P'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "b:p:d:P:h", options, NULL)) != -1) {
        char *end = NULL;
        switch (option) {
        case 'b': agent.bench = optarg; break;
        case 'd': agent.db = optarg; break;
        case 'P': agent.search_path = optarg; break;
        case 'p':
            port = strtol(optarg, &end, 10);
            if (*end != '\0' || port < 0 || port > 65535) {
                fprintf(stderr, "assay judge: --port must be a port number from 0 to 65535\n");
                return 2;
            }
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (agent.bench == NULL) {
        fprintf(stderr, "assay judge: --bench is required (see --help)\n");
        return 2;
    }
    sigset_t signals;
    cli_stop_signals_block(&signals);
    struct a2a_server_options server_options = {
        .name = "assay judge",
        .description = "Assesses the A2A agents it is given on a benchmark package (assay judge).",
        .http = {.port = (unsigned short)port},
        .executor = judge_agent_executor(&agent),
    };
    struct a2a_server *server = NULL;
    int status = a2a_server_new(&server_options, &server);
    if (status == ASSAY_OK)
        status = a2a_server_start(server);
    if (status != ASSAY_OK) {
        fprintf(stderr, "assay judge: cannot start on port %ld: %s\n", port, assay_strerror(status));
        a2a_server_free(server);
        return 1;
    }
    printf("READY http://127.0.0.1:%u\n", a2a_server_port(server));
    fflush(stdout);
    cli_stop_signals_wait(&signals);
    a2a_server_free(server);
    return 0;
}
