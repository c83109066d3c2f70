import Foundation
import Synchronization
import Testing

@testable import HAL

/// The latest-value cell: readers get the newest complete value, never a torn one.
@Suite struct LatestValueTests {
    /// A value that is torn if its fields disagree; the string makes it a non-trivial type.
    struct Sample: Equatable, Sendable {
        var sequence: UInt64
        var copy: UInt64
        var label: String
        var isWhole: Bool { sequence == copy && label == "sample \(sequence)" }
    }

    final class DoneFlag: Sendable {
        let flag = Atomic<Bool>(false)
    }

    /// Each reader's counts. A class, so threads share it by reference, behind an `NSLock`: a
    /// pthread mutex, which ThreadSanitizer sees. (With a `Mutex`, a futex in code TSan does not
    /// instrument, TSan now and then reported the readers' appends as racing.)
    final class ReaderResults: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [(torn: Int, backwards: Int, reads: Int)] = []

        func append(_ result: (torn: Int, backwards: Int, reads: Int)) {
            lock.lock()
            defer { lock.unlock() }
            results.append(result)
        }

        var counts: [(torn: Int, backwards: Int, reads: Int)] {
            lock.lock()
            defer { lock.unlock() }
            return results
        }
    }

    @Test("before any publish, readers get the initial value")
    func initialValue() {
        let cell = LatestValue(Sample(sequence: 0, copy: 0, label: "sample 0"))
        #expect(cell.read() == Sample(sequence: 0, copy: 0, label: "sample 0"))
        #expect(cell.publishCount == 0)
    }

    @Test("a read after a publish gets that value")
    func readGetsTheNewest() {
        let cell = LatestValue<Int?>(nil)
        for value in 1...100 {
            cell.publish(value)
            #expect(cell.read() == value)
        }
        #expect(cell.publishCount == 100)
    }

    @Test("under a busy writer, three readers only ever see whole values, in order")
    func concurrentReadersNeverSeeTornValues() {
        let cell = LatestValue(Sample(sequence: 0, copy: 0, label: "sample 0"))
        let writes: UInt64 = 200_000
        let done = DoneFlag()
        let results = ReaderResults()
        let finished = DispatchGroup()

        // Real threads, not tasks: spinning readers would starve a writer task on a two-core
        // cooperative pool.
        for _ in 0..<3 {
            finished.enter()
            Thread.detachNewThread {
                var torn = 0, backwards = 0, reads = 0
                var last: UInt64 = 0
                while !done.flag.load(ordering: .acquiring) {
                    let sample = cell.read()
                    reads += 1
                    if !sample.isWhole { torn += 1 }
                    if sample.sequence < last { backwards += 1 }
                    last = sample.sequence
                }
                results.append((torn, backwards, reads))
                finished.leave()
            }
        }
        finished.enter()
        Thread.detachNewThread {
            for sequence in 1...writes {
                cell.publish(Sample(sequence: sequence, copy: sequence, label: "sample \(sequence)"))
            }
            done.flag.store(true, ordering: .releasing)
            finished.leave()
        }
        finished.wait()

        for result in results.counts {
            #expect(result.torn == 0)
            #expect(result.backwards == 0)
            #expect(result.reads > 0)
        }
        #expect(cell.read().sequence == writes)
    }

    @Test("two writers may publish to one cell; the reader always gets a whole value")
    func twoWritersAreSafe() async {
        let cell = LatestValue(Sample(sequence: 0, copy: 0, label: "sample 0"))
        await withTaskGroup(of: Void.self) { group in
            for offset in [UInt64(0), 1_000_000] {
                group.addTask {
                    for sequence in 1...50_000 {
                        let value = offset + UInt64(sequence)
                        cell.publish(Sample(sequence: value, copy: value, label: "sample \(value)"))
                    }
                }
            }
        }
        let last = cell.read()
        #expect(last.isWhole)
        #expect(last.sequence == 50_000 || last.sequence == 1_050_000)
        #expect(cell.publishCount == 100_000)
    }

    @Test("a row's cells are independent: each read gets its own cell's newest value")
    func rowCellsAreIndependent() {
        let row = LatestValueRow([Sample(sequence: 0, copy: 0, label: "sample 0"), Sample(sequence: 7, copy: 7, label: "sample 7")])
        #expect(row.count == 2)
        #expect(row.read(0).sequence == 0)
        #expect(row.read(1).sequence == 7)
        for value in UInt64(1)...20 {
            row.publish(Sample(sequence: value, copy: value, label: "sample \(value)"), at: 0)
            #expect(row.read(0).sequence == value)
            #expect(row.read(1).sequence == 7)
        }
        row.publish(Sample(sequence: 99, copy: 99, label: "sample 99"), at: 1)
        #expect(row.read(0).sequence == 20)
        #expect(row.read(1) == Sample(sequence: 99, copy: 99, label: "sample 99"))
    }

    @Test("under busy writers, readers of a row only ever see whole values, in order, from their own cell")
    func rowReadersNeverSeeTornValues() {
        let cells = 3
        let row = LatestValueRow((0..<cells).map { _ in Sample(sequence: 0, copy: 0, label: "sample 0") })
        let writes: UInt64 = 100_000
        let done = DoneFlag()
        let results = ReaderResults()
        let finished = DispatchGroup()

        for cell in 0..<cells {
            finished.enter()
            Thread.detachNewThread {
                var torn = 0, backwards = 0, reads = 0
                var last: UInt64 = 0
                while !done.flag.load(ordering: .acquiring) {
                    let sample = row.read(cell)
                    reads += 1
                    // Cell c only ever holds sequences that are c modulo the cell count.
                    if !sample.isWhole || sample.sequence % UInt64(cells) != UInt64(cell) && sample.sequence != 0 { torn += 1 }
                    if sample.sequence < last { backwards += 1 }
                    last = sample.sequence
                }
                results.append((torn, backwards, reads))
                finished.leave()
            }
        }
        finished.enter()
        Thread.detachNewThread {
            for step in 1...writes {
                for cell in 0..<cells {
                    let sequence = step * UInt64(cells) + UInt64(cell)
                    row.publish(Sample(sequence: sequence, copy: sequence, label: "sample \(sequence)"), at: cell)
                }
            }
            done.flag.store(true, ordering: .releasing)
            finished.leave()
        }
        finished.wait()

        for result in results.counts {
            #expect(result.torn == 0)
            #expect(result.backwards == 0)
            #expect(result.reads > 0)
        }
        for cell in 0..<cells {
            #expect(row.read(cell).sequence == writes * UInt64(cells) + UInt64(cell))
        }
    }
}
