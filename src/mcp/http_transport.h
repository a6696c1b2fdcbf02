/* http_transport.h — MCP Streamable HTTP (2025-11-25) on assay's HTTP
 * server (libmicrohttpd).
 *
 * One endpoint (default /mcp):
 *   POST    one JSON-RPC message. initialize creates a session and returns
 *           its id in MCP-Session-Id; every later message must carry it
 *           (missing: 400, unknown or expired: 404). Notifications and
 *           responses: 202, no body. Requests: application/json, or an SSE
 *           stream (text/event-stream) when the request reports progress,
 *           logs or asks the client something before its answer.
 *   GET     the session's stream for unsolicited messages (one per session,
 *           409 for a second; kept alive with comments).
 *   DELETE  ends the session (200).
 * Origin is checked on every request against DNS rebinding (403): absent
 * Origin and localhost/127.0.0.1/[::1] origins pass, plus an allow-list.
 * When bound to a loopback address the Host header is held to the same
 * rule. A present MCP-Protocol-Version must be one this server speaks (400).
 * Bodies must be application/json (415) and fit max_body_bytes (413).
 *
 * Threads: handlers run on the HTTP event threads (`threads`, default 1);
 * slow calls go to the server's worker pool and answer later, so an event
 * thread never waits. One maintenance thread sends keep-alives and expires
 * idle sessions every keepalive_seconds.
 *
 * Ownership: the transport borrows the server (free the transport first)
 * and copies its options.
 */
#ifndef ASSAY_MCP_HTTP_TRANSPORT_H
#define ASSAY_MCP_HTTP_TRANSPORT_H

#include <stddef.h>

#include "mcp/server.h"

struct mcp_http_transport;

struct mcp_http_options {
    const char *bind_address;           /* default "127.0.0.1" */
    unsigned short port;                /* 0 picks a free port (see mcp_http_transport_port) */
    const char *path;                   /* default "/mcp" */
    unsigned threads;                   /* HTTP event threads; default 1 */
    size_t max_body_bytes;              /* default 4 MiB */
    const char *const *allowed_origins; /* extra exact Origin values, NULL-terminated */
    const char *const *allowed_hosts;   /* extra Host values ("name" or "name:port") */
    int allow_any_origin;               /* turns the Origin and Host checks off */
    unsigned keepalive_seconds;         /* default 15 */
    unsigned idle_timeout_seconds;      /* silent HTTP connections close; default 60 */
    unsigned max_streams_per_client; /* concurrent SSE streams per client address; default 1024 */
};

/* Starts listening. ASSAY_ERR_IO when the address cannot be bound. */
int mcp_http_transport_start(struct mcp_server *server, const struct mcp_http_options *options,
                             struct mcp_http_transport **out);
unsigned short mcp_http_transport_port(const struct mcp_http_transport *transport);
/* Stops accepting, cancels running calls of its sessions and waits for
 * them, closes its sessions and streams, frees. NULL is fine. */
void mcp_http_transport_free(struct mcp_http_transport *transport);

#endif
