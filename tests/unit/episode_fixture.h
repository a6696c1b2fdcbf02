/* episode_fixture.h — what the agent tests share: the built-in web-of-sites
 * package loaded once per group, one task served over loopback MCP, and the
 * episode scored through the control server as a judge would. Not a test
 * group itself. */
#ifndef ASSAY_TEST_EPISODE_FIXTURE_H
#define ASSAY_TEST_EPISODE_FIXTURE_H

#include <jansson.h>

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

#endif
