/* url.c — matching the final URL: the path contains (starts with, equals)
 * the expected segments, the query has the required parameters, the host
 * is the expected one. URLs are split by hand, not by a URL library,
 * because only these three parts matter and a relative URL ("/a?b=c") must
 * work as well as an absolute one. */
#include <string.h>

#include "core/memory.h"
#include "evaluate/internal.h"
#include "evaluate/text.h"

void evaluate__strings_free(char **strings, size_t count)
{
    if (strings == NULL)
        return;
    for (size_t index = 0; index < count; index++)
        assay_free(strings[index]);
    assay_free(strings);
}

int evaluate__url_split_path(const char *path, size_t length, char ***segments, size_t *count)
{
    *segments = NULL;
    *count = 0;
    struct buffer decoded = {0};
    int status = ASSAY_OK;
    size_t start = 0;
    while (start <= length && status == ASSAY_OK) {
        size_t end = start;
        while (end < length && path[end] != '/')
            end++;
        if (end > start) {
            buffer_reset(&decoded);
            status = evaluate_text_percent_decode(path + start, end - start, 0, &decoded);
            char **grown =
                status == ASSAY_OK ? assay_realloc(*segments, (*count + 1) * sizeof *grown) : NULL;
            if (grown == NULL) {
                status = ASSAY_ERR_NOMEM;
                break;
            }
            *segments = grown;
            grown[*count] = assay_strndup(decoded.data, decoded.length);
            if (grown[*count] == NULL) {
                status = ASSAY_ERR_NOMEM;
                break;
            }
            (*count)++;
        }
        start = end + 1;
    }
    buffer_free(&decoded);
    if (status != ASSAY_OK) {
        evaluate__strings_free(*segments, *count);
        *segments = NULL;
        *count = 0;
    }
    return status;
}

struct url_parts {
    const char *host;
    size_t host_length;
    const char *path;
    size_t path_length;
    const char *query;
    size_t query_length;
};

/* scheme://authority/path?query#fragment, //authority/path, or a bare
 * path; the userinfo and port are dropped from the host. */
static void split_url(const char *url, struct url_parts *parts)
{
    memset(parts, 0, sizeof *parts);
    size_t length = strcspn(url, "#");
    size_t position = 0;
    size_t scheme = 0;
    while (scheme < length && ((url[scheme] >= 'a' && url[scheme] <= 'z') ||
                               (url[scheme] >= 'A' && url[scheme] <= 'Z') ||
                               (scheme > 0 && ((url[scheme] >= '0' && url[scheme] <= '9') ||
                                               strchr("+.-", url[scheme]) != NULL))))
        scheme++;
    if (scheme > 0 && length - scheme >= 3 && memcmp(url + scheme, "://", 3) == 0)
        position = scheme + 1;
    if (length - position >= 2 && url[position] == '/' && url[position + 1] == '/') {
        size_t authority = position + 2;
        size_t end = authority;
        while (end < length && url[end] != '/' && url[end] != '?')
            end++;
        size_t host = authority;
        for (size_t index = authority; index < end; index++)
            if (url[index] == '@')
                host = index + 1;
        size_t host_end = host;
        if (host < end && url[host] == '[') {
            while (host_end < end && url[host_end] != ']')
                host_end++;
            if (host_end < end)
                host_end++;
        } else {
            while (host_end < end && url[host_end] != ':')
                host_end++;
        }
        parts->host = url + host;
        parts->host_length = host_end - host;
        position = end;
    }
    size_t question = position;
    while (question < length && url[question] != '?')
        question++;
    parts->path = url + position;
    parts->path_length = question - position;
    if (question < length) {
        parts->query = url + question + 1;
        parts->query_length = length - question - 1;
    }
}

static int path_matches(const struct evaluate__url *url, char **actual, size_t actual_count)
{
    size_t expected_count = url->segment_count;
    if (url->path_match == EVALUATE__PATH_EXACT && actual_count != expected_count)
        return 0;
    if (expected_count > actual_count)
        return 0;
    size_t last_start =
        url->path_match == EVALUATE__PATH_CONTAINS ? actual_count - expected_count : 0;
    for (size_t start = 0; start <= last_start; start++) {
        size_t index = 0;
        while (index < expected_count && strcmp(actual[start + index], url->segments[index]) == 0)
            index++;
        if (index == expected_count)
            return 1;
    }
    return 0;
}

/* Looks for name (=value) among the query's parameters; *seen receives
 * the first value found for name (owned, NULL when the name is absent). */
static int find_parameter(const struct url_parts *parts,
                          const struct evaluate__url_parameter *parameter, int *found, char **seen)
{
    *found = 0;
    *seen = NULL;
    struct buffer name = {0}, value = {0};
    int status = ASSAY_OK;
    size_t start = 0;
    while (start < parts->query_length && !*found && status == ASSAY_OK) {
        size_t end = start;
        while (end < parts->query_length && parts->query[end] != '&' && parts->query[end] != ';')
            end++;
        size_t equals = start;
        while (equals < end && parts->query[equals] != '=')
            equals++;
        buffer_reset(&name);
        buffer_reset(&value);
        status = evaluate_text_percent_decode(parts->query + start, equals - start, 1, &name);
        if (status == ASSAY_OK && equals < end)
            status = evaluate_text_percent_decode(parts->query + equals + 1, end - equals - 1, 1,
                                                  &value);
        const char *decoded_name = name.data != NULL ? name.data : "";
        const char *decoded_value = value.data != NULL ? value.data : "";
        if (status == ASSAY_OK && strcmp(decoded_name, parameter->name) == 0 &&
            name.length == strlen(parameter->name)) {
            if (parameter->value == NULL || (strcmp(decoded_value, parameter->value) == 0 &&
                                             value.length == strlen(parameter->value)))
                *found = 1;
            else if (*seen == NULL && (*seen = assay_strdup(decoded_value)) == NULL)
                status = ASSAY_ERR_NOMEM;
        }
        start = end + 1;
    }
    buffer_free(&name);
    buffer_free(&value);
    return status;
}

static int host_matches(const struct evaluate__url *url, const struct url_parts *parts)
{
    if (url->host == NULL)
        return 1;
    if (parts->host_length != strlen(url->host))
        return 0;
    for (size_t index = 0; index < parts->host_length; index++) {
        char character = parts->host[index];
        if (character >= 'A' && character <= 'Z')
            character = (char)(character + 32);
        if (character != url->host[index])
            return 0;
    }
    return 1;
}

static int append_path(char **segments, size_t count, struct buffer *reason)
{
    int status = ASSAY_OK;
    if (count == 0)
        return buffer_append_string(reason, "\"/\"");
    status = buffer_append_string(reason, "\"");
    for (size_t index = 0; index < count && status == ASSAY_OK; index++) {
        status = buffer_append_string(reason, "/");
        if (status == ASSAY_OK)
            status = evaluate__append_text(segments[index], reason);
    }
    if (status == ASSAY_OK)
        status = buffer_append_string(reason, "\"");
    return status;
}

int evaluate__url_run(const struct evaluate__url *url, const char *final_url, double *score,
                      struct buffer *reason, json_t *details)
{
    *score = 0;
    if (final_url == NULL)
        return buffer_append_string(reason, "the episode has no final URL");
    struct url_parts parts;
    split_url(final_url, &parts);
    char **segments = NULL;
    size_t segment_count = 0;
    char *seen = NULL;
    int status = evaluate__url_split_path(parts.path, parts.path_length, &segments, &segment_count);
    if (status != ASSAY_OK)
        return status;
    if (!host_matches(url, &parts)) {
        status = buffer_append_format(reason, "URL host \"%.*s\" is not \"%s\"",
                                      (int)(parts.host_length > 80 ? 80 : parts.host_length),
                                      parts.host != NULL ? parts.host : "", url->host);
        goto done;
    }
    if (!path_matches(url, segments, segment_count)) {
        static const char *const verbs[] = {"does not contain", "does not start with", "is not"};
        status = buffer_append_string(reason, "URL path ");
        if (status == ASSAY_OK)
            status = append_path(segments, segment_count, reason);
        if (status == ASSAY_OK)
            status = buffer_append_format(reason, " %s ", verbs[url->path_match]);
        if (status == ASSAY_OK)
            status = append_path(url->segments, url->segment_count, reason);
        goto done;
    }
    for (size_t index = 0; index < url->parameter_count; index++) {
        const struct evaluate__url_parameter *parameter = &url->parameters[index];
        int found;
        assay_free(seen);
        status = find_parameter(&parts, parameter, &found, &seen);
        if (status != ASSAY_OK)
            goto done;
        if (found)
            continue;
        status = buffer_append_format(reason, "URL query parameter \"%s\" ", parameter->name);
        if (status == ASSAY_OK && seen == NULL)
            status = buffer_append_string(reason, "is missing");
        else if (status == ASSAY_OK) {
            status = buffer_append_string(reason, "is ");
            if (status == ASSAY_OK)
                status = evaluate__quote_text(seen, reason);
            if (status == ASSAY_OK)
                status = buffer_append_string(reason, ", expected ");
            if (status == ASSAY_OK)
                status = evaluate__quote_text(parameter->value, reason);
        }
        goto done;
    }
    *score = 1;
    status = buffer_append_string(reason, "URL path ");
    if (status == ASSAY_OK)
        status = append_path(segments, segment_count, reason);
    if (status == ASSAY_OK)
        status = buffer_append_format(
            reason, " matches%s",
            url->parameter_count > 0 ? " and has the required query parameters" : "");
done:
    (void)details;
    assay_free(seen);
    evaluate__strings_free(segments, segment_count);
    return status;
}
