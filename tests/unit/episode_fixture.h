/* episode_fixture.h — what the agent tests share: the built-in web-of-sites
 * package loaded once per group, one task served over loopback MCP, and the
 * episode scored through the control server as a judge would. Not a test
 * group itself. */
#ifndef ASSAY_TEST_EPISODE_FIXTURE_H
#define ASSAY_TEST_EPISODE_FIXTURE_H

#include <stdint.h>

#include <jansson.h>

#include "a2a/client.h"
#include "a2a/executor.h"
#include "a2a/server.h"
#include "environment/task_server.h"
#include "mcp/http_transport.h"
#include "package/package.h"

extern struct package *web_package;
extern json_t *web_world;

/* cmocka group setup and teardown: load and free web-of-sites. */
int web_package_load(void **state);
int web_package_free(void **state);

struct environment_fixture {
    const struct task *task;
    struct task_server *server;
    struct mcp_http_transport *http;
    char url[128];
};

void environment_start(struct environment_fixture *fixture, const char *task_id);
void environment_stop(struct environment_fixture *fixture);
/* Scores the one episode the task server holds (it must hold exactly one). */
double environment_score(struct environment_fixture *fixture);

/* ---- the agent over loopback A2A, and the judge's side of an episode ---- */

/* An agent's executor served over loopback A2A, with a client to it. */
struct agent_endpoint {
    struct a2a_server *server;
    struct a2a_client *client;
};

void agent_endpoint_start(struct agent_endpoint *endpoint, const char *name,
                          struct a2a_executor executor, unsigned max_workers);
void agent_endpoint_stop(struct agent_endpoint *endpoint);

/* What the judge puts in the message's `assay` data part. */
struct episode_message {
    const char *task_id;
    const char *mcp_url; /* NULL: no mcp member */
    const char *token;
    const json_t *reference;
    long steps;     /* 0: no budgets member */
    double seconds; /* 0: 20 s */
    int no_data_part;
};

/* Sends one episode (blocking SendMessage) with `instruction` as its text;
 * returns the final Task (fails the test when there is none). */
json_t *play_episode(struct agent_endpoint *agent, const struct episode_message *episode,
                     const char *instruction);

/* One episode of episode->task_id on a fresh environment of that task. */
struct episode_run {
    struct environment_fixture environment;
    json_t *task;       /* the final Task */
    int64_t elapsed_ms; /* how long SendMessage took */
};

/* Starts the environment, fills in the message's mcp url (and the task's
 * reference when with_reference) and plays the episode. */
void episode_run_play(struct episode_run *run, struct agent_endpoint *agent,
                      struct episode_message episode, int with_reference,
                      const char *instruction);
/* Frees the Task and stops the environment. */
void episode_run_end(struct episode_run *run);

const char *task_state(const json_t *task);
/* The status message's text, "" when there is none. */
const char *task_reason(const json_t *task);
/* The data part of the agent's artifact (borrowed). */
const json_t *episode_data(const json_t *task);
/* The calls the agent reports in its artifact's data part (borrowed). */
const json_t *reported_calls(const json_t *task);

/* Fails the test, naming `what` (may be NULL), the state and the reason,
 * unless the task completed. Failures are reported at the caller's line. */
#define expect_completed(task, what) expect_completed_at((task), (what), __FILE__, __LINE__)
/* Fails the test unless the task failed with a reason containing reason_part. */
#define expect_failed(task, reason_part) expect_failed_at((task), (reason_part), __FILE__, __LINE__)
void expect_completed_at(const json_t *task, const char *what, const char *file, int line);
void expect_failed_at(const json_t *task, const char *reason_part, const char *file, int line);

#endif
