/* client.h — the MCP client (protocol revision 2025-11-25) over Streamable
 * HTTP or stdio.
 *
 * mcp_client_connect() opens the transport (for stdio: spawns the server
 * command as a child process with pipes on its stdin/stdout; its stderr is
 * inherited), sends initialize and notifications/initialized, and checks
 * the protocol revision the server answered. Requests are blocking and may
 * come from several threads at once. mcp_client_close() says goodbye
 * (HTTP: DELETE of the session; stdio: closes the child's stdin, then
 * SIGTERM and SIGKILL if it lingers) and reaps the child.
 *
 * Server notifications (progress, log messages, list changes) reach
 * on_notification, whether they come with a request's answer or, over
 * HTTP, on the session's GET stream (opened after initialize unless
 * no_get_stream is set; a server answering 405 simply has none); server requests (sampling,
 * elicitation, roots) reach on_request, or are refused with -32601 when it is NULL. Both run on the
 * client's I/O thread and must return quickly.
 *
 * Errors: every call returns 0 or a negative ASSAY_ERR_* code with a
 * sentence in `error`: ASSAY_ERR_TIMEOUT (no answer in time; the request is
 * cancelled with notifications/cancelled), ASSAY_ERR_IO (connection or child
 * process gone), ASSAY_ERR_HTTP (an HTTP error status), ASSAY_ERR_STATE (the
 * server forgot the session: connect again), ASSAY_ERR_PROTOCOL (the peer
 * sent something that is not MCP), ASSAY_ERR_REMOTE (the server answered a
 * JSON-RPC error; then *result holds the error object {code, message,
 * data?} so callers can read the code).
 *
 * Ownership: options are copied. Results are new references the caller
 * releases with json_decref. params/arguments passed in are consumed.
 */
#ifndef ASSAY_MCP_CLIENT_H
#define ASSAY_MCP_CLIENT_H

#include <jansson.h>

#include "core/status.h"

struct mcp_client;

/* params is borrowed and valid only during the call. */
typedef void (*mcp_client_notification_handler)(const char *method, const json_t *params,
                                                void *context);
/* Returns 0 and sets *result (consumed), or a negative code: the server then
 * gets a JSON-RPC error. */
typedef int (*mcp_client_request_handler)(const char *method, const json_t *params, void *context,
                                          json_t **result);

struct mcp_client_options {
    /* Exactly one way to reach the server: */
    const char *url; /* Streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp */
    const char *const
        *command;          /* argv of a stdio server to spawn (NULL-terminated, PATH searched) */
    int use_descriptors;   /* stdio over descriptors the caller opened (tests); */
    int read_fd, write_fd; /* the client takes ownership and closes them */

    const char *const *headers;    /* extra HTTP headers, "Name: value", NULL-terminated */
    const char *client_name;       /* clientInfo; default "assay" */
    const char *client_version;    /* default ASSAY_VERSION */
    const char *protocol_version;  /* revision to ask for; default 2025-11-25 */
    const char *capabilities_json; /* client capabilities; default "{}" */
    long timeout_ms;               /* per request, initialize included; default 30000 */
    int no_get_stream;             /* HTTP: do not open the GET stream for unsolicited messages */
    mcp_client_notification_handler on_notification;
    mcp_client_request_handler on_request;
    void *context;
};

int mcp_client_connect(const struct mcp_client_options *options, struct mcp_client **out,
                       struct assay_error *error);
/* Says goodbye, reaps the child, frees. NULL is fine. */
void mcp_client_close(struct mcp_client *client);

/* The initialize result (borrowed) and the negotiated revision. */
const json_t *mcp_client_server_info(const struct mcp_client *client);
const char *mcp_client_protocol_version(const struct mcp_client *client);

struct mcp_request_options {
    long timeout_ms;   /* 0: the client's default */
    int want_progress; /* attach a progress token: progress arrives at on_notification */
};

/* Any request. options may be NULL. */
int mcp_client_request(struct mcp_client *client, const char *method, json_t *params,
                       const struct mcp_request_options *options, json_t **result,
                       struct assay_error *error);
int mcp_client_notify(struct mcp_client *client, const char *method, json_t *params,
                      struct assay_error *error);

int mcp_client_ping(struct mcp_client *client, struct assay_error *error);
/* Lists follow nextCursor to the end (at most 1000 pages) and give one
 * array: tools, resources, resource templates, prompts. */
int mcp_client_list_tools(struct mcp_client *client, json_t **tools, struct assay_error *error);
int mcp_client_list_resources(struct mcp_client *client, json_t **resources,
                              struct assay_error *error);
int mcp_client_list_resource_templates(struct mcp_client *client, json_t **templates,
                                       struct assay_error *error);
int mcp_client_list_prompts(struct mcp_client *client, json_t **prompts, struct assay_error *error);
/* arguments may be NULL. A tool's own failure is a normal result with
 * isError true, not an error here. */
int mcp_client_call_tool(struct mcp_client *client, const char *name, json_t *arguments,
                         const struct mcp_request_options *options, json_t **result,
                         struct assay_error *error);
int mcp_client_read_resource(struct mcp_client *client, const char *uri, json_t **result,
                             struct assay_error *error);
int mcp_client_get_prompt(struct mcp_client *client, const char *name, json_t *arguments,
                          json_t **result, struct assay_error *error);
int mcp_client_set_log_level(struct mcp_client *client, const char *level,
                             struct assay_error *error);

#endif
