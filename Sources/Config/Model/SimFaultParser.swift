extension SimFaultSpec {
    /// Parses one fault line (see `SimFaultSpec`). Throws `SimFaultSyntaxError`.
    public static func parse(_ text: String) throws -> SimFaultSpec {
        var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)[...]
        func fail(_ message: String) -> SimFaultSyntaxError { SimFaultSyntaxError(text: text, message: message) }
        func next(_ what: String) throws -> String {
            guard let word = words.popFirst() else { throw fail("expected \(what)") }
            return word
        }
        func role() throws -> DriveRole {
            let word = try next("a drive (\(DriveRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            guard let role = DriveRole(rawValue: word) else {
                throw fail("unknown drive '\(word)'; drives are \(DriveRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return role
        }
        func signal() throws -> String {
            let word = try next("an input signal")
            let inputs = SignalCatalog.names(.input)
            guard inputs.contains(word) else {
                throw fail("unknown input '\(word)'; inputs are \(inputs.joined(separator: ", "))")
            }
            return word
        }
        func duration(_ word: String) throws -> UInt64 {
            guard let nanoseconds = parseDuration(word) else {
                throw fail("'\(word)' is not a time; write it like 500ms or 2.5s")
            }
            return nanoseconds
        }

        let name = try next("a fault kind (\(kindNames.joined(separator: ", ")))")
        let kind: Kind
        switch name {
        case "serial-timeout": kind = .serialTimeout(bus: try next("a bus name"))
        case "serial-crc": kind = .serialCRC(bus: try next("a bus name"))
        case "serial-garble": kind = .serialGarble(bus: try next("a bus name"))
        case "drive-fault":
            let drive = try role()
            let codeWord = try next("an error code like 0x7500")
            let digits = codeWord.hasPrefix("0x") ? String(codeWord.dropFirst(2)) : codeWord
            guard let code = UInt16(digits, radix: codeWord.hasPrefix("0x") ? 16 : 10), code != 0 else {
                throw fail("'\(codeWord)' is not a CiA 402 error code (0x0001...0xFFFF)")
            }
            kind = .driveFault(role: drive, code: code)
        case "drive-stall": kind = .driveStall(role: try role())
        case "drive-frozen": kind = .driveFrozenFeedback(role: try role())
        case "input-stuck":
            let line = try signal()
            let valueWord = try next("true or false")
            guard let value = Bool(valueWord) else { throw fail("'\(valueWord)' is not true or false") }
            kind = .inputStuck(signal: line, value: value)
        case "input-bounce": kind = .inputBounce(signal: try signal())
        case "estop": kind = .estop
        case "camera-drop": kind = .cameraDrop
        case "camera-freeze": kind = .cameraFreeze
        case "camera-stale": kind = .cameraStale(byNanoseconds: try duration(try next("how stale, like 400ms")))
        case "slow-tick": kind = .slowTick(byNanoseconds: try duration(try next("how much longer, like 5ms")))
        default:
            throw fail("unknown fault '\(name)'; faults are \(kindNames.joined(separator: ", "))")
        }

        var spec = SimFaultSpec(kind: kind, description: text)
        let isSerial = name.hasPrefix("serial-")
        while let word = words.popFirst() {
            switch word {
            case "at":
                spec.trigger = .at(nanosecondsAfterStart: try duration(try next("a time after at")))
            case "in":
                let phaseWord = try next("a stow phase")
                guard let phase = StowPhase(rawValue: phaseWord) else {
                    throw fail("unknown phase '\(phaseWord)'; phases are \(StowPhase.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                spec.trigger = .phase(phase)
            case "for":
                spec.durationNanoseconds = try duration(try next("a duration after for"))
            case "rate" where isSerial:
                let rateWord = try next("a share between 0 and 1")
                guard let rate = Double(rateWord), rate > 0, rate <= 1 else { throw fail("rate '\(rateWord)' must be in (0, 1]") }
                spec.rate = rate
            case "burst" where isSerial:
                let countWord = try next("a number of replies")
                guard let count = Int(countWord), count > 0 else { throw fail("burst '\(countWord)' must be a positive count") }
                spec.burst = count
            default:
                throw fail("unexpected '\(word)'; expected at T, in PHASE, for T\(isSerial ? ", rate R or burst N" : "")")
            }
        }
        return spec
    }

    /// `500ms`, `2s`, `2.5s` → nanoseconds.
    static func parseDuration(_ word: String) -> UInt64? {
        let (number, scale): (Substring, Double)
        if word.hasSuffix("ms") {
            (number, scale) = (word.dropLast(2), 1e6)
        } else if word.hasSuffix("s") {
            (number, scale) = (word.dropLast(1), 1e9)
        } else {
            return nil
        }
        guard let value = Double(number), value >= 0, value.isFinite else { return nil }
        return UInt64(value * scale)
    }
}
