/* page.h — a rendered web page as a list of lines and numbered interactive
 * elements, shown two ways from one model: as compact accessibility-style
 * text for text agents ("[3] button \"Add to cart\"") and as HTML for
 * browser agents. Numbering is stable for a given state and URL, so a
 * reference solution may address elements by number or by label.
 *
 * Ownership: a page owns its strings; page_free() releases everything.
 */
#ifndef ASSAY_ENVIRONMENT_PAGE_H
#define ASSAY_ENVIRONMENT_PAGE_H

#include <stddef.h>

#include "core/buffer.h"

enum element_role {
    ELEMENT_TEXT,     /* plain text line, not interactive */
    ELEMENT_HEADING,  /* heading line, not interactive */
    ELEMENT_LINK,     /* click: open `target` (a URL) */
    ELEMENT_BUTTON,   /* click: perform `target` (an action, see web.c) with its form's values */
    ELEMENT_TEXTBOX,  /* type: set the value of field `name` of form `form` */
};

struct element {
    int number;             /* 1-based among interactive elements; 0 for text */
    enum element_role role;
    char *label;
    char *target;           /* link URL or button action */
    char *form;             /* textboxes and buttons: the form they belong to */
    char *name;             /* textboxes: the field name */
    char *value;            /* textboxes: current value */
};

struct page {
    char *url;
    char *title;
    struct element *elements;
    size_t count;
    int interactive_count;
};

int page_init(struct page *page, const char *url, const char *title);
void page_free(struct page *page);

/* Builders. They copy their strings. Return 0 or ASSAY_ERR_NOMEM. */
int page_text(struct page *page, const char *format, ...) __attribute__((format(printf, 2, 3)));
int page_heading(struct page *page, const char *text);
int page_link(struct page *page, const char *label, const char *url);
int page_button(struct page *page, const char *label, const char *form, const char *action);
int page_textbox(struct page *page, const char *label, const char *form, const char *name,
                 const char *value);

/* The interactive element with this number, or with exactly this label
 * (first match); NULL when none. */
const struct element *page_find(const struct page *page, int number, const char *label);

/* Renders for text agents. */
int page_render_text(const struct page *page, struct buffer *out);
/* Renders a complete HTML document (links are real links, buttons submit
 * forms to the environment's action endpoint). */
int page_render_html(const struct page *page, struct buffer *out);

#endif
