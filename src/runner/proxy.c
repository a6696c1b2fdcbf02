/* proxy.c — forwarding, recording and budgets for proxy mode. A request is
 * deferred on the event thread and forwarded by a short-lived thread, so the
 * event thread never waits on the agent. */
#include "runner/proxy.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/buffer.h"
#include "core/memory.h"
#include "http/client.h"
#include "http/server.h"
#include "jsonrpc/json_strict.h"

struct recording {
    struct recording *next;
    char token[48];
    json_t *exchanges;  /* array */
    json_t *task_ids;   /* object: task id -> true */
    long messages;
    long long first_ms;
};

struct proxy {
    struct proxy_options options;
    char *target;
    char *token;
    char url[64];
    struct http_server *server;
    struct http_client *client;
    pthread_mutex_t lock;
    struct recording *recordings;
    int active_forwards;
    pthread_cond_t idle;
};

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* The episode token of a request: the assay data part's mcp.token, or via a
 * task id seen in an earlier reply (call with the lock held). */
static struct recording *recording_for(struct proxy *proxy, const json_t *request)
{
    const json_t *params = json_object_get(request, "params");
    const json_t *message = json_object_get(params, "message");
    size_t index;
    json_t *part;
    json_array_foreach(json_object_get(message, "parts"), index, part)
    {
        const char *token =
            json_string_value(json_object_get(json_object_get(json_object_get(json_object_get(part, "data"), "assay"),
                                                              "mcp"),
                                              "token"));
        if (token == NULL)
            continue;
        for (struct recording *recording = proxy->recordings; recording != NULL; recording = recording->next)
            if (strcmp(recording->token, token) == 0)
                return recording;
        struct recording *recording = assay_calloc(1, sizeof *recording);
        if (recording == NULL)
            return NULL;
        snprintf(recording->token, sizeof recording->token, "%s", token);
        recording->exchanges = json_array();
        recording->task_ids = json_object();
        recording->first_ms = now_ms();
        recording->next = proxy->recordings;
        proxy->recordings = recording;
        return recording;
    }
    const char *task_id = json_string_value(json_object_get(message, "taskId"));
    if (task_id == NULL)
        task_id = json_string_value(json_object_get(params, "id"));
    for (struct recording *recording = proxy->recordings; task_id != NULL && recording != NULL;
         recording = recording->next)
        if (json_object_get(recording->task_ids, task_id) != NULL)
            return recording;
    return NULL;
}

struct forward {
    struct proxy *proxy;
    struct http_request *request;
    char *body;
    size_t length;
};

static void *forward_thread(void *argument)
{
    struct forward *forward = argument;
    struct proxy *proxy = forward->proxy;
    char authorization[300] = "";
    if (proxy->token != NULL)
        snprintf(authorization, sizeof authorization, "Authorization: Bearer %s", proxy->token);
    const char *headers[] = {"Content-Type: application/json", "A2A-Version: 1.0",
                             authorization[0] ? authorization : NULL, NULL};
    struct http_client_request upstream = {.method = "POST", .url = proxy->target, .headers = headers,
                                           .body = forward->body, .body_length = forward->length,
                                           .timeout_ms = (long)(proxy->options.max_seconds * 1000) + 5000,
                                           .max_response_bytes = 16u << 20};
    struct http_client_response response;
    int status = http_client_fetch(proxy->client, &upstream, &response);
    json_t *request = json_strict_parse(forward->body, forward->length, 64, NULL);
    json_t *reply = status == ASSAY_OK ? json_strict_parse(response.body.data ? response.body.data : "",
                                                           response.body.length, 64, NULL)
                                       : NULL;
    pthread_mutex_lock(&proxy->lock);
    struct recording *recording = recording_for(proxy, request);
    if (recording != NULL) {
        const char *task_id = json_string_value(
            json_object_get(json_object_get(json_object_get(reply, "result"), "task"), "id"));
        if (task_id != NULL)
            json_object_set_new(recording->task_ids, task_id, json_true());
        json_array_append_new(recording->exchanges,
                              json_pack("{s:O?, s:O?, s:I, s:I}", "request", request, "response", reply, "status",
                                        (json_int_t)response.http_status, "at_ms", (json_int_t)now_ms()));
    }
    pthread_mutex_unlock(&proxy->lock);
    if (status == ASSAY_OK)
        http_respond(forward->request, (unsigned)response.http_status,
                     "application/json", response.body.data ? response.body.data : "", response.body.length);
    else
        http_respond_error(forward->request, 502, response.error_message);
    json_decref(request);
    json_decref(reply);
    http_client_response_free(&response);
    assay_free(forward->body);
    assay_free(forward);
    pthread_mutex_lock(&proxy->lock);
    if (--proxy->active_forwards == 0)
        pthread_cond_broadcast(&proxy->idle);
    pthread_mutex_unlock(&proxy->lock);
    return NULL;
}

static void respond_budget_exceeded(struct http_request *request, const json_t *id, const char *why)
{
    char body[400];
    char *id_text = id != NULL ? json_dumps(id, JSON_ENCODE_ANY) : NULL;
    int length = snprintf(body, sizeof body,
                          "{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{\"code\":-32603,\"message\":\"budget exceeded: %s\"}}",
                          id_text != NULL ? id_text : "null", why);
    free(id_text);
    http_respond(request, 200, "application/json", body, (size_t)length);
}

static void proxy_post(struct http_request *request, void *context)
{
    struct proxy *proxy = context;
    size_t length = 0;
    const char *body = http_request_body(request, &length);
    json_t *parsed = json_strict_parse(body, length, 64, NULL);
    pthread_mutex_lock(&proxy->lock);
    struct recording *recording = parsed != NULL ? recording_for(proxy, parsed) : NULL;
    const char *exceeded = NULL;
    if (recording != NULL) {
        recording->messages++;
        if (recording->messages > proxy->options.max_messages)
            exceeded = "too many messages in this episode";
        else if ((double)(now_ms() - recording->first_ms) / 1000.0 > proxy->options.max_seconds)
            exceeded = "the episode's time is up";
        if (exceeded != NULL)
            json_array_append_new(recording->exchanges, json_pack("{s:O, s:s, s:I}", "request", parsed, "refused",
                                                                  exceeded, "at_ms", (json_int_t)now_ms()));
    }
    pthread_mutex_unlock(&proxy->lock);
    if (exceeded != NULL) {
        respond_budget_exceeded(request, json_object_get(parsed, "id"), exceeded);
        json_decref(parsed);
        return;
    }
    json_decref(parsed);
    struct forward *forward = assay_calloc(1, sizeof *forward);
    if (forward == NULL || (forward->body = assay_strndup(body, length)) == NULL) {
        assay_free(forward);
        http_respond_error(request, 503, "out of memory");
        return;
    }
    forward->proxy = proxy;
    forward->request = request;
    forward->length = length;
    http_request_defer(request);
    pthread_mutex_lock(&proxy->lock);
    proxy->active_forwards++;
    pthread_mutex_unlock(&proxy->lock);
    pthread_t thread;
    if (pthread_create(&thread, NULL, forward_thread, forward) != 0) {
        pthread_mutex_lock(&proxy->lock);
        proxy->active_forwards--;
        pthread_mutex_unlock(&proxy->lock);
        http_respond_error(request, 503, "cannot forward now");
        assay_free(forward->body);
        assay_free(forward);
        return;
    }
    pthread_detach(thread);
}

static void proxy_card(struct http_request *request, void *context)
{
    struct proxy *proxy = context;
    char url[600];
    snprintf(url, sizeof url, "%s%s.well-known/agent-card.json", proxy->target,
             proxy->target[strlen(proxy->target) - 1] == '/' ? "" : "/");
    struct http_client_request upstream = {.url = url, .timeout_ms = 10000, .max_response_bytes = 1u << 20};
    struct http_client_response response;
    json_t *card = NULL;
    if (http_client_fetch(proxy->client, &upstream, &response) == ASSAY_OK && response.http_status == 200)
        card = json_strict_parse(response.body.data ? response.body.data : "", response.body.length, 64, NULL);
    http_client_response_free(&response);
    if (!json_is_object(card)) {
        json_decref(card);
        http_respond_error(request, 502, "the agent behind this proxy did not give an agent card");
        return;
    }
    /* the judge must only ever see the proxy's address */
    size_t index;
    json_t *interface;
    json_array_foreach(json_object_get(card, "supportedInterfaces"), index, interface)
        json_object_set_new(interface, "url", json_string(proxy->url));
    struct buffer text = {0};
    json_strict_dump(card, &text);
    http_respond(request, 200, "application/json", text.data ? text.data : "{}", text.length);
    buffer_free(&text);
    json_decref(card);
}

int proxy_start(const struct proxy_options *options, struct proxy **out, struct assay_error *error)
{
    *out = NULL;
    struct proxy *proxy = assay_calloc(1, sizeof *proxy);
    if (proxy == NULL)
        return ASSAY_ERR_NOMEM;
    proxy->options = *options;
    if (proxy->options.max_messages <= 0)
        proxy->options.max_messages = 100;
    if (proxy->options.max_seconds <= 0)
        proxy->options.max_seconds = 600;
    proxy->target = assay_strdup(options->target);
    proxy->token = options->bearer_token != NULL ? assay_strdup(options->bearer_token) : NULL;
    pthread_mutex_init(&proxy->lock, NULL);
    pthread_cond_init(&proxy->idle, NULL);
    struct http_server_options server_options = {.max_streams_per_client = 4096, .idle_timeout_seconds = 600};
    int status = proxy->target != NULL ? http_client_new(&proxy->client) : ASSAY_ERR_NOMEM;
    if (status == ASSAY_OK)
        status = http_server_new(&server_options, &proxy->server);
    if (status == ASSAY_OK)
        status = http_server_route(proxy->server, "GET", "/.well-known/agent-card.json", proxy_card, proxy);
    if (status == ASSAY_OK)
        status = http_server_route(proxy->server, "POST", "/*", proxy_post, proxy);
    if (status == ASSAY_OK)
        status = http_server_start(proxy->server);
    if (status != ASSAY_OK) {
        proxy_free(proxy);
        return assay_error_set(error, status, "cannot start the recording proxy for %s", options->target);
    }
    snprintf(proxy->url, sizeof proxy->url, "http://127.0.0.1:%u/", http_server_port(proxy->server));
    *out = proxy;
    return ASSAY_OK;
}

const char *proxy_url(const struct proxy *proxy) { return proxy->url; }

json_t *proxy_take_recording(struct proxy *proxy, const char *token)
{
    json_t *exchanges = NULL;
    pthread_mutex_lock(&proxy->lock);
    for (struct recording **link = &proxy->recordings; *link != NULL; link = &(*link)->next)
        if (strcmp((*link)->token, token) == 0) {
            struct recording *recording = *link;
            *link = recording->next;
            exchanges = recording->exchanges;
            json_decref(recording->task_ids);
            assay_free(recording);
            break;
        }
    pthread_mutex_unlock(&proxy->lock);
    return exchanges;
}

void proxy_free(struct proxy *proxy)
{
    if (proxy == NULL)
        return;
    /* forwards in flight hold the server's requests: let them finish */
    pthread_mutex_lock(&proxy->lock);
    while (proxy->active_forwards > 0)
        pthread_cond_wait(&proxy->idle, &proxy->lock);
    pthread_mutex_unlock(&proxy->lock);
    http_server_free(proxy->server);
    http_client_free(proxy->client);
    while (proxy->recordings != NULL) {
        struct recording *next = proxy->recordings->next;
        json_decref(proxy->recordings->exchanges);
        json_decref(proxy->recordings->task_ids);
        assay_free(proxy->recordings);
        proxy->recordings = next;
    }
    pthread_cond_destroy(&proxy->idle);
    pthread_mutex_destroy(&proxy->lock);
    assay_free(proxy->target);
    assay_free(proxy->token);
    assay_free(proxy);
}
