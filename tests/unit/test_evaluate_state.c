/* test_evaluate_state.c — the state diff (added / updated / deleted /
 * previous, with arrays matched by id, by common subsequence or by
 * position) and the canonical state hash (key order and number spelling do
 * not matter, volatile paths are ignored, subtrees restrict). JSON is
 * written with ' for ". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/memory.h"
#include "evaluate/state.h"
#include "jsonrpc/json_strict.h"
#include "test_list.h"
#include "test_support.h"

struct diff_case {
    const char *initial; /* NULL: no initial state */
    const char *final;
    const char *expected; /* canonical JSON of the diff, with ' for " */
};

static const struct diff_case diff_cases[] = {
    /* objects: member added, changed, removed, nested */
    {"{'a':1,'b':{'c':2,'d':3},'e':[1]}", "{'a':1,'b':{'c':5,'f':6},'g':true}",
     "{'added':{'b':{'f':6},'g':true},'deleted':{'b':{'d':3},'e':[1]},"
     "'previous':{'b':{'c':2}},'updated':{'b':{'c':5}}}"},
    /* arrays of records with ids: matched by id, whatever the order */
    {"{'o':[{'id':1,'s':'a'},{'id':2,'s':'b'}]}", "{'o':[{'id':2,'s':'c'},{'id':3,'s':'d'}]}",
     "{'added':{'o':[{'id':3,'s':'d'}]},'deleted':{'o':[{'id':1,'s':'a'}]},"
     "'previous':{'o':[{'id':2,'s':'b'}]},'updated':{'o':[{'id':2,'s':'c'}]}}"},
    {"{'o':[{'id':'x','n':1},{'id':'y','n':2}]}", "{'o':[{'id':'y','n':2},{'id':'x','n':1}]}",
     "{'added':{},'deleted':{},'previous':{},'updated':{}}"},
    /* scalars: a common subsequence, no pairing of changed scalars */
    {"{'t':['a','b','c']}", "{'t':['a','c','d']}",
     "{'added':{'t':['d']},'deleted':{'t':['b']},'previous':{},'updated':{}}"},
    /* appends and removals at either end */
    {"{'t':[1,2]}", "{'t':[1,2,3]}", "{'added':{'t':[3]},'deleted':{},'previous':{},'updated':{}}"},
    {"{'t':[0,1,2]}", "{'t':[1,2]}", "{'added':{},'deleted':{'t':[0]},'previous':{},'updated':{}}"},
    /* records without ids edited in place pair up as updates */
    {"{'r':[{'t':'x','n':1},{'t':'y'}]}", "{'r':[{'t':'x','n':2},{'t':'y'}]}",
     "{'added':{},'deleted':{},'previous':{'r':[{'n':1,'t':'x'}]},'updated':{'r':[{'n':2,'t':'x'}]}"
     "}"},
    /* duplicate ids fall back to the subsequence */
    {"{'r':[{'id':1},{'id':1}]}", "{'r':[{'id':1}]}",
     "{'added':{},'deleted':{'r':[{'id':1}]},'previous':{},'updated':{}}"},
    /* numbers compare by value; types do not */
    {"{'a':1,'b':2.5}", "{'a':1.0,'b':2.5}",
     "{'added':{},'deleted':{},'previous':{},'updated':{}}"},
    {"{'a':'1'}", "{'a':1}", "{'added':{},'deleted':{},'previous':{'a':'1'},'updated':{'a':1}}"},
    {"{'a':[1]}", "{'a':{'x':1}}",
     "{'added':{},'deleted':{},'previous':{'a':[1]},'updated':{'a':{'x':1}}}"},
    /* no snapshot: everything was added */
    {NULL, "{'a':1}", "{'added':{'a':1},'deleted':{},'previous':{},'updated':{}}"},
    /* no change */
    {"{'a':{'b':[1,{'c':2}]}}", "{'a':{'b':[1,{'c':2}]}}",
     "{'added':{},'deleted':{},'previous':{},'updated':{}}"},
    /* nested arrays in arrays pair up as well */
    {"[[1,2],[3]]", "[[1,2],[4]]", "{'added':{},'deleted':{},'previous':[[3]],'updated':[[4]]}"},
};

static void diffs_follow_the_table(void **state)
{
    long before = assay_memory_live_allocations();
    for (size_t index = 0; index < sizeof diff_cases / sizeof diff_cases[0]; index++) {
        const struct diff_case *test = &diff_cases[index];
        json_t *initial = test->initial != NULL ? json_from_any(test->initial) : NULL;
        json_t *final = json_from_any(test->final);
        json_t *expected = json_from_any(test->expected);
        json_t *diff = NULL;
        assert_int_equal(evaluate_state_diff(initial, final, &diff), 0);
        char *got = json_strict_dump_canonical(diff);
        char *want = json_strict_dump_canonical(expected);
        if (strcmp(got, want) != 0)
            fail_msg("case %zu: got %s, expected %s", index, got, want);
        assay_free(got);
        assay_free(want);
        json_decref_all(diff, expected, final, initial);
    }
    assert_int_equal(assay_memory_live_allocations(), before);
}

static void diff_of_large_arrays_falls_back_to_positions(void **state)
{
    /* 2100 × 2100 cells is past EVALUATE_DIFF_MAX_CELLS: matched by position */
    json_t *initial = json_array(), *final = json_array();
    for (int index = 0; index < 2100; index++) {
        json_array_append_new(initial, json_integer(index));
        json_array_append_new(final,
                              json_integer(index == 0 || index == 2099 ? -index - 1 : index));
    }
    json_t *diff = NULL;
    assert_int_equal(evaluate_state_diff(initial, final, &diff), 0);
    assert_int_equal(json_array_size(json_object_get(diff, "added")), 2);
    assert_int_equal(json_array_size(json_object_get(diff, "deleted")), 2);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(diff, "added"), 1)), -2100);
    json_decref(diff);
    /* the common prefix and suffix are set aside first, so one change in
     * the middle of a long list is still found exactly */
    json_array_set_new(final, 0, json_integer(0));
    json_array_set_new(final, 2099, json_integer(2099));
    json_array_set_new(final, 1000, json_string("changed"));
    assert_int_equal(evaluate_state_diff(initial, final, &diff), 0);
    json_t *added = json_object_get(diff, "added");
    assert_int_equal(json_array_size(added), 1);
    assert_string_equal(json_string_value(json_array_get(added, 0)), "changed");
    json_decref_all(diff, initial, final);
}

static void hash(const char *state_text, const char *const *subtrees, size_t subtree_count,
                 const char *const *ignored, size_t ignored_count, char *digest)
{
    json_t *value = json_from_any(state_text);
    struct assay_error error = {0};
    int status =
        evaluate_state_hash(value, subtrees, subtree_count, ignored, ignored_count, digest, &error);
    if (status != 0)
        fail_msg("hash: %s", error.message);
    json_decref(value);
}

static void hashes_are_canonical(void **state)
{
    long before = assay_memory_live_allocations();
    char first[EVALUATE_SHA256_HEX_LENGTH + 1], second[EVALUATE_SHA256_HEX_LENGTH + 1];
    /* known digests of the canonical text */
    hash("{}", NULL, 0, NULL, 0, first);
    assert_string_equal(first, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    hash("{'b':1,'a':2}", NULL, 0, NULL, 0, first);
    assert_string_equal(first, "d3626ac30a87e6f7a6428233b3c68299976865fa5508e4267c5415c76af7a772");
    hash("{'b':[1.0,{'c':null}],'a':22.0}", NULL, 0, NULL, 0, first);
    assert_string_equal(first, "845e77c2825e5819cba90661bf03e20b50e9509334099182081ed5a5bfadb082");
    /* key order does not matter, at any depth */
    hash("{'a':1,'b':{'x':1,'y':[{'p':1,'q':2}]}}", NULL, 0, NULL, 0, first);
    hash("{'b':{'y':[{'q':2,'p':1}],'x':1},'a':1}", NULL, 0, NULL, 0, second);
    assert_string_equal(first, second);
    /* array order does */
    hash("{'a':[1,2]}", NULL, 0, NULL, 0, first);
    hash("{'a':[2,1]}", NULL, 0, NULL, 0, second);
    assert_string_not_equal(first, second);
    /* any changed value does */
    hash("{'a':{'b':'x'}}", NULL, 0, NULL, 0, first);
    hash("{'a':{'b':'y'}}", NULL, 0, NULL, 0, second);
    assert_string_not_equal(first, second);
    hash("{'a':1}", NULL, 0, NULL, 0, first);
    hash("{'a':1.5}", NULL, 0, NULL, 0, second);
    assert_string_not_equal(first, second);
    assert_int_equal(assay_memory_live_allocations(), before);
}

static void volatile_paths_and_subtrees(void **state)
{
    long before = assay_memory_live_allocations();
    char first[EVALUATE_SHA256_HEX_LENGTH + 1], second[EVALUATE_SHA256_HEX_LENGTH + 1];
    const char *one = "{'a':1,'updated_at':'t1','sessions':[{'id':1,'token':'x'}],"
                      "'log':[{'level':'debug','m':1},{'level':'info','m':2}]}";
    const char *two = "{'a':1,'updated_at':'t2','sessions':[{'id':1,'token':'y'}],"
                      "'log':[{'level':'debug','m':9},{'level':'info','m':2}]}";
    const char *ignored[] = {"updated_at", "sessions[*].token", "log[?level == 'debug']"};
    hash(one, NULL, 0, NULL, 0, first);
    hash(two, NULL, 0, NULL, 0, second);
    assert_string_not_equal(first, second);
    hash(one, NULL, 0, ignored, 3, first);
    hash(two, NULL, 0, ignored, 3, second);
    assert_string_equal(first, second);
    /* ignoring only some volatile paths is not enough */
    hash(one, NULL, 0, ignored, 2, first);
    hash(two, NULL, 0, ignored, 2, second);
    assert_string_not_equal(first, second);
    /* the ignored path really is gone: same as a state without it */
    hash("{'a':1,'sessions':[{'id':1}],'log':[{'level':'info','m':2}]}", NULL, 0, NULL, 0, second);
    hash(one, NULL, 0, ignored, 3, first);
    assert_string_equal(first, second);
    /* subtrees: only what they select counts */
    const char *subtrees[] = {"a", "sessions[*].id"};
    hash(one, subtrees, 2, NULL, 0, first);
    hash(two, subtrees, 2, NULL, 0, second);
    assert_string_equal(first, second);
    hash("{'a':2,'sessions':[{'id':1}]}", subtrees, 2, NULL, 0, second);
    assert_string_not_equal(first, second);
    /* a missing subtree differs from a null one */
    const char *only_b[] = {"b"};
    hash("{'a':1}", only_b, 1, NULL, 0, first);
    hash("{'b':null}", only_b, 1, NULL, 0, second);
    assert_string_not_equal(first, second);
    assert_int_equal(assay_memory_live_allocations(), before);
}

static void bad_hash_paths_are_named(void **state)
{
    json_t *value = json_from_any("{'a':1}");
    char digest[EVALUATE_SHA256_HEX_LENGTH + 1];
    struct assay_error error = {0};
    const char *bad_diff[] = {"diff.added.a"};
    assert_int_equal(evaluate_state_hash(value, NULL, 0, bad_diff, 1, digest, &error),
                     ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "ignored path \"diff.added.a\": must name a part"));
    const char *whole[] = {"$"};
    assert_int_equal(evaluate_state_hash(value, NULL, 0, whole, 1, digest, &error),
                     ASSAY_ERR_INVALID);
    const char *broken[] = {"a["};
    assert_int_equal(evaluate_state_hash(value, broken, 1, NULL, 0, digest, &error),
                     ASSAY_ERR_INVALID);
    assert_non_null(strstr(error.message, "subtree path \"a[\": column 3:"));
    json_decref(value);
}

static void diff_and_hash_survive_allocation_failures(void **state)
{
    json_t *initial = json_from_any("{'o':[{'id':1,'s':'a'},{'id':2}],'t':['a','b'],'r':[{'x':1}],"
                                    "'k':{'z':1}}");
    json_t *final = json_from_any("{'o':[{'id':2,'s':'c'},{'id':3}],'t':['b','c'],'r':[{'x':2}],"
                                  "'n':1.0}");
    const char *ignored[] = {"o[?id == 3]", "t[*]"};
    long before = assay_memory_live_allocations();
    int diff_done = 0, hash_done = 0;
    for (long failure = 0; failure < 2000 && !(diff_done && hash_done); failure++) {
        json_t *diff = NULL;
        char digest[EVALUATE_SHA256_HEX_LENGTH + 1];
        assay_memory_fail_after(failure);
        int diff_status = evaluate_state_diff(initial, final, &diff);
        assay_memory_fail_after(failure);
        int hash_status = evaluate_state_hash(final, NULL, 0, ignored, 2, digest, NULL);
        assay_memory_fail_after(-1);
        assert_true(diff_status == 0 || diff_status == ASSAY_ERR_NOMEM);
        assert_true(hash_status == 0 || hash_status == ASSAY_ERR_NOMEM);
        diff_done |= diff_status == 0;
        hash_done |= hash_status == 0;
        json_decref(diff);
        assert_int_equal(assay_memory_live_allocations(), before);
    }
    assert_true(diff_done && hash_done);
    json_decref(initial);
    json_decref(final);
}

int test_group_evaluate_state(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(diffs_follow_the_table),
        cmocka_unit_test(diff_of_large_arrays_falls_back_to_positions),
        cmocka_unit_test(hashes_are_canonical),
        cmocka_unit_test(volatile_paths_and_subtrees),
        cmocka_unit_test(bad_hash_paths_are_named),
        cmocka_unit_test(diff_and_hash_survive_allocation_failures),
    };
    return cmocka_run_group_tests_name("evaluate_state", tests, NULL, NULL);
}
