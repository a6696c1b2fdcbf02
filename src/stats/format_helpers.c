/* format_helpers.c — CSV and JSON text shared by the statistics outputs. */
#include <math.h>
#include <string.h>

#include "core/status.h"
#include "stats/format.h"
#include "stats/stats_internal.h"


int stats__append_number(struct buffer *out, double value)
{
    if (isnan(value))
        return buffer_append_string(out, "nan");
    if (isinf(value))
        return buffer_append_string(out, value > 0 ? "inf" : "-inf");
    return buffer_append_format(out, "%.10g", value);
}

int stats__json_append_string(struct buffer *out, const char *text)
{
    int status = buffer_append(out, "\"", 1);
    for (const unsigned char *cursor = (const unsigned char *)text;
         status == ASSAY_OK && *cursor != '\0'; cursor++) {
        unsigned char character = *cursor;
        if (character == '"')
            status = buffer_append(out, "\\\"", 2);
        else if (character == '\\')
            status = buffer_append(out, "\\\\", 2);
        else if (character == '\n')
            status = buffer_append(out, "\\n", 2);
        else if (character == '\t')
            status = buffer_append(out, "\\t", 2);
        else if (character == '\r')
            status = buffer_append(out, "\\r", 2);
        else if (character < 0x20)
            status = buffer_append_format(out, "\\u%04x", character);
        else
            status = buffer_append(out, cursor, 1); /* UTF-8 passes through */
    }
    return status == ASSAY_OK ? buffer_append(out, "\"", 1) : status;
}

int stats__json_append_number(struct buffer *out, double value)
{
    if (!isfinite(value))
        return buffer_append_string(out, "null");
    /* 15 significant digits: exact for every figure a fit can support and
     * free of the 0.10000000000000001 noise that %.17g prints. */
    return buffer_append_format(out, "%.15g", value);
}

int stats__write_buffer(const struct buffer *out, FILE *stream)
{
    if (out->length == 0)
        return ASSAY_OK;
    if (fwrite(out->data, 1, out->length, stream) != out->length)
        return ASSAY_ERR_IO;
    return fflush(stream) == 0 ? ASSAY_OK : ASSAY_ERR_IO;
}

int stats_format_parse(const char *name, enum stats_format *format)
{
    static const char *names[] = {"table", "json", "csv"};
    for (int index = 0; index < 3; index++)
        if (strcmp(name, names[index]) == 0) {
            *format = (enum stats_format)index;
            return ASSAY_OK;
        }
    return ASSAY_ERR_INVALID;
}
