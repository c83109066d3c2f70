import Foundation
import HAL

/// A `DepthCamera` that replays recorded frames (`*.pgm` with sidecars, in name order) from a
/// directory at their recorded pace: frame i becomes the newest once as much time has passed on
/// `clock` since the first call as passed between the recorded frames 0 and i. Timestamps are
/// restamped onto `clock` and sequences renumbered from 1, so freshness checks work as with a
/// live camera. After the last frame it keeps returning that one (same sequence), which then
/// ages into `perception-stale`.
///
/// The directory's sidecars are checked when the camera is made; a frame's pixels are read when
/// it becomes due. A frame that fails then surfaces as a `HALError` naming the camera, with the
/// file's error as its cause.
public final class ReplayDepthCamera: DepthCamera {
    public let name: String
    public let frameFiles: [String]
    private let clock: MonotonicClock
    /// Each frame's recorded timestamp minus the first frame's.
    private let offsetsNS: [UInt64]
    private var startedAt: MonotonicInstant?
    private var current: (index: Int, frame: DepthFrame)?

    /// Lists the directory's frames and reads their sidecars.
    public init(name: String = "camera0", directory: String, clock: MonotonicClock) throws(DepthFrameFileError) {
        self.name = name
        self.clock = clock
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw DepthFrameFileError(path: directory, problem: .unreadable("cannot list the replay directory: \(error.localizedDescription)"))
        }
        frameFiles = entries.filter { $0.hasSuffix(".pgm") }.sorted().map { (directory as NSString).appendingPathComponent($0) }
        guard !frameFiles.isEmpty else {
            throw DepthFrameFileError(path: directory, problem: .unreadable("no *.pgm frames in the replay directory"))
        }
        var timestamps: [UInt64] = []
        for file in frameFiles {
            timestamps.append(try DepthFrameFile.readSidecar(pgmPath: file).timestampNS)
        }
        for index in 1..<timestamps.count where timestamps[index] < timestamps[index - 1] {
            let file = frameFiles[index]
            throw DepthFrameFileError(path: file, problem: .invalidSidecar(
                path: DepthFrameFile.sidecarPath(for: file), reason: "timestamp_ns is earlier than the previous frame's"))
        }
        offsetsNS = timestamps.map { $0 - timestamps[0] }
    }

    public func latestFrame() throws -> DepthFrame? {
        let now = clock.now()
        let start = startedAt ?? now
        startedAt = start
        let elapsedNS = start.nanoseconds(until: now)
        var index = current?.index ?? 0
        while index + 1 < offsetsNS.count && offsetsNS[index + 1] <= elapsedNS { index += 1 }
        if let current, current.index == index { return current.frame }
        var frame: DepthFrame
        do {
            frame = try DepthFrameFile.read(pgmPath: frameFiles[index])
        } catch {
            throw HALError(device: name, cause: .protocolViolation(error.description))
        }
        frame.sequence = UInt64(index + 1)
        frame.timestamp = start.adding(nanoseconds: offsetsNS[index])
        current = (index, frame)
        return frame
    }
}
