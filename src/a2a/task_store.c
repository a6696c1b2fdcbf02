/* task_store.c — what all task stores share. */
#include "a2a/task_store.h"

#include "core/memory.h"

void a2a_task_page_free(struct a2a_task_page *page)
{
    if (page == NULL)
        return;
    for (size_t index = 0; index < page->count; index++)
        assay_free(page->tasks[index]);
    assay_free(page->tasks);
    assay_free(page->lengths);
    page->tasks = NULL;
    page->lengths = NULL;
    page->count = 0;
}
