/* test_list.h — the one registry of unit test groups.
 *
 * Each tests/unit/test_NAME.c defines `int test_group_NAME(void)` which runs
 * its cmocka group and returns the number of failures. Add one X(NAME) line
 * below (kept in alphabetical order) to register a new file; unit_main.c runs
 * them all, or only the groups named on its command line. */
#ifndef ASSAY_TEST_LIST_H
#define ASSAY_TEST_LIST_H

#define TEST_GROUPS(X) \
    X(a2a_model)       \
    X(a2a_server)      \
    X(a2a_store)       \
    X(agents)          \
    X(agents_llm)      \
    X(buffer)          \
    X(document)        \
    X(environment)     \
    X(evaluate)        \
    X(evaluate_query)  \
    X(evaluate_state)  \
    X(evaluate_text)   \
    X(http)            \
    X(http_hostile)    \
    X(jsonrpc)         \
    X(mcp)             \
    X(mcp_client)      \
    X(mcp_http)        \
    X(package)         \
    X(memory)          \
    X(report_irt_store) \
    X(report_summary)  \
    X(stats_bridge)    \
    X(stats_horizon)   \
    X(stats_irt)       \
    X(stats_measures)  \
    X(stats_paired)    \
    X(store)           \
    X(web_benchmark)   \
    X(web_server)      \
    X(web_svg)

#define DECLARE_GROUP(name) int test_group_##name(void);
TEST_GROUPS(DECLARE_GROUP)
#undef DECLARE_GROUP

#endif
