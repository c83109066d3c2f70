import ArgumentParser
import Control
import Foundation
import Journal

/// `stowctl journal summary|export|check`: what the durable stow journal holds (docs/journal.md).
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Read the stow journal: outcome summary, CSV/JSON export, integrity check.",
        discussion: """
            Every stow attempt is written to the journal, an SQLite file, before the next attempt \
            starts. The file is ./stow-journal.sqlite (in the current directory) unless --db names \
            another. These commands only read it: they never create it nor change it, and they can \
            run while a campaign is writing to it.
            """,
        subcommands: [JournalSummaryCommand.self, JournalExportCommand.self, JournalCheckCommand.self,
                      JournalStressCommand.self]
    )
}

/// Options every journal subcommand takes.
struct JournalFileOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp(
        "The journal file.", discussion: "Defaults to stow-journal.sqlite in the current directory.",
        valueName: "FILE"))
    var databasePath: String = StowJournal.defaultPath

    /// Opens the journal read-only; prints the journal's own message and exits 1 when it cannot.
    func openForReading() throws -> StowJournal {
        do {
            return try StowJournal(path: databasePath, access: .readOnly)
        } catch let error as JournalError {
            printToStderr(error.description)
            throw ExitCode(1)
        }
    }
}

/// Runs `body`, turning a `JournalError` into its message on stderr and exit code 1.
func reportingJournalErrors<Value>(_ body: () throws -> Value) throws -> Value {
    do {
        return try body()
    } catch let error as JournalError {
        printToStderr(error.description)
        throw ExitCode(1)
    }
}

/// Fails with the list of campaigns when `campaignID` is given but not in the journal.
func requireCampaign(_ campaignID: String?, in journal: StowJournal) throws {
    guard let campaignID else { return }
    let campaigns = try reportingJournalErrors { try journal.campaigns() }
    if !campaigns.contains(where: { $0.id == campaignID }) {
        let known = campaigns.isEmpty ? "none yet" : campaigns.map(\.id).joined(separator: ", ")
        printToStderr("\(journal.path): no campaign '\(campaignID)' (campaigns in this journal: \(known))")
        throw ExitCode(1)
    }
}

/// `stowctl journal summary`: the outcome table of one campaign or of all of them.
struct JournalSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Outcome counts and shares, units per hour, retries, exploration, causes and faults.",
        discussion: """
            Summarises --campaign, or every campaign in the journal when it is not given, beside the \
            paper's published figures. Units per hour are successes per hour of controller time from \
            the first attempt's start to the last attempt's end (simulated time in a simulated \
            campaign), added up over campaigns.

            Example: stowctl journal summary --db stow-journal.sqlite --campaign nightly-7 --json
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: JournalFileOptions

    @Option(help: "The campaign to summarise (default: every campaign).")
    var campaign: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        try global.bootstrapLogging()
        let journal = try file.openForReading()
        try requireCampaign(campaign, in: journal)
        let summary = try reportingJournalErrors { try journal.summary(campaignID: campaign) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(JournalSummaryText.render(summary, path: journal.path), terminator: "")
        }
    }
}

/// `stowctl journal export`: every attempt, one row or object each.
struct JournalExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every recorded attempt as CSV (one row each) or a JSON array.",
        discussion: """
            CSV follows RFC 4180 (CRLF line ends, quoted fields where needed); the columns are \
            campaign_id, attempt_index, item, kind, bin, outcome, cause, start_ns, end_ns, duration_s, \
            retries, exploration, bins_tried, faults, phases, the last three as JSON text. JSON is \
            an array of attempt records, phases included.

            Example: stowctl journal export --campaign nightly-7 --format csv --output nightly-7.csv
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, json
    }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: JournalFileOptions

    @Option(help: "The campaign to export (default: every campaign).")
    var campaign: String?

    @Option(help: "csv or json.")
    var format: Format = .csv

    @Option(help: ArgumentHelp("Write here instead of standard output (replaced if it exists).", valueName: "FILE"))
    var output: String?

    func run() throws {
        try global.bootstrapLogging()
        let journal = try file.openForReading()
        try requireCampaign(campaign, in: journal)
        let handle = try outputHandle()
        let exportFormat: JournalExportFormat = format == .csv ? .csv : .json
        let count = try reportingJournalErrors {
            try journal.export(campaignID: campaign, format: exportFormat, to: handle)
        }
        if let output {
            try handle.close()
            printToStderr("wrote \(count) attempt(s) to \(output)")
        }
    }

    private func outputHandle() throws -> FileHandle {
        guard let output else { return FileHandle.standardOutput }
        guard FileManager.default.createFile(atPath: output, contents: nil),
              let handle = FileHandle(forWritingAtPath: output) else {
            printToStderr("\(output): cannot create the export file; check the directory exists and is writable")
            throw ExitCode(1)
        }
        return handle
    }
}

/// `stowctl journal check`: SQLite's integrity check, for scripts and after a crash.
struct JournalCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run SQLite's integrity and foreign-key checks; list the campaigns and their attempt counts.",
        discussion: "Prints ok and exits 0, or prints every problem found and exits 1."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: JournalFileOptions

    func run() throws {
        try global.bootstrapLogging()
        let journal = try file.openForReading()
        let integrity = try reportingJournalErrors { try journal.integrityCheck() }
        let campaigns = try reportingJournalErrors { try journal.campaigns() }
        for campaign in campaigns {
            print("campaign \(campaign.id): \(campaign.attempts) attempt(s)")
        }
        switch integrity {
        case .ok:
            print("\(journal.path): ok")
        case .problems(let problems):
            for problem in problems { printToStderr("\(journal.path): \(problem)") }
            printToStderr("\(journal.path): \(problems.count) problem(s); keep a copy and try `sqlite3 \(journal.path) .recover`")
            throw ExitCode(1)
        }
    }
}
