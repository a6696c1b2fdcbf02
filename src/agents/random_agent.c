/* random_agent.c — the random baseline: valid tool calls chosen by a seeded
 * generator. "Valid" means the calls are well-formed and aimed at elements
 * the page shows (links and buttons clicked, textboxes typed into), so the
 * agent measures what blind but legal play scores, not how a server copes
 * with garbage.
 *
 * Reproducibility: the generator is seeded from (seed, task id) only and the
 * environment is deterministic, so one seed and task always give the same
 * calls. Plan: list the tools, open one of the three sites, then up to
 * RANDOM_MAX_ROUNDS rounds of read + act, then answer with a random word;
 * the rounds are cut so that the whole plan fits the step budget. */
#include "agents/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "stats/random.h"

#define RANDOM_MIN_ROUNDS   3
#define RANDOM_MAX_ROUNDS   12
#define RANDOM_MAX_ELEMENTS 256

static const char *const sites[] = {"http://shop.local/", "http://mail.local/",
                                    "http://calendar.local/"};
static const char *const words[] = {
    "blue", "mug", "hello", "2026-12-01", "12:30", "sam.lee@mail.local", "3", "yes"};
#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

struct element {
    int number;
    int textbox;
};

/* Elements are lines "[N] kind \"label\"..." in the page text. */
static size_t parse_elements(const char *page, struct element *elements, size_t capacity)
{
    size_t count = 0;
    for (const char *line = page; line != NULL && *line != '\0' && count < capacity;) {
        if (line[0] == '[') {
            char *end = NULL;
            long number = strtol(line + 1, &end, 10);
            if (end != NULL && end[0] == ']' && end[1] == ' ' && number > 0 && number < 100000) {
                elements[count].number = (int)number;
                elements[count].textbox = strncmp(end + 2, "textbox ", 8) == 0;
                count++;
            }
        }
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return count;
}

static int offers(const json_t *tools, const char *name)
{
    size_t index;
    const json_t *tool;
    json_array_foreach(tools, index, tool)
    {
        const char *tool_name = json_string_value(json_object_get(tool, "name"));
        if (tool_name != NULL && strcmp(tool_name, name) == 0)
            return 1;
    }
    return 0;
}

static uint64_t task_hash(const char *text)
{
    uint64_t hash = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (; *text != '\0'; text++)
        hash = (hash ^ (unsigned char)*text) * 0x100000001b3ULL;
    return hash;
}

int agent__random_play(struct agent_episode *episode, uint64_t seed, struct buffer *summary,
                       struct assay_error *error)
{
    struct stats_random random;
    stats_random_seed(&random, seed ^ stats_random_mix(task_hash(episode->request->task_id)));
    json_t *tools = NULL;
    struct buffer text = {0};
    struct element *elements = NULL;
    int status = agent__episode_list_tools(episode, &tools, error);
    if (status != ASSAY_OK)
        goto done;
    int can_answer = offers(tools, "answer");
    if (!offers(tools, "open") || !offers(tools, "read")) {
        status = assay_error_set(error, ASSAY_ERR_UNSUPPORTED,
                                 "the environment offers no open and read tools to play with");
        goto done;
    }
    long budget = episode->request->steps;
    if (budget < 1 + can_answer) {
        status = assay_error_set(error, ASSAY_ERR_LIMIT,
                                 "the step budget of %ld steps is too small to play", budget);
        goto done;
    }
    long rounds = RANDOM_MIN_ROUNDS +
                  (long)stats_random_below(&random, RANDOM_MAX_ROUNDS - RANDOM_MIN_ROUNDS + 1);
    long fit = (budget - 1 - can_answer) / 2; /* open + rounds x (read, act) + answer */
    if (rounds > fit)
        rounds = fit;
    elements = assay_calloc(RANDOM_MAX_ELEMENTS, sizeof *elements);
    if (elements == NULL) {
        status = assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
        goto done;
    }
    int refused = 0;
    const char *site = sites[stats_random_below(&random, COUNT(sites))];
    status = agent__episode_call(episode, "open", json_pack("{s:s}", "url", site), &text, &refused,
                                 error);
    long clicks = 0, typed = 0;
    for (long round = 0; status == ASSAY_OK && round < rounds; round++) {
        status = agent__episode_call(episode, "read", NULL, &text, &refused, error);
        if (status != ASSAY_OK)
            break;
        size_t count = parse_elements(text.data, elements, RANDOM_MAX_ELEMENTS);
        if (count == 0)
            break;
        const struct element *chosen = &elements[stats_random_below(&random, count)];
        if (chosen->textbox && offers(tools, "type")) {
            const char *word = words[stats_random_below(&random, COUNT(words))];
            status = agent__episode_call(
                episode, "type", json_pack("{s:i, s:s}", "element", chosen->number, "text", word),
                &text, &refused, error);
            typed++;
        } else if (!chosen->textbox && offers(tools, "click")) {
            status =
                agent__episode_call(episode, "click", json_pack("{s:i}", "element", chosen->number),
                                    &text, &refused, error);
            clicks++;
        }
    }
    if (status == ASSAY_OK && can_answer)
        status = agent__episode_call(
            episode, "answer",
            json_pack("{s:s}", "text", words[stats_random_below(&random, COUNT(words))]), &text,
            &refused, error);
    if (status == ASSAY_OK)
        status = buffer_append_format(summary,
                                      "random: opened %s, %ld clicks, %ld words typed%s, "
                                      "%ld steps",
                                      site, clicks, typed, can_answer ? ", answered" : "",
                                      episode->steps_used);
done:
    assay_free(elements);
    buffer_free(&text);
    json_decref(tools);
    return status;
}
