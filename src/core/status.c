/* status.c — sentences for status codes. */
#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>

const char *assay_strerror(int status)
{
    switch (status) {
    case ASSAY_OK: return "success";
    case ASSAY_ERR_NOMEM: return "out of memory";
    case ASSAY_ERR_INVALID: return "invalid input";
    case ASSAY_ERR_IO: return "input/output error";
    case ASSAY_ERR_TIMEOUT: return "timed out";
    case ASSAY_ERR_PROTOCOL: return "protocol violation by the peer";
    case ASSAY_ERR_NOT_FOUND: return "not found";
    case ASSAY_ERR_LIMIT: return "limit exceeded";
    case ASSAY_ERR_CANCELED: return "cancelled";
    case ASSAY_ERR_UNSUPPORTED: return "not supported";
    case ASSAY_ERR_HTTP: return "HTTP error from the peer";
    case ASSAY_ERR_STATE: return "not allowed in the current state";
    case ASSAY_ERR_REMOTE: return "error reported by the peer";
    default: return "unknown error";
    }
}

int assay_error_set(struct assay_error *error, int status, const char *format, ...)
{
    if (error == NULL)
        return status;
    error->status = status;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error->message, sizeof error->message, format, arguments);
    va_end(arguments);
    return status;
}
