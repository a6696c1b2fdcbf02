/* status.h — the one status convention of assay.
 *
 * Every fallible function returns 0 (ASSAY_OK) or one of the negative codes
 * below. assay_strerror() turns a code into a sentence. Functions that also
 * need to explain *which* input was wrong take a `struct assay_error *` and
 * fill its message; the code still says what kind of failure it was.
 */
#ifndef ASSAY_CORE_STATUS_H
#define ASSAY_CORE_STATUS_H

#include <stddef.h>

enum assay_status {
    ASSAY_OK = 0,
    ASSAY_ERR_NOMEM = -1,       /* an allocation failed */
    ASSAY_ERR_INVALID = -2,     /* the caller's input is malformed */
    ASSAY_ERR_IO = -3,          /* a system call or socket failed */
    ASSAY_ERR_TIMEOUT = -4,     /* a deadline passed */
    ASSAY_ERR_PROTOCOL = -5,    /* the peer broke the protocol */
    ASSAY_ERR_NOT_FOUND = -6,   /* the named thing does not exist */
    ASSAY_ERR_LIMIT = -7,       /* a configured limit was exceeded */
    ASSAY_ERR_CANCELED = -8,    /* the operation was cancelled */
    ASSAY_ERR_UNSUPPORTED = -9, /* valid, but not supported here */
    ASSAY_ERR_HTTP = -10,       /* the peer answered with an HTTP error */
    ASSAY_ERR_STATE = -11,      /* not allowed in the current state */
    ASSAY_ERR_REMOTE = -12,     /* the peer answered with a JSON-RPC error */
};

const char *assay_strerror(int status);

/* A status plus a sentence for the user. Fixed size so that filling it never
 * allocates (it is used on out-of-memory paths too). */
struct assay_error {
    int status;
    char message[256];
};

/* Sets error->status and formats error->message; returns status so callers
 * can write `return assay_error_set(error, ASSAY_ERR_INVALID, "...")`.
 * A NULL error is allowed and ignored. */
int assay_error_set(struct assay_error *error, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
