// Counts heap allocations made by the calling thread between start and stop, by interposing
// malloc and friends in the test executable and forwarding to glibc's own functions.
// Used by tests that must prove a code path does not allocate (the control tick).
#pragma once
#include <stdint.h>

/// 1 when counting works; 0 in a sanitizer build (ASan/TSan own malloc, so nothing is interposed
/// and start/stop count nothing).
int allocation_counter_available(void);
void allocation_counter_start(void);
/// Stops counting and returns the allocations made on this thread since start.
uint64_t allocation_counter_stop(void);
