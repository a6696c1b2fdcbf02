/* page.c — the page model and its two renderings. */
#include "environment/page.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"
#include "core/status.h"

int page_init(struct page *page, const char *url, const char *title)
{
    memset(page, 0, sizeof *page);
    page->url = assay_strdup(url);
    page->title = assay_strdup(title);
    return page->url != NULL && page->title != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

void page_free(struct page *page)
{
    if (page == NULL)
        return;
    for (size_t index = 0; index < page->count; index++) {
        struct element *element = &page->elements[index];
        assay_free(element->label);
        assay_free(element->target);
        assay_free(element->form);
        assay_free(element->name);
        assay_free(element->value);
    }
    assay_free(page->elements);
    assay_free(page->url);
    assay_free(page->title);
    memset(page, 0, sizeof *page);
}

static struct element *page_add(struct page *page, enum element_role role, const char *label)
{
    struct element *elements =
        assay_realloc(page->elements, (page->count + 1) * sizeof *elements);
    if (elements == NULL)
        return NULL;
    page->elements = elements;
    struct element *element = &elements[page->count];
    memset(element, 0, sizeof *element);
    element->role = role;
    element->label = assay_strdup(label);
    if (element->label == NULL)
        return NULL;
    page->count++;
    if (role == ELEMENT_LINK || role == ELEMENT_BUTTON || role == ELEMENT_TEXTBOX)
        element->number = ++page->interactive_count;
    return element;
}

int page_text(struct page *page, const char *format, ...)
{
    char line[1024];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(line, sizeof line, format, arguments);
    va_end(arguments);
    return page_add(page, ELEMENT_TEXT, line) != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

int page_heading(struct page *page, const char *text)
{
    return page_add(page, ELEMENT_HEADING, text) != NULL ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

int page_link(struct page *page, const char *label, const char *url)
{
    struct element *element = page_add(page, ELEMENT_LINK, label);
    if (element == NULL || (element->target = assay_strdup(url)) == NULL)
        return ASSAY_ERR_NOMEM;
    return ASSAY_OK;
}

int page_button(struct page *page, const char *label, const char *form, const char *action)
{
    struct element *element = page_add(page, ELEMENT_BUTTON, label);
    if (element == NULL || (element->target = assay_strdup(action)) == NULL)
        return ASSAY_ERR_NOMEM;
    if (form != NULL && (element->form = assay_strdup(form)) == NULL)
        return ASSAY_ERR_NOMEM;
    return ASSAY_OK;
}

int page_textbox(struct page *page, const char *label, const char *form, const char *name,
                 const char *value)
{
    struct element *element = page_add(page, ELEMENT_TEXTBOX, label);
    if (element == NULL)
        return ASSAY_ERR_NOMEM;
    element->form = assay_strdup(form);
    element->name = assay_strdup(name);
    element->value = assay_strdup(value != NULL ? value : "");
    return element->form && element->name && element->value ? ASSAY_OK : ASSAY_ERR_NOMEM;
}

const struct element *page_find(const struct page *page, int number, const char *label)
{
    for (size_t index = 0; index < page->count; index++) {
        const struct element *element = &page->elements[index];
        if (element->number == 0)
            continue;
        if (number > 0 && element->number == number)
            return element;
        if (number <= 0 && label != NULL && strcmp(element->label, label) == 0)
            return element;
    }
    return NULL;
}

int page_render_text(const struct page *page, struct buffer *out)
{
    int status = buffer_append_format(out, "page: %s\nurl: %s\n", page->title, page->url);
    for (size_t index = 0; status == ASSAY_OK && index < page->count; index++) {
        const struct element *element = &page->elements[index];
        switch (element->role) {
        case ELEMENT_TEXT:
            status = buffer_append_format(out, "%s\n", element->label);
            break;
        case ELEMENT_HEADING:
            status = buffer_append_format(out, "# %s\n", element->label);
            break;
        case ELEMENT_LINK:
            status = buffer_append_format(out, "[%d] link \"%s\"\n", element->number, element->label);
            break;
        case ELEMENT_BUTTON:
            status = buffer_append_format(out, "[%d] button \"%s\"\n", element->number, element->label);
            break;
        case ELEMENT_TEXTBOX:
            status = buffer_append_format(out, "[%d] textbox \"%s\" value=\"%s\"\n", element->number,
                                          element->label, element->value);
            break;
        }
    }
    return status;
}

static int append_escaped(struct buffer *out, const char *text)
{
    int status = ASSAY_OK;
    for (; *text != '\0' && status == ASSAY_OK; text++) {
        switch (*text) {
        case '<': status = buffer_append_string(out, "&lt;"); break;
        case '>': status = buffer_append_string(out, "&gt;"); break;
        case '&': status = buffer_append_string(out, "&amp;"); break;
        case '"': status = buffer_append_string(out, "&quot;"); break;
        default: status = buffer_append(out, text, 1); break;
        }
    }
    return status;
}

int page_render_html(const struct page *page, struct buffer *out)
{
    int status = buffer_append_string(out, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    status = status ? status : append_escaped(out, page->title);
    status = status ? status : buffer_append_string(out, "</title></head><body>\n");
    /* One HTML form per page: every button posts the page's fields plus its
     * own action, which the environment's HTTP front end turns into the same
     * type + click steps a text agent would take. */
    status = status ? status : buffer_append_string(out, "<form method=\"post\" action=\"/_act\">\n");
    status = status ? status : buffer_append_string(out, "<input type=\"hidden\" name=\"_url\" value=\"");
    status = status ? status : append_escaped(out, page->url);
    status = status ? status : buffer_append_string(out, "\">\n");
    for (size_t index = 0; status == ASSAY_OK && index < page->count; index++) {
        const struct element *element = &page->elements[index];
        switch (element->role) {
        case ELEMENT_TEXT:
            status = buffer_append_string(out, "<p>");
            status = status ? status : append_escaped(out, element->label);
            status = status ? status : buffer_append_string(out, "</p>\n");
            break;
        case ELEMENT_HEADING:
            status = buffer_append_string(out, "<h1>");
            status = status ? status : append_escaped(out, element->label);
            status = status ? status : buffer_append_string(out, "</h1>\n");
            break;
        case ELEMENT_LINK:
            status = buffer_append_string(out, "<p><a href=\"/_open?url=");
            for (const char *cursor = element->target; status == ASSAY_OK && *cursor; cursor++)
                status = (*cursor >= 'a' && *cursor <= 'z') || (*cursor >= 'A' && *cursor <= 'Z') ||
                                 (*cursor >= '0' && *cursor <= '9') || *cursor == '-' || *cursor == '.'
                             ? buffer_append(out, cursor, 1)
                             : buffer_append_format(out, "%%%02X", (unsigned char)*cursor);
            status = status ? status : buffer_append_string(out, "\">");
            status = status ? status : append_escaped(out, element->label);
            status = status ? status : buffer_append_string(out, "</a></p>\n");
            break;
        case ELEMENT_BUTTON:
            status = buffer_append_format(out, "<p><button type=\"submit\" name=\"_element\" value=\"%d\">",
                                          element->number);
            status = status ? status : append_escaped(out, element->label);
            status = status ? status : buffer_append_string(out, "</button></p>\n");
            break;
        case ELEMENT_TEXTBOX:
            status = buffer_append_format(out, "<p><label>");
            status = status ? status : append_escaped(out, element->label);
            status = status ? status : buffer_append_format(out, " <input name=\"_field%d\" value=\"",
                                                            element->number);
            status = status ? status : append_escaped(out, element->value);
            status = status ? status : buffer_append_string(out, "\"></label></p>\n");
            break;
        }
    }
    status = status ? status : buffer_append_string(out, "</form>\n</body></html>\n");
    return status;
}
