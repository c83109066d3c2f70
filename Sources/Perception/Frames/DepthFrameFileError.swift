/// A recorded frame that cannot be read: which file, and what is wrong with it.
public struct DepthFrameFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        /// The file could not be opened or read (missing, permissions).
        case unreadable(String)
        /// Not a binary PGM: the first two bytes are not `P5`.
        case wrongMagic(found: String)
        /// The header is malformed (a field missing or not a number).
        case badHeader(String)
        /// Not 16-bit: maxval must be 65535.
        case wrongMaxval(Int)
        /// Fewer sample bytes than width x height x 2.
        case truncated(expectedBytes: Int, foundBytes: Int)
        /// More sample bytes than width x height x 2, or a size that disagrees with the sidecar.
        case wrongSize(String)
        /// The JSON sidecar next to the PGM is not there.
        case missingSidecar(path: String)
        /// The sidecar is there but not valid.
        case invalidSidecar(path: String, reason: String)
    }

    /// The file at fault (the PGM, or its sidecar for the sidecar problems).
    public var path: String
    public var problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case let .unreadable(reason):
            return "\(path): cannot read: \(reason)"
        case let .wrongMagic(found):
            return "\(path): not a 16-bit binary PGM: starts with '\(found)', expected 'P5'"
        case let .badHeader(reason):
            return "\(path): bad PGM header: \(reason)"
        case let .wrongMaxval(maxval):
            return "\(path): PGM maxval is \(maxval); depth frames need 65535 (16-bit depth in mm)"
        case let .truncated(expected, found):
            return "\(path): truncated: \(found) bytes of samples, expected \(expected) (width x height x 2)"
        case let .wrongSize(reason):
            return "\(path): wrong size: \(reason)"
        case let .missingSidecar(sidecar):
            return "\(path): no sidecar \(sidecar); each frame needs one with intrinsics, pose and openings (docs/perception.md)"
        case let .invalidSidecar(sidecar, reason):
            return "\(sidecar): invalid sidecar: \(reason) (schema in docs/perception.md)"
        }
    }
}
