/* sha256.c — one-shot SHA-256 in hex. */
#include "core/sha256.h"

#include <openssl/evp.h>
#include <stdio.h>

void assay_sha256_hex(const void *bytes, size_t length, char out[65])
{
    unsigned char digest[32];
    unsigned int digest_length = 0;
    out[0] = '\0';
    if (EVP_Digest(bytes, length, digest, &digest_length, EVP_sha256(), NULL) != 1)
        return;
    for (unsigned int index = 0; index < digest_length; index++)
        snprintf(out + index * 2, 3, "%02x", digest[index]);
}
