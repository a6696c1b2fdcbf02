/* json_write.h — fast compact JSON serialisation (see json_write.c for why
 * jansson's own encoder is not used on hot paths).
 *
 * Both functions append to a caller-owned buffer and borrow the values. On
 * failure nothing is left half-written by json_write_compact (the buffer is
 * cut back); ASSAY_ERR_LIMIT past 256 levels of nesting. */
#ifndef ASSAY_JSONRPC_JSON_WRITE_H
#define ASSAY_JSONRPC_JSON_WRITE_H

#include <jansson.h>

#include "core/buffer.h"

int json_write_compact(const json_t *value, struct buffer *out);
/* {"jsonrpc":"2.0","id":ID,"MEMBER":VALUE} written around an already built
 * value, so the envelope object is never allocated. id NULL writes null. */
int json_write_response(const json_t *id, const char *member, const json_t *value,
                        struct buffer *out);

#endif
