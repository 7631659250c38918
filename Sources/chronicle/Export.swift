import ArgumentParser
import Chronicle
import ChronicleAPI
import ChronicleSQLite
import Glibc

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the store to standard output as NDJSON, one record a line with its type.",
        discussion: "In the order an import can replay: sources, actors, events, quotes. From one snapshot, while a server keeps writing.")

    @Option(help: "Only these kinds, comma-separated: source, actor, event, quote.") var type: String?
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        var kinds: [RecordKind] = []
        for name in (type ?? "").split(separator: ",") {
            guard let kind = RecordKind(rawValue: String(name)) else {
                throw ValidationError("'\(name)' is not a kind; choose from source, actor, event, quote")
            }
            kinds.append(kind)
        }
        let export = try openDatabase(database).export(kinds: kinds)
        var buffer: [UInt8] = []
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
            buffer += NDJSONExport.line(record)
            if buffer.count >= 1 << 16 { flush() }
        }
        flush()
    }
}
