/* store_export.c — runs, episodes and traces as JSON and CSV, built on the
 * store interface only, so every backend exports the same bytes.
 *
 * JSON columns (scenario, verdicts, payloads, ...) were checked to be valid
 * JSON when they were stored, so they are copied into the output verbatim
 * instead of being parsed and serialised again: exporting costs one pass over
 * the text and memory proportional to one row. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

/* A JSON string literal. Bytes >= 0x80 pass through: text reaches the store
 * from our own JSON parser, which rejects invalid UTF-8. */
static int append_json_string(struct buffer *out, const char *text)
{
    if (text == NULL)
        return buffer_append_string(out, "null");
    int status = buffer_append(out, "\"", 1);
    const char *run_start = text;
    for (const char *cursor = text; status == ASSAY_OK && *cursor != '\0'; cursor++) {
        unsigned char byte = (unsigned char)*cursor;
        if (byte >= 0x20 && byte != '"' && byte != '\\')
            continue;
        status = buffer_append(out, run_start, (size_t)(cursor - run_start));
        if (status != ASSAY_OK)
            break;
        if (byte == '"')
            status = buffer_append_string(out, "\\\"");
        else if (byte == '\\')
            status = buffer_append_string(out, "\\\\");
        else if (byte == '\n')
            status = buffer_append_string(out, "\\n");
        else if (byte == '\t')
            status = buffer_append_string(out, "\\t");
        else
            status = buffer_append_format(out, "\\u%04x", byte);
        run_start = cursor + 1;
    }
    if (status == ASSAY_OK)
        status = buffer_append_string(out, run_start);
    if (status == ASSAY_OK)
        status = buffer_append(out, "\"", 1);
    return status;
}

static int append_json_raw(struct buffer *out, const char *json)
{
    return buffer_append_string(out, json != NULL ? json : "null");
}

static int append_json_number(struct buffer *out, double value, int present)
{
    if (!present || !isfinite(value))
        return buffer_append_string(out, "null");
    return buffer_append_format(out, "%.17g", value);
}

static int append_json_count(struct buffer *out, int64_t value)
{
    if (value < 0)
        return buffer_append_string(out, "null");
    return buffer_append_format(out, "%" PRId64, value);
}

/* Members are written in one format call per group; every call checks its
 * status so a failed allocation stops the export cleanly. */
#define APPEND(call)                                                                               \
    do {                                                                                           \
        if (status == ASSAY_OK)                                                                    \
            status = (call);                                                                       \
    } while (0)

static int append_run_json(struct buffer *out, const struct store_run *run)
{
    int status = ASSAY_OK;
    APPEND(buffer_append_format(out, "{\"id\":%" PRId64 ",\"scenario_name\":", run->id));
    APPEND(append_json_string(out, run->scenario_name));
    APPEND(buffer_append_string(out, ",\"scenario\":"));
    APPEND(append_json_raw(out, run->scenario_json));
    APPEND(buffer_append_string(out, ",\"mode\":"));
    APPEND(append_json_string(out, run->mode));
    APPEND(buffer_append_string(out, ",\"status\":"));
    APPEND(append_json_string(out, store_run_status_name(run->status)));
    APPEND(buffer_append_string(out, ",\"provenance\":"));
    APPEND(append_json_raw(out, run->provenance_json));
    APPEND(buffer_append_format(
        out, ",\"started_at_ms\":%" PRId64 ",\"finished_at_ms\":", run->started_at_ms));
    APPEND(run->finished_at_ms > 0 ? buffer_append_format(out, "%" PRId64, run->finished_at_ms)
                                   : buffer_append_string(out, "null"));
    APPEND(buffer_append_string(out, ",\"assay_version\":"));
    APPEND(append_json_string(out, run->assay_version));
    APPEND(buffer_append_string(out, "}"));
    return status;
}

static int append_participant_json(struct buffer *out, const struct store_participant *participant)
{
    int status = ASSAY_OK;
    APPEND(buffer_append_format(out, "{\"id\":%" PRId64 ",\"role\":", participant->id));
    APPEND(append_json_string(out, participant->role));
    APPEND(buffer_append_string(out, ",\"name\":"));
    APPEND(append_json_string(out, participant->name));
    APPEND(buffer_append_string(out, ",\"agent_card\":"));
    APPEND(append_json_raw(out, participant->agent_card_json));
    APPEND(buffer_append_string(out, ",\"endpoint_kind\":"));
    APPEND(append_json_string(out, participant->endpoint_kind));
    APPEND(buffer_append_string(out, "}"));
    return status;
}

static int append_episode_json(struct buffer *out, const struct store_episode *episode)
{
    int status = ASSAY_OK;
    APPEND(buffer_append_format(out, "{\"id\":%" PRId64 ",\"run_id\":%" PRId64 ",\"participant\":",
                                episode->id, episode->run_id));
    APPEND(append_json_string(out, episode->participant_role));
    APPEND(buffer_append_string(out, ",\"task_id\":"));
    APPEND(append_json_string(out, episode->task_id));
    APPEND(buffer_append_format(out, ",\"trial\":%" PRId64 ",\"score\":", episode->trial));
    APPEND(append_json_number(out, episode->score, 1));
    APPEND(buffer_append_format(
        out, ",\"passed\":%s,\"verdicts\":", episode->passed ? "true" : "false"));
    APPEND(append_json_raw(out, episode->verdicts_json));
    APPEND(buffer_append_string(out, ",\"status\":"));
    APPEND(append_json_string(out, store_episode_status_name(episode->status)));
    APPEND(buffer_append_string(out, ",\"error_class\":"));
    APPEND(episode->error_class == STORE_ERROR_NONE
               ? buffer_append_string(out, "null")
               : append_json_string(out, store_error_class_name(episode->error_class)));
    APPEND(buffer_append_string(out, ",\"error_side\":"));
    APPEND(episode->error_class == STORE_ERROR_NONE
               ? buffer_append_string(out, "null")
               : append_json_string(
                     out, store_error_side_name(store_error_class_side(episode->error_class))));
    APPEND(buffer_append_string(out, ",\"error_message\":"));
    APPEND(append_json_string(out, episode->error_message));
    APPEND(buffer_append_string(out, ",\"started_at_ms\":"));
    APPEND(append_json_count(out, episode->started_at_ms > 0 ? episode->started_at_ms : -1));
    APPEND(buffer_append_string(out, ",\"finished_at_ms\":"));
    APPEND(append_json_count(out, episode->finished_at_ms > 0 ? episode->finished_at_ms : -1));
    APPEND(buffer_append_string(out, ",\"duration_ms\":"));
    APPEND(append_json_count(out, episode->duration_ms));
    APPEND(buffer_append_string(out, ",\"steps\":"));
    APPEND(append_json_count(out, episode->steps));
    APPEND(buffer_append_string(out, ",\"input_tokens\":"));
    APPEND(append_json_count(out, episode->input_tokens));
    APPEND(buffer_append_string(out, ",\"output_tokens\":"));
    APPEND(append_json_count(out, episode->output_tokens));
    APPEND(buffer_append_string(out, ",\"cost\":"));
    APPEND(append_json_number(out, episode->cost, episode->cost >= 0));
    APPEND(buffer_append_string(out, ",\"task_family\":"));
    APPEND(append_json_string(out, episode->task_family));
    APPEND(buffer_append_string(out, ",\"task_tags\":"));
    APPEND(append_json_raw(out, episode->task_tags_json));
    APPEND(buffer_append_string(out, ",\"task_parts\":"));
    APPEND(append_json_raw(out, episode->task_parts_json));
    APPEND(buffer_append_string(out, ",\"task_human_minutes\":"));
    APPEND(append_json_number(out, episode->task_human_minutes, episode->task_human_minutes > 0));
    APPEND(buffer_append_format(out, ",\"trace_count\":%zu}", episode->trace_count));
    return status;
}

static int append_csv_count(struct buffer *out, int64_t value)
{
    return value < 0 ? ASSAY_OK : buffer_append_format(out, "%" PRId64, value);
}

static const char csv_header[] =
    "run_id,participant,task_id,trial,score,passed,status,error_class,error_side,"
    "error_message,started_at_ms,finished_at_ms,duration_ms,steps,input_tokens,output_tokens,"
    "cost,task_family,task_tags,trace_count,task_parts,task_human_minutes\r\n";

static int append_episode_csv(struct buffer *out, const struct store_episode *episode)
{
    int status = ASSAY_OK;
    int failed = episode->error_class != STORE_ERROR_NONE;
    APPEND(buffer_append_format(out, "%" PRId64 ",", episode->run_id));
    APPEND(buffer_append_csv_field(out, episode->participant_role));
    APPEND(buffer_append(out, ",", 1));
    APPEND(buffer_append_csv_field(out, episode->task_id));
    APPEND(buffer_append_format(out, ",%" PRId64 ",", episode->trial));
    APPEND(isfinite(episode->score) ? buffer_append_format(out, "%.17g", episode->score)
                                    : ASSAY_OK);
    APPEND(buffer_append_format(
        out, ",%d,%s,%s,%s,", episode->passed ? 1 : 0, store_episode_status_name(episode->status),
        failed ? store_error_class_name(episode->error_class) : "",
        failed ? store_error_side_name(store_error_class_side(episode->error_class)) : ""));
    APPEND(buffer_append_csv_field(out, episode->error_message));
    APPEND(buffer_append(out, ",", 1));
    APPEND(append_csv_count(out, episode->started_at_ms > 0 ? episode->started_at_ms : -1));
    APPEND(buffer_append(out, ",", 1));
    APPEND(append_csv_count(out, episode->finished_at_ms > 0 ? episode->finished_at_ms : -1));
    APPEND(buffer_append(out, ",", 1));
    APPEND(append_csv_count(out, episode->duration_ms));
    APPEND(buffer_append(out, ",", 1));
    APPEND(append_csv_count(out, episode->steps));
    APPEND(buffer_append(out, ",", 1));
    APPEND(append_csv_count(out, episode->input_tokens));
    APPEND(buffer_append(out, ",", 1));
    APPEND(append_csv_count(out, episode->output_tokens));
    APPEND(buffer_append(out, ",", 1));
    APPEND(episode->cost >= 0 ? buffer_append_format(out, "%.17g", episode->cost) : ASSAY_OK);
    APPEND(buffer_append(out, ",", 1));
    APPEND(buffer_append_csv_field(out, episode->task_family));
    APPEND(buffer_append(out, ",", 1));
    APPEND(buffer_append_csv_field(out, episode->task_tags_json));
    APPEND(buffer_append_format(out, ",%zu,", episode->trace_count));
    APPEND(buffer_append_csv_field(out, episode->task_parts_json));
    APPEND(buffer_append(out, ",", 1));
    APPEND(episode->task_human_minutes > 0 ? buffer_append_format(out, "%.17g", episode->task_human_minutes)
                                           : ASSAY_OK);
    APPEND(buffer_append(out, "\r\n", 2));
    return status;
}

/* Walks the episodes of a run, writing each with `write` and `separator`
 * between them. */
static int append_episodes(struct store *store, int64_t run_id, const char *role,
                           struct buffer *out,
                           int (*write)(struct buffer *, const struct store_episode *),
                           const char *separator, struct assay_error *error)
{
    struct store_episode_iterator *iterator = NULL;
    int status = store_episode_iterator_open(store, run_id, role, &iterator, error);
    if (status != ASSAY_OK)
        return status;
    struct store_episode episode;
    size_t written = 0;
    int more;
    while ((more = store_episode_iterator_next(iterator, &episode, error)) == 1) {
        if (written++ > 0 && separator != NULL)
            status = buffer_append_string(out, separator);
        if (status == ASSAY_OK)
            status = write(out, &episode);
        if (status != ASSAY_OK) {
            status = assay_error_set(error, status, "out of memory exporting run %lld",
                                     (long long)run_id);
            break;
        }
    }
    if (status == ASSAY_OK && more < 0)
        status = more;
    store_episode_iterator_close(iterator);
    return status;
}

int store_episodes_json(struct store *store, int64_t run_id, const char *role, struct buffer *out,
                        struct assay_error *error)
{
    size_t start = out->length;
    int status = buffer_append_string(out, "[");
    if (status == ASSAY_OK)
        status = append_episodes(store, run_id, role, out, append_episode_json, ",", error);
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "]");
    if (status != ASSAY_OK) {
        /* leave the caller's buffer as it was */
        out->length = start;
        if (out->data != NULL)
            out->data[start] = '\0';
    }
    return status;
}

struct trace_writer {
    struct buffer *out;
    size_t written;
};

static int write_trace_entry(void *context, const struct store_trace_entry *entry)
{
    struct trace_writer *writer = context;
    struct buffer *out = writer->out;
    int status = ASSAY_OK;
    APPEND(buffer_append_format(out, "%s{\"sequence\":%" PRId64 ",\"direction\":",
                                writer->written++ > 0 ? "," : "", entry->sequence));
    APPEND(append_json_string(out, entry->direction));
    APPEND(buffer_append_string(out, ",\"kind\":"));
    APPEND(append_json_string(out, entry->kind));
    APPEND(buffer_append_string(out, ",\"payload\":"));
    APPEND(append_json_raw(out, entry->payload_json));
    APPEND(buffer_append_string(out, ",\"at_ms\":"));
    APPEND(append_json_count(out, entry->at_ms > 0 ? entry->at_ms : -1));
    APPEND(buffer_append_string(out, "}"));
    return status;
}

int store_trace_json(struct store *store, int64_t episode_id, int64_t offset, int64_t limit,
                     struct buffer *out, struct assay_error *error)
{
    size_t start = out->length;
    struct trace_writer writer = {out, 0};
    int status = buffer_append_string(out, "[");
    if (status == ASSAY_OK)
        status =
            store_trace_read(store, episode_id, offset, limit, write_trace_entry, &writer, error);
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "]");
    if (status != ASSAY_OK) {
        out->length = start;
        if (out->data != NULL)
            out->data[start] = '\0';
        if (status == ASSAY_ERR_NOMEM)
            assay_error_set(error, status, "out of memory reading the trace of episode %lld",
                            (long long)episode_id);
    }
    return status;
}

static int write_run(void *context, const struct store_run *run)
{
    return append_run_json(context, run);
}

static int ignore_run(void *context, const struct store_run *run)
{
    return ASSAY_OK;
}

struct participant_writer {
    struct buffer *out;
    size_t written;
};

static int write_participant(void *context, const struct store_participant *participant)
{
    struct participant_writer *writer = context;
    int status = ASSAY_OK;
    if (writer->written++ > 0)
        status = buffer_append(writer->out, ",", 1);
    APPEND(append_participant_json(writer->out, participant));
    return status;
}

int store_export_run(struct store *store, int64_t run_id, enum store_export_format format,
                     struct buffer *out, struct assay_error *error)
{
    size_t start = out->length;
    int status = ASSAY_OK;
    if (format == STORE_EXPORT_CSV) {
        /* run_get first: an unknown run is NOT_FOUND, not an empty table */
        status = store_run_get(store, run_id, ignore_run, NULL, error);
        if (status == ASSAY_OK)
            status = buffer_append_string(out, csv_header);
        if (status == ASSAY_OK)
            status = append_episodes(store, run_id, NULL, out, append_episode_csv, NULL, error);
    } else if (format == STORE_EXPORT_JSON) {
        struct participant_writer participants = {out, 0};
        APPEND(buffer_append_string(out, "{\"run\":"));
        APPEND(store_run_get(store, run_id, write_run, out, error));
        APPEND(buffer_append_string(out, ",\"participants\":["));
        APPEND(store_participants_list(store, run_id, write_participant, &participants, error));
        APPEND(buffer_append_string(out, "],\"episodes\":["));
        APPEND(append_episodes(store, run_id, NULL, out, append_episode_json, ",", error));
        APPEND(buffer_append_string(out, "]}"));
    } else {
        status =
            assay_error_set(error, ASSAY_ERR_INVALID, "export format %d is unknown", (int)format);
    }
    if (status != ASSAY_OK) {
        out->length = start;
        if (out->data != NULL)
            out->data[start] = '\0';
    }
    return status;
}
