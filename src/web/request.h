/* request.h — what a page or API handler is given: the store, the path
 * and the query parameters assay's pages use, already looked up (the HTTP
 * layer's accessors are valid only on its thread, and the renderers do not
 * need to know about it). Internal to src/web. */
#ifndef ASSAY_WEB_REQUEST_H
#define ASSAY_WEB_REQUEST_H

#include <jansson.h>

#include "core/buffer.h"
#include "core/status.h"
#include "store/store.h"

struct web_query {
    const char *offset, *limit, *agent, *tag, *outcome, *error_class, *a, *b;
};

struct web_answer {
    unsigned status;          /* HTTP status */
    const char *content_type; /* static string */
    struct buffer body;
};

/* Parses a non-negative integer parameter up to WEB_QUERY_INTEGER_MAX;
 * absent gives `fallback`. ASSAY_ERR_INVALID for anything else. */
#define WEB_QUERY_INTEGER_MAX 1000000000000LL
int web_query_integer(const char *text, const char *name, int64_t fallback, int64_t *out,
                      struct assay_error *error);

/* "/runs/12/compare" with prefix "/runs/": *id 12 and *rest "/compare";
 * 0 when the path does not have that shape. */
int web_path_id(const char *path, const char *prefix, int64_t *id, const char **rest);
/* Copies one path segment (a benchmark or agent name, already
 * percent-decoded by the HTTP layer) into out; -1 when it is empty, holds a
 * '/', or does not fit. */
int web_path_name(const char *text, char *out, size_t size);

/* The JSON API: /api/... */
int web_api_answer(struct store *store, const char *path, const struct web_query *query,
                   struct web_answer *answer);
/* The HTML pages: everything else except /assets/. */
int web_page_answer(struct store *store, const char *path, const struct web_query *query,
                    struct web_answer *answer);
/* Embedded assets; 0 and fills answer, or ASSAY_ERR_NOT_FOUND. */
int web_asset_answer(const char *path, struct web_answer *answer);

/* An HTTP status for an error code (404 for NOT_FOUND, 400 for INVALID,
 * 500 otherwise). */
unsigned web_status_of(int code);

#endif
