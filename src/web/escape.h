/* escape.h — text made safe for the web UI: HTML/XML escaping and URL
 * percent-encoding.
 *
 * Ownership: `text` is borrowed for the call; the output is appended to the
 * caller's buffer (core/buffer.h). A NULL text appends nothing.
 * Errors: 0, ASSAY_ERR_INVALID when `out` is NULL, or ASSAY_ERR_NOMEM when
 * the buffer cannot grow (then part of the text may have been appended). */
#ifndef ASSAY_WEB_ESCAPE_H
#define ASSAY_WEB_ESCAPE_H

#include <stddef.h>

#include <jansson.h>

#include "core/buffer.h"

/* Escapes & < > " ' (as &amp; &lt; &gt; &quot; &#39;), so the result is safe
 * both as element text and inside a quoted attribute value, in HTML and in
 * XML alike. Bytes XML 1.0 forbids (control characters other than tab, line
 * feed and carriage return, invalid UTF-8, U+FFFE and U+FFFF) become U+FFFD:
 * a hostile name can then neither break the markup nor make an inline SVG
 * ill-formed. */
int web_append_escaped(struct buffer *out, const char *text);

/* The same for the first `length` bytes of text (which may hold NUL; it
 * becomes U+FFFD like any other forbidden control character). */
int web_append_escaped_length(struct buffer *out, const char *text, size_t length);

/* Percent-encodes every byte except the unreserved characters of RFC 3986
 * (A-Z a-z 0-9 - . _ ~), with upper-case hex digits, for one path segment or
 * query value such as the NAME in /agents/NAME. The result holds no
 * character that needs HTML escaping, so it may go straight into href="". */
int web_append_url_component(struct buffer *out, const char *text);

/* A JSON string of `text` with every byte sequence that is not valid UTF-8
 * replaced by U+FFFD (jansson refuses invalid UTF-8, and a stored error
 * message may hold an agent's broken text); json null for NULL. New
 * reference, NULL only when out of memory. */
json_t *web_json_string(const char *text);

#endif
