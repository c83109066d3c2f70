// A pseudo-terminal pair created by `stowctl sim-drive`: we serve the master end, clients open
// the slave path as if it were a serial port. Written over Glibc (swift-system has no pty calls).
import Foundation
import Glibc

/// A failure a bench command reports on stderr before exiting non-zero.
struct SimDriveFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    static func errno(_ call: String, _ what: String) -> SimDriveFailure {
        let code = Glibc.errno
        return SimDriveFailure("\(what): \(call) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
}

/// The master end of a pty, non-blocking, with the slave end held open and in raw mode.
///
/// Holding a slave descriptor ourselves keeps the master from reading EIO (hang-up) while no
/// client has the port open, so clients can come and go. Linux ptys refuse PARENB: parity is not
/// emulated (the HAL's TermiosPort documents the same), and baud rates mean nothing on a pty.
///
/// The corresponding C functions are `posix_openpt`, `grantpt`, `unlockpt`, `ptsname_r`, `open`,
/// `tcgetattr`, `cfmakeraw`, `tcsetattr`, `fcntl`.
final class PseudoTerminal {
    let masterFD: Int32
    let slavePath: String
    private let slaveHoldFD: Int32

    init() throws {
        let calls = try PtyCalls()
        let master = calls.posixOpenpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw SimDriveFailure.errno("posix_openpt", "creating a pseudo-terminal") }
        var slaveFD: Int32 = -1
        do {
            guard calls.grantpt(master) == 0 else { throw SimDriveFailure.errno("grantpt", "creating a pseudo-terminal") }
            guard calls.unlockpt(master) == 0 else { throw SimDriveFailure.errno("unlockpt", "creating a pseudo-terminal") }
            var name = [CChar](repeating: 0, count: 128)
            guard calls.ptsnameR(master, &name, name.count) == 0 else {
                throw SimDriveFailure.errno("ptsname_r", "creating a pseudo-terminal")
            }
            let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            slaveFD = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
            guard slaveFD >= 0 else { throw SimDriveFailure.errno("open", path) }
            var options = termios()
            guard tcgetattr(slaveFD, &options) == 0 else { throw SimDriveFailure.errno("tcgetattr", path) }
            cfmakeraw(&options)
            options.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
            guard tcsetattr(slaveFD, TCSANOW, &options) == 0 else { throw SimDriveFailure.errno("tcsetattr", path) }
            let flags = fcntl(master, F_GETFL)
            guard flags >= 0, fcntl(master, F_SETFL, flags | O_NONBLOCK) == 0 else {
                throw SimDriveFailure.errno("fcntl", "pty master")
            }
            slavePath = path
        } catch {
            if slaveFD >= 0 { Glibc.close(slaveFD) }
            Glibc.close(master)
            throw error
        }
        masterFD = master
        slaveHoldFD = slaveFD
    }

    deinit {
        Glibc.close(slaveHoldFD)
        Glibc.close(masterFD)
    }

    /// Appends what the client wrote (never waits); returns how many bytes came.
    func readAvailable(into buffer: inout [UInt8]) throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 512)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(masterFD, $0.baseAddress!, $0.count) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return count
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EIO) { return 0 }
            if count == 0 { return 0 }
            throw SimDriveFailure.errno("read", "pty master")
        }
    }

    /// Writes all of `bytes`, waiting with poll while the pty's buffer is full.
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(masterFD, $0.baseAddress! + offset, $0.count - offset) }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0 && errno == EINTR { continue }
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var descriptor = pollfd(fd: masterFD, events: Int16(POLLOUT), revents: 0)
                _ = poll(&descriptor, 1, 10)
                continue
            }
            throw SimDriveFailure.errno("write", "pty master")
        }
    }
}

/// posix_openpt, grantpt, unlockpt and ptsname_r, looked up in the C library at run time: Swift's
/// Glibc module leaves them out (they sit behind _XOPEN_SOURCE in <stdlib.h>).
/// The corresponding C function is `dlsym`.
private struct PtyCalls {
    let posixOpenpt: @convention(c) (Int32) -> Int32
    let grantpt: @convention(c) (Int32) -> Int32
    let unlockpt: @convention(c) (Int32) -> Int32
    let ptsnameR: @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32

    init() throws {
        guard let libc = dlopen(nil, RTLD_NOW) else { throw SimDriveFailure("dlopen of the C library failed") }
        func lookup<Function>(_ name: String, as type: Function.Type) throws -> Function {
            guard let symbol = dlsym(libc, name) else { throw SimDriveFailure("the C library has no \(name)") }
            return unsafeBitCast(symbol, to: type)
        }
        posixOpenpt = try lookup("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
        grantpt = try lookup("grantpt", as: (@convention(c) (Int32) -> Int32).self)
        unlockpt = try lookup("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
        ptsnameR = try lookup("ptsname_r", as: (@convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32).self)
    }
}

/// The `--pty LINK` symlink: created to point at the slave, removed on exit if it still does.
struct PtyLink {
    let path: String
    let target: String

    /// Refuses a LINK that exists, unless it is a symlink into /dev/pts/ whose pty is gone (a
    /// stale link left by a killed sim-drive), which is replaced.
    init(path: String, target: String) throws {
        let files = FileManager.default
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFLNK,
                  let old = try? files.destinationOfSymbolicLink(atPath: path),
                  old.hasPrefix("/dev/pts/"), access(old, F_OK) != 0 else {
                throw SimDriveFailure(
                    "--pty: \(path) already exists and is not a stale link to a closed pty; "
                        + "remove it or choose another path")
            }
            guard unlink(path) == 0 else { throw SimDriveFailure.errno("unlink", "removing the stale link \(path)") }
        }
        guard symlink(target, path) == 0 else { throw SimDriveFailure.errno("symlink", "--pty: creating \(path) → \(target)") }
        self.path = path
        self.target = target
    }

    /// Removes the link if it still points at our slave.
    func remove() {
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == target {
            unlink(path)
        }
    }
}
