/*
 * jump_gate.c - a counting gate per jump host, under one lock: the hosts
 * are few (bastions), so a list searched by name is enough.  No I/O.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/jump_gate.h"

struct jump_gate {
	struct jump_gate *next;
	int taken;
	char key[];
};

static pthread_mutex_t jump_gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jump_gate_cond = PTHREAD_COND_INITIALIZER;
static struct jump_gate *jump_gates;

static long long
jump_gate_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The gate of key, created when new; under the lock.  NULL: no memory. */
static struct jump_gate *
jump_gate_find(const char *key, int create)
{
	struct jump_gate *g;
	size_t len = strlen(key);

	for (g = jump_gates; g != NULL; g = g->next)
		if (strcmp(g->key, key) == 0)
			return g;
	if (!create || (g = calloc(1, sizeof(*g) + len + 1)) == NULL)
		return NULL;
	memcpy(g->key, key, len + 1);
	g->next = jump_gates;
	jump_gates = g;
	return g;
}

int
jump_gate_enter(const char *key, long long deadline_ms)
{
	struct jump_gate *g;
	struct timespec ts;
	long long left;
	int rc = -1;

	pthread_mutex_lock(&jump_gate_lock);
	if ((g = jump_gate_find(key, 1)) == NULL)
		goto done;
	while (g->taken >= JUMP_GATE_MAX) {
		left = deadline_ms - jump_gate_now_ms();
		if (left <= 0)
			goto done;
		/* the condition variable runs on CLOCK_REALTIME: wait in
		 * short steps so a clock step cannot stretch the deadline */
		if (left > 200)
			left = 200;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += left / 1000;
		ts.tv_nsec += (left % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&jump_gate_cond, &jump_gate_lock, &ts);
	}
	g->taken++;
	rc = 0;
done:
	pthread_mutex_unlock(&jump_gate_lock);
	return rc;
}

void
jump_gate_leave(const char *key)
{
	struct jump_gate *g;

	pthread_mutex_lock(&jump_gate_lock);
	if ((g = jump_gate_find(key, 0)) != NULL && g->taken > 0)
		g->taken--;
	pthread_cond_broadcast(&jump_gate_cond);
	pthread_mutex_unlock(&jump_gate_lock);
}
