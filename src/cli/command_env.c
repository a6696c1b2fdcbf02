/* command_env.c — `assay env`: one task of a benchmark package served as an
 * MCP environment (src/environment/task_server.h). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/memory.h"
#include "environment/task_server.h"
#include "http/server.h"
#include "mcp/http_transport.h"
#include "mcp/stdio_transport.h"
#include "package/package.h"
#include "package/registry.h"

static const char usage[] =
    "usage: assay env --bench PKG --task ID [--port P] [--control-port Q] [--web-port W]\n"
    "                 [--require-token] [--path DIRS]\n"
    "       assay env --bench PKG --task ID --stdio [--control]\n"
    "\n"
    "Serves one task as an MCP server (protocol 2025-11-25). Subjects get the task's tools\n"
    "and the resource task://instruction; each MCP session plays its own episode.\n"
    "\n"
    "HTTP (default): subject endpoint on 127.0.0.1:P (0 = a free port), printed as\n"
    "`READY http://127.0.0.1:P/mcp`; the judge's lifecycle endpoint (sessions, reset,\n"
    "evaluate, close) on a separate port, printed as `CONTROL http://127.0.0.1:Q/mcp`.\n"
    "The same episodes as HTML pages for browser agents on 127.0.0.1:W, printed as\n"
    "`WEB http://127.0.0.1:W/` (a cookie names each browser's episode; its session in the\n"
    "control tools is \"web:<cookie>\"). Give subjects only the READY or WEB address.\n"
    "Stops on SIGINT or SIGTERM.\n"
    "\n"
    "--require-token is the judge's mode: a subject must send `Authorization: Bearer T`\n"
    "where T names an episode the judge created with `reset {\"token\": T}`.\n"
    "\n"
    "--stdio serves over standard input and output instead; --control adds the lifecycle\n"
    "tools to it (for a judge that is itself the client).\n";

int command_env(int argc, char **argv)
{
    const char *bench = NULL, *task_id = NULL, *search_path = NULL;
    long port = 0, control_port = 0, web_port = 0;
    int use_stdio = 0, control = 0, require_token = 0;
    static const struct option options[] = {
        {"bench", required_argument, NULL, 'b'},        {"task", required_argument, NULL, 't'},
        {"port", required_argument, NULL, 'p'},         {"control-port", required_argument, NULL, 'c'},
        {"path", required_argument, NULL, 'P'},         {"stdio", no_argument, NULL, 's'},
        {"control", no_argument, NULL, 'C'},            {"help", no_argument, NULL, 'h'},
        {"web-port", required_argument, NULL, 'w'},     {"require-token", no_argument, NULL, 'T'},
        {NULL, 0, NULL, 0}};
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "b:t:p:c:P:sChw:T", options, NULL)) != -1) {
        char *end = NULL;
        switch (option) {
        case 'b': bench = optarg; break;
        case 't': task_id = optarg; break;
        case 'P': search_path = optarg; break;
        case 's': use_stdio = 1; break;
        case 'C': control = 1; break;
        case 'T': require_token = 1; break;
        case 'p':
        case 'c':
        case 'w': {
            long *target = option == 'p' ? &port : option == 'c' ? &control_port : &web_port;
            *target = strtol(optarg, &end, 10);
            if (*end != '\0' || *target < 0 || *target > 65535) {
                fprintf(stderr, "assay env: --%s must be a port number from 0 to 65535\n",
                        option == 'p' ? "port" : option == 'c' ? "control-port" : "web-port");
                return 2;
            }
            break;
        }
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (bench == NULL || task_id == NULL) {
        fprintf(stderr, "assay env: --bench and --task are required (see --help)\n");
        return 2;
    }
    struct registry registry;
    registry_scan(search_path, &registry);
    struct assay_error error = {0};
    char *folder = registry_resolve(&registry, bench, &error);
    registry_free(&registry);
    if (folder == NULL) {
        fprintf(stderr, "assay env: %s\n", error.message);
        return 1;
    }
    struct package *package = NULL;
    struct package_problems problems = {0};
    int status = package_load(folder, &package, &problems);
    assay_free(folder);
    if (status != ASSAY_OK) {
        fprintf(stderr, "assay env: package %s does not load: %s (run `assay bench check`)\n", bench,
                problems.count > 0 ? problems.messages[0] : assay_strerror(status));
        package_problems_free(&problems);
        package_free(package);
        return 1;
    }
    package_problems_free(&problems);
    const struct task *task = package_find_task(package, task_id);
    json_t *world = NULL;
    struct task_server *server = NULL;
    int result = 1;
    if (task == NULL) {
        fprintf(stderr, "assay env: package %s has no task '%s' (see `assay bench show %s`)\n", bench, task_id, bench);
        goto done;
    }
    world = task_server_load_world(package, &error);
    struct task_server_options server_options = {.control_on_subject = use_stdio && control,
                                                  .require_token = require_token};
    if (world == NULL || task_server_new(package, task, world, &server_options, &server, &error) != ASSAY_OK) {
        fprintf(stderr, "assay env: %s\n", error.message);
        goto done;
    }
    if (use_stdio) {
        struct mcp_stdio_options stdio_options = {.input_fd = 0, .output_fd = 1, .stop_fd = -1};
        result = mcp_stdio_serve(task_server_subject(server), &stdio_options) == ASSAY_OK ? 0 : 1;
        goto done;
    }
    sigset_t stop_signals;
    cli_stop_signals_block(&stop_signals);
    struct mcp_http_transport *subject = NULL, *judge = NULL;
    struct http_server *web = NULL;
    struct http_server_options web_options = {.port = (unsigned short)web_port};
    if (http_server_new(&web_options, &web) != ASSAY_OK || task_server_add_web_routes(server, web) != ASSAY_OK ||
        http_server_start(web) != ASSAY_OK) {
        fprintf(stderr, "assay env: cannot start the HTML front end (port in use?)\n");
        http_server_free(web);
        goto done;
    }
    struct mcp_http_options subject_options = {.port = (unsigned short)port};
    struct mcp_http_options control_options = {.port = (unsigned short)control_port};
    if (mcp_http_transport_start(task_server_subject(server), &subject_options, &subject) != ASSAY_OK ||
        mcp_http_transport_start(task_server_control(server), &control_options, &judge) != ASSAY_OK) {
        fprintf(stderr, "assay env: cannot listen (port in use?)\n");
        mcp_http_transport_free(subject);
        http_server_free(web);
        goto done;
    }
    printf("READY http://127.0.0.1:%u/mcp\nCONTROL http://127.0.0.1:%u/mcp\nWEB http://127.0.0.1:%u/\n",
           mcp_http_transport_port(subject), mcp_http_transport_port(judge), http_server_port(web));
    fflush(stdout);
    cli_stop_signals_wait(&stop_signals);
    http_server_free(web);
    mcp_http_transport_free(subject);
    mcp_http_transport_free(judge);
    result = 0;
done:
    task_server_free(server);
    json_decref(world);
    package_free(package);
    return result;
}
