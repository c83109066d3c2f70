import Foundation
import HAL

/// Reads and writes a recorded depth frame: `NAME.pgm` (16-bit depth in mm) and `NAME.json`
/// (its `DepthFrameSidecar`).
public enum DepthFrameFile {
    /// The sidecar path for a PGM path: the extension replaced by `.json`.
    public static func sidecarPath(for pgmPath: String) -> String {
        (pgmPath as NSString).deletingPathExtension + ".json"
    }

    /// Reads a frame and its sidecar. Every problem is a `DepthFrameFileError` naming the file.
    public static func read(pgmPath: String) throws(DepthFrameFileError) -> DepthFrame {
        let bytes = try readBytes(pgmPath)
        let image = try PGMDepthImage.decode(bytes, path: pgmPath)
        let sidecarPath = sidecarPath(for: pgmPath)
        let sidecar = try readSidecar(pgmPath: pgmPath)
        guard sidecar.width == image.width, sidecar.height == image.height else {
            throw DepthFrameFileError(path: pgmPath, problem: .wrongSize(
                "image is \(image.width)x\(image.height) but \(sidecarPath) says \(sidecar.width)x\(sidecar.height)"))
        }
        return DepthFrame(
            sequence: sidecar.sequence, timestamp: MonotonicInstant(nanoseconds: sidecar.timestampNS),
            width: image.width, height: image.height, depthMM: image.pixels,
            intrinsics: sidecar.intrinsics, pose: sidecar.pose, openings: sidecar.binOpenings)
    }

    /// Reads and checks the sidecar of the frame at `pgmPath`.
    public static func readSidecar(pgmPath: String) throws(DepthFrameFileError) -> DepthFrameSidecar {
        let sidecarPath = sidecarPath(for: pgmPath)
        guard FileManager.default.fileExists(atPath: sidecarPath) else {
            throw DepthFrameFileError(path: pgmPath, problem: .missingSidecar(path: sidecarPath))
        }
        let sidecar: DepthFrameSidecar
        do {
            sidecar = try JSONDecoder().decode(DepthFrameSidecar.self, from: Data(try readBytes(sidecarPath)))
        } catch let error as DecodingError {
            throw DepthFrameFileError(path: pgmPath, problem: .invalidSidecar(path: sidecarPath, reason: describe(error)))
        } catch {
            throw DepthFrameFileError(path: pgmPath, problem: .invalidSidecar(path: sidecarPath, reason: "\(error)"))
        }
        if let problem = sidecar.problem() {
            throw DepthFrameFileError(path: pgmPath, problem: .invalidSidecar(path: sidecarPath, reason: problem))
        }
        return sidecar
    }

    /// Writes `frame` as `pgmPath` and its sidecar next to it, replacing both.
    public static func write(_ frame: DepthFrame, pgmPath: String) throws(DepthFrameFileError) {
        let image = PGMDepthImage(width: frame.width, height: frame.height, pixels: frame.depthMM)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let sidecarPath = sidecarPath(for: pgmPath)
        do {
            try Data(image.encode()).write(to: URL(fileURLWithPath: pgmPath), options: .atomic)
        } catch {
            throw DepthFrameFileError(path: pgmPath, problem: .unreadable("cannot write: \(error.localizedDescription)"))
        }
        do {
            let json = try encoder.encode(DepthFrameSidecar(frame: frame))
            try json.write(to: URL(fileURLWithPath: sidecarPath), options: .atomic)
        } catch {
            throw DepthFrameFileError(path: sidecarPath, problem: .unreadable("cannot write: \(error.localizedDescription)"))
        }
    }

    private static func readBytes(_ path: String) throws(DepthFrameFileError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw DepthFrameFileError(path: path, problem: .unreadable(reason))
        }
        return [UInt8](data)
    }

    /// A DecodingError as "key.path: what", for a person fixing the sidecar by hand.
    private static func describe(_ error: DecodingError) -> String {
        func keyPath(_ path: [CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            let parent = keyPath(context.codingPath)
            return "missing key '\(parent.isEmpty ? "" : parent + ".")\(key.stringValue)'"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "\(keyPath(context.codingPath)): \(context.debugDescription)"
        case let .dataCorrupted(context):
            let path = keyPath(context.codingPath)
            return path.isEmpty ? "not valid JSON" : "\(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
