/* path.c — reading ids and names out of request paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/request.h"

int web_path_id(const char *path, const char *prefix, int64_t *id, const char **rest)
{
    size_t length = strlen(prefix);
    if (strncmp(path, prefix, length) != 0)
        return 0;
    char *end = NULL;
    long long value = strtoll(path + length, &end, 10);
    if (end == path + length || value <= 0 || (*end != '\0' && *end != '/'))
        return 0;
    *id = value;
    *rest = end;
    return 1;
}

int web_path_name(const char *text, char *out, size_t size)
{
    /* libmicrohttpd has already percent-decoded the path: decoding again
     * would turn a name such as "50%25" into something else */
    size_t length = strlen(text);
    if (length == 0 || length >= size || strchr(text, '/') != NULL)
        return -1;
    memcpy(out, text, length + 1);
    return 0;
}
