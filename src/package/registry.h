/* registry.h — where benchmark packages are found.
 *
 * Built-in packages ship in the `packages/` folder beside the binary's
 * parent (build/assay → packages/, an installed bin/assay →
 * share/assay/packages/). Further folders come from a search path
 * (`--path A:B` or ASSAY_BENCH_PATH): every direct subfolder holding an
 * assay-package.yaml is a package. The registry reads only manifests' names
 * while scanning; full loading is package_load()'s job.
 *
 * Ownership: the registry owns its entries' strings.
 */
#ifndef ASSAY_PACKAGE_REGISTRY_H
#define ASSAY_PACKAGE_REGISTRY_H

#include <stddef.h>

#include "core/status.h"

struct registry_entry {
    char *name;    /* from the manifest, or the folder name if unreadable */
    char *version; /* NULL if unreadable */
    char *folder;
    int built_in;
};

struct registry {
    struct registry_entry *entries;
    size_t count;
};

/* search_path may be NULL (then ASSAY_BENCH_PATH, if set, is used). */
int registry_scan(const char *search_path, struct registry *out);
void registry_free(struct registry *registry);
/* PKG is a registered name or a path to a package folder. Returns a new
 * string (assay_free) or NULL with error filled. */
char *registry_resolve(const struct registry *registry, const char *package,
                       struct assay_error *error);
/* The built-in packages folder, or NULL when it cannot be found. */
const char *registry_built_in_folder(void);

#endif
