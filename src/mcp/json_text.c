/* json_text.c — MCP messages as JSON text on an exchange (the transport
 * seam), written with the shared fast writer (jsonrpc/json_write.h). */
#include <string.h>

#include "core/status.h"
#include "jsonrpc/json_write.h"
#include "mcp/internal.h"

int mcp__exchange_send_json(struct mcp__exchange *exchange, json_t *message, int is_request)
{
    struct buffer text = {0};
    int status = json_write_compact(message, &text);
    json_decref(message);
    if (status == ASSAY_OK)
        status = exchange->ops->send(exchange, text.data, text.length, is_request);
    buffer_free(&text);
    return status;
}

void mcp__exchange_finish_json(struct mcp__exchange *exchange, json_t *response)
{
    struct buffer text = {0};
    int success = json_object_get(response, "result") != NULL;
    if (response != NULL && json_write_compact(response, &text) == ASSAY_OK)
        exchange->ops->finish(exchange, text.data, text.length, success);
    else
        exchange->ops->finish(exchange, NULL, 0, 0);
    json_decref(response);
    buffer_free(&text);
}
