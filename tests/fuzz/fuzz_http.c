/* fuzz_http.c — libFuzzer harness for the HTTP request path: raw bytes are
 * written to a live assay HTTP server over loopback (a JSON-RPC route with
 * body limits, a streaming route), and the server must answer or close
 * without crashing, leaking or hanging, and keep answering a good request. */
#include <arpa/inet.h>
#include <assert.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buffer.h"
#include "http/server.h"
#include "http/sse.h"
#include "jsonrpc/json_strict.h"
#include "jsonrpc/jsonrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct http_server *server;
static unsigned short port;

static void rpc_handler(struct http_request *request, void *context)
{
    size_t length = 0;
    const char *body = http_request_body(request, &length);
    struct jsonrpc_message message;
    json_t *reply = NULL;
    if (jsonrpc_parse_request(body, length, JSON_STRICT_DEFAULT_DEPTH, &message, &reply) == 0) {
        reply = jsonrpc_result(message.id, json_string(message.method));
        jsonrpc_message_release(&message);
    }
    struct buffer out = {0};
    json_strict_dump(reply, &out);
    json_decref(reply);
    http_respond(request, 200, "application/json", out.data, out.length);
    buffer_free(&out);
}

static void stream_handler(struct http_request *request, void *context)
{
    struct http_stream *stream = http_respond_stream(request, 200, "text/event-stream");
    if (stream == NULL)
        return;
    struct buffer event = {0};
    sse_format_event(&event, "message", "1", "{}", 2);
    http_stream_write(stream, event.data, event.length);
    buffer_free(&event);
    http_stream_close(stream);
}

static void stop_server(void) { http_server_free(server); }

static void start_server(void)
{
    json_strict_install_allocator();
    struct http_server_options options = {.max_body_bytes = 4096, .idle_timeout_seconds = 1};
    if (http_server_new(&options, &server) != 0)
        abort();
    http_server_route(server, "POST", "/rpc", rpc_handler, NULL);
    http_server_route(server, "GET", "/events", stream_handler, NULL);
    if (http_server_start(server) != 0)
        abort();
    port = http_server_port(server);
    atexit(stop_server);
}

static int connect_server(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0)
        abort();
    return fd;
}

/* Reads until the server closes or goes quiet for timeout_ms. */
static size_t drain(int fd, char *out, size_t capacity, int timeout_ms)
{
    size_t total = 0;
    for (;;) {
        struct pollfd poll_fd = {.fd = fd, .events = POLLIN};
        if (poll(&poll_fd, 1, timeout_ms) <= 0)
            break;
        char scratch[4096];
        ssize_t count = read(fd, scratch, sizeof scratch);
        if (count <= 0)
            break;
        if (out != NULL && total + (size_t)count < capacity)
            memcpy(out + total, scratch, (size_t)count);
        total += (size_t)count;
    }
    return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (server == NULL)
        start_server();
    int fd = connect_server();
    (void)!write(fd, data, size);
    shutdown(fd, SHUT_WR);
    drain(fd, NULL, 0, 50);
    close(fd);

    /* The server must still answer a well-formed request. */
    static const char good[] = "POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               "Content-Length: 37\r\nConnection: close\r\n\r\n"
                               "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}";
    fd = connect_server();
    (void)!write(fd, good, sizeof good - 1);
    char reply[2048] = {0};
    drain(fd, reply, sizeof reply - 1, 2000);
    close(fd);
    assert(strstr(reply, "HTTP/1.1 200") != NULL);
    return 0;
}
