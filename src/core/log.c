/* log.c — leveled stderr logging. The level comes from ASSAY_LOG
 * (debug|info|warning|error|silent) or log_set_level(); default warning,
 * so that a user sees problems and nothing else. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int current_level = -1;

static enum log_level level_from_environment(void)
{
    const char *value = getenv("ASSAY_LOG");
    if (value == NULL)
        return LOG_WARNING;
    static const char *names[] = {"debug", "info", "warning", "error", "silent"};
    for (int index = 0; index < 5; index++)
        if (strcmp(value, names[index]) == 0)
            return (enum log_level)index;
    return LOG_WARNING;
}

void log_set_level(enum log_level level) { current_level = (int)level; }

enum log_level log_get_level(void)
{
    if (current_level < 0)
        current_level = (int)level_from_environment();
    return (enum log_level)current_level;
}

void log_message(enum log_level level, const char *format, ...)
{
    if (level < log_get_level())
        return;
    static const char *prefixes[] = {"debug", "info", "warning", "error", ""};
    char line[1024];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(line, sizeof line, format, arguments);
    va_end(arguments);
    fprintf(stderr, "assay: %s: %s\n", prefixes[level], line);
}
