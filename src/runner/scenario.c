/* scenario.c — loading and validating scenario files. */
#include "runner/scenario.h"

#include <string.h>

#include "core/memory.h"
#include "core/buffer.h"
#include "core/sha256.h"
#include "jsonrpc/json_strict.h"
#include "package/document.h"

#include <stdio.h>

static char *copy_string(const json_t *value) { return json_is_string(value) ? assay_strdup(json_string_value(value)) : NULL; }

void scenario_free(struct scenario *scenario)
{
    if (scenario == NULL)
        return;
    for (size_t index = 0; index < scenario->participant_count; index++) {
        struct scenario_participant *participant = &scenario->participants[index];
        assay_free(participant->name);
        for (char **argument = participant->command; argument != NULL && *argument != NULL; argument++)
            assay_free(*argument);
        assay_free(participant->command);
        assay_free(participant->url);
        assay_free(participant->token_env);
    }
    assay_free(scenario->participants);
    for (char **task = scenario->tasks; task != NULL && *task != NULL; task++)
        assay_free(*task);
    assay_free(scenario->tasks);
    assay_free(scenario->file);
    assay_free(scenario->name);
    assay_free(scenario->mode);
    assay_free(scenario->bench);
    assay_free(scenario->split);
    json_decref(scenario->source);
    assay_free(scenario);
}

static char **string_array(const json_t *array)
{
    char **items = assay_calloc(json_array_size(array) + 1, sizeof *items);
    if (items == NULL)
        return NULL;
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item) items[index] = copy_string(item);
    return items;
}

static int positive_integer(const struct document *document, const json_t *object, const char *key, long fallback,
                            long *out, struct assay_error *error)
{
    json_t *value = json_object_get(object, key);
    if (value == NULL) {
        *out = fallback;
        return ASSAY_OK;
    }
    if (!json_is_integer(value) || json_integer_value(value) < 1)
        return document_error(document, value, key, error, ASSAY_ERR_INVALID, "must be a positive integer");
    *out = (long)json_integer_value(value);
    return ASSAY_OK;
}

static int load_participants(struct scenario *scenario, const struct document *document, const json_t *list,
                             struct assay_error *error)
{
    if (!json_is_array(list) || json_array_size(list) == 0)
        return document_error(document, list, "participants", error, ASSAY_ERR_INVALID,
                              "must be a non-empty list of agents");
    scenario->participants = assay_calloc(json_array_size(list), sizeof *scenario->participants);
    if (scenario->participants == NULL)
        return ASSAY_ERR_NOMEM;
    size_t index;
    json_t *item;
    json_array_foreach(list, index, item)
    {
        char field[64];
        snprintf(field, sizeof field, "participants[%zu]", index);
        if (!json_is_object(item))
            return document_error(document, item, field, error, ASSAY_ERR_INVALID, "must be a mapping");
        struct scenario_participant *participant = &scenario->participants[scenario->participant_count++];
        participant->name = copy_string(json_object_get(item, "name"));
        if (participant->name == NULL)
            return document_error(document, item, field, error, ASSAY_ERR_INVALID, "needs a name");
        for (size_t other = 0; other + 1 < scenario->participant_count; other++)
            if (strcmp(scenario->participants[other].name, participant->name) == 0)
                return document_error(document, item, field, error, ASSAY_ERR_INVALID, "duplicate name '%s'",
                                      participant->name);
        json_t *command = json_object_get(item, "command");
        json_t *url = json_object_get(item, "url");
        /* ci mode takes either kind of participant: a command or a URL */
        int local = strcmp(scenario->mode, "local") == 0 ||
                    ((strcmp(scenario->mode, "ci") == 0 || strcmp(scenario->mode, "proxy") == 0) &&
                     json_object_get(item, "command") != NULL);
        if (local) {
            int ok = json_is_array(command) && json_array_size(command) > 0;
            for (size_t argument = 0; ok && argument < json_array_size(command); argument++)
                ok = json_is_string(json_array_get(command, argument));
            if (!ok)
                return document_error(document, item, field, error, ASSAY_ERR_INVALID,
                                      "local mode needs `command`: a list of strings (the agent's command line)");
            participant->command = string_array(command);
        } else {
            if (!json_is_string(url) || strncmp(json_string_value(url), "http", 4) != 0)
                return document_error(document, item, field, error, ASSAY_ERR_INVALID,
                                      "remote mode needs `url`: the agent's A2A address (http or https)");
            participant->url = copy_string(url);
        }
        participant->token_env = copy_string(json_object_get(item, "token_env"));
        participant->privileged = json_is_true(json_object_get(item, "privileged"));
    }
    return ASSAY_OK;
}

/* SHA-256 of the file's bytes in hex; "" when it cannot be read. */
static void file_sha256(const char *file, char out[65])
{
    out[0] = '\0';
    FILE *stream = fopen(file, "rb");
    if (stream == NULL)
        return;
    struct buffer content = {0};
    char chunk[16384];
    size_t count;
    while ((count = fread(chunk, 1, sizeof chunk, stream)) > 0 && buffer_append(&content, chunk, count) == ASSAY_OK)
        ;
    fclose(stream);
    assay_sha256_hex(content.data != NULL ? content.data : "", content.length, out);
    buffer_free(&content);
}

/* Builds a scenario from a parsed document; the document stays the caller's. */
static int scenario_build(json_t *root, const struct document *document, const char *file, struct scenario **out,
                          struct assay_error *error)
{
    *out = NULL;
    int status = ASSAY_OK;
    struct scenario *scenario = assay_calloc(1, sizeof *scenario);
    if (scenario == NULL)
        return ASSAY_ERR_NOMEM;
    scenario->file = assay_strdup(file);
    scenario->source = json_deep_copy(root);
    if (!json_is_object(root)) {
        status = document_error(document, root, "scenario", error, ASSAY_ERR_INVALID, "must be a mapping");
        goto done;
    }
    scenario->name = copy_string(json_object_get(root, "name"));
    if (scenario->name == NULL)
        scenario->name = assay_strdup("unnamed");
    scenario->mode = copy_string(json_object_get(root, "mode"));
    if (scenario->mode == NULL)
        scenario->mode = assay_strdup("local");
    if (strcmp(scenario->mode, "local") != 0 && strcmp(scenario->mode, "remote") != 0 &&
        strcmp(scenario->mode, "ci") != 0 && strcmp(scenario->mode, "proxy") != 0) {
        status = document_error(document, json_object_get(root, "mode"), "mode", error, ASSAY_ERR_UNSUPPORTED,
                                "'%s' is not available yet (local, remote, ci or proxy)", scenario->mode);
        goto done;
    }
    scenario->bench = copy_string(json_object_get(json_object_get(root, "judge"), "bench"));
    if (scenario->bench == NULL) {
        status = document_error(document, root, "judge.bench", error, ASSAY_ERR_INVALID,
                                "missing: name the benchmark package (e.g. web-of-sites)");
        goto done;
    }
    status = load_participants(scenario, document, json_object_get(root, "participants"), error);
    if (status != ASSAY_OK)
        goto done;
    json_t *config = json_object_get(root, "config");
    if (config != NULL && !json_is_object(config)) {
        status = document_error(document, config, "config", error, ASSAY_ERR_INVALID, "must be a mapping");
        goto done;
    }
    scenario->split = copy_string(json_object_get(config, "split"));
    if (scenario->split == NULL)
        scenario->split = assay_strdup("all");
    json_t *tasks = json_object_get(config, "tasks");
    if (tasks != NULL) {
        if (!json_is_array(tasks)) {
            status = document_error(document, tasks, "config.tasks", error, ASSAY_ERR_INVALID, "must be a list of task ids");
            goto done;
        }
        scenario->tasks = string_array(tasks);
    }
    if ((status = positive_integer(document, config, "trials", 1, &scenario->trials, error)) != ASSAY_OK ||
        (status = positive_integer(document, config, "concurrency", 4, &scenario->concurrency, error)) != ASSAY_OK)
        goto done;
    json_t *seed = json_object_get(config, "seed");
    scenario->seed = json_is_integer(seed) ? json_integer_value(seed) : 1;
    json_t *budgets = json_object_get(config, "budgets");
    scenario->budget_seconds = json_number_value(json_object_get(budgets, "seconds"));
    scenario->budget_steps = (long)json_integer_value(json_object_get(budgets, "steps"));
    scenario->budget_messages = (long)json_integer_value(json_object_get(budgets, "messages"));
done:
    if (status != ASSAY_OK) {
        scenario_free(scenario);
        return status;
    }
    *out = scenario;
    return ASSAY_OK;
}

int scenario_load(const char *file, struct scenario **out, struct assay_error *error)
{
    *out = NULL;
    struct document *document = NULL;
    int status = document_load(file, &document, error);
    if (status != ASSAY_OK)
        return status;
    status = scenario_build(document_root(document), document, file, out, error);
    document_free(document);
    if (status == ASSAY_OK)
        file_sha256(file, (*out)->sha256);
    return status;
}

int scenario_from_request(const char *bench, const json_t *request, struct scenario **out,
                          struct assay_error *error)
{
    *out = NULL;
    const json_t *participants = json_object_get(request, "participants");
    if (!json_is_object(request) || !json_is_object(participants) || json_object_size(participants) == 0)
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "the request needs \"participants\": {\"<role>\": \"<A2A URL>\", ...}");
    /* Reuse the file loader's checks: express the request as a scenario
     * document and parse that, so both paths validate the same way. */
    json_t *config = json_object_get(request, "config");
    /* "o" hands over a reference: the request's config (increfed) or a new {} */
    json_t *document = json_pack("{s:s, s:s, s:{s:s}, s:[], s:o}", "name", "assessment", "mode", "remote", "judge",
                                 "bench", bench, "participants", "config",
                                 config != NULL ? json_incref(config) : json_object());
    const char *role;
    json_t *url;
    json_object_foreach((json_t *)participants, role, url)
    {
        if (!json_is_string(url)) {
            json_decref(document);
            return assay_error_set(error, ASSAY_ERR_INVALID, "participants.%s: must be an A2A URL string", role);
        }
        json_array_append_new(json_object_get(document, "participants"),
                              json_pack("{s:s, s:O}", "name", role, "url", url));
    }
    char *text = json_strict_dump_canonical(document);
    json_decref(document);
    if (text == NULL)
        return ASSAY_ERR_NOMEM;
    struct document *parsed = NULL;
    int status = document_parse("request.json", text, strlen(text), &parsed, error);
    assay_free(text);
    if (status != ASSAY_OK)
        return status;
    status = scenario_build(document_root(parsed), parsed, "request", out, error);
    document_free(parsed);
    /* config.privileged: the roles the judge may send the reference solution */
    const json_t *privileged = json_object_get(json_object_get(request, "config"), "privileged");
    size_t index;
    json_t *name;
    json_array_foreach(privileged, index, name)
    {
        int found = 0;
        for (size_t participant = 0; status == ASSAY_OK && participant < (*out)->participant_count; participant++)
            if (json_is_string(name) && strcmp((*out)->participants[participant].name, json_string_value(name)) == 0) {
                (*out)->participants[participant].privileged = 1;
                found = 1;
            }
        if (status == ASSAY_OK && !found) {
            scenario_free(*out);
            *out = NULL;
            status = assay_error_set(error, ASSAY_ERR_INVALID, "config.privileged: '%s' is not a participant role",
                                     json_is_string(name) ? json_string_value(name) : "?");
        }
    }
    return status;
}
