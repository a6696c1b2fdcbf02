/* test_evaluate_query.c — the state query language: what queries mean over
 * a fixed state, its initial snapshot and their diff, and where parse
 * errors point, as tables. JSON in this file is written with ' for " (see
 * json_from in test_support.h) to keep the tables readable. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/memory.h"
#include "evaluate/query.h"
#include "evaluate/state.h"
#include "test_list.h"
#include "test_support.h"

static const char final_state[] =
    "{'shop': {'orders': [{'id': 1, 'total': 30.5, 'status': 'delivered',"
    "                      'items': [{'sku': 'A1', 'qty': 2}]},"
    "                     {'id': 2, 'total': 21.99, 'status': 'open',"
    "                      'items': [{'sku': 'B2', 'qty': 1}, {'sku': 'C3', 'qty': 4}]}],"
    "          'balance': 100, 'name': 'Corner Shop', 'tags': ['food', 'local'], 'count': 7},"
    " 'mail': {'sent': [{'to': 'bob@example.com', 'subject': 'Your Refund request'},"
    "                   {'to': 'carol@example.com', 'subject': 'Hello'}],"
    "          'inbox': []},"
    " 'calendar': {'events': [{'title': 'Dentist', 'date': '2024-05-02'},"
    "                         {'title': 'Gym', 'date': '2024-05-01'}]},"
    " 'odd key': {'x': 1},"
    " 'flag': null}";

static const char initial_state[] =
    "{'shop': {'orders': [{'id': 1, 'total': 30.5, 'status': 'delivered',"
    "                      'items': [{'sku': 'A1', 'qty': 2}]}],"
    "          'balance': 120, 'name': 'Corner Shop', 'tags': ['food', 'local'], 'count': 7},"
    " 'mail': {'sent': [], 'inbox': []},"
    " 'calendar': {'events': [{'title': 'Gym', 'date': '2024-05-01'}]},"
    " 'odd key': {'x': 1},"
    " 'flag': null}";

struct query_case {
    const char *query;
    int expected;
};

static const struct query_case query_cases[] = {
    /* the examples of the issue */
    {"shop.orders[-1].total < 22", 1},
    {"mail.sent[?to==\"bob@example.com\"].subject contains \"refund\"", 1},
    {"diff.added.shop.orders count == 1", 1},
    {"calendar.events[?title==\"Dentist\"] exists", 1},
    /* and their failing twins */
    {"shop.orders[0].total < 22", 0},
    {"mail.sent[?to==\"carol@example.com\"].subject contains \"refund\"", 0},
    {"diff.added.shop.orders count == 2", 0},
    {"initial.calendar.events[?title==\"Dentist\"] exists", 0},
    /* indexes */
    {"shop.orders[-3].total < 22", 0},
    {"shop.orders[1].id == 2", 1},
    {"shop.orders[2] exists", 0},
    {"shop.orders[1][\"total\"] < 22", 1},
    /* counts */
    {"shop.orders count == 2", 1},
    {"shop.orders[*] count >= 2", 1},
    {"shop.orders[?status == \"open\"] count == 1", 1},
    {"mail.inbox count == 0", 1},
    {"shop.missing count == 0", 1},
    {"shop.name count == 1", 1},
    {"flag count == 0", 1},
    /* comparisons */
    {"shop.name == \"Corner Shop\"", 1},
    {"shop.name == 'Corner Shop'", 1},
    {"shop.name != \"Corner Shop\"", 0},
    {"shop.name == \"corner shop\"", 0},
    {"shop.balance == 100.0", 1},
    {"shop.orders[0].total == 30.5", 1},
    {"shop.balance >= 100 and shop.balance <= 100", 1},
    {"shop.balance > 100 or shop.name == \"x\"", 0},
    {"shop.name < 5", 0},
    {"calendar.events[?date < \"2024-05-02\"].title == \"Gym\"", 1},
    {"missing == null", 0},
    {"missing != 1", 0},
    {"flag == null", 1},
    {"flag exists", 1},
    /* contains */
    {"shop.tags contains \"local\"", 1},
    {"shop.tags contains \"online\"", 0},
    {"shop contains \"balance\"", 1},
    {"shop.orders[*].items[*].sku contains \"b\"", 1},
    {"shop.balance contains 1", 0},
    /* reserved words as keys, quoted keys */
    {"$.shop.count == 7", 1},
    {"shop.count == 7", 1},
    {"$[\"odd key\"].x == 1", 1},
    {"$.flag exists", 1},
    /* filters */
    {"shop.orders[?items[?sku == \"C3\"] exists].id == 2", 1},
    {"shop.orders[?total > 20 and status == \"open\"].id == 2", 1},
    {"shop.orders[?@.total > 100] exists", 0},
    {"shop.tags[?@ == \"food\"] count == 1", 1},
    {"shop.orders[?not (status == \"open\")].id == 1", 1},
    {"shop[*] count == 5", 1},
    /* logic */
    {"not shop.closed exists", 1},
    {"not not shop.closed exists", 0},
    {"(shop.balance == 1 or shop.balance == 100) and not (mail.inbox count > 0)", 1},
    {"shop.balance == 1 or shop.balance == 2 or shop.balance == 100", 1},
    /* the diff */
    {"diff.updated.shop.balance == 100", 1},
    {"diff.previous.shop.balance == 120", 1},
    {"diff.deleted.shop exists", 0},
    {"diff.added.shop.orders[0].id == 2", 1},
    {"diff.added.mail.sent count == 2", 1},
    {"diff.added.calendar.events[?title == \"Dentist\"] exists", 1},
    {"diff.added.flag exists", 0},
};

static void queries_mean_what_the_table_says(void **state)
{
    long before = assay_memory_live_allocations();
    json_t *final = json_from(final_state), *initial = json_from(initial_state), *diff = NULL;
    assert_int_equal(evaluate_state_diff(initial, final, &diff), 0);
    struct evaluate_query_roots roots = {final, initial, diff};
    for (size_t index = 0; index < sizeof query_cases / sizeof query_cases[0]; index++) {
        const struct query_case *test = &query_cases[index];
        struct evaluate_query *query = NULL;
        struct assay_error error = {0};
        int status = evaluate_query_parse(test->query, strlen(test->query), &query, NULL, &error);
        if (status != 0)
            fail_msg("%s: %s", test->query, error.message);
        struct buffer explanation = {0};
        int truth = -1;
        assert_int_equal(evaluate_query_run(query, &roots, &truth, &explanation), 0);
        if (truth != test->expected)
            fail_msg("%s: expected %d, got %d (%s)", test->query, test->expected, truth,
                     explanation.data);
        assert_non_null(explanation.data);
        buffer_free(&explanation);
        evaluate_query_free(query);
    }
    json_decref_all(diff, initial, final);
    assert_int_equal(assay_memory_live_allocations(), before);
}

static void explanations_show_what_was_found(void **state)
{
    json_t *final = json_from(final_state);
    struct evaluate_query_roots roots = {final, NULL, NULL};
    const struct {
        const char *query;
        const char *explanation;
    } cases[] = {
        {"shop.orders[-1].total > 22", "shop.orders[-1].total > 22: value is 21.99"},
        {"shop.nothing == 1", "shop.nothing == 1: not found"},
        {"shop.orders count == 3", "shop.orders count == 3: count is 2"},
        {"shop.orders[*].id == 5", "shop.orders[*].id == 5: matched 2 values: 1, 2"},
        {"shop.orders[?id == 9] exists", "shop.orders[?id == 9] exists: matched nothing"},
        {"diff.added.x exists", "diff.added.x exists: no diff (the episode has no initial "
                                "snapshot or final state)"},
        {"shop.balance == 1 and shop.name == \"x\"", "shop.balance == 1: value is 100"},
        {"shop.balance == 1 or shop.name == \"x\"",
         "shop.balance == 1: value is 100; shop.name == \"x\": value is \"Corner Shop\""},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        struct evaluate_query *query = NULL;
        assert_int_equal(evaluate_query_parse(cases[index].query, strlen(cases[index].query),
                                              &query, NULL, NULL),
                         0);
        struct buffer explanation = {0};
        int truth;
        assert_int_equal(evaluate_query_run(query, &roots, &truth, &explanation), 0);
        assert_int_equal(truth, 0);
        assert_string_equal(explanation.data, cases[index].explanation);
        buffer_free(&explanation);
        evaluate_query_free(query);
    }
    json_decref(final);
}

struct error_case {
    const char *query;
    int status;
    size_t column;
    const char *message; /* a fragment of the message */
};

static const struct error_case error_cases[] = {
    {"", ASSAY_ERR_INVALID, 1, "expected a path, found end of query"},
    {"shop.orders[", ASSAY_ERR_INVALID, 13, "expected an index"},
    {"shop.orders[-1.5] exists", ASSAY_ERR_INVALID, 13, "must be an integer"},
    {"shop.total = 3", ASSAY_ERR_INVALID, 12, "'=' is not an operator"},
    {"shop.total == ", ASSAY_ERR_INVALID, 15, "expected a value"},
    {"shop.total", ASSAY_ERR_INVALID, 11, "expected a comparison after the path"},
    {"shop.total < 3 extra", ASSAY_ERR_INVALID, 16, "expected 'and', 'or' or the end"},
    {"count == 1", ASSAY_ERR_INVALID, 1, "reserved word"},
    {"diff.changed.x exists", ASSAY_ERR_INVALID, 6, "expected .added, .updated"},
    {"diff exists", ASSAY_ERR_INVALID, 6, "expected .added, .updated"},
    {"shop.name == \"abc", ASSAY_ERR_INVALID, 14, "unterminated string"},
    {"shop.name == \"a\\qb\"", ASSAY_ERR_INVALID, 16, "unknown escape"},
    {"shop.name == \"\\ud800\"", ASSAY_ERR_INVALID, 15, "surrogate"},
    {"shop.name == \"\\u0000\"", ASSAY_ERR_INVALID, 15, "\\u0000"},
    {"@.x == 1", ASSAY_ERR_INVALID, 1, "'@'"},
    {"shop.orders[?total > ] exists", ASSAY_ERR_INVALID, 22, "expected a value"},
    {"shop.total count == \"x\"", ASSAY_ERR_INVALID, 21, "expected a number"},
    {"shop.total count exists", ASSAY_ERR_INVALID, 18, "after 'count'"},
    {"(shop.x == 1", ASSAY_ERR_INVALID, 13, "expected ')'"},
    {"shop..x exists", ASSAY_ERR_INVALID, 6, "expected a key name after '.'"},
    {"shop.0 exists", ASSAY_ERR_INVALID, 6, "expected a key name after '.'"},
    {"shop.x == 1 && y == 2", ASSAY_ERR_INVALID, 13, "unexpected character '&'"},
    {"shop.x ! 1", ASSAY_ERR_INVALID, 8, "'!' is not an operator"},
    {"shop.x == tru", ASSAY_ERR_INVALID, 11, "expected a value"},
    {"shop.x == shop.y", ASSAY_ERR_INVALID, 11, "cannot be a path"},
    {"shop.x == 12abc", ASSAY_ERR_INVALID, 13, "a number runs into a name"},
    {"shop.n\xc3\xa9 == 1", ASSAY_ERR_INVALID, 7, "names are ASCII"},
    {"a == \"\xff\"", ASSAY_ERR_INVALID, 7, "not valid UTF-8"},
    {"a == \"x\ty\"", ASSAY_ERR_INVALID, 8, "control character"},
    {"a[?b == 1 exists", ASSAY_ERR_INVALID, 11, "expected ']'"},
    {"a > 4e888", ASSAY_ERR_INVALID, 5, "number out of range"}, /* found by fuzz_state_query */
    {"a > -4e888", ASSAY_ERR_INVALID, 5, "number out of range"},
};

static void parse_errors_point_at_the_problem(void **state)
{
    long before = assay_memory_live_allocations();
    for (size_t index = 0; index < sizeof error_cases / sizeof error_cases[0]; index++) {
        const struct error_case *test = &error_cases[index];
        struct evaluate_query *query = NULL;
        struct assay_error error = {0};
        size_t column = 0;
        int status =
            evaluate_query_parse(test->query, strlen(test->query), &query, &column, &error);
        if (status != test->status || column != test->column ||
            strstr(error.message, test->message) == NULL)
            fail_msg("%s: got status %d column %zu \"%s\"", test->query, status, column,
                     error.message);
        assert_null(query);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "column %zu: ", test->column);
        assert_memory_equal(error.message, prefix, strlen(prefix));
    }
    assert_int_equal(assay_memory_live_allocations(), before);
}

static void limits_are_enforced(void **state)
{
    struct buffer deep = {0};
    for (int level = 0; level < 40; level++)
        buffer_append_string(&deep, "not ");
    buffer_append_string(&deep, "a exists");
    struct evaluate_query *query = NULL;
    struct assay_error error = {0};
    size_t column = 0;
    assert_int_equal(evaluate_query_parse(deep.data, deep.length, &query, &column, &error),
                     ASSAY_ERR_LIMIT);
    assert_int_equal(column, 32 * 4 + 1);
    assert_non_null(strstr(error.message, "nesting deeper than 32 levels"));
    buffer_free(&deep);

    struct buffer filters = {0};
    buffer_append_string(&filters, "a");
    for (int level = 0; level < 40; level++)
        buffer_append_string(&filters, "[?b");
    assert_int_equal(evaluate_query_parse(filters.data, filters.length, &query, &column, &error),
                     ASSAY_ERR_LIMIT);
    buffer_free(&filters);

    size_t length = EVALUATE_QUERY_MAX_LENGTH + 1;
    char *long_query = assay_malloc(length);
    memset(long_query, 'a', length);
    assert_int_equal(evaluate_query_parse(long_query, length, &query, &column, &error),
                     ASSAY_ERR_LIMIT);
    assay_free(long_query);
    assert_null(query);
}

static void paths_parse_on_their_own(void **state)
{
    struct evaluate_path *path = NULL;
    struct assay_error error = {0};
    size_t column = 0;
    assert_int_equal(evaluate_path_parse("sessions[*].token", 17, &path, NULL, &error), 0);
    assert_true(evaluate_path_is_projecting(path));
    assert_false(evaluate_path_is_root(path));
    assert_string_equal(evaluate_path_text(path), "sessions[*].token");
    assert_int_equal(evaluate_path_roots_read(path), EVALUATE_QUERY_READS_STATE);
    evaluate_path_free(path);
    assert_int_equal(evaluate_path_parse("$", 1, &path, NULL, &error), 0);
    assert_true(evaluate_path_is_root(path));
    evaluate_path_free(path);
    assert_int_equal(evaluate_path_parse("diff.added.x", 12, &path, NULL, &error), 0);
    assert_int_equal(evaluate_path_roots_read(path), EVALUATE_QUERY_READS_DIFF);
    evaluate_path_free(path);
    assert_int_equal(evaluate_path_parse("shop.x == 1", 11, &path, &column, &error),
                     ASSAY_ERR_INVALID);
    assert_int_equal(column, 8);
    assert_non_null(strstr(error.message, "expected '.', '[' or the end of the path"));
    assert_null(path);

    struct evaluate_query *query = NULL;
    const char *text = "a[?$.b == 1] exists and initial.c exists";
    assert_int_equal(evaluate_query_parse(text, strlen(text), &query, NULL, NULL), 0);
    assert_int_equal(evaluate_query_roots_read(query),
                     EVALUATE_QUERY_READS_STATE | EVALUATE_QUERY_READS_INITIAL);
    assert_string_equal(evaluate_query_text(query), text);
    evaluate_query_free(query);
    evaluate_query_free(NULL);
    evaluate_path_free(NULL);
}

static void parsing_survives_every_allocation_failure(void **state)
{
    const char *text = "shop.orders[?items[?sku == \"C3\"] exists].id == 2 or not a.b count > 1";
    long before = assay_memory_live_allocations();
    int succeeded = 0;
    for (long failure = 0; failure < 500 && !succeeded; failure++) {
        struct evaluate_query *query = NULL;
        assay_memory_fail_after(failure);
        int status = evaluate_query_parse(text, strlen(text), &query, NULL, NULL);
        assay_memory_fail_after(-1);
        assert_true(status == 0 || status == ASSAY_ERR_NOMEM);
        succeeded = status == 0;
        evaluate_query_free(query);
        assert_int_equal(assay_memory_live_allocations(), before);
    }
    assert_true(succeeded);
}

int test_group_evaluate_query(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queries_mean_what_the_table_says),
        cmocka_unit_test(explanations_show_what_was_found),
        cmocka_unit_test(parse_errors_point_at_the_problem),
        cmocka_unit_test(limits_are_enforced),
        cmocka_unit_test(paths_parse_on_their_own),
        cmocka_unit_test(parsing_survives_every_allocation_failure),
    };
    return cmocka_run_group_tests_name("evaluate_query", tests, NULL, NULL);
}
