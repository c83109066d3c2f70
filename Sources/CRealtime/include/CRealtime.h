// C calls Swift cannot make directly: prctl is variadic, and cpu_set_t is handled through
// macros (CPU_SET, CPU_ISSET) that Swift does not import. Each function returns 0 or a
// positive count on success and -errno on failure, so Swift never reads errno after the fact.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Sets the calling thread's timer slack (prctl PR_SET_TIMERSLACK). 0 or -errno.
int crt_set_timer_slack_nanoseconds(unsigned long nanoseconds);

/// The calling thread's timer slack in ns (prctl PR_GET_TIMERSLACK), or -errno.
long crt_get_timer_slack_nanoseconds(void);

/// Names the calling thread (prctl PR_SET_NAME; at most 15 bytes are kept). 0 or -errno.
int crt_set_current_thread_name(const char *name);

/// Pins the calling thread to one CPU (pthread_setaffinity_np). 0 or -errno.
int crt_pin_current_thread_to_cpu(int cpu);

/// Writes the CPUs the calling thread may run on (sched_getaffinity) into `cpus`, at most
/// `capacity` of them, in ascending order. Returns how many, or -errno.
int crt_current_thread_cpus(int *cpus, int capacity);

#ifdef __cplusplus
}
#endif
