/* page_episode.c — one episode: facts, each evaluator's verdict, and the
 * trajectory a page (200 rows) at a time, so a 10,000-step episode opens as
 * fast as a short one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/data.h"
#include "web/escape.h"
#include "web/page.h"

#define TRACE_PAGE 200
#define SHOWN_JSON_BYTES 8192 /* longer payloads are cut on the page; the API has them whole */

static void json_block(struct buffer *out, const json_t *value)
{
    char *text = json_dumps(value, JSON_INDENT(1) | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    if (text == NULL)
        return;
    size_t length = strlen(text);
    buffer_append_string(out, "<pre>");
    web_append_escaped_length(out, text, length > SHOWN_JSON_BYTES ? SHOWN_JSON_BYTES : length);
    if (length > SHOWN_JSON_BYTES)
        buffer_append_format(out, "\n… (%zu more bytes: see the JSON API)", length - SHOWN_JSON_BYTES);
    buffer_append_string(out, "</pre>");
    free(text);
}

/* An A2A message or a task holding messages and artifacts: its text parts
 * as text, its data parts as JSON. */
static void message_parts(struct buffer *out, const json_t *parts)
{
    size_t index;
    json_t *part;
    json_array_foreach(parts, index, part)
    {
        const json_t *text = json_object_get(part, "text");
        if (json_is_string(text)) {
            buffer_append_string(out, "<p>");
            html_text(out, json_string_value(text));
            buffer_append_string(out, "</p>");
        } else if (json_object_get(part, "data") != NULL) {
            json_block(out, json_object_get(part, "data"));
        } else {
            json_block(out, part);
        }
    }
}

static void step_body(struct buffer *out, const char *kind, const json_t *payload)
{
    if (strcmp(kind, "tool_call") == 0 && json_is_string(json_object_get(payload, "tool"))) {
        buffer_append_string(out, "<p>tool call <code class=\"tool\">");
        html_text(out, json_string_value(json_object_get(payload, "tool")));
        buffer_append_string(out, "</code> with arguments</p>");
        json_block(out, json_object_get(payload, "arguments"));
        json_t *result = json_deep_copy(payload);
        json_object_del(result, "tool");
        json_object_del(result, "arguments");
        json_object_del(result, "step");
        json_object_del(result, "observation");
        json_object_del(result, "observation_bytes");
        if (json_object_size(result) > 0) {
            buffer_append_string(out, "<p>result</p>");
            json_block(out, result);
        }
        json_decref(result);
        const json_t *observation = json_object_get(payload, "observation");
        if (json_is_string(observation)) {
            buffer_append_string(out, "<p>what the agent was shown</p><pre class=\"observation\">");
            html_text(out, json_string_value(observation));
            const json_t *bytes = json_object_get(payload, "observation_bytes");
            if (json_is_integer(bytes))
                buffer_append_format(out, "\n… (%lld bytes in all; the trace keeps the first %zu)",
                                     (long long)json_integer_value(bytes), strlen(json_string_value(observation)));
            buffer_append_string(out, "</pre>");
        }
        return;
    }
    if (strcmp(kind, "message") == 0 && json_is_array(json_object_get(payload, "parts"))) {
        message_parts(out, json_object_get(payload, "parts"));
        return;
    }
    const json_t *task = json_object_get(payload, "task");
    if (strcmp(kind, "message") == 0 && json_is_object(task)) {
        size_t index;
        json_t *artifact;
        json_array_foreach(json_object_get(task, "artifacts"), index, artifact)
            message_parts(out, json_object_get(artifact, "parts"));
        const json_t *state = json_object_get(json_object_get(task, "status"), "state");
        if (json_is_string(state)) {
            buffer_append_string(out, "<p class=\"muted\">task state ");
            html_text(out, json_string_value(state));
            buffer_append_string(out, "</p>");
        }
        return;
    }
    json_block(out, payload);
}

static void verdicts(struct buffer *out, const json_t *verdict)
{
    buffer_append_string(out, "<section id=\"verdicts\"><h2>Verdicts</h2>\n");
    if (!json_is_object(verdict)) {
        buffer_append_string(out, "<p>No verdict was recorded (the episode ended before it was evaluated).</p>");
    } else {
        buffer_append_string(out, "<p>Overall: ");
        html_json_text(out, json_object_get(verdict, "reason"));
        buffer_append_string(out, "</p><ul>\n");
        size_t index;
        json_t *item;
        json_array_foreach(json_object_get(verdict, "verdicts"), index, item)
        {
            int passed = json_is_true(json_object_get(item, "passed"));
            buffer_append_format(out, "<li class=\"verdict %s\"><strong>%s</strong> ", passed ? "passed" : "failed",
                                 passed ? "passed" : "failed");
            html_json_text(out, json_object_get(item, "name"));
            buffer_append_string(out, " (");
            html_json_text(out, json_object_get(item, "type"));
            buffer_append_string(out, ", score ");
            html_json_text(out, json_object_get(item, "score"));
            buffer_append_string(out, "): <span class=\"reason\">");
            html_json_text(out, json_object_get(item, "reason"));
            buffer_append_string(out, "</span></li>\n");
        }
        buffer_append_string(out, "</ul>\n");
        const json_t *changes = json_object_get(verdict, "state_changes");
        if (json_is_object(changes)) {
            buffer_append_string(out, "<h3 id=\"state-changes\">State changes</h3>");
            int none = 1;
            const char *part;
            json_t *value;
            json_object_foreach((json_t *)changes, part, value) none &= json_object_size(value) == 0;
            if (none)
                buffer_append_string(out, "<p>The episode changed nothing in the environment's state.</p>");
            else
                json_block(out, changes);
        }
        const json_t *safety = json_object_get(verdict, "safety");
        if (json_is_object(safety)) {
            buffer_append_string(out, "<p>Safety</p>");
            json_block(out, safety);
        }
    }
    buffer_append_string(out, "</section>\n");
}

int web_page_episode(struct store *store, int64_t episode_id, const struct web_query *query, struct web_answer *answer)
{
    struct assay_error error = {0};
    json_t *episode = NULL, *trace = NULL;
    int64_t offset = 0;
    int status = web_data_episode(store, episode_id, &episode, &error);
    if (status == ASSAY_OK)
        status = web_query_integer(query->offset, "offset", 0, &offset, &error);
    if (status == ASSAY_OK)
        status = web_data_trace(store, episode_id, offset, TRACE_PAGE, &trace, &error);
    if (status != ASSAY_OK) {
        json_decref(episode);
        return web_page_error(answer, status, error.message);
    }
    struct buffer *out = &answer->body;
    char title[64];
    snprintf(title, sizeof title, "Episode %lld", (long long)episode_id);
    html_begin(out, title);
    long long run = (long long)json_integer_value(json_object_get(episode, "run"));
    const char *outcome = json_string_value(json_object_get(episode, "outcome"));
    buffer_append_format(out, "<h1>Episode %lld: ", (long long)episode_id);
    html_json_text(out, json_object_get(episode, "task"));
    buffer_append_string(out, "</h1>\n<dl class=\"facts\"><dt>run</dt><dd>");
    buffer_append_format(out, "<a href=\"/runs/%lld\">run %lld</a></dd><dt>agent</dt><dd>", run, run);
    const char *agent = json_string_value(json_object_get(episode, "agent"));
    html_link(out, "/agents/", agent != NULL ? agent : "", agent);
    buffer_append_string(out, "</dd>");
    html_fact(out, "trial", json_object_get(episode, "trial"));
    buffer_append_string(out, "<dt>score</dt><dd>");
    html_json_text(out, json_object_get(episode, "score"));
    buffer_append_format(out, " <span class=\"%s\">%s</span></dd><dt>error</dt><dd>", outcome, outcome);
    html_json_text(out, json_object_get(episode, "error_class"));
    buffer_append_string(out, " ");
    html_text(out, json_string_value(json_object_get(episode, "error_message")));
    buffer_append_format(out, "</dd><dt>time</dt><dd>%.2f s, from ",
                         (double)json_integer_value(json_object_get(episode, "duration_ms")) / 1000);
    html_time(out, json_object_get(episode, "started_at_ms"));
    buffer_append_string(out, "</dd>");
    html_fact(out, "steps", json_object_get(episode, "steps"));
    html_fact(out, "input tokens", json_object_get(episode, "input_tokens"));
    html_fact(out, "output tokens", json_object_get(episode, "output_tokens"));
    html_fact(out, "cost", json_object_get(episode, "cost"));
    html_fact(out, "human minutes", json_object_get(episode, "human_minutes"));
    buffer_append_string(out, "</dl>\n");
    verdicts(out, json_object_get(episode, "verdict"));
    long long total = (long long)json_integer_value(json_object_get(trace, "total"));
    const json_t *entries = json_object_get(trace, "entries");
    buffer_append_format(out, "<h2>Trajectory</h2>\n<p>%lld rows", total);
    if (total > TRACE_PAGE)
        buffer_append_format(out, "; this page shows %lld to %lld", (long long)offset + 1,
                             (long long)offset + (long long)json_array_size(entries));
    buffer_append_format(out, ".</p>\n<ol id=\"trajectory\" start=\"%lld\">\n", (long long)offset + 1);
    size_t index;
    json_t *entry;
    json_array_foreach(entries, index, entry)
    {
        const char *kind = json_string_value(json_object_get(entry, "kind"));
        const char *direction = json_string_value(json_object_get(entry, "direction"));
        buffer_append_string(out, "<li class=\"step\" data-kind=\"");
        html_text(out, kind);
        buffer_append_string(out, "\"><p class=\"muted\">");
        html_text(out, direction);
        buffer_append_string(out, " · ");
        html_text(out, kind);
        buffer_append_string(out, " · ");
        html_time(out, json_object_get(entry, "at_ms"));
        buffer_append_string(out, "</p>");
        step_body(out, kind != NULL ? kind : "", json_object_get(entry, "payload"));
        buffer_append_string(out, "</li>\n");
    }
    buffer_append_string(out, "</ol>\n<nav class=\"pages\" aria-label=\"trajectory pages\">");
    if (offset > 0)
        buffer_append_format(out, "<a rel=\"prev\" href=\"/episodes/%lld?offset=%lld\">previous %d rows</a>",
                             (long long)episode_id, (long long)(offset > TRACE_PAGE ? offset - TRACE_PAGE : 0),
                             TRACE_PAGE);
    if (offset + TRACE_PAGE < total)
        buffer_append_format(out, "<a rel=\"next\" href=\"/episodes/%lld?offset=%lld\">next %d rows</a>",
                             (long long)episode_id, (long long)offset + TRACE_PAGE, TRACE_PAGE);
    buffer_append_string(out, "</nav>\n");
    html_end(out);
    json_decref(trace);
    json_decref(episode);
    return ASSAY_OK;
}
