/* server.h — the MCP server library (protocol revision 2025-11-25): what a
 * server offers (tools, resources, resource templates, prompts, completion),
 * the call context its handlers work with, and its lifecycle.
 *
 * A struct mcp_server holds the registrations and the one transport-agnostic
 * dispatch; transports feed it messages: Streamable HTTP (mcp/http_transport.h),
 * stdio (mcp/stdio_transport.h) and an in-process session
 * (mcp/local_transport.h). Registering a tool takes a few lines:
 *
 *     static int echo(struct mcp_call *call, const json_t *arguments, void *context,
 *                     json_t **result)
 *     {
 *         *result = mcp_result_text(json_string_value(json_object_get(arguments, "text")));
 *         return *result != NULL ? 0 : ASSAY_ERR_NOMEM;
 *     }
 *     mcp_server_add_tool(server, &(struct mcp_tool){
 *         .name = "echo", .description = "Echoes its text",
 *         .input_schema_json =
 * "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},"
 *                              "\"required\":[\"text\"]}",
 *         .handler = echo});
 *
 * Where handlers run: inline on the transport's receiving thread (an HTTP
 * event thread, the stdio reader) for plain requests — the fastest path and
 * right for handlers that finish in microseconds. A request that carries a
 * progress token, or whose tool/resource/prompt is flagged MCP_RUN_ON_WORKER,
 * runs on the server's worker pool and is answered later (as JSON, or as an
 * SSE stream once it reports progress or logs). A handler that sleeps, waits
 * on I/O or asks the client something (mcp_call_client_request) must carry
 * MCP_RUN_ON_WORKER.
 *
 * Ownership: mcp_server_add_* copy the struct, every string in it and parse
 * the JSON texts, so callers may pass temporaries; `context` pointers are
 * borrowed and must outlive the server. Registration must finish before a
 * transport starts (the tables are read without locks afterwards).
 * Handlers receive borrowed json_t values and hand a new reference back in
 * *result; the library owns it from then on.
 */
#ifndef ASSAY_MCP_SERVER_H
#define ASSAY_MCP_SERVER_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"

struct mcp_server;
struct mcp_call;

/* Protocol revisions this library accepts. initialize answers the client's
 * revision when it is one of these, otherwise MCP_PROTOCOL_LATEST. */
#define MCP_PROTOCOL_LATEST "2025-11-25"
int mcp_protocol_version_supported(const char *version);

/* JSON-RPC error codes used by MCP beyond the standard ones in jsonrpc.h. */
enum mcp_error_code {
    MCP_ERROR_RESOURCE_NOT_FOUND = -32002,
    MCP_ERROR_REQUEST_CANCELLED = -32800, /* used only where an answer cannot be withheld */
};

enum mcp_flags {
    /* The handler may block or take long: always run it on the worker pool. */
    MCP_RUN_ON_WORKER = 1u << 0,
};

/* Tools. The handler returns 0 and sets *result to a CallToolResult object
 * ({"content": [...], "structuredContent"?: {...}, "isError"?: bool}), or
 * returns a negative code: the library then answers a tool execution error
 * (isError true) whose text is the message given to mcp_call_fail(), or a
 * JSON-RPC error if mcp_call_rpc_error() was used. Arguments have already
 * been validated against input_schema_json when the handler runs. */
typedef int (*mcp_tool_handler)(struct mcp_call *call, const json_t *arguments, void *context,
                                json_t **result);

struct mcp_tool {
    const char *name;               /* required, unique */
    const char *title;              /* optional */
    const char *description;        /* strongly recommended: clients show it to models */
    const char *input_schema_json;  /* JSON Schema object; NULL means {"type":"object"} */
    const char *output_schema_json; /* optional; results must then carry structuredContent */
    const char *annotations_json;   /* optional ToolAnnotations object */
    mcp_tool_handler handler;       /* required */
    void *context;
    unsigned flags; /* enum mcp_flags */
};

/* Resources. The handler sets *result to a ReadResourceResult
 * ({"contents": [{"uri", "mimeType", "text" | "blob"}]}). `variables` holds
 * the values a template matched ({"id": "123"}), NULL for plain resources. */
typedef int (*mcp_resource_handler)(struct mcp_call *call, const char *uri, const json_t *variables,
                                    void *context, json_t **result);

struct mcp_resource {
    const char *uri;  /* required, unique */
    const char *name; /* required */
    const char *title;
    const char *description;
    const char *mime_type;
    const char *text; /* static text content, served when handler is NULL */
    const char *blob; /* static base64 content, served when handler and text are NULL */
    mcp_resource_handler handler;
    void *context;
    unsigned flags;
};

/* A URI template with simple {name} variables (RFC 6570 level 1); each
 * variable matches one non-empty run of characters other than '/'. */
struct mcp_resource_template {
    const char *uri_template; /* required */
    const char *name;         /* required */
    const char *title;
    const char *description;
    const char *mime_type;
    mcp_resource_handler handler; /* required */
    void *context;
    unsigned flags;
};

/* Prompts. The handler sets *result to a GetPromptResult
 * ({"description"?, "messages": [{"role", "content"}]}). Required arguments
 * are checked before it runs; `arguments` is an object of strings. */
typedef int (*mcp_prompt_handler)(struct mcp_call *call, const json_t *arguments, void *context,
                                  json_t **result);

struct mcp_prompt_argument {
    const char *name;
    const char *description;
    int required;
};

struct mcp_prompt {
    const char *name; /* required, unique */
    const char *title;
    const char *description;
    const struct mcp_prompt_argument *arguments;
    size_t argument_count;
    mcp_prompt_handler handler; /* required */
    void *context;
    unsigned flags;
};

/* completion/complete. `reference` is the request's ref object
 * ({"type": "ref/prompt", "name"} or {"type": "ref/resource", "uri"}).
 * Sets *values to an array of strings (at most 100 are sent). Without a
 * handler the server answers an empty completion. */
typedef int (*mcp_completion_handler)(struct mcp_call *call, const json_t *reference,
                                      const char *argument_name, const char *argument_value,
                                      void *context, json_t **values);

struct mcp_server_options {
    const char *name;               /* serverInfo.name; default "assay" */
    const char *version;            /* serverInfo.version; default ASSAY_VERSION */
    const char *title;              /* serverInfo.title; optional */
    const char *instructions;       /* initialize result; optional */
    unsigned worker_threads;        /* default 4, started on first use */
    size_t worker_queue_limit;      /* queued calls beyond this are refused; default 1024 */
    size_t page_size;               /* items per list page; default 100 */
    size_t max_sessions;            /* live sessions; default 1024 */
    unsigned session_idle_seconds;  /* a session unused this long expires; default 600 */
    long client_request_timeout_ms; /* server→client requests; default 60000 */
};

int mcp_server_new(const struct mcp_server_options *options, struct mcp_server **out);
/* Transports must be freed first. NULL is fine. */
void mcp_server_free(struct mcp_server *server);

/* Each returns ASSAY_ERR_INVALID for a missing field, a duplicate name or a
 * schema that is not a JSON object (mcp_server_last_error() says which),
 * ASSAY_ERR_STATE once a transport has started. */
int mcp_server_add_tool(struct mcp_server *server, const struct mcp_tool *tool);
int mcp_server_add_resource(struct mcp_server *server, const struct mcp_resource *resource);
int mcp_server_add_resource_template(struct mcp_server *server,
                                     const struct mcp_resource_template *resource_template);
int mcp_server_add_prompt(struct mcp_server *server, const struct mcp_prompt *prompt);
int mcp_server_set_completion(struct mcp_server *server, mcp_completion_handler handler,
                              void *context);
/* The reason the last add_* failed ("" after success). */
const char *mcp_server_last_error(const struct mcp_server *server);

/* Unsolicited messages to every live session that can receive them (stdio
 * sessions always; HTTP sessions while their GET stream is open).
 * notify_resource_updated reaches only sessions subscribed to `uri`.
 * Return the number of sessions reached, or a negative code. */
int mcp_server_notify_all(struct mcp_server *server, const char *method, json_t *params);
int mcp_server_notify_resource_updated(struct mcp_server *server, const char *uri);

/* ---- inside a handler: the call context ---------------------------------- */

enum mcp_log_level {
    MCP_LOG_DEBUG,
    MCP_LOG_INFO,
    MCP_LOG_NOTICE,
    MCP_LOG_WARNING,
    MCP_LOG_ERROR,
    MCP_LOG_CRITICAL,
    MCP_LOG_ALERT,
    MCP_LOG_EMERGENCY,
};
const char *mcp_log_level_name(enum mcp_log_level level);
/* -1 when the name is not one of the eight syslog levels MCP uses. */
int mcp_log_level_from_name(const char *name);

/* 1 once the client cancelled the request (notifications/cancelled), closed
 * its stream, or the server is stopping. Long handlers should poll it. */
int mcp_call_cancelled(const struct mcp_call *call);
/* notifications/progress; does nothing (returns 0) when the request carried
 * no progress token. total < 0 and message NULL are left out. */
int mcp_call_progress(struct mcp_call *call, double progress, double total, const char *message);
/* notifications/message tied to this request, when level is at or above
 * the session's level (logging/setLevel). logger may be NULL. */
int mcp_call_log(struct mcp_call *call, enum mcp_log_level level, const char *logger,
                 const char *format, ...) __attribute__((format(printf, 4, 5)));
int mcp_call_log_json(struct mcp_call *call, enum mcp_log_level level, const char *logger,
                      json_t *data); /* consumes data */
/* 1 when the client declared the capability ("sampling", "elicitation",
 * "roots") in initialize. */
int mcp_call_client_has_capability(const struct mcp_call *call, const char *name);
/* Sends a request to the client (sampling/createMessage, elicitation/create,
 * roots/list) on this call's stream and waits for the answer. Only on the
 * worker pool (MCP_RUN_ON_WORKER); consumes params. On success *result is
 * the client's result (new reference). ASSAY_ERR_UNSUPPORTED when the client
 * lacks the capability, ASSAY_ERR_REMOTE when it answered an error,
 * ASSAY_ERR_TIMEOUT, ASSAY_ERR_CANCELED. */
int mcp_call_client_request(struct mcp_call *call, const char *method, json_t *params,
                            json_t **result, struct assay_error *error);
/* The progress token of the request, or NULL. Borrowed. */
const json_t *mcp_call_progress_token(const struct mcp_call *call);
/* The session id (HTTP) or "" (stdio, local). */
const char *mcp_call_session_id(const struct mcp_call *call);
/* The bearer token (from `Authorization: Bearer T`) the HTTP session was
 * opened with, or "" (no token, stdio, local). Every later request of the
 * session must carry the same token (403 otherwise), so handlers may use it
 * to tell callers apart, e.g. per-episode credentials. Borrowed. */
const char *mcp_call_bearer_token(const struct mcp_call *call);
/* 1 when running on the worker pool. */
int mcp_call_on_worker(const struct mcp_call *call);

/* For `return mcp_call_fail(call, "...")` from a tool handler: a tool
 * execution error (isError) with this text. Returns ASSAY_ERR_INVALID. */
int mcp_call_fail(struct mcp_call *call, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* For `return mcp_call_rpc_error(call, -32602, "...")`: the request fails
 * with a JSON-RPC error instead. Returns ASSAY_ERR_PROTOCOL. */
int mcp_call_rpc_error(struct mcp_call *call, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- result builders (new references; NULL when out of memory) ---------- */

json_t *mcp_content_text(const char *text);
/* {"content": [{"type": "text", "text": text}]} */
json_t *mcp_result_text(const char *text);
/* The same with "isError": true. */
json_t *mcp_result_error_text(const char *text);
/* {"content": [text of the JSON], "structuredContent": structured}; consumes structured. */
json_t *mcp_result_structured(json_t *structured);

#endif
