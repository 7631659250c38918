@testable import ChronicleAPI
import Foundation
@testable import HTTP
import Testing

/// A `chronicle` run to its end, whatever its exit status: for commands that should fail, and
/// say why on standard error.
struct CommandRun {
    let status: Int32
    let output: String
    let errors: String
}

func runChronicleToEnd(_ arguments: [String]) throws -> CommandRun {
    let process = Process()
    process.executableURL = try chronicleBinary()
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Both pipes are drained at once, so that neither fills up while the other is read.
    let errorText = LockedText()
    let drained = DispatchGroup()
    DispatchQueue.global().async(group: drained) { errorText.value = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
    let outputText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    drained.wait()
    process.waitUntilExit()
    return CommandRun(status: process.terminationStatus, output: outputText, errors: errorText.value)
}

private final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    var value: String {
        get { lock.withLock { text } }
        set { lock.withLock { text = newValue } }
    }
}

/// The command line outside `serve`: what it refuses, and that it says so.
@Suite struct CommandLineTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A mistyped `--db` must not pass for an empty store: a cron backup of it would report
    /// success forever. Commands that make a store (`import` here) still make one.
    @Test func commandsOnAnExistingStoreRefuseAMissingDatabaseWithoutCreatingIt() throws {
        let missing = directory.appendingPathComponent("mistyped.sqlite").path
        let commands: [[String]] = [
            ["backup", directory.appendingPathComponent("copy.sqlite").path],
            ["export"], ["optimize"], ["token", "list"], ["token", "revoke", "reporter"],
        ]
        for command in commands {
            let run = try runChronicleToEnd(command + ["--db", missing])
            #expect(run.status != 0, "chronicle \(command) at a missing database exited 0")
            #expect(run.errors.contains("no database at \(missing)"), "chronicle \(command) said: \(run.errors)")
            #expect(!FileManager.default.fileExists(atPath: missing), "chronicle \(command) created \(missing)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("copy.sqlite").path))

        let file = directory.appendingPathComponent("one.ndjson")
        try Data(#"{"type":"actor","slug":"new-actor","kind":"person","name":"New Actor"}"#.utf8).write(to: file)
        let fresh = directory.appendingPathComponent("fresh.sqlite").path
        let imported = try runChronicleToEnd(["import", file.path, "--db", fresh])
        #expect(imported.status == 0, "import into a new database: \(imported.errors)")
        #expect(try runChronicle(["export", "--db", fresh]).contains("new-actor"))
    }

    /// A gzipped file is imported as the file it holds, known by its first bytes.
    @Test func importReadsAGzippedFile() throws {
        let plain = #"{"type":"actor","slug":"zipped-actor","kind":"person","name":"Zipped Actor"}"# + "\n"
        let file = directory.appendingPathComponent("actors.ndjson.gz")
        try Data(try GzipEncoder.compress(Array(plain.utf8), level: 6)).write(to: file)
        let database = directory.appendingPathComponent("zipped.sqlite").path
        let imported = try runChronicleToEnd(["import", file.path, "--db", database])
        #expect(imported.status == 0 && imported.output.contains("\"created\": 1"), "\(imported.output) \(imported.errors)")
        #expect(try runChronicle(["export", "--db", database]).contains("zipped-actor"))
    }

    /// As `POST /v1/import` answers 422: a file with no records is a mistake (the wrong file, an
    /// export that failed), not an import of nothing; nor is a directory a file.
    @Test func importingNoRecordsOrADirectoryFailsAndSaysWhy() throws {
        let db = directory.appendingPathComponent("store.sqlite").path
        try runChronicle(["migrate", "--db", db])
        let empty = directory.appendingPathComponent("empty.ndjson"), headerOnly = directory.appendingPathComponent("header.csv")
        try Data().write(to: empty)
        try Data("text,language\n".utf8).write(to: headerOnly)
        for arguments in [[empty.path], [headerOnly.path, "--type", "quote"], [empty.path, "--dry-run"]] {
            let run = try runChronicleToEnd(["import"] + arguments + ["--db", db])
            #expect(run.status != 0, "chronicle import \(arguments) exited 0: \(run.output)")
            #expect(run.errors.contains("holds no records"), "chronicle import \(arguments) said: \(run.errors)")
        }
        let folder = try runChronicleToEnd(["import", directory.path, "--db", db])
        #expect(folder.status != 0, "importing a directory exited 0: \(folder.output)")
        #expect(folder.errors.contains("\(directory.path) is a directory"), "importing a directory said: \(folder.errors)")
    }

    /// `--type quotes` reads as well as `--type quote`, as on `/v1/export` and `chronicle import`.
    @Test func exportTakesKindsSingularOrPlural() throws {
        let db = directory.appendingPathComponent("seeded.sqlite").path
        try runChronicle(["seed", "--db", db])
        let lines = try runChronicle(["export", "--type", "quotes,actor", "--db", db]).split(separator: "\n")
        let types = Set(lines.compactMap { line in try? JSON.parse(Array(line.utf8))["type"]?.stringValue })
        #expect(types == ["quote", "actor"])
        #expect(try runChronicle(["export", "--type", "quotes", "--format", "csv", "--db", db]).hasPrefix("id,text,"))
        #expect(try runChronicleToEnd(["export", "--type", "quotess", "--db", db]).status != 0)
    }
}
