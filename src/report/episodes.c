/* episodes.c — collecting the episodes a report is computed from. */
#include "report/episodes.h"

#include <math.h>
#include <string.h>

#include "core/memory.h"

static char **copy_strings(char *const *strings, size_t count, int *failed)
{
    if (count == 0)
        return NULL;
    char **copy = assay_calloc(count, sizeof *copy);
    if (copy == NULL) {
        *failed = 1;
        return NULL;
    }
    for (size_t index = 0; index < count; index++)
        if ((copy[index] = assay_strdup(strings[index])) == NULL)
            *failed = 1;
    return copy;
}

static void free_strings(char **strings, size_t count)
{
    for (size_t index = 0; strings != NULL && index < count; index++)
        assay_free(strings[index]);
    assay_free(strings);
}

static void episode_release(struct report_episode *episode)
{
    assay_free(episode->agent);
    assay_free(episode->task);
    assay_free(episode->family);
    free_strings(episode->tags, episode->tag_count);
    free_strings(episode->parts, episode->part_count);
}

int report_episodes_add(struct report_episodes *set, const struct report_episode *episode,
                        struct assay_error *error)
{
    if (set->count == set->capacity) {
        size_t capacity = set->capacity ? 2 * set->capacity : 64;
        struct report_episode *grown = assay_realloc(set->items, capacity * sizeof *grown);
        if (grown == NULL)
            return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory collecting episodes");
        set->items = grown;
        set->capacity = capacity;
    }
    struct report_episode *copy = &set->items[set->count];
    *copy = *episode;
    int failed = 0;
    copy->agent = assay_strdup(episode->agent != NULL ? episode->agent : "");
    copy->task = assay_strdup(episode->task != NULL ? episode->task : "");
    copy->family = episode->family != NULL ? assay_strdup(episode->family) : NULL;
    copy->tags = copy_strings(episode->tags, episode->tag_count, &failed);
    copy->parts = copy_strings(episode->parts, episode->part_count, &failed);
    if (failed || copy->agent == NULL || copy->task == NULL || (episode->family != NULL && copy->family == NULL)) {
        episode_release(copy);
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory collecting episodes");
    }
    set->count++;
    return ASSAY_OK;
}

void report_episode_read_safety(struct report_episode *episode, const json_t *verdict)
{
    const json_t *safety = json_object_get(verdict, "safety");
    if (json_is_true(json_object_get(safety, "harm_checked"))) {
        episode->harm_checked = 1;
        episode->harm_caused = json_is_true(json_object_get(safety, "harm_caused"));
    }
    const json_t *oversharing = json_object_get(safety, "oversharing");
    if (json_is_object(oversharing)) {
        episode->privacy_checked = 1;
        episode->overshare_content = (long)json_integer_value(json_object_get(oversharing, "content"));
        episode->overshare_behaviour = (long)json_integer_value(json_object_get(oversharing, "behaviour"));
    }
}

/* A JSON array of strings as a string list; anything else is an empty list
 * (the store validated the JSON when it was written). */
static char **strings_of(const char *json_text, size_t *count, json_t **holder)
{
    *count = 0;
    *holder = json_text != NULL ? json_loads(json_text, 0, NULL) : NULL;
    if (!json_is_array(*holder) || json_array_size(*holder) == 0)
        return NULL;
    char **strings = assay_calloc(json_array_size(*holder), sizeof *strings);
    size_t index;
    json_t *item;
    json_array_foreach(*holder, index, item)
    {
        if (strings != NULL && json_is_string(item))
            strings[(*count)++] = (char *)json_string_value(item);
    }
    return strings;
}

int report_episodes_from_store(struct store *store, int64_t run_id, struct report_episodes *set,
                               struct assay_error *error)
{
    struct store_episode_iterator *iterator = NULL;
    struct store_episode row;
    int status = store_episode_iterator_open(store, run_id, NULL, &iterator, error);
    while (status == ASSAY_OK && (status = store_episode_iterator_next(iterator, &row, error)) == 1) {
        json_t *tags_holder = NULL, *parts_holder = NULL, *verdict = NULL;
        struct report_episode episode = {
            .id = row.id,
            .agent = (char *)row.participant_role,
            .task = (char *)row.task_id,
            .family = (char *)row.task_family,
            .trial = (long)row.trial,
            .scored = row.status != STORE_EPISODE_ERROR && isfinite(row.score),
            .score = row.score,
            .passed = row.passed != 0,
            .error_class = row.error_class,
            .duration_ms = row.duration_ms,
            .steps = row.steps,
            .human_minutes = row.task_human_minutes,
        };
        episode.tags = strings_of(row.task_tags_json, &episode.tag_count, &tags_holder);
        episode.parts = strings_of(row.task_parts_json, &episode.part_count, &parts_holder);
        /* most verdicts carry no safety figures: parse only those that may */
        if (row.verdicts_json != NULL &&
            (strstr(row.verdicts_json, "harm_checked") != NULL || strstr(row.verdicts_json, "oversharing") != NULL) &&
            (verdict = json_loads(row.verdicts_json, 0, NULL)) != NULL)
            report_episode_read_safety(&episode, verdict);
        status = report_episodes_add(set, &episode, error);
        assay_free(episode.tags);
        assay_free(episode.parts);
        json_decref(tags_holder);
        json_decref(parts_holder);
        json_decref(verdict);
    }
    store_episode_iterator_close(iterator);
    return status < 0 ? status : ASSAY_OK;
}

void report_episodes_free(struct report_episodes *set)
{
    for (size_t index = 0; set->items != NULL && index < set->count; index++)
        episode_release(&set->items[index]);
    assay_free(set->items);
    memset(set, 0, sizeof *set);
}
