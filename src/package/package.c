/* package.c — loading and validating a benchmark package folder.
 *
 * Validation walks each document with a small set of typed accessors that
 * record a problem (file, line, field) and carry on, so one run of
 * `assay bench check` reports everything that is wrong. */
#include "package/package.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buffer.h"
#include "core/memory.h"
#include "package/document.h"

#define PACKAGE_MANIFEST "assay-package.yaml"

/* ---- problems and small lists ------------------------------------------- */

void package_problems_add(struct package_problems *problems, const char *format, ...)
{
    if (problems == NULL)
        return;
    struct buffer text = {0};
    va_list arguments;
    va_start(arguments, format);
    int status = buffer_append_vformat(&text, format, arguments);
    va_end(arguments);
    char **messages =
        status == ASSAY_OK
            ? assay_realloc(problems->messages, (problems->count + 1) * sizeof *messages)
            : NULL;
    if (messages == NULL) {
        buffer_free(&text);
        return;
    }
    problems->messages = messages;
    problems->messages[problems->count++] = buffer_detach(&text);
}

void package_problems_free(struct package_problems *problems)
{
    if (problems == NULL)
        return;
    for (size_t index = 0; index < problems->count; index++)
        assay_free(problems->messages[index]);
    assay_free(problems->messages);
    problems->messages = NULL;
    problems->count = 0;
}

static void string_list_free(struct string_list *list)
{
    for (size_t index = 0; index < list->count; index++)
        assay_free(list->items[index]);
    assay_free(list->items);
    list->items = NULL;
    list->count = 0;
}

int string_list_contains(const struct string_list *list, const char *text)
{
    for (size_t index = 0; index < list->count; index++)
        if (strcmp(list->items[index], text) == 0)
            return 1;
    return 0;
}

/* ---- typed field access with problems ------------------------------------ */

struct reader {
    const struct document *document;
    struct package_problems *problems;
};

static void problem_at(const struct reader *reader, const json_t *node, const char *field,
                       const char *format, ...) __attribute__((format(printf, 4, 5)));

static void problem_at(const struct reader *reader, const json_t *node, const char *field,
                       const char *format, ...)
{
    char message[256];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    int line = document_line_of(reader->document, node, NULL);
    if (line > 0)
        package_problems_add(reader->problems, "%s:%d: %s: %s", document_name(reader->document),
                             line, field, message);
    else
        package_problems_add(reader->problems, "%s: %s: %s", document_name(reader->document),
                             field, message);
}

static char *read_string(const struct reader *reader, const json_t *object, const char *key,
                         const char *path, int required)
{
    char field[160];
    snprintf(field, sizeof field, "%s%s", path, key);
    json_t *value = json_object_get(object, key);
    if (value == NULL) {
        if (required)
            problem_at(reader, object, field, "missing (required)");
        return NULL;
    }
    if (!json_is_string(value) || json_string_length(value) == 0) {
        problem_at(reader, value, field, "must be a non-empty string");
        return NULL;
    }
    return assay_strdup(json_string_value(value));
}

static int identifier_is_valid(const char *text, int allow_upper_and_dots)
{
    if (*text == '\0')
        return 0;
    for (; *text != '\0'; text++) {
        unsigned char character = (unsigned char)*text;
        int ok = (character >= 'a' && character <= 'z') || isdigit(character) || character == '-' ||
                 (allow_upper_and_dots &&
                  ((character >= 'A' && character <= 'Z') || character == '.' || character == '_'));
        if (!ok)
            return 0;
    }
    return 1;
}

static void read_string_list(const struct reader *reader, const json_t *object, const char *key,
                             const char *path, int required, struct string_list *out)
{
    char field[160];
    snprintf(field, sizeof field, "%s%s", path, key);
    json_t *value = json_object_get(object, key);
    if (value == NULL) {
        if (required)
            problem_at(reader, object, field, "missing (required)");
        return;
    }
    if (!json_is_array(value)) {
        problem_at(reader, value, field, "must be a list of strings");
        return;
    }
    out->items = assay_calloc(json_array_size(value) + 1, sizeof *out->items);
    if (out->items == NULL)
        return;
    size_t index;
    json_t *item;
    json_array_foreach(value, index, item)
    {
        if (!json_is_string(item) || json_string_length(item) == 0) {
            problem_at(reader, item, field, "item %zu must be a non-empty string", index);
            continue;
        }
        out->items[out->count++] = assay_strdup(json_string_value(item));
    }
}

static double read_positive_number(const struct reader *reader, const json_t *object,
                                   const char *key, const char *path, double absent)
{
    json_t *value = json_object_get(object, key);
    if (value == NULL)
        return absent;
    char field[160];
    snprintf(field, sizeof field, "%s%s", path, key);
    if (!json_is_number(value) || json_number_value(value) <= 0) {
        problem_at(reader, value, field, "must be a positive number");
        return absent;
    }
    return json_number_value(value);
}

static void reject_unknown_fields(const struct reader *reader, const json_t *object,
                                  const char *path, const char *const *known)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)object, key, value)
    {
        int found = 0;
        for (const char *const *name = known; *name != NULL && !found; name++)
            found = strcmp(*name, key) == 0;
        if (!found) {
            char field[160];
            snprintf(field, sizeof field, "%s%s", path, key);
            problem_at(reader, value, field, "unknown field (a typo?)");
        }
    }
}

/* ---- tasks -------------------------------------------------------------- */

static void task_free(struct task *task)
{
    assay_free(task->id);
    assay_free(task->instruction);
    assay_free(task->environment);
    json_decref(task->environment_state);
    string_list_free(&task->tools);
    json_decref(task->evaluators);
    string_list_free(&task->tags);
    assay_free(task->family);
    json_decref(task->reference);
    string_list_free(&task->subtasks);
    json_decref(task->safety);
    assay_free(task->file);
}

static void read_budgets(const struct reader *reader, const json_t *budgets, const char *path,
                         double *seconds, long *steps)
{
    if (budgets == NULL)
        return;
    if (!json_is_object(budgets)) {
        problem_at(reader, budgets, path, "must be a mapping with seconds and steps");
        return;
    }
    static const char *const known[] = {"seconds", "steps", NULL};
    char prefix[200];
    snprintf(prefix, sizeof prefix, "%s.", path);
    reject_unknown_fields(reader, budgets, prefix, known);
    *seconds = read_positive_number(reader, budgets, "seconds", prefix, *seconds);
    json_t *step_value = json_object_get(budgets, "steps");
    if (step_value != NULL) {
        if (!json_is_integer(step_value) || json_integer_value(step_value) <= 0) {
            char field[260];
            snprintf(field, sizeof field, "%ssteps", prefix);
            problem_at(reader, step_value, field, "must be a positive integer");
        } else {
            *steps = (long)json_integer_value(step_value);
        }
    }
}

static void read_task(const struct reader *reader, const json_t *object, const char *path,
                      const json_t *defaults, struct task *task)
{
    static const char *const known[] = {
        "id",   "instruction", "environment", "tools",     "budgets", "evaluators", "tags",
        "family", "human_minutes", "reference", "subtasks", "safety", NULL};
    task->file = assay_strdup(document_name(reader->document));
    task->line = document_line_of(reader->document, object, NULL);
    task->human_minutes = -1;
    if (!json_is_object(object)) {
        problem_at(reader, object, path, "a task must be a mapping");
        return;
    }
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s.", path);
    reject_unknown_fields(reader, object, prefix, known);
    task->id = read_string(reader, object, "id", prefix, 1);
    if (task->id != NULL && !identifier_is_valid(task->id, 1))
        problem_at(reader, json_object_get(object, "id"), "id",
                   "'%s' may use only letters, digits, '.', '_' and '-'", task->id);
    task->instruction = read_string(reader, object, "instruction", prefix, 1);

    json_t *environment = json_object_get(object, "environment");
    char field[160];
    snprintf(field, sizeof field, "%senvironment", prefix);
    if (environment == NULL) {
        problem_at(reader, object, field, "missing (required)");
    } else if (!json_is_object(environment)) {
        problem_at(reader, environment, field, "must be a mapping with name, seed and state");
    } else {
        static const char *const environment_fields[] = {"name", "seed", "state", NULL};
        char environment_prefix[170];
        snprintf(environment_prefix, sizeof environment_prefix, "%s.", field);
        reject_unknown_fields(reader, environment, environment_prefix, environment_fields);
        task->environment = read_string(reader, environment, "name", environment_prefix, 1);
        json_t *seed = json_object_get(environment, "seed");
        if (seed != NULL && !json_is_integer(seed)) {
            char seed_field[200];
            snprintf(seed_field, sizeof seed_field, "%sseed", environment_prefix);
            problem_at(reader, seed, seed_field, "must be an integer");
        }
        task->seed = json_is_integer(seed) ? json_integer_value(seed) : 0;
        json_t *state = json_object_get(environment, "state");
        if (state != NULL && !json_is_object(state))
            problem_at(reader, state, field, "state must be a mapping");
        else if (state != NULL)
            task->environment_state = json_incref(state);
    }

    read_string_list(reader, object, "tools", prefix, 1, &task->tools);
    read_string_list(reader, object, "tags", prefix, 1, &task->tags);
    read_string_list(reader, object, "subtasks", prefix, 0, &task->subtasks);
    if (task->tags.count == 0 && json_object_get(object, "tags") != NULL)
        problem_at(reader, json_object_get(object, "tags"), "tags",
                   "needs at least one capability tag");
    task->family = read_string(reader, object, "family", prefix, 0);
    task->human_minutes = read_positive_number(reader, object, "human_minutes", prefix, -1);

    json_t *default_budgets = defaults != NULL ? json_object_get(defaults, "budgets") : NULL;
    snprintf(field, sizeof field, "%sbudgets", prefix);
    if (default_budgets != NULL && json_is_object(default_budgets)) {
        json_t *seconds = json_object_get(default_budgets, "seconds");
        json_t *steps = json_object_get(default_budgets, "steps");
        if (json_is_number(seconds))
            task->budget_seconds = json_number_value(seconds);
        if (json_is_integer(steps))
            task->budget_steps = (long)json_integer_value(steps);
    }
    read_budgets(reader, json_object_get(object, "budgets"), field, &task->budget_seconds,
                 &task->budget_steps);

    json_t *evaluators = json_object_get(object, "evaluators");
    snprintf(field, sizeof field, "%sevaluators", prefix);
    if (evaluators == NULL)
        problem_at(reader, object, field, "missing (required): a task must say how it is judged");
    else if (!json_is_object(evaluators))
        problem_at(reader, evaluators, field, "must be a mapping (see docs/evaluators.md)");
    else
        task->evaluators = json_incref(evaluators);

    json_t *reference = json_object_get(object, "reference");
    if (reference != NULL) {
        snprintf(field, sizeof field, "%sreference", prefix);
        json_t *actions = json_object_get(reference, "actions");
        if (!json_is_object(reference)) {
            problem_at(reader, reference, field, "must be a mapping with actions and answer");
        } else if (actions != NULL && !json_is_array(actions)) {
            problem_at(reader, actions, "reference.actions", "must be a list of {tool, arguments}");
        } else {
            size_t index;
            json_t *action;
            json_array_foreach(actions, index, action)
            {
                const char *tool = json_string_value(json_object_get(action, "tool"));
                if (tool == NULL) {
                    problem_at(reader, action, "reference.actions", "action %zu has no tool", index);
                } else if (task->tools.count > 0 && !string_list_contains(&task->tools, tool) &&
                           strcmp(tool, "answer") != 0) {
                    problem_at(reader, action, "reference.actions",
                               "action %zu uses tool '%s', which the task does not offer", index,
                               tool);
                }
                json_t *arguments = json_object_get(action, "arguments");
                if (arguments != NULL && !json_is_object(arguments))
                    problem_at(reader, arguments, "reference.actions",
                               "action %zu: arguments must be a mapping", index);
            }
            json_t *answer = json_object_get(reference, "answer");
            if (answer != NULL && !json_is_string(answer))
                problem_at(reader, answer, "reference.answer", "must be a string");
            task->reference = json_incref(reference);
        }
    }
    json_t *safety = json_object_get(object, "safety");
    if (safety != NULL) {
        if (!json_is_object(safety))
            problem_at(reader, safety, "safety", "must be a mapping with harm and protected_attributes");
        else
            task->safety = json_incref(safety);
    }
}

static int append_task(struct package *package, struct task *task)
{
    struct task *tasks = assay_realloc(package->tasks, (package->task_count + 1) * sizeof *tasks);
    if (tasks == NULL)
        return ASSAY_ERR_NOMEM;
    package->tasks = tasks;
    package->tasks[package->task_count++] = *task;
    return ASSAY_OK;
}

static void load_task_file(struct package *package, const char *relative, const json_t *defaults,
                           struct package_problems *problems)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", package->folder, relative);
    struct document *document = NULL;
    struct assay_error error = {0};
    if (document_load(path, &document, &error) != ASSAY_OK) {
        package_problems_add(problems, "%s", error.message);
        return;
    }
    struct reader reader = {document, problems};
    json_t *root = document_root(document);
    if (json_is_object(root) && json_object_get(root, "tasks") != NULL)
        root = json_object_get(root, "tasks");
    if (json_is_object(root)) {
        struct task task = {0};
        read_task(&reader, root, "task", defaults, &task);
        if (append_task(package, &task) != ASSAY_OK)
            task_free(&task);
    } else if (json_is_array(root)) {
        size_t index;
        json_t *item;
        json_array_foreach(root, index, item)
        {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "tasks[%zu]", index);
            struct task task = {0};
            read_task(&reader, item, prefix, defaults, &task);
            if (append_task(package, &task) != ASSAY_OK)
                task_free(&task);
        }
    } else {
        problem_at(&reader, root, "task", "a task file holds a task mapping or a list of tasks");
    }
    document_free(document);
}

/* ---- cross-references -------------------------------------------------- */

const struct task *package_find_task(const struct package *package, const char *id)
{
    for (size_t index = 0; index < package->task_count; index++)
        if (package->tasks[index].id != NULL && strcmp(package->tasks[index].id, id) == 0)
            return &package->tasks[index];
    return NULL;
}

const struct split *package_find_split(const struct package *package, const char *name, int *all)
{
    if (all != NULL)
        *all = strcmp(name, "all") == 0;
    for (size_t index = 0; index < package->split_count; index++)
        if (strcmp(package->splits[index].name, name) == 0)
            return &package->splits[index];
    return NULL;
}

static void check_references(const struct package *package, struct package_problems *problems)
{
    for (size_t index = 0; index < package->task_count; index++) {
        const struct task *task = &package->tasks[index];
        if (task->id == NULL)
            continue;
        for (size_t other = 0; other < index; other++)
            if (package->tasks[other].id != NULL && strcmp(package->tasks[other].id, task->id) == 0)
                package_problems_add(problems,
                                     "%s:%d: id: duplicate task id '%s' (first defined at %s:%d)",
                                     task->file, task->line, task->id, package->tasks[other].file,
                                     package->tasks[other].line);
        for (size_t sub = 0; sub < task->subtasks.count; sub++) {
            const char *subtask = task->subtasks.items[sub];
            if (package_find_task(package, subtask) == NULL)
                package_problems_add(problems, "%s:%d: subtasks: '%s' is not a task of this benchmark",
                                     task->file, task->line, subtask);
            else if (strcmp(subtask, task->id) == 0)
                package_problems_add(problems, "%s:%d: subtasks: a task cannot be its own subtask",
                                     task->file, task->line);
        }
    }
    for (size_t index = 0; index < package->split_count; index++)
        for (size_t item = 0; item < package->splits[index].task_ids.count; item++)
            if (package_find_task(package, package->splits[index].task_ids.items[item]) == NULL)
                package_problems_add(problems, "splits.%s: '%s' is not a task of this benchmark",
                                     package->splits[index].name,
                                     package->splits[index].task_ids.items[item]);
}

/* ---- the package ---------------------------------------------------------- */

static int file_exists(const char *folder, const char *relative)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", folder, relative);
    struct stat info;
    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

static int path_is_inside(const char *relative)
{
    /* package files may not escape the folder */
    return relative[0] != '/' && strstr(relative, "..") == NULL;
}

static void load_benchmark(struct package *package, const char *relative,
                           struct package_problems *problems)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", package->folder, relative);
    struct document *document = NULL;
    struct assay_error error = {0};
    if (document_load(path, &document, &error) != ASSAY_OK) {
        package_problems_add(problems, "%s", error.message);
        return;
    }
    struct reader reader = {document, problems};
    json_t *root = document_root(document);
    if (!json_is_object(root)) {
        problem_at(&reader, root, "benchmark", "must be a mapping");
        document_free(document);
        return;
    }
    static const char *const known[] = {"id",     "version",  "description", "tasks",
                                        "splits", "defaults", "metrics",     NULL};
    reject_unknown_fields(&reader, root, "", known);
    package->benchmark_id = read_string(&reader, root, "id", "", 1);
    package->benchmark_version = read_string(&reader, root, "version", "", 1);
    package->benchmark_description = read_string(&reader, root, "description", "", 1);
    read_string_list(&reader, root, "metrics", "", 0, &package->metrics);
    json_t *defaults = json_object_get(root, "defaults");
    if (defaults != NULL && !json_is_object(defaults)) {
        problem_at(&reader, defaults, "defaults", "must be a mapping");
        defaults = NULL;
    }
    struct string_list task_files = {0};
    read_string_list(&reader, root, "tasks", "", 1, &task_files);
    for (size_t index = 0; index < task_files.count; index++) {
        const char *file = task_files.items[index];
        if (!path_is_inside(file) || !file_exists(package->folder, file))
            problem_at(&reader, json_array_get(json_object_get(root, "tasks"), index), "tasks",
                       "'%s' is not a file inside the package", file);
        else
            load_task_file(package, file, defaults, problems);
    }
    string_list_free(&task_files);

    json_t *splits = json_object_get(root, "splits");
    if (splits != NULL && !json_is_object(splits)) {
        problem_at(&reader, splits, "splits", "must map split names to lists of task ids");
    } else if (splits != NULL) {
        package->splits = assay_calloc(json_object_size(splits) + 1, sizeof *package->splits);
        const char *name;
        json_t *ids;
        json_object_foreach(splits, name, ids)
        {
            if (package->splits == NULL)
                break;
            struct split *split = &package->splits[package->split_count++];
            split->name = assay_strdup(name);
            json_t *holder = json_pack("{s:O}", "ids", ids);
            struct reader split_reader = reader;
            char prefix[128];
            snprintf(prefix, sizeof prefix, "splits.%s", name);
            if (!json_is_array(ids))
                problem_at(&reader, ids, prefix, "must be a list of task ids");
            else
                read_string_list(&split_reader, holder, "ids", "", 0, &split->task_ids);
            json_decref(holder);
        }
    }
    document_free(document);
}

int package_load(const char *folder, struct package **out, struct package_problems *problems)
{
    *out = NULL;
    struct package *package = assay_calloc(1, sizeof *package);
    if (package == NULL)
        return ASSAY_ERR_NOMEM;
    package->folder = assay_strdup(folder);
    if (package->folder == NULL) {
        assay_free(package);
        return ASSAY_ERR_NOMEM;
    }
    size_t folder_length = strlen(package->folder);
    while (folder_length > 1 && package->folder[folder_length - 1] == '/')
        package->folder[--folder_length] = '\0';
    folder = package->folder;
    size_t before = problems != NULL ? problems->count : 0;

    char path[4096];
    snprintf(path, sizeof path, "%s/%s", folder, PACKAGE_MANIFEST);
    struct document *manifest = NULL;
    struct assay_error error = {0};
    if (document_load(path, &manifest, &error) != ASSAY_OK) {
        package_problems_add(problems, "%s", error.message);
        package_free(package);
        return error.status == ASSAY_ERR_NOT_FOUND ? ASSAY_ERR_NOT_FOUND : ASSAY_ERR_INVALID;
    }
    struct reader reader = {manifest, problems};
    json_t *root = document_root(manifest);
    if (!json_is_object(root)) {
        problem_at(&reader, root, "manifest", "must be a mapping");
    } else {
        static const char *const known[] = {"format",  "name",    "version",   "description",
                                            "licence", "authors", "benchmark", "resources",
                                            NULL};
        reject_unknown_fields(&reader, root, "", known);
        json_t *format = json_object_get(root, "format");
        if (format == NULL)
            problem_at(&reader, root, "format", "missing (required); write `format: 1`");
        else if (!json_is_integer(format) || json_integer_value(format) != PACKAGE_FORMAT_VERSION)
            problem_at(&reader, format, "format", "this assay reads package format %d",
                       PACKAGE_FORMAT_VERSION);
        package->name = read_string(&reader, root, "name", "", 1);
        if (package->name != NULL && !identifier_is_valid(package->name, 0))
            problem_at(&reader, json_object_get(root, "name"), "name",
                       "'%s' may use only a-z, 0-9 and '-'", package->name);
        package->version = read_string(&reader, root, "version", "", 1);
        package->description = read_string(&reader, root, "description", "", 1);
        package->licence = read_string(&reader, root, "licence", "", 1);
        read_string_list(&reader, root, "authors", "", 1, &package->authors);
        read_string_list(&reader, root, "resources", "", 0, &package->resources);
        for (size_t index = 0; index < package->resources.count; index++)
            if (!path_is_inside(package->resources.items[index]) ||
                !file_exists(folder, package->resources.items[index]))
                problem_at(&reader, json_object_get(root, "resources"), "resources",
                           "'%s' is not a file inside the package", package->resources.items[index]);
        char *benchmark = read_string(&reader, root, "benchmark", "", 1);
        if (benchmark != NULL) {
            if (!path_is_inside(benchmark) || !file_exists(folder, benchmark))
                problem_at(&reader, json_object_get(root, "benchmark"), "benchmark",
                           "'%s' is not a file inside the package", benchmark);
            else
                load_benchmark(package, benchmark, problems);
        }
        assay_free(benchmark);
    }
    document_free(manifest);
    check_references(package, problems);
    if (package_content_hash(folder, package->content_hash, &error) != ASSAY_OK)
        package_problems_add(problems, "%s", error.message);
    if (problems != NULL && problems->count > before) {
        *out = package; /* returned for the report, but the load failed */
        return ASSAY_ERR_INVALID;
    }
    *out = package;
    return ASSAY_OK;
}

void package_free(struct package *package)
{
    if (package == NULL)
        return;
    for (size_t index = 0; index < package->task_count; index++)
        task_free(&package->tasks[index]);
    assay_free(package->tasks);
    for (size_t index = 0; index < package->split_count; index++) {
        assay_free(package->splits[index].name);
        string_list_free(&package->splits[index].task_ids);
    }
    assay_free(package->splits);
    string_list_free(&package->authors);
    string_list_free(&package->resources);
    string_list_free(&package->metrics);
    assay_free(package->folder);
    assay_free(package->name);
    assay_free(package->version);
    assay_free(package->description);
    assay_free(package->licence);
    assay_free(package->benchmark_id);
    assay_free(package->benchmark_version);
    assay_free(package->benchmark_description);
    assay_free(package);
}

/* ---- content hash --------------------------------------------------------- */

static int collect_files(const char *root, const char *relative, struct string_list *files)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", root, relative[0] ? "/" : "", relative);
    DIR *directory = opendir(path);
    if (directory == NULL)
        return ASSAY_ERR_IO;
    struct dirent *entry;
    int status = ASSAY_OK;
    while (status == ASSAY_OK && (entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] == '.')
            continue; /* ".", "..", and hidden files (editor swap files, .git) */
        char child[4096];
        snprintf(child, sizeof child, "%s%s%s", relative, relative[0] ? "/" : "", entry->d_name);
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", root, child);
        struct stat info;
        if (stat(full, &info) != 0)
            continue;
        if (S_ISDIR(info.st_mode)) {
            status = collect_files(root, child, files);
        } else if (S_ISREG(info.st_mode)) {
            char **items = assay_realloc(files->items, (files->count + 1) * sizeof *items);
            if (items == NULL) {
                status = ASSAY_ERR_NOMEM;
                break;
            }
            files->items = items;
            files->items[files->count++] = assay_strdup(child);
        }
    }
    closedir(directory);
    return status;
}

static int compare_paths(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

int package_content_hash(const char *folder, char out[65], struct assay_error *error)
{
    struct string_list files = {0};
    out[0] = '\0';
    if (collect_files(folder, "", &files) != ASSAY_OK) {
        string_list_free(&files);
        return assay_error_set(error, ASSAY_ERR_IO, "%s: cannot read the package folder", folder);
    }
    qsort(files.items, files.count, sizeof *files.items, compare_paths);
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    int status = context != NULL && EVP_DigestInit_ex(context, EVP_sha256(), NULL) == 1
                     ? ASSAY_OK
                     : ASSAY_ERR_NOMEM;
    for (size_t index = 0; status == ASSAY_OK && index < files.count; index++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", folder, files.items[index]);
        FILE *stream = fopen(path, "rb");
        if (stream == NULL) {
            status = assay_error_set(error, ASSAY_ERR_IO, "%s: cannot read", path);
            break;
        }
        struct stat info;
        fstat(fileno(stream), &info);
        char header[64];
        int header_length = snprintf(header, sizeof header, "%lld", (long long)info.st_size);
        EVP_DigestUpdate(context, files.items[index], strlen(files.items[index]) + 1);
        EVP_DigestUpdate(context, header, (size_t)header_length + 1);
        char chunk[65536];
        size_t count;
        while ((count = fread(chunk, 1, sizeof chunk, stream)) > 0)
            EVP_DigestUpdate(context, chunk, count);
        fclose(stream);
    }
    if (status == ASSAY_OK) {
        unsigned char digest[32];
        unsigned int length = 0;
        EVP_DigestFinal_ex(context, digest, &length);
        for (unsigned int index = 0; index < length; index++)
            snprintf(out + index * 2, 3, "%02x", digest[index]);
    }
    EVP_MD_CTX_free(context);
    string_list_free(&files);
    return status;
}
