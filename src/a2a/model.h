/* model.h — the A2A 1.0 data model as assay handles it: enum names, strict
 * validation of what peers send, builders for what agents publish, task ids
 * and timestamps.
 *
 * Protocol objects stay jansson values in their ProtoJSON wire form
 * (camelCase members, SCREAMING_SNAKE enum strings), because that is what
 * is stored, streamed and hashed; there is no parallel C struct model.
 *
 * Ownership: validators borrow their input. Builders return a new reference
 * the caller owns and consume the json_t arguments documented as consumed
 * (jansson's "_new" convention), also when they fail.
 */
#ifndef ASSAY_A2A_MODEL_H
#define ASSAY_A2A_MODEL_H

#include <jansson.h>
#include <stdint.h>

#include "core/status.h"

enum a2a_task_state {
    A2A_TASK_STATE_UNSPECIFIED = 0,
    A2A_TASK_STATE_SUBMITTED = 1,
    A2A_TASK_STATE_WORKING = 2,
    A2A_TASK_STATE_COMPLETED = 3,
    A2A_TASK_STATE_FAILED = 4,
    A2A_TASK_STATE_CANCELED = 5,
    A2A_TASK_STATE_INPUT_REQUIRED = 6,
    A2A_TASK_STATE_REJECTED = 7,
    A2A_TASK_STATE_AUTH_REQUIRED = 8,
};

enum a2a_role {
    A2A_ROLE_UNSPECIFIED = 0,
    A2A_ROLE_USER = 1,
    A2A_ROLE_AGENT = 2,
};

/* "TASK_STATE_COMPLETED" etc.; "TASK_STATE_UNSPECIFIED" for unknown values. */
const char *a2a_task_state_name(enum a2a_task_state state);
/* ASSAY_OK, or ASSAY_ERR_INVALID for a name that is not a TaskState. */
int a2a_task_state_parse(const char *name, enum a2a_task_state *out);
/* Completed, failed, canceled, rejected: nothing happens to the task any more. */
int a2a_task_state_is_terminal(enum a2a_task_state state);
/* Input-required, auth-required: the agent waits for the client. */
int a2a_task_state_is_interrupted(enum a2a_task_state state);
const char *a2a_role_name(enum a2a_role role);

/* Strict validation of a Message as a peer sent it: messageId a non-empty
 * string, role ROLE_USER or ROLE_AGENT, parts a non-empty array of valid
 * Parts, optional members of the right type. `path` names the object in
 * the error ("params.message"); the error message names the exact member
 * ("params.message.parts[1]: ..."). Returns ASSAY_OK or ASSAY_ERR_INVALID. */
int a2a_message_validate(const json_t *message, const char *path, struct assay_error *error);
/* A Part has exactly one of text (string), raw (base64 string), url
 * (non-empty string) or data (any JSON), plus optional mediaType, filename
 * (strings) and metadata (object). */
int a2a_part_validate(const json_t *part, const char *path, struct assay_error *error);
/* An Artifact: artifactId non-empty, parts non-empty and valid. */
int a2a_artifact_validate(const json_t *artifact, const char *path, struct assay_error *error);
/* The role of a validated message. */
enum a2a_role a2a_message_role(const json_t *message);
/* The first text part's text, borrowed from the message; NULL if none. */
const char *a2a_message_text(const json_t *message);

/* {"text": text, "mediaType": "text/plain"} */
json_t *a2a_text_part_new(const char *text);
/* A Message with a generated messageId. Consumes parts (an array). */
json_t *a2a_message_new(enum a2a_role role, json_t *parts);
/* An agent message with one text part. */
json_t *a2a_agent_text_message_new(const char *text);
/* An Artifact. name may be NULL. Consumes parts (an array). */
json_t *a2a_artifact_new(const char *artifact_id, const char *name, json_t *parts);

/* Task and message ids: random UUIDs (version 4 text form). Cheap: a
 * counter mixed with a per-process random key, no system call, no lock. */
#define A2A_ID_SIZE 37
void a2a_id_generate(char out[A2A_ID_SIZE]);

/* Wall-clock milliseconds since the epoch, never smaller than a value
 * returned before in this process (ordering of tasks relies on it). */
int64_t a2a_now_ms(void);
/* "2026-01-02T03:04:05.678Z" */
#define A2A_TIMESTAMP_SIZE 32
void a2a_timestamp_format(int64_t milliseconds, char out[A2A_TIMESTAMP_SIZE]);
/* ISO 8601 date-time with 'Z' or a ±HH:MM offset, optional fraction.
 * ASSAY_OK or ASSAY_ERR_INVALID. */
int a2a_timestamp_parse(const char *text, int64_t *milliseconds);

#endif
