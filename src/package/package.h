/* package.h — benchmark packages: manifest, benchmark and tasks loaded from
 * a folder and validated (docs/benchmark-format.md).
 *
 * Loading collects every problem it finds (a compliance report should list
 * them all, not stop at the first) into struct package_problems; each names
 * file, line and field. package_load() fails with ASSAY_ERR_INVALID when
 * there was any problem, but still returns the problems.
 *
 * Ownership: a struct package owns everything it points to, including the
 * json_t values (borrowed by callers for the package's lifetime).
 */
#ifndef ASSAY_PACKAGE_PACKAGE_H
#define ASSAY_PACKAGE_PACKAGE_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"

#define PACKAGE_FORMAT_VERSION 1

struct package_problems {
    char **messages;
    size_t count;
};
void package_problems_add(struct package_problems *problems, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void package_problems_free(struct package_problems *problems);

struct string_list {
    char **items;
    size_t count;
};
int string_list_contains(const struct string_list *list, const char *text);

struct task {
    char *id;
    char *instruction;
    char *environment;          /* built-in environment name */
    long long seed;
    json_t *environment_state;  /* overrides; NULL when none */
    struct string_list tools;
    double budget_seconds;      /* 0: none */
    long budget_steps;          /* 0: none */
    json_t *evaluators;         /* the specification (docs/evaluators.md) */
    struct string_list tags;
    char *family;               /* NULL when none */
    double human_minutes;       /* < 0 when unknown */
    json_t *reference;          /* {actions, answer} or NULL */
    struct string_list subtasks;
    json_t *safety;             /* NULL when none */
    char *file;                 /* where it was defined, for messages */
    int line;
};

struct split {
    char *name;
    struct string_list task_ids;
};

struct package {
    char *folder;
    char *name;
    char *version;
    char *description;
    char *licence;
    struct string_list authors;
    struct string_list resources;
    char *benchmark_id;
    char *benchmark_version;
    char *benchmark_description;
    struct string_list metrics;
    struct split *splits;
    size_t split_count;
    struct task *tasks;
    size_t task_count;
    char content_hash[65]; /* hex SHA-256 of the folder's files */
};

int package_load(const char *folder, struct package **out, struct package_problems *problems);
void package_free(struct package *package);

const struct task *package_find_task(const struct package *package, const char *id);
/* NULL when the package has no such split; "all" always exists (returns NULL
 * and sets *all = 1). */
const struct split *package_find_split(const struct package *package, const char *name, int *all);

/* SHA-256 over the folder's regular files (docs/benchmark-format.md). */
int package_content_hash(const char *folder, char out[65], struct assay_error *error);

#endif
