/* worker.c — a small fixed pool of threads for handlers that may block.
 *
 * Jobs wait in a FIFO list bounded by queue_limit, so a flood of slow calls
 * is refused (the caller answers an error) instead of growing memory without
 * end. Threads start on the first submit: a server whose handlers all run
 * inline never pays for them. Idle threads sleep on a condition variable. */
#include <pthread.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/memory.h"
#include "core/status.h"
#include "mcp/internal.h"

struct job {
    struct job *next;
    void (*run)(void *argument);
    void *argument;
};

struct mcp__worker_pool {
    pthread_mutex_t lock;
    pthread_cond_t available;
    struct job *head, *tail;
    size_t queued, queue_limit;
    unsigned thread_count, started;
    pthread_t *threads;
    int stopping;
};

static void *worker_main(void *context)
{
    struct mcp__worker_pool *pool = context;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (pool->head == NULL && !pool->stopping)
            pthread_cond_wait(&pool->available, &pool->lock);
        struct job *job = pool->head;
        if (job == NULL)
            break; /* stopping and drained */
        pool->head = job->next;
        if (pool->head == NULL)
            pool->tail = NULL;
        pool->queued--;
        pthread_mutex_unlock(&pool->lock);
        job->run(job->argument);
        assay_free(job);
        pthread_mutex_lock(&pool->lock);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

int mcp__worker_pool_new(unsigned threads, size_t queue_limit, struct mcp__worker_pool **out)
{
    struct mcp__worker_pool *pool = assay_calloc(1, sizeof *pool);
    if (pool == NULL)
        return ASSAY_ERR_NOMEM;
    pool->thread_count = threads > 0 ? threads : 1;
    pool->queue_limit = queue_limit > 0 ? queue_limit : 1024;
    pool->threads = assay_calloc(pool->thread_count, sizeof *pool->threads);
    if (pool->threads == NULL) {
        assay_free(pool);
        return ASSAY_ERR_NOMEM;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->available, NULL);
    *out = pool;
    return ASSAY_OK;
}

int mcp__worker_pool_submit(struct mcp__worker_pool *pool, void (*run)(void *argument),
                            void *argument)
{
    struct job *job = assay_malloc(sizeof *job);
    if (job == NULL)
        return ASSAY_ERR_NOMEM;
    job->next = NULL;
    job->run = run;
    job->argument = argument;
    int status = ASSAY_OK;
    pthread_mutex_lock(&pool->lock);
    if (pool->stopping) {
        status = ASSAY_ERR_STATE;
    } else if (pool->queued >= pool->queue_limit) {
        status = ASSAY_ERR_LIMIT;
    } else {
        if (pool->started == 0) {
            for (unsigned index = 0; index < pool->thread_count; index++) {
                if (pthread_create(&pool->threads[index], NULL, worker_main, pool) != 0)
                    break;
                pool->started++;
            }
            if (pool->started == 0)
                status = ASSAY_ERR_IO;
            else if (pool->started < pool->thread_count)
                log_warning("mcp: started only %u of %u worker threads", pool->started,
                            pool->thread_count);
        }
        if (status == ASSAY_OK) {
            if (pool->tail != NULL)
                pool->tail->next = job;
            else
                pool->head = job;
            pool->tail = job;
            pool->queued++;
            pthread_cond_signal(&pool->available);
        }
    }
    pthread_mutex_unlock(&pool->lock);
    if (status != ASSAY_OK)
        assay_free(job);
    return status;
}

void mcp__worker_pool_free(struct mcp__worker_pool *pool)
{
    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->available);
    unsigned started = pool->started;
    pthread_mutex_unlock(&pool->lock);
    for (unsigned index = 0; index < started; index++)
        pthread_join(pool->threads[index], NULL);
    /* Only reachable with jobs left when no thread ever started. */
    while (pool->head != NULL) {
        struct job *job = pool->head;
        pool->head = job->next;
        job->run(job->argument);
        assay_free(job);
    }
    pthread_cond_destroy(&pool->available);
    pthread_mutex_destroy(&pool->lock);
    assay_free(pool->threads);
    assay_free(pool);
}
