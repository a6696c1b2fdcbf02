/* page.h — building blocks of the HTML pages of `assay serve`, internal to
 * src/web. Every page is rendered from a document of data.c; every text
 * that comes from the store goes through page_text (escaped). */
#ifndef ASSAY_WEB_PAGE_H
#define ASSAY_WEB_PAGE_H

#include <jansson.h>

#include "core/buffer.h"
#include "web/request.h"

void html_begin(struct buffer *out, const char *title);
void html_end(struct buffer *out);
/* Escaped text; NULL appends nothing. */
void html_text(struct buffer *out, const char *text);
/* A JSON value's text: strings escaped, numbers as given, null as "-". */
void html_json_text(struct buffer *out, const json_t *value);
/* "62.5%", or "-" for a non-number. */
void html_percent(struct buffer *out, const json_t *value);
/* "62.5% [55.0, 70.1]" from a value and a two-number interval. */
void html_percent_interval(struct buffer *out, const json_t *value, const json_t *interval);
/* A link to /PREFIX/NAME with NAME percent-encoded and shown escaped. */
void html_link(struct buffer *out, const char *prefix, const char *name, const char *shown);
/* "2026-11-22 18:30:01 UTC" from milliseconds; "-" for 0 or null. */
void html_time(struct buffer *out, const json_t *milliseconds);
/* <td> cells: a JSON value as text (numbers right-aligned, with a
 * data-value for sorting), or a percentage with its interval. */
void html_cell(struct buffer *out, const json_t *value);
void html_cell_interval(struct buffer *out, const json_t *value, const json_t *interval);
/* One fact of a <dl class="facts">: <dt>label</dt><dd>value</dd>, the value
 * as html_json_text or html_time shows it. */
void html_fact(struct buffer *out, const char *label, const json_t *value);
void html_fact_time(struct buffer *out, const char *label, const json_t *milliseconds);
/* A sortable header cell. */
void html_sort_header(struct buffer *out, const char *label, int numeric);

/* Pages; each fills answer (status, body) from the store. */
int web_page_index(struct store *store, struct web_answer *answer);
int web_page_leaderboard(struct store *store, const char *benchmark, struct web_answer *answer);
int web_page_agent(struct store *store, const char *agent, struct web_answer *answer);
int web_page_run(struct store *store, int64_t run_id, const struct web_query *query, struct web_answer *answer);
int web_page_compare(struct store *store, int64_t run_id, const struct web_query *query, struct web_answer *answer);
int web_page_episode(struct store *store, int64_t episode_id, const struct web_query *query, struct web_answer *answer);
int web_page_analysis(struct store *store, int64_t run_id, struct web_answer *answer);
/* An error page with the status of `code` and its sentence. */
int web_page_error(struct web_answer *answer, int code, const char *message);

#endif
