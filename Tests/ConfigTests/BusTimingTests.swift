import Testing
@testable import Config

struct BusTimingTests {
    func bus(baud: Int, parity: SerialParity = .even, turnaroundMS: Double = 1) -> BusConfig {
        BusConfig(name: "bus0", port: nil, baud: baud, parity: parity, stopBits: 1, responseTimeoutMS: 15, retries: 1,
                  pollHz: 10, driveTurnaroundMS: turnaroundMS, rs485: nil, location: SourceLocation(line: 1, column: 1))
    }

    @Test func evenParityCharacterIsElevenBits() {
        #expect(bus(baud: 9600).bitsPerCharacter == 11)
        #expect(bus(baud: 9600, parity: .none).bitsPerCharacter == 10)
    }

    @Test func interFrameGapIsThreeAndAHalfCharactersAtLowBaud() {
        let slow = bus(baud: 9600)
        #expect(abs(BusTiming.interFrameGapMS(bus: slow) - 3.5 * 11 * 1000 / 9600) < 1e-9)
    }

    @Test func interFrameGapIsFixedAboveNineteenThousandTwoHundredBaud() {
        #expect(BusTiming.interFrameGapMS(bus: bus(baud: 115200)) == 1.75)
        #expect(BusTiming.interFrameGapMS(bus: bus(baud: 921600)) == 1.75)
    }

    @Test func cia402DirectNeedsFiveRequestsPerDrive() {
        let profile = RegisterProfileConfig.cia402Direct
        #expect(BusTiming.runs(of: BusTiming.setpointObjects, in: profile).count == 2)
        #expect(BusTiming.runs(of: BusTiming.feedbackObjects, in: profile).count == 5)
    }

    @Test func contiguousProfileNeedsOneRequestPerDrive() {
        // Setpoints in one block, feedback in the next: the layout vendors offer for cyclic use.
        let order: [CiA402ObjectName] = BusTiming.setpointObjects + BusTiming.feedbackObjects
            + CiA402ObjectName.allCases.filter { !(BusTiming.setpointObjects + BusTiming.feedbackObjects).contains($0) }
        var addresses: [CiA402ObjectName: Int] = [:]
        var next = 0x2000
        for object in order {
            addresses[object] = next
            next += object.registerCount
        }
        let profile = RegisterProfileConfig(name: "block", addresses: addresses)
        #expect(BusTiming.runs(of: BusTiming.setpointObjects, in: profile).count == 1)
        #expect(BusTiming.runs(of: BusTiming.feedbackObjects, in: profile).count == 1)
    }

    @Test func fasterBaudShortensTheCycleButNotBelowTheGaps() {
        let profile = RegisterProfileConfig.cia402Direct
        let slow = BusTiming.driveExchangeMS(bus: bus(baud: 115200), profile: profile)
        let fast = BusTiming.driveExchangeMS(bus: bus(baud: 921600), profile: profile)
        #expect(fast < slow)
        #expect(fast > 5 * (1.75 + 1))
    }
}
