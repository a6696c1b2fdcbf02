/* model.c — A2A enums, validation, builders, ids and timestamps. */
#include "a2a/model.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static const char *const state_names[] = {
    "TASK_STATE_UNSPECIFIED",    "TASK_STATE_SUBMITTED", "TASK_STATE_WORKING",
    "TASK_STATE_COMPLETED",      "TASK_STATE_FAILED",    "TASK_STATE_CANCELED",
    "TASK_STATE_INPUT_REQUIRED", "TASK_STATE_REJECTED",  "TASK_STATE_AUTH_REQUIRED",
};

const char *a2a_task_state_name(enum a2a_task_state state)
{
    if ((unsigned)state >= sizeof state_names / sizeof state_names[0])
        return state_names[0];
    return state_names[state];
}

int a2a_task_state_parse(const char *name, enum a2a_task_state *out)
{
    for (size_t index = 0; name != NULL && index < sizeof state_names / sizeof state_names[0];
         index++)
        if (strcmp(name, state_names[index]) == 0) {
            *out = (enum a2a_task_state)index;
            return ASSAY_OK;
        }
    return ASSAY_ERR_INVALID;
}

int a2a_task_state_is_terminal(enum a2a_task_state state)
{
    return state == A2A_TASK_STATE_COMPLETED || state == A2A_TASK_STATE_FAILED ||
           state == A2A_TASK_STATE_CANCELED || state == A2A_TASK_STATE_REJECTED;
}

int a2a_task_state_is_interrupted(enum a2a_task_state state)
{
    return state == A2A_TASK_STATE_INPUT_REQUIRED || state == A2A_TASK_STATE_AUTH_REQUIRED;
}

const char *a2a_role_name(enum a2a_role role)
{
    switch (role) {
    case A2A_ROLE_USER:
        return "ROLE_USER";
    case A2A_ROLE_AGENT:
        return "ROLE_AGENT";
    default:
        return "ROLE_UNSPECIFIED";
    }
}

/* ---- validation ---------------------------------------------------------- */

static int invalid(struct assay_error *error, const char *path, const char *member,
                   const char *problem)
{
    return assay_error_set(error, ASSAY_ERR_INVALID, "%s%s%s: %s", path, member[0] ? "." : "",
                           member, problem);
}

/* An optional member: absent is fine, present must satisfy `check`. */
static int optional_string(const json_t *object, const char *path, const char *member,
                           struct assay_error *error)
{
    const json_t *value = json_object_get(object, member);
    if (value != NULL && !json_is_string(value))
        return invalid(error, path, member, "must be a string");
    return ASSAY_OK;
}

static int optional_object(const json_t *object, const char *path, const char *member,
                           struct assay_error *error)
{
    const json_t *value = json_object_get(object, member);
    if (value != NULL && !json_is_object(value) && !json_is_null(value))
        return invalid(error, path, member, "must be an object");
    return ASSAY_OK;
}

static int optional_string_array(const json_t *object, const char *path, const char *member,
                                 struct assay_error *error)
{
    const json_t *value = json_object_get(object, member);
    if (value == NULL || json_is_null(value))
        return ASSAY_OK;
    if (!json_is_array(value))
        return invalid(error, path, member, "must be an array of strings");
    size_t index;
    const json_t *item;
    json_array_foreach(value, index, item)
    {
        if (!json_is_string(item))
            return invalid(error, path, member, "must be an array of strings");
    }
    return ASSAY_OK;
}

/* Standard or URL-safe base64, padding optional (ProtoJSON accepts both). */
static int is_base64(const char *text, size_t length)
{
    size_t padding = 0;
    for (size_t index = 0; index < length; index++) {
        unsigned char character = (unsigned char)text[index];
        if (character == '=') {
            padding++;
            continue;
        }
        if (padding > 0)
            return 0; /* data after padding */
        if (!((character >= 'A' && character <= 'Z') || (character >= 'a' && character <= 'z') ||
              (character >= '0' && character <= '9') || character == '+' || character == '/' ||
              character == '-' || character == '_'))
            return 0;
    }
    return padding <= 2 && (length - padding) % 4 != 1;
}

int a2a_part_validate(const json_t *part, const char *path, struct assay_error *error)
{
    if (!json_is_object(part))
        return invalid(error, path, "", "a part must be an object");
    static const char *const kinds[] = {"text", "raw", "url", "data"};
    const char *found = NULL;
    for (size_t index = 0; index < 4; index++) {
        if (json_object_get(part, kinds[index]) == NULL)
            continue;
        if (found != NULL) {
            assay_error_set(
                error, ASSAY_ERR_INVALID,
                "%s: a part has exactly one of text, raw, url or data (found %s and %s)", path,
                found, kinds[index]);
            return ASSAY_ERR_INVALID;
        }
        found = kinds[index];
    }
    if (found == NULL)
        return invalid(error, path, "", "a part needs exactly one of text, raw, url or data");
    const json_t *value = json_object_get(part, found);
    if (strcmp(found, "text") == 0 && !json_is_string(value))
        return invalid(error, path, "text", "must be a string");
    if (strcmp(found, "raw") == 0 &&
        (!json_is_string(value) || !is_base64(json_string_value(value), json_string_length(value))))
        return invalid(error, path, "raw", "must be a base64 string");
    if (strcmp(found, "url") == 0 && (!json_is_string(value) || json_string_length(value) == 0))
        return invalid(error, path, "url", "must be a non-empty string");
    int status = optional_string(part, path, "mediaType", error);
    if (status == ASSAY_OK)
        status = optional_string(part, path, "filename", error);
    if (status == ASSAY_OK)
        status = optional_object(part, path, "metadata", error);
    return status;
}

static int parts_validate(const json_t *parts, const char *path, struct assay_error *error)
{
    if (!json_is_array(parts) || json_array_size(parts) == 0)
        return invalid(error, path, "parts", "must be a non-empty array of parts");
    size_t index;
    const json_t *part;
    json_array_foreach(parts, index, part)
    {
        /* Validate first, name the part only when it is wrong: formatting
         * the path for every part of every message costs more than the check. */
        if (a2a_part_validate(part, "", NULL) == ASSAY_OK)
            continue;
        char part_path[160];
        snprintf(part_path, sizeof part_path, "%s.parts[%zu]", path, index);
        return a2a_part_validate(part, part_path, error);
    }
    return ASSAY_OK;
}

int a2a_message_validate(const json_t *message, const char *path, struct assay_error *error)
{
    if (!json_is_object(message))
        return invalid(error, path, "", "must be a Message object");
    const json_t *message_id = json_object_get(message, "messageId");
    if (!json_is_string(message_id) || json_string_length(message_id) == 0)
        return invalid(error, path, "messageId", "is required (a non-empty string)");
    const json_t *role = json_object_get(message, "role");
    if (!json_is_string(role) || (strcmp(json_string_value(role), "ROLE_USER") != 0 &&
                                  strcmp(json_string_value(role), "ROLE_AGENT") != 0))
        return invalid(error, path, "role", "must be \"ROLE_USER\" or \"ROLE_AGENT\"");
    int status = parts_validate(json_object_get(message, "parts"), path, error);
    if (status == ASSAY_OK)
        status = optional_string(message, path, "contextId", error);
    if (status == ASSAY_OK)
        status = optional_string(message, path, "taskId", error);
    if (status == ASSAY_OK)
        status = optional_object(message, path, "metadata", error);
    if (status == ASSAY_OK)
        status = optional_string_array(message, path, "extensions", error);
    if (status == ASSAY_OK)
        status = optional_string_array(message, path, "referenceTaskIds", error);
    return status;
}

int a2a_artifact_validate(const json_t *artifact, const char *path, struct assay_error *error)
{
    if (!json_is_object(artifact))
        return invalid(error, path, "", "must be an Artifact object");
    const json_t *artifact_id = json_object_get(artifact, "artifactId");
    if (!json_is_string(artifact_id) || json_string_length(artifact_id) == 0)
        return invalid(error, path, "artifactId", "is required (a non-empty string)");
    int status = parts_validate(json_object_get(artifact, "parts"), path, error);
    if (status == ASSAY_OK)
        status = optional_string(artifact, path, "name", error);
    if (status == ASSAY_OK)
        status = optional_string(artifact, path, "description", error);
    if (status == ASSAY_OK)
        status = optional_object(artifact, path, "metadata", error);
    return status;
}

enum a2a_role a2a_message_role(const json_t *message)
{
    const char *role = json_string_value(json_object_get(message, "role"));
    if (role != NULL && strcmp(role, "ROLE_USER") == 0)
        return A2A_ROLE_USER;
    if (role != NULL && strcmp(role, "ROLE_AGENT") == 0)
        return A2A_ROLE_AGENT;
    return A2A_ROLE_UNSPECIFIED;
}

const char *a2a_message_text(const json_t *message)
{
    size_t index;
    const json_t *part;
    json_array_foreach(json_object_get(message, "parts"), index, part)
    {
        const char *text = json_string_value(json_object_get(part, "text"));
        if (text != NULL)
            return text;
    }
    return NULL;
}

/* ---- builders ------------------------------------------------------------ */

json_t *a2a_text_part_new(const char *text)
{
    json_t *part = json_object();
    if (part == NULL ||
        json_object_set_new_nocheck(part, "text", json_string(text != NULL ? text : "")) != 0 ||
        json_object_set_new_nocheck(part, "mediaType", json_string_nocheck("text/plain")) != 0) {
        json_decref(part);
        return NULL;
    }
    return part;
}

json_t *a2a_message_new(enum a2a_role role, json_t *parts)
{
    char message_id[A2A_ID_SIZE];
    a2a_id_generate(message_id);
    json_t *message = json_object();
    if (message == NULL || !json_is_array(parts) ||
        json_object_set_new_nocheck(message, "messageId", json_string_nocheck(message_id)) != 0 ||
        json_object_set_new_nocheck(message, "role", json_string_nocheck(a2a_role_name(role))) !=
            0 ||
        json_object_set_new_nocheck(message, "parts", json_incref(parts)) != 0) {
        json_decref(message);
        message = NULL;
    }
    json_decref(parts);
    return message;
}

/* [part] for a part that may be NULL (then NULL: the builders above fail). */
static json_t *single_part(json_t *part)
{
    json_t *parts = part != NULL ? json_array() : NULL;
    if (parts != NULL && json_array_append_new(parts, part) == 0)
        return parts;
    json_decref(parts);
    json_decref(part);
    return NULL;
}

json_t *a2a_agent_text_message_new(const char *text)
{
    return a2a_message_new(A2A_ROLE_AGENT, single_part(a2a_text_part_new(text)));
}

json_t *a2a_artifact_new(const char *artifact_id, const char *name, json_t *parts)
{
    json_t *artifact = json_object();
    if (artifact == NULL || !json_is_array(parts) ||
        json_object_set_new_nocheck(artifact, "artifactId", json_string(artifact_id)) != 0 ||
        (name != NULL && json_object_set_new_nocheck(artifact, "name", json_string(name)) != 0) ||
        json_object_set_new_nocheck(artifact, "parts", json_incref(parts)) != 0) {
        json_decref(artifact);
        artifact = NULL;
    }
    json_decref(parts);
    return artifact;
}

/* ---- ids ----------------------------------------------------------------- */

static atomic_uint_fast64_t id_counter;
static uint64_t id_keys[2];
static atomic_int id_keys_ready;

static uint64_t mix64(uint64_t value)
{
    /* splitmix64's finaliser: a bijection, so distinct inputs stay distinct. */
    value += 0x9e3779b97f4a7c15ull;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
    return value ^ (value >> 31);
}

static void id_keys_initialise(void)
{
    uint64_t keys[2] = {0, 0};
    if (getrandom(keys, sizeof keys, 0) != (ssize_t)sizeof keys) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        keys[0] = (uint64_t)now.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)now.tv_sec;
        keys[1] = mix64(keys[0] ^ (uint64_t)(uintptr_t)&keys);
    }
    /* Two threads may race here; either writes a random key, both fine. */
    id_keys[0] = keys[0];
    id_keys[1] = keys[1];
    atomic_store(&id_keys_ready, 1);
}

void a2a_id_generate(char out[A2A_ID_SIZE])
{
    if (!atomic_load_explicit(&id_keys_ready, memory_order_acquire))
        id_keys_initialise();
    uint64_t count = atomic_fetch_add_explicit(&id_counter, 1, memory_order_relaxed);
    uint64_t high = mix64(id_keys[0] + count);
    uint64_t low = mix64(id_keys[1] ^ mix64(count));
    unsigned char bytes[16];
    for (int index = 0; index < 8; index++) {
        bytes[index] = (unsigned char)(high >> (56 - 8 * index));
        bytes[8 + index] = (unsigned char)(low >> (56 - 8 * index));
    }
    bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40); /* version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    size_t used = 0;
    for (int index = 0; index < 16; index++) {
        if (index == 4 || index == 6 || index == 8 || index == 10)
            out[used++] = '-';
        out[used++] = hex[bytes[index] >> 4];
        out[used++] = hex[bytes[index] & 15];
    }
    out[used] = '\0';
}

/* ---- time ---------------------------------------------------------------- */

static atomic_int_fast64_t last_now_ms;

int64_t a2a_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t milliseconds = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    int_fast64_t last = atomic_load_explicit(&last_now_ms, memory_order_relaxed);
    while (milliseconds > last &&
           !atomic_compare_exchange_weak_explicit(&last_now_ms, &last, milliseconds,
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
    return milliseconds > last ? milliseconds : last;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian), after
 * Howard Hinnant's days_from_civil inverse. gmtime_r would do, but glibc
 * takes a process-wide lock in it, and this runs twice per request. */
static void civil_from_days(int64_t days, int *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t day_of_era = days - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t shifted_month = (5 * day_of_year + 2) / 153;
    *day = (int)(day_of_year - (153 * shifted_month + 2) / 5 + 1);
    *month = (int)(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
    *year = (int)(year_of_era + era * 400 + (*month <= 2));
}

static char *put_digits(char *out, int64_t value, int width)
{
    for (int index = width - 1; index >= 0; index--) {
        out[index] = (char)('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

void a2a_timestamp_format(int64_t milliseconds, char out[A2A_TIMESTAMP_SIZE])
{
    if (milliseconds < 0)
        milliseconds = 0;
    int64_t seconds = milliseconds / 1000, days = seconds / 86400, in_day = seconds % 86400;
    int year, month, day;
    civil_from_days(days, &year, &month, &day);
    if (year > 9999)
        year = 9999;
    char *cursor = put_digits(out, year, 4);
    *cursor++ = '-';
    cursor = put_digits(cursor, month, 2);
    *cursor++ = '-';
    cursor = put_digits(cursor, day, 2);
    *cursor++ = 'T';
    cursor = put_digits(cursor, in_day / 3600, 2);
    *cursor++ = ':';
    cursor = put_digits(cursor, in_day / 60 % 60, 2);
    *cursor++ = ':';
    cursor = put_digits(cursor, in_day % 60, 2);
    *cursor++ = '.';
    cursor = put_digits(cursor, milliseconds % 1000, 3);
    *cursor++ = 'Z';
    *cursor = '\0';
}

static int read_digits(const char **cursor, int count, int *value)
{
    *value = 0;
    for (int index = 0; index < count; index++) {
        char character = (*cursor)[index];
        if (character < '0' || character > '9')
            return 0;
        *value = *value * 10 + (character - '0');
    }
    *cursor += count;
    return 1;
}

int a2a_timestamp_parse(const char *text, int64_t *milliseconds)
{
    if (text == NULL)
        return ASSAY_ERR_INVALID;
    const char *cursor = text;
    int year, month, day, hour, minute, second, fraction_ms = 0;
    if (!read_digits(&cursor, 4, &year) || *cursor++ != '-' || !read_digits(&cursor, 2, &month) ||
        *cursor++ != '-' || !read_digits(&cursor, 2, &day) || (*cursor != 'T' && *cursor != 't'))
        return ASSAY_ERR_INVALID;
    cursor++;
    if (!read_digits(&cursor, 2, &hour) || *cursor++ != ':' || !read_digits(&cursor, 2, &minute) ||
        *cursor++ != ':' || !read_digits(&cursor, 2, &second))
        return ASSAY_ERR_INVALID;
    if (*cursor == '.') {
        cursor++;
        int digits = 0, scale = 100;
        while (*cursor >= '0' && *cursor <= '9') {
            if (digits < 3)
                fraction_ms += (*cursor - '0') * scale;
            scale /= 10;
            digits++;
            cursor++;
        }
        if (digits == 0)
            return ASSAY_ERR_INVALID;
    }
    int offset_minutes = 0;
    if (*cursor == 'Z' || *cursor == 'z') {
        cursor++;
    } else if (*cursor == '+' || *cursor == '-') {
        int sign = *cursor == '-' ? -1 : 1, offset_hours, offset_part;
        cursor++;
        if (!read_digits(&cursor, 2, &offset_hours) || *cursor++ != ':' ||
            !read_digits(&cursor, 2, &offset_part))
            return ASSAY_ERR_INVALID;
        offset_minutes = sign * (offset_hours * 60 + offset_part);
    } else {
        return ASSAY_ERR_INVALID;
    }
    if (*cursor != '\0' || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60)
        return ASSAY_ERR_INVALID;
    struct tm parts = {.tm_year = year - 1900,
                       .tm_mon = month - 1,
                       .tm_mday = day,
                       .tm_hour = hour,
                       .tm_min = minute,
                       .tm_sec = second};
    time_t seconds = timegm(&parts);
    *milliseconds = ((int64_t)seconds - (int64_t)offset_minutes * 60) * 1000 + fraction_ms;
    return ASSAY_OK;
}
