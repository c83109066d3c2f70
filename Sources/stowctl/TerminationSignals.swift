import Glibc

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP, taken as requests to stop cleanly instead of killing us.
///
/// Bench commands that hold GPIO lines must put outputs back to a known level before they exit,
/// which the default action of these signals would skip. Blocking them and asking with
/// `sigtimedwait` keeps that in plain sequential code, with no signal handler. Create this before
/// requesting any line. Blocking applies to the calling thread; the bench commands run on one.
struct TerminationSignals {
    private var signals = sigset_t()

    init() {
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    /// Waits up to `seconds` (forever when nil) for one of the signals; returns its number, or nil
    /// when the time ran out. The corresponding C functions are `sigtimedwait` and `sigwait`.
    func wait(seconds: Double?) -> Int32? {
        var signals = self.signals
        guard let seconds else {
            var received: Int32 = 0
            return sigwait(&signals, &received) == 0 ? received : nil
        }
        let whole = max(0, seconds).rounded(.down)
        var timeout = timespec(tv_sec: Int(whole), tv_nsec: Int((max(0, seconds) - whole) * 1e9))
        while true {
            let received = sigtimedwait(&signals, nil, &timeout)
            if received > 0 { return received }
            // EINTR: an unrelated signal; the kernel does not update `timeout`, so this may wait
            // a little longer than asked, which is harmless for a bench hold.
            if errno != EINTR { return nil }
        }
    }

    /// True when one of the signals has arrived (and takes it). Does not wait.
    func arrived() -> Bool {
        wait(seconds: 0) != nil
    }

    /// The signal's name for messages (`SIGINT`).
    static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signal)"
        }
    }
}
