/* compare.c — the paired comparison of two agents within a run. */
#include "report/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buffer.h"
#include "core/memory.h"

struct task_sums {
    const char *task, *family;
    double sum[2];
    size_t count[2];
};

static int by_name(const void *left, const void *right)
{
    return strcmp(((const struct task_sums *)left)->task, ((const struct task_sums *)right)->task);
}

int report_compare(const struct report_episodes *episodes, const char *a, const char *b,
                   struct report_comparison *out, struct assay_error *error)
{
    memset(out, 0, sizeof *out);
    const char *names[2] = {a, b};
    size_t seen[2] = {0, 0}, count = 0;
    struct task_sums *tasks = assay_calloc(episodes->count + 1, sizeof *tasks);
    if (tasks == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory comparing %s and %s", a, b);
    /* one row per (task, side) episode, merged after sorting by task */
    for (size_t index = 0; index < episodes->count; index++) {
        const struct report_episode *episode = &episodes->items[index];
        for (int side = 0; side < 2; side++) {
            if (strcmp(episode->agent, names[side]) != 0)
                continue;
            seen[side]++;
            if (!episode->scored)
                continue; /* infrastructure errors are not scores */
            struct task_sums *row = &tasks[count++];
            row->task = episode->task;
            row->family = episode->family;
            row->sum[side] = episode->score;
            row->count[side] = 1;
            break;
        }
    }
    if (seen[0] == 0 || seen[1] == 0) {
        assay_free(tasks);
        return assay_error_set(error, ASSAY_ERR_NOT_FOUND, "the run has no episodes of '%s'",
                               seen[0] == 0 ? a : b);
    }
    qsort(tasks, count, sizeof *tasks, by_name);
    size_t merged = 0;
    for (size_t index = 0; index < count; index++) {
        if (merged > 0 && strcmp(tasks[merged - 1].task, tasks[index].task) == 0) {
            for (int side = 0; side < 2; side++) {
                tasks[merged - 1].sum[side] += tasks[index].sum[side];
                tasks[merged - 1].count[side] += tasks[index].count[side];
            }
        } else {
            tasks[merged++] = tasks[index];
        }
    }
    double *differences = assay_calloc(merged + 1, sizeof *differences);
    const char **families = assay_calloc(merged + 1, sizeof *families);
    out->tasks = assay_calloc(merged + 1, sizeof *out->tasks);
    int status = differences && families && out->tasks ? ASSAY_OK : ASSAY_ERR_NOMEM;
    size_t with_family = 0;
    for (size_t index = 0; status == ASSAY_OK && index < merged; index++) {
        if (tasks[index].count[0] == 0 || tasks[index].count[1] == 0)
            continue;
        struct report_task_pair *pair = &out->tasks[out->task_count];
        pair->a = tasks[index].sum[0] / (double)tasks[index].count[0];
        pair->b = tasks[index].sum[1] / (double)tasks[index].count[1];
        double d = pair->a - pair->b;
        pair->outcome = d > 1e-9 ? 1 : d < -1e-9 ? -1 : 0;
        out->wins += pair->outcome > 0;
        out->losses += pair->outcome < 0;
        out->ties += pair->outcome == 0;
        if ((pair->task = assay_strdup(tasks[index].task)) == NULL)
            status = ASSAY_ERR_NOMEM;
        families[out->task_count] = tasks[index].family;
        with_family += tasks[index].family != NULL;
        differences[out->task_count++] = d;
    }
    if (status == ASSAY_OK) {
        stats_paired_compare(differences, with_family == out->task_count ? families : NULL, out->task_count,
                             &out->paired);
        struct buffer sentence = {0};
        if (stats_paired_sentence(&out->paired, a, b, &sentence) != ASSAY_OK ||
            (out->sentence = buffer_detach(&sentence)) == NULL)
            status = ASSAY_ERR_NOMEM;
        buffer_free(&sentence);
    }
    assay_free(tasks);
    assay_free(differences);
    assay_free(families);
    if (status != ASSAY_OK) {
        report_comparison_release(out);
        return assay_error_set(error, status, "out of memory comparing %s and %s", a, b);
    }
    return ASSAY_OK;
}

void report_comparison_release(struct report_comparison *comparison)
{
    for (size_t index = 0; comparison->tasks != NULL && index < comparison->task_count; index++)
        assay_free(comparison->tasks[index].task);
    assay_free(comparison->tasks);
    assay_free(comparison->sentence);
    memset(comparison, 0, sizeof *comparison);
}

json_t *report_comparison_json(const struct report_comparison *comparison, long long run_id, const char *a,
                               const char *b, int per_task)
{
    const struct stats_paired *paired = &comparison->paired;
    json_t *document = json_pack(
        "{s:I, s:s, s:s, s:I, s:f, s:f, s:[f,f], s:s, s:I, s:f, s:b, s:I, s:I, s:I, s:s}", "run",
        (json_int_t)run_id, "a", a, "b", b, "tasks", (json_int_t)paired->tasks, "difference", paired->difference,
        "standard_error", paired->standard_error, "ci95", paired->low, paired->high, "standard_error_kind",
        paired->clustered ? "clustered by family" : "paired", "clusters", (json_int_t)paired->clusters,
        "minimum_detectable_difference", paired->minimum_detectable, "excludes_zero", paired->excludes_zero, "wins",
        (json_int_t)comparison->wins, "losses", (json_int_t)comparison->losses, "ties", (json_int_t)comparison->ties,
        "sentence", comparison->sentence != NULL ? comparison->sentence : "");
    if (document != NULL && per_task) {
        json_t *rows = json_array();
        static const char *const outcomes[] = {"loss", "tie", "win"};
        for (size_t index = 0; index < comparison->task_count; index++) {
            const struct report_task_pair *pair = &comparison->tasks[index];
            json_array_append_new(rows, json_pack("{s:s, s:f, s:f, s:s}", "task", pair->task, "a", pair->a, "b",
                                                  pair->b, "outcome", outcomes[pair->outcome + 1]));
        }
        json_object_set_new(document, "per_task", rows);
    }
    return document;
}
