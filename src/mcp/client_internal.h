/* client_internal.h — what client.c shares with its two transports
 * (client_http.c, client_stdio.c). Nobody else includes it. */
#ifndef ASSAY_MCP_CLIENT_INTERNAL_H
#define ASSAY_MCP_CLIENT_INTERNAL_H

#include <jansson.h>
#include <stdatomic.h>

#include "mcp/client.h"

struct mcp__client_transport_ops {
    /* Sends request (borrowed) and waits for the response carrying its id;
     * *response is that whole message (new reference). Messages arriving
     * meanwhile go through mcp__client_incoming. */
    int (*round_trip)(struct mcp_client *client, const json_t *request, long timeout_ms,
                      json_t **response, struct assay_error *error);
    int (*notify)(struct mcp_client *client, const json_t *notification, struct assay_error *error);
    /* Called once initialize has succeeded; may be NULL. */
    void (*ready)(struct mcp_client *client);
    /* Says goodbye and releases the transport. */
    void (*close)(struct mcp_client *client);
};

struct mcp_client {
    const struct mcp__client_transport_ops *ops;
    void *transport;
    struct mcp_client_options options; /* strings and lists are owned copies */
    json_t *capabilities;
    atomic_long next_id;
    json_t *server_info;
    char protocol_version[16]; /* empty until initialize answered */
};

int mcp__client_http_open(struct mcp_client *client, struct assay_error *error);
int mcp__client_stdio_open(struct mcp_client *client, struct assay_error *error);

/* Routes a message that is not an awaited response: notifications go to
 * on_notification; for a request the answer to send back is returned (new
 * reference); anything else gives NULL. Borrows message. */
json_t *mcp__client_incoming(struct mcp_client *client, const json_t *message);

#endif
