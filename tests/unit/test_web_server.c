/* test_web_server.c — `assay serve` over real HTTP on loopback, on a real
 * SQLite store written here: the API's documents, ranks and ties, filters,
 * pagination, caching (304), access control (401), read-only (405), bad
 * parameters (400), unknown things (404), and escaping of hostile names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buffer.h"
#include "store/store.h"
#include "test_list.h"
#include "web/server.h"

struct fixture {
    char path[64];
    int64_t run_id;
    int64_t long_episode;
    int64_t broken_episode;
    struct web_server *server;
    char base[64];
};

static const char hostile[] = "<script>alert(1)</script>";

static void record(struct store *store, int64_t run_id, const char *agent, const char *task, int64_t trial,
                   double score, const char *family, const char *tags, size_t trace_rows, int64_t *id)
{
    struct store_trace_entry *trace = calloc(trace_rows + 1, sizeof *trace);
    char (*payloads)[96] = calloc(trace_rows + 1, sizeof *payloads);
    for (size_t row = 0; row < trace_rows; row++) {
        snprintf(payloads[row], sizeof payloads[row], "{\"tool\":\"open\",\"arguments\":{\"url\":\"/p/%zu\"}}", row);
        trace[row] = (struct store_trace_entry){.direction = "from_agent", .kind = "tool_call",
                                                .payload_json = payloads[row], .at_ms = 1700000000000};
    }
    struct store_episode episode = {
        .run_id = run_id, .participant_role = agent, .task_id = task, .trial = trial, .score = score,
        .passed = score == 1, .status = isnan(score) ? STORE_EPISODE_ERROR : STORE_EPISODE_SCORED,
        .error_class = isnan(score)  ? STORE_ERROR_ENVIRONMENT_CRASHED
                       : score == 1 ? STORE_ERROR_NONE
                                    : STORE_ERROR_WRONG_ANSWER,
        .verdicts_json = "{\"reason\":\"checks[0]: answer matched\",\"verdicts\":[{\"name\":\"checks[0]\","
                         "\"type\":\"answer\",\"passed\":true,\"score\":1,\"reason\":\"answer matched\"}]}",
        .duration_ms = 1200, .steps = (int64_t)trace_rows, .input_tokens = -1, .output_tokens = -1, .cost = -1,
        .task_family = family, .task_tags_json = tags, .task_human_minutes = 2 + (double)(task[1] % 7),
        .trace = trace, .trace_count = trace_rows};
    struct assay_error error = {0};
    if (store_episode_record(store, &episode, &error) != ASSAY_OK)
        fail_msg("record: %s", error.message);
    if (id != NULL)
        *id = episode.id;
    free(trace);
    free(payloads);
}

static int setup(void **state)
{
    struct fixture *fixture = calloc(1, sizeof *fixture);
    snprintf(fixture->path, sizeof fixture->path, "/tmp/assay-web-XXXXXX");
    int descriptor = mkstemp(fixture->path);
    close(descriptor);
    unlink(fixture->path);
    struct store *store = NULL;
    assert_int_equal(store_open(fixture->path, &store, NULL), ASSAY_OK);
    struct store_run run = {.scenario_name = "web-test", .scenario_json = "{\"judge\":{\"bench\":\"demo\"}}",
                            .mode = "local", .provenance_json = "{\"benchmark\":\"demo\",\"episodes_planned\":40}",
                            .started_at_ms = 1700000000000};
    assert_int_equal(store_run_create(store, &run, NULL), ASSAY_OK);
    fixture->run_id = run.id;
    const char *agents[] = {"strong", "weak", hostile};
    for (size_t index = 0; index < 3; index++) {
        struct store_participant participant = {.run_id = run.id, .role = agents[index], .name = agents[index],
                                                .endpoint_kind = "local"};
        assert_int_equal(store_participant_add(store, &participant, NULL), ASSAY_OK);
    }
    /* strong passes 11 of 12 tasks, weak 1, the hostile one 5: strong and
     * the hostile agent overlap? no: 11/12 vs 5/12 are apart; weak is last */
    for (int task = 0; task < 12; task++) {
        char id[16];
        snprintf(id, sizeof id, "t%02d", task);
        const char *family = task < 6 ? "alpha" : "beta";
        const char *tags = task % 2 ? "[\"search\"]" : "[\"forms\"]";
        record(store, run.id, "strong", id, 0, task == 3 ? 0 : 1, family, tags, 3, NULL);
        record(store, run.id, "weak", id, 0, task == 0 ? 1 : 0, family, tags, 2, NULL);
        record(store, run.id, hostile, id, 0, task < 5 ? 1 : 0, family, tags, 1, NULL);
    }
    record(store, run.id, "weak", "t99", 0, NAN, NULL, NULL, 0, NULL);
    /* an error message cut inside a UTF-8 sequence (the judge quotes answers) */
    struct store_episode broken = {.run_id = run.id, .participant_role = "weak", .task_id = "t98", .score = 0,
                                   .status = STORE_EPISODE_FAILED, .error_class = STORE_ERROR_WRONG_ANSWER,
                                   .error_message = "answer \xC3", .steps = 0, .input_tokens = -1,
                                   .output_tokens = -1, .cost = -1};
    assert_int_equal(store_episode_record(store, &broken, NULL), ASSAY_OK);
    fixture->broken_episode = broken.id;
    record(store, run.id, "strong", "long", 0, 1, NULL, "[\"search\"]", 10000, &fixture->long_episode);
    assert_int_equal(store_run_finish(store, run.id, STORE_RUN_COMPLETE, 1700000100000, NULL), ASSAY_OK);
    store_close(store);
    struct web_server_options options = {.db = fixture->path, .port = 0};
    struct assay_error error = {0};
    if (web_server_start(&options, &fixture->server, &error) != ASSAY_OK)
        fail_msg("serve: %s", error.message);
    snprintf(fixture->base, sizeof fixture->base, "http://127.0.0.1:%u", web_server_port(fixture->server));
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    web_server_free(fixture->server);
    char side[96];
    unlink(fixture->path);
    snprintf(side, sizeof side, "%s-wal", fixture->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", fixture->path);
    unlink(side);
    free(fixture);
    return 0;
}

static size_t collect(char *data, size_t size, size_t count, void *context)
{
    buffer_append(context, data, size * count);
    return size * count;
}

/* GET base+path with optional extra header; returns the status, body in out. */
static long get(const struct fixture *fixture, const char *path, const char *header, const char *method,
                struct buffer *out, struct buffer *headers)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", fixture->base, path);
    CURL *curl = curl_easy_init();
    struct curl_slist *list = header != NULL ? curl_slist_append(NULL, header) : NULL;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    if (headers != NULL) {
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, headers);
    }
    if (list != NULL)
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    if (method != NULL)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    long status = 0;
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return status;
}

static json_t *get_json(const struct fixture *fixture, const char *path, long expected)
{
    struct buffer body = {0};
    long status = get(fixture, path, NULL, NULL, &body, NULL);
    if (status != expected)
        fail_msg("%s: status %ld, wanted %ld: %s", path, status, expected, body.data ? body.data : "");
    json_error_t error;
    json_t *document = json_loads(body.data != NULL ? body.data : "", 0, &error);
    if (document == NULL)
        fail_msg("%s: not JSON: %s", path, error.text);
    if (strstr(body.data, ":nan") != NULL || strstr(body.data, ":-nan") != NULL || strstr(body.data, ":inf") != NULL ||
        strstr(body.data, "NaN") != NULL || strstr(body.data, "Infinity") != NULL)
        fail_msg("%s: a non-number in JSON", path);
    buffer_free(&body);
    return document;
}

static void the_leaderboard_ranks_with_ties(void **state)
{
    struct fixture *fixture = *state;
    json_t *board = get_json(fixture, "/api/leaderboard/demo", 200);
    json_t *agents = json_object_get(board, "agents");
    assert_int_equal(json_array_size(agents), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(agents, 0), "agent")), "strong");
    assert_string_equal(json_string_value(json_object_get(json_array_get(agents, 2), "agent")), "weak");
    /* groups: a row ties (shares the rank of) the leader of the group above
     * exactly when its interval reaches that leader's lower end */
    for (size_t index = 1; index < 3; index++) {
        json_t *row = json_array_get(agents, index);
        long long rank = (long long)json_integer_value(json_object_get(row, "rank"));
        long long above = (long long)json_integer_value(json_object_get(json_array_get(agents, index - 1), "rank"));
        json_t *leader = json_array_get(agents, (size_t)above - 1);
        double high = json_number_value(json_array_get(json_object_get(row, "mean_score_ci95"), 1));
        double leader_low = json_number_value(json_array_get(json_object_get(leader, "mean_score_ci95"), 0));
        int tied = json_is_true(json_object_get(row, "tied"));
        assert_int_equal(tied, high >= leader_low);
        assert_int_equal(rank, tied ? above : (long long)index + 1);
    }
    /* with these data: the hostile agent (5/12 in one family only) is too
     * uncertain to be ordered below strong; weak is not */
    assert_true(json_is_true(json_object_get(json_array_get(agents, 1), "tied")));
    assert_false(json_is_true(json_object_get(json_array_get(agents, 2), "tied")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(agents, 2), "rank")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(agents, 0), "rank")), 1);
    json_decref(board);
    json_t *missing = get_json(fixture, "/api/leaderboard/nothing", 404);
    assert_non_null(strstr(json_string_value(json_object_get(missing, "error")), "nothing"));
    json_decref(missing);
}

static void runs_and_episodes_are_documents(void **state)
{
    struct fixture *fixture = *state;
    char path[160];
    snprintf(path, sizeof path, "/api/runs/%lld", (long long)fixture->run_id);
    json_t *run = get_json(fixture, path, 200);
    json_t *progress = json_object_get(run, "progress");
    assert_int_equal(json_integer_value(json_object_get(progress, "recorded")), 39);
    assert_int_equal(json_integer_value(json_object_get(progress, "planned")), 40);
    json_t *weak = json_array_get(json_object_get(json_object_get(run, "summary"), "agents"), 1);
    assert_string_equal(json_string_value(json_object_get(weak, "agent")), "weak");
    assert_int_equal(json_integer_value(json_object_get(weak, "infrastructure_errors")), 1);
    json_decref(run);

    snprintf(path, sizeof path, "/api/runs/%lld/episodes?agent=weak&outcome=failed&limit=5&offset=2",
             (long long)fixture->run_id);
    json_t *page = get_json(fixture, path, 200);
    assert_int_equal(json_integer_value(json_object_get(page, "total")), 12);
    assert_int_equal(json_array_size(json_object_get(page, "episodes")), 5);
    json_decref(page);
    /* every matching row is listed, the broken text repaired (U+FFFD) */
    snprintf(path, sizeof path, "/api/runs/%lld/episodes?agent=weak&outcome=failed", (long long)fixture->run_id);
    page = get_json(fixture, path, 200);
    assert_int_equal(json_array_size(json_object_get(page, "episodes")), 12);
    json_decref(page);
    snprintf(path, sizeof path, "/api/episodes/%lld", (long long)fixture->broken_episode);
    json_t *broken = get_json(fixture, path, 200);
    assert_string_equal(json_string_value(json_object_get(broken, "error_message")), "answer \xEF\xBF\xBD");
    json_decref(broken);
    snprintf(path, sizeof path, "/api/runs/%lld/episodes?tag=search&outcome=error", (long long)fixture->run_id);
    page = get_json(fixture, path, 200);
    assert_int_equal(json_integer_value(json_object_get(page, "total")), 0);
    json_decref(page);

    /* the last page of a 10,000-row trace */
    snprintf(path, sizeof path, "/api/episodes/%lld/trace?offset=9990&limit=50", (long long)fixture->long_episode);
    json_t *trace = get_json(fixture, path, 200);
    assert_int_equal(json_integer_value(json_object_get(trace, "total")), 10000);
    assert_int_equal(json_array_size(json_object_get(trace, "entries")), 10);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(trace, "entries"), 0),
                                                        "sequence")),
                     9990);
    json_decref(trace);

    snprintf(path, sizeof path, "/api/runs/%lld/compare?a=strong&b=weak", (long long)fixture->run_id);
    json_t *compare = get_json(fixture, path, 200);
    assert_int_equal(json_integer_value(json_object_get(compare, "wins")), 10);
    assert_int_equal(json_array_size(json_object_get(compare, "per_task")), 12);
    /* two families leave one degree of freedom: honestly undecided */
    assert_string_equal(json_string_value(json_object_get(compare, "standard_error_kind")), "clustered by family");
    assert_int_equal(json_integer_value(json_object_get(compare, "clusters")), 2);
    assert_non_null(strstr(json_string_value(json_object_get(compare, "sentence")), "no detectable difference"));
    json_decref(compare);

    snprintf(path, sizeof path, "/api/runs/%lld/analysis", (long long)fixture->run_id);
    json_t *analysis = get_json(fixture, path, 200);
    assert_int_equal(json_array_size(json_object_get(json_object_get(analysis, "irt"), "items")), 14);
    assert_int_equal(json_array_size(json_object_get(json_object_get(analysis, "horizon"), "agents")), 3);
    json_decref(analysis);
}

static void bad_requests_get_clear_answers(void **state)
{
    struct fixture *fixture = *state;
    const char *cases[][2] = {
        {"/api/runs/999", "404"},
        {"/api/runs/abc", "404"},
        {"/api/runs/1/episodes?offset=-1", "400"},
        {"/api/runs/1/episodes?limit=5000", "400"},
        {"/api/runs/1/episodes?outcome=maybe", "400"},
        {"/api/runs/1/episodes?error_class=nope", "400"},
        {"/api/runs/1/compare?a=strong", "400"},
        {"/api/runs/1/compare?a=strong&b=nobody", "404"},
        {"/api/episodes/0/trace", "404"},
        {"/api/episodes/99999", "404"},
        {"/api/agents/nobody", "404"},
        {"/nowhere", "404"},
        {"/runs/999", "404"},
        {"/episodes/1?offset=x", "400"},
        {"/assets/../../etc/passwd", "404"},
        {"/api/runs/1/episodes?offset=99999999999999999999999", "400"},
        {"/runs/1?offset=9223372036854775807", "400"},
        {"/episodes/1?offset=9223372036854775807", "400"},
        {"/api/runs/1/compare?a=weak&b=weak", "400"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        struct buffer body = {0};
        long status = get(fixture, cases[index][0], NULL, NULL, &body, NULL);
        if (status != atol(cases[index][1]))
            fail_msg("%s: %ld, wanted %s", cases[index][0], status, cases[index][1]);
        buffer_free(&body);
    }
    struct buffer body = {0};
    assert_int_equal(get(fixture, "/api/runs", NULL, "POST", &body, NULL), 405);
    buffer_free(&body);
    assert_int_equal(get(fixture, "/assets/nope.css", "If-None-Match: \"assets-0.1.0\"", NULL, &body, NULL), 404);
    buffer_free(&body);
    /* values holding '&' must not share a cache entry with other queries */
    assert_int_equal(get(fixture, "/api/runs/1/compare?a=weak%26x&b=strong", NULL, NULL, &body, NULL), 404);
    assert_non_null(strstr(body.data, "weak&x"));
    buffer_reset(&body);
    assert_int_equal(get(fixture, "/api/runs/1/compare?a=weak&b=x%26strong", NULL, NULL, &body, NULL), 404);
    assert_non_null(strstr(body.data, "x&strong"));
    buffer_free(&body);
    /* a very long path is refused, never crashes the server */
    char path[8200] = "/agents/";
    memset(path + 8, 'x', sizeof path - 9);
    path[sizeof path - 1] = '\0';
    long status = get(fixture, path, NULL, NULL, &body, NULL);
    assert_true(status == 404 || status == 414 || status == 431);
    buffer_free(&body);
    assert_int_equal(get(fixture, "/api/runs", NULL, NULL, &body, NULL), 200);
    buffer_free(&body);
}

static void pages_escape_and_revalidate(void **state)
{
    struct fixture *fixture = *state;
    char path[160];
    snprintf(path, sizeof path, "/runs/%lld", (long long)fixture->run_id);
    struct buffer body = {0}, headers = {0};
    assert_int_equal(get(fixture, path, NULL, NULL, &body, &headers), 200);
    assert_null(strstr(body.data, hostile));
    assert_non_null(strstr(body.data, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(body.data, "id=\"episodes\""));
    const char *tag = strstr(headers.data, "ETag: ");
    assert_non_null(tag);
    char etag[96] = "If-None-Match: ";
    size_t length = strcspn(tag + 6, "\r\n");
    memcpy(etag + 15, tag + 6, length);
    etag[15 + length] = '\0';
    buffer_reset(&body);
    assert_int_equal(get(fixture, path, etag, NULL, &body, NULL), 304);
    assert_int_equal(body.length, 0);
    buffer_free(&body);
    buffer_free(&headers);
    /* the 10,000-step episode page carries one page of the trajectory */
    snprintf(path, sizeof path, "/episodes/%lld?offset=9800", (long long)fixture->long_episode);
    assert_int_equal(get(fixture, path, NULL, NULL, &body, NULL), 200);
    size_t steps = 0;
    for (const char *cursor = body.data; (cursor = strstr(cursor, "<li class=\"step\"")) != NULL; cursor++)
        steps++;
    assert_int_equal(steps, 200);
    assert_non_null(strstr(body.data, "rel=\"prev\""));
    assert_null(strstr(body.data, "rel=\"next\""));
    buffer_free(&body);
    const char *pages[] = {"/", "/leaderboard/demo", "/agents/strong", "/runs/1/analysis",
                           "/runs/1/compare?a=strong&b=weak", "/assets/assay.css", "/assets/assay.js"};
    for (size_t index = 0; index < sizeof pages / sizeof pages[0]; index++) {
        if (get(fixture, pages[index], NULL, NULL, &body, NULL) != 200)
            fail_msg("%s did not answer 200", pages[index]);
        assert_null(strstr(body.data, hostile));
        buffer_reset(&body);
    }
    buffer_free(&body);
}

static void tokens_guard_every_request(void **state)
{
    struct fixture *fixture = *state;
    struct web_server_options options = {.db = fixture->path, .port = 0, .token = "correct-horse"};
    struct web_server *guarded = NULL;
    assert_int_equal(web_server_start(&options, &guarded, NULL), ASSAY_OK);
    struct fixture other = *fixture;
    snprintf(other.base, sizeof other.base, "http://127.0.0.1:%u", web_server_port(guarded));
    struct buffer body = {0}, headers = {0};
    assert_int_equal(get(&other, "/api/runs", NULL, NULL, &body, NULL), 401);
    assert_int_equal(get(&other, "/", "Authorization: Bearer wrong-horse!", NULL, &body, NULL), 401);
    assert_int_equal(get(&other, "/api/runs", "Authorization: Bearer correct-horse", NULL, &body, NULL), 200);
    assert_int_equal(get(&other, "/?token=correct-horse", NULL, NULL, &body, &headers), 200);
    assert_non_null(strstr(headers.data, "assay_token=correct-horse; Path=/; HttpOnly"));
    assert_int_equal(get(&other, "/runs/1", "Cookie: theme=dark; assay_token=correct-horse", NULL, &body, NULL), 200);
    assert_int_equal(get(&other, "/runs/1", "Cookie: xassay_token=correct-horse", NULL, &body, NULL), 401);
    buffer_free(&body);
    buffer_free(&headers);
    web_server_free(guarded);
    /* off loopback without a token: refused before listening */
    struct web_server_options open = {.db = fixture->path, .port = 0, .bind = "0.0.0.0"};
    struct assay_error error = {0};
    assert_int_equal(web_server_start(&open, &guarded, &error), ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "needs a token"));
    assert_true(web_address_is_loopback("127.0.0.2"));
    assert_false(web_address_is_loopback("10.0.0.1"));
    struct web_server_options missing = {.db = "/tmp/assay-no-such-store.db", .port = 0};
    assert_int_equal(web_server_start(&missing, &guarded, &error), ASSAY_ERR_NOT_FOUND);
    assert_int_equal(access("/tmp/assay-no-such-store.db", F_OK), -1);
}

int test_group_web_server(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_leaderboard_ranks_with_ties),
        cmocka_unit_test(runs_and_episodes_are_documents),
        cmocka_unit_test(bad_requests_get_clear_answers),
        cmocka_unit_test(pages_escape_and_revalidate),
        cmocka_unit_test(tokens_guard_every_request),
    };
    return cmocka_run_group_tests_name("web_server", tests, setup, teardown);
}
