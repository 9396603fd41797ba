/*
 * --cpu-limit: a governor thread compares the process's CPU time with the
 * share of the machine it may use and pauses the workers between files and
 * between read chunks while the process is over budget.
 */
#ifndef VIGIL_CPULIMIT_H
#define VIGIL_CPULIMIT_H

typedef struct vg_cpulimit vg_cpulimit;

/* percent of the whole machine (all online CPUs); NULL when percent <= 0
 * or >= 100. */
vg_cpulimit *vg_cpulimit_start(int percent);
void vg_cpulimit_stop(vg_cpulimit *cl);

/* Block while over budget; a no-op for NULL. */
void vg_cpulimit_wait(vg_cpulimit *cl);

#endif
