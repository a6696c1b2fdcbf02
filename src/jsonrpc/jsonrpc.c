/* jsonrpc.c — JSON-RPC 2.0 message parsing and building. */
#include "jsonrpc/jsonrpc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "jsonrpc/json_strict.h"

void jsonrpc_message_release(struct jsonrpc_message *message)
{
    if (message == NULL)
        return;
    json_decref(message->root);
    memset(message, 0, sizeof *message);
}

static int id_is_valid(const json_t *id)
{
    /* The specification allows strings, numbers and (discouraged) null. */
    return json_is_string(id) || json_is_integer(id) || json_is_real(id) || json_is_null(id);
}

int jsonrpc_parse_request(const char *body, size_t length, size_t max_depth,
                          struct jsonrpc_message *out, json_t **error_response)
{
    memset(out, 0, sizeof *out);
    *error_response = NULL;
    struct assay_error error = {0};
    json_t *root = json_strict_parse(body, length, max_depth, &error);
    if (root == NULL) {
        *error_response = jsonrpc_error(NULL, JSONRPC_PARSE_ERROR, error.message, NULL);
        return ASSAY_ERR_INVALID;
    }
    json_t *id = json_object_get(root, "id");
    const char *problem = NULL;
    if (json_is_array(root))
        problem = "batch requests are not supported; send one request per call";
    else if (!json_is_object(root))
        problem = "a request must be a JSON object";
    else if (!json_is_string(json_object_get(root, "jsonrpc")) ||
             strcmp(json_string_value(json_object_get(root, "jsonrpc")), "2.0") != 0)
        problem = "\"jsonrpc\" must be the string \"2.0\"";
    else if (!json_is_string(json_object_get(root, "method")))
        problem = "\"method\" must be a string";
    else if (id != NULL && !id_is_valid(id))
        problem = "\"id\" must be a string, a number or null";
    else if (json_object_get(root, "params") != NULL &&
             !json_is_object(json_object_get(root, "params")) &&
             !json_is_array(json_object_get(root, "params")))
        problem = "\"params\" must be an object or an array";
    if (problem != NULL) {
        json_t *reply_id = (id != NULL && id_is_valid(id)) ? id : NULL;
        *error_response = jsonrpc_error(reply_id, JSONRPC_INVALID_REQUEST, problem, NULL);
        json_decref(root);
        return ASSAY_ERR_INVALID;
    }
    out->root = root;
    out->id = id;
    out->method = json_string_value(json_object_get(root, "method"));
    out->params = json_object_get(root, "params");
    return ASSAY_OK;
}

int jsonrpc_parse_message(const char *body, size_t length, size_t max_depth,
                          struct jsonrpc_message *out, struct assay_error *error)
{
    memset(out, 0, sizeof *out);
    json_t *root = json_strict_parse(body, length, max_depth, error);
    if (root == NULL)
        return ASSAY_ERR_PROTOCOL;
    if (!json_is_object(root) || !json_is_string(json_object_get(root, "jsonrpc"))) {
        json_decref(root);
        return assay_error_set(error, ASSAY_ERR_PROTOCOL, "not a JSON-RPC 2.0 message");
    }
    out->root = root;
    out->id = json_object_get(root, "id");
    json_t *method = json_object_get(root, "method");
    out->method = json_is_string(method) ? json_string_value(method) : NULL;
    out->params = json_object_get(root, "params");
    out->result = json_object_get(root, "result");
    out->error = json_object_get(root, "error");
    if (out->method == NULL && out->result == NULL && !json_is_object(out->error)) {
        jsonrpc_message_release(out);
        return assay_error_set(error, ASSAY_ERR_PROTOCOL,
                               "JSON-RPC message has neither method, result nor error");
    }
    return ASSAY_OK;
}

json_t *jsonrpc_result(json_t *id, json_t *result)
{
    return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id != NULL ? id : json_null(),
                     "result", result != NULL ? result : json_object());
}

/* A message may quote the peer's bytes (a parse error does); JSON strings
 * must be valid UTF-8, so fall back to a copy with non-ASCII bytes replaced. */
static json_t *message_string(const char *message)
{
    json_t *text = json_string(message);
    if (text != NULL)
        return text;
    char safe[512];
    size_t index = 0;
    for (; message[index] != '\0' && index < sizeof safe - 1; index++)
        safe[index] = (unsigned char)message[index] < 0x80 ? message[index] : '?';
    safe[index] = '\0';
    return json_string(safe);
}

json_t *jsonrpc_error(json_t *id, int code, const char *message, json_t *data)
{
    json_t *error = json_pack("{s:i, s:o}", "code", code, "message", message_string(message));
    if (error != NULL && data != NULL)
        json_object_set_new(error, "data", data);
    else
        json_decref(data);
    return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id != NULL ? id : json_null(),
                     "error", error);
}

json_t *jsonrpc_errorf(json_t *id, int code, json_t *data, const char *format, ...)
{
    char message[512];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    return jsonrpc_error(id, code, message, data);
}

json_t *jsonrpc_request(json_t *id, const char *method, json_t *params)
{
    json_t *message = json_pack("{s:s, s:s}", "jsonrpc", "2.0", "method", method);
    if (message == NULL) {
        json_decref(params);
        return NULL;
    }
    if (id != NULL)
        json_object_set(message, "id", id);
    if (params != NULL)
        json_object_set_new(message, "params", params);
    return message;
}
