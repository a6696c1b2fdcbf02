/* local_transport.c — the in-process transport: an exchange that appends
 * to the caller's buffer and signals a condition variable when the answer
 * is in. The caller's thread waits, so the exchange can live on its stack
 * even when a worker finishes the call. */
#include <pthread.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"
#include "mcp/internal.h"
#include "mcp/local_transport.h"

struct mcp_local_session {
    struct mcp_server *server;
    struct mcp__session *session;
};

struct local_exchange {
    struct mcp__exchange base;
    pthread_mutex_t lock;
    pthread_cond_t finished;
    int done;
    int status;
    struct buffer *out;
};

static int append_line(struct local_exchange *exchange, const char *text, size_t length)
{
    pthread_mutex_lock(&exchange->lock);
    int status = buffer_append(exchange->out, text, length);
    if (status == ASSAY_OK)
        status = buffer_append(exchange->out, "\n", 1);
    pthread_mutex_unlock(&exchange->lock);
    return status;
}

static int local_send(struct mcp__exchange *base, const char *text, size_t length, int is_request)
{
    /* A request to the client: nobody can answer it while the caller waits. */
    if (is_request)
        return ASSAY_ERR_UNSUPPORTED;
    return append_line((struct local_exchange *)base, text, length);
}

static void local_finish(struct mcp__exchange *base, const char *text, size_t length, int success)
{
    struct local_exchange *exchange = (struct local_exchange *)base;
    int status = text != NULL ? append_line(exchange, text, length) : ASSAY_OK;
    pthread_mutex_lock(&exchange->lock);
    exchange->status = status;
    exchange->done = 1;
    pthread_cond_signal(&exchange->finished);
    pthread_mutex_unlock(&exchange->lock);
}

static struct mcp__exchange *local_detach(struct mcp__exchange *base)
{
    return base;
}

static const struct mcp__exchange_ops local_operations = {
    .send = local_send,
    .finish = local_finish,
    .detach = local_detach,
    .peer_gone = NULL,
};

int mcp_local_session_open(struct mcp_server *server, struct mcp_local_session **out)
{
    struct mcp_local_session *local = assay_calloc(1, sizeof *local);
    if (local == NULL)
        return ASSAY_ERR_NOMEM;
    int status = mcp__session_create(server, 0, &local->session);
    if (status != ASSAY_OK) {
        assay_free(local);
        return status;
    }
    mcp__server_mark_started(server);
    local->server = server;
    *out = local;
    return ASSAY_OK;
}

int mcp_local_session_send(struct mcp_local_session *local, const char *message, size_t length,
                           struct buffer *out)
{
    struct local_exchange exchange;
    memset(&exchange, 0, sizeof exchange);
    exchange.base.ops = &local_operations;
    exchange.out = out;
    pthread_mutex_init(&exchange.lock, NULL);
    pthread_cond_init(&exchange.finished, NULL);
    int answered = mcp__handle_text(local->server, local->session, message, length, &exchange.base);
    pthread_mutex_lock(&exchange.lock);
    while (answered && !exchange.done)
        pthread_cond_wait(&exchange.finished, &exchange.lock);
    int status = exchange.status;
    pthread_mutex_unlock(&exchange.lock);
    pthread_cond_destroy(&exchange.finished);
    pthread_mutex_destroy(&exchange.lock);
    return status;
}

void mcp_local_session_close(struct mcp_local_session *local)
{
    if (local == NULL)
        return;
    mcp__session_close(local->session);
    mcp__session_release(local->session);
    assay_free(local);
}
