/* jsonrpc.h — JSON-RPC 2.0 framing shared by the A2A and MCP layers.
 *
 * Parsing classifies bad input the way the specification asks: malformed
 * JSON is -32700 with a null id, a well-formed value that is not a request
 * object is -32600. Builders consume the json_t they are given (jansson's
 * "_new" convention) and borrow `id`.
 */
#ifndef ASSAY_JSONRPC_JSONRPC_H
#define ASSAY_JSONRPC_JSONRPC_H

#include <jansson.h>
#include <stddef.h>

#include "core/buffer.h"
#include "core/status.h"

enum jsonrpc_code {
    JSONRPC_PARSE_ERROR = -32700,
    JSONRPC_INVALID_REQUEST = -32600,
    JSONRPC_METHOD_NOT_FOUND = -32601,
    JSONRPC_INVALID_PARAMS = -32602,
    JSONRPC_INTERNAL_ERROR = -32603,
};

/* A parsed message. `root` is owned; the other pointers borrow from it. */
struct jsonrpc_message {
    json_t *root;
    json_t *id;           /* NULL for notifications (no "id" member) */
    const char *method;   /* NULL for responses */
    json_t *params;       /* NULL when absent */
    json_t *result;       /* responses only */
    json_t *error;        /* responses only */
};

/* Parses a request or notification. On failure returns a negative code and
 * sets *error_response to the error response to send (owned by the caller);
 * it is NULL only when even that could not be built (out of memory). */
int jsonrpc_parse_request(const char *body, size_t length, size_t max_depth,
                          struct jsonrpc_message *out, json_t **error_response);
/* Parses any message (request, notification or response); for clients. */
int jsonrpc_parse_message(const char *body, size_t length, size_t max_depth,
                          struct jsonrpc_message *out, struct assay_error *error);
void jsonrpc_message_release(struct jsonrpc_message *message);

json_t *jsonrpc_result(json_t *id, json_t *result);
/* data may be NULL. */
json_t *jsonrpc_error(json_t *id, int code, const char *message, json_t *data);
json_t *jsonrpc_errorf(json_t *id, int code, json_t *data, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
/* A request (id non-NULL) or a notification (id NULL). params may be NULL. */
json_t *jsonrpc_request(json_t *id, const char *method, json_t *params);

#endif
