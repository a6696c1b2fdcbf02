/* stdio_transport.h — MCP over a pair of file descriptors (stdin/stdout
 * for a server a client spawned): newline-delimited JSON-RPC, one message
 * per line, nothing else on the output. Diagnostics go to stderr (see
 * core/log.h), never to the output descriptor.
 *
 * One connection is one session. Requests are dispatched on the reading
 * thread; those that run on the worker pool answer from there, and output
 * lines are written whole under a lock, so they never interleave.
 *
 * Ownership: borrows the server and the descriptors (it closes neither).
 */
#ifndef ASSAY_MCP_STDIO_TRANSPORT_H
#define ASSAY_MCP_STDIO_TRANSPORT_H

#include <stddef.h>

#include "mcp/server.h"

struct mcp_stdio_options {
    int input_fd;             /* messages from the client */
    int output_fd;            /* messages to the client */
    int stop_fd;              /* when readable, stop serving; -1 for none */
    size_t max_message_bytes; /* longer lines are refused with -32700; default 4 MiB */
};

/* Serves until the input ends (EOF), the output breaks or stop_fd becomes
 * readable; then cancels what still runs, waits for it and returns.
 * options NULL means stdin, stdout, no stop descriptor. Returns 0 after a
 * normal end, ASSAY_ERR_IO when reading failed. */
int mcp_stdio_serve(struct mcp_server *server, const struct mcp_stdio_options *options);

#endif
