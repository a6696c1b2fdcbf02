/* fixture_a2a.c — `assay fixture a2a echo|client ...`: the A2A echo agent
 * and a command-line driver of assay's A2A client, for the interop tests
 * (tests/interop/run-a2a.sh) and the benchmarks. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a2a/client.h"
#include "a2a/echo_agent.h"
#include "a2a/server.h"
#include "cli/commands.h"
#include "core/buffer.h"
#include "core/memory.h"
#include "jsonrpc/json_strict.h"

static const char usage_text[] =
    "usage: assay fixture a2a echo [--port P] [--threads N] [--workers N] [--retain N]\n"
    "                              [--bind ADDRESS]\n"
    "       assay fixture a2a client URL OPERATION [ARGUMENTS] [OPTIONS]\n"
    "\n"
    "echo: serve the A2A echo agent until SIGINT or SIGTERM. Prints one line\n"
    "  `READY http://127.0.0.1:PORT` once listening (--port 0, the default, picks a\n"
    "  free port). --threads: HTTP event threads (default 2); --workers: most\n"
    "  executor threads (default 64); --retain: finished tasks kept (default 10000).\n"
    "  Behaviour by message text: \"input...\" asks for input (the next message on\n"
    "  the task completes it), \"slow...\" works ~3 s with status updates, \"fail...\"\n"
    "  fails, anything else completes with an artifact echoing the text.\n"
    "\n"
    "client: drive assay's A2A client against the agent at URL (its agent card is\n"
    "  resolved for the JSONRPC interface unless --endpoint says URL is the\n"
    "  JSON-RPC endpoint itself). Operations:\n"
    "    card                      the agent card\n"
    "    send TEXT                 SendMessage  [--task-id ID] [--context-id ID]\n"
    "                              [--return-immediately] [--history-length N]\n"
    "    stream TEXT               SendStreamingMessage, one event per line\n"
    "                              [--task-id ID] [--context-id ID] [--history-length N]\n"
    "    get ID                    GetTask  [--history-length N]\n"
    "    list                      ListTasks  [--context-id ID] [--status STATE]\n"
    "                              [--page-size N] [--page-token T] [--history-length N]\n"
    "                              [--include-artifacts]\n"
    "    cancel ID                 CancelTask\n"
    "    subscribe ID              SubscribeToTask, one event per line\n"
    "    call METHOD [PARAMS]      any method with PARAMS as JSON text\n"
    "  Options: --token T (bearer token), --timeout MS (per call), --endpoint.\n"
    "  Prints results as JSON on stdout. On failure: exit status 1, a line\n"
    "  {\"error\":{\"status\":...,\"code\":...,\"reason\":...,\"message\":...}} on stdout\n"
    "  and a one-line reason on stderr; exit status 2 for bad usage.\n";

/* ---- echo --------------------------------------------------------------------- */

static int parse_number(const char *text, long minimum, long maximum, long *out)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < minimum || value > maximum)
        return 0;
    *out = value;
    return 1;
}

static int run_echo(int argc, char **argv)
{
    long port = 0, threads = 2, workers = 64, retain = 10000;
    const char *bind_address = "127.0.0.1";
    for (int index = 1; index < argc; index++) {
        const char *option = argv[index];
        const char *value = index + 1 < argc ? argv[index + 1] : NULL;
        int ok = value != NULL;
        if (strcmp(option, "--port") == 0)
            ok = ok && parse_number(value, 0, 65535, &port);
        else if (strcmp(option, "--threads") == 0)
            ok = ok && parse_number(value, 1, 64, &threads);
        else if (strcmp(option, "--workers") == 0)
            ok = ok && parse_number(value, 1, 4096, &workers);
        else if (strcmp(option, "--retain") == 0)
            ok = ok && parse_number(value, 1, 10000000, &retain);
        else if (strcmp(option, "--bind") == 0)
            bind_address = value;
        else {
            fprintf(stderr, "assay fixture a2a echo: unknown option '%s' (see --help)\n", option);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "assay fixture a2a echo: %s needs a valid value (see --help)\n",
                    option);
            return 2;
        }
        index++;
    }

    sigset_t signals;
    cli_stop_signals_block(&signals);

    json_t *skills = json_pack(
        "[{s:s, s:s, s:s, s:[s,s], s:[s,s,s,s]}]", "id", "echo", "name", "Echo", "description",
        "Echoes the text; \"input\", \"slow\" and \"fail\" prefixes "
        "exercise the protocol.",
        "tags", "test", "echo", "examples", "hello", "input please", "slow please", "fail please");
    struct a2a_server_options options = {
        .name = "assay echo agent",
        .description = "Echo agent for A2A interop tests and benchmarks (assay fixture a2a echo).",
        .skills = skills,
        .http = {.bind_address = bind_address,
                 .port = (unsigned short)port,
                 .threads = (unsigned)threads,
                 .max_streams_per_client = 1024},
        .executor = a2a_echo_executor(),
        .memory_store = {.max_terminal_tasks = (size_t)retain},
        .max_workers = (unsigned)workers,
    };
    struct a2a_server *server = NULL;
    int status = a2a_server_new(&options, &server);
    json_decref(skills);
    if (status == ASSAY_OK)
        status = a2a_server_start(server);
    if (status != ASSAY_OK) {
        fprintf(stderr, "assay fixture a2a echo: cannot start the agent on %s:%ld: %s\n",
                bind_address, port, assay_strerror(status));
        a2a_server_free(server);
        return 1;
    }
    printf("READY http://127.0.0.1:%u\n", a2a_server_port(server));
    fflush(stdout);
    int received = cli_stop_signals_wait(&signals);
    fprintf(stderr, "assay fixture a2a echo: %s, shutting down\n",
            received == SIGINT ? "SIGINT" : "SIGTERM");
    a2a_server_free(server);
    return 0;
}

/* ---- client ------------------------------------------------------------------------ */

struct client_arguments {
    const char *url;
    const char *operation;
    const char *operand; /* TEXT, ID or METHOD */
    const char *extra;   /* PARAMS for call */
    const char *token;
    const char *task_id;
    const char *context_id;
    const char *status;
    const char *page_token;
    long timeout_ms;
    long history_length;
    long page_size;
    int return_immediately;
    int include_artifacts;
    int endpoint;
};

static void print_json(const json_t *value)
{
    struct buffer text = {0};
    if (json_strict_dump(value, &text) == ASSAY_OK)
        printf("%s\n", text.data);
    buffer_free(&text);
    fflush(stdout);
}

static int report_error(const struct a2a_client_error *error, const char *operation)
{
    json_t *report =
        json_pack("{s:{s:s, s:i, s:I, s:s, s:s}}", "error", "status", assay_strerror(error->status),
                  "code", error->code, "httpStatus", (json_int_t)error->http_status, "reason",
                  error->reason, "message", error->message);
    if (report != NULL)
        print_json(report);
    json_decref(report);
    if (error->status == ASSAY_ERR_REMOTE)
        fprintf(stderr, "assay fixture a2a client: %s: the agent answered error %d%s%s%s: %s\n",
                operation, error->code, error->reason[0] ? " (" : "", error->reason,
                error->reason[0] ? ")" : "", error->message);
    else
        fprintf(stderr, "assay fixture a2a client: %s: %s: %s\n", operation,
                assay_strerror(error->status), error->message);
    return 1;
}

static int print_event(json_t *event, void *context)
{
    (void)context;
    print_json(event);
    return 0;
}

static int parse_client_arguments(int argc, char **argv, struct client_arguments *arguments)
{
    memset(arguments, 0, sizeof *arguments);
    arguments->history_length = -1;
    arguments->page_size = -1;
    const char *positional[4] = {NULL, NULL, NULL, NULL};
    int positional_count = 0;
    for (int index = 1; index < argc; index++) {
        const char *option = argv[index];
        const char *value = index + 1 < argc ? argv[index + 1] : NULL;
        if (strncmp(option, "--", 2) != 0) {
            if (positional_count == 4) {
                fprintf(stderr, "assay fixture a2a client: unexpected argument '%s'\n", option);
                return 0;
            }
            positional[positional_count++] = option;
            continue;
        }
        if (strcmp(option, "--return-immediately") == 0) {
            arguments->return_immediately = 1;
            continue;
        }
        if (strcmp(option, "--include-artifacts") == 0) {
            arguments->include_artifacts = 1;
            continue;
        }
        if (strcmp(option, "--endpoint") == 0) {
            arguments->endpoint = 1;
            continue;
        }
        int ok = value != NULL;
        if (strcmp(option, "--token") == 0)
            arguments->token = value;
        else if (strcmp(option, "--task-id") == 0)
            arguments->task_id = value;
        else if (strcmp(option, "--context-id") == 0)
            arguments->context_id = value;
        else if (strcmp(option, "--status") == 0)
            arguments->status = value;
        else if (strcmp(option, "--page-token") == 0)
            arguments->page_token = value;
        else if (strcmp(option, "--timeout") == 0)
            ok = ok && parse_number(value, 1, 86400000, &arguments->timeout_ms);
        else if (strcmp(option, "--history-length") == 0)
            ok = ok && parse_number(value, 0, 1000000, &arguments->history_length);
        else if (strcmp(option, "--page-size") == 0)
            ok = ok && parse_number(value, 0, 1000000, &arguments->page_size);
        else {
            fprintf(stderr, "assay fixture a2a client: unknown option '%s' (see --help)\n", option);
            return 0;
        }
        if (!ok) {
            fprintf(stderr, "assay fixture a2a client: %s needs a valid value\n", option);
            return 0;
        }
        index++;
    }
    arguments->url = positional[0];
    arguments->operation = positional[1];
    arguments->operand = positional[2];
    arguments->extra = positional[3];
    if (arguments->url == NULL || arguments->operation == NULL) {
        fprintf(stderr, "assay fixture a2a client: needs URL and OPERATION (see --help)\n");
        return 0;
    }
    /* Checked before any network traffic: a typo is a usage error (exit 2). */
    static const struct {
        const char *name;
        int operands; /* besides URL and the operation */
    } operations[] = {{"card", 0}, {"send", 1},   {"stream", 1},    {"get", 1},
                      {"list", 0}, {"cancel", 1}, {"subscribe", 1}, {"call", 1}};
    for (size_t index = 0; index < sizeof operations / sizeof operations[0]; index++) {
        if (strcmp(arguments->operation, operations[index].name) != 0)
            continue;
        if (operations[index].operands > 0 && arguments->operand == NULL) {
            fprintf(stderr, "assay fixture a2a client: %s needs an argument (see --help)\n",
                    arguments->operation);
            return 0;
        }
        return 1;
    }
    fprintf(stderr, "assay fixture a2a client: unknown operation '%s' (see --help)\n",
            arguments->operation);
    return 0;
}

static int run_operation(struct a2a_client *client, const struct client_arguments *arguments,
                         struct a2a_client_error *error)
{
    const char *operation = arguments->operation;
    struct a2a_call_options call = {.timeout_ms = arguments->timeout_ms};
    struct a2a_send_options send = {.return_immediately = arguments->return_immediately,
                                    .history_length = (int)arguments->history_length};
    json_t *result = NULL;
    int status;
    if (strcmp(operation, "send") == 0 || strcmp(operation, "stream") == 0) {
        json_t *message = a2a_user_text_message_new(arguments->operand, arguments->task_id,
                                                    arguments->context_id);
        if (strcmp(operation, "send") == 0)
            status = a2a_client_send(client, message, &send, &call, &result, error);
        else
            status = a2a_client_stream(client, message, &send, &call, print_event, NULL, error);
        json_decref(message);
    } else if (strcmp(operation, "get") == 0) {
        status = a2a_client_get_task(client, arguments->operand, (int)arguments->history_length,
                                     &call, &result, error);
    } else if (strcmp(operation, "cancel") == 0) {
        status = a2a_client_cancel_task(client, arguments->operand, &call, &result, error);
    } else if (strcmp(operation, "subscribe") == 0) {
        status = a2a_client_subscribe(client, arguments->operand, &call, print_event, NULL, error);
    } else if (strcmp(operation, "list") == 0) {
        json_t *params = json_object();
        if (arguments->context_id != NULL)
            json_object_set_new(params, "contextId", json_string(arguments->context_id));
        if (arguments->status != NULL)
            json_object_set_new(params, "status", json_string(arguments->status));
        if (arguments->page_size >= 0)
            json_object_set_new(params, "pageSize", json_integer(arguments->page_size));
        if (arguments->page_token != NULL)
            json_object_set_new(params, "pageToken", json_string(arguments->page_token));
        if (arguments->history_length >= 0)
            json_object_set_new(params, "historyLength", json_integer(arguments->history_length));
        if (arguments->include_artifacts)
            json_object_set_new(params, "includeArtifacts", json_true());
        status = a2a_client_list_tasks(client, params, &call, &result, error);
        json_decref(params);
    } else if (strcmp(operation, "call") == 0) {
        json_t *params = NULL;
        if (arguments->extra != NULL) {
            struct assay_error parse_error = {0};
            params = json_strict_parse(arguments->extra, strlen(arguments->extra),
                                       JSON_STRICT_DEFAULT_DEPTH, &parse_error);
            if (params == NULL) {
                fprintf(stderr, "assay fixture a2a client: PARAMS: %s\n", parse_error.message);
                return 2;
            }
        }
        status = a2a_client_call(client, arguments->operand, params, &call, &result, error);
        json_decref(params);
    } else {
        fprintf(stderr, "assay fixture a2a client: unknown operation '%s' (see --help)\n",
                operation);
        return 2;
    }
    if (status == ASSAY_OK && result != NULL)
        print_json(result);
    json_decref(result);
    return status == ASSAY_OK ? 0 : report_error(error, operation);
}

static int run_client(int argc, char **argv)
{
    struct client_arguments arguments;
    if (!parse_client_arguments(argc, argv, &arguments))
        return 2;
    signal(SIGPIPE, SIG_IGN);
    struct a2a_client_options options = {.bearer_token = arguments.token,
                                         .timeout_ms = arguments.timeout_ms};
    struct a2a_client_error error = {0};
    struct a2a_client *client = NULL;
    json_t *card = NULL;
    int status;
    if (arguments.endpoint) {
        if (strcmp(arguments.operation, "card") == 0) {
            fprintf(stderr,
                    "assay fixture a2a client: card needs the agent's URL, not --endpoint\n");
            return 2;
        }
        status = a2a_client_new(arguments.url, &options, &client);
        if (status != ASSAY_OK)
            snprintf(error.message, sizeof error.message, "cannot make a client for %s",
                     arguments.url);
        error.status = status;
    } else {
        status = a2a_client_resolve(arguments.url, &options, &client, &card, &error);
    }
    if (status != ASSAY_OK)
        return report_error(&error, "resolve");
    int exit_status;
    if (strcmp(arguments.operation, "card") == 0) {
        print_json(card);
        exit_status = 0;
    } else {
        exit_status = run_operation(client, &arguments, &error);
    }
    json_decref(card);
    a2a_client_free(client);
    return exit_status;
}

int command_fixture_a2a(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        (argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0))) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(argv[1], "echo") == 0)
        return run_echo(argc - 1, argv + 1);
    if (strcmp(argv[1], "client") == 0)
        return run_client(argc - 1, argv + 1);
    fprintf(stderr, "assay fixture a2a: unknown fixture '%s' (echo or client; see --help)\n",
            argv[1]);
    return 2;
}
