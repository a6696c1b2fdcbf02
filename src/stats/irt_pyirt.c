/* irt_pyirt.c — reader for py-irt JSONL response files.
 *
 * The file is read in 64 KiB chunks and parsed a line at a time, so memory
 * is bounded by the longest line plus the matrix, not by the file. Each line
 * goes through jansson with JSON_REJECT_DUPLICATES: a subject listing the
 * same item twice is an error, not a silent "last one wins". */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"
#include "stats/irt_internal.h"

struct reader {
    const char *name;
    size_t line_number;
    struct irt_responses_builder *builder;
    /* Every subject id seen, including skipped empty ones, and its line:
     * a later line repeating a skipped subject is still a duplicate. */
    struct stats__string_table seen;
    size_t *subject_lines;
    size_t subject_lines_capacity;
    size_t response_count;
    struct irt_read_report report;
    struct assay_error *error;
};

static const char *json_type_name(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number with a fraction or exponent";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "an unknown value";
}

static int remember_subject_line(struct reader *reader, size_t subject)
{
    if (subject >= reader->subject_lines_capacity) {
        size_t capacity =
            reader->subject_lines_capacity == 0 ? 256 : reader->subject_lines_capacity * 2;
        while (capacity <= subject)
            capacity *= 2;
        size_t *lines = assay_realloc(reader->subject_lines, capacity * sizeof *lines);
        if (lines == NULL)
            return ASSAY_ERR_NOMEM;
        reader->subject_lines = lines;
        reader->subject_lines_capacity = capacity;
    }
    reader->subject_lines[subject] = reader->line_number;
    return ASSAY_OK;
}

/* A response value: 0/1 integers, or false/true. Anything else, including
 * 1.0 and "1", is refused: silently rounding 0.5 or parsing strings would
 * hide a broken export upstream. */
static int response_value(const json_t *value, int *result)
{
    if (json_is_boolean(value)) {
        *result = json_is_true(value);
        return ASSAY_OK;
    }
    if (json_is_integer(value)) {
        json_int_t number = json_integer_value(value);
        if (number == 0 || number == 1) {
            *result = (int)number;
            return ASSAY_OK;
        }
    }
    return ASSAY_ERR_INVALID;
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
    size_t number = reader->line_number;
    json_t *root = NULL;
    int parsed = stats__parse_json_line(line, length, name, number, "{\"subject_id\": \"...\", \"responses\": {\"item\": 0|1}}", &root, reader->error);
    if (parsed != ASSAY_OK)
        return parsed;
    int status = ASSAY_OK;
    const json_t *subject_value = NULL, *responses = NULL;
    if (!json_is_object(root)) {
        status = assay_error_set(reader->error, ASSAY_ERR_INVALID,
                                 "%s:%zu: expected a JSON object, got %s", name, number,
                                 json_type_name(root));
        goto done;
    }
    subject_value = json_object_get(root, "subject_id");
    if (!json_is_string(subject_value)) {
        status = assay_error_set(reader->error, ASSAY_ERR_INVALID,
                                 "%s:%zu: \"subject_id\" must be a string, got %s", name, number,
                                 subject_value == NULL ? "nothing" : json_type_name(subject_value));
        goto done;
    }
    const char *subject_id = json_string_value(subject_value);
    if (subject_id[0] == '\0') {
        status = assay_error_set(reader->error, ASSAY_ERR_INVALID,
                                 "%s:%zu: \"subject_id\" is empty", name, number);
        goto done;
    }
    responses = json_object_get(root, "responses");
    if (!json_is_object(responses)) {
        status = assay_error_set(reader->error, ASSAY_ERR_INVALID,
                                 "%s:%zu: subject \"%.80s\": \"responses\" must be an object "
                                 "{\"item\": 0|1, ...}, got %s",
                                 name, number, subject_id,
                                 responses == NULL ? "nothing" : json_type_name(responses));
        goto done;
    }
    uint32_t seen_index;
    int added;
    status = stats__string_table_intern(&reader->seen, subject_id, strlen(subject_id), &seen_index,
                                        &added);
    if (status != ASSAY_OK)
        goto done;
    if (!added) {
        status = assay_error_set(reader->error, ASSAY_ERR_INVALID,
                                 "%s:%zu: subject \"%.80s\" already appeared on line %zu; "
                                 "merge its responses into one line",
                                 name, number, subject_id, reader->subject_lines[seen_index]);
        goto done;
    }
    if ((status = remember_subject_line(reader, seen_index)) != ASSAY_OK)
        goto done;
    if (json_object_size(responses) == 0) {
        /* Treatment: skipped, counted and reported. Such a subject carries
         * no information; its ability would be the prior, which looks like
         * a measurement in a report and is not one. */
        reader->report.empty_subjects_skipped++;
        log_warning("%s:%zu: subject \"%.80s\" has no responses; skipped", name, number,
                    subject_id);
        goto done;
    }
    size_t subject;
    status = irt_responses_builder_add_subject(reader->builder, subject_id, &subject, NULL);
    if (status != ASSAY_OK)
        goto done;
    const char *item_id;
    const json_t *value;
    json_object_foreach((json_t *)responses, item_id, value)
    {
        int outcome;
        if (response_value(value, &outcome) != ASSAY_OK) {
            char shown[32] = "";
            if (json_is_integer(value))
                snprintf(shown, sizeof shown, " %" JSON_INTEGER_FORMAT, json_integer_value(value));
            else if (json_is_real(value))
                snprintf(shown, sizeof shown, " %g", json_real_value(value));
            status =
                assay_error_set(reader->error, ASSAY_ERR_INVALID,
                                "%s:%zu: subject \"%.60s\", item \"%.60s\": a response must "
                                "be 0 or 1, got %s%s",
                                name, number, subject_id, item_id, json_type_name(value), shown);
            goto done;
        }
        if (item_id[0] == '\0') {
            status = assay_error_set(reader->error, ASSAY_ERR_INVALID,
                                     "%s:%zu: subject \"%.80s\" has an empty item id", name, number,
                                     subject_id);
            goto done;
        }
        size_t item;
        status = irt_responses_builder_add_item(reader->builder, item_id, &item, NULL);
        if (status == ASSAY_OK)
            status = irt_responses_builder_add_response(reader->builder, subject, item, outcome);
        if (status != ASSAY_OK)
            goto done;
        reader->response_count++;
    }
done:
    if (status == ASSAY_ERR_NOMEM || status == ASSAY_ERR_LIMIT)
        assay_error_set(reader->error, status, "%s:%zu: %s", name, number,
                        status == ASSAY_ERR_NOMEM ? "out of memory"
                                                  : "too many subjects or items (limit 2^31)");
    json_decref(root);
    return status;
}

int irt_responses_read_pyirt_stream(FILE *stream, const char *name,
                                    struct irt_responses **responses,
                                    struct irt_read_report *report, struct assay_error *error)
{
    *responses = NULL;
    struct reader reader = {.name = name, .error = error};
    int status = irt_responses_builder_create(&reader.builder);
    if (status == ASSAY_OK)
        status = stats__read_lines(stream, name, read_line, &reader, &reader.report.lines, error);
    else
        assay_error_set(error, status, "%s: out of memory", name);
    if (status == ASSAY_OK && reader.response_count == 0)
        status = assay_error_set(error, ASSAY_ERR_INVALID,
                                 "%s: no responses found; expected lines like {\"subject_id\": "
                                 "\"...\", \"responses\": {\"item\": 0|1}}",
                                 name);
    else if (status == ASSAY_OK)
        status = irt_responses_builder_finish(reader.builder, responses, error);
    if (report != NULL)
        *report = reader.report;
    assay_free(reader.subject_lines);
    stats__string_table_free(&reader.seen);
    irt_responses_builder_free(reader.builder);
    return status;
}

int irt_responses_read_pyirt(const char *path, struct irt_responses **responses,
                             struct irt_read_report *report, struct assay_error *error)
{
    *responses = NULL;
    FILE *stream = fopen(path, "rb");
    if (stream == NULL)
        return assay_error_set(error, errno == ENOENT ? ASSAY_ERR_NOT_FOUND : ASSAY_ERR_IO,
                               "%s: cannot open: %s", path, strerror(errno));
    int status = irt_responses_read_pyirt_stream(stream, path, responses, report, error);
    fclose(stream);
    return status;
}
