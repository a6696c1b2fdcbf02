/* summary.c — computing a run's per-agent figures from its episodes.
 *
 * Each agent's scored episodes are sorted by task once; every per-task
 * figure (pass@k, the composition gap, clustering by task) then reads
 * consecutive groups, and parts of a composition are found by binary search,
 * so a summary costs O(n log n) in the episodes. */
#include "report/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "stats/intervals.h"
#include "stats/measures.h"

const char *report_interval_method_name(enum report_interval_method method)
{
    switch (method) {
    case REPORT_INTERVAL_WILSON: return "wilson";
    case REPORT_INTERVAL_NORMAL: return "normal";
    case REPORT_INTERVAL_FAMILY: return "clustered by task family";
    case REPORT_INTERVAL_TASK: return "clustered by task";
    case REPORT_INTERVAL_NONE: break;
    }
    return "none";
}

static double clip01(double value) { return value < 0 ? 0 : value > 1 ? 1 : value; }

static int by_task(const void *left, const void *right)
{
    const struct report_episode *a = *(const struct report_episode *const *)left;
    const struct report_episode *b = *(const struct report_episode *const *)right;
    return strcmp(a->task, b->task);
}

/* Wilson's interval for a proportion p over n clustered binary episodes,
 * with n replaced by the effective sample size n / deff, where the design
 * effect deff = SE_clustered^2 / (p(1-p)/n) is at least 1. Clustering can
 * only widen the interval; and unlike mean ± t SE it does not collapse to a
 * point when every episode agrees (all passed: the clustered SE is 0, but
 * 64 passes are not proof of a 100% rate). */
static void wilson_effective(double p, size_t n, double clustered_se, double *low, double *high)
{
    double binomial = p * (1 - p) / (double)n;
    double effect = binomial > 0 ? clustered_se * clustered_se / binomial : 1;
    double effective = (double)n / (effect > 1 ? effect : 1);
    const double z = 1.96;
    double denominator = 1 + z * z / effective;
    double centre = (p + z * z / (2 * effective)) / denominator;
    double half = z * sqrt(p * (1 - p) / effective + z * z / (4 * effective * effective)) / denominator;
    *low = clip01(centre - half);
    *high = clip01(centre + half);
}

/* The mean of the scored episodes in `list` and its 95% interval. The
 * method follows ../shared/brief/statistics.md: clustered standard errors
 * when tasks carry families (a task without one is its own cluster);
 * clustered by task when a task was tried more than once (its trials are not
 * independent); otherwise Wilson for 0/1 scores and the normal interval for
 * partial credit. Clustered 0/1 scores use Wilson with the effective sample
 * size (wilson_effective). */
static int estimate(const struct report_episode *const *list, size_t n, struct report_estimate *out)
{
    memset(out, 0, sizeof *out);
    out->count = n;
    out->low = 0;
    out->high = 1;
    if (n == 0)
        return ASSAY_OK;
    double *scores = assay_calloc(n, sizeof *scores);
    const char **keys = assay_calloc(n, sizeof *keys);
    if (scores == NULL || keys == NULL) {
        assay_free(scores);
        assay_free(keys);
        return ASSAY_ERR_NOMEM;
    }
    int binary = 1, families = 0, repeated = 0;
    size_t passed = 0;
    for (size_t index = 0; index < n; index++) {
        scores[index] = list[index]->score;
        binary &= scores[index] == 0 || scores[index] == 1;
        passed += scores[index] == 1;
        families |= list[index]->family != NULL;
        repeated |= index > 0 && strcmp(list[index]->task, list[index - 1]->task) == 0;
    }
    double sum = 0;
    for (size_t index = 0; index < n; index++)
        sum += scores[index];
    out->mean = sum / (double)n;
    if (n < 2) {
        out->method = REPORT_INTERVAL_NONE;
    } else if (families || repeated) {
        for (size_t index = 0; index < n; index++)
            keys[index] = families && list[index]->family != NULL ? list[index]->family : list[index]->task;
        struct stats_paired clustered;
        stats_paired_compare(scores, keys, n, &clustered);
        out->method = families ? REPORT_INTERVAL_FAMILY : REPORT_INTERVAL_TASK;
        out->clusters = clustered.clusters;
        if (clustered.clustered && binary) {
            wilson_effective(out->mean, n, clustered.standard_error, &out->low, &out->high);
        } else if (clustered.clustered) {
            out->low = clip01(clustered.low);
            out->high = clip01(clustered.high);
        } else { /* a single cluster: the data say nothing about between-cluster spread */
            out->method = REPORT_INTERVAL_NONE;
        }
    } else if (binary) {
        out->method = REPORT_INTERVAL_WILSON;
        stats_wilson_interval(passed, n, 1.96, &out->low, &out->high);
    } else {
        out->method = REPORT_INTERVAL_NORMAL;
        double mean;
        stats_mean_interval(scores, n, 1.96, &mean, &out->low, &out->high);
    }
    assay_free(scores);
    assay_free(keys);
    return ASSAY_OK;
}

static int has_tag(const struct report_episode *episode, const char *tag)
{
    for (size_t index = 0; index < episode->tag_count; index++)
        if (strcmp(episode->tags[index], tag) == 0)
            return 1;
    return 0;
}

/* A task's group among the agent's sorted scored episodes. */
struct task_group {
    const char *task;
    size_t first, count, passed;
    double mean;
};

static const struct task_group *find_group(const struct task_group *groups, size_t count, const char *task)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(groups[middle].task, task);
        if (order == 0)
            return &groups[middle];
        if (order < 0)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

static int per_task_figures(struct report_agent *agent, const struct report_episode *const *sorted, size_t n)
{
    struct task_group *groups = assay_calloc(n + 1, sizeof *groups);
    double *differences = assay_calloc(n + 1, sizeof *differences);
    if (groups == NULL || differences == NULL) {
        assay_free(groups);
        assay_free(differences);
        return ASSAY_ERR_NOMEM;
    }
    size_t group_count = 0;
    for (size_t index = 0; index < n; index++) {
        if (index == 0 || strcmp(sorted[index]->task, sorted[index - 1]->task) != 0)
            groups[group_count++] = (struct task_group){.task = sorted[index]->task, .first = index};
        struct task_group *group = &groups[group_count - 1];
        group->count++;
        group->passed += sorted[index]->passed != 0;
        group->mean += sorted[index]->score;
    }
    for (size_t index = 0; index < group_count; index++) {
        groups[index].mean /= (double)groups[index].count;
        if (groups[index].count > agent->max_trials)
            agent->max_trials = groups[index].count;
    }
    int status = ASSAY_OK;
    if (agent->max_trials > 0) {
        agent->pass_at = assay_calloc(agent->max_trials, sizeof *agent->pass_at);
        agent->pass_hat = assay_calloc(agent->max_trials, sizeof *agent->pass_hat);
        agent->pass_tasks = assay_calloc(agent->max_trials, sizeof *agent->pass_tasks);
        if (agent->pass_at == NULL || agent->pass_hat == NULL || agent->pass_tasks == NULL)
            status = ASSAY_ERR_NOMEM;
    }
    for (size_t k = 1; status == ASSAY_OK && k <= agent->max_trials; k++) {
        for (size_t index = 0; index < group_count; index++) {
            if (groups[index].count < k)
                continue; /* pass@k is not estimable from fewer than k trials */
            agent->pass_at[k - 1] += stats_pass_at_k(groups[index].count, groups[index].passed, k);
            agent->pass_hat[k - 1] += stats_pass_hat_k(groups[index].count, groups[index].passed, k);
            agent->pass_tasks[k - 1]++;
        }
        if (agent->pass_tasks[k - 1] > 0) {
            agent->pass_at[k - 1] /= (double)agent->pass_tasks[k - 1];
            agent->pass_hat[k - 1] /= (double)agent->pass_tasks[k - 1];
        }
    }
    /* composition gap: per composition, mean of its parts minus its own */
    for (size_t index = 0; index < group_count; index++) {
        const struct report_episode *first = sorted[groups[index].first];
        if (first->part_count == 0)
            continue;
        double parts = 0;
        size_t found = 0;
        for (size_t part = 0; part < first->part_count; part++) {
            const struct task_group *atomic = find_group(groups, group_count, first->parts[part]);
            if (atomic != NULL) {
                parts += atomic->mean;
                found++;
            }
        }
        if (found == first->part_count)
            differences[agent->compositions++] = parts / (double)found - groups[index].mean;
    }
    stats_paired_compare(differences, NULL, agent->compositions, &agent->gap);
    assay_free(groups);
    assay_free(differences);
    return status;
}

/* `mine` lists the agent's episodes (count of them). */
static int agent_figures(const struct report_summary *summary, struct report_agent *agent,
                         const struct report_episode *const *mine, size_t count)
{
    size_t n = 0, timed = 0;
    double seconds = 0;
    const struct report_episode **sorted = assay_calloc(count + 1, sizeof *sorted);
    const struct report_episode **tagged = assay_calloc(count + 1, sizeof *tagged);
    double *losses = assay_calloc(count + 1, sizeof *losses);
    double *tag_means = assay_calloc(summary->tag_count + 1, sizeof *tag_means);
    agent->capabilities = assay_calloc(summary->tag_count + 1, sizeof *agent->capabilities);
    int status = sorted && tagged && losses && tag_means && agent->capabilities ? ASSAY_OK : ASSAY_ERR_NOMEM;
    for (size_t index = 0; status == ASSAY_OK && index < count; index++) {
        const struct report_episode *episode = mine[index];
        agent->episodes++;
        if ((size_t)episode->error_class < STORE_ERROR_CLASS_COUNT)
            agent->errors[episode->error_class]++;
        if (episode->duration_ms > 0) {
            seconds += (double)episode->duration_ms / 1000;
            timed++;
        }
        if (!episode->scored) {
            agent->infrastructure++;
            continue;
        }
        agent->scored++;
        agent->passed += episode->passed != 0;
        losses[n] = 1 - episode->score;
        sorted[n++] = episode;
        if (episode->harm_checked) {
            agent->harm_probes++;
            agent->harm_caused += episode->harm_caused != 0;
        }
        if (episode->privacy_checked) {
            agent->privacy_probes++;
            agent->disclosing += episode->overshare_content + episode->overshare_behaviour > 0;
            agent->overshare_content += (size_t)(episode->overshare_content > 0 ? episode->overshare_content : 0);
            agent->overshare_behaviour +=
                (size_t)(episode->overshare_behaviour > 0 ? episode->overshare_behaviour : 0);
        }
    }
    agent->mean_seconds = timed > 0 ? seconds / (double)timed : 0;
    if (status == ASSAY_OK) {
        qsort(sorted, n, sizeof *sorted, by_task);
        status = estimate(sorted, n, &agent->score);
    }
    stats_wilson_interval(agent->passed, agent->scored, 1.96, &agent->pass_low, &agent->pass_high);
    for (size_t tag = 0; status == ASSAY_OK && tag < summary->tag_count; tag++) {
        size_t tagged_count = 0;
        for (size_t index = 0; index < n; index++)
            if (has_tag(sorted[index], summary->tags[tag]))
                tagged[tagged_count++] = sorted[index];
        status = estimate(tagged, tagged_count, &agent->capabilities[tag]);
        if (tagged_count > 0)
            tag_means[agent->harmony_tags++] = agent->capabilities[tag].mean;
    }
    if (status == ASSAY_OK) {
        agent->harmony = agent->harmony_tags > 0 ? stats_harmony(tag_means, agent->harmony_tags) : 0;
        agent->cvar90 = stats_cvar(losses, n, 0.9);
        status = per_task_figures(agent, sorted, n);
    }
    assay_free(sorted);
    assay_free(tagged);
    assay_free(losses);
    assay_free(tag_means);
    return status;
}

/* Index of `name` in `names`, appending it when new; -1 on no memory.
 * *hint (the last answer) is tried first: episodes of one agent or task
 * tend to come together. */
static long intern(char ***names, size_t *count, const char *name, long *hint)
{
    if (*hint >= 0 && (size_t)*hint < *count && strcmp((*names)[*hint], name) == 0)
        return *hint;
    for (size_t index = *count; index > 0; index--)
        if (strcmp((*names)[index - 1], name) == 0)
            return *hint = (long)index - 1;
    char **grown = assay_realloc(*names, (*count + 1) * sizeof *grown);
    if (grown == NULL)
        return -1;
    *names = grown;
    if ((grown[*count] = assay_strdup(name)) == NULL)
        return -1;
    return *hint = (long)(*count)++;
}

int report_summary_build(const struct report_episodes *episodes, const char *const *agents, size_t known_agents,
                         struct report_summary **out, struct assay_error *error)
{
    *out = NULL;
    struct report_summary *summary = assay_calloc(1, sizeof *summary);
    char **agent_names = NULL, **task_names = NULL;
    size_t agent_count = 0, task_count = 0;
    long agent_hint = -1, task_hint = -1, tag_hint = -1;
    size_t *agent_of = assay_calloc(episodes->count + 1, sizeof *agent_of);
    int status = summary != NULL && agent_of != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
    for (size_t index = 0; status == ASSAY_OK && agents != NULL && index < known_agents; index++)
        if (intern(&agent_names, &agent_count, agents[index], &agent_hint) < 0)
            status = ASSAY_ERR_NOMEM;
    for (size_t index = 0; status == ASSAY_OK && index < episodes->count; index++) {
        const struct report_episode *episode = &episodes->items[index];
        long agent = intern(&agent_names, &agent_count, episode->agent, &agent_hint);
        if (agent < 0 || intern(&task_names, &task_count, episode->task, &task_hint) < 0)
            status = ASSAY_ERR_NOMEM;
        agent_of[index] = agent < 0 ? 0 : (size_t)agent;
        for (size_t tag = 0; status == ASSAY_OK && tag < episode->tag_count; tag++)
            if (intern(&summary->tags, &summary->tag_count, episode->tags[tag], &tag_hint) < 0)
                status = ASSAY_ERR_NOMEM;
    }
    if (status == ASSAY_OK) {
        summary->tasks = task_count;
        summary->episodes = episodes->count;
        summary->agents = assay_calloc(agent_count + 1, sizeof *summary->agents);
        if (summary->agents == NULL)
            status = ASSAY_ERR_NOMEM;
    }
    /* each agent's episodes, grouped in one pass (a counting sort by agent) */
    size_t *start = assay_calloc(agent_count + 2, sizeof *start);
    const struct report_episode **grouped = assay_calloc(episodes->count + 1, sizeof *grouped);
    if (status == ASSAY_OK && (start == NULL || grouped == NULL))
        status = ASSAY_ERR_NOMEM;
    for (size_t index = 0; status == ASSAY_OK && index < episodes->count; index++)
        start[agent_of[index] + 2]++;
    for (size_t agent = 2; status == ASSAY_OK && agent < agent_count + 2; agent++)
        start[agent] += start[agent - 1];
    for (size_t index = 0; status == ASSAY_OK && index < episodes->count; index++)
        grouped[start[agent_of[index] + 1]++] = &episodes->items[index];
    for (size_t index = 0; status == ASSAY_OK && index < agent_count; index++) {
        summary->agents[index].name = agent_names[index];
        agent_names[index] = NULL;
        summary->agent_count++;
        status = agent_figures(summary, &summary->agents[index], grouped + start[index], start[index + 1] - start[index]);
    }
    assay_free(start);
    assay_free(grouped);
    assay_free(agent_of);
    for (size_t index = 0; index < agent_count; index++)
        assay_free(agent_names[index]);
    for (size_t index = 0; index < task_count; index++)
        assay_free(task_names[index]);
    assay_free(agent_names);
    assay_free(task_names);
    if (status != ASSAY_OK) {
        report_summary_free(summary);
        return assay_error_set(error, status, "out of memory summarising %zu episodes", episodes->count);
    }
    *out = summary;
    return ASSAY_OK;
}

const struct report_agent *report_summary_agent(const struct report_summary *summary, const char *name)
{
    for (size_t index = 0; summary != NULL && index < summary->agent_count; index++)
        if (strcmp(summary->agents[index].name, name) == 0)
            return &summary->agents[index];
    return NULL;
}

void report_summary_free(struct report_summary *summary)
{
    if (summary == NULL)
        return;
    for (size_t index = 0; summary->agents != NULL && index < summary->agent_count; index++) {
        struct report_agent *agent = &summary->agents[index];
        assay_free(agent->name);
        assay_free(agent->capabilities);
        assay_free(agent->pass_at);
        assay_free(agent->pass_hat);
        assay_free(agent->pass_tasks);
    }
    for (size_t index = 0; index < summary->tag_count; index++)
        assay_free(summary->tags[index]);
    assay_free(summary->tags);
    assay_free(summary->agents);
    assay_free(summary);
}
