/* proxy.h — the recording proxy of proxy mode: one loopback HTTP endpoint per
 * participant that forwards the judge's A2A requests to the agent's real
 * endpoint, so the judge only ever learns the proxy's address.
 *
 *  - the agent card is fetched from the agent and served with every
 *    supportedInterfaces URL rewritten to the proxy's own;
 *  - each JSON-RPC exchange is recorded against the episode it belongs to:
 *    the episode token in the message's assay data part names it, and task
 *    ids learned from the replies carry it to follow-ups and GetTask polls;
 *  - per-episode budgets: at most `max_messages` requests and
 *    `max_seconds` from the first one; beyond either, the proxy answers a
 *    JSON-RPC error itself (-32603, "budget exceeded: ...") without
 *    forwarding.
 * Requests are forwarded as buffered JSON (the judge sends blocking
 * requests); SSE streams are not proxied.
 *
 * Ownership: the proxy owns its server, client and records; recordings
 * taken with proxy_take_recording() belong to the caller (json_decref).
 */
#ifndef ASSAY_RUNNER_PROXY_H
#define ASSAY_RUNNER_PROXY_H

#include <jansson.h>

#include "core/status.h"

struct proxy;

struct proxy_options {
    const char *target;        /* the agent's real base URL */
    const char *bearer_token;  /* sent upstream; NULL for none */
    long max_messages;         /* per episode; 0: 100 */
    double max_seconds;        /* per episode; 0: 600 */
};

int proxy_start(const struct proxy_options *options, struct proxy **out, struct assay_error *error);
/* The proxy's base URL, e.g. "http://127.0.0.1:41234/". */
const char *proxy_url(const struct proxy *proxy);
/* The exchanges recorded for an episode token, in order ([{request, response,
 * at_ms}] or NULL), removed from the proxy. */
json_t *proxy_take_recording(struct proxy *proxy, const char *token);
void proxy_free(struct proxy *proxy);

#endif
