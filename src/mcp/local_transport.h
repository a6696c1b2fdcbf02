/* local_transport.h — an in-process MCP session: JSON-RPC text in, the
 * server's messages out, with no socket and no thread of its own.
 *
 * For tests, and for code that wants to call tools registered in its own
 * process through exactly the dispatch remote clients get. Requests to the
 * client (sampling, elicitation) cannot be answered on this transport and
 * fail at once in the handler.
 *
 * Ownership: the session borrows the server, which must outlive it. `out`
 * buffers belong to the caller.
 */
#ifndef ASSAY_MCP_LOCAL_TRANSPORT_H
#define ASSAY_MCP_LOCAL_TRANSPORT_H

#include <stddef.h>

#include "core/buffer.h"
#include "mcp/server.h"

struct mcp_local_session;

int mcp_local_session_open(struct mcp_server *server, struct mcp_local_session **out);
/* Handles one message. Appends every message the server sends because of it
 * (notifications first, then the response) to out, one JSON text per line.
 * Blocks until a request is answered, including requests that run on the
 * worker pool; notifications return at once with nothing appended. */
int mcp_local_session_send(struct mcp_local_session *session, const char *message, size_t length,
                           struct buffer *out);
/* Ends the session (cancelling nothing: every send has completed). NULL is fine. */
void mcp_local_session_close(struct mcp_local_session *session);

#endif
