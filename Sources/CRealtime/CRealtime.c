// C calls Swift cannot make directly (variadic prctl, cpu_set_t macros). See CRealtime.h.
#define _GNU_SOURCE
#include "CRealtime.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>

int crt_set_timer_slack_nanoseconds(unsigned long nanoseconds) {
    if (prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0) != 0) {
        return -errno;
    }
    return 0;
}

long crt_get_timer_slack_nanoseconds(void) {
    int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    if (slack < 0) {
        return -errno;
    }
    return slack;
}

int crt_set_current_thread_name(const char *name) {
    if (prctl(PR_SET_NAME, name, 0, 0, 0) != 0) {
        return -errno;
    }
    return 0;
}

int crt_pin_current_thread_to_cpu(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return -EINVAL;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    // pthread_setaffinity_np returns the error number instead of setting errno.
    return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int crt_current_thread_cpus(int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        return -errno;
    }
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) {
            cpus[count++] = cpu;
        }
    }
    return count;
}
