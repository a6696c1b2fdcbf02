/* client.c — libcurl multi interface driven by one event thread.
 *
 * Calls enter through a queue guarded by the client lock; the thread adds
 * them to the multi handle, drives transfers with curl_multi_poll (woken by
 * curl_multi_wakeup when a call is queued or cancelled) and signals each
 * call's condition variable when it ends. One thread serves thousands of
 * concurrent transfers; the cost per call is one easy handle plus buffers.
 */
#include "http/client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/memory.h"

struct http_call {
    struct http_client *client;
    struct http_call *next; /* in the client's queue or active list */
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    char curl_error[CURL_ERROR_SIZE];
    size_t max_response_bytes;
    int (*on_data)(const char *bytes, size_t length, void *context);
    int (*on_response)(long http_status, const char *content_type, void *context);
    int response_announced;
    void *context;
    pthread_mutex_t lock;
    pthread_cond_t finished;
    int done;
    atomic_int cancel_requested;
    int over_limit;
    size_t streamed_bytes;
    atomic_int references; /* caller's and the event thread's */
    struct http_client_response response;
};

struct http_client {
    CURLM *multi;
    pthread_t thread;
    pthread_mutex_t lock;
    struct http_call *queued;
    struct http_call *active;
    int stopping;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_initialise(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static void call_release(struct http_call *call)
{
    if (atomic_fetch_sub(&call->references, 1) != 1)
        return;
    if (call->easy != NULL)
        curl_easy_cleanup(call->easy);
    curl_slist_free_all(call->headers);
    assay_free(call->body);
    http_client_response_free(&call->response);
    pthread_cond_destroy(&call->finished);
    pthread_mutex_destroy(&call->lock);
    assay_free(call);
}

static void call_complete(struct http_call *call, int status, const char *message)
{
    if (call->easy != NULL)
        curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &call->response.http_status);
    call->response.status = status;
    if (status != ASSAY_OK && message != NULL)
        snprintf(call->response.error_message, sizeof call->response.error_message, "%s", message);
    pthread_mutex_lock(&call->lock);
    call->done = 1;
    pthread_cond_broadcast(&call->finished);
    pthread_mutex_unlock(&call->lock);
    call_release(call);
}

static size_t receive_body(char *bytes, size_t size, size_t count, void *context)
{
    struct http_call *call = context;
    size_t length = size * count;
    if (atomic_load(&call->cancel_requested))
        return 0;
    if (call->on_data != NULL) {
        if (call->on_response != NULL && !call->response_announced) {
            call->response_announced = 1;
            long http_status = 0;
            char *content_type = NULL;
            curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &http_status);
            curl_easy_getinfo(call->easy, CURLINFO_CONTENT_TYPE, &content_type);
            if (call->on_response(http_status, content_type, call->context) != 0) {
                atomic_store(&call->cancel_requested, 1);
                return 0;
            }
        }
        /* streamed bodies obey the size limit too, counted as they pass */
        call->streamed_bytes += length;
        if (call->streamed_bytes > call->max_response_bytes) {
            call->over_limit = 1;
            return 0;
        }
        if (call->on_data(bytes, length, call->context) != 0) {
            atomic_store(&call->cancel_requested, 1);
            return 0;
        }
        return length;
    }
    if (call->response.body.length + length > call->max_response_bytes) {
        call->over_limit = 1;
        return 0;
    }
    return buffer_append(&call->response.body, bytes, length) == ASSAY_OK ? length : 0;
}

static size_t receive_header(char *bytes, size_t size, size_t count, void *context)
{
    struct http_call *call = context;
    size_t length = size * count;
    /* Keep only the final response's headers (not those of a 100 Continue). */
    if (length >= 5 && memcmp(bytes, "HTTP/", 5) == 0)
        buffer_reset(&call->response.headers);
    if (call->response.headers.length + length > (1u << 20))
        return 0;
    return buffer_append(&call->response.headers, bytes, length) == ASSAY_OK ? length : 0;
}

static void finish_transfer(struct http_client *client, CURL *easy, CURLcode code)
{
    struct http_call *call = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&call);
    curl_multi_remove_handle(client->multi, easy);
    pthread_mutex_lock(&client->lock);
    for (struct http_call **link = &client->active; *link != NULL; link = &(*link)->next)
        if (*link == call) {
            *link = call->next;
            break;
        }
    pthread_mutex_unlock(&client->lock);

    char message[256];
    int status = ASSAY_OK;
    if (code == CURLE_OK) {
        call_complete(call, ASSAY_OK, NULL);
        return;
    }
    if (call->over_limit) {
        status = ASSAY_ERR_LIMIT;
        snprintf(message, sizeof message, "response larger than the limit of %zu bytes",
                 call->max_response_bytes);
    } else if (atomic_load(&call->cancel_requested)) {
        status = ASSAY_ERR_CANCELED;
        snprintf(message, sizeof message, "request cancelled");
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
        status = ASSAY_ERR_TIMEOUT;
        snprintf(message, sizeof message, "timed out: %.200s",
                 call->curl_error[0] ? call->curl_error : curl_easy_strerror(code));
    } else {
        status = ASSAY_ERR_IO;
        snprintf(message, sizeof message, "%.200s",
                 call->curl_error[0] ? call->curl_error : curl_easy_strerror(code));
    }
    call_complete(call, status, message);
}

static void *client_thread(void *context)
{
    struct http_client *client = context;
    for (;;) {
        pthread_mutex_lock(&client->lock);
        int stopping = client->stopping;
        struct http_call *queued = client->queued;
        client->queued = NULL;
        while (queued != NULL) {
            struct http_call *call = queued;
            queued = call->next;
            if (stopping || atomic_load(&call->cancel_requested)) {
                pthread_mutex_unlock(&client->lock);
                call_complete(call, ASSAY_ERR_CANCELED, "request cancelled");
                pthread_mutex_lock(&client->lock);
                continue;
            }
            curl_multi_add_handle(client->multi, call->easy);
            call->next = client->active;
            client->active = call;
        }
        /* Cancelled or abandoned transfers leave the multi handle here. */
        struct http_call *cancelled = NULL;
        for (struct http_call **link = &client->active; *link != NULL;) {
            struct http_call *call = *link;
            if (stopping || atomic_load(&call->cancel_requested)) {
                *link = call->next;
                call->next = cancelled;
                cancelled = call;
            } else {
                link = &call->next;
            }
        }
        pthread_mutex_unlock(&client->lock);
        while (cancelled != NULL) {
            struct http_call *call = cancelled;
            cancelled = call->next;
            curl_multi_remove_handle(client->multi, call->easy);
            call_complete(call, ASSAY_ERR_CANCELED, "request cancelled");
        }
        if (stopping)
            break;

        int running = 0;
        curl_multi_perform(client->multi, &running);
        CURLMsg *message;
        int remaining;
        while ((message = curl_multi_info_read(client->multi, &remaining)) != NULL)
            if (message->msg == CURLMSG_DONE)
                finish_transfer(client, message->easy_handle, message->data.result);
        curl_multi_poll(client->multi, NULL, 0, 1000, NULL);
    }
    return NULL;
}

int http_client_new(struct http_client **out)
{
    pthread_once(&global_once, global_initialise);
    struct http_client *client = assay_calloc(1, sizeof *client);
    if (client == NULL)
        return ASSAY_ERR_NOMEM;
    client->multi = curl_multi_init();
    if (client->multi == NULL) {
        assay_free(client);
        return ASSAY_ERR_NOMEM;
    }
    /* Many concurrent calls to one agent should share few connections only
     * when the peer allows it; let curl open as many as needed. */
    curl_multi_setopt(client->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    curl_multi_setopt(client->multi, CURLMOPT_MAXCONNECTS, 1024L);
    pthread_mutex_init(&client->lock, NULL);
    if (pthread_create(&client->thread, NULL, client_thread, client) != 0) {
        pthread_mutex_destroy(&client->lock);
        curl_multi_cleanup(client->multi);
        assay_free(client);
        return ASSAY_ERR_IO;
    }
    *out = client;
    return ASSAY_OK;
}

void http_client_free(struct http_client *client)
{
    if (client == NULL)
        return;
    pthread_mutex_lock(&client->lock);
    client->stopping = 1;
    pthread_mutex_unlock(&client->lock);
    curl_multi_wakeup(client->multi);
    pthread_join(client->thread, NULL);
    curl_multi_cleanup(client->multi);
    pthread_mutex_destroy(&client->lock);
    assay_free(client);
}

int http_client_start(struct http_client *client, const struct http_client_request *request,
                      struct http_call **out)
{
    struct http_call *call = assay_calloc(1, sizeof *call);
    if (call == NULL)
        return ASSAY_ERR_NOMEM;
    pthread_mutex_init(&call->lock, NULL);
    pthread_cond_init(&call->finished, NULL);
    atomic_init(&call->references, 2);
    atomic_init(&call->cancel_requested, 0);
    call->client = client;
    call->on_data = request->on_data;
    call->on_response = request->on_response;
    call->context = request->context;
    call->max_response_bytes =
        request->max_response_bytes != 0 ? request->max_response_bytes : (64u << 20);
    call->easy = curl_easy_init();
    if (call->easy == NULL)
        goto fail;
    CURL *easy = call->easy;
    curl_easy_setopt(easy, CURLOPT_URL, request->url);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, call);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, call->curl_error);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, receive_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, call);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, receive_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, call);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     request->connect_timeout_ms > 0 ? request->connect_timeout_ms : 10000L);
    if (request->timeout_ms > 0)
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, request->timeout_ms);
    if (request->idle_timeout_ms > 0) {
        curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, (request->idle_timeout_ms + 999) / 1000);
    }
    const char *method = request->method;
    if (method == NULL)
        method = request->body != NULL ? "POST" : "GET";
    if (request->body != NULL) {
        call->body = assay_malloc(request->body_length + 1);
        if (call->body == NULL)
            goto fail;
        memcpy(call->body, request->body, request->body_length);
        call->body[request->body_length] = '\0';
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call->body);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_length);
    }
    if (strcmp(method, "GET") != 0 && !(strcmp(method, "POST") == 0 && request->body != NULL))
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
    /* curl adds "Expect: 100-continue" for large bodies, costing a round trip. */
    call->headers = curl_slist_append(NULL, "Expect:");
    for (const char *const *header = request->headers; header != NULL && *header != NULL; header++)
        call->headers = curl_slist_append(call->headers, *header);
    if (call->headers == NULL)
        goto fail;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, call->headers);

    pthread_mutex_lock(&client->lock);
    call->next = client->queued;
    client->queued = call;
    pthread_mutex_unlock(&client->lock);
    curl_multi_wakeup(client->multi);
    *out = call;
    return ASSAY_OK;
fail:
    atomic_store(&call->references, 1);
    call_release(call);
    return ASSAY_ERR_NOMEM;
}

const struct http_client_response *http_call_wait(struct http_call *call)
{
    pthread_mutex_lock(&call->lock);
    while (!call->done)
        pthread_cond_wait(&call->finished, &call->lock);
    pthread_mutex_unlock(&call->lock);
    return &call->response;
}

void http_call_cancel(struct http_call *call)
{
    atomic_store(&call->cancel_requested, 1);
    curl_multi_wakeup(call->client->multi);
}

void http_call_free(struct http_call *call)
{
    if (call == NULL)
        return;
    pthread_mutex_lock(&call->lock);
    int done = call->done;
    pthread_mutex_unlock(&call->lock);
    if (!done) {
        http_call_cancel(call);
        http_call_wait(call);
    }
    call_release(call);
}

int http_client_fetch(struct http_client *client, const struct http_client_request *request,
                      struct http_client_response *response)
{
    memset(response, 0, sizeof *response);
    struct http_call *call = NULL;
    int status = http_client_start(client, request, &call);
    if (status != ASSAY_OK) {
        response->status = status;
        snprintf(response->error_message, sizeof response->error_message, "%s",
                 assay_strerror(status));
        return status;
    }
    http_call_wait(call);
    /* Move the response out of the call so it outlives it. */
    *response = call->response;
    memset(&call->response, 0, sizeof call->response);
    http_call_free(call);
    return response->status;
}

void http_client_response_free(struct http_client_response *response)
{
    if (response == NULL)
        return;
    buffer_free(&response->body);
    buffer_free(&response->headers);
}

int http_client_response_header(const struct http_client_response *response, const char *name,
                                char *out, size_t size)
{
    size_t name_length = strlen(name);
    const char *cursor = response->headers.data;
    if (cursor == NULL || size == 0)
        return 0;
    while (*cursor != '\0') {
        const char *end = strchr(cursor, '\n');
        size_t line_length = end != NULL ? (size_t)(end - cursor) : strlen(cursor);
        if (line_length > name_length && cursor[name_length] == ':' &&
            strncasecmp(cursor, name, name_length) == 0) {
            const char *value = cursor + name_length + 1;
            while (*value == ' ' || *value == '\t')
                value++;
            size_t value_length = line_length - (size_t)(value - cursor);
            while (value_length > 0 && (value[value_length - 1] == '\r' || value[value_length - 1] == ' '))
                value_length--;
            if (value_length >= size)
                value_length = size - 1;
            memcpy(out, value, value_length);
            out[value_length] = '\0';
            return 1;
        }
        if (end == NULL)
            break;
        cursor = end + 1;
    }
    return 0;
}
