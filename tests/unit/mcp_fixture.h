/* mcp_fixture.h — what the MCP test groups share (test_mcp.c,
 * test_mcp_client.c, test_mcp_http.c): the tools they all register (echo, a
 * sleeper that waits to be cancelled, asking the client for a sampling), a
 * server made of echo plus a table of tools, serving a server over loopback
 * HTTP, and waiting for a flag a handler sets. Not a test group itself.
 *
 * Ownership: these three groups own this file; a helper belongs here only
 * when at least two of them use it, and one group's private helpers stay
 * static in that group's file. Everything here asserts with cmocka, so call
 * it only from a test, a setup or a teardown (or a handler they drive). The
 * sleeper's flags are shared by every group: reset them before each use. */
#ifndef ASSAY_TEST_MCP_FIXTURE_H
#define ASSAY_TEST_MCP_FIXTURE_H

#include <stdatomic.h>
#include <stddef.h>

#include <jansson.h>

#include "mcp/http_transport.h"
#include "mcp/server.h"

/* Answers arguments.text as text content. */
int mcp_fixture_echo_tool(struct mcp_call *call, const json_t *arguments, void *context,
                          json_t **result);

/* Set by mcp_fixture_sleeper_tool: when it starts, and when it sees its
 * call cancelled. */
extern atomic_int mcp_fixture_sleeper_started, mcp_fixture_sleeper_saw_cancel;

/* Sleeps in rounds of 5 ms until cancelled (then fails with "cancelled"),
 * or answers "woke up" after the rounds run out: *(int *)context rounds,
 * or 1000 when the tool has no context. */
int mcp_fixture_sleeper_tool(struct mcp_call *call, const json_t *arguments, void *context,
                             json_t **result);

/* Sends sampling/createMessage with params (consumed) to the client; on
 * failure fails the call with the client's error message and returns that. */
int mcp_fixture_ask_sampling(struct mcp_call *call, json_t *params, json_t **answer);

/* The same, answering "model said TEXT" with the content text the client
 * sent back. */
int mcp_fixture_model_said(struct mcp_call *call, json_t *params, json_t **result);

/* A new server with, in this order, the tool "echo" (mcp_fixture_echo_tool,
 * input {text: string} required) and every tool of the table; each must be
 * accepted. */
struct mcp_server *mcp_fixture_new_server(const struct mcp_server_options *options,
                                          const struct mcp_tool *tools, size_t count);

/* Serves server over loopback HTTP on a free port (options may be NULL) and
 * writes the endpoint URL, http://127.0.0.1:PORT/mcp. */
void mcp_fixture_serve_http(struct mcp_server *server, const struct mcp_http_options *options,
                            struct mcp_http_transport **transport, char *url, size_t url_size);

void mcp_fixture_pause_ms(long milliseconds);

/* Waits up to 2 s, in steps of 5 ms, for *flag to be set; asserts it is. */
void mcp_fixture_wait_for(atomic_int *flag);

#endif
