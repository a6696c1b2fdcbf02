/* fuzz_jsonrpc.c — libFuzzer harness for JSON-RPC request parsing.
 * Invariant: every input yields either a request or an error response that
 * serialises to JSON; nothing leaks, nothing crashes. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "jsonrpc/json_strict.h"
#include "jsonrpc/jsonrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jsonrpc_message message;
    json_t *error_response = NULL;
    int status = jsonrpc_parse_request((const char *)data, size, JSON_STRICT_DEFAULT_DEPTH,
                                       &message, &error_response);
    if (status == 0) {
        assert(message.method != NULL);
        json_t *reply = jsonrpc_result(message.id, json_string("ok"));
        struct buffer out = {0};
        json_strict_dump(reply, &out);
        buffer_free(&out);
        json_decref(reply);
        jsonrpc_message_release(&message);
    } else {
        assert(error_response != NULL);
        char *text = json_strict_dump_canonical(error_response);
        assert(text != NULL);
        free(text);
        json_decref(error_response);
    }
    return 0;
}
