/* server.c — `assay serve`: access control, the store connection pool, the
 * generation-keyed answer cache, and dispatch to the API, pages and assets. */
#include "web/server.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"
#include "core/version.h"
#include "http/server.h"
#include "web/escape.h"
#include "web/request.h"

#define POOL_SIZE 64 /* at least --threads (at most 64); connections open on first use */
#define CACHE_ENTRIES 128
#define CACHE_MAX_BODY (8u << 20)   /* bigger answers are rendered each time */
#define CACHE_MAX_TOTAL (64u << 20) /* all cached bodies together */

struct cache_entry {
    char *key;
    int64_t generation;
    unsigned status;
    const char *content_type;
    char *body;
    size_t length;
    uint64_t used; /* LRU clock */
};

struct web_server {
    struct http_server *http;
    char *db;
    char *token;
    pthread_mutex_t lock; /* pool and cache */
    struct store *pool[POOL_SIZE];
    int busy[POOL_SIZE];
    struct cache_entry cache[CACHE_ENTRIES];
    size_t cache_bytes;
    uint64_t clock;
};

int web_address_is_loopback(const char *address)
{
    if (address == NULL || strcmp(address, "localhost") == 0 || strcmp(address, "::1") == 0)
        return 1;
    struct in_addr ipv4;
    return inet_pton(AF_INET, address, &ipv4) == 1 && (ntohl(ipv4.s_addr) >> 24) == 127;
}

/* ---- store pool ------------------------------------------------------------------ */

static struct store *pool_take(struct web_server *server, size_t *slot, struct assay_error *error)
{
    pthread_mutex_lock(&server->lock);
    size_t index = 0;
    while (index < POOL_SIZE && server->busy[index])
        index++;
    if (index < POOL_SIZE)
        server->busy[index] = 1;
    pthread_mutex_unlock(&server->lock);
    if (index == POOL_SIZE) {
        assay_error_set(error, ASSAY_ERR_LIMIT, "every store connection is busy");
        return NULL;
    }
    if (server->pool[index] == NULL && store_open_existing(server->db, &server->pool[index], error) != ASSAY_OK) {
        pthread_mutex_lock(&server->lock);
        server->busy[index] = 0;
        pthread_mutex_unlock(&server->lock);
        return NULL;
    }
    *slot = index;
    return server->pool[index];
}

static void pool_give(struct web_server *server, size_t slot)
{
    pthread_mutex_lock(&server->lock);
    server->busy[slot] = 0;
    pthread_mutex_unlock(&server->lock);
}

/* ---- cache --------------------------------------------------------------------------- */

/* Copies a cached answer for (key, generation) into answer; 1 when found. */
static int cache_find(struct web_server *server, const char *key, int64_t generation, struct web_answer *answer)
{
    int found = 0;
    pthread_mutex_lock(&server->lock);
    for (size_t index = 0; index < CACHE_ENTRIES && !found; index++) {
        struct cache_entry *entry = &server->cache[index];
        if (entry->key != NULL && entry->generation == generation && strcmp(entry->key, key) == 0) {
            entry->used = ++server->clock;
            answer->status = entry->status;
            answer->content_type = entry->content_type;
            found = buffer_append(&answer->body, entry->body, entry->length) == ASSAY_OK;
        }
    }
    pthread_mutex_unlock(&server->lock);
    return found;
}

static void cache_keep(struct web_server *server, const char *key, int64_t generation,
                       const struct web_answer *answer)
{
    if (answer->body.length > CACHE_MAX_BODY || answer->status >= 500)
        return;
    char *key_copy = assay_strdup(key);
    char *body = assay_malloc(answer->body.length + 1);
    if (key_copy == NULL || body == NULL) {
        assay_free(key_copy);
        assay_free(body);
        return;
    }
    memcpy(body, answer->body.data != NULL ? answer->body.data : "", answer->body.length);
    pthread_mutex_lock(&server->lock);
    /* evict the least recently used entries until there is a free slot and
     * the bytes fit */
    for (;;) {
        size_t victim = CACHE_ENTRIES, free_slot = CACHE_ENTRIES;
        for (size_t index = 0; index < CACHE_ENTRIES; index++) {
            if (server->cache[index].key == NULL)
                free_slot = free_slot == CACHE_ENTRIES ? index : free_slot;
            else if (victim == CACHE_ENTRIES || server->cache[index].used < server->cache[victim].used)
                victim = index;
        }
        if (free_slot != CACHE_ENTRIES && server->cache_bytes + answer->body.length <= CACHE_MAX_TOTAL) {
            server->cache[free_slot] = (struct cache_entry){
                .key = key_copy, .generation = generation, .status = answer->status,
                .content_type = answer->content_type, .body = body, .length = answer->body.length,
                .used = ++server->clock};
            server->cache_bytes += answer->body.length;
            break;
        }
        struct cache_entry *entry = &server->cache[victim];
        server->cache_bytes -= entry->length;
        assay_free(entry->key);
        assay_free(entry->body);
        memset(entry, 0, sizeof *entry);
    }
    pthread_mutex_unlock(&server->lock);
}

/* ---- access ------------------------------------------------------------------------- */

static int same_secret(const char *given, const char *secret)
{
    size_t given_length = strlen(given), secret_length = strlen(secret);
    unsigned char difference = given_length != secret_length;
    for (size_t index = 0; index < secret_length; index++)
        difference |= (unsigned char)(given[index < given_length ? index : 0] ^ secret[index]);
    return difference == 0;
}

/* The token of the request from the Authorization header, the assay_token
 * cookie, or ?token=; *from_query says it came from the query. */
static int authorised(struct web_server *server, struct http_request *request, int *from_query)
{
    *from_query = 0;
    const char *header = http_request_header(request, "Authorization");
    if (header != NULL && strncmp(header, "Bearer ", 7) == 0 && same_secret(header + 7, server->token))
        return 1;
    const char *cookies = http_request_header(request, "Cookie");
    for (const char *cursor = cookies; cursor != NULL && (cursor = strstr(cursor, "assay_token=")) != NULL;
         cursor++) {
        if (cursor != cookies && cursor[-1] != ' ' && cursor[-1] != ';')
            continue;
        char value[256];
        size_t length = strcspn(cursor + 12, "; ");
        if (length < sizeof value) {
            memcpy(value, cursor + 12, length);
            value[length] = '\0';
            if (same_secret(value, server->token))
                return 1;
        }
    }
    const char *query = http_request_query(request, "token");
    if (query != NULL && same_secret(query, server->token)) {
        *from_query = 1;
        return 1;
    }
    return 0;
}

/* ---- dispatch ---------------------------------------------------------------------- */

static void send_answer(struct http_request *request, const struct web_answer *answer, const char *etag)
{
    if (etag != NULL) {
        http_request_add_response_header(request, "ETag", etag);
        http_request_add_response_header(request, "Cache-Control", "no-cache");
    }
    http_request_add_response_header(request, "X-Content-Type-Options", "nosniff");
    http_respond(request, answer->status, answer->content_type, answer->body.data != NULL ? answer->body.data : "",
                 answer->body.length);
}

static void handle(struct http_request *request, void *context)
{
    struct web_server *server = context;
    const char *method = http_request_method(request);
    const char *path = http_request_path(request);
    int from_query = 0;
    if (server->token != NULL && !authorised(server, request, &from_query)) {
        http_request_add_response_header(request, "WWW-Authenticate", "Bearer realm=\"assay\"");
        http_respond_error(request, 401,
                           "this server needs its token: Authorization: Bearer TOKEN, or ?token=TOKEN once in a browser");
        return;
    }
    if (from_query) { /* keep links working without repeating the token in every URL */
        char cookie[320];
        snprintf(cookie, sizeof cookie, "assay_token=%s; Path=/; HttpOnly; SameSite=Strict", server->token);
        http_request_add_response_header(request, "Set-Cookie", cookie);
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        http_request_add_response_header(request, "Allow", "GET, HEAD");
        http_respond_error(request, 405, "assay serve is read-only: only GET and HEAD");
        return;
    }
    struct web_answer answer = {0};
    if (strncmp(path, "/assets/", 8) == 0) {
        const char *etag = "\"assets-" ASSAY_VERSION "\"";
        const char *match = http_request_header(request, "If-None-Match");
        if (web_asset_answer(path, &answer) != ASSAY_OK) {
            http_respond_error(request, 404, "no such asset");
        } else if (match != NULL && strcmp(match, etag) == 0) {
            http_request_add_response_header(request, "ETag", etag);
            http_respond(request, 304, NULL, "", 0);
        } else {
            send_answer(request, &answer, etag);
        }
        buffer_free(&answer.body);
        return;
    }
    struct web_query query = {
        .offset = http_request_query(request, "offset"), .limit = http_request_query(request, "limit"),
        .agent = http_request_query(request, "agent"), .tag = http_request_query(request, "tag"),
        .outcome = http_request_query(request, "outcome"), .error_class = http_request_query(request, "error_class"),
        .a = http_request_query(request, "a"), .b = http_request_query(request, "b")};
    struct assay_error error = {0};
    size_t slot = 0;
    struct store *store = pool_take(server, &slot, &error);
    int64_t generation = 0;
    /* one snapshot for the generation and everything the answer reads, so
     * the ETag names exactly what was shown, even during a live run */
    if (store == NULL || store_snapshot_begin(store, &error) != ASSAY_OK ||
        store_generation(store, &generation, &error) != ASSAY_OK) {
        if (store != NULL) {
            store_snapshot_end(store);
            pool_give(server, slot);
        }
        http_respond_error(request, 503, error.message);
        return;
    }
    /* the answer depends on the path, the parameters and the store's
     * generation only: one ETag per generation, and a cache keyed the same */
    struct buffer key = {0};
    /* each value percent-encoded, so no value can imitate a separator */
    const char *values[] = {query.offset, query.limit, query.agent, query.tag, query.outcome, query.error_class,
                            query.a, query.b};
    buffer_append_format(&key, "%s?", path);
    for (size_t index = 0; index < sizeof values / sizeof values[0]; index++) {
        buffer_append_string(&key, values[index] != NULL ? "&=" : "&");
        web_append_url_component(&key, values[index]);
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"g%llx-%s\"", (long long)generation, ASSAY_VERSION);
    const char *match = http_request_header(request, "If-None-Match");
    if (match != NULL && strcmp(match, etag) == 0) {
        store_snapshot_end(store);
        pool_give(server, slot);
        buffer_free(&key);
        http_request_add_response_header(request, "ETag", etag);
        http_request_add_response_header(request, "Cache-Control", "no-cache");
        http_respond(request, 304, NULL, "", 0);
        return;
    }
    if (key.data == NULL || !cache_find(server, key.data, generation, &answer)) {
        buffer_reset(&answer.body);
        if (strncmp(path, "/api/", 5) == 0)
            web_api_answer(store, path, &query, &answer);
        else
            web_page_answer(store, path, &query, &answer);
        if (key.data != NULL)
            cache_keep(server, key.data, generation, &answer);
    }
    store_snapshot_end(store);
    pool_give(server, slot);
    buffer_free(&key);
    send_answer(request, &answer, answer.status == 200 ? etag : NULL);
    buffer_free(&answer.body);
}

int web_server_start(const struct web_server_options *options, struct web_server **out, struct assay_error *error)
{
    *out = NULL;
    const char *bind = options->bind != NULL ? options->bind : "127.0.0.1";
    if (!web_address_is_loopback(bind) && (options->token == NULL || options->token[0] == '\0'))
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "binding to %s (not loopback) needs a token: --token TOKEN or ASSAY_SERVE_TOKEN", bind);
    if (options->token != NULL && (strlen(options->token) < 8 || strlen(options->token) > 200 ||
                                   strpbrk(options->token, "; \t\r\n\",") != NULL))
        return assay_error_set(error, ASSAY_ERR_INVALID,
                               "the token must be 8 to 200 characters without spaces, quotes, commas or semicolons");
    const char *db = options->db != NULL && options->db[0] != '\0' ? options->db : STORE_DEFAULT_LOCATION;
    struct web_server *server = assay_calloc(1, sizeof *server);
    if (server == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&server->lock, NULL);
    server->db = assay_strdup(db);
    server->token = options->token != NULL ? assay_strdup(options->token) : NULL;
    int status = ASSAY_OK;
    size_t slot;
    struct store *probe = pool_take(server, &slot, error); /* the store must open now, not at the first visit */
    if (probe == NULL)
        status = error != NULL && error->status != 0 ? error->status : ASSAY_ERR_IO;
    else
        pool_give(server, slot);
    struct http_server_options http = {.bind_address = bind, .port = options->port,
                                       .threads = options->threads > 0 ? options->threads : 2,
                                       .max_body_bytes = 64 * 1024};
    if (status == ASSAY_OK && (http_server_new(&http, &server->http) != ASSAY_OK ||
                               http_server_route(server->http, NULL, "/*", handle, server) != ASSAY_OK ||
                               http_server_start(server->http) != ASSAY_OK))
        status = assay_error_set(error, ASSAY_ERR_IO, "cannot listen on %s port %u", bind, options->port);
    if (status != ASSAY_OK) {
        web_server_free(server);
        return status;
    }
    *out = server;
    return ASSAY_OK;
}

unsigned short web_server_port(const struct web_server *server) { return http_server_port(server->http); }

void web_server_free(struct web_server *server)
{
    if (server == NULL)
        return;
    http_server_free(server->http);
    for (size_t index = 0; index < POOL_SIZE; index++)
        store_close(server->pool[index]);
    for (size_t index = 0; index < CACHE_ENTRIES; index++) {
        assay_free(server->cache[index].key);
        assay_free(server->cache[index].body);
    }
    pthread_mutex_destroy(&server->lock);
    assay_free(server->db);
    assay_free(server->token);
    assay_free(server);
}
