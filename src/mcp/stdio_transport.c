/* stdio_transport.c — newline-delimited JSON-RPC on two descriptors.
 *
 * The reading thread splits input into lines and hands each to the
 * dispatch; the connection itself is the exchange for inline requests
 * (answers are written before the next line is read), and worker calls get
 * a small detached exchange counted in `outstanding` so the end of input
 * can wait for them. Every write is one whole line under write_lock.
 *
 * Writes block SIGPIPE for the calling thread, so a client that goes away
 * yields EPIPE (the connection stops) instead of killing the process. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "jsonrpc/json_write.h"
#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"
#include "mcp/internal.h"
#include "mcp/stdio_transport.h"

int mcp__write_all(int fd, const char *data, size_t length)
{
    sigset_t block, previous;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &previous);
    int status = ASSAY_OK, saved_errno = 0;
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            saved_errno = errno;
            status = ASSAY_ERR_IO;
            break;
        }
        data += written;
        length -= (size_t)written;
    }
    if (saved_errno == EPIPE) {
        /* Consume the SIGPIPE raised for this thread before unblocking it. */
        sigset_t pending;
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE)) {
            struct timespec zero = {0, 0};
            sigtimedwait(&block, NULL, &zero);
        }
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    return status;
}

struct connection {
    struct mcp__exchange base; /* the exchange of inline requests */
    struct mcp_server *server;
    struct mcp__session *session;
    int output_fd;
    pthread_mutex_t write_lock;
    atomic_int output_broken;
    pthread_mutex_t lock;
    pthread_cond_t idle;
    unsigned outstanding; /* detached exchanges not yet finished */
};

struct detached {
    struct mcp__exchange base;
    struct connection *connection;
};

/* Writes text and a newline as one line, whole, under write_lock. */
static int write_line(struct connection *connection, const char *text, size_t length)
{
    int status = ASSAY_ERR_IO;
    pthread_mutex_lock(&connection->write_lock);
    if (!atomic_load(&connection->output_broken)) {
        struct iovec parts[2] = {{(void *)text, length}, {"\n", 1}};
        ssize_t written;
        do
            written = writev(connection->output_fd, parts, 2);
        while (written < 0 && errno == EINTR);
        if (written == (ssize_t)(length + 1))
            status = ASSAY_OK;
        else if (written >= 0 && (size_t)written < length)
            status = mcp__write_all(connection->output_fd, text + written,
                                    length - (size_t)written) == ASSAY_OK
                         ? mcp__write_all(connection->output_fd, "\n", 1)
                         : ASSAY_ERR_IO;
        else if (written == (ssize_t)length)
            status = mcp__write_all(connection->output_fd, "\n", 1);
        else if (errno != EPIPE)
            status = mcp__write_all(connection->output_fd, text, length) == ASSAY_OK
                         ? mcp__write_all(connection->output_fd, "\n", 1)
                         : ASSAY_ERR_IO;
        if (status != ASSAY_OK) {
            atomic_store(&connection->output_broken, 1);
            log_warning("mcp stdio: cannot write to the client; stopping");
        }
    }
    pthread_mutex_unlock(&connection->write_lock);
    return status;
}

static int write_message(struct connection *connection, json_t *message)
{
    struct buffer text = {0};
    int status = json_write_compact(message, &text);
    json_decref(message);
    if (status == ASSAY_OK)
        status = write_line(connection, text.data, text.length);
    buffer_free(&text);
    return status;
}

static int connection_send(struct mcp__exchange *base, const char *text, size_t length,
                           int is_request)
{
    return write_line((struct connection *)base, text, length);
}

static void connection_finish(struct mcp__exchange *base, const char *text, size_t length,
                              int success)
{
    if (text != NULL)
        write_line((struct connection *)base, text, length);
}

static int connection_peer_gone(struct mcp__exchange *base)
{
    return atomic_load(&((struct connection *)base)->output_broken);
}

static int detached_send(struct mcp__exchange *base, const char *text, size_t length,
                         int is_request)
{
    return write_line(((struct detached *)base)->connection, text, length);
}

static void detached_finish(struct mcp__exchange *base, const char *text, size_t length,
                            int success)
{
    struct detached *detached = (struct detached *)base;
    struct connection *connection = detached->connection;
    if (text != NULL)
        write_line(connection, text, length);
    pthread_mutex_lock(&connection->lock);
    connection->outstanding--;
    pthread_cond_broadcast(&connection->idle);
    pthread_mutex_unlock(&connection->lock);
    assay_free(detached);
}

static int detached_peer_gone(struct mcp__exchange *base)
{
    return atomic_load(&((struct detached *)base)->connection->output_broken);
}

static struct mcp__exchange *connection_detach(struct mcp__exchange *base);

static const struct mcp__exchange_ops connection_operations = {
    .send = connection_send,
    .finish = connection_finish,
    .detach = connection_detach,
    .peer_gone = connection_peer_gone,
};

static const struct mcp__exchange_ops detached_operations = {
    .send = detached_send,
    .finish = detached_finish,
    .detach = NULL, /* never detached twice */
    .peer_gone = detached_peer_gone,
};

static struct mcp__exchange *connection_detach(struct mcp__exchange *base)
{
    struct connection *connection = (struct connection *)base;
    struct detached *detached = assay_malloc(sizeof *detached);
    if (detached == NULL)
        return NULL;
    detached->base.ops = &detached_operations;
    detached->connection = connection;
    pthread_mutex_lock(&connection->lock);
    connection->outstanding++;
    pthread_mutex_unlock(&connection->lock);
    return &detached->base;
}

/* Unsolicited messages (called with the session lock held). */
static int push_line(void *context, const char *text, size_t length)
{
    if (text == NULL || length == 0)
        return ASSAY_OK; /* closing: nothing to tear down; keep-alive: a pipe needs none */
    return write_line(context, text, length);
}

static void handle_line(struct connection *connection, char *line, size_t length)
{
    if (length > 0 && line[length - 1] == '\r')
        length--;
    size_t start = 0;
    while (start < length && (line[start] == ' ' || line[start] == '\t'))
        start++;
    if (start == length)
        return; /* blank lines carry nothing */
    mcp__handle_text(connection->server, connection->session, line + start, length - start,
                     &connection->base);
}

static void refuse_oversized(struct connection *connection, size_t limit)
{
    json_t *error = jsonrpc_errorf(NULL, JSONRPC_PARSE_ERROR, NULL,
                                   "message longer than the limit of %zu bytes", limit);
    if (error != NULL)
        write_message(connection, error);
}

int mcp_stdio_serve(struct mcp_server *server, const struct mcp_stdio_options *options)
{
    struct mcp_stdio_options settings = {0, 1, -1, 0};
    if (options != NULL)
        settings = *options;
    if (settings.max_message_bytes == 0)
        settings.max_message_bytes = 4u << 20;

    struct connection connection;
    memset(&connection, 0, sizeof connection);
    connection.base.ops = &connection_operations;
    connection.server = server;
    connection.output_fd = settings.output_fd;
    atomic_init(&connection.output_broken, 0);
    int status = mcp__session_create(server, 0, &connection.session);
    if (status != ASSAY_OK)
        return status;
    pthread_mutex_init(&connection.write_lock, NULL);
    pthread_mutex_init(&connection.lock, NULL);
    pthread_cond_init(&connection.idle, NULL);
    mcp__server_mark_started(server);
    mcp__session_set_push(connection.session, push_line, &connection);

    struct buffer pending = {0};
    int discarding = 0, stopped = 0;
    char chunk[64 * 1024];
    for (;;) {
        if (atomic_load(&connection.output_broken))
            break;
        struct pollfd descriptors[2] = {{settings.input_fd, POLLIN, 0},
                                        {settings.stop_fd, POLLIN, 0}};
        int polled = poll(descriptors, settings.stop_fd >= 0 ? 2 : 1, -1);
        if (polled < 0) {
            if (errno == EINTR)
                continue;
            status = ASSAY_ERR_IO;
            break;
        }
        if (settings.stop_fd >= 0 && (descriptors[1].revents & (POLLIN | POLLHUP)) != 0) {
            stopped = 1;
            break;
        }
        ssize_t got = read(settings.input_fd, chunk, sizeof chunk);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            status = ASSAY_ERR_IO;
            break;
        }
        if (got == 0)
            break; /* the client closed its end: a normal goodbye */
        size_t offset = 0;
        while (offset < (size_t)got) {
            char *newline = memchr(chunk + offset, '\n', (size_t)got - offset);
            size_t segment =
                newline != NULL ? (size_t)(newline - (chunk + offset)) : (size_t)got - offset;
            if (!discarding && pending.length + segment > settings.max_message_bytes) {
                discarding = 1;
                buffer_reset(&pending);
            }
            if (!discarding && segment > 0 &&
                buffer_append(&pending, chunk + offset, segment) != ASSAY_OK) {
                discarding = 1;
                buffer_reset(&pending);
            }
            offset += segment;
            if (newline == NULL)
                break;
            offset++; /* the newline */
            if (discarding) {
                refuse_oversized(&connection, settings.max_message_bytes);
                discarding = 0;
            } else if (pending.length > 0) {
                handle_line(&connection, pending.data, pending.length);
            }
            buffer_reset(&pending);
        }
    }
    /* A last message without a newline still counts. */
    if (!discarding && pending.length > 0 && status == ASSAY_OK)
        handle_line(&connection, pending.data, pending.length);
    buffer_free(&pending);

    /* After a stop request, or when the client can no longer hear us,
     * running calls are cancelled; after a plain end of input they finish
     * and are answered (a script may pipe requests in and close). */
    if (stopped || atomic_load(&connection.output_broken))
        mcp__session_close(connection.session);
    pthread_mutex_lock(&connection.lock);
    while (connection.outstanding > 0)
        pthread_cond_wait(&connection.idle, &connection.lock);
    pthread_mutex_unlock(&connection.lock);
    mcp__session_close(connection.session);
    mcp__session_release(connection.session);
    pthread_cond_destroy(&connection.idle);
    pthread_mutex_destroy(&connection.lock);
    pthread_mutex_destroy(&connection.write_lock);
    return status;
}
