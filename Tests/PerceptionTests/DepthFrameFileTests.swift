import Foundation
import HAL
import Testing
@testable import Perception

@Suite("Recorded frames: PGM plus JSON sidecar")
struct DepthFrameFileTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "perception-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a frame written and read back has the same pixels, intrinsics, pose, openings and timestamp")
    func roundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let frame = TestScene.standard(boxes: [.init(xMM: 30, widthMM: 80, frontMM: 10, depthMM: 100, heightMM: 120)], seed: 3)
            .render(sequence: 42, timestamp: MonotonicInstant(nanoseconds: 987_654_321))
        let path = directory + "/f.pgm"
        try DepthFrameFile.write(frame, pgmPath: path)
        #expect(FileManager.default.fileExists(atPath: directory + "/f.json"))
        let back = try DepthFrameFile.read(pgmPath: path)
        #expect(back.depthMM == frame.depthMM)
        #expect(back.sequence == 42 && back.timestamp == frame.timestamp)
        #expect(back.intrinsics == frame.intrinsics && back.pose == frame.pose && back.openings == frame.openings)
    }

    @Test("a missing sidecar, a missing key, invalid JSON and nonsense values are errors naming the file")
    func sidecarErrors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/f.pgm"
        try DepthFrameFile.write(TestScene.standard().render(), pgmPath: path)
        let sidecar = directory + "/f.json"
        let good = try String(contentsOfFile: sidecar, encoding: .utf8)

        try FileManager.default.removeItem(atPath: sidecar)
        var error = #expect(throws: DepthFrameFileError.self) { try DepthFrameFile.read(pgmPath: path) }
        #expect(error?.problem == .missingSidecar(path: sidecar))
        #expect(error?.description.contains(path) == true)

        try good.replacingOccurrences(of: "\"fx\"", with: "\"focal\"").write(toFile: sidecar, atomically: true, encoding: .utf8)
        error = #expect(throws: DepthFrameFileError.self) { try DepthFrameFile.read(pgmPath: path) }
        #expect(error?.description.contains("missing key 'fx'") == true)

        try "{ not json".write(toFile: sidecar, atomically: true, encoding: .utf8)
        error = #expect(throws: DepthFrameFileError.self) { try DepthFrameFile.read(pgmPath: path) }
        #expect(error?.description.hasPrefix(sidecar) == true)

        try good.replacingOccurrences(of: "\"standoff_mm\" : 350", with: "\"standoff_mm\" : -1")
            .write(toFile: sidecar, atomically: true, encoding: .utf8)
        error = #expect(throws: DepthFrameFileError.self) { try DepthFrameFile.read(pgmPath: path) }
        #expect(error?.description.contains("standoff_mm must be positive") == true)
    }

    @Test("a sidecar whose size disagrees with the image is a wrong size")
    func sizeMismatch() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/f.pgm"
        try DepthFrameFile.write(TestScene.standard().render(), pgmPath: path)
        let sidecar = directory + "/f.json"
        let good = try String(contentsOfFile: sidecar, encoding: .utf8)
        try good.replacingOccurrences(of: "\"width\" : 640", with: "\"width\" : 320").write(toFile: sidecar, atomically: true, encoding: .utf8)
        let error = #expect(throws: DepthFrameFileError.self) { try DepthFrameFile.read(pgmPath: path) }
        guard case .wrongSize = error?.problem else {
            Issue.record("expected wrongSize, got \(String(describing: error))")
            return
        }
    }

    @Test("replay hands out recorded frames at their recorded pace, restamped on the caller's clock")
    func replay() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for index in 0..<3 {
            let frame = TestScene.standard(seed: UInt64(index)).render(
                sequence: UInt64(100 + index), timestamp: MonotonicInstant(nanoseconds: 5_000_000_000 + UInt64(index) * 100_000_000))
            try DepthFrameFile.write(frame, pgmPath: directory + "/frame-\(index).pgm")
        }
        let clock = ManualClock(start: MonotonicInstant(nanoseconds: 1_000_000_000))
        let camera = try ReplayDepthCamera(directory: directory, clock: clock)
        #expect(try camera.latestFrame()?.sequence == 1)
        #expect(try camera.latestFrame()?.timestamp == MonotonicInstant(nanoseconds: 1_000_000_000))
        clock.advance(byNanoseconds: 150_000_000)
        #expect(try camera.latestFrame()?.sequence == 2)
        clock.advance(byNanoseconds: 1_000_000_000)
        let last = try camera.latestFrame()
        #expect(last?.sequence == 3)
        #expect(last?.timestamp == MonotonicInstant(nanoseconds: 1_200_000_000))
    }
}
