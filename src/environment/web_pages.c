/* web_pages.c — the pages of shop.local, mail.local and calendar.local,
 * built from the state tree. Pure functions of (state, URL): the same state
 * always gives the same page and element numbers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"
#include "environment/web_internal.h"

json_t *web__find_by_id(json_t *array, const char *id)
{
    size_t index;
    json_t *item;
    json_array_foreach(array, index, item)
    {
        const char *item_id = json_string_value(json_object_get(item, "id"));
        if (item_id != NULL && strcmp(item_id, id) == 0)
            return item;
    }
    return NULL;
}

const char *web__string(const json_t *object, const char *key)
{
    const char *value = json_string_value(json_object_get(object, key));
    return value != NULL ? value : "";
}

double web__number(const json_t *object, const char *key)
{
    return json_number_value(json_object_get(object, key));
}

/* Every word of the query (letters and digits, case-insensitive) occurs in
 * text as a word prefix: "blu mug" finds "Blue ceramic mug". */
int web__words_match(const char *query, const char *text)
{
    const char *cursor = query;
    int words = 0;
    while (*cursor != '\0') {
        while (*cursor != '\0' && !isalnum((unsigned char)*cursor))
            cursor++;
        const char *start = cursor;
        while (*cursor != '\0' && isalnum((unsigned char)*cursor))
            cursor++;
        size_t length = (size_t)(cursor - start);
        if (length == 0)
            continue;
        words++;
        int found = 0;
        for (const char *scan = text; *scan != '\0' && !found; scan++) {
            if (scan != text && isalnum((unsigned char)scan[-1]))
                continue; /* only at word starts */
            found = strncasecmp(scan, start, length) == 0;
        }
        if (!found)
            return 0;
    }
    return words > 0;
}

static void product_label(const json_t *product, char *out, size_t size)
{
    snprintf(out, size, "%s (%s) - $%.2f", web__string(product, "name"),
             web__string(product, "colour"), web__number(product, "price"));
}

/* ---- shop.local -------------------------------------------------------- */

static int shop_header(const json_t *state, struct page *page)
{
    int status = page_link(page, "Shop home", "http://shop.local/");
    char label[64];
    snprintf(label, sizeof label, "Cart (%zu)",
             json_array_size(json_object_get(json_object_get(state, "shop"), "cart")));
    status = status ? status : page_link(page, label, "http://shop.local/cart");
    status = status ? status : page_link(page, "Your orders", "http://shop.local/orders");
    return status;
}

static int shop_home(const json_t *state, struct page *page)
{
    int status = page_heading(page, "Shop");
    status = status ? status : shop_header(state, page);
    status = status ? status : page_textbox(page, "Search", "search", "q", "");
    status = status ? status : page_button(page, "Search", "search", "search");
    status = status ? status : page_text(page, "Categories:");
    json_t *products = json_object_get(json_object_get(state, "shop"), "products");
    const char *seen[32];
    size_t seen_count = 0;
    size_t index;
    json_t *product;
    json_array_foreach(products, index, product)
    {
        const char *category = web__string(product, "category");
        int known = 0;
        for (size_t other = 0; other < seen_count && !known; other++)
            known = strcmp(seen[other], category) == 0;
        if (known || seen_count == 32 || *category == '\0')
            continue;
        seen[seen_count++] = category;
        char url[160];
        snprintf(url, sizeof url, "http://shop.local/category/%s", category);
        status = status ? status : page_link(page, category, url);
    }
    return status;
}

static int shop_listing(const json_t *state, struct page *page, const char *query,
                        const char *category)
{
    json_t *products = json_object_get(json_object_get(state, "shop"), "products");
    int status = shop_header(state, page);
    if (query != NULL) {
        status = status ? status : page_textbox(page, "Search", "search", "q", query);
        status = status ? status : page_button(page, "Search", "search", "search");
    }
    size_t index, shown = 0;
    json_t *product;
    json_array_foreach(products, index, product)
    {
        int match;
        if (query != NULL) {
            char haystack[1024];
            snprintf(haystack, sizeof haystack, "%s %s %s %s", web__string(product, "name"),
                     web__string(product, "colour"), web__string(product, "category"),
                     web__string(product, "description"));
            match = web__words_match(query, haystack);
        } else {
            match = strcmp(web__string(product, "category"), category) == 0;
        }
        if (!match)
            continue;
        char label[256], url[160];
        product_label(product, label, sizeof label);
        snprintf(url, sizeof url, "http://shop.local/product/%s", web__string(product, "id"));
        status = status ? status : page_link(page, label, url);
        shown++;
    }
    if (shown == 0)
        status = status ? status : page_text(page, "No products found.");
    else
        status = status ? status : page_text(page, "%zu product%s.", shown, shown == 1 ? "" : "s");
    return status;
}

static int shop_product(const json_t *state, struct page *page, const char *id)
{
    json_t *products = json_object_get(json_object_get(state, "shop"), "products");
    json_t *product = web__find_by_id(products, id);
    if (product == NULL)
        return page_text(page, "No such product.");
    int status = shop_header(state, page);
    status = status ? status : page_heading(page, web__string(product, "name"));
    status = status ? status : page_text(page, "Colour: %s", web__string(product, "colour"));
    status = status ? status : page_text(page, "Price: $%.2f", web__number(product, "price"));
    status = status ? status : page_text(page, "In stock: %lld",
                                          (long long)json_integer_value(json_object_get(product, "stock")));
    status = status ? status : page_text(page, "%s", web__string(product, "description"));
    size_t index;
    json_t *other;
    json_array_foreach(products, index, other)
    {
        if (other == product || strcmp(web__string(other, "name"), web__string(product, "name")) != 0)
            continue;
        char label[256], url[160];
        snprintf(label, sizeof label, "Also in %s - $%.2f", web__string(other, "colour"),
                 web__number(other, "price"));
        snprintf(url, sizeof url, "http://shop.local/product/%s", web__string(other, "id"));
        status = status ? status : page_link(page, label, url);
    }
    json_t *reviews = json_object_get(product, "reviews");
    if (json_array_size(reviews) > 0)
        status = status ? status : page_text(page, "Reviews:");
    json_t *review;
    json_array_foreach(reviews, index, review)
        status = status ? status : page_text(page, "- %s", json_string_value(review) ? json_string_value(review) : "");
    status = status ? status : page_textbox(page, "Quantity", "cart", "quantity", "1");
    char action[160];
    snprintf(action, sizeof action, "add_to_cart:%s", id);
    status = status ? status : page_button(page, "Add to cart", "cart", action);
    return status;
}

static int shop_cart(const json_t *state, struct page *page)
{
    json_t *shop = json_object_get(state, "shop");
    json_t *cart = json_object_get(shop, "cart");
    int status = shop_header(state, page);
    status = status ? status : page_heading(page, "Your cart");
    double total = 0;
    size_t index;
    json_t *line;
    json_array_foreach(cart, index, line)
    {
        json_t *product = web__find_by_id(json_object_get(shop, "products"), web__string(line, "product"));
        if (product == NULL)
            continue;
        long long quantity = json_integer_value(json_object_get(line, "quantity"));
        double subtotal = web__number(product, "price") * (double)quantity;
        total += subtotal;
        status = status ? status : page_text(page, "%s (%s) x %lld - $%.2f", web__string(product, "name"),
                                              web__string(product, "colour"), quantity, subtotal);
        char label[256], action[64];
        snprintf(label, sizeof label, "Remove %s (%s)", web__string(product, "name"),
                 web__string(product, "colour"));
        snprintf(action, sizeof action, "remove_from_cart:%zu", index);
        status = status ? status : page_button(page, label, NULL, action);
    }
    if (json_array_size(cart) == 0)
        return status ? status : page_text(page, "Your cart is empty.");
    status = status ? status : page_text(page, "Total: $%.2f", total);
    return status ? status : page_link(page, "Checkout", "http://shop.local/checkout");
}

static int shop_checkout(const json_t *state, struct page *page)
{
    int status = shop_header(state, page);
    status = status ? status : page_heading(page, "Checkout");
    if (json_array_size(json_object_get(json_object_get(state, "shop"), "cart")) == 0)
        return status ? status : page_text(page, "Your cart is empty.");
    status = status ? status : page_textbox(page, "Full name", "checkout", "name", "");
    status = status ? status : page_textbox(page, "Delivery address", "checkout", "address", "");
    status = status ? status : page_textbox(page, "Note to the courier", "checkout", "note", "");
    return status ? status : page_button(page, "Place order", "checkout", "place_order");
}

static int shop_orders(const json_t *state, struct page *page)
{
    int status = shop_header(state, page);
    status = status ? status : page_heading(page, "Your orders");
    size_t index;
    json_t *order;
    json_array_foreach(json_object_get(json_object_get(state, "shop"), "orders"), index, order)
    {
        char label[256], url[160];
        snprintf(label, sizeof label, "Order %s - %s - $%.2f - %s", web__string(order, "id"),
                 web__string(order, "date"), web__number(order, "total"), web__string(order, "status"));
        snprintf(url, sizeof url, "http://shop.local/order/%s", web__string(order, "id"));
        status = status ? status : page_link(page, label, url);
    }
    return status;
}

static int shop_order(const json_t *state, struct page *page, const char *id)
{
    json_t *order = web__find_by_id(json_object_get(json_object_get(state, "shop"), "orders"), id);
    if (order == NULL)
        return page_text(page, "No such order.");
    int status = shop_header(state, page);
    char heading[128];
    snprintf(heading, sizeof heading, "Order %s", id);
    status = status ? status : page_heading(page, heading);
    status = status ? status : page_text(page, "Date: %s", web__string(order, "date"));
    status = status ? status : page_text(page, "Status: %s", web__string(order, "status"));
    size_t index;
    json_t *item;
    json_array_foreach(json_object_get(order, "items"), index, item)
        status = status ? status : page_text(page, "%s (%s) x %lld - $%.2f", web__string(item, "name"),
                                              web__string(item, "colour"),
                                              (long long)json_integer_value(json_object_get(item, "quantity")),
                                              web__number(item, "price"));
    status = status ? status : page_text(page, "Total: $%.2f", web__number(order, "total"));
    if (strcmp(web__string(order, "status"), "delivered") == 0) {
        char action[160];
        snprintf(action, sizeof action, "return:%s", id);
        status = status ? status : page_textbox(page, "Return reason", "return", "reason", "");
        status = status ? status : page_button(page, "Request return", "return", action);
    }
    return status;
}

/* ---- mail.local ---------------------------------------------------------- */

static int mail_header(struct page *page)
{
    int status = page_link(page, "Inbox", "http://mail.local/");
    status = status ? status : page_link(page, "Compose", "http://mail.local/compose");
    return status ? status : page_link(page, "Sent", "http://mail.local/sent");
}

static int mail_inbox(const json_t *state, struct page *page)
{
    int status = mail_header(page);
    status = status ? status : page_heading(page, "Inbox");
    json_t *inbox = json_object_get(json_object_get(state, "mail"), "inbox");
    /* newest first, as every webmail does */
    for (size_t index = json_array_size(inbox); index-- > 0;) {
        json_t *message = json_array_get(inbox, index);
        char label[320], url[160];
        snprintf(label, sizeof label, "%s%s - %s", json_is_true(json_object_get(message, "read")) ? "" : "(unread) ",
                 web__string(message, "from"), web__string(message, "subject"));
        snprintf(url, sizeof url, "http://mail.local/message/%s", web__string(message, "id"));
        status = status ? status : page_link(page, label, url);
    }
    if (json_array_size(inbox) == 0)
        status = status ? status : page_text(page, "No messages.");
    return status;
}

static int mail_message(const json_t *state, struct page *page, const char *id)
{
    json_t *message = web__find_by_id(json_object_get(json_object_get(state, "mail"), "inbox"), id);
    if (message == NULL)
        return page_text(page, "No such message.");
    int status = mail_header(page);
    status = status ? status : page_heading(page, web__string(message, "subject"));
    status = status ? status : page_text(page, "From: %s", web__string(message, "from"));
    status = status ? status : page_text(page, "Date: %s", web__string(message, "date"));
    const char *body = web__string(message, "body");
    while (status == ASSAY_OK && *body != '\0') {
        const char *end = strchr(body, '\n');
        int length = end != NULL ? (int)(end - body) : (int)strlen(body);
        status = page_text(page, "%.*s", length, body);
        body += length + (end != NULL);
    }
    struct buffer url = {0};
    buffer_append_string(&url, "http://mail.local/compose?to=");
    for (const char *cursor = web__string(message, "from"); *cursor; cursor++)
        buffer_append_format(&url, isalnum((unsigned char)*cursor) || strchr("@.-_", *cursor) ? "%c" : "%%%02X",
                             isalnum((unsigned char)*cursor) || strchr("@.-_", *cursor) ? *cursor : (unsigned char)*cursor);
    buffer_append_string(&url, "&subject=Re%3A+");
    for (const char *cursor = web__string(message, "subject"); *cursor; cursor++)
        buffer_append_format(&url, isalnum((unsigned char)*cursor) ? "%c" : "%%%02X",
                             isalnum((unsigned char)*cursor) ? *cursor : (unsigned char)*cursor);
    status = status ? status : page_link(page, "Reply", url.data != NULL ? url.data : "http://mail.local/compose");
    buffer_free(&url);
    return status;
}

static int mail_compose(const json_t *state, struct page *page, const char *query)
{
    struct buffer to = {0}, subject = {0};
    web__query_value(query, "to", &to);
    web__query_value(query, "subject", &subject);
    int status = mail_header(page);
    status = status ? status : page_heading(page, "New message");
    status = status ? status : page_textbox(page, "To", "mail", "to", to.data);
    status = status ? status : page_textbox(page, "Subject", "mail", "subject", subject.data);
    status = status ? status : page_textbox(page, "Body", "mail", "body", "");
    status = status ? status : page_button(page, "Send", "mail", "send_mail");
    buffer_free(&to);
    buffer_free(&subject);
    return status;
}

static int mail_sent(const json_t *state, struct page *page)
{
    int status = mail_header(page);
    status = status ? status : page_heading(page, "Sent");
    size_t index;
    json_t *message;
    json_array_foreach(json_object_get(json_object_get(state, "mail"), "sent"), index, message)
        status = status ? status : page_text(page, "To %s - %s", web__string(message, "to"),
                                              web__string(message, "subject"));
    return status;
}

/* ---- calendar.local -------------------------------------------------------- */

static int calendar_header(struct page *page)
{
    int status = page_link(page, "Calendar", "http://calendar.local/");
    status = status ? status : page_link(page, "New event", "http://calendar.local/new");
    return status ? status : page_link(page, "Invitations", "http://calendar.local/invitations");
}

static int calendar_home(const json_t *state, struct page *page)
{
    int status = calendar_header(page);
    status = status ? status : page_heading(page, "Events");
    size_t index;
    json_t *event;
    json_array_foreach(json_object_get(json_object_get(state, "calendar"), "events"), index, event)
    {
        char label[320], url[160];
        snprintf(label, sizeof label, "%s %s - %s", web__string(event, "date"), web__string(event, "time"),
                 web__string(event, "title"));
        snprintf(url, sizeof url, "http://calendar.local/event/%s", web__string(event, "id"));
        status = status ? status : page_link(page, label, url);
    }
    return status;
}

static int calendar_event(const json_t *state, struct page *page, const char *id)
{
    json_t *event = web__find_by_id(json_object_get(json_object_get(state, "calendar"), "events"), id);
    if (event == NULL)
        return page_text(page, "No such event.");
    int status = calendar_header(page);
    status = status ? status : page_heading(page, web__string(event, "title"));
    status = status ? status : page_text(page, "When: %s %s", web__string(event, "date"), web__string(event, "time"));
    status = status ? status : page_text(page, "Where: %s", web__string(event, "location"));
    struct buffer attendees = {0};
    size_t index;
    json_t *attendee;
    json_array_foreach(json_object_get(event, "attendees"), index, attendee)
        buffer_append_format(&attendees, "%s%s", index ? ", " : "", json_string_value(attendee));
    status = status ? status : page_text(page, "Attendees: %s", attendees.data ? attendees.data : "none");
    buffer_free(&attendees);
    char action[160];
    snprintf(action, sizeof action, "delete_event:%s", id);
    return status ? status : page_button(page, "Delete event", NULL, action);
}

static int calendar_new(struct page *page)
{
    int status = calendar_header(page);
    status = status ? status : page_heading(page, "New event");
    status = status ? status : page_textbox(page, "Title", "event", "title", "");
    status = status ? status : page_textbox(page, "Date (YYYY-MM-DD)", "event", "date", "");
    status = status ? status : page_textbox(page, "Time (HH:MM)", "event", "time", "");
    status = status ? status : page_textbox(page, "Attendees (comma-separated emails)", "event", "attendees", "");
    return status ? status : page_button(page, "Create event", "event", "create_event");
}

static int calendar_invitations(const json_t *state, struct page *page)
{
    int status = calendar_header(page);
    status = status ? status : page_heading(page, "Invitations");
    size_t index, pending = 0;
    json_t *invitation;
    json_array_foreach(json_object_get(json_object_get(state, "calendar"), "invitations"), index, invitation)
    {
        status = status ? status : page_text(page, "%s from %s on %s %s - %s", web__string(invitation, "title"),
                                              web__string(invitation, "from"), web__string(invitation, "date"),
                                              web__string(invitation, "time"), web__string(invitation, "status"));
        if (strcmp(web__string(invitation, "status"), "pending") != 0)
            continue;
        pending++;
        char label[256], action[160];
        snprintf(label, sizeof label, "Accept %s", web__string(invitation, "title"));
        snprintf(action, sizeof action, "accept:%s", web__string(invitation, "id"));
        status = status ? status : page_button(page, label, NULL, action);
        snprintf(label, sizeof label, "Decline %s", web__string(invitation, "title"));
        snprintf(action, sizeof action, "decline:%s", web__string(invitation, "id"));
        status = status ? status : page_button(page, label, NULL, action);
    }
    if (pending == 0)
        status = status ? status : page_text(page, "No pending invitations.");
    return status;
}

/* ---- routing ---------------------------------------------------------------- */

static int path_argument(const char *path, const char *prefix, char *out, size_t size)
{
    size_t length = strlen(prefix);
    if (strncmp(path, prefix, length) != 0 || path[length] == '\0' || strchr(path + length, '/'))
        return 0;
    snprintf(out, size, "%s", path + length);
    return 1;
}

int web__build_page(const json_t *state, const struct web_location *location, const char *notice,
                    struct page *page)
{
    char url[900];
    snprintf(url, sizeof url, "http://%s%s%s%s", location->host, location->path,
             location->query[0] ? "?" : "", location->query);
    char argument[64];
    const char *path = location->path;
    const char *title = "Not found";
    int kind = 0;
    if (strcmp(location->host, "shop.local") == 0) {
        title = "Shop";
        kind = 1;
    } else if (strcmp(location->host, "mail.local") == 0) {
        title = "Mail";
        kind = 2;
    } else if (strcmp(location->host, "calendar.local") == 0) {
        title = "Calendar";
        kind = 3;
    }
    int status = page_init(page, url, title);
    if (status == ASSAY_OK && notice != NULL && *notice != '\0')
        status = page_text(page, "Notice: %s", notice);
    if (status != ASSAY_OK)
        return status;
    if (kind == 1) {
        struct buffer query = {0};
        if (strcmp(path, "/") == 0)
            status = shop_home(state, page);
        else if (strcmp(path, "/search") == 0 && web__query_value(location->query, "q", &query))
            status = shop_listing(state, page, query.data != NULL ? query.data : "", NULL);
        else if (path_argument(path, "/category/", argument, sizeof argument))
            status = shop_listing(state, page, NULL, argument);
        else if (path_argument(path, "/product/", argument, sizeof argument))
            status = shop_product(state, page, argument);
        else if (strcmp(path, "/cart") == 0)
            status = shop_cart(state, page);
        else if (strcmp(path, "/checkout") == 0)
            status = shop_checkout(state, page);
        else if (strcmp(path, "/orders") == 0)
            status = shop_orders(state, page);
        else if (path_argument(path, "/order/", argument, sizeof argument))
            status = shop_order(state, page, argument);
        else
            status = page_text(page, "This page does not exist on shop.local.");
        buffer_free(&query);
    } else if (kind == 2) {
        if (strcmp(path, "/") == 0)
            status = mail_inbox(state, page);
        else if (path_argument(path, "/message/", argument, sizeof argument))
            status = mail_message(state, page, argument);
        else if (strcmp(path, "/compose") == 0)
            status = mail_compose(state, page, location->query);
        else if (strcmp(path, "/sent") == 0)
            status = mail_sent(state, page);
        else
            status = page_text(page, "This page does not exist on mail.local.");
    } else if (kind == 3) {
        if (strcmp(path, "/") == 0)
            status = calendar_home(state, page);
        else if (path_argument(path, "/event/", argument, sizeof argument))
            status = calendar_event(state, page, argument);
        else if (strcmp(path, "/new") == 0)
            status = calendar_new(page);
        else if (strcmp(path, "/invitations") == 0)
            status = calendar_invitations(state, page);
        else
            status = page_text(page, "This page does not exist on calendar.local.");
    } else {
        status = page_text(page, "Site not found. Known sites: shop.local, mail.local, calendar.local.");
    }
    return status;
}
