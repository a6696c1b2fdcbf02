/* irt_store.c — builds an IRT response matrix from a results store's
 * episodes (see irt_store.h for the rules: agents are subjects, tasks are
 * items, infrastructure errors are skipped, repeated trials are folded by
 * majority with ties as failures).
 *
 * Owns nothing beyond the call: the store, the iterator, the builder and the
 * list of scored trials are all released before returning. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "report/irt_store.h"
#include "store/store.h"

static const char sqlite_prefix[] = "sqlite:";

int report_irt_input_is_store(const char *input)
{
    /* The header SQLite writes at offset 0 of every database file,
     * terminating NUL included. */
    static const char header[16] = "SQLite format 3";
    if (input == NULL)
        return 0;
    if (strncmp(input, sqlite_prefix, sizeof sqlite_prefix - 1) == 0)
        return 1;
    FILE *stream = fopen(input, "rb");
    if (stream == NULL)
        return 0;
    char first[16];
    size_t got = fread(first, 1, sizeof first, stream);
    fclose(stream);
    return got == sizeof first && memcmp(first, header, sizeof header) == 0;
}

/* ---- Runs ------------------------------------------------------------------ */

struct run_list {
    int64_t *ids;
    size_t count;
    size_t capacity;
    int status;
};

static int collect_run(void *context, const struct store_run *run)
{
    struct run_list *list = context;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 16 : list->capacity * 2;
        int64_t *ids = assay_realloc(list->ids, capacity * sizeof *ids);
        if (ids == NULL) {
            list->status = ASSAY_ERR_NOMEM;
            return 1; /* stops the walk */
        }
        list->ids = ids;
        list->capacity = capacity;
    }
    list->ids[list->count++] = run->id;
    return 0;
}

static int note_run(void *context, const struct store_run *run)
{
    (void)context;
    (void)run;
    return 0;
}

/* ---- Scored trials ---------------------------------------------------------- */

/* One scored episode, by builder indices. Kept as a flat list and sorted,
 * rather than in a subject × item table, so memory follows the number of
 * episodes however sparse the store is. */
struct trial {
    uint32_t subject;
    uint32_t item;
    unsigned char passed;
};

struct trial_list {
    struct trial *entries;
    size_t count;
    size_t capacity;
};

static int trial_list_add(struct trial_list *list, size_t subject, size_t item, int passed)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 1024 : list->capacity * 2;
        struct trial *entries = assay_realloc(list->entries, capacity * sizeof *entries);
        if (entries == NULL)
            return ASSAY_ERR_NOMEM;
        list->entries = entries;
        list->capacity = capacity;
    }
    list->entries[list->count++] =
        (struct trial){.subject = (uint32_t)subject, .item = (uint32_t)item, .passed = passed != 0};
    return ASSAY_OK;
}

static int compare_trials(const void *left_pointer, const void *right_pointer)
{
    const struct trial *left = left_pointer, *right = right_pointer;
    if (left->subject != right->subject)
        return left->subject < right->subject ? -1 : 1;
    if (left->item != right->item)
        return left->item < right->item ? -1 : 1;
    return 0;
}

/* Adds every scored episode of one run to the builder's ids and the list. */
static int read_run(struct store *store, int64_t run_id, struct irt_responses_builder *builder,
                    struct trial_list *trials, struct report_irt_store_summary *summary,
                    struct assay_error *error)
{
    struct store_episode_iterator *iterator = NULL;
    int status = store_episode_iterator_open(store, run_id, NULL, &iterator, error);
    struct store_episode episode;
    while (status == ASSAY_OK &&
           (status = store_episode_iterator_next(iterator, &episode, error)) == 1) {
        status = ASSAY_OK;
        summary->episodes++;
        /* An infrastructure failure says nothing about the agent; counting
         * it as a 0 would blame the agent for the harness. */
        if (episode.status == STORE_EPISODE_ERROR || isnan(episode.score)) {
            summary->infrastructure_skipped++;
            continue;
        }
        /* Ids are interned only for scored episodes, so an agent or task
         * seen only in infrastructure errors never becomes an empty row
         * (the fit would have nothing to estimate it from). */
        size_t subject, item;
        int added;
        status =
            irt_responses_builder_add_subject(builder, episode.participant_role, &subject, &added);
        if (status == ASSAY_OK)
            status = irt_responses_builder_add_item(builder, episode.task_id, &item, &added);
        if (status == ASSAY_OK)
            status = trial_list_add(trials, subject, item, episode.passed);
        if (status == ASSAY_ERR_NOMEM)
            assay_error_set(error, status, "out of memory reading run %lld", (long long)run_id);
        else if (status == ASSAY_ERR_LIMIT)
            assay_error_set(error, status, "run %lld has more tasks than the IRT matrix can hold",
                            (long long)run_id);
    }
    store_episode_iterator_close(iterator);
    return status < 0 ? status : ASSAY_OK;
}

/* Folds each (agent, task) group of the sorted list into one response. */
static int add_responses(struct irt_responses_builder *builder, struct trial_list *trials,
                         struct report_irt_store_summary *summary)
{
    if (trials->count > 1)
        qsort(trials->entries, trials->count, sizeof *trials->entries, compare_trials);
    size_t begin = 0;
    while (begin < trials->count) {
        size_t end = begin + 1, passed = trials->entries[begin].passed;
        while (end < trials->count &&
               compare_trials(&trials->entries[begin], &trials->entries[end]) == 0)
            passed += trials->entries[end++].passed;
        size_t count = end - begin;
        if (count > 1) {
            summary->aggregated_pairs++;
            summary->aggregated_trials += count;
            summary->aggregated_ties += 2 * passed == count;
        }
        /* Strict majority: the rounded pass rate, one half rounding down. */
        int value = 2 * passed > count;
        int status = irt_responses_builder_add_response(builder, trials->entries[begin].subject,
                                                        trials->entries[begin].item, value);
        if (status != ASSAY_OK)
            return status;
        summary->responses++;
        begin = end;
    }
    return ASSAY_OK;
}

/* ---- The matrix --------------------------------------------------------------- */

int report_irt_responses_from_store(const char *location, long long run_id,
                                    struct irt_responses **out,
                                    struct report_irt_store_summary *summary,
                                    struct assay_error *error)
{
    *out = NULL;
    struct report_irt_store_summary local = {0};
    struct report_irt_store_summary *counts = summary != NULL ? summary : &local;
    memset(counts, 0, sizeof *counts);
    if (location == NULL || location[0] == '\0')
        return assay_error_set(error, ASSAY_ERR_INVALID, "no results store named");
    if (run_id < 0)
        return assay_error_set(error, ASSAY_ERR_INVALID, "run %lld: a run id is a positive number",
                               run_id);
    const char *path = location;
    if (strncmp(path, sqlite_prefix, sizeof sqlite_prefix - 1) == 0)
        path += sizeof sqlite_prefix - 1;

    struct store *store = NULL;
    struct irt_responses_builder *builder = NULL;
    struct run_list runs = {0};
    struct trial_list trials = {0};
    int status = store_open_existing(location, &store, error);
    if (status != ASSAY_OK)
        goto done;
    if (run_id > 0) {
        status = store_run_get(store, run_id, note_run, NULL, error);
        if (status == ASSAY_ERR_NOT_FOUND) {
            assay_error_set(error, status, "%.200s has no run %lld", path, run_id);
            goto done;
        }
        struct store_run only = {.id = run_id};
        if (status == ASSAY_OK && collect_run(&runs, &only) != 0)
            status = runs.status;
    } else {
        status = store_runs_list(store, collect_run, &runs, error);
        if (status == 1)
            status = runs.status;
        if (status == ASSAY_OK && runs.count == 0) {
            status = assay_error_set(error, ASSAY_ERR_INVALID,
                                     "%.200s has no runs (assay run records them)", path);
            goto done;
        }
    }
    if (status == ASSAY_ERR_NOMEM)
        assay_error_set(error, status, "out of memory listing the runs of %.200s", path);
    if (status == ASSAY_OK)
        status = irt_responses_builder_create(&builder);
    if (status == ASSAY_ERR_NOMEM)
        assay_error_set(error, status, "out of memory");
    /* Oldest run first (the list is newest first), so agents and tasks
     * appear in the order they were first assessed. */
    for (size_t index = runs.count; status == ASSAY_OK && index > 0; index--) {
        status = read_run(store, runs.ids[index - 1], builder, &trials, counts, error);
        counts->runs += status == ASSAY_OK;
    }
    if (status != ASSAY_OK)
        goto done;
    if (trials.count == 0) {
        char which[64];
        if (run_id > 0)
            snprintf(which, sizeof which, "run %lld", run_id);
        else
            snprintf(which, sizeof which, "%zu run%s", runs.count, runs.count == 1 ? "" : "s");
        status = assay_error_set(error, ASSAY_ERR_INVALID,
                                 "%.160s, %s: no scored episodes (%zu episodes, %zu of them "
                                 "infrastructure errors)",
                                 path, which, counts->episodes, counts->infrastructure_skipped);
        goto done;
    }
    status = add_responses(builder, &trials, counts);
    if (status == ASSAY_OK)
        status = irt_responses_builder_finish(builder, out, error);
    else
        assay_error_set(error, status, "out of memory building the response matrix");
done:
    irt_responses_builder_free(builder);
    assay_free(trials.entries);
    assay_free(runs.ids);
    store_close(store);
    return status;
}

int report_irt_store_summary_format(const struct report_irt_store_summary *summary,
                                    struct buffer *out)
{
    int status = buffer_append_format(out, "%zu run%s, %zu episode%s", summary->runs,
                                      summary->runs == 1 ? "" : "s", summary->episodes,
                                      summary->episodes == 1 ? "" : "s");
    if (status == ASSAY_OK && summary->infrastructure_skipped > 0)
        status = buffer_append_format(out, ": %zu infrastructure error%s skipped",
                                      summary->infrastructure_skipped,
                                      summary->infrastructure_skipped == 1 ? "" : "s");
    if (status == ASSAY_OK)
        status = buffer_append_format(out, "; %zu agent-task pair%s", summary->responses,
                                      summary->responses == 1 ? "" : "s");
    if (status == ASSAY_OK && summary->aggregated_pairs > 0)
        status = buffer_append_format(
            out,
            ", %zu of them from several trials (%zu trials folded by majority; %zu tie%s "
            "counted as failed)",
            summary->aggregated_pairs, summary->aggregated_trials, summary->aggregated_ties,
            summary->aggregated_ties == 1 ? "" : "s");
    if (status == ASSAY_OK)
        status = buffer_append_string(out, "\n");
    return status;
}
