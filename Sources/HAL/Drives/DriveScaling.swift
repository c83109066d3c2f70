// Drive units ↔ EOAT units. Written by hand with the Modbus CiA 402 drive (no Swift Modbus or
// CiA 402 package is available to this project).

/// How one axis converts between drive units (encoder counts, per mille of rated current) and
/// the units the controller thinks in (mm, mm/s, mA).
public struct DriveScaling: Equatable, Sendable {
    /// Encoder counts per mm of travel at the tool (jaw paddle, belt surface, plank tip).
    public var countsPerMM: Double
    /// The motor's rated current: what 1000 ‰ in 0x6078 means.
    public var ratedCurrentMilliamps: Double

    public init(countsPerMM: Double, ratedCurrentMilliamps: Double) {
        self.countsPerMM = countsPerMM
        self.ratedCurrentMilliamps = ratedCurrentMilliamps
    }

    /// Why these numbers cannot be used, or nil. (A zero or negative scale would turn every
    /// target into nonsense without any error.)
    public var problem: String? {
        guard countsPerMM.isFinite, countsPerMM != 0 else {
            return "counts per mm must be a non-zero number (got \(countsPerMM))"
        }
        guard ratedCurrentMilliamps.isFinite, ratedCurrentMilliamps > 0 else {
            return "rated current must be positive (got \(ratedCurrentMilliamps) mA)"
        }
        return nil
    }

    /// mm → counts, rounded to the nearest count. Also used for mm/s → counts/s and
    /// mm/s² → counts/s². Returns nil when the result is not a finite number that fits Int64
    /// (the register profile then checks the object's own range).
    public func counts(fromMM millimeters: Double) -> Int64? {
        let counts = (millimeters * countsPerMM).rounded()
        guard counts.isFinite, counts >= -9.0e18, counts <= 9.0e18 else { return nil }
        return Int64(counts)
    }

    /// counts → mm (and counts/s → mm/s).
    public func millimeters(fromCounts counts: Int64) -> Double {
        Double(counts) / countsPerMM
    }

    /// 0x6078 (per mille of rated current) → mA.
    public func milliamps(fromPerMille perMille: Int64) -> Double {
        Double(perMille) * ratedCurrentMilliamps / 1000
    }
}
