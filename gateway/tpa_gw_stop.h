/* tpa_gw_stop.h - a stop signal a gateway thread sleeps on: raised once by the
 * owner, it wakes every waiter at once.
 *
 * The signal is a plain struct embedded in its owner (no allocation): init before
 * the thread starts, destroy after it has been joined.
 */
#ifndef TPA_GW_STOP_H
#define TPA_GW_STOP_H

#include <pthread.h>
#include <stdbool.h>

typedef struct tpa_gw_stop {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool raised;
} tpa_gw_stop_t;

void tpa_gw_stop_init(tpa_gw_stop_t *s);
void tpa_gw_stop_destroy(tpa_gw_stop_t *s);

/* Raises the signal and wakes every waiter. */
void tpa_gw_stop_raise(tpa_gw_stop_t *s);

/* Lowers the signal again (before a new thread starts waiting on it). */
void tpa_gw_stop_clear(tpa_gw_stop_t *s);

/* Whether the signal is raised. */
bool tpa_gw_stop_raised(tpa_gw_stop_t *s);

/* Sleeps up to ms milliseconds or until the signal is raised; true when raised. */
bool tpa_gw_stop_wait(tpa_gw_stop_t *s, int ms);

#endif
