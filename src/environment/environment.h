/* environment.h — one episode's world that an agent acts on through tools.
 *
 * The built-in environment is "web": a deterministic replica of three
 * everyday sites (shop.local, mail.local, calendar.local) over one JSON state
 * tree, reset per episode. Its tools: open, read, click, type, submit,
 * answer (environment_tools() describes them with JSON Schemas). Every step
 * is appended to a trace that evaluators read (docs/environments.md gives
 * the state and trace shapes).
 *
 * Ownership: environment_create() copies the base state and overrides; the
 * environment owns its state, snapshot, trace and page. Accessors return
 * borrowed values valid until the next step or environment_free().
 * Not thread-safe: one episode, one caller at a time.
 */
#ifndef ASSAY_ENVIRONMENT_ENVIRONMENT_H
#define ASSAY_ENVIRONMENT_ENVIRONMENT_H

#include <jansson.h>
#include <stddef.h>

#include "core/buffer.h"
#include "core/status.h"

struct environment;

struct environment_tool {
    const char *name;
    const char *description;
    const char *input_schema_json;
};

/* 1 when `name` is a built-in environment. */
int environment_exists(const char *name);
/* The tools of a built-in environment (NULL when unknown). */
const struct environment_tool *environment_tools(const char *name, size_t *count);

/* base_state: the world (for "web", a package's data/world.json); overrides
 * are merged into it (objects recursively, anything else replaced). */
int environment_create(const char *name, const json_t *base_state, const json_t *overrides,
                       long long seed, struct environment **out, struct assay_error *error);
/* The same from an initial state built once (by an earlier environment of
 * the task: environment_initial_state()): the snapshot is shared, read-only,
 * and only the mutable state is copied — one deep copy per episode instead
 * of a merge and two copies. */
int environment_create_from_initial(const char *name, const json_t *initial, long long seed,
                                    struct environment **out, struct assay_error *error);
void environment_free(struct environment *environment);

/* Applies one tool call. The observation (the page as text, or a short
 * confirmation) is appended to `observation`. A step the world refuses (no
 * such element, bad URL) returns ASSAY_ERR_INVALID with the reason in error
 * and is still recorded in the trace; the episode goes on. Once `answer`
 * was called the episode is done and further steps return ASSAY_ERR_STATE. */
int environment_step(struct environment *environment, const char *tool, const json_t *arguments,
                     struct buffer *observation, struct assay_error *error);

const json_t *environment_state(const struct environment *environment);
const json_t *environment_initial_state(const struct environment *environment);
const json_t *environment_trace(const struct environment *environment);
const char *environment_answer(const struct environment *environment); /* NULL before answer */
const char *environment_url(const struct environment *environment);
int environment_done(const struct environment *environment);
long environment_steps(const struct environment *environment);

/* The current value of textbox `number` on the current page, or NULL when
 * there is no such textbox (borrowed, valid until the next step). */
const char *environment_field_value(const struct environment *environment, int number);

/* The current page as HTML (for the HTTP front end that browser agents use). */
int environment_render_html(struct environment *environment, struct buffer *out);

/* Deep merge used for state overrides; returns a new reference. */
json_t *environment_merge(const json_t *base, const json_t *overrides);

#endif
