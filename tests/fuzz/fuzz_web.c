/* fuzz_web.c — libFuzzer harness for the request handling of `assay
 * serve`: the bytes are split at newlines into a path and the eight query
 * parameters the pages read, and given to both the JSON API and the page
 * renderer over a small real store (two agents, tasks with tags, families,
 * parts and human minutes, a trace). Invariants: every answer has a status
 * in {200, 400, 404}, a body, and never an unescaped '<' from the input in
 * HTML; JSON answers parse. Nothing leaks or crashes. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "store/store.h"
#include "web/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *store;

static void make_store(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/assay-fuzz-web-%d.db", (int)getpid());
    unlink(path);
    int status = store_open(path, &store, NULL);
    assert(status == ASSAY_OK);
    struct store_run run = {.scenario_name = "fuzz", .scenario_json = "{\"judge\":{\"bench\":\"demo\"}}",
                            .mode = "local", .provenance_json = "{\"benchmark\":\"demo\",\"episodes_planned\":9}",
                            .started_at_ms = 1700000000000};
    status = store_run_create(store, &run, NULL);
    assert(status == ASSAY_OK);
    const char *agents[] = {"a", "b"};
    for (int agent = 0; agent < 2; agent++) {
        struct store_participant participant = {.run_id = run.id, .role = agents[agent], .name = agents[agent],
                                                .endpoint_kind = "local"};
        status = store_participant_add(store, &participant, NULL);
        assert(status == ASSAY_OK);
        for (int task = 0; task < 4; task++) {
            char id[8];
            snprintf(id, sizeof id, "t%d", task);
            struct store_trace_entry trace[2] = {
                {.direction = "to_agent", .kind = "message", .payload_json = "{\"parts\":[{\"text\":\"go\"}]}"},
                {.direction = "from_agent", .kind = "tool_call",
                 .payload_json = "{\"tool\":\"open\",\"arguments\":{\"url\":\"/\"},\"url\":\"/\"}"}};
            struct store_episode episode = {
                .run_id = run.id, .participant_role = agents[agent], .task_id = id, .score = (task + agent) % 2,
                .passed = (task + agent) % 2, .status = STORE_EPISODE_SCORED,
                .error_class = (task + agent) % 2 ? STORE_ERROR_NONE : STORE_ERROR_WRONG_ANSWER,
                .verdicts_json = "{\"reason\":\"r\",\"verdicts\":[]}", .steps = 1, .duration_ms = 10,
                .input_tokens = -1, .output_tokens = -1, .cost = -1, .task_family = task < 2 ? "f1" : "f2",
                .task_tags_json = "[\"x\",\"y\"]", .task_parts_json = task == 3 ? "[\"t0\",\"t1\"]" : NULL,
                .task_human_minutes = 1 + task, .trace = trace, .trace_count = 2};
            status = store_episode_record(store, &episode, NULL);
            assert(status == ASSAY_OK);
        }
    }
    unlink(path); /* the open handle keeps it; nothing is left behind */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (store == NULL)
        make_store();
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    if (strlen(text) != size) { /* the HTTP layer never hands over NUL bytes */
        free(text);
        return 0;
    }
    const char *fields[9] = {0};
    char *cursor = text;
    for (int index = 0; index < 9 && cursor != NULL; index++) {
        fields[index] = cursor;
        cursor = strchr(cursor, '\n');
        if (cursor != NULL)
            *cursor++ = '\0';
    }
    const char *path = fields[0] != NULL && fields[0][0] == '/' ? fields[0] : "/";
    struct web_query query = {fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7], fields[8]};
    struct web_answer api = {0}, page = {0};
    char api_path[4200];
    snprintf(api_path, sizeof api_path, "/api%s", path);
    web_api_answer(store, api_path, &query, &api);
    assert(api.status == 200 || api.status == 400 || api.status == 404);
    json_t *document = json_loads(api.body.data != NULL ? api.body.data : "", 0, NULL);
    assert(document != NULL);
    json_decref(document);
    web_page_answer(store, path, &query, &page);
    assert(page.status == 200 || page.status == 400 || page.status == 404);
    assert(page.body.length > 0);
    /* a '<' from the input must never reach the HTML unescaped */
    for (int index = 0; index < 9; index++)
        if (fields[index] != NULL && strstr(fields[index], "<x") != NULL)
            assert(strstr(page.body.data, "<x") == NULL);
    buffer_free(&api.body);
    buffer_free(&page.body);
    free(text);
    return 0;
}
