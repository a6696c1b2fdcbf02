/* log.h — diagnostics on stderr (stdout belongs to results and, for MCP over
 * stdio, to the protocol). Thread-safe: each line is one fprintf call. */
#ifndef ASSAY_CORE_LOG_H
#define ASSAY_CORE_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARNING = 2, LOG_ERROR = 3, LOG_SILENT = 4 };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_message(enum log_level level, const char *format, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_message(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_message(LOG_INFO, __VA_ARGS__)
#define log_warning(...) log_message(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_message(LOG_ERROR, __VA_ARGS__)

#endif
