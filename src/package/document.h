/* document.h — human-written YAML or JSON files as jansson trees, with the
 * line and column of every node, so that validation errors can name the file,
 * the line and the field.
 *
 * YAML plain scalars resolve with the YAML 1.2 core schema (null, true/false,
 * integers, floats; everything else a string); quoted scalars are strings.
 * Anchors and aliases are supported (an alias is a copy). Merge keys ("<<")
 * and custom tags are rejected with a message, not silently misread. A
 * document larger than 16 MiB or nested deeper than 64 levels is refused.
 *
 * Ownership: a struct document owns its tree and location map; callers may
 * json_incref() parts of the tree to keep them past document_free().
 */
#ifndef ASSAY_PACKAGE_DOCUMENT_H
#define ASSAY_PACKAGE_DOCUMENT_H

#include <jansson.h>

#include "core/status.h"

struct document;

/* Loads FILE (".json" as strict JSON, anything else as YAML, which also
 * accepts JSON). On failure fills error with "FILE:LINE:COLUMN: reason". */
int document_load(const char *file, struct document **out, struct assay_error *error);
/* Same, from memory; `name` is used in messages. */
int document_parse(const char *name, const char *text, size_t length, struct document **out,
                   struct assay_error *error);
void document_free(struct document *document);

json_t *document_root(const struct document *document);
const char *document_name(const struct document *document);
/* Where `node` (a value inside this document's tree) came from; 0 when
 * unknown (e.g. a node the caller created). */
int document_line_of(const struct document *document, const json_t *node, int *column);

/* Formats "FILE:LINE: FIELD: message" into error and returns status;
 * `node` may be NULL (then the line of `parent` is used when given). */
int document_error(const struct document *document, const json_t *node, const char *field,
                   struct assay_error *error, int status, const char *format, ...)
    __attribute__((format(printf, 6, 7)));

#endif
