/* The CPU-share governor (see cpulimit.h). */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "base/cpulimit.h"
#include "base/util.h"

#define TICK_NS 20000000L /* 20 ms */
/* How much unused budget may be banked: keeps bursts short. */
#define MAX_CREDIT 0.05

struct vg_cpulimit {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t resume;
	double share;     /* CPU-seconds per wall second */
	int paused, stop;
};

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *governor(void *arg)
{
	vg_cpulimit *cl = arg;
	double last_wall = vg_now(), last_cpu = cpu_seconds(), debt = 0;
	struct timespec tick = {0, TICK_NS};
	for (;;) {
		nanosleep(&tick, NULL);
		double wall = vg_now(), cpu = cpu_seconds();
		debt += (cpu - last_cpu) - (wall - last_wall) * cl->share;
		if (debt < -MAX_CREDIT)
			debt = -MAX_CREDIT;
		last_wall = wall;
		last_cpu = cpu;
		pthread_mutex_lock(&cl->lock);
		int stop = cl->stop;
		cl->paused = !stop && debt > 0;
		if (!cl->paused)
			pthread_cond_broadcast(&cl->resume);
		pthread_mutex_unlock(&cl->lock);
		if (stop)
			return NULL;
	}
}

vg_cpulimit *vg_cpulimit_start(int percent)
{
	if (percent <= 0 || percent >= 100)
		return NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	vg_cpulimit *cl = calloc(1, sizeof *cl);
	if (!cl)
		return NULL;
	cl->share = (ncpu > 0 ? (double)ncpu : 1.0) * percent / 100.0;
	pthread_mutex_init(&cl->lock, NULL);
	pthread_cond_init(&cl->resume, NULL);
	if (pthread_create(&cl->thread, NULL, governor, cl) != 0) {
		free(cl);
		return NULL;
	}
	return cl;
}

void vg_cpulimit_stop(vg_cpulimit *cl)
{
	if (!cl)
		return;
	pthread_mutex_lock(&cl->lock);
	cl->stop = 1;
	pthread_mutex_unlock(&cl->lock);
	pthread_join(cl->thread, NULL);
	pthread_mutex_destroy(&cl->lock);
	pthread_cond_destroy(&cl->resume);
	free(cl);
}

void vg_cpulimit_wait(vg_cpulimit *cl)
{
	if (!cl)
		return;
	pthread_mutex_lock(&cl->lock);
	while (cl->paused && !cl->stop)
		pthread_cond_wait(&cl->resume, &cl->lock);
	pthread_mutex_unlock(&cl->lock);
}
