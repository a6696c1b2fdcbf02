/* test_a2a_store.c — the in-memory task store: save/load, listing order,
 * filters, pagination, bounded retention. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "a2a/task_store.h"
#include "core/memory.h"
#include "test_list.h"

static int save(struct a2a_task_store *store, const char *id, const char *context,
                enum a2a_task_state state, int64_t timestamp)
{
    char text[128];
    int length = snprintf(text, sizeof text, "{\"id\":\"%s\",\"state\":%d}", id, (int)state);
    struct a2a_task_summary summary = {
        .task_id = id, .context_id = context, .state = state, .timestamp_ms = timestamp};
    return store->save(store, &summary, text, (size_t)length);
}

static int exists(struct a2a_task_store *store, const char *id)
{
    struct buffer text = {0};
    int status = store->load(store, id, &text);
    buffer_free(&text);
    return status == ASSAY_OK;
}

/* The ids of one page, joined with spaces, e.g. "t3 t2". */
static void page_ids(const struct a2a_task_page *page, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t index = 0; index < page->count; index++) {
        const char *id = strstr(page->tasks[index], "\"id\":\"") + 6;
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%.*s", index ? " " : "", (int)(strchr(id, '"') - id),
                 id);
    }
}

static void list_ids(struct a2a_task_store *store, const struct a2a_task_query *query, char *out,
                     size_t size, size_t *total)
{
    struct a2a_task_page page;
    assert_int_equal(store->list(store, query, &page), ASSAY_OK);
    page_ids(&page, out, size);
    if (total != NULL)
        *total = page.total;
    a2a_task_page_free(&page);
}

static void save_load_and_replace(void **state)
{
    struct a2a_task_store *store = NULL;
    assert_int_equal(a2a_memory_store_new(NULL, &store), ASSAY_OK);
    assert_int_equal(save(store, "t1", "c1", A2A_TASK_STATE_SUBMITTED, 100), ASSAY_OK);
    struct buffer text = {0};
    assert_int_equal(store->load(store, "t1", &text), ASSAY_OK);
    assert_string_equal(text.data, "{\"id\":\"t1\",\"state\":1}");
    buffer_reset(&text);
    assert_int_equal(save(store, "t1", "c1", A2A_TASK_STATE_COMPLETED, 200), ASSAY_OK);
    assert_int_equal(store->load(store, "t1", &text), ASSAY_OK);
    assert_string_equal(text.data, "{\"id\":\"t1\",\"state\":3}");
    buffer_free(&text);
    assert_int_equal(store->load(store, "nope", &text), ASSAY_ERR_NOT_FOUND);
    buffer_free(&text);
    store->free(store);
}

static void list_orders_newest_first_and_filters(void **state)
{
    struct a2a_task_store *store = NULL;
    assert_int_equal(a2a_memory_store_new(NULL, &store), ASSAY_OK);
    save(store, "a", "c1", A2A_TASK_STATE_COMPLETED, 100);
    save(store, "b", "c2", A2A_TASK_STATE_WORKING, 300);
    save(store, "c", "c1", A2A_TASK_STATE_INPUT_REQUIRED, 200);
    save(store, "d", "c1", A2A_TASK_STATE_COMPLETED, 300); /* same time as b, saved later */
    save(store, "e", "c2", A2A_TASK_STATE_COMPLETED, 50);  /* out of order: goes last */
    char ids[256];
    size_t total = 0;
    struct a2a_task_query query = {.updated_since_ms = INT64_MIN, .page_size = 50};
    list_ids(store, &query, ids, sizeof ids, &total);
    assert_string_equal(ids, "d b c a e");
    assert_int_equal(total, 5);
    /* An update that changes the timestamp moves the task to the front. */
    save(store, "a", "c1", A2A_TASK_STATE_COMPLETED, 400);
    list_ids(store, &query, ids, sizeof ids, NULL);
    assert_string_equal(ids, "a d b c e");
    /* One that does not (an artifact added) leaves it in place. */
    save(store, "c", "c1", A2A_TASK_STATE_INPUT_REQUIRED, 200);
    list_ids(store, &query, ids, sizeof ids, NULL);
    assert_string_equal(ids, "a d b c e");

    query.context_id = "c1";
    list_ids(store, &query, ids, sizeof ids, &total);
    assert_string_equal(ids, "a d c");
    assert_int_equal(total, 3);
    query.state = A2A_TASK_STATE_COMPLETED;
    list_ids(store, &query, ids, sizeof ids, &total);
    assert_string_equal(ids, "a d");
    query.context_id = NULL;
    list_ids(store, &query, ids, sizeof ids, &total);
    assert_string_equal(ids, "a d e");
    query.state = A2A_TASK_STATE_UNSPECIFIED;
    query.updated_since_ms = 200;
    list_ids(store, &query, ids, sizeof ids, &total);
    assert_string_equal(ids, "a d b c");
    store->free(store);
}

static void pagination_walks_every_task_once(void **state)
{
    struct a2a_task_store *store = NULL;
    assert_int_equal(a2a_memory_store_new(NULL, &store), ASSAY_OK);
    for (int index = 0; index < 7; index++) {
        char id[16];
        snprintf(id, sizeof id, "t%d", index);
        save(store, id, "c", A2A_TASK_STATE_COMPLETED, 1000 + index / 2); /* pairs share a time */
    }
    struct a2a_task_query query = {.updated_since_ms = INT64_MIN, .page_size = 3};
    char token[A2A_PAGE_TOKEN_SIZE] = "", all[256] = "";
    int pages = 0;
    do {
        query.page_token = token;
        struct a2a_task_page page;
        assert_int_equal(store->list(store, &query, &page), ASSAY_OK);
        assert_int_equal(page.total, pages == 0 ? 7 : 8); /* "late" counts once saved */
        char ids[128];
        page_ids(&page, ids, sizeof ids);
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", pages ? " " : "", ids);
        memcpy(token, page.next_page_token, sizeof token);
        pages++;
        /* A task saved between pages (newer) does not disturb the walk. */
        if (pages == 1)
            save(store, "late", "c", A2A_TASK_STATE_COMPLETED, 5000);
        a2a_task_page_free(&page);
    } while (token[0] != '\0');
    assert_int_equal(pages, 3);
    assert_string_equal(all, "t6 t5 t4 t3 t2 t1 t0");
    query.page_token = "garbage";
    struct a2a_task_page page;
    assert_int_equal(store->list(store, &query, &page), ASSAY_ERR_INVALID);
    query.page_token = "t12x.3";
    assert_int_equal(store->list(store, &query, &page), ASSAY_ERR_INVALID);
    store->free(store);
}

static void retention_is_bounded(void **state)
{
    struct a2a_memory_store_options options = {.max_terminal_tasks = 3, .max_active_tasks = 2};
    struct a2a_task_store *store = NULL;
    assert_int_equal(a2a_memory_store_new(&options, &store), ASSAY_OK);
    assert_int_equal(save(store, "w1", "c", A2A_TASK_STATE_WORKING, 1), ASSAY_OK);
    assert_int_equal(save(store, "w2", "c", A2A_TASK_STATE_INPUT_REQUIRED, 2), ASSAY_OK);
    assert_int_equal(save(store, "w3", "c", A2A_TASK_STATE_SUBMITTED, 3), ASSAY_ERR_LIMIT);
    assert_false(exists(store, "w3"));
    for (int index = 0; index < 5; index++) {
        char id[16];
        snprintf(id, sizeof id, "d%d", index);
        assert_int_equal(save(store, id, "c", A2A_TASK_STATE_COMPLETED, 10 + index), ASSAY_OK);
    }
    /* The two that finished first are gone; unfinished tasks are kept. */
    assert_false(exists(store, "d0"));
    assert_false(exists(store, "d1"));
    assert_true(exists(store, "d2") && exists(store, "d4"));
    assert_true(exists(store, "w1") && exists(store, "w2"));
    /* Finishing w1 frees an active slot and evicts the oldest finished. */
    assert_int_equal(save(store, "w1", "c", A2A_TASK_STATE_CANCELED, 20), ASSAY_OK);
    assert_false(exists(store, "d2"));
    assert_true(exists(store, "w1"));
    assert_int_equal(save(store, "w4", "c", A2A_TASK_STATE_WORKING, 21), ASSAY_OK);
    /* Many more: memory stays bounded and recycled records hold new data. */
    for (int index = 0; index < 1000; index++) {
        char id[16];
        snprintf(id, sizeof id, "x%d", index);
        assert_int_equal(save(store, id, "c", A2A_TASK_STATE_COMPLETED, 100 + index), ASSAY_OK);
    }
    struct a2a_task_query query = {.updated_since_ms = INT64_MIN, .page_size = 100};
    char ids[256];
    size_t total = 0;
    list_ids(store, &query, ids, sizeof ids, &total);
    assert_string_equal(ids, "x999 x998 x997 w4 w2");
    assert_int_equal(total, 5);
    struct buffer text = {0};
    assert_int_equal(store->load(store, "x998", &text), ASSAY_OK);
    assert_string_equal(text.data, "{\"id\":\"x998\",\"state\":3}");
    buffer_free(&text);
    store->free(store);
}

static void retention_is_bounded_in_bytes(void **state)
{
    struct a2a_memory_store_options options = {.max_terminal_tasks = 1000,
                                               .max_terminal_bytes = 4096};
    struct a2a_task_store *store = NULL;
    assert_int_equal(a2a_memory_store_new(&options, &store), ASSAY_OK);
    char big[1500];
    memset(big, 'x', sizeof big);
    for (int index = 0; index < 10; index++) {
        char id[16];
        snprintf(id, sizeof id, "b%d", index);
        struct a2a_task_summary summary = {.task_id = id,
                                           .context_id = "c",
                                           .state = A2A_TASK_STATE_COMPLETED,
                                           .timestamp_ms = index};
        assert_int_equal(store->save(store, &summary, big, sizeof big), ASSAY_OK);
    }
    struct a2a_task_query query = {.updated_since_ms = INT64_MIN, .page_size = 100};
    struct a2a_task_page page;
    assert_int_equal(store->list(store, &query, &page), ASSAY_OK);
    assert_int_equal(page.total, 2); /* 2 x 1500 <= 4096 < 3 x 1500 */
    a2a_task_page_free(&page);
    /* A single task larger than the budget is still kept (the newest). */
    char *huge = assay_malloc(10000);
    memset(huge, 'y', 10000);
    struct a2a_task_summary summary = {.task_id = "huge",
                                       .context_id = "c",
                                       .state = A2A_TASK_STATE_COMPLETED,
                                       .timestamp_ms = 99};
    assert_int_equal(store->save(store, &summary, huge, 10000), ASSAY_OK);
    assert_true(exists(store, "huge"));
    assert_false(exists(store, "b9"));
    assay_free(huge);
    store->free(store);
}

struct hammer {
    struct a2a_task_store *store;
    int thread;
};

static void *hammer_store(void *argument)
{
    struct hammer *hammer = argument;
    for (int index = 0; index < 2000; index++) {
        char id[32];
        snprintf(id, sizeof id, "h%d-%d", hammer->thread, index);
        save(hammer->store, id, index % 2 ? "odd" : "even", A2A_TASK_STATE_COMPLETED, index);
        exists(hammer->store, id);
        if (index % 100 == 0) {
            struct a2a_task_query query = {
                .context_id = "odd", .updated_since_ms = INT64_MIN, .page_size = 10};
            struct a2a_task_page page;
            if (hammer->store->list(hammer->store, &query, &page) == ASSAY_OK)
                a2a_task_page_free(&page);
        }
    }
    return NULL;
}

static void concurrent_use_is_safe(void **state)
{
    struct a2a_memory_store_options options = {.max_terminal_tasks = 500};
    struct a2a_task_store *store = NULL;
    assert_int_equal(a2a_memory_store_new(&options, &store), ASSAY_OK);
    pthread_t threads[4];
    struct hammer hammers[4];
    for (int index = 0; index < 4; index++) {
        hammers[index] = (struct hammer){store, index};
        pthread_create(&threads[index], NULL, hammer_store, &hammers[index]);
    }
    for (int index = 0; index < 4; index++)
        pthread_join(threads[index], NULL);
    struct a2a_task_query query = {.updated_since_ms = INT64_MIN, .page_size = 100};
    struct a2a_task_page page;
    assert_int_equal(store->list(store, &query, &page), ASSAY_OK);
    assert_int_equal(page.total, 500);
    a2a_task_page_free(&page);
    store->free(store);
}

int test_group_a2a_store(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(save_load_and_replace),
        cmocka_unit_test(list_orders_newest_first_and_filters),
        cmocka_unit_test(pagination_walks_every_task_once),
        cmocka_unit_test(retention_is_bounded),
        cmocka_unit_test(retention_is_bounded_in_bytes),
        cmocka_unit_test(concurrent_use_is_safe),
    };
    return cmocka_run_group_tests_name("a2a_store", tests, NULL, NULL);
}
