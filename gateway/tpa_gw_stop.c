/* tpa_gw_stop.c - the stop signal gateway threads sleep on (see tpa_gw_stop.h). */
#include "tpa_gw_stop.h"

#include <errno.h>
#include <time.h>

void tpa_gw_stop_init(tpa_gw_stop_t *s)
{
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->raised = false;
}

void tpa_gw_stop_destroy(tpa_gw_stop_t *s)
{
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
}

void tpa_gw_stop_raise(tpa_gw_stop_t *s)
{
    pthread_mutex_lock(&s->lock);
    s->raised = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

void tpa_gw_stop_clear(tpa_gw_stop_t *s)
{
    pthread_mutex_lock(&s->lock);
    s->raised = false;
    pthread_mutex_unlock(&s->lock);
}

bool tpa_gw_stop_raised(tpa_gw_stop_t *s)
{
    pthread_mutex_lock(&s->lock);
    bool r = s->raised;
    pthread_mutex_unlock(&s->lock);
    return r;
}

bool tpa_gw_stop_wait(tpa_gw_stop_t *s, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->lock);
    while (!s->raised && pthread_cond_timedwait(&s->cond, &s->lock, &ts) != ETIMEDOUT)
        ;
    bool r = s->raised;
    pthread_mutex_unlock(&s->lock);
    return r;
}
