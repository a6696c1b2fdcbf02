/* test_http_hostile.c — clients that misbehave: silent, half-sent, never
 * reading, vanishing mid-request. The server must drop them and keep
 * serving everyone else. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/memory.h"
#include "http/client.h"
#include "http/server.h"
#include "test_list.h"

static struct http_server *server;
static struct http_client *client;
static unsigned short port;
static struct http_stream *flood_stream;

static void ok_handler(struct http_request *request, void *context)
{
    http_respond(request, 200, "text/plain", "ok", 2);
}

static void flood_handler(struct http_request *request, void *context)
{
    flood_stream = http_respond_stream(request, 200, "text/event-stream");
}

static int setup(void **state)
{
    struct http_server_options options = {.idle_timeout_seconds = 1,
                                          .max_stream_buffer_bytes = 256 * 1024};
    assert_int_equal(http_server_new(&options, &server), 0);
    http_server_route(server, "GET", "/ok", ok_handler, NULL);
    http_server_route(server, "GET", "/flood", flood_handler, NULL);
    assert_int_equal(http_server_start(server), 0);
    port = http_server_port(server);
    assert_int_equal(http_client_new(&client), 0);
    return 0;
}

static int teardown(void **state)
{
    http_client_free(client);
    http_server_free(server);
    return 0;
}

static int connect_raw(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&address, sizeof address), 0);
    return fd;
}

static void assert_server_answers(void)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/ok", port);
    struct http_client_request request = {.url = url, .timeout_ms = 2000};
    struct http_client_response response;
    assert_int_equal(http_client_fetch(client, &request, &response), 0);
    assert_int_equal(response.http_status, 200);
    http_client_response_free(&response);
}

/* Returns 1 when the server closed the socket within timeout_ms. */
static int closed_within(int fd, int timeout_ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct pollfd poll_fd = {.fd = fd, .events = POLLIN};
        if (poll(&poll_fd, 1, 100) > 0) {
            char scratch[4096];
            if (read(fd, scratch, sizeof scratch) <= 0)
                return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed > timeout_ms)
            return 0;
    }
}

static void silent_client_is_dropped_after_idle_timeout(void **state)
{
    int fd = connect_raw();
    assert_server_answers(); /* others are served while it sits there */
    assert_true(closed_within(fd, 4000));
    close(fd);
}

static void half_sent_headers_are_dropped(void **state)
{
    int fds[20];
    for (int index = 0; index < 20; index++) {
        fds[index] = connect_raw();
        (void)!write(fds[index], "GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: ", 35);
    }
    assert_server_answers();
    for (int index = 0; index < 20; index++) {
        assert_true(closed_within(fds[index], 4000));
        close(fds[index]);
    }
}

static void client_vanishing_mid_body_costs_nothing(void **state)
{
    for (int index = 0; index < 50; index++) {
        int fd = connect_raw();
        const char partial[] = "POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{\"a\":";
        (void)!write(fd, partial, sizeof partial - 1);
        close(fd);
    }
    assert_server_answers();
}

static void stream_to_a_client_that_never_reads_is_bounded(void **state)
{
    flood_stream = NULL;
    int fd = connect_raw();
    int size = 4096; /* a small receive window so the server's queue fills */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    (void)!write(fd, "GET /flood HTTP/1.1\r\nHost: x\r\n\r\n", 32);
    for (int wait = 0; wait < 200 && flood_stream == NULL; wait++)
        usleep(5000);
    assert_non_null(flood_stream);
    char chunk[8192];
    memset(chunk, 'x', sizeof chunk);
    int status = 0;
    size_t written = 0;
    for (int index = 0; index < 4096 && status == 0; index++) {
        status = http_stream_write(flood_stream, chunk, sizeof chunk);
        if (status == 0)
            written += sizeof chunk;
    }
    assert_int_equal(status, ASSAY_ERR_LIMIT);
    /* socket buffers plus the 256 KiB queue; far below the 32 MiB attempted */
    assert_true(written < 16u * 1024 * 1024);
    assert_server_answers();
    http_stream_close(flood_stream);
    flood_stream = NULL;
    close(fd);
}

int test_group_http_hostile(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(silent_client_is_dropped_after_idle_timeout),
        cmocka_unit_test(half_sent_headers_are_dropped),
        cmocka_unit_test(client_vanishing_mid_body_costs_nothing),
        cmocka_unit_test(stream_to_a_client_that_never_reads_is_bounded),
    };
    return cmocka_run_group_tests_name("http_hostile", tests, setup, teardown);
}
