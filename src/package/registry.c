/* registry.c — scanning package folders. */
#include "package/registry.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/memory.h"
#include "package/document.h"

static char built_in_folder[PATH_MAX];

const char *registry_built_in_folder(void)
{
    if (built_in_folder[0] != '\0')
        return built_in_folder;
    const char *home = getenv("ASSAY_HOME");
    char candidate[PATH_MAX + 64];
    struct stat info;
    if (home != NULL) {
        int length = snprintf(candidate, sizeof candidate, "%s/packages", home);
        if (length > 0 && (size_t)length < sizeof built_in_folder && stat(candidate, &info) == 0 &&
            S_ISDIR(info.st_mode)) {
            memcpy(built_in_folder, candidate, (size_t)length + 1);
            return built_in_folder;
        }
    }
    char executable[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (length <= 0)
        return NULL;
    executable[length] = '\0';
    char *slash = strrchr(executable, '/');
    if (slash == NULL)
        return NULL;
    *slash = '\0'; /* the binary's folder */
    static const char *const relatives[] = {"/../packages", "/../share/assay/packages",
                                            "/../../packages", NULL};
    for (const char *const *relative = relatives; *relative != NULL; relative++) {
        snprintf(candidate, sizeof candidate, "%s%s", executable, *relative);
        char resolved[PATH_MAX];
        if (realpath(candidate, resolved) != NULL && stat(resolved, &info) == 0 &&
            S_ISDIR(info.st_mode)) {
            memcpy(built_in_folder, resolved, sizeof built_in_folder);
            return built_in_folder;
        }
    }
    return NULL;
}

static int add_entry(struct registry *registry, const char *folder, int built_in)
{
    char manifest[PATH_MAX + 32];
    int length = snprintf(manifest, sizeof manifest, "%s/assay-package.yaml", folder);
    struct stat info;
    if (length < 0 || (size_t)length >= sizeof manifest || stat(manifest, &info) != 0)
        return ASSAY_OK;
    struct registry_entry *entries =
        assay_realloc(registry->entries, (registry->count + 1) * sizeof *entries);
    if (entries == NULL)
        return ASSAY_ERR_NOMEM;
    registry->entries = entries;
    struct registry_entry *entry = &entries[registry->count++];
    memset(entry, 0, sizeof *entry);
    entry->folder = assay_strdup(folder);
    entry->built_in = built_in;
    struct document *document = NULL;
    if (document_load(manifest, &document, NULL) == ASSAY_OK) {
        const char *name = json_string_value(json_object_get(document_root(document), "name"));
        const char *version = json_string_value(json_object_get(document_root(document), "version"));
        entry->name = name != NULL ? assay_strdup(name) : NULL;
        entry->version = version != NULL ? assay_strdup(version) : NULL;
        document_free(document);
    }
    if (entry->name == NULL) {
        const char *base = strrchr(folder, '/');
        entry->name = assay_strdup(base != NULL ? base + 1 : folder);
    }
    return ASSAY_OK;
}

static int scan_folder(struct registry *registry, const char *folder, int built_in)
{
    DIR *directory = opendir(folder);
    if (directory == NULL)
        return ASSAY_OK; /* a missing search-path folder is not an error */
    struct dirent *entry;
    int status = ASSAY_OK;
    char **names = NULL;
    size_t count = 0;
    while ((entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char **grown = assay_realloc(names, (count + 1) * sizeof *names);
        if (grown == NULL) {
            status = ASSAY_ERR_NOMEM;
            break;
        }
        names = grown;
        names[count++] = assay_strdup(entry->d_name);
    }
    closedir(directory);
    /* a stable order, whatever the file system returns */
    for (size_t index = 1; index < count; index++)
        for (size_t back = index; back > 0 && strcmp(names[back - 1], names[back]) > 0; back--) {
            char *swap = names[back];
            names[back] = names[back - 1];
            names[back - 1] = swap;
        }
    for (size_t index = 0; index < count; index++) {
        char path[PATH_MAX + 256];
        int length = snprintf(path, sizeof path, "%s/%s", folder, names[index]);
        if (length < 0 || (size_t)length >= sizeof path)
            continue; /* a path this long cannot be a package we could open */
        if (status == ASSAY_OK)
            status = add_entry(registry, path, built_in);
        assay_free(names[index]);
    }
    assay_free(names);
    return status;
}

int registry_scan(const char *search_path, struct registry *out)
{
    memset(out, 0, sizeof *out);
    int status = ASSAY_OK;
    const char *built_in = registry_built_in_folder();
    if (built_in != NULL)
        status = scan_folder(out, built_in, 1);
    if (search_path == NULL)
        search_path = getenv("ASSAY_BENCH_PATH");
    if (search_path != NULL && status == ASSAY_OK) {
        char *copy = assay_strdup(search_path);
        char *saved = NULL;
        for (char *folder = strtok_r(copy, ":", &saved); folder != NULL && status == ASSAY_OK;
             folder = strtok_r(NULL, ":", &saved))
            status = scan_folder(out, folder, 0);
        assay_free(copy);
    }
    return status;
}

void registry_free(struct registry *registry)
{
    if (registry == NULL)
        return;
    for (size_t index = 0; index < registry->count; index++) {
        assay_free(registry->entries[index].name);
        assay_free(registry->entries[index].version);
        assay_free(registry->entries[index].folder);
    }
    assay_free(registry->entries);
    memset(registry, 0, sizeof *registry);
}

char *registry_resolve(const struct registry *registry, const char *package,
                       struct assay_error *error)
{
    for (size_t index = 0; index < registry->count; index++)
        if (strcmp(registry->entries[index].name, package) == 0)
            return assay_strdup(registry->entries[index].folder);
    char manifest[PATH_MAX + 32];
    snprintf(manifest, sizeof manifest, "%s/assay-package.yaml", package);
    struct stat info;
    if (stat(manifest, &info) == 0)
        return assay_strdup(package);
    assay_error_set(error, ASSAY_ERR_NOT_FOUND,
                    "no package '%s': not a registered name (see `assay bench list`) and not a "
                    "folder holding assay-package.yaml",
                    package);
    return NULL;
}
