/* web.c — the "web" environment: steps (open, read, click, type, submit,
 * answer), the actions behind buttons, URL handling and the trace.
 *
 * Determinism: no wall clock, no randomness outside the seed. Dates come
 * from state.clock.today; new order numbers from a counter seeded by the
 * episode seed, so evaluators must (and do) find orders by content, not by
 * a fixed number. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "environment/environment.h"
#include "environment/web_internal.h"

struct environment {
    json_t *state;
    json_t *initial;
    json_t *trace;
    struct page page;
    int has_page;
    char *answer;
    long steps;
    long long next_number;
};

static const struct environment_tool web_tools[] = {
    {"open", "Open a URL (sites: http://shop.local/, http://mail.local/, http://calendar.local/) "
             "and return the page as text with numbered elements.",
     "{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\"}},\"required\":[\"url\"]}"},
    {"read", "Return the current page as text with numbered elements.",
     "{\"type\":\"object\",\"properties\":{}}"},
    {"click", "Click a link or button, by its number or its exact label.",
     "{\"type\":\"object\",\"properties\":{\"element\":{\"type\":\"integer\"},"
     "\"label\":{\"type\":\"string\"}}}"},
    {"type", "Type text into a textbox (replacing its value), by number or label.",
     "{\"type\":\"object\",\"properties\":{\"element\":{\"type\":\"integer\"},"
     "\"label\":{\"type\":\"string\"},\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}"},
    {"submit", "Submit the form a textbox belongs to (like pressing Enter in it).",
     "{\"type\":\"object\",\"properties\":{\"element\":{\"type\":\"integer\"},"
     "\"label\":{\"type\":\"string\"}}}"},
    {"answer", "Give the final answer to the task and end the episode.",
     "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}"},
};

int environment_exists(const char *name) { return name != NULL && strcmp(name, "web") == 0; }

const struct environment_tool *environment_tools(const char *name, size_t *count)
{
    if (!environment_exists(name)) {
        *count = 0;
        return NULL;
    }
    *count = sizeof web_tools / sizeof web_tools[0];
    return web_tools;
}

/* ---- URLs ------------------------------------------------------------------- */

int web__parse_url(const char *url, struct web_location *out)
{
    memset(out, 0, sizeof *out);
    if (strncmp(url, "http://", 7) == 0)
        url += 7;
    else if (strncmp(url, "https://", 8) == 0)
        url += 8;
    size_t host_length = strcspn(url, "/?#");
    if (host_length == 0 || host_length >= sizeof out->host)
        return ASSAY_ERR_INVALID;
    for (size_t index = 0; index < host_length; index++)
        out->host[index] = (char)tolower((unsigned char)url[index]);
    const char *rest = url + host_length;
    size_t path_length = strcspn(rest, "?#");
    if (path_length == 0) {
        out->path[0] = '/';
    } else {
        if (path_length >= sizeof out->path)
            return ASSAY_ERR_INVALID;
        memcpy(out->path, rest, path_length);
        /* "/orders/" and "/orders" are the same page */
        while (path_length > 1 && out->path[path_length - 1] == '/')
            out->path[--path_length] = '\0';
    }
    rest += strcspn(rest, "?#");
    if (*rest == '?') {
        size_t query_length = strcspn(rest + 1, "#");
        if (query_length >= sizeof out->query)
            return ASSAY_ERR_INVALID;
        memcpy(out->query, rest + 1, query_length);
    }
    return ASSAY_OK;
}

static int hex_value(char character)
{
    if (character >= '0' && character <= '9')
        return character - '0';
    character = (char)tolower((unsigned char)character);
    return character >= 'a' && character <= 'f' ? character - 'a' + 10 : -1;
}

int web__query_value(const char *query, const char *name, struct buffer *out)
{
    size_t name_length = strlen(name);
    const char *cursor = query;
    while (cursor != NULL && *cursor != '\0') {
        const char *end = strchr(cursor, '&');
        size_t length = end != NULL ? (size_t)(end - cursor) : strlen(cursor);
        if (length > name_length && strncmp(cursor, name, name_length) == 0 && cursor[name_length] == '=') {
            buffer_reset(out);
            for (size_t index = name_length + 1; index < length; index++) {
                char character = cursor[index];
                if (character == '+') {
                    buffer_append(out, " ", 1);
                } else if (character == '%' && index + 2 < length + 1 && hex_value(cursor[index + 1]) >= 0 &&
                           index + 2 < length && hex_value(cursor[index + 2]) >= 0) {
                    char decoded = (char)(hex_value(cursor[index + 1]) * 16 + hex_value(cursor[index + 2]));
                    buffer_append(out, &decoded, 1);
                    index += 2;
                } else {
                    buffer_append(out, &character, 1);
                }
            }
            if (out->data == NULL)
                buffer_append(out, "", 0);
            return 1;
        }
        cursor = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

static void append_encoded(struct buffer *out, const char *text)
{
    for (; *text != '\0'; text++) {
        unsigned char character = (unsigned char)*text;
        if (isalnum(character) || strchr("-._~", character) != NULL)
            buffer_append(out, text, 1);
        else if (character == ' ')
            buffer_append(out, "+", 1);
        else
            buffer_append_format(out, "%%%02X", character);
    }
}

/* ---- state ---------------------------------------------------------------- */

json_t *environment_merge(const json_t *base, const json_t *overrides)
{
    if (overrides == NULL)
        return json_deep_copy(base);
    if (!json_is_object(base) || !json_is_object(overrides))
        return json_deep_copy(overrides);
    json_t *merged = json_deep_copy(base);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)overrides, key, value)
        json_object_set_new(merged, key, environment_merge(json_object_get(base, key), value));
    return merged;
}

static json_t *section(json_t *state, const char *site, const char *list)
{
    json_t *site_object = json_object_get(state, site);
    if (!json_is_object(site_object)) {
        site_object = json_object();
        json_object_set_new(state, site, site_object);
    }
    json_t *array = json_object_get(site_object, list);
    if (!json_is_array(array)) {
        array = json_array();
        json_object_set_new(site_object, list, array);
    }
    return array;
}

static const char *today(const json_t *state)
{
    const char *date = json_string_value(json_object_get(json_object_get(state, "clock"), "today"));
    return date != NULL ? date : "2026-11-22";
}

int environment_create(const char *name, const json_t *base_state, const json_t *overrides,
                       long long seed, struct environment **out, struct assay_error *error)
{
    *out = NULL;
    if (!environment_exists(name))
        return assay_error_set(error, ASSAY_ERR_NOT_FOUND, "no built-in environment named '%s' (known: web)",
                               name != NULL ? name : "(null)");
    if (base_state != NULL && !json_is_object(base_state))
        return assay_error_set(error, ASSAY_ERR_INVALID, "the web environment's state must be an object");
    struct environment *environment = assay_calloc(1, sizeof *environment);
    if (environment == NULL)
        return ASSAY_ERR_NOMEM;
    json_t *empty = json_object();
    environment->state = environment_merge(base_state != NULL ? base_state : empty, overrides);
    json_decref(empty);
    /* make sure every list the actions touch exists, so state queries on an
     * untouched list see [] rather than a missing path */
    if (environment->state != NULL) {
        section(environment->state, "shop", "products");
        section(environment->state, "shop", "cart");
        section(environment->state, "shop", "orders");
        section(environment->state, "shop", "returns");
        section(environment->state, "mail", "inbox");
        section(environment->state, "mail", "sent");
        section(environment->state, "calendar", "events");
        section(environment->state, "calendar", "invitations");
    }
    environment->initial = json_deep_copy(environment->state);
    environment->trace = json_array();
    environment->next_number = 5000 + (seed % 1000 + 1000) % 1000;
    if (environment->state == NULL || environment->initial == NULL || environment->trace == NULL) {
        environment_free(environment);
        return ASSAY_ERR_NOMEM;
    }
    *out = environment;
    return ASSAY_OK;
}

int environment_create_from_initial(const char *name, const json_t *initial, long long seed,
                                    struct environment **out, struct assay_error *error)
{
    *out = NULL;
    if (!environment_exists(name))
        return assay_error_set(error, ASSAY_ERR_NOT_FOUND, "no built-in environment named '%s' (known: web)",
                               name != NULL ? name : "(null)");
    struct environment *environment = assay_calloc(1, sizeof *environment);
    if (environment == NULL)
        return ASSAY_ERR_NOMEM;
    /* the snapshot is never modified, so episodes may share it */
    environment->initial = json_incref((json_t *)initial);
    environment->state = json_deep_copy(initial);
    environment->trace = json_array();
    environment->next_number = 5000 + (seed % 1000 + 1000) % 1000;
    if (environment->state == NULL || environment->trace == NULL) {
        environment_free(environment);
        return ASSAY_ERR_NOMEM;
    }
    *out = environment;
    return ASSAY_OK;
}

void environment_free(struct environment *environment)
{
    if (environment == NULL)
        return;
    json_decref(environment->state);
    json_decref(environment->initial);
    json_decref(environment->trace);
    if (environment->has_page)
        page_free(&environment->page);
    assay_free(environment->answer);
    assay_free(environment);
}

const json_t *environment_state(const struct environment *environment) { return environment->state; }
const json_t *environment_initial_state(const struct environment *environment) { return environment->initial; }
const json_t *environment_trace(const struct environment *environment) { return environment->trace; }
const char *environment_answer(const struct environment *environment) { return environment->answer; }
int environment_done(const struct environment *environment) { return environment->answer != NULL; }
long environment_steps(const struct environment *environment) { return environment->steps; }
const char *environment_url(const struct environment *environment)
{
    return environment->has_page ? environment->page.url : NULL;
}

/* ---- navigation ------------------------------------------------------------ */

static int navigate(struct environment *environment, const char *url, const char *notice,
                    struct assay_error *error)
{
    struct web_location location;
    if (web__parse_url(url, &location) != ASSAY_OK)
        return assay_error_set(error, ASSAY_ERR_INVALID, "'%s' is not a URL this browser can open", url);
    struct page page;
    int status = web__build_page(environment->state, &location, notice, &page);
    if (status != ASSAY_OK) {
        page_free(&page);
        return status;
    }
    if (environment->has_page)
        page_free(&environment->page);
    environment->page = page;
    environment->has_page = 1;
    return ASSAY_OK;
}

/* Rebuilds the current page (after the state changed or a form was
 * refused) at the same URL. What the user typed stays in the textboxes that
 * still exist, as on any real site that shows a validation message. */
static int refresh(struct environment *environment, const char *notice, struct assay_error *error)
{
    struct page previous = environment->page;
    environment->has_page = 0;
    int status = navigate(environment, previous.url, notice, error);
    if (status == ASSAY_OK) {
        for (size_t index = 0; index < environment->page.count; index++) {
            struct element *element = &environment->page.elements[index];
            if (element->role != ELEMENT_TEXTBOX)
                continue;
            for (size_t old = 0; old < previous.count; old++) {
                struct element *typed = &previous.elements[old];
                if (typed->role == ELEMENT_TEXTBOX && strcmp(typed->form, element->form) == 0 &&
                    strcmp(typed->name, element->name) == 0) {
                    assay_free(element->value);
                    element->value = typed->value;
                    typed->value = NULL;
                    break;
                }
            }
        }
        page_free(&previous);
    } else {
        environment->page = previous; /* keep the old page on failure */
        environment->has_page = 1;
    }
    return status;
}

static const char *form_value(const struct page *page, const char *form, const char *name)
{
    for (size_t index = 0; index < page->count; index++) {
        const struct element *element = &page->elements[index];
        if (element->role == ELEMENT_TEXTBOX && form != NULL && strcmp(element->form, form) == 0 &&
            strcmp(element->name, name) == 0)
            return element->value;
    }
    return "";
}

static void trim_copy(const char *text, char *out, size_t size)
{
    while (isspace((unsigned char)*text))
        text++;
    snprintf(out, size, "%s", text);
    size_t length = strlen(out);
    while (length > 0 && isspace((unsigned char)out[length - 1]))
        out[--length] = '\0';
}

/* ---- actions ---------------------------------------------------------------- */

static int add_mail(json_t *state, const char *from, const char *subject, const char *body, long long number)
{
    json_t *inbox = section(state, "mail", "inbox");
    char id[32];
    snprintf(id, sizeof id, "m%lld", number);
    return json_array_append_new(inbox, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "id", id, "from", from,
                                                   "subject", subject, "body", body, "date", today(state),
                                                   "read", 0)) == 0
               ? ASSAY_OK
               : ASSAY_ERR_NOMEM;
}

static int action_place_order(struct environment *environment, const char *form, json_t *step,
                              struct assay_error *error)
{
    json_t *state = environment->state;
    char name[256], address[512], note[512];
    trim_copy(form_value(&environment->page, form, "name"), name, sizeof name);
    trim_copy(form_value(&environment->page, form, "address"), address, sizeof address);
    trim_copy(form_value(&environment->page, form, "note"), note, sizeof note);
    if (name[0] == '\0' || address[0] == '\0')
        return refresh(environment, "Please fill in your full name and delivery address.", error);
    json_t *cart = section(state, "shop", "cart");
    json_t *products = section(state, "shop", "products");
    json_t *items = json_array();
    double total = 0;
    struct buffer body = {0};
    size_t index;
    json_t *line;
    json_array_foreach(cart, index, line)
    {
        json_t *product = web__find_by_id(products, web__string(line, "product"));
        if (product == NULL)
            continue;
        json_int_t quantity = json_integer_value(json_object_get(line, "quantity"));
        double price = web__number(product, "price");
        total += price * (double)quantity;
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:I, s:f}", "product", web__string(product, "id"),
                                               "name", web__string(product, "name"), "colour",
                                               web__string(product, "colour"), "quantity", quantity, "price", price));
        json_int_t stock = json_integer_value(json_object_get(product, "stock"));
        json_object_set_new(product, "stock", json_integer(stock > quantity ? stock - quantity : 0));
        buffer_append_format(&body, "%s (%s) x %lld - $%.2f\n", web__string(product, "name"),
                             web__string(product, "colour"), (long long)quantity, price * (double)quantity);
    }
    total = (double)(long long)(total * 100 + 0.5) / 100;
    char id[32];
    snprintf(id, sizeof id, "o%lld", environment->next_number++);
    json_array_append_new(section(state, "shop", "orders"),
                          json_pack("{s:s, s:s, s:o, s:f, s:s, s:s, s:s, s:s}", "id", id, "date", today(state),
                                    "items", items, "total", total, "status", "processing", "name", name,
                                    "address", address, "note", note));
    json_array_clear(cart);
    buffer_append_format(&body, "Total: $%.2f\nDelivery to: %s\n", total, address);
    char subject[96];
    snprintf(subject, sizeof subject, "Order %s confirmed", id);
    add_mail(state, "orders@shop.local", subject, body.data != NULL ? body.data : "", environment->next_number++);
    buffer_free(&body);
    json_object_set_new(step, "order", json_string(id));
    char url[96], notice[128];
    snprintf(url, sizeof url, "http://shop.local/order/%s", id);
    snprintf(notice, sizeof notice, "Thank you! Order %s is placed.", id);
    return navigate(environment, url, notice, error);
}

static int action_send_mail(struct environment *environment, const char *form, json_t *step,
                            struct assay_error *error)
{
    char to[256], subject[512];
    trim_copy(form_value(&environment->page, form, "to"), to, sizeof to);
    trim_copy(form_value(&environment->page, form, "subject"), subject, sizeof subject);
    const char *body = form_value(&environment->page, form, "body");
    if (strchr(to, '@') == NULL || strchr(to, ' ') != NULL)
        return refresh(environment, "Please enter one valid email address in To.", error);
    json_array_append_new(section(environment->state, "mail", "sent"),
                          json_pack("{s:s, s:s, s:s, s:s}", "to", to, "subject", subject, "body", body, "date",
                                    today(environment->state)));
    json_object_set_new(step, "sent", json_pack("{s:s, s:s, s:s}", "to", to, "subject", subject, "body", body));
    return navigate(environment, "http://mail.local/sent", "Message sent.", error);
}

static int valid_date(const char *text)
{
    return strlen(text) == 10 && isdigit((unsigned char)text[0]) && isdigit((unsigned char)text[3]) &&
           text[4] == '-' && text[7] == '-' && isdigit((unsigned char)text[5]) && isdigit((unsigned char)text[6]) &&
           isdigit((unsigned char)text[8]) && isdigit((unsigned char)text[9]);
}

static int valid_time(const char *text)
{
    return strlen(text) == 5 && isdigit((unsigned char)text[0]) && isdigit((unsigned char)text[1]) &&
           text[2] == ':' && isdigit((unsigned char)text[3]) && isdigit((unsigned char)text[4]);
}

static int action_create_event(struct environment *environment, const char *form, struct assay_error *error)
{
    char title[256], date[64], time_text[64], attendees_text[512];
    trim_copy(form_value(&environment->page, form, "title"), title, sizeof title);
    trim_copy(form_value(&environment->page, form, "date"), date, sizeof date);
    trim_copy(form_value(&environment->page, form, "time"), time_text, sizeof time_text);
    trim_copy(form_value(&environment->page, form, "attendees"), attendees_text, sizeof attendees_text);
    if (title[0] == '\0' || !valid_date(date) || !valid_time(time_text))
        return refresh(environment, "Please give a title, a date as YYYY-MM-DD and a time as HH:MM.", error);
    json_t *attendees = json_array();
    char *saved = NULL;
    for (char *part = strtok_r(attendees_text, ",", &saved); part != NULL; part = strtok_r(NULL, ",", &saved)) {
        char trimmed[256];
        trim_copy(part, trimmed, sizeof trimmed);
        if (trimmed[0] != '\0')
            json_array_append_new(attendees, json_string(trimmed));
    }
    char id[32];
    snprintf(id, sizeof id, "e%lld", environment->next_number++);
    json_array_append_new(section(environment->state, "calendar", "events"),
                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", id, "title", title, "date", date, "time",
                                    time_text, "location", "", "attendees", attendees));
    return navigate(environment, "http://calendar.local/", "Event created.", error);
}

static int perform(struct environment *environment, const struct element *button, json_t *step,
                   struct assay_error *error)
{
    json_t *state = environment->state;
    const char *action = button->target;
    const char *argument = strchr(action, ':');
    argument = argument != NULL ? argument + 1 : "";
    json_object_set_new(step, "action", json_string(action));

    if (strcmp(action, "search") == 0) {
        const char *query = form_value(&environment->page, button->form, "q");
        struct buffer url = {0};
        buffer_append_string(&url, "http://shop.local/search?q=");
        append_encoded(&url, query);
        json_object_set_new(step, "query", json_string(query));
        int status = navigate(environment, url.data, NULL, error);
        buffer_free(&url);
        return status;
    }
    if (strncmp(action, "add_to_cart:", 12) == 0) {
        long quantity = strtol(form_value(&environment->page, button->form, "quantity"), NULL, 10);
        if (quantity < 1 || quantity > 99)
            return refresh(environment, "Quantity must be a whole number from 1 to 99.", error);
        json_t *cart = section(state, "shop", "cart");
        size_t index;
        json_t *line;
        int merged = 0;
        json_array_foreach(cart, index, line) if (strcmp(web__string(line, "product"), argument) == 0)
        {
            json_object_set_new(line, "quantity",
                                json_integer(json_integer_value(json_object_get(line, "quantity")) + quantity));
            merged = 1;
        }
        if (!merged)
            json_array_append_new(cart, json_pack("{s:s, s:i}", "product", argument, "quantity", (int)quantity));
        return refresh(environment, "Added to your cart.", error);
    }
    if (strncmp(action, "remove_from_cart:", 17) == 0) {
        json_array_remove(section(state, "shop", "cart"), (size_t)strtoul(argument, NULL, 10));
        return refresh(environment, "Removed from your cart.", error);
    }
    if (strcmp(action, "place_order") == 0)
        return action_place_order(environment, button->form, step, error);
    if (strncmp(action, "return:", 7) == 0) {
        char reason[512];
        trim_copy(form_value(&environment->page, button->form, "reason"), reason, sizeof reason);
        if (reason[0] == '\0')
            return refresh(environment, "Please give a reason for the return.", error);
        json_t *order = web__find_by_id(section(state, "shop", "orders"), argument);
        if (order == NULL)
            return refresh(environment, "No such order.", error);
        json_object_set_new(order, "status", json_string("return requested"));
        json_array_append_new(section(state, "shop", "returns"),
                              json_pack("{s:s, s:s, s:s}", "order", argument, "reason", reason, "date", today(state)));
        char subject[96];
        snprintf(subject, sizeof subject, "Return for order %s received", argument);
        add_mail(state, "returns@shop.local", subject, "We will collect the items within 5 days.",
                 environment->next_number++);
        return refresh(environment, "Return requested.", error);
    }
    if (strcmp(action, "send_mail") == 0)
        return action_send_mail(environment, button->form, step, error);
    if (strncmp(action, "delete_event:", 13) == 0) {
        json_t *events = section(state, "calendar", "events");
        for (size_t index = 0; index < json_array_size(events); index++)
            if (strcmp(web__string(json_array_get(events, index), "id"), argument) == 0) {
                json_array_remove(events, index);
                break;
            }
        return navigate(environment, "http://calendar.local/", "Event deleted.", error);
    }
    if (strcmp(action, "create_event") == 0)
        return action_create_event(environment, button->form, error);
    if (strncmp(action, "accept:", 7) == 0 || strncmp(action, "decline:", 8) == 0) {
        int accept = action[0] == 'a';
        json_t *invitation = web__find_by_id(section(state, "calendar", "invitations"), argument);
        if (invitation == NULL)
            return refresh(environment, "No such invitation.", error);
        json_object_set_new(invitation, "status", json_string(accept ? "accepted" : "declined"));
        if (accept) {
            char id[32];
            snprintf(id, sizeof id, "e%lld", environment->next_number++);
            json_array_append_new(section(state, "calendar", "events"),
                                  json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s]}", "id", id, "title",
                                            web__string(invitation, "title"), "date", web__string(invitation, "date"),
                                            "time", web__string(invitation, "time"), "location",
                                            web__string(invitation, "location"), "attendees",
                                            web__string(invitation, "from")));
        }
        return refresh(environment, accept ? "Invitation accepted." : "Invitation declined.", error);
    }
    return assay_error_set(error, ASSAY_ERR_INVALID, "this button does nothing");
}

/* ---- steps ------------------------------------------------------------------ */

static const struct element *find_target(struct environment *environment, const json_t *arguments,
                                         struct assay_error *error)
{
    if (!environment->has_page) {
        assay_error_set(error, ASSAY_ERR_STATE, "no page is open yet; use open first");
        return NULL;
    }
    json_t *number = json_object_get(arguments, "element");
    const char *label = json_string_value(json_object_get(arguments, "label"));
    if (!json_is_integer(number) && label == NULL) {
        assay_error_set(error, ASSAY_ERR_INVALID, "say which element: give element (its number) or label");
        return NULL;
    }
    const struct element *element =
        page_find(&environment->page, json_is_integer(number) ? (int)json_integer_value(number) : 0, label);
    if (element == NULL) {
        if (json_is_integer(number))
            assay_error_set(error, ASSAY_ERR_INVALID, "there is no element [%lld] on this page",
                            (long long)json_integer_value(number));
        else
            assay_error_set(error, ASSAY_ERR_INVALID, "there is no element labelled \"%s\" on this page", label);
    }
    return element;
}

static int step_click(struct environment *environment, const struct element *element, json_t *step,
                      struct assay_error *error)
{
    json_object_set_new(step, "clicked", json_string(element->label));
    if (element->role == ELEMENT_LINK) {
        struct web_location location;
        if (web__parse_url(element->target, &location) == ASSAY_OK) {
            struct buffer query = {0};
            if (web__query_value(location.query, "q", &query))
                json_object_set_new(step, "query", json_string(query.data));
            buffer_free(&query);
        }
        char *target = assay_strdup(element->target);
        int status = target != NULL ? navigate(environment, target, NULL, error) : ASSAY_ERR_NOMEM;
        assay_free(target);
        return status;
    }
    if (element->role == ELEMENT_BUTTON) {
        struct element copy = *element; /* the page is rebuilt by the action */
        copy.label = assay_strdup(element->label);
        copy.target = assay_strdup(element->target);
        copy.form = element->form != NULL ? assay_strdup(element->form) : NULL;
        int status = copy.target != NULL ? perform(environment, &copy, step, error) : ASSAY_ERR_NOMEM;
        assay_free(copy.label);
        assay_free(copy.target);
        assay_free(copy.form);
        return status;
    }
    return assay_error_set(error, ASSAY_ERR_INVALID, "[%d] is a textbox; use type to fill it", element->number);
}

/* The start of what the agent was shown, kept in the trace so that a
 * trajectory viewer shows each tool call's result. Cut at
 * TRACE_OBSERVATION_BYTES (on a character boundary): the trace lives with
 * the session, whose memory is budgeted. */
#define TRACE_OBSERVATION_BYTES 2048

static void keep_observation(json_t *step, const char *text, size_t length)
{
    size_t kept = length;
    if (kept > TRACE_OBSERVATION_BYTES) {
        kept = TRACE_OBSERVATION_BYTES;
        while (kept > 0 && ((unsigned char)text[kept] & 0xC0) == 0x80)
            kept--;
    }
    json_t *value = json_stringn(text, kept);
    if (value != NULL)
        json_object_set_new(step, "observation", value);
    if (kept < length)
        json_object_set_new(step, "observation_bytes", json_integer((json_int_t)length));
}

int environment_step(struct environment *environment, const char *tool, const json_t *arguments,
                     struct buffer *observation, struct assay_error *error)
{
    if (environment->answer != NULL)
        return assay_error_set(error, ASSAY_ERR_STATE, "the episode is over: an answer was given");
    size_t observation_start = observation->length;
    environment->steps++;
    /* "O" takes a reference to the caller's arguments; "o" hands over the
     * fresh empty object made when there are none. */
    json_t *step = arguments != NULL
                       ? json_pack("{s:i, s:s, s:O}", "step", (int)environment->steps, "tool", tool, "arguments",
                                   (json_t *)arguments)
                       : json_pack("{s:i, s:s, s:o}", "step", (int)environment->steps, "tool", tool, "arguments",
                                   json_object());
    if (step == NULL)
        return ASSAY_ERR_NOMEM;
    struct assay_error local = {0};
    if (error == NULL)
        error = &local;
    error->message[0] = '\0';
    int status = ASSAY_OK;
    if (strcmp(tool, "open") == 0) {
        const char *url = json_string_value(json_object_get(arguments, "url"));
        if (url == NULL) {
            status = assay_error_set(error, ASSAY_ERR_INVALID, "open needs a url");
        } else {
            struct web_location location;
            if (web__parse_url(url, &location) == ASSAY_OK) {
                struct buffer query = {0};
                if (web__query_value(location.query, "q", &query))
                    json_object_set_new(step, "query", json_string(query.data));
                buffer_free(&query);
            }
            status = navigate(environment, url, NULL, error);
        }
    } else if (strcmp(tool, "read") == 0) {
        if (!environment->has_page)
            status = assay_error_set(error, ASSAY_ERR_STATE, "no page is open yet; use open first");
    } else if (strcmp(tool, "click") == 0) {
        const struct element *element = find_target(environment, arguments, error);
        status = element != NULL ? step_click(environment, element, step, error) : error->status;
    } else if (strcmp(tool, "type") == 0) {
        const struct element *element = find_target(environment, arguments, error);
        const char *text = json_string_value(json_object_get(arguments, "text"));
        if (element == NULL) {
            status = error->status;
        } else if (element->role != ELEMENT_TEXTBOX) {
            status = assay_error_set(error, ASSAY_ERR_INVALID, "[%d] is not a textbox", element->number);
        } else if (text == NULL) {
            status = assay_error_set(error, ASSAY_ERR_INVALID, "type needs text");
        } else {
            struct element *writable = (struct element *)element;
            char *value = assay_strdup(text);
            if (value == NULL) {
                status = ASSAY_ERR_NOMEM;
            } else {
                assay_free(writable->value);
                writable->value = value;
                json_object_set_new(step, "typed", json_string(text));
                json_object_set_new(step, "field", json_string(element->label));
            }
        }
    } else if (strcmp(tool, "submit") == 0) {
        const struct element *element = find_target(environment, arguments, error);
        const struct element *button = NULL;
        if (element != NULL && element->role == ELEMENT_BUTTON)
            button = element;
        for (size_t index = 0; element != NULL && button == NULL && index < environment->page.count; index++) {
            const struct element *candidate = &environment->page.elements[index];
            if (candidate->role == ELEMENT_BUTTON && candidate->form != NULL && element->form != NULL &&
                strcmp(candidate->form, element->form) == 0)
                button = candidate;
        }
        if (element == NULL)
            status = error->status;
        else if (button == NULL)
            status = assay_error_set(error, ASSAY_ERR_INVALID, "[%d] is not part of a form", element->number);
        else
            status = step_click(environment, button, step, error);
    } else if (strcmp(tool, "answer") == 0) {
        const char *text = json_string_value(json_object_get(arguments, "text"));
        if (text == NULL)
            status = assay_error_set(error, ASSAY_ERR_INVALID, "answer needs text");
        else if ((environment->answer = assay_strdup(text)) == NULL)
            status = ASSAY_ERR_NOMEM;
        else
            buffer_append_string(observation, "Answer recorded. The episode is over.\n");
    } else {
        status = assay_error_set(error, ASSAY_ERR_INVALID, "unknown tool '%s'", tool);
    }
    if (environment->has_page)
        json_object_set_new(step, "url", json_string(environment->page.url));
    if (status != ASSAY_OK && status != ASSAY_ERR_NOMEM)
        json_object_set_new(step, "error", json_string(error->message));
    json_array_append_new(environment->trace, step);
    if (status == ASSAY_OK && strcmp(tool, "answer") != 0 && strcmp(tool, "type") != 0)
        status = page_render_text(&environment->page, observation);
    else if (status == ASSAY_OK && strcmp(tool, "type") == 0)
        status = buffer_append_format(observation, "Typed into \"%s\".\n",
                                      json_string_value(json_object_get(step, "field")));
    if (status == ASSAY_OK)
        keep_observation(step, observation->data + observation_start, observation->length - observation_start);
    return status;
}

const char *environment_field_value(const struct environment *environment, int number)
{
    if (!environment->has_page)
        return NULL;
    const struct element *element = page_find(&environment->page, number, NULL);
    return element != NULL && element->role == ELEMENT_TEXTBOX ? element->value : NULL;
}

int environment_render_html(struct environment *environment, struct buffer *out)
{
    if (!environment->has_page) {
        struct assay_error error = {0};
        int status = navigate(environment, "http://shop.local/", NULL, &error);
        if (status != ASSAY_OK)
            return status;
    }
    return page_render_html(&environment->page, out);
}
