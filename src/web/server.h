/* server.h — `assay serve`: the results store as web pages and a JSON API
 * (docs/web.md), on the HTTP server of src/http.
 *
 * Read-only: the server opens the store only to read, through a small pool
 * of connections (one per event thread at a time), and answers every GET
 * from a cache keyed by URL and the store's generation (store_generation),
 * so a finished run is rendered once and revalidated with 304 afterwards.
 *
 * Ownership: web_server_start() copies the options' strings; free the
 * server with web_server_free() (accepts NULL).
 * Errors: 0 or a negative ASSAY_ERR_* with a sentence. */
#ifndef ASSAY_WEB_SERVER_H
#define ASSAY_WEB_SERVER_H

#include "core/status.h"

struct web_server_options {
    const char *db;        /* store location; NULL: assay.db */
    const char *bind;      /* default 127.0.0.1 */
    unsigned short port;   /* 0: any free port */
    const char *token;     /* required by every request when set; mandatory off loopback */
    unsigned threads;      /* event threads; default 2 */
};

struct web_server;

/* ASSAY_ERR_INVALID when binding off loopback without a token, or the store
 * does not exist (it is never created); store_open's errors otherwise. */
int web_server_start(const struct web_server_options *options, struct web_server **out, struct assay_error *error);
unsigned short web_server_port(const struct web_server *server);
void web_server_free(struct web_server *server);

/* 1 for addresses that only this machine can reach (127.0.0.0/8, ::1,
 * localhost). */
int web_address_is_loopback(const char *address);

#endif
