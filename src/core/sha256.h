/* sha256.h — SHA-256 of a byte string as lower-case hex (OpenSSL's
 * libcrypto does the hashing; nothing hand-rolled). */
#ifndef ASSAY_CORE_SHA256_H
#define ASSAY_CORE_SHA256_H

#include <stddef.h>

/* out receives 64 hex digits and a NUL; "" when libcrypto fails. */
void assay_sha256_hex(const void *bytes, size_t length, char out[65]);

#endif
