/* package_check.h — the compliance check behind `assay bench check`, past
 * what loading validates: every task's environment and tools exist, its
 * evaluator spec compiles, its reference solution replays and scores 1.0,
 * and an episode where the agent does nothing scores below that (so the
 * evaluators can fail). Problems go to the same list as loading's. */
#ifndef ASSAY_ENVIRONMENT_PACKAGE_CHECK_H
#define ASSAY_ENVIRONMENT_PACKAGE_CHECK_H

#include "package/package.h"

struct package_check_summary {
    size_t tasks;
    size_t references_replayed;
    size_t references_perfect;   /* replayed and scored 1.0 */
    size_t empty_below_reference;
    size_t missing_reference;
};

/* require_reference: a task without a reference solution is a problem
 * (built-in packages must have one for every task). */
int package_check(const struct package *package, int require_reference, struct package_check_summary *summary,
                  struct package_problems *problems);

#endif
