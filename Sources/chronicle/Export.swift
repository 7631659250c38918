import ArgumentParser
import Chronicle
import ChronicleAPI
import ChronicleSQLite
import Glibc

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the store to standard output as NDJSON, one record a line with its type (or one kind as CSV).",
        discussion: "In the order an import can replay: sources, actors, events, quotes. From one snapshot, while a server keeps writing.")

    @Option(help: "Only these kinds, comma-separated: source, actor, event, quote (or their plurals).") var type: String?
    @Option(help: "ndjson (the default) or csv (with one --type).") var format: String = "ndjson"
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.requireExistingDatabase()
        var kinds: [RecordKind] = []
        for name in (type ?? "").split(separator: ",") {
            guard let kind = RecordKind(named: name) else {
                throw ValidationError("'\(name)' is not a kind; choose from source, actor, event, quote (or their plurals)")
            }
            kinds.append(kind)
        }
        guard let chosen = ImportFormat(rawValue: format) else { throw ValidationError("'\(format)' is not a format; choose ndjson or csv") }
        let encoder: ExportEncoder
        do { encoder = try ExportEncoder(format: chosen, kinds: kinds) } catch { throw ValidationError("\(error)") }
        let export = try openStore(database).repositories.exporter.export(kinds: kinds)
        var buffer = encoder.header()
        func flush() {
            buffer.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
            buffer.removeAll(keepingCapacity: true)
        }
        while let record = try export.next() {
            encoder.append(record, to: &buffer)
            if buffer.count >= 1 << 16 { flush() }
        }
        flush()
    }
}
