/* web_internal.h — shared between web.c (steps and actions) and
 * web_pages.c (one builder per page). Not part of the public interface. */
#ifndef ASSAY_ENVIRONMENT_WEB_INTERNAL_H
#define ASSAY_ENVIRONMENT_WEB_INTERNAL_H

#include <jansson.h>

#include "core/buffer.h"
#include "environment/page.h"

/* A parsed URL: host ("shop.local"), path ("/product/p01"), query (raw). */
struct web_location {
    char host[64];
    char path[256];
    char query[512];
};

int web__parse_url(const char *url, struct web_location *out);
/* The decoded value of query parameter `name`, appended to out; 1 if found. */
int web__query_value(const char *query, const char *name, struct buffer *out);

/* Builds the page at `location` from `state`. `notice` (may be NULL) is a
 * line shown at the top (the result of the last action). Unknown hosts and
 * paths produce a "not found" page, never an error. */
int web__build_page(const json_t *state, const struct web_location *location, const char *notice,
                    struct page *page);

/* Helpers over the state tree. */
json_t *web__find_by_id(json_t *array, const char *id);
const char *web__string(const json_t *object, const char *key);
double web__number(const json_t *object, const char *key);
int web__words_match(const char *query, const char *text);

#endif
