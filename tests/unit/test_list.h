/* test_list.h — the one registry of unit test groups.
 *
 * Each tests/unit/test_NAME.c defines `int test_group_NAME(void)` which runs
 * its cmocka group and returns the number of failures. Add a line to both
 * lists below to register a new file; unit_main.c runs them all, or only the
 * groups named on its command line. */
#ifndef ASSAY_TEST_LIST_H
#define ASSAY_TEST_LIST_H

#define TEST_GROUPS(X) \
    X(buffer)          \
    X(document)        \
    X(http)            \
    X(http_hostile)    \
    X(jsonrpc)         \
    X(package)         \
    X(memory)

#define DECLARE_GROUP(name) int test_group_##name(void);
TEST_GROUPS(DECLARE_GROUP)
#undef DECLARE_GROUP

#endif
