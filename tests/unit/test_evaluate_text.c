/* test_evaluate_text.c — the text rules of the evaluators: normalisation,
 * number extraction, whole-word containment, UTF-8 and percent decoding,
 * as tables of inputs and expected outputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/memory.h"
#include "evaluate/text.h"
#include "test_list.h"

struct normalise_case {
    const char *input;
    const char *expected;
};

static const struct normalise_case normalise_cases[] = {
    {"Hello,  World!", "hello world"},
    {"1,299.00", "1299"},
    {"$1,299.50", "1299.5"},
    {"Total: 1299", "total 1299"},
    {"1299.", "1299"},
    {"-5 degrees", "-5 degrees"},
    {"well-known", "well known"},
    {"3.50pm", "3.5pm"},
    {"B12 vitamins", "b12 vitamins"},
    {"0.0", "0"},
    {"-0", "0"},
    {"007", "7"},
    {"1,2,3", "1 2 3"},
    {"12345,678", "12345 678"},
    {"1,2345", "1 2345"},
    {"Caf\xc3\xa9 \xe2\x80\x94 Cr\xc3\xa8me", "caf\xc3\xa9 cr\xc3\xa8me"},
    {"\xe2\x80\x9cquoted\xe2\x80\x9d", "quoted"},
    {"  \t\n ", ""},
    {"", ""},
    {"don't", "don t"},
    {"a.b", "a b"},
};

static void normalisation_follows_the_table(void **state)
{
    for (size_t index = 0; index < sizeof normalise_cases / sizeof normalise_cases[0]; index++) {
        const struct normalise_case *test = &normalise_cases[index];
        struct buffer out = {0};
        assert_int_equal(evaluate_text_normalise(test->input, strlen(test->input), &out), 0);
        assert_string_equal(out.data != NULL ? out.data : "", test->expected);
        buffer_free(&out);
    }
}

struct numbers_case {
    const char *input;
    size_t count;
    double values[3];
};

static const struct numbers_case numbers_cases[] = {
    {"The total is $1,299.00, not 12.", 2, {1299, 12}},
    {"B12 and -3.5", 1, {-3.5}},
    {"a-5", 1, {5}},
    {"no digits here", 0, {0}},
    {"22nd of 3", 2, {22, 3}},
    {"0.25", 1, {0.25}},
};

static void numbers_are_extracted_in_order(void **state)
{
    for (size_t index = 0; index < sizeof numbers_cases / sizeof numbers_cases[0]; index++) {
        const struct numbers_case *test = &numbers_cases[index];
        double *values = NULL;
        size_t count = 99;
        assert_int_equal(evaluate_text_numbers(test->input, strlen(test->input), &values, &count),
                         0);
        assert_int_equal(count, test->count);
        for (size_t number = 0; number < count; number++)
            assert_true(values[number] == test->values[number]);
        if (count == 0)
            assert_null(values);
        assay_free(values);
    }
}

static void containment_respects_word_boundaries(void **state)
{
    assert_true(evaluate_text_contains_words("the total is 22", "22"));
    assert_false(evaluate_text_contains_words("the total is 220", "22"));
    assert_false(evaluate_text_contains_words("the total is 122", "22"));
    assert_true(evaluate_text_contains_words("total is 22 dollars", "22 dollars"));
    assert_true(evaluate_text_contains_words("22 dollars", "22 dollars"));
    assert_false(evaluate_text_contains_words("22 dollarsign", "22 dollars"));
    assert_true(evaluate_text_contains_words("anything", ""));
    assert_false(evaluate_text_contains_words("", "x"));
}

static void stop_words_and_utf8(void **state)
{
    assert_true(evaluate_text_is_stop_word("the", 3));
    assert_true(evaluate_text_is_stop_word("my", 2));
    assert_false(evaluate_text_is_stop_word("diabetes", 8));
    assert_false(evaluate_text_is_stop_word("th", 2));
    assert_int_equal(evaluate_text_utf8_valid_length("abc", 3), 3);
    assert_int_equal(evaluate_text_utf8_valid_length("a\xc3\xa9z", 4), 4);
    assert_int_equal(evaluate_text_utf8_valid_length("ab\xffz", 4), 2);
    assert_int_equal(evaluate_text_utf8_valid_length("a\0b", 3), 1);
    assert_int_equal(evaluate_text_utf8_valid_length("\xc0\xaf", 2), 0);     /* overlong */
    assert_int_equal(evaluate_text_utf8_valid_length("\xed\xa0\x80", 3), 0); /* surrogate */
    assert_int_equal(evaluate_text_utf8_valid_length("x\xe2\x82", 3), 1);    /* truncated */
}

static void percent_decoding(void **state)
{
    struct buffer out = {0};
    assert_int_equal(evaluate_text_percent_decode("a%20b+c", 7, 1, &out), 0);
    assert_string_equal(out.data, "a b c");
    buffer_reset(&out);
    assert_int_equal(evaluate_text_percent_decode("a%20b+c", 7, 0, &out), 0);
    assert_string_equal(out.data, "a b+c");
    buffer_reset(&out);
    assert_int_equal(evaluate_text_percent_decode("%zz%4", 5, 1, &out), 0);
    assert_string_equal(out.data, "%zz%4");
    buffer_free(&out);
}

int test_group_evaluate_text(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalisation_follows_the_table),
        cmocka_unit_test(numbers_are_extracted_in_order),
        cmocka_unit_test(containment_respects_word_boundaries),
        cmocka_unit_test(stop_words_and_utf8),
        cmocka_unit_test(percent_decoding),
    };
    return cmocka_run_group_tests_name("evaluate_text", tests, NULL, NULL);
}
