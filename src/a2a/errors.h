/* errors.h — A2A error codes and their JSON-RPC error responses.
 *
 * Every error response assay's A2A server sends carries `error.data`: an
 * array holding a google.rpc.ErrorInfo (`@type`, `reason`, `domain`
 * "a2a-protocol.org", optional string `metadata`), and for -32602 also a
 * google.rpc.BadRequest whose fieldViolations name the offending member,
 * as the A2A 1.0 specification (section 9.5) describes.
 */
#ifndef ASSAY_A2A_ERRORS_H
#define ASSAY_A2A_ERRORS_H

#include <jansson.h>

enum a2a_error_code {
    A2A_ERROR_TASK_NOT_FOUND = -32001,
    A2A_ERROR_TASK_NOT_CANCELABLE = -32002,
    A2A_ERROR_PUSH_NOTIFICATION_NOT_SUPPORTED = -32003,
    A2A_ERROR_UNSUPPORTED_OPERATION = -32004,
    A2A_ERROR_CONTENT_TYPE_NOT_SUPPORTED = -32005,
    A2A_ERROR_INVALID_AGENT_RESPONSE = -32006,
    A2A_ERROR_EXTENDED_AGENT_CARD_NOT_CONFIGURED = -32007,
    A2A_ERROR_EXTENSION_SUPPORT_REQUIRED = -32008,
    A2A_ERROR_VERSION_NOT_SUPPORTED = -32009,
};

/* The ErrorInfo reason for a code: "TASK_NOT_FOUND", ... and for the
 * JSON-RPC standard codes "PARSE_ERROR", "INVALID_REQUEST",
 * "METHOD_NOT_FOUND", "INVALID_PARAMS", "INTERNAL_ERROR". */
const char *a2a_error_reason(int code);

/* A complete JSON-RPC error response (new reference; NULL only when out of
 * memory). id is borrowed (NULL means null). field, when not NULL, names
 * the invalid member for a BadRequest detail (used with -32602).
 * metadata_key/metadata_value, when not NULL, add one ErrorInfo metadata
 * entry (e.g. "taskId"). The message is truncated at a character boundary
 * if very long, so a message quoting user input never breaks the JSON. */
json_t *a2a_error_response(json_t *id, int code, const char *message, const char *field,
                           const char *metadata_key, const char *metadata_value);

#endif
