/* worker_pool.c — threads that run executor turns.
 *
 * The pool starts a thread only when a turn is queued and no thread is
 * idle, up to max_threads, and keeps every thread it started until it
 * stops: steady load therefore creates no threads, and a burst of blocking
 * turns (an assessment per turn) gets up to max_threads of them. Beyond the
 * cap, turns wait in a FIFO queue bounded by max_queued.
 */
#include <errno.h>
#include <string.h>

#include "a2a/server_internal.h"
#include "core/log.h"
#include "core/memory.h"

static void *worker_main(void *argument)
{
    struct a2a__worker_pool *pool = argument;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (pool->head == NULL && !pool->stopping)
            pthread_cond_wait(&pool->work, &pool->lock);
        if (pool->stopping)
            break;
        struct a2a_execution *task = pool->head;
        pool->head = task->queue_next;
        if (pool->head == NULL)
            pool->tail = NULL;
        task->queue_next = NULL;
        pool->queued--;
        pool->idle--;
        pthread_mutex_unlock(&pool->lock);
        pool->run(task);
        pthread_mutex_lock(&pool->lock);
        pool->idle++;
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

int a2a__pool_init(struct a2a__worker_pool *pool, unsigned max_threads, size_t max_queued,
                   void (*run)(struct a2a_execution *task))
{
    memset(pool, 0, sizeof *pool);
    pool->max_threads = max_threads;
    pool->max_queued = max_queued;
    pool->run = run;
    pool->thread_ids = assay_calloc(max_threads, sizeof *pool->thread_ids);
    if (pool->thread_ids == NULL)
        return ASSAY_ERR_NOMEM;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work, NULL);
    return ASSAY_OK;
}

int a2a__pool_submit(struct a2a__worker_pool *pool, struct a2a_execution *task)
{
    pthread_mutex_lock(&pool->lock);
    if (pool->stopping) {
        pthread_mutex_unlock(&pool->lock);
        return ASSAY_ERR_STATE;
    }
    if (pool->queued >= pool->max_queued) {
        pthread_mutex_unlock(&pool->lock);
        return ASSAY_ERR_LIMIT;
    }
    task->queue_next = NULL;
    if (pool->tail != NULL)
        pool->tail->queue_next = task;
    else
        pool->head = task;
    pool->tail = task;
    pool->queued++;
    /* Idle threads each take one queued turn; start another only when the
     * queue outgrows them. */
    if (pool->queued > pool->idle && pool->threads < pool->max_threads) {
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        /* Executors may recurse (JSON, HTTP): 1 MiB is ample, and only the
         * pages a thread touches become resident. */
        pthread_attr_setstacksize(&attributes, 1u << 20);
        int error =
            pthread_create(&pool->thread_ids[pool->threads], &attributes, worker_main, pool);
        pthread_attr_destroy(&attributes);
        if (error == 0) {
            pool->threads++;
            pool->idle++;
        } else if (pool->threads == 0) {
            /* No thread at all would leave the turn queued forever. */
            pool->tail = NULL;
            pool->head = NULL;
            pool->queued = 0;
            pthread_mutex_unlock(&pool->lock);
            log_error("a2a: cannot start a worker thread: %s", strerror(error));
            return ASSAY_ERR_IO;
        }
    }
    pthread_cond_signal(&pool->work);
    pthread_mutex_unlock(&pool->lock);
    return ASSAY_OK;
}

struct a2a_execution *a2a__pool_stop(struct a2a__worker_pool *pool)
{
    if (pool->thread_ids == NULL)
        return NULL;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->work);
    unsigned threads = pool->threads;
    pthread_mutex_unlock(&pool->lock);
    for (unsigned index = 0; index < threads; index++)
        pthread_join(pool->thread_ids[index], NULL);
    struct a2a_execution *left = pool->head;
    pool->head = pool->tail = NULL;
    pool->queued = 0;
    pthread_cond_destroy(&pool->work);
    pthread_mutex_destroy(&pool->lock);
    assay_free(pool->thread_ids);
    pool->thread_ids = NULL;
    return left;
}
