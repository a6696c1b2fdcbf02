/* fixture_mcp.c — `assay fixture mcp http|stdio|client`: the test MCP
 * server built from assay's MCP library, and a command-line driver for
 * assay's MCP client.
 *
 * The server exposes every tool, resource and prompt the official
 * conformance suite (@modelcontextprotocol/conformance 0.1.x) names for its
 * server scenarios, plus `echo` (the benchmark's tool), `add` (structured
 * output), `sleep` and `cancelled_calls` (cancellation). Not part of the
 * product surface: it exists so real peers can test the library. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/log.h"
#include "core/status.h"
#include "jsonrpc/json_strict.h"
#include "mcp/client.h"
#include "mcp/http_transport.h"
#include "mcp/server.h"
#include "mcp/stdio_transport.h"

/* A 1x1 red PNG and a minimal WAV, as the conformance suite's reference
 * server uses. */
static const char test_image_base64[] = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42m"
                                        "P8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
static const char test_audio_base64[] =
    "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

static atomic_int cancelled_calls;

static void sleep_milliseconds(long milliseconds)
{
    struct timespec duration = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    while (nanosleep(&duration, &duration) != 0 && errno == EINTR) {
    }
}

/* ---- tools ------------------------------------------------------------------ */

static int tool_echo(struct mcp_call *call, const json_t *arguments, void *context, json_t **result)
{
    *result = mcp_result_text(json_string_value(json_object_get(arguments, "text")));
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_simple_text(struct mcp_call *call, const json_t *arguments, void *context,
                            json_t **result)
{
    *result = mcp_result_text("This is a simple text response for testing.");
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_image(struct mcp_call *call, const json_t *arguments, void *context,
                      json_t **result)
{
    *result = json_pack("{s:[{s:s, s:s, s:s}]}", "content", "type", "image", "data",
                        test_image_base64, "mimeType", "image/png");
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_audio(struct mcp_call *call, const json_t *arguments, void *context,
                      json_t **result)
{
    *result = json_pack("{s:[{s:s, s:s, s:s}]}", "content", "type", "audio", "data",
                        test_audio_base64, "mimeType", "audio/wav");
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_embedded_resource(struct mcp_call *call, const json_t *arguments, void *context,
                                  json_t **result)
{
    *result = json_pack("{s:[{s:s, s:{s:s, s:s, s:s}}]}", "content", "type", "resource", "resource",
                        "uri", "test://embedded-resource", "mimeType", "text/plain", "text",
                        "This is an embedded resource content.");
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_multiple_content(struct mcp_call *call, const json_t *arguments, void *context,
                                 json_t **result)
{
    *result = json_pack("{s:[{s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:{s:s, s:s, s:s}}]}", "content",
                        "type", "text", "text", "Multiple content types test:", "type", "image",
                        "data", test_image_base64, "mimeType", "image/png", "type", "resource",
                        "resource", "uri", "test://mixed-content-resource", "mimeType",
                        "application/json", "text", "{\"test\":\"data\",\"value\":123}");
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_with_logging(struct mcp_call *call, const json_t *arguments, void *context,
                             json_t **result)
{
    mcp_call_log(call, MCP_LOG_INFO, NULL, "Tool execution started");
    sleep_milliseconds(50);
    mcp_call_log(call, MCP_LOG_INFO, NULL, "Tool processing data");
    sleep_milliseconds(50);
    mcp_call_log(call, MCP_LOG_INFO, NULL, "Tool execution completed");
    *result = mcp_result_text("Tool with logging executed successfully");
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_with_progress(struct mcp_call *call, const json_t *arguments, void *context,
                              json_t **result)
{
    for (int step = 0; step <= 100; step += 50) {
        char message[64];
        snprintf(message, sizeof message, "Completed step %d of 100", step);
        mcp_call_progress(call, step, 100, message);
        if (step < 100)
            sleep_milliseconds(50);
    }
    const json_t *token = mcp_call_progress_token(call);
    char text[128] = "no progress token";
    if (json_is_string(token))
        snprintf(text, sizeof text, "%s", json_string_value(token));
    else if (json_is_integer(token))
        snprintf(text, sizeof text, "%lld", (long long)json_integer_value(token));
    *result = mcp_result_text(text);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_error(struct mcp_call *call, const json_t *arguments, void *context,
                      json_t **result)
{
    return mcp_call_fail(call, "This tool intentionally returns an error for testing");
}

static int tool_sampling(struct mcp_call *call, const json_t *arguments, void *context,
                         json_t **result)
{
    const char *prompt = json_string_value(json_object_get(arguments, "prompt"));
    json_t *params = json_pack("{s:[{s:s, s:{s:s, s:s}}], s:i}", "messages", "role", "user",
                               "content", "type", "text", "text", prompt, "maxTokens", 100);
    json_t *answer = NULL;
    struct assay_error error = {0};
    if (mcp_call_client_request(call, "sampling/createMessage", params, &answer, &error) != 0)
        return mcp_call_fail(call, "Sampling not supported or error: %s", error.message);
    const char *text =
        json_string_value(json_object_get(json_object_get(answer, "content"), "text"));
    char reply[1024];
    snprintf(reply, sizeof reply, "LLM response: %s", text != NULL ? text : "No response");
    json_decref(answer);
    *result = mcp_result_text(reply);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

/* Asks the client to fill a form and reports what it answered. */
static int elicit(struct mcp_call *call, const char *message, const char *schema_json,
                  const char *prefix, json_t **result)
{
    json_t *schema = json_loads(schema_json, 0, NULL);
    json_t *params = json_pack("{s:s, s:o}", "message", message, "requestedSchema", schema);
    json_t *answer = NULL;
    struct assay_error error = {0};
    if (mcp_call_client_request(call, "elicitation/create", params, &answer, &error) != 0)
        return mcp_call_fail(call, "Elicitation not supported or error: %s", error.message);
    const char *action = json_string_value(json_object_get(answer, "action"));
    json_t *content = json_object_get(answer, "content");
    char *content_text =
        json_dumps(content != NULL ? content : json_object(), JSON_COMPACT | JSON_ENCODE_ANY);
    char reply[2048];
    snprintf(reply, sizeof reply, "%s: action=%s, content=%s", prefix,
             action != NULL ? action : "?", content_text != NULL ? content_text : "{}");
    free(content_text);
    json_decref(answer);
    *result = mcp_result_text(reply);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_elicitation(struct mcp_call *call, const json_t *arguments, void *context,
                            json_t **result)
{
    return elicit(call, json_string_value(json_object_get(arguments, "message")),
                  "{\"type\":\"object\",\"properties\":{"
                  "\"username\":{\"type\":\"string\",\"description\":\"User's response\"},"
                  "\"email\":{\"type\":\"string\",\"description\":\"User's email address\"}},"
                  "\"required\":[\"username\",\"email\"]}",
                  "User response", result);
}

static int tool_elicitation_defaults(struct mcp_call *call, const json_t *arguments, void *context,
                                     json_t **result)
{
    return elicit(
        call, "Please review and update the form fields with defaults",
        "{\"type\":\"object\",\"properties\":{"
        "\"name\":{\"type\":\"string\",\"description\":\"User name\",\"default\":\"John Doe\"},"
        "\"age\":{\"type\":\"integer\",\"description\":\"User age\",\"default\":30},"
        "\"score\":{\"type\":\"number\",\"description\":\"User score\",\"default\":95.5},"
        "\"status\":{\"type\":\"string\",\"description\":\"User status\","
        "\"enum\":[\"active\",\"inactive\",\"pending\"],\"default\":\"active\"},"
        "\"verified\":{\"type\":\"boolean\",\"description\":\"Verification status\","
        "\"default\":true}},\"required\":[]}",
        "Elicitation completed", result);
}

static int tool_elicitation_enums(struct mcp_call *call, const json_t *arguments, void *context,
                                  json_t **result)
{
    return elicit(
        call, "Please select options from the enum fields",
        "{\"type\":\"object\",\"properties\":{"
        "\"untitledSingle\":{\"type\":\"string\",\"description\":\"Select one option\","
        "\"enum\":[\"option1\",\"option2\",\"option3\"]},"
        "\"titledSingle\":{\"type\":\"string\",\"description\":\"Select one option with titles\","
        "\"oneOf\":[{\"const\":\"value1\",\"title\":\"First Option\"},"
        "{\"const\":\"value2\",\"title\":\"Second Option\"},"
        "{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
        "\"legacyEnum\":{\"type\":\"string\",\"description\":\"Select one option (legacy)\","
        "\"enum\":[\"opt1\",\"opt2\",\"opt3\"],"
        "\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
        "\"untitledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options\","
        "\"minItems\":1,\"maxItems\":3,\"items\":{\"type\":\"string\","
        "\"enum\":[\"option1\",\"option2\",\"option3\"]}},"
        "\"titledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options with "
        "titles\","
        "\"minItems\":1,\"maxItems\":3,\"items\":{\"anyOf\":["
        "{\"const\":\"value1\",\"title\":\"First Choice\"},"
        "{\"const\":\"value2\",\"title\":\"Second Choice\"},"
        "{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}},\"required\":[]}",
        "Elicitation completed", result);
}

static int tool_json_schema_2020_12(struct mcp_call *call, const json_t *arguments, void *context,
                                    json_t **result)
{
    char *text = json_dumps(arguments, JSON_COMPACT | JSON_SORT_KEYS);
    char reply[1024];
    snprintf(reply, sizeof reply, "JSON Schema 2020-12 tool called with: %s",
             text != NULL ? text : "{}");
    free(text);
    *result = mcp_result_text(reply);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_reconnection(struct mcp_call *call, const json_t *arguments, void *context,
                             json_t **result)
{
    sleep_milliseconds(100);
    *result = mcp_result_text("Reconnection test completed successfully. If you received this, "
                              "the client properly reconnected after stream closure.");
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_add(struct mcp_call *call, const json_t *arguments, void *context, json_t **result)
{
    double sum = json_number_value(json_object_get(arguments, "a")) +
                 json_number_value(json_object_get(arguments, "b"));
    *result = mcp_result_structured(json_pack("{s:f}", "sum", sum));
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_sleep(struct mcp_call *call, const json_t *arguments, void *context,
                      json_t **result)
{
    long total = (long)json_integer_value(json_object_get(arguments, "milliseconds"));
    for (long slept = 0; slept < total; slept += 10) {
        if (mcp_call_cancelled(call)) {
            atomic_fetch_add(&cancelled_calls, 1);
            return mcp_call_fail(call, "cancelled after %ld ms", slept);
        }
        if (slept % 100 == 0)
            mcp_call_progress(call, (double)slept, (double)total, NULL);
        sleep_milliseconds(total - slept < 10 ? total - slept : 10);
    }
    char text[64];
    snprintf(text, sizeof text, "slept %ld ms", total);
    *result = mcp_result_text(text);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int tool_cancelled_calls(struct mcp_call *call, const json_t *arguments, void *context,
                                json_t **result)
{
    *result = mcp_result_structured(json_pack("{s:i}", "cancelled", atomic_load(&cancelled_calls)));
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static const char no_arguments[] = "{\"type\":\"object\",\"properties\":{}}";

static const struct mcp_tool fixture_tools[] = {
    {.name = "echo",
     .title = "Echo",
     .description = "Echoes its text argument back as text content",
     .input_schema_json = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\","
                          "\"description\":\"Text to echo\"}},\"required\":[\"text\"]}",
     .annotations_json = "{\"readOnlyHint\":true,\"idempotentHint\":true}",
     .handler = tool_echo},
    {.name = "test_simple_text",
     .description = "Tests simple text content response",
     .input_schema_json = no_arguments,
     .handler = tool_simple_text},
    {.name = "test_image_content",
     .description = "Tests image content response",
     .input_schema_json = no_arguments,
     .handler = tool_image},
    {.name = "test_audio_content",
     .description = "Tests audio content response",
     .input_schema_json = no_arguments,
     .handler = tool_audio},
    {.name = "test_embedded_resource",
     .description = "Tests embedded resource content response",
     .input_schema_json = no_arguments,
     .handler = tool_embedded_resource},
    {.name = "test_multiple_content_types",
     .description = "Tests response with multiple content types (text, image, resource)",
     .input_schema_json = no_arguments,
     .handler = tool_multiple_content},
    {.name = "test_tool_with_logging",
     .description = "Tests tool that emits log messages during execution",
     .input_schema_json = no_arguments,
     .handler = tool_with_logging,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "test_tool_with_progress",
     .description = "Tests tool that reports progress notifications",
     .input_schema_json = no_arguments,
     .handler = tool_with_progress,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "test_error_handling",
     .description = "Tests error response handling",
     .input_schema_json = no_arguments,
     .handler = tool_error},
    {.name = "test_sampling",
     .description = "Tests server-initiated sampling (LLM completion request)",
     .input_schema_json = "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\","
                          "\"description\":\"The prompt to send to the LLM\"}},"
                          "\"required\":[\"prompt\"]}",
     .handler = tool_sampling,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "test_elicitation",
     .description = "Tests server-initiated elicitation (user input request)",
     .input_schema_json = "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\","
                          "\"description\":\"The message to show the user\"}},"
                          "\"required\":[\"message\"]}",
     .handler = tool_elicitation,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "test_elicitation_sep1034_defaults",
     .description = "Tests elicitation with default values per SEP-1034",
     .input_schema_json = no_arguments,
     .handler = tool_elicitation_defaults,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "test_elicitation_sep1330_enums",
     .description = "Tests elicitation with enum schema improvements per SEP-1330",
     .input_schema_json = no_arguments,
     .handler = tool_elicitation_enums,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "json_schema_2020_12_tool",
     .description = "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
     .input_schema_json =
         "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
         "\"$defs\":{\"address\":{\"type\":\"object\",\"properties\":{"
         "\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
         "\"properties\":{\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":\"#/$defs/"
         "address\"}},"
         "\"additionalProperties\":false}",
     .handler = tool_json_schema_2020_12},
    {.name = "test_reconnection",
     .description =
         "Completes after 100 ms (assay does not drop streams mid-call; see docs/mcp.md)",
     .input_schema_json = no_arguments,
     .handler = tool_reconnection,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "add",
     .title = "Add",
     .description = "Adds two numbers; the sum comes back as structured content",
     .input_schema_json = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},"
                          "\"b\":{\"type\":\"number\"}},\"required\":[\"a\",\"b\"]}",
     .output_schema_json = "{\"type\":\"object\",\"properties\":{\"sum\":{\"type\":\"number\"}},"
                           "\"required\":[\"sum\"]}",
     .handler = tool_add},
    {.name = "sleep",
     .description = "Sleeps for the given milliseconds (at most 60000), reporting progress and "
                    "stopping early when cancelled",
     .input_schema_json = "{\"type\":\"object\",\"properties\":{\"milliseconds\":{\"type\":"
                          "\"integer\",\"minimum\":0,\"maximum\":60000}},"
                          "\"required\":[\"milliseconds\"]}",
     .handler = tool_sleep,
     .flags = MCP_RUN_ON_WORKER},
    {.name = "cancelled_calls",
     .description = "How many sleep calls have seen their cancellation so far",
     .input_schema_json = no_arguments,
     .output_schema_json = "{\"type\":\"object\",\"properties\":{\"cancelled\":{\"type\":"
                           "\"integer\"}},\"required\":[\"cancelled\"]}",
     .handler = tool_cancelled_calls},
};

/* ---- resources and prompts ---------------------------------------------------------- */

static int read_template(struct mcp_call *call, const char *uri, const json_t *variables,
                         void *context, json_t **result)
{
    const char *id = json_string_value(json_object_get(variables, "id"));
    json_t *data =
        json_pack("{s:s, s:b, s:s+}", "id", id, "templateTest", 1, "data", "Data for ID: ", id);
    char *text = data != NULL ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    *result = text != NULL ? json_pack("{s:[{s:s, s:s, s:s}]}", "contents", "uri", uri, "mimeType",
                                       "application/json", "text", text)
                           : NULL;
    free(text);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int prompt_simple(struct mcp_call *call, const json_t *arguments, void *context,
                         json_t **result)
{
    *result = json_pack("{s:[{s:s, s:{s:s, s:s}}]}", "messages", "role", "user", "content", "type",
                        "text", "text", "This is a simple prompt for testing.");
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int prompt_with_arguments(struct mcp_call *call, const json_t *arguments, void *context,
                                 json_t **result)
{
    char text[1024];
    snprintf(text, sizeof text, "Prompt with arguments: arg1='%s', arg2='%s'",
             json_string_value(json_object_get(arguments, "arg1")),
             json_string_value(json_object_get(arguments, "arg2")));
    *result = json_pack("{s:[{s:s, s:{s:s, s:s}}]}", "messages", "role", "user", "content", "type",
                        "text", "text", text);
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int prompt_embedded_resource(struct mcp_call *call, const json_t *arguments, void *context,
                                    json_t **result)
{
    *result =
        json_pack("{s:[{s:s, s:{s:s, s:{s:s, s:s, s:s}}}, {s:s, s:{s:s, s:s}}]}", "messages",
                  "role", "user", "content", "type", "resource", "resource", "uri",
                  json_string_value(json_object_get(arguments, "resourceUri")), "mimeType",
                  "text/plain", "text", "Embedded resource content for testing.", "role", "user",
                  "content", "type", "text", "text", "Please process the embedded resource above.");
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int prompt_image(struct mcp_call *call, const json_t *arguments, void *context,
                        json_t **result)
{
    *result = json_pack("{s:[{s:s, s:{s:s, s:s, s:s}}, {s:s, s:{s:s, s:s}}]}", "messages", "role",
                        "user", "content", "type", "image", "data", test_image_base64, "mimeType",
                        "image/png", "role", "user", "content", "type", "text", "text",
                        "Please analyze the image above.");
    return *result != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int complete_argument(struct mcp_call *call, const json_t *reference,
                             const char *argument_name, const char *argument_value, void *context,
                             json_t **values)
{
    static const char *const words[] = {"paris", "park", "party", "test", "testing", "tested"};
    *values = json_array();
    for (size_t index = 0; *values != NULL && index < sizeof words / sizeof words[0]; index++)
        if (strncmp(words[index], argument_value, strlen(argument_value)) == 0)
            json_array_append_new(*values, json_string(words[index]));
    return *values != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

static int build_server(size_t page_size, struct mcp_server **out)
{
    struct mcp_server_options options = {
        .name = "assay-fixture-mcp",
        .title = "assay MCP test fixture",
        .instructions = "A test fixture: every tool the MCP conformance suite names, plus echo.",
        .page_size = page_size,
    };
    struct mcp_server *server = NULL;
    int status = mcp_server_new(&options, &server);
    for (size_t index = 0;
         status == ASSAY_OK && index < sizeof fixture_tools / sizeof fixture_tools[0]; index++)
        status = mcp_server_add_tool(server, &fixture_tools[index]);
    if (status == ASSAY_OK)
        status = mcp_server_add_resource(
            server,
            &(struct mcp_resource){.uri = "test://static-text",
                                   .name = "static-text",
                                   .title = "Static Text Resource",
                                   .description = "A static text resource for testing",
                                   .mime_type = "text/plain",
                                   .text = "This is the content of the static text resource."});
    if (status == ASSAY_OK)
        status = mcp_server_add_resource(
            server,
            &(struct mcp_resource){.uri = "test://static-binary",
                                   .name = "static-binary",
                                   .title = "Static Binary Resource",
                                   .description = "A static binary resource (image) for testing",
                                   .mime_type = "image/png",
                                   .blob = test_image_base64});
    if (status == ASSAY_OK)
        status = mcp_server_add_resource(
            server, &(struct mcp_resource){.uri = "test://watched-resource",
                                           .name = "watched-resource",
                                           .title = "Watched Resource",
                                           .description = "A resource clients may subscribe to",
                                           .mime_type = "text/plain",
                                           .text = "Watched resource content"});
    if (status == ASSAY_OK)
        status = mcp_server_add_resource_template(
            server, &(struct mcp_resource_template){
                        .uri_template = "test://template/{id}/data",
                        .name = "template",
                        .title = "Resource Template",
                        .description = "A resource template with parameter substitution",
                        .mime_type = "application/json",
                        .handler = read_template});
    if (status == ASSAY_OK)
        status = mcp_server_add_prompt(
            server, &(struct mcp_prompt){.name = "test_simple_prompt",
                                         .title = "Simple Test Prompt",
                                         .description = "A simple prompt without arguments",
                                         .handler = prompt_simple});
    if (status == ASSAY_OK)
        status = mcp_server_add_prompt(
            server, &(struct mcp_prompt){.name = "test_prompt_with_arguments",
                                         .title = "Prompt With Arguments",
                                         .description = "A prompt with required arguments",
                                         .arguments =
                                             (const struct mcp_prompt_argument[]){
                                                 {"arg1", "First test argument", 1},
                                                 {"arg2", "Second test argument", 1}},
                                         .argument_count = 2,
                                         .handler = prompt_with_arguments});
    if (status == ASSAY_OK)
        status = mcp_server_add_prompt(
            server,
            &(struct mcp_prompt){.name = "test_prompt_with_embedded_resource",
                                 .title = "Prompt With Embedded Resource",
                                 .description = "A prompt that includes an embedded resource",
                                 .arguments =
                                     (const struct mcp_prompt_argument[]){
                                         {"resourceUri", "URI of the resource to embed", 1}},
                                 .argument_count = 1,
                                 .handler = prompt_embedded_resource});
    if (status == ASSAY_OK)
        status = mcp_server_add_prompt(
            server, &(struct mcp_prompt){.name = "test_prompt_with_image",
                                         .title = "Prompt With Image",
                                         .description = "A prompt that includes image content",
                                         .handler = prompt_image});
    if (status == ASSAY_OK)
        status = mcp_server_set_completion(server, complete_argument, NULL);
    if (status != ASSAY_OK) {
        mcp_server_free(server);
        return status;
    }
    *out = server;
    return ASSAY_OK;
}

/* ---- stopping on a signal ------------------------------------------------------------- */

static int stop_pipe[2] = {-1, -1};

static void on_stop_signal(int number)
{
    int saved = errno;
    if (stop_pipe[1] >= 0) {
        ssize_t ignored = write(stop_pipe[1], "x", 1);
        (void)ignored;
    }
    errno = saved;
}

static int install_stop_signals(void)
{
    if (pipe2(stop_pipe, O_CLOEXEC) != 0)
        return ASSAY_ERR_IO;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    return ASSAY_OK;
}

static void close_stop_pipe(void)
{
    for (int index = 0; index < 2; index++)
        if (stop_pipe[index] >= 0) {
            close(stop_pipe[index]);
            stop_pipe[index] = -1;
        }
}

/* ---- commands --------------------------------------------------------------------------- */

static void print_usage(FILE *stream)
{
    fprintf(stream,
            "usage: assay fixture mcp http [--port P] [--threads N] [--page-size N]\n"
            "       assay fixture mcp stdio [--page-size N]\n"
            "       assay fixture mcp client (--url URL | --stdio -- COMMAND [ARGS...] --)\n"
            "                                [--timeout MS] [--progress] [--header 'N: V']\n"
            "                                OPERATION...\n"
            "\n"
            "http    serve the test MCP server over Streamable HTTP on 127.0.0.1; prints\n"
            "        `READY http://127.0.0.1:PORT/mcp` once listening (port 0 = any free\n"
            "        port) and runs until SIGINT or SIGTERM.\n"
            "stdio   serve it over stdin/stdout (newline-delimited JSON; logs on stderr).\n"
            "client  drive assay's MCP client against a server: connect (initialize), run the\n"
            "        operations in order, print one JSON result per line, close. Server\n"
            "        notifications are printed as {\"notification\": ...} lines. With --stdio\n"
            "        the server command runs up to a lone `--` (or to the end when the\n"
            "        operations come first).\n"
            "\n"
            "operations:\n"
            "  list-tools                 every tool (follows nextCursor)\n"
            "  call TOOL JSON             tools/call with arguments JSON\n"
            "  list-resources             every resource\n"
            "  list-templates             every resource template\n"
            "  read URI                   resources/read\n"
            "  list-prompts               every prompt\n"
            "  get-prompt NAME [JSON]     prompts/get with arguments JSON\n"
            "  set-level LEVEL            logging/setLevel\n"
            "  ping                       ping\n"
            "  wait MS                    wait, printing notifications that arrive\n"
            "--progress asks for progress notifications on every call.\n"
            "\n"
            "The server offers echo, add, sleep, cancelled_calls and every tool, resource\n"
            "and prompt the MCP conformance suite's server scenarios name.\n");
}

static int parse_count(const char *text, long minimum, long maximum, long *out)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < minimum || value > maximum)
        return ASSAY_ERR_INVALID;
    *out = value;
    return ASSAY_OK;
}

static int serve_http(int argc, char **argv)
{
    long port = 0, threads = 1, page_size = 100;
    for (int index = 1; index < argc; index++) {
        const char *option = argv[index];
        long *target = strcmp(option, "--port") == 0        ? &port
                       : strcmp(option, "--threads") == 0   ? &threads
                       : strcmp(option, "--page-size") == 0 ? &page_size
                                                            : NULL;
        long maximum = target == &port ? 65535 : target == &threads ? 256 : 1000000;
        if (target == NULL || index + 1 >= argc ||
            parse_count(argv[index + 1], target == &port ? 0 : 1, maximum, target) != 0) {
            fprintf(stderr, "assay fixture mcp http: bad option '%s' (see --help)\n", option);
            return 2;
        }
        index++;
    }
    struct mcp_server *server = NULL;
    struct mcp_http_transport *transport = NULL;
    if (install_stop_signals() != ASSAY_OK ||
        build_server((size_t)page_size, &server) != ASSAY_OK) {
        fprintf(stderr, "assay fixture mcp http: cannot set up the server\n");
        close_stop_pipe();
        return 1;
    }
    struct mcp_http_options options = {.port = (unsigned short)port, .threads = (unsigned)threads};
    int status = mcp_http_transport_start(server, &options, &transport);
    if (status != ASSAY_OK) {
        fprintf(stderr, "assay fixture mcp http: cannot listen on 127.0.0.1:%ld: %s\n", port,
                assay_strerror(status));
        mcp_server_free(server);
        close_stop_pipe();
        return 1;
    }
    printf("READY http://127.0.0.1:%u/mcp\n", mcp_http_transport_port(transport));
    fflush(stdout);
    char byte;
    while (read(stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    mcp_http_transport_free(transport);
    mcp_server_free(server);
    close_stop_pipe();
    return 0;
}

static int serve_stdio(int argc, char **argv)
{
    long page_size = 100;
    for (int index = 1; index < argc; index++) {
        if (strcmp(argv[index], "--page-size") == 0 && index + 1 < argc &&
            parse_count(argv[index + 1], 1, 1000000, &page_size) == 0) {
            index++;
            continue;
        }
        fprintf(stderr, "assay fixture mcp stdio: bad option '%s' (see --help)\n", argv[index]);
        return 2;
    }
    struct mcp_server *server = NULL;
    if (install_stop_signals() != ASSAY_OK ||
        build_server((size_t)page_size, &server) != ASSAY_OK) {
        fprintf(stderr, "assay fixture mcp stdio: cannot set up the server\n");
        close_stop_pipe();
        return 1;
    }
    struct mcp_stdio_options options = {.input_fd = 0, .output_fd = 1, .stop_fd = stop_pipe[0]};
    int status = mcp_stdio_serve(server, &options);
    mcp_server_free(server);
    close_stop_pipe();
    return status == ASSAY_OK ? 0 : 1;
}

static int run_client(int argc, char **argv);

int command_fixture_mcp(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "client") != 0 && command_wants_help(argc, argv)) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "http") == 0)
        return serve_http(argc - 1, argv + 1);
    if (strcmp(argv[1], "stdio") == 0)
        return serve_stdio(argc - 1, argv + 1);
    if (strcmp(argv[1], "client") == 0)
        return run_client(argc - 1, argv + 1);
    fprintf(stderr, "assay fixture mcp: unknown mode '%s' (http, stdio or client)\n", argv[1]);
    return 2;
}

/* ---- client ------------------------------------------------------------------------------ */

static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

static void print_json_line(const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    pthread_mutex_lock(&output_lock);
    if (text != NULL)
        printf("%s\n", text);
    fflush(stdout);
    pthread_mutex_unlock(&output_lock);
    free(text);
}

static void print_notification(const char *method, const json_t *params, void *context)
{
    json_t *line = json_pack("{s:{s:s, s:O?}}", "notification", "method", method, "params", params);
    if (line != NULL)
        print_json_line(line);
    json_decref(line);
}

static json_t *parse_arguments(const char *text, struct assay_error *error)
{
    json_t *value = json_strict_parse(text, strlen(text), 64, error);
    if (value != NULL && !json_is_object(value)) {
        json_decref(value);
        assay_error_set(error, ASSAY_ERR_INVALID, "arguments must be a JSON object");
        return NULL;
    }
    return value;
}

/* Runs one operation starting at words[*index]; advances *index past it. */
static int run_operation(struct mcp_client *client, char **words, int count, int *index,
                         int want_progress, struct assay_error *error)
{
    const char *operation = words[*index];
    int needed = strcmp(operation, "call") == 0 ? 2
                 : strcmp(operation, "read") == 0 || strcmp(operation, "get-prompt") == 0 ||
                         strcmp(operation, "set-level") == 0 || strcmp(operation, "wait") == 0
                     ? 1
                     : 0;
    if (*index + needed >= count)
        return assay_error_set(error, ASSAY_ERR_INVALID, "%s needs %d argument%s", operation,
                               needed, needed > 1 ? "s" : "");
    json_t *result = NULL;
    int status = ASSAY_OK;
    struct mcp_request_options options = {.want_progress = want_progress};
    if (strcmp(operation, "list-tools") == 0 || strcmp(operation, "list-resources") == 0 ||
        strcmp(operation, "list-templates") == 0 || strcmp(operation, "list-prompts") == 0) {
        json_t *items = NULL;
        const char *key = operation[5] == 't' && operation[6] == 'o' ? "tools"
                          : operation[5] == 'r'                      ? "resources"
                          : operation[5] == 't'                      ? "resourceTemplates"
                                                                     : "prompts";
        status = strcmp(key, "tools") == 0       ? mcp_client_list_tools(client, &items, error)
                 : strcmp(key, "resources") == 0 ? mcp_client_list_resources(client, &items, error)
                 : strcmp(key, "prompts") == 0
                     ? mcp_client_list_prompts(client, &items, error)
                     : mcp_client_list_resource_templates(client, &items, error);
        if (status == ASSAY_OK)
            result = json_pack("{s:o}", key, items);
    } else if (strcmp(operation, "call") == 0) {
        json_t *arguments = parse_arguments(words[*index + 2], error);
        if (arguments == NULL)
            return ASSAY_ERR_INVALID;
        status =
            mcp_client_call_tool(client, words[*index + 1], arguments, &options, &result, error);
    } else if (strcmp(operation, "read") == 0) {
        status = mcp_client_read_resource(client, words[*index + 1], &result, error);
    } else if (strcmp(operation, "get-prompt") == 0) {
        json_t *arguments = NULL;
        if (*index + 2 < count && words[*index + 2][0] == '{') {
            arguments = parse_arguments(words[*index + 2], error);
            if (arguments == NULL)
                return ASSAY_ERR_INVALID;
            needed = 2;
        }
        status = mcp_client_get_prompt(client, words[*index + 1], arguments, &result, error);
    } else if (strcmp(operation, "set-level") == 0) {
        status = mcp_client_set_log_level(client, words[*index + 1], error);
        result = json_object();
    } else if (strcmp(operation, "ping") == 0) {
        status = mcp_client_ping(client, error);
        result = json_object();
    } else if (strcmp(operation, "wait") == 0) {
        long milliseconds = 0;
        if (parse_count(words[*index + 1], 0, 600000, &milliseconds) != ASSAY_OK)
            return assay_error_set(error, ASSAY_ERR_INVALID, "wait needs milliseconds");
        sleep_milliseconds(milliseconds);
    } else {
        return assay_error_set(error, ASSAY_ERR_INVALID, "unknown operation '%s' (see --help)",
                               operation);
    }
    if (status == ASSAY_OK && result != NULL)
        print_json_line(result);
    json_decref(result);
    *index += needed + 1;
    return status;
}

static int run_client(int argc, char **argv)
{
    if (command_wants_help(argc, argv) && (argc < 2 || strcmp(argv[1], "--stdio") != 0)) {
        print_usage(stdout);
        return 0;
    }
    const char *url = NULL;
    const char **command = NULL;
    char **operations = calloc((size_t)argc + 1, sizeof *operations);
    const char **headers = calloc((size_t)argc + 1, sizeof *headers);
    int operation_count = 0, header_count = 0, want_progress = 0, exit_code = 0;
    long timeout = 30000;
    if (operations == NULL || headers == NULL) {
        free(operations);
        free(headers);
        return 1;
    }
    for (int index = 1; index < argc; index++) {
        if (strcmp(argv[index], "--url") == 0 && index + 1 < argc) {
            url = argv[++index];
        } else if (strcmp(argv[index], "--stdio") == 0) {
            if (index + 2 >= argc || strcmp(argv[index + 1], "--") != 0) {
                fprintf(stderr, "assay fixture mcp client: --stdio needs `-- COMMAND [ARGS...]`\n");
                exit_code = 2;
                break;
            }
            index += 2;
            command = (const char **)&argv[index];
            while (index < argc && strcmp(argv[index], "--") != 0)
                index++;
            argv[index < argc ? index : argc] = NULL; /* ends the command's argv */
        } else if (strcmp(argv[index], "--timeout") == 0 && index + 1 < argc) {
            if (parse_count(argv[++index], 1, 3600000, &timeout) != ASSAY_OK) {
                fprintf(stderr, "assay fixture mcp client: --timeout needs milliseconds\n");
                exit_code = 2;
                break;
            }
        } else if (strcmp(argv[index], "--header") == 0 && index + 1 < argc) {
            headers[header_count++] = argv[++index];
        } else if (strcmp(argv[index], "--progress") == 0) {
            want_progress = 1;
        } else {
            operations[operation_count++] = argv[index];
        }
    }
    if (exit_code == 0 && (url == NULL) == (command == NULL)) {
        fprintf(stderr, "assay fixture mcp client: give either --url URL or --stdio -- COMMAND\n");
        exit_code = 2;
    }
    struct mcp_client *client = NULL;
    struct assay_error error = {0};
    if (exit_code == 0) {
        struct mcp_client_options options = {
            .url = url,
            .command = command,
            .headers = header_count > 0 ? headers : NULL,
            .client_name = "assay-fixture-client",
            .timeout_ms = timeout,
            .on_notification = print_notification,
        };
        signal(SIGPIPE, SIG_IGN);
        if (mcp_client_connect(&options, &client, &error) != ASSAY_OK) {
            fprintf(stderr, "assay fixture mcp client: cannot connect: %s\n", error.message);
            exit_code = 1;
        }
    }
    for (int index = 0; exit_code == 0 && index < operation_count;) {
        const char *operation = operations[index];
        if (run_operation(client, operations, operation_count, &index, want_progress, &error) !=
            ASSAY_OK) {
            fprintf(stderr, "assay fixture mcp client: %s: %s\n", operation, error.message);
            exit_code = 1;
        }
    }
    mcp_client_close(client);
    free(operations);
    free(headers);
    return exit_code;
}
