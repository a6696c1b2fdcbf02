/* errors.c — A2A JSON-RPC error responses with ErrorInfo details. */
#include "a2a/errors.h"

#include <string.h>

#include "jsonrpc/jsonrpc.h"

const char *a2a_error_reason(int code)
{
    switch (code) {
    case A2A_ERROR_TASK_NOT_FOUND:
        return "TASK_NOT_FOUND";
    case A2A_ERROR_TASK_NOT_CANCELABLE:
        return "TASK_NOT_CANCELABLE";
    case A2A_ERROR_PUSH_NOTIFICATION_NOT_SUPPORTED:
        return "PUSH_NOTIFICATION_NOT_SUPPORTED";
    case A2A_ERROR_UNSUPPORTED_OPERATION:
        return "UNSUPPORTED_OPERATION";
    case A2A_ERROR_CONTENT_TYPE_NOT_SUPPORTED:
        return "CONTENT_TYPE_NOT_SUPPORTED";
    case A2A_ERROR_INVALID_AGENT_RESPONSE:
        return "INVALID_AGENT_RESPONSE";
    case A2A_ERROR_EXTENDED_AGENT_CARD_NOT_CONFIGURED:
        return "EXTENDED_AGENT_CARD_NOT_CONFIGURED";
    case A2A_ERROR_EXTENSION_SUPPORT_REQUIRED:
        return "EXTENSION_SUPPORT_REQUIRED";
    case A2A_ERROR_VERSION_NOT_SUPPORTED:
        return "VERSION_NOT_SUPPORTED";
    case JSONRPC_PARSE_ERROR:
        return "PARSE_ERROR";
    case JSONRPC_INVALID_REQUEST:
        return "INVALID_REQUEST";
    case JSONRPC_METHOD_NOT_FOUND:
        return "METHOD_NOT_FOUND";
    case JSONRPC_INVALID_PARAMS:
        return "INVALID_PARAMS";
    default:
        return "INTERNAL_ERROR";
    }
}

/* Copies text into out, cutting at a UTF-8 character boundary so that a
 * truncated message stays valid for json_string() (which rejects broken
 * sequences and would turn the whole error response into NULL). A message
 * formatted with "%.100s" may already end in half a character: that tail
 * is cut too. */
static void copy_truncated(char *out, size_t size, const char *text)
{
    size_t length = strlen(text);
    if (length >= size)
        length = size - 1;
    memcpy(out, text, length);
    out[length] = '\0';
    size_t lead = length;
    while (lead > 0 && ((unsigned char)out[lead - 1] & 0xc0) == 0x80)
        lead--;
    if (lead == 0)
        return;
    unsigned char first = (unsigned char)out[lead - 1];
    size_t expected = first < 0x80    ? 1
                      : first >= 0xf0 ? 4
                      : first >= 0xe0 ? 3
                      : first >= 0xc0 ? 2
                                      : 1;
    if (length - (lead - 1) < expected)
        out[lead - 1] = '\0';
}

json_t *a2a_error_response(json_t *id, int code, const char *message, const char *field,
                           const char *metadata_key, const char *metadata_value)
{
    char text[512];
    copy_truncated(text, sizeof text, message != NULL ? message : "error");
    json_t *info = json_pack("{s:s, s:s, s:s}", "@type", "type.googleapis.com/google.rpc.ErrorInfo",
                             "reason", a2a_error_reason(code), "domain", "a2a-protocol.org");
    if (info != NULL && metadata_key != NULL && metadata_value != NULL) {
        char value[256];
        copy_truncated(value, sizeof value, metadata_value);
        json_t *metadata = json_pack("{s:s}", metadata_key, value);
        if (metadata != NULL)
            json_object_set_new(info, "metadata", metadata);
    }
    json_t *data = info != NULL ? json_pack("[o]", info) : NULL;
    if (data != NULL && field != NULL) {
        char field_text[160];
        copy_truncated(field_text, sizeof field_text, field);
        json_t *bad_request =
            json_pack("{s:s, s:[{s:s, s:s}]}", "@type", "type.googleapis.com/google.rpc.BadRequest",
                      "fieldViolations", "field", field_text, "description", text);
        if (bad_request != NULL)
            json_array_append_new(data, bad_request);
    }
    json_t *response = jsonrpc_error(id, code, text, data);
    if (response == NULL) /* the message itself was not valid UTF-8: keep the code */
        response = jsonrpc_error(id, code, a2a_error_reason(code), NULL);
    return response;
}
