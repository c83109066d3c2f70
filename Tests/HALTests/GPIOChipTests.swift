import Testing

@testable import HAL

/// Opening chips: what a technician sees when the chip in config is not the chip on the board.
/// These run anywhere; on a machine without GPIO the "chips present" list says so.
@Suite struct GPIOChipTests {
    @Test func test_openingAMissingChipByPathIsNotFoundAndListsTheChipsPresent() {
        let error = #expect(throws: HALError.self) { try GPIOChip.open("/dev/gpiochip99") }
        #expect(error?.device == "/dev/gpiochip99")
        guard case let .notFound(what)? = error?.cause else {
            Issue.record("expected .notFound, got \(String(describing: error))")
            return
        }
        #expect(what.contains("/dev/gpiochip99"))
        #expect(what.contains("chips present: "))
        if GPIOChip.devicePaths().isEmpty {
            #expect(what.contains("none (no /dev/gpiochip* on this machine)"))
        }
    }

    @Test func test_openingAMissingChipByNameIsNotFoundNamingIt() {
        let error = #expect(throws: HALError.self) { try GPIOChip.open("gpiochip99") }
        #expect(error?.device == "gpiochip99")
        guard case let .notFound(what)? = error?.cause else {
            Issue.record("expected .notFound, got \(String(describing: error))")
            return
        }
        #expect(what.contains("gpiochip99"))
        #expect(what.contains("chips present: "))
    }

    @Test func test_openingAMissingChipByLabelIsNotFoundNamingIt() {
        let error = #expect(throws: HALError.self) { try GPIOChip.open("no-such-gpio-expander") }
        guard case let .notFound(what)? = error?.cause else {
            Issue.record("expected .notFound, got \(String(describing: error))")
            return
        }
        #expect(what.contains("'no-such-gpio-expander'"))
        #expect(what.contains("chips present: "))
    }

    @Test func test_openingAFileThatIsNotAChipSaysSo() {
        let error = #expect(throws: HALError.self) { try GPIOChip.open("/dev/null") }
        guard case let .invalidRequest(what)? = error?.cause else {
            Issue.record("expected .invalidRequest, got \(String(describing: error))")
            return
        }
        #expect(what.contains("/dev/null is not a GPIO chip"))
    }

    @Test func test_theErrorMessageReadsAsOneSentenceForTheTechnician() {
        let error = #expect(throws: HALError.self) { try GPIOChip.open("/dev/gpiochip99") }
        #expect(error?.description.hasPrefix("/dev/gpiochip99: not found: GPIO chip /dev/gpiochip99; chips present: ") == true)
    }
}

/// The request flags must be libgpiod v1's bits (gpiod.h 1.6.3: OPEN_DRAIN 1<<0, OPEN_SOURCE 1<<1,
/// ACTIVE_LOW 1<<2, BIAS_DISABLE 1<<3, BIAS_PULL_DOWN 1<<4, BIAS_PULL_UP 1<<5).
@Suite struct GPIOLineOptionsTests {
    @Test func test_defaultOptionsRequestNoFlags() {
        #expect(GPIOLineOptions().requestFlags == 0)
    }

    @Test func test_activeLowPullUpOpenDrainSetsThreeBits() {
        let options = GPIOLineOptions(activeLow: true, bias: .pullUp, drive: .openDrain)
        #expect(options.requestFlags == (1 << 2) | (1 << 5) | (1 << 0))
    }

    @Test(arguments: [
        (GPIOBias.asIs, Int32(0)), (.disabled, 1 << 3), (.pullDown, 1 << 4), (.pullUp, 1 << 5),
    ])
    func test_eachBiasMapsToItsOwnFlag(bias: GPIOBias, flags: Int32) {
        #expect(GPIOLineOptions(bias: bias).requestFlags == flags)
    }

    @Test func test_openSourceMapsToItsFlag() {
        #expect(GPIOLineOptions(drive: .openSource).requestFlags == 1 << 1)
    }

    @Test func test_biasAndDriveAreSpelledAsInConfig() {
        #expect(GPIOBias(rawValue: "pull-up") == .pullUp)
        #expect(GPIOBias(rawValue: "as-is") == .asIs)
        #expect(GPIODrive(rawValue: "open-drain") == .openDrain)
    }
}
