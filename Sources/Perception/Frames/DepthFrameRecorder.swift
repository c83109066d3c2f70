import Foundation
import HAL

/// A `DepthCamera` that passes another camera's frames through and writes each new one (by
/// sequence) to a directory as `frame-000001.pgm` + `.json`, so a SimHAL or live session can be
/// replayed with `ReplayDepthCamera` or `stowctl perceive`. Writing allocates and does file I/O:
/// for recording sessions, not for the production loop.
public final class DepthFrameRecorder: DepthCamera {
    public let camera: DepthCamera
    public let directory: String
    private var lastSequence: UInt64?
    private var written = 0

    public var name: String { camera.name }

    /// Creates `directory` if needed.
    public init(recording camera: DepthCamera, into directory: String) throws(DepthFrameFileError) {
        self.camera = camera
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DepthFrameFileError(path: directory, problem: .unreadable("cannot create the recording directory: \(error.localizedDescription)"))
        }
    }

    /// Frames written so far.
    public var framesWritten: Int { written }

    public func latestFrame() throws -> DepthFrame? {
        guard let frame = try camera.latestFrame() else { return nil }
        if frame.sequence != lastSequence {
            lastSequence = frame.sequence
            written += 1
            let name = "frame-" + String(format: "%06d", written) + ".pgm"
            do {
                try DepthFrameFile.write(frame, pgmPath: (directory as NSString).appendingPathComponent(name))
            } catch {
                throw HALError(device: camera.name, cause: .invalidRequest("recording failed: \(error.description)"))
            }
        }
        return frame
    }
}
