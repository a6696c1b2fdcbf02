/* task_server.h — one task of a benchmark package served over MCP.
 *
 * Two MCP servers share one table of episodes:
 *   - the *subject* server offers the task's tools (those the task lists, with
 *     the environment's schemas) and a resource `task://instruction`. Each
 *     MCP session plays its own episode, created fresh (reset with the
 *     task's seed) on its first tool call, so sessions never see each
 *     other's state. The step budget is enforced here.
 *   - the *control* server, for judges only, offers `sessions`, `reset`,
 *     `evaluate` and `close` (modelled on the CUBE proposal's lifecycle),
 *     naming an episode by `session` (its MCP session id) or by `token` (the
 *     per-episode bearer token a judge hands its subject: the episode is
 *     "token:T", whatever MCP sessions the subject opens with it). It
 *     is served on a separate endpoint that subjects are never told about;
 *     evaluators, the reference solution and the state stay behind it.
 *
 * Ownership: the task server borrows the package, the task and the world
 * (they must outlive it) and owns both MCP servers and every episode.
 * Episodes unused for `episode_idle_seconds` are dropped, bounding memory
 * when subjects vanish without closing.
 */
#ifndef ASSAY_ENVIRONMENT_TASK_SERVER_H
#define ASSAY_ENVIRONMENT_TASK_SERVER_H

#include <jansson.h>

#include "core/status.h"
#include "mcp/server.h"
#include "package/package.h"

struct task_server;

struct task_server_options {
    unsigned episode_idle_seconds; /* default 600 */
    size_t max_episodes;           /* default 1024 */
    /* In single-endpoint mode (stdio) the control tools are added to the
     * subject server too: only for a judge that is itself the client. */
    int control_on_subject;
    /* Judge mode: a subject must present `Authorization: Bearer T` where T
     * names an episode the judge created with `reset {token: T}`; anyone
     * else is refused. Without it, a subject with a token still gets the
     * token's episode (created on first use), one without plays per session. */
    int require_token;
};

int task_server_new(const struct package *package, const struct task *task, const json_t *world,
                    const struct task_server_options *options, struct task_server **out,
                    struct assay_error *error);
void task_server_free(struct task_server *server);

/* The control operations as C calls, for a judge in the same process:
 * `episode` names an episode the way the control tools do ("token:T" for
 * the episode of bearer token T, or an MCP session id). evaluate sets
 * *verdict to a new reference (see task_evaluate.h); close is a no-op for
 * an unknown episode. */
int task_server_reset(struct task_server *server, const char *episode, long long seed,
                      struct assay_error *error);
int task_server_evaluate(struct task_server *server, const char *episode, json_t **verdict,
                         struct assay_error *error);
void task_server_close(struct task_server *server, const char *episode);
/* A copy of the episode's tool-call trace (new reference), or NULL. */
json_t *task_server_trace(struct task_server *server, const char *episode);

struct mcp_server *task_server_subject(struct task_server *server);
struct mcp_server *task_server_control(struct task_server *server);

/* Adds the HTML front end to an HTTP server (before it starts): browsers
 * get the same episodes through pages and forms. A cookie names the
 * browser's episode (session "web:<cookie>" in the control tools); a form
 * post becomes the type and click steps a text agent would take, so the
 * trace and the evaluators are the same for both kinds of agent.
 *   GET  /            the current page (the shop's home page at first)
 *   GET  /_open?url=  open a URL
 *   POST /_act        fill the page's textboxes and press a button */
struct http_server;
int task_server_add_web_routes(struct task_server *server, struct http_server *http);

/* Loads the world a package's tasks start from: data/world.json inside the
 * package when present, else an empty object. New reference. */
json_t *task_server_load_world(const struct package *package, struct assay_error *error);

#endif
