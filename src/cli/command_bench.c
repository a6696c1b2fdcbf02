/* command_bench.c — `assay bench list|show|check`: the package registry and
 * the compliance check (docs/benchmark-format.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/memory.h"
#include "environment/package_check.h"
#include "package/package.h"
#include "package/registry.h"

static const char usage[] =
    "usage: assay bench list [--path DIR[:DIR...]]\n"
    "       assay bench show PKG [--path ...]\n"
    "       assay bench check PKG [--path ...]\n"
    "\n"
    "PKG is a package name from `assay bench list` or a folder holding assay-package.yaml.\n"
    "The search path adds folders whose subfolders are packages; it defaults to\n"
    "$ASSAY_BENCH_PATH. Built-in packages are always listed.\n"
    "\n"
    "check validates the manifest and every task (fields, types, references between tasks\n"
    "and splits, tools against the environment, evaluator specifications), replays every\n"
    "reference solution (it must score 1.0) and an episode where the agent does nothing\n"
    "(it must score below that), and prints a compliance report; exit status 1 when\n"
    "anything is wrong. Built-in packages must have a reference solution for every task.\n";

static int bench_list(const struct registry *registry)
{
    if (registry->count == 0) {
        printf("no packages found (built-in folder: %s)\n",
               registry_built_in_folder() ? registry_built_in_folder() : "not found");
        return 0;
    }
    printf("%-24s %-10s %-9s %s\n", "name", "version", "source", "folder");
    for (size_t index = 0; index < registry->count; index++) {
        const struct registry_entry *entry = &registry->entries[index];
        printf("%-24s %-10s %-9s %s\n", entry->name, entry->version ? entry->version : "?",
               entry->built_in ? "built-in" : "path", entry->folder);
    }
    return 0;
}

static void print_problems(const struct package_problems *problems)
{
    for (size_t index = 0; index < problems->count; index++)
        printf("  error: %s\n", problems->messages[index]);
}

static int bench_show(const char *folder)
{
    struct package *package = NULL;
    struct package_problems problems = {0};
    int status = package_load(folder, &package, &problems);
    if (package == NULL || status != ASSAY_OK) {
        fprintf(stderr, "assay bench show: %s does not load (%zu problems; run `assay bench check`)\n",
                folder, problems.count);
        if (problems.count > 0)
            fprintf(stderr, "  first: %s\n", problems.messages[0]);
        package_problems_free(&problems);
        package_free(package);
        return 1;
    }
    printf("package     %s %s (%s)\n", package->name, package->version, package->licence);
    printf("description %s\n", package->description);
    printf("authors    ");
    for (size_t index = 0; index < package->authors.count; index++)
        printf(" %s%s", package->authors.items[index], index + 1 < package->authors.count ? "," : "");
    printf("\nbenchmark   %s %s: %s\n", package->benchmark_id, package->benchmark_version,
           package->benchmark_description);
    printf("folder      %s\ncontent     sha256:%s\n", package->folder, package->content_hash);
    printf("tasks       %zu\n", package->task_count);
    printf("splits      all (%zu)", package->task_count);
    for (size_t index = 0; index < package->split_count; index++)
        printf(", %s (%zu)", package->splits[index].name, package->splits[index].task_ids.count);
    printf("\n");
    /* capability tags with counts, in first-seen order */
    printf("tags       ");
    for (size_t index = 0; index < package->task_count; index++)
        for (size_t tag = 0; tag < package->tasks[index].tags.count; tag++) {
            const char *name = package->tasks[index].tags.items[tag];
            int seen = 0;
            for (size_t before = 0; before <= index && !seen; before++)
                for (size_t other = 0; other < package->tasks[before].tags.count; other++) {
                    if (before == index && other >= tag)
                        break;
                    if (strcmp(package->tasks[before].tags.items[other], name) == 0) {
                        seen = 1;
                        break;
                    }
                }
            if (seen)
                continue;
            size_t count = 0;
            for (size_t other = 0; other < package->task_count; other++)
                count += string_list_contains(&package->tasks[other].tags, name);
            printf(" %s (%zu)", name, count);
        }
    printf("\n");
    package_problems_free(&problems);
    package_free(package);
    return 0;
}

static int bench_check(const char *folder, int built_in)
{
    struct package *package = NULL;
    struct package_problems problems = {0};
    int loaded = package_load(folder, &package, &problems);
    struct package_check_summary summary = {0};
    if (loaded == ASSAY_OK)
        package_check(package, built_in, &summary, &problems);
    printf("compliance report for %s\n", folder);
    size_t with_reference = 0;
    if (package != NULL) {
        printf("  package   %s %s, format %d\n", package->name ? package->name : "?",
               package->version ? package->version : "?", PACKAGE_FORMAT_VERSION);
        printf("  tasks     %zu\n", package->task_count);
        for (size_t index = 0; index < package->task_count; index++)
            with_reference += package->tasks[index].reference != NULL;
        printf("  reference solutions  %zu of %zu tasks\n", with_reference, package->task_count);
    }
    if (loaded == ASSAY_OK) {
        printf("  replayed  %zu reference solutions, %zu scored 1.0\n", summary.references_replayed,
               summary.references_perfect);
        printf("  empty     %zu of %zu tasks score below their reference when the agent does nothing\n",
               summary.empty_below_reference, summary.tasks);
    } else {
        printf("  (replays skipped: the package does not load)\n");
    }
    print_problems(&problems);
    int ok = problems.count == 0 && package != NULL;
    printf("%s: %zu problem%s\n", ok ? "PASS" : "FAIL", problems.count,
           problems.count == 1 ? "" : "s");
    package_problems_free(&problems);
    package_free(package);
    return ok ? 0 : 1;
}

int command_bench(int argc, char **argv)
{
    const char *search_path = NULL;
    static const struct option options[] = {
        {"path", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    optind = 1;
    int option;
    while ((option = getopt_long(argc, argv, "+p:h", options, NULL)) != -1) {
        if (option == 'p') {
            search_path = optarg;
        } else if (option == 'h') {
            fputs(usage, stdout);
            return 0;
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return 2;
    }
    const char *action = argv[optind++];
    /* options may also follow the subcommand */
    const char *package_argument = NULL;
    for (int index = optind; index < argc; index++) {
        if (strcmp(argv[index], "--path") == 0 && index + 1 < argc) {
            search_path = argv[++index];
        } else if (strncmp(argv[index], "--path=", 7) == 0) {
            search_path = argv[index] + 7;
        } else if (strcmp(argv[index], "--help") == 0 || strcmp(argv[index], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (package_argument == NULL && argv[index][0] != '-') {
            package_argument = argv[index];
        } else {
            fprintf(stderr, "assay bench: unexpected argument '%s'\n", argv[index]);
            return 2;
        }
    }
    struct registry registry;
    if (registry_scan(search_path, &registry) != ASSAY_OK) {
        fprintf(stderr, "assay bench: cannot scan the package folders\n");
        return 1;
    }
    int result = 2;
    if (strcmp(action, "list") == 0) {
        result = bench_list(&registry);
    } else if (strcmp(action, "show") == 0 || strcmp(action, "check") == 0) {
        if (package_argument == NULL) {
            fprintf(stderr, "assay bench %s: name a package (see `assay bench list`)\n", action);
        } else {
            struct assay_error error = {0};
            char *folder = registry_resolve(&registry, package_argument, &error);
            if (folder == NULL) {
                fprintf(stderr, "assay bench %s: %s\n", action, error.message);
                result = 1;
            } else {
                int built_in = 0;
                for (size_t index = 0; index < registry.count; index++)
                    built_in |= registry.entries[index].built_in &&
                                strcmp(registry.entries[index].folder, folder) == 0;
                result = strcmp(action, "show") == 0 ? bench_show(folder) : bench_check(folder, built_in);
            }
            assay_free(folder);
        }
    } else {
        fprintf(stderr, "assay bench: unknown action '%s' (list, show or check)\n", action);
    }
    registry_free(&registry);
    return result;
}
