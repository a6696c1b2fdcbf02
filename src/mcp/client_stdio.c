/* client_stdio.c — the client's stdio transport: a child process (or two
 * descriptors the caller opened) speaking newline-delimited JSON-RPC.
 *
 * A reader thread owns the child's output: it matches responses to the
 * waiting requests by id (each waiter has its own condition variable) and
 * routes everything else through mcp__client_incoming, writing answers to
 * server requests itself. Writers take write_lock so lines never interleave.
 *
 * Closing follows the specification's order: close the child's stdin, give
 * it a second to exit, then SIGTERM, then SIGKILL, and always reap it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"
#include "jsonrpc/json_strict.h"
#include "mcp/client_internal.h"
#include "mcp/internal.h"

extern char **environ;

#define MAX_LINE_BYTES (64u << 20)
#define GRACE_MS       1000

struct pending {
    struct pending *next;
    json_int_t id;
    pthread_cond_t answered;
    int done;
    json_t *response;
};

struct stdio_side {
    struct mcp_client *client;
    int read_fd, write_fd;
    pid_t child; /* 0 with caller descriptors */
    int stop_pipe[2];
    pthread_t reader;
    int reader_running;
    pthread_mutex_t lock; /* guards pending, closed, reason */
    struct pending *pending;
    int closed;
    char reason[200];
    pthread_mutex_t write_lock;
};

static int write_message(struct stdio_side *side, const json_t *message)
{
    struct buffer text = {0};
    int status = json_strict_dump(message, &text);
    if (status == ASSAY_OK)
        status = buffer_append(&text, "\n", 1);
    if (status == ASSAY_OK) {
        pthread_mutex_lock(&side->write_lock);
        status = side->write_fd >= 0 ? mcp__write_all(side->write_fd, text.data, text.length)
                                     : ASSAY_ERR_IO;
        pthread_mutex_unlock(&side->write_lock);
    }
    buffer_free(&text);
    return status;
}

static void handle_line(struct stdio_side *side, const char *line, size_t length)
{
    json_t *message = json_strict_parse(line, length, 64, NULL);
    if (!json_is_object(message)) {
        log_warning("mcp client: the server wrote a line that is not JSON-RPC; ignoring it");
        json_decref(message);
        return;
    }
    const json_t *id = json_object_get(message, "id");
    if (json_object_get(message, "method") == NULL && json_is_integer(id)) {
        pthread_mutex_lock(&side->lock);
        for (struct pending *waiter = side->pending; waiter != NULL; waiter = waiter->next)
            if (waiter->id == json_integer_value(id) && !waiter->done) {
                waiter->response = json_incref(message);
                waiter->done = 1;
                pthread_cond_signal(&waiter->answered);
                break;
            }
        pthread_mutex_unlock(&side->lock);
    } else {
        json_t *answer = mcp__client_incoming(side->client, message);
        if (answer != NULL)
            write_message(side, answer);
        json_decref(answer);
    }
    json_decref(message);
}

static void mark_closed(struct stdio_side *side, const char *reason)
{
    pthread_mutex_lock(&side->lock);
    if (!side->closed) {
        side->closed = 1;
        snprintf(side->reason, sizeof side->reason, "%s", reason);
    }
    for (struct pending *waiter = side->pending; waiter != NULL; waiter = waiter->next)
        pthread_cond_signal(&waiter->answered);
    pthread_mutex_unlock(&side->lock);
}

static void *reader_main(void *context)
{
    struct stdio_side *side = context;
    struct buffer line = {0};
    char chunk[64 * 1024];
    const char *reason = "the server closed its output (did it exit?)";
    int discarding = 0;
    for (;;) {
        struct pollfd descriptors[2] = {{side->read_fd, POLLIN, 0},
                                        {side->stop_pipe[0], POLLIN, 0}};
        if (poll(descriptors, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            reason = "cannot poll the server's output";
            break;
        }
        if (descriptors[1].revents != 0) {
            reason = "the client is closing";
            break;
        }
        ssize_t got = read(side->read_fd, chunk, sizeof chunk);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (got <= 0)
            break;
        size_t offset = 0;
        while (offset < (size_t)got) {
            char *newline = memchr(chunk + offset, '\n', (size_t)got - offset);
            size_t segment =
                newline != NULL ? (size_t)(newline - chunk) - offset : (size_t)got - offset;
            if (line.length + segment > MAX_LINE_BYTES)
                discarding = 1;
            if (!discarding)
                buffer_append(&line, chunk + offset, segment);
            offset += segment;
            if (newline == NULL)
                break;
            offset++;
            if (discarding)
                log_warning("mcp client: dropped a server message longer than 64 MiB");
            else if (line.length > 0)
                handle_line(side, line.data, line.length);
            discarding = 0;
            buffer_reset(&line);
        }
    }
    buffer_free(&line);
    mark_closed(side, reason);
    return NULL;
}

static int stdio_round_trip(struct mcp_client *client, const json_t *request, long timeout_ms,
                            json_t **response, struct assay_error *error)
{
    struct stdio_side *side = client->transport;
    const char *method = json_string_value(json_object_get(request, "method"));
    struct pending waiter;
    memset(&waiter, 0, sizeof waiter);
    waiter.id = json_integer_value(json_object_get(request, "id"));
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&waiter.answered, &attributes);
    pthread_condattr_destroy(&attributes);

    pthread_mutex_lock(&side->lock);
    int closed = side->closed;
    if (!closed) {
        waiter.next = side->pending;
        side->pending = &waiter;
    }
    pthread_mutex_unlock(&side->lock);
    int status = ASSAY_OK;
    if (closed)
        status = assay_error_set(error, ASSAY_ERR_IO, "%s: %s", method, side->reason);
    else if (write_message(side, request) != ASSAY_OK)
        status = assay_error_set(error, ASSAY_ERR_IO,
                                 "%s: cannot write to the server (did it exit?)", method);

    pthread_mutex_lock(&side->lock);
    if (status == ASSAY_OK) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
        if (deadline.tv_nsec >= 1000000000) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000;
        }
        while (!waiter.done && !side->closed)
            if (pthread_cond_timedwait(&waiter.answered, &side->lock, &deadline) == ETIMEDOUT)
                break;
        if (waiter.done)
            *response = waiter.response;
        else if (side->closed)
            status = assay_error_set(error, ASSAY_ERR_IO, "%s: %s", method, side->reason);
        else
            status = assay_error_set(error, ASSAY_ERR_TIMEOUT, "%s: no answer within %ld ms",
                                     method, timeout_ms);
    }
    if (!closed)
        for (struct pending **link = &side->pending; *link != NULL; link = &(*link)->next)
            if (*link == &waiter) {
                *link = waiter.next;
                break;
            }
    pthread_mutex_unlock(&side->lock);
    pthread_cond_destroy(&waiter.answered);
    return status;
}

static int stdio_notify(struct mcp_client *client, const json_t *notification,
                        struct assay_error *error)
{
    if (write_message(client->transport, notification) != ASSAY_OK)
        return assay_error_set(error, ASSAY_ERR_IO, "cannot write to the server (did it exit?)");
    return ASSAY_OK;
}

/* Waits up to milliseconds for the child; 1 once it is reaped. */
static int reap_within(pid_t child, long milliseconds)
{
    for (long waited = 0;; waited += 10) {
        pid_t done = waitpid(child, NULL, WNOHANG);
        if (done == child || (done < 0 && errno == ECHILD))
            return 1;
        if (waited >= milliseconds)
            return 0;
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

static void stdio_close(struct mcp_client *client)
{
    struct stdio_side *side = client->transport;
    if (side == NULL)
        return;
    pthread_mutex_lock(&side->write_lock);
    if (side->write_fd >= 0)
        close(side->write_fd); /* end of input: a well-behaved server exits */
    side->write_fd = -1;
    pthread_mutex_unlock(&side->write_lock);
    if (side->child > 0 && !reap_within(side->child, GRACE_MS)) {
        kill(side->child, SIGTERM);
        if (!reap_within(side->child, GRACE_MS)) {
            kill(side->child, SIGKILL);
            waitpid(side->child, NULL, 0);
        }
    }
    if (side->reader_running) {
        ssize_t ignored = write(side->stop_pipe[1], "x", 1);
        (void)ignored;
        pthread_join(side->reader, NULL);
    }
    close(side->read_fd);
    close(side->stop_pipe[0]);
    close(side->stop_pipe[1]);
    pthread_mutex_destroy(&side->write_lock);
    pthread_mutex_destroy(&side->lock);
    assay_free(side);
    client->transport = NULL;
}

static const struct mcp__client_transport_ops stdio_operations = {
    .round_trip = stdio_round_trip,
    .notify = stdio_notify,
    .ready = NULL,
    .close = stdio_close,
};

static int spawn_server(struct stdio_side *side, const char *const *command,
                        struct assay_error *error)
{
    int to_child[2], from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0)
        return assay_error_set(error, ASSAY_ERR_IO, "cannot create a pipe: %s", strerror(errno));
    if (pipe2(from_child, O_CLOEXEC) != 0) {
        close(to_child[0]);
        close(to_child[1]);
        return assay_error_set(error, ASSAY_ERR_IO, "cannot create a pipe: %s", strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
    /* The child starts with default signal handling whatever we ignore. */
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults, empty;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigemptyset(&empty);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t child = 0;
    int result =
        posix_spawnp(&child, command[0], &actions, &attributes, (char *const *)command, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(to_child[0]);
    close(from_child[1]);
    if (result != 0) {
        close(to_child[1]);
        close(from_child[0]);
        return assay_error_set(error, ASSAY_ERR_IO, "cannot start '%.100s': %s", command[0],
                               strerror(result));
    }
    side->child = child;
    side->write_fd = to_child[1];
    side->read_fd = from_child[0];
    return ASSAY_OK;
}

int mcp__client_stdio_open(struct mcp_client *client, struct assay_error *error)
{
    struct stdio_side *side = assay_calloc(1, sizeof *side);
    if (side == NULL)
        return assay_error_set(error, ASSAY_ERR_NOMEM, "out of memory");
    side->client = client;
    side->read_fd = side->write_fd = -1;
    if (pipe2(side->stop_pipe, O_CLOEXEC) != 0) {
        assay_free(side);
        return assay_error_set(error, ASSAY_ERR_IO, "cannot create a pipe: %s", strerror(errno));
    }
    pthread_mutex_init(&side->lock, NULL);
    pthread_mutex_init(&side->write_lock, NULL);
    int status = ASSAY_OK;
    if (client->options.use_descriptors) {
        side->read_fd = client->options.read_fd;
        side->write_fd = client->options.write_fd;
    } else {
        status = spawn_server(side, client->options.command, error);
    }
    if (status == ASSAY_OK && pthread_create(&side->reader, NULL, reader_main, side) != 0)
        status = assay_error_set(error, ASSAY_ERR_IO, "cannot start the reader thread");
    if (status != ASSAY_OK) {
        if (side->child > 0) {
            close(side->write_fd);
            close(side->read_fd);
            kill(side->child, SIGKILL);
            waitpid(side->child, NULL, 0);
        }
        close(side->stop_pipe[0]);
        close(side->stop_pipe[1]);
        pthread_mutex_destroy(&side->lock);
        pthread_mutex_destroy(&side->write_lock);
        assay_free(side);
        return status;
    }
    side->reader_running = 1;
    client->transport = side;
    client->ops = &stdio_operations;
    return ASSAY_OK;
}
