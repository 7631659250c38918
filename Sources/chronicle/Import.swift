import ArgumentParser
import Chronicle
import ChronicleAPI
import ChronicleSQLite

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import records from an NDJSON file (as export writes it) or a CSV file of one kind; prints a report.",
        discussion: """
            Each line creates a record or updates one, found by id or by a natural key (an actor's slug or Wikidata id, a \
            source's URL); unchanged records keep their version. References may name actors and sources by id, slug, \
            Wikidata id or URL, including records earlier in the file. Exits with status 1 when any line failed; a file \
            with no records (or a directory) is refused, as POST /v1/import refuses it.
            """)

    @Argument(help: "The file to import.") var file: String
    @Option(help: "The kind of every line: actor, event, quote or source (required for CSV).") var type: String?
    @Option(help: "ndjson or csv; by default from the file's extension.") var format: String?
    @Option(help: "atomic (any failure and nothing is written) or best-effort (good lines are written).") var mode: String = "atomic"
    @Flag(help: "Check every line and report, writing nothing.") var dryRun = false
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let kind = try type.map { name -> RecordKind in
            guard let kind = RecordKind(named: name) else { throw ValidationError("'\(name)' is not a kind; choose from actor, event, quote, source") }
            return kind
        }
        let chosen = format ?? (file.lowercased().hasSuffix(".csv") ? "csv" : "ndjson")
        guard let importFormat = ImportFormat(rawValue: chosen) else { throw ValidationError("'\(chosen)' is not a format; choose ndjson or csv") }
        guard let importMode = ImportMode(rawValue: mode) else { throw ValidationError("'\(mode)' is not a mode; choose atomic or best-effort") }
        let store = try openStore(database).repositories.importer
        let result: (report: ImportReport, json: String)
        do {
            result = try BulkImport.run(file: file, format: importFormat, kind: kind, mode: importMode, dryRun: dryRun, into: store, by: .cli)
        } catch let error as ChronicleError {
            throw ValidationError(error.description)
        }
        print(result.json)
        if result.report.failed > 0 { throw ExitCode(1) }
    }
}
