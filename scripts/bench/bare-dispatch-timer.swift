// The floor under our Dispatch executor: a bare DispatchSourceTimer (strict, zero leeway, on a
// userInteractive serial queue, under a 0 µs cpu_dma_latency request, as the executor runs) with
// no project code in the handler. Prints cyclictest-style figures as JSON, the keys of
// `stowctl latency-test --json`, so scripts/bench-latency can tell what libdispatch costs from
// what our executor adds.
//
//   swiftc -O scripts/bench/bare-dispatch-timer.swift -o bare-dispatch-timer
//   ./bare-dispatch-timer HZ SECONDS
import Dispatch
import Foundation
import Glibc

func nowNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let hz = Double(arguments[1]), let seconds = Double(arguments[2]), hz > 0, seconds > 0 else {
    FileHandle.standardError.write("usage: bare-dispatch-timer HZ SECONDS\n".data(using: .utf8)!)
    exit(2)
}
let periodNanoseconds = UInt64(1e9 / hz)
let wanted = Int(hz * seconds)
var latenessNanoseconds: [UInt64] = []
latenessNanoseconds.reserveCapacity(wanted)
var missed: UInt64 = 0
var firesSeen: UInt64 = 0

// Held for the whole run, as the executor's process does (closing it ends the request).
let latencyDevice = open("/dev/cpu_dma_latency", O_RDWR)
var zeroMicroseconds: Int32 = 0
if latencyDevice >= 0 { _ = write(latencyDevice, &zeroMicroseconds, 4) }

let finished = DispatchSemaphore(value: 0)
let queue = DispatchQueue(label: "bare-dispatch-timer", qos: .userInteractive)
let timer = DispatchSource.makeTimerSource(flags: .strict, queue: queue)
let firstDeadline = nowNanoseconds() + periodNanoseconds
timer.schedule(deadline: DispatchTime(uptimeNanoseconds: firstDeadline),
               repeating: .nanoseconds(Int(periodNanoseconds)), leeway: .nanoseconds(0))
timer.setEventHandler {
    let started = nowNanoseconds()
    let fires = UInt64(max(timer.data, 1))
    firesSeen += fires
    missed += fires - 1
    let deadline = firstDeadline + (firesSeen - 1) * periodNanoseconds
    latenessNanoseconds.append(started > deadline ? started - deadline : 0)
    if latenessNanoseconds.count >= wanted {
        timer.cancel()
        finished.signal()
    }
}
timer.resume()
finished.wait()

let sorted = latenessNanoseconds.sorted()
func microseconds(_ fraction: Double) -> Double {
    Double(sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]) / 1000
}
let average = Double(sorted.reduce(0, +)) / Double(sorted.count) / 1000
print("""
    {"executor": "bare-dispatch", "hz": \(hz), "samples": \(sorted.count), "min_us": \(Double(sorted[0]) / 1000), \
    "avg_us": \(average), "p50_us": \(microseconds(0.5)), "p99_us": \(microseconds(0.99)), \
    "p999_us": \(microseconds(0.999)), "max_us": \(Double(sorted[sorted.count - 1]) / 1000), "missed": \(missed)}
    """)
