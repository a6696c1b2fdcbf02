/* test_a2a_model.c — A2A enums, message/part/artifact validation, ids,
 * timestamps and error responses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "a2a/errors.h"
#include "a2a/model.h"
#include "core/memory.h"
#include "jsonrpc/json_strict.h"
#include "test_list.h"

static json_t *parse(const char *text)
{
    struct assay_error error = {0};
    json_t *value = json_strict_parse(text, strlen(text), 64, &error);
    if (value == NULL)
        fail_msg("test JSON does not parse: %s", error.message);
    return value;
}

static void task_states_round_trip(void **state)
{
    for (int value = 0; value <= 8; value++) {
        enum a2a_task_state parsed = A2A_TASK_STATE_UNSPECIFIED;
        assert_int_equal(
            a2a_task_state_parse(a2a_task_state_name((enum a2a_task_state)value), &parsed),
            ASSAY_OK);
        assert_int_equal(parsed, value);
    }
    enum a2a_task_state parsed;
    assert_int_equal(a2a_task_state_parse("TASK_STATE_RUNNING", &parsed), ASSAY_ERR_INVALID);
    assert_int_equal(a2a_task_state_parse("completed", &parsed), ASSAY_ERR_INVALID);
    assert_string_equal(a2a_task_state_name((enum a2a_task_state)42), "TASK_STATE_UNSPECIFIED");
    assert_true(a2a_task_state_is_terminal(A2A_TASK_STATE_COMPLETED));
    assert_true(a2a_task_state_is_terminal(A2A_TASK_STATE_FAILED));
    assert_true(a2a_task_state_is_terminal(A2A_TASK_STATE_CANCELED));
    assert_true(a2a_task_state_is_terminal(A2A_TASK_STATE_REJECTED));
    assert_false(a2a_task_state_is_terminal(A2A_TASK_STATE_WORKING));
    assert_false(a2a_task_state_is_terminal(A2A_TASK_STATE_INPUT_REQUIRED));
    assert_true(a2a_task_state_is_interrupted(A2A_TASK_STATE_INPUT_REQUIRED));
    assert_true(a2a_task_state_is_interrupted(A2A_TASK_STATE_AUTH_REQUIRED));
    assert_false(a2a_task_state_is_interrupted(A2A_TASK_STATE_SUBMITTED));
}

/* Table of messages and the member each one must be rejected for. */
static void messages_are_validated_strictly(void **state)
{
    static const struct {
        const char *json;
        const char *expected; /* NULL: valid; else a substring of the error */
    } cases[] = {
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}", NULL},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_AGENT\",\"parts\":[{\"data\":{\"a\":[1]}},"
         "{\"url\":\"https://x/y\",\"mediaType\":\"image/png\",\"filename\":\"y.png\"},"
         "{\"raw\":\"aGVsbG8=\"},{\"data\":null}],\"contextId\":\"c\",\"taskId\":\"t\","
         "\"metadata\":{\"k\":1},\"extensions\":[\"u\"],\"referenceTaskIds\":[\"t0\"],\"kind\":"
         "\"x\"}",
         NULL},
        {"[]", "msg: must be a Message object"},
        {"{\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}", "msg.messageId"},
        {"{\"messageId\":\"\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}",
         "msg.messageId"},
        {"{\"messageId\":7,\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"hi\"}]}", "msg.messageId"},
        {"{\"messageId\":\"m\",\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}", "msg.role"},
        {"{\"messageId\":\"m\",\"parts\":[{\"text\":\"hi\"}]}", "msg.role"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\"}", "msg.parts"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[]}", "msg.parts"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":{}}", "msg.parts"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{}]}", "msg.parts[0]"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"a\"},{\"text\":\"a\","
         "\"url\":\"u\"}]}",
         "msg.parts[1]: a part has exactly one"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":5}]}",
         "msg.parts[0].text"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"raw\":\"not base64!\"}]}",
         "msg.parts[0].raw"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"raw\":\"YQ==YQ==\"}]}",
         "msg.parts[0].raw"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"url\":\"\"}]}",
         "msg.parts[0].url"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"a\",\"mediaType\":1}]"
         "}",
         "msg.parts[0].mediaType"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"a\",\"metadata\":[]}]"
         "}",
         "msg.parts[0].metadata"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"a\"}],\"contextId\":"
         "1}",
         "msg.contextId"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"a\"}],\"metadata\":"
         "\"x\"}",
         "msg.metadata"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"a\"}],\"extensions\":["
         "1]}",
         "msg.extensions"},
        {"{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"a\"}],"
         "\"referenceTaskIds\":\"t\"}",
         "msg.referenceTaskIds"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        json_t *message = parse(cases[index].json);
        struct assay_error error = {0};
        int status = a2a_message_validate(message, "msg", &error);
        if (cases[index].expected == NULL) {
            if (status != ASSAY_OK)
                fail_msg("case %zu should be valid: %s", index, error.message);
        } else {
            assert_int_equal(status, ASSAY_ERR_INVALID);
            if (strstr(error.message, cases[index].expected) == NULL)
                fail_msg("case %zu: expected \"%s\" in \"%s\"", index, cases[index].expected,
                         error.message);
        }
        json_decref(message);
    }
}

static void artifacts_and_builders(void **state)
{
    json_t *artifact = a2a_artifact_new("a1", "answer", json_pack("[o]", a2a_text_part_new("x")));
    assert_non_null(artifact);
    assert_int_equal(a2a_artifact_validate(artifact, "artifact", NULL), ASSAY_OK);
    assert_string_equal(json_string_value(json_object_get(artifact, "name")), "answer");
    json_object_set_new(artifact, "artifactId", json_string(""));
    struct assay_error error = {0};
    assert_int_equal(a2a_artifact_validate(artifact, "artifact", &error), ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "artifact.artifactId"));
    json_decref(artifact);

    json_t *message = a2a_agent_text_message_new("hello");
    assert_int_equal(a2a_message_validate(message, "m", NULL), ASSAY_OK);
    assert_int_equal(a2a_message_role(message), A2A_ROLE_AGENT);
    assert_string_equal(a2a_message_text(message), "hello");
    assert_int_equal(strlen(json_string_value(json_object_get(message, "messageId"))), 36);
    json_decref(message);
}

static void ids_are_uuid_shaped_and_unique(void **state)
{
    enum { COUNT = 20000 };
    char(*ids)[A2A_ID_SIZE] = assay_malloc(COUNT * A2A_ID_SIZE);
    assert_non_null(ids);
    for (int index = 0; index < COUNT; index++) {
        a2a_id_generate(ids[index]);
        assert_int_equal(strlen(ids[index]), 36);
        assert_int_equal(ids[index][8], '-');
        assert_int_equal(ids[index][14], '4');               /* version */
        assert_true(strchr("89ab", ids[index][19]) != NULL); /* variant */
    }
    /* All distinct: sort-free check with a small hash set would do; a
     * quadratic scan over a sample keeps the test short. */
    for (int left = 0; left < 2000; left++)
        for (int right = left + 1; right < COUNT; right++)
            if (memcmp(ids[left], ids[right], 36) == 0)
                fail_msg("duplicate id %s", ids[left]);
    assay_free(ids);
}

static void timestamps_format_and_parse(void **state)
{
    char text[A2A_TIMESTAMP_SIZE];
    a2a_timestamp_format(0, text);
    assert_string_equal(text, "1970-01-01T00:00:00.000Z");
    a2a_timestamp_format(951782400123, text); /* a leap day */
    assert_string_equal(text, "2000-02-29T00:00:00.123Z");
    /* Agrees with gmtime over a spread of instants. */
    for (int64_t seconds = 0; seconds < 4102444800; seconds += 86400 * 37 + 3671) {
        time_t instant = (time_t)seconds;
        struct tm parts;
        gmtime_r(&instant, &parts);
        char expected[64];
        snprintf(expected, sizeof expected, "%04d-%02d-%02dT%02d:%02d:%02d.007Z",
                 parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min,
                 parts.tm_sec);
        a2a_timestamp_format(seconds * 1000 + 7, text);
        assert_string_equal(text, expected);
        int64_t back = 0;
        assert_int_equal(a2a_timestamp_parse(text, &back), ASSAY_OK);
        assert_true(back == seconds * 1000 + 7);
    }
    int64_t value = 0;
    assert_int_equal(a2a_timestamp_parse("2026-01-02T03:04:05Z", &value), ASSAY_OK);
    int64_t same = 0;
    assert_int_equal(a2a_timestamp_parse("2026-01-02T05:04:05.000+02:00", &same), ASSAY_OK);
    assert_true(value == same);
    assert_int_equal(a2a_timestamp_parse("2026-01-02T03:04:05.5Z", &same), ASSAY_OK);
    assert_true(same == value + 500);
    assert_int_equal(a2a_timestamp_parse("2026-01-02", &value), ASSAY_ERR_INVALID);
    assert_int_equal(a2a_timestamp_parse("2026-13-02T03:04:05Z", &value), ASSAY_ERR_INVALID);
    assert_int_equal(a2a_timestamp_parse("2026-01-02T03:04:05", &value), ASSAY_ERR_INVALID);
    assert_int_equal(a2a_timestamp_parse("yesterday", &value), ASSAY_ERR_INVALID);
    /* The clock never runs backwards within the process. */
    int64_t previous = a2a_now_ms();
    for (int index = 0; index < 1000; index++) {
        int64_t now = a2a_now_ms();
        assert_true(now >= previous);
        previous = now;
    }
}

static void error_responses_carry_error_info(void **state)
{
    json_t *id = json_integer(7);
    json_t *response =
        a2a_error_response(id, A2A_ERROR_TASK_NOT_FOUND, "task x not found", NULL, "taskId", "x");
    assert_non_null(response);
    json_t *error = json_object_get(response, "error");
    assert_int_equal(json_integer_value(json_object_get(error, "code")), -32001);
    assert_int_equal(json_integer_value(json_object_get(response, "id")), 7);
    json_t *info = json_array_get(json_object_get(error, "data"), 0);
    assert_string_equal(json_string_value(json_object_get(info, "@type")),
                        "type.googleapis.com/google.rpc.ErrorInfo");
    assert_string_equal(json_string_value(json_object_get(info, "reason")), "TASK_NOT_FOUND");
    assert_string_equal(json_string_value(json_object_get(info, "domain")), "a2a-protocol.org");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(info, "metadata"), "taskId")), "x");
    json_decref(response);

    response = a2a_error_response(NULL, -32602, "params.message.parts: bad", "params.message.parts",
                                  NULL, NULL);
    error = json_object_get(response, "error");
    assert_true(json_is_null(json_object_get(response, "id")));
    json_t *bad_request = json_array_get(json_object_get(error, "data"), 1);
    assert_string_equal(json_string_value(json_object_get(bad_request, "@type")),
                        "type.googleapis.com/google.rpc.BadRequest");
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(bad_request, "fieldViolations"), 0), "field")),
        "params.message.parts");
    json_decref(response);

    /* A long message of multi-byte characters is cut at a character
     * boundary and still makes valid JSON. */
    char long_message[2048];
    for (int index = 0; index < 600; index++)
        memcpy(long_message + 2 * index, "\xc3\xa9", 2); /* é */
    long_message[1200] = '\0';
    response =
        a2a_error_response(id, A2A_ERROR_UNSUPPORTED_OPERATION, long_message, NULL, NULL, NULL);
    assert_non_null(response);
    const char *message =
        json_string_value(json_object_get(json_object_get(response, "error"), "message"));
    assert_true(strlen(message) < 512 && strlen(message) % 2 == 0);
    json_decref(response);
    /* Half a character at the end (a "%.100s" cut) is dropped. */
    response = a2a_error_response(id, -32601, "method '\xc3", NULL, NULL, NULL);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(response, "error"), "message")),
        "method '");
    json_decref(response);
    assert_string_equal(a2a_error_reason(A2A_ERROR_VERSION_NOT_SUPPORTED), "VERSION_NOT_SUPPORTED");
    assert_string_equal(a2a_error_reason(-32700), "PARSE_ERROR");
    json_decref(id);
}

int test_group_a2a_model(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(task_states_round_trip),
        cmocka_unit_test(messages_are_validated_strictly),
        cmocka_unit_test(artifacts_and_builders),
        cmocka_unit_test(ids_are_uuid_shaped_and_unique),
        cmocka_unit_test(timestamps_format_and_parse),
        cmocka_unit_test(error_responses_carry_error_info),
    };
    return cmocka_run_group_tests_name("a2a_model", tests, NULL, NULL);
}
