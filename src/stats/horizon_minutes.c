/* horizon_minutes.c — reader for human completion times (JSONL). */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"
#include "stats/horizon.h"
#include "stats/stats_internal.h"

struct horizon_minutes {
    struct stats__string_table tasks;
    double *values; /* values[i] is the time of tasks.strings[i] */
    size_t *lines;  /* the line each task came from, for duplicate messages */
    size_t capacity;
};

void horizon_minutes_free(struct horizon_minutes *minutes)
{
    if (minutes == NULL)
        return;
    stats__string_table_free(&minutes->tasks);
    assay_free(minutes->values);
    assay_free(minutes->lines);
    assay_free(minutes);
}

size_t horizon_minutes_count(const struct horizon_minutes *minutes)
{
    return minutes->tasks.count;
}

int horizon_minutes_lookup(const struct horizon_minutes *minutes, const char *task_id,
                           double *value)
{
    uint32_t index;
    int status = stats__string_table_find(&minutes->tasks, task_id, &index);
    if (status == ASSAY_OK)
        *value = minutes->values[index];
    return status;
}

struct reader {
    const char *name;
    size_t line_number;
    int skip_nonpositive;
    struct horizon_minutes *minutes;
    struct horizon_minutes_report report;
    struct assay_error *error;
};

static int add_time(struct reader *reader, const char *task_id, double value)
{
    struct horizon_minutes *minutes = reader->minutes;
    uint32_t index;
    int added;
    int status =
        stats__string_table_intern(&minutes->tasks, task_id, strlen(task_id), &index, &added);
    if (status != ASSAY_OK)
        return status;
    if (!added)
        return assay_error_set(reader->error, ASSAY_ERR_INVALID,
                               "%s:%zu: task \"%.80s\" already has a time on line %zu",
                               reader->name, reader->line_number, task_id, minutes->lines[index]);
    if (index >= minutes->capacity) {
        size_t capacity = minutes->capacity == 0 ? 256 : minutes->capacity * 2;
        double *values = assay_realloc(minutes->values, capacity * sizeof *values);
        if (values == NULL)
            return ASSAY_ERR_NOMEM;
        minutes->values = values;
        size_t *lines = assay_realloc(minutes->lines, capacity * sizeof *lines);
        if (lines == NULL)
            return ASSAY_ERR_NOMEM;
        minutes->lines = lines;
        minutes->capacity = capacity;
    }
    minutes->values[index] = value;
    minutes->lines[index] = reader->line_number;
    return ASSAY_OK;
}

static int read_line(void *context, const char *line, size_t length, size_t line_number)
{
    struct reader *reader = context;
    reader->line_number = line_number;
    if (stats__line_is_blank(line, length)) {
        reader->report.blank_lines++;
        return ASSAY_OK;
    }
    const char *name = reader->name;
    size_t number = line_number;
    json_t *root = NULL;
    int parsed = stats__parse_json_line(line, length, name, number, "{\"task_id\": \"...\", \"human_minutes\": 12.5}", &root, reader->error);
    if (parsed != ASSAY_OK)
        return parsed;
    int status = ASSAY_OK;
    const json_t *task = json_object_get(root, "task_id");
    const json_t *value = json_object_get(root, "human_minutes");
    if (!json_is_object(root)) {
        status = assay_error_set(reader->error, ASSAY_ERR_INVALID,
                                 "%s:%zu: expected a JSON object {\"task_id\": \"...\", "
                                 "\"human_minutes\": 12.5}",
                                 name, number);
    } else if (!json_is_string(task) || json_string_value(task)[0] == '\0') {
        status = assay_error_set(reader->error, ASSAY_ERR_INVALID,
                                 "%s:%zu: \"task_id\" must be a non-empty string", name, number);
    } else if (!json_is_number(value)) {
        status = assay_error_set(reader->error, ASSAY_ERR_INVALID,
                                 "%s:%zu: task \"%.80s\": \"human_minutes\" must be a number", name,
                                 number, json_string_value(task));
    } else if (!(json_number_value(value) > 0)) {
        /* ln(0) and ln of a negative time do not exist; a zero usually
         * means "not measured", which is not a time either. */
        if (reader->skip_nonpositive) {
            reader->report.nonpositive_skipped++;
            log_warning("%s:%zu: task \"%.80s\": human_minutes %g is not positive; skipped", name,
                        number, json_string_value(task), json_number_value(value));
        } else {
            status = assay_error_set(
                reader->error, ASSAY_ERR_INVALID,
                "%s:%zu: task \"%.80s\": human_minutes must be positive, got %g (remove the "
                "line, or skip such lines with the skip-nonpositive option)",
                name, number, json_string_value(task), json_number_value(value));
        }
    } else {
        status = add_time(reader, json_string_value(task), json_number_value(value));
        if (status == ASSAY_ERR_NOMEM || status == ASSAY_ERR_LIMIT)
            assay_error_set(reader->error, status, "%s:%zu: %s", name, number,
                            assay_strerror(status));
    }
    json_decref(root);
    return status;
}

int horizon_minutes_read_stream(FILE *stream, const char *name,
                                const struct horizon_minutes_options *options,
                                struct horizon_minutes **result,
                                struct horizon_minutes_report *report, struct assay_error *error)
{
    *result = NULL;
    struct reader reader = {.name = name, .error = error};
    reader.skip_nonpositive = options != NULL && options->skip_nonpositive;
    reader.minutes = assay_calloc(1, sizeof *reader.minutes);
    if (reader.minutes == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "%s: out of memory", name);
    int status = stats__read_lines(stream, name, read_line, &reader, &reader.report.lines, error);
    if (report != NULL)
        *report = reader.report;
    if (status == ASSAY_OK && reader.minutes->tasks.count == 0)
        status = assay_error_set(error, ASSAY_ERR_INVALID,
                                 "%s: no human times found; expected lines like {\"task_id\": "
                                 "\"...\", \"human_minutes\": 12.5}",
                                 name);
    if (status != ASSAY_OK) {
        horizon_minutes_free(reader.minutes);
        return status;
    }
    *result = reader.minutes;
    return ASSAY_OK;
}

int horizon_minutes_read(const char *path, const struct horizon_minutes_options *options,
                         struct horizon_minutes **minutes, struct horizon_minutes_report *report,
                         struct assay_error *error)
{
    *minutes = NULL;
    FILE *stream = fopen(path, "rb");
    if (stream == NULL)
        return assay_error_set(error, errno == ENOENT ? ASSAY_ERR_NOT_FOUND : ASSAY_ERR_IO,
                               "%s: cannot open: %s", path, strerror(errno));
    int status = horizon_minutes_read_stream(stream, path, options, minutes, report, error);
    fclose(stream);
    return status;
}
