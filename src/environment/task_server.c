/* task_server.c — episodes keyed by MCP session, the subject's tools and
 * the judge's lifecycle controls. One lock guards the episode table and
 * every step: steps are microseconds, and one lock keeps an episode's state
 * consistent when a client pipelines calls on several connections. */
#include "environment/task_server.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/memory.h"
#include "environment/environment.h"
#include "environment/task_evaluate.h"
#include "evaluate/evaluate.h"
#include "environment/web_internal.h"
#include "http/server.h"
#include "package/document.h"

#include <sys/random.h>

struct episode {
    char *session;
    struct environment *environment;
    long long seed;
    time_t last_used;
    int budget_exhausted;
};

struct task_server {
    const struct package *package;
    const struct task *task;
    const json_t *world;
    struct task_server_options options;
    struct mcp_server *subject;
    struct mcp_server *control;
    pthread_mutex_t lock;
    struct episode *episodes;
    size_t episode_count;
    struct environment *reference; /* replayed once, lazily, for state hashes */
    int reference_failed;
    json_t *initial;               /* the task's start state, built once and shared */
    struct evaluate_spec *spec;    /* the task's evaluators, compiled once */
};

json_t *task_server_load_world(const struct package *package, struct assay_error *error)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/data/world.json", package->folder);
    FILE *probe = fopen(path, "rb");
    if (probe == NULL)
        return json_object();
    fclose(probe);
    struct document *document = NULL;
    if (document_load(path, &document, error) != ASSAY_OK)
        return NULL;
    json_t *world = json_incref(document_root(document));
    document_free(document);
    return world;
}

/* ---- episodes (call with the lock held) ---------------------------------------- */

static void episode_drop(struct task_server *server, size_t index)
{
    assay_free(server->episodes[index].session);
    environment_free(server->episodes[index].environment);
    server->episodes[index] = server->episodes[--server->episode_count];
}

static void expire_idle(struct task_server *server)
{
    time_t now = time(NULL);
    for (size_t index = server->episode_count; index-- > 0;)
        if (now - server->episodes[index].last_used > (time_t)server->options.episode_idle_seconds)
            episode_drop(server, index);
}

static struct episode *episode_find(struct task_server *server, const char *session)
{
    for (size_t index = 0; index < server->episode_count; index++)
        if (strcmp(server->episodes[index].session, session) == 0)
            return &server->episodes[index];
    return NULL;
}

static int episode_reset(struct task_server *server, const char *session, long long seed,
                         struct episode **out, struct assay_error *error)
{
    struct episode *episode = episode_find(server, session);
    if (episode == NULL) {
        expire_idle(server);
        if (server->episode_count >= server->options.max_episodes)
            return assay_error_set(error, ASSAY_ERR_LIMIT, "too many live episodes (%zu); close some first",
                                   server->options.max_episodes);
        struct episode *episodes =
            assay_realloc(server->episodes, (server->episode_count + 1) * sizeof *episodes);
        if (episodes == NULL)
            return ASSAY_ERR_NOMEM;
        server->episodes = episodes;
        episode = &episodes[server->episode_count];
        memset(episode, 0, sizeof *episode);
        episode->session = assay_strdup(session);
        if (episode->session == NULL)
            return ASSAY_ERR_NOMEM;
        server->episode_count++;
    }
    struct environment *fresh = NULL;
    int status;
    if (server->initial == NULL) {
        status = environment_create(server->task->environment, server->world, server->task->environment_state,
                                    seed, &fresh, error);
        if (status == ASSAY_OK)
            server->initial = json_incref((json_t *)environment_initial_state(fresh));
    } else {
        status = environment_create_from_initial(server->task->environment, server->initial, seed, &fresh, error);
    }
    if (status != ASSAY_OK)
        return status;
    environment_free(episode->environment);
    episode->environment = fresh;
    episode->seed = seed;
    episode->budget_exhausted = 0;
    episode->last_used = time(NULL);
    *out = episode;
    return ASSAY_OK;
}

/* ---- the subject's tools ----------------------------------------------------- */

static int subject_tool(struct mcp_call *call, const char *tool, const json_t *arguments,
                        struct task_server *server, json_t **result)
{
    struct assay_error error = {0};
    struct buffer observation = {0};
    int status;
    /* A subject with a bearer token plays the token's episode, across
     * however many MCP sessions it opens; without one, its session's. */
    char key[300];
    const char *token = mcp_call_bearer_token(call);
    if (token[0] != '\0')
        snprintf(key, sizeof key, "token:%s", token);
    else
        snprintf(key, sizeof key, "%s", mcp_call_session_id(call));
    pthread_mutex_lock(&server->lock);
    struct episode *episode = episode_find(server, key);
    if (episode == NULL && server->options.require_token) {
        pthread_mutex_unlock(&server->lock);
        return mcp_call_fail(call, token[0] != '\0' ? "unknown episode token: ask the judge for this episode's token"
                                                   : "this environment needs the per-episode bearer token the judge "
                                                     "sent with the task (Authorization: Bearer ...)");
    }
    if (episode == NULL && (status = episode_reset(server, key, server->task->seed, &episode, &error)) != ASSAY_OK) {
        pthread_mutex_unlock(&server->lock);
        return mcp_call_fail(call, "cannot start the episode: %s", error.message);
    }
    episode->last_used = time(NULL);
    if (server->task->budget_steps > 0 && environment_steps(episode->environment) >= server->task->budget_steps &&
        !environment_done(episode->environment)) {
        episode->budget_exhausted = 1;
        pthread_mutex_unlock(&server->lock);
        return mcp_call_fail(call, "the step budget of %ld steps is used up; the episode is over",
                             server->task->budget_steps);
    }
    status = environment_step(episode->environment, tool, arguments, &observation, &error);
    pthread_mutex_unlock(&server->lock);
    if (status == ASSAY_ERR_NOMEM) {
        buffer_free(&observation);
        return status;
    }
    if (status != ASSAY_OK) {
        buffer_free(&observation);
        return mcp_call_fail(call, "%s", error.message);
    }
    *result = mcp_result_text(observation.data != NULL ? observation.data : "");
    buffer_free(&observation);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

/* One trampoline per tool name: the MCP library passes one context pointer,
 * so each registration carries a small struct naming its tool. */
struct tool_binding {
    struct task_server *server;
    char name[32];
};

static int bound_tool(struct mcp_call *call, const json_t *arguments, void *context, json_t **result)
{
    struct tool_binding *binding = context;
    return subject_tool(call, binding->name, arguments, binding->server, result);
}

static int instruction_resource(struct mcp_call *call, const char *uri, const json_t *variables,
                                void *context, json_t **result)
{
    struct task_server *server = context;
    *result = json_pack("{s:[{s:s, s:s, s:s}]}", "contents", "uri", uri, "mimeType", "text/plain", "text",
                        server->task->instruction);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

/* ---- the control operations as C calls ---------------------------------------- */

int task_server_reset(struct task_server *server, const char *episode, long long seed,
                      struct assay_error *error)
{
    struct episode *found = NULL;
    pthread_mutex_lock(&server->lock);
    int status = episode_reset(server, episode, seed, &found, error);
    pthread_mutex_unlock(&server->lock);
    return status;
}

int task_server_evaluate(struct task_server *server, const char *episode, json_t **verdict,
                         struct assay_error *error)
{
    *verdict = NULL;
    pthread_mutex_lock(&server->lock);
    if (server->reference == NULL && !server->reference_failed && server->task->reference != NULL &&
        task_replay_reference(server->task, server->world, &server->reference, error) != ASSAY_OK)
        server->reference_failed = 1;
    struct episode *found = episode_find(server, episode);
    int status = ASSAY_ERR_NOT_FOUND;
    if (found == NULL) {
        assay_error_set(error, status, "no episode '%s' (it never called a tool, or was closed)", episode);
    } else {
        found->last_used = time(NULL);
        status = task_evaluate(server->spec, found->environment, server->reference, verdict, error);
        if (status == ASSAY_OK && found->budget_exhausted)
            json_object_set_new(*verdict, "done", json_true());
    }
    pthread_mutex_unlock(&server->lock);
    return status;
}

void task_server_close(struct task_server *server, const char *episode)
{
    pthread_mutex_lock(&server->lock);
    for (size_t index = 0; index < server->episode_count; index++)
        if (strcmp(server->episodes[index].session, episode) == 0) {
            episode_drop(server, index);
            break;
        }
    pthread_mutex_unlock(&server->lock);
}

json_t *task_server_trace(struct task_server *server, const char *episode)
{
    pthread_mutex_lock(&server->lock);
    struct episode *found = episode_find(server, episode);
    json_t *trace = found != NULL ? json_deep_copy(environment_trace(found->environment)) : NULL;
    pthread_mutex_unlock(&server->lock);
    return trace;
}

/* ---- the judge's controls ------------------------------------------------------ */

/* The episode a control call names: {"token": T} is episode "token:T",
 * else {"session": S} (default ""). */
static const char *episode_argument(const json_t *arguments, char *key, size_t size)
{
    const char *token = json_string_value(json_object_get(arguments, "token"));
    if (token != NULL) {
        snprintf(key, size, "token:%s", token);
        return key;
    }
    const char *session = json_string_value(json_object_get(arguments, "session"));
    snprintf(key, size, "%s", session != NULL ? session : "");
    return key;
}

static int control_sessions(struct mcp_call *call, const json_t *arguments, void *context, json_t **result)
{
    struct task_server *server = context;
    json_t *list = json_array();
    pthread_mutex_lock(&server->lock);
    for (size_t index = 0; index < server->episode_count; index++) {
        struct episode *episode = &server->episodes[index];
        json_array_append_new(list, json_pack("{s:s, s:I, s:i, s:b}", "session", episode->session, "seed",
                                              (json_int_t)episode->seed, "steps",
                                              (int)environment_steps(episode->environment), "done",
                                              environment_done(episode->environment)));
    }
    pthread_mutex_unlock(&server->lock);
    *result = mcp_result_structured(json_pack("{s:o}", "sessions", list));
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int control_reset(struct mcp_call *call, const json_t *arguments, void *context, json_t **result)
{
    struct task_server *server = context;
    json_t *seed_value = json_object_get(arguments, "seed");
    long long seed = json_is_integer(seed_value) ? json_integer_value(seed_value) : server->task->seed;
    struct assay_error error = {0};
    char key[300];
    episode_argument(arguments, key, sizeof key);
    if (task_server_reset(server, key, seed, &error) != ASSAY_OK)
        return mcp_call_fail(call, "reset failed: %s", error.message);
    *result = mcp_result_structured(
        json_pack("{s:s, s:I, s:s}", "session", key, "seed", (json_int_t)seed, "task", server->task->id));
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int control_evaluate(struct mcp_call *call, const json_t *arguments, void *context, json_t **result)
{
    char key[300];
    struct assay_error error = {0};
    json_t *verdict = NULL;
    if (task_server_evaluate(context, episode_argument(arguments, key, sizeof key), &verdict, &error) != ASSAY_OK)
        return mcp_call_fail(call, "%s", error.message);
    *result = mcp_result_structured(verdict);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int control_close(struct mcp_call *call, const json_t *arguments, void *context, json_t **result)
{
    struct task_server *server = context;
    char key[300];
    episode_argument(arguments, key, sizeof key);
    pthread_mutex_lock(&server->lock);
    int found = episode_find(server, key) != NULL;
    pthread_mutex_unlock(&server->lock);
    task_server_close(server, key);
    *result = mcp_result_structured(json_pack("{s:b}", "closed", found));
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static const char session_schema[] =
    "{\"type\":\"object\",\"properties\":{\"session\":{\"type\":\"string\","
    "\"description\":\"the subject's MCP session id (\\\"\\\" over stdio)\"},"
    "\"token\":{\"type\":\"string\",\"description\":\"or the episode's bearer token\"}}}";

static int add_controls(struct task_server *server, struct mcp_server *target)
{
    int status = mcp_server_add_tool(target, &(struct mcp_tool){
        .name = "sessions", .description = "List live episodes (judge only).", .handler = control_sessions,
        .context = server});
    status = status ? status : mcp_server_add_tool(target, &(struct mcp_tool){
        .name = "reset", .description = "Start the episode of a session afresh, with an optional seed (judge only).",
        .input_schema_json = "{\"type\":\"object\",\"properties\":{\"session\":{\"type\":\"string\"},"
                             "\"token\":{\"type\":\"string\"},\"seed\":{\"type\":\"integer\"}}}",
        .handler = control_reset, .context = server});
    status = status ? status : mcp_server_add_tool(target, &(struct mcp_tool){
        .name = "evaluate", .description = "Judge a session's episode: score, verdicts, done (judge only).",
        .input_schema_json = session_schema, .handler = control_evaluate, .context = server});
    status = status ? status : mcp_server_add_tool(target, &(struct mcp_tool){
        .name = "close", .description = "End a session's episode and free it (judge only).",
        .input_schema_json = session_schema, .handler = control_close, .context = server});
    return status;
}

/* ---- the HTML front end ------------------------------------------------------- */

#define EPISODE_COOKIE "assay_episode="

/* The browser's session name from its cookie, or a new one (then *fresh). */
static void browser_session(struct http_request *request, char *session, size_t size, int *fresh)
{
    const char *cookie = http_request_header(request, "Cookie");
    const char *found = cookie != NULL ? strstr(cookie, EPISODE_COOKIE) : NULL;
    *fresh = 0;
    if (found != NULL) {
        found += strlen(EPISODE_COOKIE);
        size_t length = strspn(found, "0123456789abcdef");
        if (length == 32) {
            snprintf(session, size, "web:%.32s", found);
            return;
        }
    }
    unsigned char bytes[16] = {0};
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        for (size_t index = 0; index < sizeof bytes; index++)
            bytes[index] = (unsigned char)(rand() & 0xff);
    char hex[33];
    for (size_t index = 0; index < sizeof bytes; index++)
        snprintf(hex + index * 2, 3, "%02x", bytes[index]);
    snprintf(session, size, "web:%s", hex);
    *fresh = 1;
}

static void web_respond(struct task_server *server, struct http_request *request, struct episode *episode,
                        const char *session, int fresh)
{
    struct buffer html = {0};
    int status = environment_render_html(episode->environment, &html);
    if (fresh) {
        char cookie[128];
        snprintf(cookie, sizeof cookie, EPISODE_COOKIE "%s; Path=/; HttpOnly; SameSite=Strict", session + 4);
        http_request_add_response_header(request, "Set-Cookie", cookie);
    }
    if (status == ASSAY_OK)
        http_respond(request, 200, "text/html; charset=utf-8", html.data, html.length);
    else
        http_respond_error(request, 500, "cannot render the page");
    buffer_free(&html);
}

/* Finds or starts the browser's episode; NULL after answering an error. */
static struct episode *web_episode(struct task_server *server, struct http_request *request, char *session,
                                   size_t size, int *fresh)
{
    browser_session(request, session, size, fresh);
    struct episode *episode = episode_find(server, session);
    struct assay_error error = {0};
    if (episode == NULL && episode_reset(server, session, server->task->seed, &episode, &error) != ASSAY_OK) {
        http_respond_error(request, 503, error.message);
        return NULL;
    }
    episode->last_used = time(NULL);
    return episode;
}

static void web_step(struct episode *episode, const char *tool, json_t *arguments)
{
    struct buffer observation = {0};
    environment_step(episode->environment, tool, arguments, &observation, NULL);
    buffer_free(&observation);
    json_decref(arguments);
}

static void web_page(struct http_request *request, void *context)
{
    struct task_server *server = context;
    char session[64];
    int fresh = 0;
    pthread_mutex_lock(&server->lock);
    struct episode *episode = web_episode(server, request, session, sizeof session, &fresh);
    if (episode != NULL)
        web_respond(server, request, episode, session, fresh);
    pthread_mutex_unlock(&server->lock);
}

static void web_open(struct http_request *request, void *context)
{
    struct task_server *server = context;
    char session[64];
    int fresh = 0;
    const char *url = http_request_query(request, "url");
    pthread_mutex_lock(&server->lock);
    struct episode *episode = web_episode(server, request, session, sizeof session, &fresh);
    if (episode != NULL) {
        if (url != NULL && !environment_done(episode->environment))
            web_step(episode, "open", json_pack("{s:s}", "url", url));
        web_respond(server, request, episode, session, fresh);
    }
    pthread_mutex_unlock(&server->lock);
}

static void web_act(struct http_request *request, void *context)
{
    struct task_server *server = context;
    char session[64];
    int fresh = 0;
    size_t length = 0;
    const char *body = http_request_body(request, &length);
    pthread_mutex_lock(&server->lock);
    struct episode *episode = web_episode(server, request, session, sizeof session, &fresh);
    if (episode == NULL) {
        pthread_mutex_unlock(&server->lock);
        return;
    }
    struct buffer value = {0};
    if (!environment_done(episode->environment)) {
        /* Type only what changed, so the trace matches a text agent's. */
        for (int number = 1; number <= 64; number++) {
            char field[32];
            snprintf(field, sizeof field, "_field%d", number);
            const char *current = environment_field_value(episode->environment, number);
            if (!web__query_value(body, field, &value) || current == NULL || strcmp(current, value.data) == 0)
                continue;
            web_step(episode, "type", json_pack("{s:i, s:s}", "element", number, "text", value.data));
        }
        if (web__query_value(body, "_element", &value))
            web_step(episode, "click", json_pack("{s:i}", "element", atoi(value.data)));
    }
    buffer_free(&value);
    web_respond(server, request, episode, session, fresh);
    pthread_mutex_unlock(&server->lock);
}

int task_server_add_web_routes(struct task_server *server, struct http_server *http)
{
    int status = http_server_route(http, "GET", "/", web_page, server);
    status = status ? status : http_server_route(http, "GET", "/_open", web_open, server);
    return status ? status : http_server_route(http, "POST", "/_act", web_act, server);
}

/* ---- construction --------------------------------------------------------------- */

int task_server_new(const struct package *package, const struct task *task, const json_t *world,
                    const struct task_server_options *options, struct task_server **out,
                    struct assay_error *error)
{
    *out = NULL;
    if (!environment_exists(task->environment))
        return assay_error_set(error, ASSAY_ERR_NOT_FOUND, "task %s: no built-in environment '%s'", task->id,
                               task->environment != NULL ? task->environment : "(none)");
    size_t tool_count = 0;
    const struct environment_tool *tools = environment_tools(task->environment, &tool_count);
    /* bindings live right after the server struct so one free releases both */
    struct task_server *server =
        assay_calloc(1, sizeof *server + sizeof(struct tool_binding) * (tool_count + 1));
    if (server == NULL)
        return ASSAY_ERR_NOMEM;
    struct tool_binding *bindings = (struct tool_binding *)(server + 1);
    server->package = package;
    server->task = task;
    server->world = world;
    if (options != NULL)
        server->options = *options;
    if (server->options.episode_idle_seconds == 0)
        server->options.episode_idle_seconds = 600;
    if (server->options.max_episodes == 0)
        server->options.max_episodes = 1024;
    pthread_mutex_init(&server->lock, NULL);

    char title[256];
    snprintf(title, sizeof title, "%s / %s", package->name, task->id);
    struct mcp_server_options subject_options = {
        .name = "assay-env", .title = title,
        .instructions = "A task environment. Read the resource task://instruction for what to do, then use the tools; "
                        "finish with the answer tool."};
    int status = mcp_server_new(&subject_options, &server->subject);
    struct mcp_server_options control_options = {.name = "assay-env-control", .title = title};
    status = status ? status : mcp_server_new(&control_options, &server->control);
    for (size_t index = 0; status == ASSAY_OK && index < tool_count; index++) {
        if (!string_list_contains(&task->tools, tools[index].name))
            continue;
        bindings[index].server = server;
        snprintf(bindings[index].name, sizeof bindings[index].name, "%s", tools[index].name);
        status = mcp_server_add_tool(server->subject, &(struct mcp_tool){
            .name = tools[index].name, .description = tools[index].description,
            .input_schema_json = tools[index].input_schema_json, .handler = bound_tool,
            .context = &bindings[index]});
    }
    for (size_t index = 0; status == ASSAY_OK && index < task->tools.count; index++) {
        int known = 0;
        for (size_t tool = 0; tool < tool_count && !known; tool++)
            known = strcmp(tools[tool].name, task->tools.items[index]) == 0;
        if (!known)
            status = assay_error_set(error, ASSAY_ERR_INVALID, "task %s offers tool '%s', which the %s environment lacks",
                                     task->id, task->tools.items[index], task->environment);
    }
    if (status == ASSAY_OK && task->evaluators == NULL)
        status = assay_error_set(error, ASSAY_ERR_INVALID, "task %s has no evaluators", task->id);
    status = status ? status : task_compile_evaluators(task, &server->spec, error);
    status = status ? status : mcp_server_add_resource(server->subject, &(struct mcp_resource){
        .uri = "task://instruction", .name = "instruction", .description = "What the task asks of you.",
        .mime_type = "text/plain", .handler = instruction_resource, .context = server});
    status = status ? status : add_controls(server, server->control);
    if (status == ASSAY_OK && server->options.control_on_subject)
        status = add_controls(server, server->subject);
    if (status != ASSAY_OK) {
        if (error != NULL && error->message[0] == '\0')
            assay_error_set(error, status, "cannot set up the task's MCP servers: %s",
                            server->subject ? mcp_server_last_error(server->subject) : assay_strerror(status));
        task_server_free(server);
        return status;
    }
    *out = server;
    return ASSAY_OK;
}

void task_server_free(struct task_server *server)
{
    if (server == NULL)
        return;
    mcp_server_free(server->subject);
    mcp_server_free(server->control);
    while (server->episode_count > 0)
        episode_drop(server, server->episode_count - 1);
    assay_free(server->episodes);
    environment_free(server->reference);
    json_decref(server->initial);
    evaluate_spec_free(server->spec);
    pthread_mutex_destroy(&server->lock);
    assay_free(server);
}

struct mcp_server *task_server_subject(struct task_server *server) { return server->subject; }
struct mcp_server *task_server_control(struct task_server *server) { return server->control; }
