import Foundation

/// Why a report file could not be written; the message names the path and what to check.
public struct ReportWriteError: Error, CustomStringConvertible, Sendable {
    public var path: String
    /// The failing step, e.g. `open(2) /tmp/x.html.tmp-123`.
    public var step: String
    public var errnoCode: Int32

    public var description: String {
        "cannot write \(path): \(step) failed: \(String(cString: strerror(errnoCode))) (errno \(errnoCode)); "
            + "check that the directory exists and is writable, and that the disk is not full"
    }
}

/// Writes a whole file or nothing: the bytes go to a temporary file in the same directory,
/// which is flushed to disk and then renamed over `path`. A reader (a browser reloading the
/// report) sees either the old file or the new one, never half of one.
enum AtomicFileWriter {
    static func write(_ contents: String, to path: String) throws(ReportWriteError) {
        let temporaryPath = path + ".tmp-\(getpid())"
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReportWriteError(path: path, step: "open(2) \(temporaryPath)", errnoCode: errno)
        }
        var failure: ReportWriteError?
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count && failure == nil {
            let result = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno != EINTR { failure = ReportWriteError(path: path, step: "write(2) \(temporaryPath)", errnoCode: errno) }
            } else {
                written += result
            }
        }
        if failure == nil && fsync(descriptor) != 0 {
            failure = ReportWriteError(path: path, step: "fsync(2) \(temporaryPath)", errnoCode: errno)
        }
        if close(descriptor) != 0 && failure == nil {
            failure = ReportWriteError(path: path, step: "close(2) \(temporaryPath)", errnoCode: errno)
        }
        if failure == nil && rename(temporaryPath, path) != 0 {
            failure = ReportWriteError(path: path, step: "rename(2) \(temporaryPath) to \(path)", errnoCode: errno)
        }
        if let failure {
            unlink(temporaryPath)
            throw failure
        }
    }
}
