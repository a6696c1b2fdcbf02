/* test_environment.c — the web environment driven step by step on the
 * built-in world: shopping, mail, calendar, refusals, and the trace. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "environment/environment.h"
#include "package/document.h"
#include "test_list.h"

#define WORLD "packages/web-of-sites/data/world.json"

struct fixture {
    struct document *world;
    struct environment *environment;
    struct buffer observation;
};

static int setup(void **state)
{
    static struct fixture fixture;
    memset(&fixture, 0, sizeof fixture);
    struct assay_error error = {0};
    if (document_load(WORLD, &fixture.world, &error) != 0)
        fail_msg("%s", error.message);
    assert_int_equal(environment_create("web", document_root(fixture.world), NULL, 7,
                                        &fixture.environment, &error),
                     0);
    *state = &fixture;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fixture = *state;
    environment_free(fixture->environment);
    document_free(fixture->world);
    buffer_free(&fixture->observation);
    return 0;
}

/* One step, by tool and a JSON text of arguments; returns the status. */
static int step(struct fixture *fixture, const char *tool, const char *arguments_json)
{
    json_t *arguments = json_loads(arguments_json, 0, NULL);
    assert_non_null(arguments);
    buffer_reset(&fixture->observation);
    struct assay_error error = {0};
    int status = environment_step(fixture->environment, tool, arguments, &fixture->observation, &error);
    json_decref(arguments);
    return status;
}

static void buying_a_mug_changes_shop_and_mail(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(step(fixture, "open", "{\"url\": \"http://shop.local/\"}"), 0);
    assert_non_null(strstr(fixture->observation.data, "textbox \"Search\""));
    assert_int_equal(step(fixture, "type", "{\"label\": \"Search\", \"text\": \"blue mug\"}"), 0);
    assert_int_equal(step(fixture, "submit", "{\"label\": \"Search\"}"), 0);
    assert_non_null(strstr(fixture->observation.data, "Ceramic mug (blue) - $12.50"));
    assert_null(strstr(fixture->observation.data, "(red)"));
    assert_int_equal(step(fixture, "click", "{\"label\": \"Ceramic mug (blue) - $12.50\"}"), 0);
    assert_int_equal(step(fixture, "type", "{\"label\": \"Quantity\", \"text\": \"2\"}"), 0);
    assert_int_equal(step(fixture, "click", "{\"label\": \"Add to cart\"}"), 0);
    assert_non_null(strstr(fixture->observation.data, "Cart (1)"));
    assert_int_equal(step(fixture, "open", "{\"url\": \"http://shop.local/checkout\"}"), 0);
    /* an empty form is refused with a notice, not an error */
    assert_int_equal(step(fixture, "click", "{\"label\": \"Place order\"}"), 0);
    assert_non_null(strstr(fixture->observation.data, "Please fill in"));
    assert_int_equal(step(fixture, "type", "{\"label\": \"Full name\", \"text\": \"Alex Morgan\"}"), 0);
    assert_int_equal(step(fixture, "type", "{\"label\": \"Delivery address\", \"text\": \"12 Harbour Road, Porthaven\"}"), 0);
    assert_int_equal(step(fixture, "click", "{\"label\": \"Place order\"}"), 0);
    assert_non_null(strstr(fixture->observation.data, "Total: $25.00"));

    const json_t *world = environment_state(fixture->environment);
    json_t *orders = json_object_get(json_object_get(world, "shop"), "orders");
    json_t *order = json_array_get(orders, json_array_size(orders) - 1);
    assert_true(json_real_value(json_object_get(order, "total")) == 25.0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(world, "shop"), "cart")), 0);
    json_t *inbox = json_object_get(json_object_get(world, "mail"), "inbox");
    const char *subject = json_string_value(json_object_get(json_array_get(inbox, json_array_size(inbox) - 1), "subject"));
    assert_non_null(strstr(subject, "confirmed"));
    /* the snapshot did not move */
    const json_t *initial = environment_initial_state(fixture->environment);
    assert_int_equal(json_array_size(json_object_get(json_object_get(initial, "shop"), "orders")), 4);

    const json_t *trace = environment_trace(fixture->environment);
    assert_string_equal(json_string_value(json_object_get(json_array_get(trace, 2), "query")), "blue mug");
    assert_string_equal(json_string_value(json_object_get(json_array_get(trace, 1), "typed")), "blue mug");
    /* each step keeps what the agent was shown (its tool result) */
    const char *shown = json_string_value(json_object_get(json_array_get(trace, 2), "observation"));
    assert_non_null(shown);
    assert_non_null(strstr(shown, "Ceramic mug (blue) - $12.50"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(trace, 1), "observation")),
                        "Typed into \"Search\".\n");
    assert_null(json_object_get(json_array_get(trace, 2), "observation_bytes")); /* short: kept whole */
    assert_false(environment_done(fixture->environment));
    assert_int_equal(step(fixture, "answer", "{\"text\": \"done\"}"), 0);
    assert_true(environment_done(fixture->environment));
    assert_int_equal(step(fixture, "read", "{}"), ASSAY_ERR_STATE);
}

static void refusals_are_errors_that_are_traced(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(step(fixture, "click", "{\"element\": 1}"), ASSAY_ERR_STATE); /* nothing open */
    assert_int_equal(step(fixture, "open", "{\"url\": \"http://mail.local/\"}"), 0);
    assert_int_equal(step(fixture, "click", "{\"element\": 999}"), ASSAY_ERR_INVALID);
    assert_int_equal(step(fixture, "type", "{\"element\": 1, \"text\": \"x\"}"), ASSAY_ERR_INVALID);
    assert_int_equal(step(fixture, "fly", "{}"), ASSAY_ERR_INVALID);
    assert_int_equal(step(fixture, "open", "{\"url\": \"http://elsewhere.example/\"}"), 0);
    assert_non_null(strstr(fixture->observation.data, "Site not found"));
    const json_t *trace = environment_trace(fixture->environment);
    assert_int_equal(json_array_size(trace), 6);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(trace, 2), "error")), "no element [999]"));
}

static void mail_and_calendar_actions(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(step(fixture, "open", "{\"url\": \"http://mail.local/compose\"}"), 0);
    assert_int_equal(step(fixture, "type", "{\"label\": \"To\", \"text\": \"sam.lee@mail.local\"}"), 0);
    assert_int_equal(step(fixture, "type", "{\"label\": \"Subject\", \"text\": \"Lunch\"}"), 0);
    assert_int_equal(step(fixture, "type", "{\"label\": \"Body\", \"text\": \"Yes, see you then.\"}"), 0);
    assert_int_equal(step(fixture, "click", "{\"label\": \"Send\"}"), 0);
    assert_non_null(strstr(fixture->observation.data, "To sam.lee@mail.local - Lunch"));
    assert_int_equal(step(fixture, "open", "{\"url\": \"http://calendar.local/invitations\"}"), 0);
    assert_int_equal(step(fixture, "click", "{\"label\": \"Accept Book club\"}"), 0);
    assert_int_equal(step(fixture, "open", "{\"url\": \"http://calendar.local/new\"}"), 0);
    assert_int_equal(step(fixture, "type", "{\"label\": \"Title\", \"text\": \"Project kickoff\"}"), 0);
    assert_int_equal(step(fixture, "type", "{\"label\": \"Date (YYYY-MM-DD)\", \"text\": \"1 December\"}"), 0);
    assert_int_equal(step(fixture, "click", "{\"label\": \"Create event\"}"), 0);
    assert_non_null(strstr(fixture->observation.data, "YYYY-MM-DD"));
    assert_int_equal(step(fixture, "type", "{\"label\": \"Date (YYYY-MM-DD)\", \"text\": \"2026-12-01\"}"), 0);
    assert_int_equal(step(fixture, "type", "{\"label\": \"Time (HH:MM)\", \"text\": \"14:00\"}"), 0);
    assert_int_equal(step(fixture, "click", "{\"label\": \"Create event\"}"), 0);
    assert_non_null(strstr(fixture->observation.data, "2026-12-01 14:00 - Project kickoff"));
    assert_non_null(strstr(fixture->observation.data, "2026-11-29 19:00 - Book club"));
}

static void html_rendering_escapes_and_links(void **state)
{
    struct fixture *fixture = *state;
    assert_int_equal(step(fixture, "open", "{\"url\": \"http://shop.local/product/p06\"}"), 0);
    struct buffer html = {0};
    assert_int_equal(environment_render_html(fixture->environment, &html), 0);
    assert_non_null(strstr(html.data, "<!doctype html>"));
    assert_non_null(strstr(html.data, "IMPORTANT NOTICE"));
    assert_non_null(strstr(html.data, "<button type=\"submit\" name=\"_element\""));
    buffer_free(&html);
}

int test_group_environment(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(buying_a_mug_changes_shop_and_mail, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals_are_errors_that_are_traced, setup, teardown),
        cmocka_unit_test_setup_teardown(mail_and_calendar_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(html_rendering_escapes_and_links, setup, teardown),
    };
    return cmocka_run_group_tests_name("environment", tests, NULL, NULL);
}
