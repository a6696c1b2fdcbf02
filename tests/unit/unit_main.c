/* unit_main.c — runs the registered test groups (see test_list.h).
 * usage: unit-tests [GROUP ...] ; exit status 0 when every test passed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/memory.h"
#include "jsonrpc/json_strict.h"
#include "test_list.h"

struct group {
    const char *name;
    int (*run)(void);
};

#define GROUP_ENTRY(name) {#name, test_group_##name},
static const struct group groups[] = {TEST_GROUPS(GROUP_ENTRY)};
#undef GROUP_ENTRY

int main(int argc, char **argv)
{
    /* count live blocks so that tests can assert that nothing leaks */
    assay_memory_set_counting(1);
    json_strict_install_allocator();
    int failures = 0, ran = 0;
    for (size_t index = 0; index < sizeof groups / sizeof groups[0]; index++) {
        int selected = argc < 2;
        for (int argument = 1; argument < argc; argument++)
            if (strcmp(argv[argument], groups[index].name) == 0)
                selected = 1;
        if (!selected)
            continue;
        failures += groups[index].run();
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "unit-tests: no test group matches\n");
        return 2;
    }
    return failures == 0 ? 0 : 1;
}
