import Foundation
import GRDB
import Testing
@testable import Journal

/// Opening the wrong file, or the right file the wrong way, gives an error that names the file and
/// says what to do, and changes nothing.
struct JournalOpeningTests {
    @Test("reading a journal that does not exist is an error and creates no file")
    func missingFileOnRead() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("absent.sqlite")
        #expect(throws: JournalError.missingFile(path: path)) {
            try StowJournal(path: path, access: .readOnly)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(JournalError.missingFile(path: path).description.contains("pass --db"))
    }

    @Test("a file that is not SQLite is 'not a stow journal' and is left as it was")
    func notSQLite() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("notes.txt")
        let contents = Data(String(repeating: "these are not the bytes of a database\n", count: 200).utf8)
        try contents.write(to: URL(fileURLWithPath: path))
        for access in [StowJournal.Access.readWrite, .readOnly] {
            do {
                _ = try StowJournal(path: path, access: access)
                Issue.record("a text file opened as a journal")
            } catch let error as JournalError {
                #expect(error.description.hasPrefix("\(path): not a stow journal (not an SQLite database)"))
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == contents)
    }

    @Test("another application's SQLite database is 'not a stow journal', named by its tables, and untouched")
    func foreignSQLite() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("other.sqlite")
        do {
            let other = try DatabaseQueue(path: path)
            try other.write { try $0.execute(sql: "CREATE TABLE orders (id INTEGER PRIMARY KEY)") }
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for access in [StowJournal.Access.readWrite, .readOnly] {
            do {
                _ = try StowJournal(path: path, access: access)
                Issue.record("a foreign database opened as a journal")
            } catch let error as JournalError {
                #expect(error.description.contains("\(path): not a stow journal (an SQLite database with other tables: orders)"))
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("an empty SQLite file becomes a journal when written, but is 'not a stow journal' to a reader")
    func emptyFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("empty.sqlite")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        do {
            _ = try StowJournal(path: path, access: .readOnly)
            Issue.record("an empty file read as a journal")
        } catch let error as JournalError {
            #expect(error.description.contains("not a stow journal (an empty file"))
        }
        let journal = try StowJournal(path: path)
        try journal.record(SampleAttempts.attempt(index: 0))
        #expect(try StowJournal(path: path, access: .readOnly).completedAttempts(campaignID: "c1") == 1)
    }

    @Test("a journal whose first writer was killed after GRDB's bookkeeping table but before the schema still opens")
    func killedBeforeTheSchemaCommitted() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("j.sqlite")
        do {
            let other = try DatabaseQueue(path: path)
            try other.write { try $0.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)") }
        }
        let journal = try StowJournal(path: path)
        try journal.record(SampleAttempts.attempt(index: 0))
        #expect(try journal.completedAttempts(campaignID: "c1") == 1)
    }

    @Test("a reader opens a journal left with a write-ahead log to recover, as a killed writer leaves it")
    func readerRecoversALeftOverLog() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("j.sqlite")
        let copy = directory.path("copy.sqlite")
        let journal = try StowJournal(path: path)
        for index in 0..<10 { try journal.record(SampleAttempts.attempt(index: index)) }
        // Copy the file and its log while the writer is open: the log is not yet checkpointed.
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")

        let reader = try StowJournal(path: copy, access: .readOnly)
        #expect(try reader.completedAttempts(campaignID: "c1") == 10)
        #expect(try reader.integrityCheck() == .ok)
        #expect(throws: JournalError.self) { try reader.record(SampleAttempts.attempt(index: 10)) }
    }

    @Test("a journal written by a newer stowctl is refused, naming the schema steps it does not know")
    func newerSchema() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("j.sqlite")
        do {
            let journal = try StowJournal(path: path)
            try journal.queue.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2: robots')")
            }
        }
        for access in [StowJournal.Access.readWrite, .readOnly] {
            #expect(throws: JournalError.writtenByNewerVersion(path: path, unknownMigrations: ["v2: robots"])) {
                try StowJournal(path: path, access: access)
            }
        }
        #expect(JournalError.writtenByNewerVersion(path: path, unknownMigrations: ["v2: robots"]).description
            .contains("written by a newer stowctl"))
    }

    @Test("a damaged file is reported as damaged, with the recovery command")
    func corruptFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("j.sqlite")
        do {
            let journal = try StowJournal(path: path)
            for index in 0..<200 { try journal.record(SampleAttempts.attempt(index: index)) }
            try journal.queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        // Overwrite pages past the header and the schema page with garbage.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: 4096 * 2)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096 * 4))
        try handle.close()

        do {
            let journal = try StowJournal(path: path, access: .readOnly)
            let integrity = try journal.integrityCheck()
            guard case .problems(let problems) = integrity else {
                Issue.record("a damaged journal passed the integrity check")
                return
            }
            #expect(!problems.isEmpty)
        } catch let error as JournalError {
            #expect(error.description.contains("\(path): damaged"))
            #expect(error.description.contains(".recover"))
        }
    }

    @Test("recording through a read-only handle is refused with the file named and nothing written")
    func readOnlyHandle() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("j.sqlite")
        _ = try StowJournal(path: path)
        let reader = try StowJournal(path: path, access: .readOnly)
        do {
            try reader.record(SampleAttempts.attempt(index: 0))
            Issue.record("a read-only handle recorded an attempt")
        } catch let error as JournalError {
            #expect(error.description.hasPrefix("\(path): cannot write"))
        }
        #expect(try reader.completedAttempts(campaignID: "c1") == 0)
    }

    @Test("a read-only file cannot be opened for writing; the error says to fix permissions",
          .enabled(if: getuid() != 0, "root writes to read-only files"))
    func readOnlyFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("j.sqlite")
        do { _ = try StowJournal(path: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        do {
            let journal = try StowJournal(path: path)
            try journal.record(SampleAttempts.attempt(index: 0))
            Issue.record("a read-only file was written")
        } catch let error as JournalError {
            #expect(error.description.contains("\(path): cannot write"))
        }
    }

    @Test("a write blocked by another process's write lock is 'locked by another process' after the timeout")
    func lockedByAnotherWriter() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("j.sqlite")
        let journal = try StowJournal(path: path, busyTimeoutSeconds: 0.2)
        let other = try DatabaseQueue(path: path)
        try other.inTransaction(.immediate) { _ in
            #expect(throws: JournalError.locked(path: path)) {
                try journal.record(SampleAttempts.attempt(index: 0))
            }
            return .rollback
        }
        try journal.record(SampleAttempts.attempt(index: 0))
        #expect(JournalError.locked(path: path).description.contains("locked by another process"))
    }

    @Test("a reader opened while a writer holds the write lock still reads (WAL)")
    func readsAlongsideAWriter() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("j.sqlite")
        let journal = try StowJournal(path: path)
        try journal.record(SampleAttempts.attempt(index: 0))
        let other = try DatabaseQueue(path: path)
        try other.inTransaction(.immediate) { _ in
            let reader = try StowJournal(path: path, access: .readOnly, busyTimeoutSeconds: 0.2)
            #expect(try reader.completedAttempts(campaignID: "c1") == 1)
            return .rollback
        }
    }
}
