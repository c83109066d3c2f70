import Console
import Testing

/// The bounded hand-off between the console and the control side.
@Suite("Console request queue")
struct ConsoleRequestQueueTests {
    @Test("a full queue refuses the post at once")
    func fullQueueRefuses() {
        let queue = ConsoleRequestQueue(capacity: 2)
        #expect(queue.post(.estop) != nil)
        #expect(queue.post(.resetFaults) != nil)
        #expect(queue.post(.armMaintenance) == nil)
    }

    @Test("the control side answers every request in order, and the queue has room again")
    func drainAnswersInOrder() {
        let queue = ConsoleRequestQueue(capacity: 2)
        let first = queue.post(.estop)
        let second = queue.post(.resetFaults)
        var seen: [ConsoleRequest] = []
        queue.drainIfAvailable { request in
            seen.append(request)
            return request == .estop ? .done("stopped") : .refused("no")
        }
        #expect(seen == [.estop, .resetFaults])
        #expect(first?.wait(timeoutSeconds: 0.1) == .done("stopped"))
        #expect(second?.wait(timeoutSeconds: 0.1) == .refused("no"))
        #expect(queue.post(.armMaintenance) != nil)
    }

    @Test("a request nobody drains times out instead of hanging the console")
    func undrainedTimesOut() {
        let queue = ConsoleRequestQueue()
        let ticket = queue.post(.estop)
        #expect(ticket?.wait(timeoutSeconds: 0.05) == nil)
    }
}
