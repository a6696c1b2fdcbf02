/* api.c — the JSON API of `assay serve` (docs/web.md): routes /api/... to
 * the documents of data.c and writes them compactly. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "web/data.h"
#include "web/request.h"

unsigned web_status_of(int code)
{
    switch (code) {
    case ASSAY_ERR_NOT_FOUND: return 404;
    case ASSAY_ERR_INVALID: return 400;
    case ASSAY_ERR_IO:
    case ASSAY_ERR_LIMIT: return 503; /* the store cannot be read now */
    default: return 500;
    }
}

int web_query_integer(const char *text, const char *name, int64_t fallback, int64_t *out,
                      struct assay_error *error)
{
    *out = fallback;
    if (text == NULL || text[0] == '\0')
        return ASSAY_OK;
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    /* bounded far below INT64_MAX so that offset + limit never overflows */
    if (*end != '\0' || value < 0 || end == text || errno == ERANGE || value > WEB_QUERY_INTEGER_MAX)
        return assay_error_set(error, ASSAY_ERR_INVALID, "%s must be an integer from 0 to %lld", name,
                               (long long)WEB_QUERY_INTEGER_MAX);
    *out = value;
    return ASSAY_OK;
}

static void set_error(struct web_answer *answer, unsigned status, const char *message)
{
    json_t *body = json_pack("{s:s}", "error", message);
    char *text = json_dumps(body, 0);
    answer->status = status;
    answer->content_type = "application/json";
    buffer_reset(&answer->body);
    buffer_append_string(&answer->body, text != NULL ? text : "{\"error\":\"out of memory\"}");
    free(text);
    json_decref(body);
}

int web_api_answer(struct store *store, const char *path, const struct web_query *query,
                   struct web_answer *answer)
{
    struct assay_error error = {0};
    json_t *document = NULL;
    int64_t id = 0, offset = 0, limit = 0;
    const char *rest = NULL;
    char name[256];
    int status = ASSAY_ERR_NOT_FOUND;
    snprintf(error.message, sizeof error.message, "no such API path: %s (see docs/web.md)", path);
    if (strcmp(path, "/api/runs") == 0) {
        status = web_data_runs(store, &document, &error);
    } else if (strcmp(path, "/api/benchmarks") == 0) {
        status = web_data_benchmarks(store, &document, &error);
    } else if (strncmp(path, "/api/leaderboard/", 17) == 0) {
        status = web_path_name(path + 17, name, sizeof name) == 0
                     ? web_data_leaderboard(store, name, &document, &error)
                     : assay_error_set(&error, ASSAY_ERR_INVALID, "name one benchmark: /api/leaderboard/NAME");
    } else if (strncmp(path, "/api/agents/", 12) == 0) {
        status = web_path_name(path + 12, name, sizeof name) == 0
                     ? web_data_agent(store, name, &document, &error)
                     : assay_error_set(&error, ASSAY_ERR_INVALID, "name one agent: /api/agents/NAME");
    } else if (web_path_id(path, "/api/runs/", &id, &rest)) {
        if (strcmp(rest, "") == 0) {
            status = web_data_run(store, id, &document, &error);
        } else if (strcmp(rest, "/episodes") == 0) {
            struct web_episode_filter filter = {.agent = query->agent, .tag = query->tag, .outcome = query->outcome,
                                                .error_class = query->error_class};
            status = web_query_integer(query->offset, "offset", 0, &filter.offset, &error);
            if (status == ASSAY_OK)
                status = web_query_integer(query->limit, "limit", 0, &filter.limit, &error);
            if (status == ASSAY_OK)
                status = web_data_episodes(store, id, &filter, &document, &error);
        } else if (strcmp(rest, "/compare") == 0) {
            status = web_data_compare(store, id, query->a, query->b, &document, &error);
        } else if (strcmp(rest, "/analysis") == 0) {
            status = web_data_analysis(store, id, &document, &error);
        }
    } else if (web_path_id(path, "/api/episodes/", &id, &rest)) {
        if (strcmp(rest, "") == 0) {
            status = web_data_episode(store, id, &document, &error);
        } else if (strcmp(rest, "/trace") == 0) {
            status = web_query_integer(query->offset, "offset", 0, &offset, &error);
            if (status == ASSAY_OK)
                status = web_query_integer(query->limit, "limit", 0, &limit, &error);
            if (status == ASSAY_OK)
                status = web_data_trace(store, id, offset, limit, &document, &error);
        }
    }
    if (status != ASSAY_OK) {
        set_error(answer, web_status_of(status), error.message);
        return ASSAY_OK;
    }
    char *text = json_dumps(document, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(document);
    if (text == NULL) {
        set_error(answer, 500, "out of memory writing JSON");
        return ASSAY_OK;
    }
    answer->status = 200;
    answer->content_type = "application/json";
    buffer_append_string(&answer->body, text);
    free(text);
    return ASSAY_OK;
}
