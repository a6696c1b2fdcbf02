/* test_jsonrpc.c — JSON-RPC request classification and the SSE parser, as
 * tables of inputs and expected outcomes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/memory.h"
#include "http/sse.h"
#include "jsonrpc/json_strict.h"
#include "jsonrpc/jsonrpc.h"
#include "test_list.h"

struct request_case {
    const char *input;
    int expected_code;     /* 0: a valid request */
    const char *reply_id;  /* expected id in the error reply, "null" for null */
};

static const struct request_case request_cases[] = {
    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}", 0, NULL},
    {"{\"jsonrpc\":\"2.0\",\"method\":\"notify\"}", 0, NULL},
    {"{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"m\",\"params\":[1]}", 0, NULL},
    {"{not json", -32700, "null"},
    {"", -32700, "null"},
    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"m\"}", -32700, "null"},
    {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"} trailing", -32700, "null"},
    {"\"just a string\"", -32600, "null"},
    {"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}]", -32600, "null"},
    {"{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"m\"}", -32600, "7"},
    {"{\"jsonrpc\":\"2.0\",\"id\":8}", -32600, "8"},
    {"{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":5}", -32600, "9"},
    {"{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"m\"}", -32600, "null"},
    {"{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"m\",\"params\":\"x\"}", -32600, "10"},
};

static void requests_are_classified(void **state)
{
    for (size_t index = 0; index < sizeof request_cases / sizeof request_cases[0]; index++) {
        const struct request_case *test = &request_cases[index];
        struct jsonrpc_message message;
        json_t *reply = NULL;
        int status = jsonrpc_parse_request(test->input, strlen(test->input), 64, &message, &reply);
        if (test->expected_code == 0) {
            assert_int_equal(status, 0);
            assert_null(reply);
            jsonrpc_message_release(&message);
            continue;
        }
        assert_int_not_equal(status, 0);
        assert_non_null(reply);
        json_t *error = json_object_get(reply, "error");
        assert_int_equal(json_integer_value(json_object_get(error, "code")), test->expected_code);
        assert_true(strlen(json_string_value(json_object_get(error, "message"))) > 0);
        char *id = json_dumps(json_object_get(reply, "id"), JSON_ENCODE_ANY);
        assert_string_equal(id, test->reply_id);
        assay_free(id);
        json_decref(reply);
    }
}

static void nesting_beyond_the_limit_is_rejected_before_parsing(void **state)
{
    char deep[300];
    memset(deep, '[', 150);
    memset(deep + 150, ']', 150);
    assert_true(json_strict_too_deep(deep, 300, 64));
    assert_false(json_strict_too_deep(deep + 100, 100, 64));
    /* brackets inside strings do not count */
    const char quoted[] = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[\\\"[[[[[[\"}";
    assert_false(json_strict_too_deep(quoted, sizeof quoted - 1, 4));
    struct assay_error error = {0};
    assert_null(json_strict_parse(deep, 300, 64, &error));
    assert_int_equal(error.status, ASSAY_ERR_LIMIT);
}

static void invalid_utf8_in_a_parse_error_still_yields_a_reply(void **state)
{
    /* regression: found by fuzz_jsonrpc */
    const char input[] = "{\"\x7f\\\\\\\xd7\xa3\xa3\xa3:}";
    struct jsonrpc_message message;
    json_t *reply = NULL;
    assert_int_not_equal(jsonrpc_parse_request(input, sizeof input - 1, 64, &message, &reply), 0);
    assert_non_null(reply);
    json_decref(reply);
}

struct sse_case {
    const char *stream;
    size_t split; /* feed in pieces of this size (0 = whole) */
    const char *expected; /* events as "type:data|" */
};

static const struct sse_case sse_cases[] = {
    {"data: a\n\n", 0, "message:a|"},
    {"event: x\ndata: 1\ndata: 2\n\n", 0, "x:1\n2|"},
    {"data:no-space\r\n\r\n", 1, "message:no-space|"},
    {"data: cr\r\rdata: lf\n\n", 2, "message:cr|message:lf|"},
    {": comment\n\ndata: after\n\n", 3, "message:after|"},
    {"event: lonely\n\n", 0, ""}, /* no data: nothing dispatched */
    {"data: unterminated", 0, ""},
    {"id: 5\nretry: 300\ndata: x\n\n", 4, "message:x|"},
    {"data\n\n", 0, "message:|"},
};

static int collect(const struct sse_event *event, void *context)
{
    struct buffer *out = context;
    buffer_append_format(out, "%s:", event->type);
    buffer_append(out, event->data, event->data_length);
    buffer_append_string(out, "|");
    return 0;
}

static void sse_streams_parse_the_same_however_split(void **state)
{
    for (size_t index = 0; index < sizeof sse_cases / sizeof sse_cases[0]; index++) {
        const struct sse_case *test = &sse_cases[index];
        struct buffer out = {0};
        struct sse_parser parser;
        sse_parser_init(&parser, 0, collect, &out);
        size_t length = strlen(test->stream);
        size_t step = test->split ? test->split : length;
        for (size_t offset = 0; offset < length; offset += step) {
            size_t piece = length - offset < step ? length - offset : step;
            assert_int_equal(sse_parser_feed(&parser, test->stream + offset, piece), 0);
        }
        assert_string_equal(out.data != NULL ? out.data : "", test->expected);
        sse_parser_free(&parser);
        buffer_free(&out);
    }
}

static void sse_oversized_event_is_refused(void **state)
{
    struct buffer out = {0};
    struct sse_parser parser;
    sse_parser_init(&parser, 100, collect, &out);
    char line[300];
    memset(line, 'x', sizeof line);
    assert_int_equal(sse_parser_feed(&parser, "data: ", 6), 0);
    assert_int_equal(sse_parser_feed(&parser, line, sizeof line), ASSAY_ERR_LIMIT);
    sse_parser_free(&parser);
    buffer_free(&out);
}

static void sse_format_splits_multiline_data(void **state)
{
    struct buffer out = {0};
    assert_int_equal(sse_format_event(&out, "message", "3", "a\nb", 3), 0);
    assert_string_equal(out.data, "event: message\nid: 3\ndata: a\ndata: b\n\n");
    buffer_free(&out);
}

int test_group_jsonrpc(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requests_are_classified),
        cmocka_unit_test(nesting_beyond_the_limit_is_rejected_before_parsing),
        cmocka_unit_test(invalid_utf8_in_a_parse_error_still_yields_a_reply),
        cmocka_unit_test(sse_streams_parse_the_same_however_split),
        cmocka_unit_test(sse_oversized_event_is_refused),
        cmocka_unit_test(sse_format_splits_multiline_data),
    };
    return cmocka_run_group_tests_name("jsonrpc", tests, NULL, NULL);
}
