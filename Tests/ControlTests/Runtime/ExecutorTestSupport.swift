import Glibc
import HAL

/// Polls `condition` until it holds or a generous limit passes; returns whether it held.
/// Executor tests wait for conditions, never for or on durations.
func eventually(withinMilliseconds limit: Double = 10_000, _ condition: () -> Bool) -> Bool {
    let giveUp = MonotonicInstant.inMilliseconds(limit)
    while MonotonicInstant.now() < giveUp {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}
