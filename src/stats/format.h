/* format.h — the output formats shared by the statistics reports. */
#ifndef ASSAY_STATS_FORMAT_H
#define ASSAY_STATS_FORMAT_H

enum stats_format {
    STATS_FORMAT_TABLE = 0, /* aligned text for people */
    STATS_FORMAT_JSON = 1,  /* one JSON document */
    STATS_FORMAT_CSV = 2,   /* RFC 4180, header row first */
};

/* "table", "json" or "csv" to the enum: 0, or ASSAY_ERR_INVALID. */
int stats_format_parse(const char *name, enum stats_format *format);

#endif
