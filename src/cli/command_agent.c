/* command_agent.c — `assay agent oracle|random|llm`: serve a built-in baseline
 * subject agent over A2A until SIGINT or SIGTERM (src/agents/agents.h,
 * docs/agents.md). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a2a/server.h"
#include "agents/agents.h"
#include "cli/commands.h"

static const char usage_text[] =
    "usage: assay agent oracle|random|llm [--port P] [--seed S] [--bind ADDRESS]\n"
    "\n"
    "Serves a built-in baseline subject agent over A2A 1.0 until SIGINT or SIGTERM.\n"
    "Prints one line `READY http://127.0.0.1:PORT` once listening (--port 0, the\n"
    "default, picks a free port).\n"
    "\n"
    "Each SendMessage is one episode: a text part with the task instruction and a\n"
    "data part {\"assay\": {\"version\": 1, \"task\", \"mcp\": {\"url\", \"token\"},\n"
    "\"budgets\": {\"steps\", \"seconds\"}, \"reference\"}} (docs/agents.md). The agent\n"
    "plays the task through the MCP tools at mcp.url and ends the task COMPLETED with\n"
    "an artifact \"episode\", or FAILED with the reason.\n"
    "\n"
    "  oracle   plays the reference solution, which it gets only through the\n"
    "           privileged \"reference\" member; without it the task fails.\n"
    "  random   seeded random valid tool calls; --seed S (default 1) and the task id\n"
    "           choose the sequence, so runs are reproducible.\n"
    "  llm      a tool-calling agent for an OpenAI-compatible chat-completions\n"
    "           endpoint: ASSAY_LLM_URL (base URL; POST {base}/v1/chat/completions),\n"
    "           ASSAY_LLM_MODEL (model name) and ASSAY_LLM_KEY (optional bearer key,\n"
    "           never logged). It refuses to start without the first two.\n"
    "\n"
    "Options: --port P (default 0), --seed S (random; default 1), --bind ADDRESS\n"
    "(default 127.0.0.1).\n";

static int parse_unsigned(const char *text, unsigned long long maximum, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    if (text == NULL || text[0] == '-' || text[0] == '\0')
        return 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || value > maximum)
        return 0;
    *out = value;
    return 1;
}

int command_agent(int argc, char **argv)
{
    if (command_wants_help(argc, argv)) {
        fputs(usage_text, stdout);
        return 0;
    }
    struct agent_config config = {.seed = 1};
    struct agent_llm_config llm = {0};
    int is_llm = argc >= 2 && strcmp(argv[1], "llm") == 0;
    if (is_llm) {
        struct assay_error error = {0};
        if (agent_llm_config_load(getenv("ASSAY_LLM_URL"), getenv("ASSAY_LLM_MODEL"),
                                  getenv("ASSAY_LLM_KEY"), &llm, &error) != ASSAY_OK) {
            fprintf(stderr, "assay agent llm: %s\n", error.message);
            return 2;
        }
    } else if (argc < 2 || agent_kind_parse(argv[1], &config.kind) != 0) {
        fprintf(stderr, "assay agent: name the agent: oracle, random or llm (see --help)\n");
        return 2;
    }
    unsigned long long port = 0;
    const char *bind_address = "127.0.0.1";
    for (int index = 2; index < argc; index++) {
        const char *option = argv[index];
        const char *value = index + 1 < argc ? argv[index + 1] : NULL;
        int ok = value != NULL;
        if (strcmp(option, "--port") == 0)
            ok = ok && parse_unsigned(value, 65535, &port);
        else if (strcmp(option, "--seed") == 0 && !is_llm) {
            unsigned long long seed = 0;
            ok = ok && parse_unsigned(value, UINT64_MAX, &seed);
            config.seed = seed;
        } else if (strcmp(option, "--bind") == 0)
            bind_address = value;
        else {
            fprintf(stderr, "assay agent: unknown option '%s' (see --help)\n", option);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "assay agent: %s needs a valid value (see --help)\n", option);
            return 2;
        }
        index++;
    }

    sigset_t signals;
    cli_stop_signals_block(&signals);

    const char *name = is_llm ? "llm" : agent_kind_name(config.kind);
    const char *title = is_llm ? "LLM" : config.kind == AGENT_ORACLE ? "Oracle" : "Random";
    const char *description =
        is_llm ? "Lets a model behind an OpenAI-compatible chat-completions endpoint play an "
                 "assay task through its MCP tools (docs/agents.md)."
        : config.kind == AGENT_ORACLE
            ? "Plays the reference solution given on the privileged channel of an assay "
              "task message (docs/agents.md)."
            : "Seeded random valid tool calls on the MCP environment of an assay task "
              "message (docs/agents.md).";
    json_t *skills = json_pack("[{s:s, s:s, s:s, s:[s,s,s]}]", "id", name, "name", title,
                               "description", description, "tags", "assay", "baseline", name);
    char agent_name[64];
    snprintf(agent_name, sizeof agent_name, "assay %s agent", name);
    struct a2a_server_options options = {
        .name = agent_name,
        .description = "A built-in baseline subject agent of assay (assay agent).",
        .skills = skills,
        .http = {.bind_address = bind_address, .port = (unsigned short)port, .threads = 2},
        .executor = is_llm ? agent_llm_executor(&llm) : agent_executor(&config),
    };
    struct a2a_server *server = NULL;
    int status = skills != NULL ? a2a_server_new(&options, &server) : ASSAY_ERR_NOMEM;
    json_decref(skills);
    if (status == ASSAY_OK)
        status = a2a_server_start(server);
    if (status != ASSAY_OK) {
        fprintf(stderr, "assay agent: cannot start the %s agent on %s:%llu: %s\n", name,
                bind_address, port, assay_strerror(status));
        a2a_server_free(server);
        return 1;
    }
    printf("READY http://127.0.0.1:%u\n", a2a_server_port(server));
    fflush(stdout);
    int received = cli_stop_signals_wait(&signals);
    fprintf(stderr, "assay agent: %s, shutting down\n", received == SIGINT ? "SIGINT" : "SIGTERM");
    a2a_server_free(server);
    return 0;
}
