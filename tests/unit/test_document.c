/* test_document.c — YAML/JSON documents with locations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "package/document.h"
#include "test_list.h"

static struct document *parse(const char *name, const char *text, struct assay_error *error)
{
    struct document *document = NULL;
    document_parse(name, text, strlen(text), &document, error);
    return document;
}

static void yaml_scalars_follow_the_core_schema(void **state)
{
    struct assay_error error = {0};
    struct document *document = parse("t.yaml",
                                      "a: 1\nb: -2.5\nc: true\nd: ~\ne: hello world\nf: '42'\n"
                                      "g: 1.0.3\nh: [x, 2]\ni: {k: v}\nj: \"true\"\nk: 0x1F\n",
                                      &error);
    assert_non_null(document);
    json_t *root = document_root(document);
    assert_int_equal(json_integer_value(json_object_get(root, "a")), 1);
    assert_true(json_real_value(json_object_get(root, "b")) == -2.5);
    assert_true(json_is_true(json_object_get(root, "c")));
    assert_true(json_is_null(json_object_get(root, "d")));
    assert_string_equal(json_string_value(json_object_get(root, "e")), "hello world");
    assert_string_equal(json_string_value(json_object_get(root, "f")), "42");
    assert_string_equal(json_string_value(json_object_get(root, "g")), "1.0.3");
    assert_int_equal(json_array_size(json_object_get(root, "h")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(root, "i"), "k")), "v");
    assert_string_equal(json_string_value(json_object_get(root, "j")), "true");
    assert_true(json_is_string(json_object_get(root, "k")));
    document_free(document);
}

static void nodes_know_their_lines(void **state)
{
    struct assay_error error = {0};
    struct document *document =
        parse("task.yaml", "id: t1\ntasks:\n  - name: one\n    budget: 5\n  - name: two\n", &error);
    assert_non_null(document);
    json_t *tasks = json_object_get(document_root(document), "tasks");
    int column = 0;
    assert_int_equal(document_line_of(document, tasks, NULL), 3);
    json_t *second = json_array_get(tasks, 1);
    assert_int_equal(document_line_of(document, json_object_get(second, "name"), &column), 5);
    assert_int_equal(column, 11);
    document_error(document, json_object_get(json_array_get(tasks, 0), "budget"), "tasks[0].budget",
                   &error, ASSAY_ERR_INVALID, "must be a %s", "duration");
    assert_string_equal(error.message, "task.yaml:4: tasks[0].budget: must be a duration");
    document_free(document);
}

struct bad_case {
    const char *name;
    const char *text;
    const char *expected; /* substring of the error */
};

static const struct bad_case bad_cases[] = {
    {"a.yaml", "a: [1, 2\nb: 3\n", "a.yaml:2:2: YAML syntax error"},
    {"b.yaml", "a: 1\na: 2\n", "b.yaml:2:1: duplicate key 'a'"},
    {"c.yaml", "base: &b {x: 1}\nderived:\n  <<: *b\n", "c.yaml:3:3: merge keys"},
    {"d.yaml", "a: 1\n---\nb: 2\n", "one YAML document per file"},
    {"e.yaml", "a: *missing\n", "e.yaml:1:4: alias names an unknown anchor"},
    {"f.yaml", "", "f.yaml: the file is empty"},
    {"g.json", "{\"a\": 1, \"a\": 2}", "g.json: malformed JSON"},
    {"h.yaml", "a: !custom x\n", "custom YAML tags"},
};

static void bad_documents_name_file_line_and_reason(void **state)
{
    for (size_t index = 0; index < sizeof bad_cases / sizeof bad_cases[0]; index++) {
        struct assay_error error = {0};
        struct document *document = parse(bad_cases[index].name, bad_cases[index].text, &error);
        assert_null(document);
        if (strstr(error.message, bad_cases[index].expected) == NULL)
            fail_msg("case %zu: '%s' does not contain '%s'", index, error.message,
                     bad_cases[index].expected);
    }
}

static void anchors_are_copied(void **state)
{
    struct assay_error error = {0};
    struct document *document = parse("a.yaml", "one: &x {k: [1, 2]}\ntwo: *x\n", &error);
    assert_non_null(document);
    json_t *root = document_root(document);
    assert_true(json_equal(json_object_get(root, "one"), json_object_get(root, "two")));
    assert_ptr_not_equal(json_object_get(root, "one"), json_object_get(root, "two"));
    document_free(document);
}

static void deep_nesting_is_refused(void **state)
{
    char text[400];
    size_t length = 0;
    for (int index = 0; index < 70; index++)
        text[length++] = '[';
    for (int index = 0; index < 70; index++)
        text[length++] = ']';
    text[length] = '\0';
    struct assay_error error = {0};
    assert_null(parse("deep.yaml", text, &error));
    assert_non_null(strstr(error.message, "deeper than 64"));
}

int test_group_document(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yaml_scalars_follow_the_core_schema),
        cmocka_unit_test(nodes_know_their_lines),
        cmocka_unit_test(bad_documents_name_file_line_and_reason),
        cmocka_unit_test(anchors_are_copied),
        cmocka_unit_test(deep_nesting_is_refused),
    };
    return cmocka_run_group_tests_name("document", tests, NULL, NULL);
}
