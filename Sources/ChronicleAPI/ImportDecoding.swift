import Chronicle
import Glibc
import HTTP

/// Reads an import file's lines into `ImportLine`s: NDJSON in the export's form (one record a
/// line with its `type`), or CSV of one kind in the list's columns (see `RecordCSV`). Both end
/// as the JSON a POST would take, decoded by the same `DraftDecoder`, so an import accepts
/// exactly what the API accepts, plus the export's read-only fields, which it drops.
public enum ImportFormat: String, CaseIterable, Sendable {
    case ndjson
    case csv
}

struct ImportReader {
    let format: ImportFormat
    /// The kind of every line (CSV), or of lines without a `type` (NDJSON).
    let kind: RecordKind?
    private let lines: LineSource
    private var csv: CSVReader?
    private var header: [String] = []
    /// Set once a line could not be read: nothing after it is, as the line's end is unknown.
    private var ended = false

    /// Fields a line may carry that the store sets, dropped before decoding.
    static let readOnly = ["type", "id", "createdAt", "updatedAt", "version", "startPrecision", "endPrecision", "roles", "quotes"]

    /// Reads the CSV header first; refuses a header that names a column the kind does not have.
    init(_ lines: LineSource, format: ImportFormat, kind: RecordKind?) throws {
        self.format = format
        self.kind = kind
        self.lines = lines
        guard format == .csv else { return }
        guard let kind else { throw ChronicleError.validation([FieldError("type", "a CSV file holds one kind of record; say which with type=quote (or actor, event, source)")]) }
        var reader = CSVReader(lines)
        let known = ImportReader.columns(kind)
        do {
            guard let first = try reader.next() else { throw ChronicleError.validation([FieldError("body", "the CSV file is empty; its first row must name the columns")]) }
            header = first.cells.map { $0.trimmingWhitespace }
            // Spreadsheets often begin a UTF-8 file with a byte-order mark.
            if let name = header.first, name.hasPrefix("\u{FEFF}") { header[0] = String(name.dropFirst()) }
        } catch let failure as CSVReader.Failure {
            throw ChronicleError.validation([FieldError("body", "the CSV header row is malformed (\(failure)); quote cells that hold commas or quotes")])
        } catch is LineSource.LineTooLong {
            throw ChronicleError.validation([FieldError("body", "the CSV header row is longer than \(LineSource.maxLineBytes) bytes")])
        }
        let repeated = header.enumerated().filter { index, name in header[..<index].contains(name) }.map(\.element)
        if !repeated.isEmpty {
            throw ChronicleError.validation([FieldError("body", "the CSV header names \(Set(repeated).sorted().joined(separator: ", ")) more than once; keep one column of each")])
        }
        let unknown = header.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw ChronicleError.validation([FieldError("body", "the CSV header names column\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")) that \(kind.rawValue)s do not have; use: \(known.joined(separator: ", "))")])
        }
        csv = reader
    }

    /// The columns a kind's CSV may have: its list's fields.
    static func columns(_ kind: RecordKind) -> [String] {
        switch kind {
        case .actor: return ChronicleAPI.actorFields
        case .event: return ChronicleAPI.eventFields + ["roles"]
        case .quote: return ChronicleAPI.quoteFields
        case .source: return ChronicleAPI.sourceFields
        }
    }

    /// The next line read; nil at the end. Blank lines are skipped.
    mutating func next() throws -> ImportLine? {
        if format == .csv { return try nextRow() }
        guard format == .ndjson, !ended else { return nil }
        while true {
            let bytes: [UInt8]
            do {
                guard let next = try lines.nextLine() else { return nil }
                bytes = next
            } catch let tooLong as LineSource.LineTooLong {
                // Reported at its line, as a CSV row too long is; reading stops there.
                ended = true
                return ImportLine(line: tooLong.line, kind: kind, id: nil, content: .failure(.validation([FieldError("line",
                    "is longer than \(LineSource.maxLineBytes) bytes (one record never needs that much); nothing after it was read")])))
            }
            let number = lines.linesRead
            var line = bytes
            if number == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }  // a byte-order mark
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            switch Result(catching: { try JSON.parse(line) }) {
            case .success(let json): return decode(json, line: number)
            case .failure(let error):
                return ImportLine(line: number, kind: kind, id: nil, content: .failure(.validation([FieldError("line", "is not valid JSON: \((error as? JSONSyntaxError)?.description ?? "\(error)")")])))
            }
        }
    }

    /// The next CSV row as a line; after a row that cannot be split, nothing more is read.
    private mutating func nextRow() throws -> ImportLine? {
        while var reader = csv {
            let row: CSVReader.Row?
            do {
                row = try reader.next()
                csv = reader
            } catch let failure as CSVReader.Failure {
                // The rest of the file cannot be split reliably: one failure, then the end.
                csv = nil
                let message: String
                let line: Int
                switch failure {
                case .strayQuote(let at), .unterminatedQuote(let at):
                    line = at
                    message = "is not valid CSV: a quote must open and close a whole cell (write a quote inside one as \"\"); nothing after it was read"
                case .rowTooLong(let at):
                    line = at
                    message = "is a row longer than \(LineSource.maxLineBytes) bytes (an unclosed quote?); nothing after it was read"
                }
                return ImportLine(line: line, kind: kind, id: nil, content: .failure(.validation([FieldError("line", message)])))
            } catch is LineSource.LineTooLong {
                csv = nil
                return ImportLine(line: reader.line, kind: kind, id: nil,
                                  content: .failure(.validation([FieldError("line", "is longer than \(LineSource.maxLineBytes) bytes; nothing after it was read")])))
            }
            guard let row else { return nil }
            if row.cells.count == 1, row.cells[0].isEmpty { continue }
            guard row.cells.count == header.count else {
                return ImportLine(line: row.line, kind: kind, id: nil, content: .failure(.validation([FieldError("line", "has \(row.cells.count) cells; the header has \(header.count) (quote cells that hold commas)")])))
            }
            guard row.isUTF8 else {
                return ImportLine(line: row.line, kind: kind, id: nil, content: .failure(.validation([FieldError("line", "is not valid UTF-8; save the file as CSV UTF-8")])))
            }
            do {
                return decode(try RecordCSV.json(kind!, header: header, cells: row.cells), line: row.line)
            } catch {
                return ImportLine(line: row.line, kind: kind, id: nil, content: .failure(error))
            }
        }
        return nil
    }

    /// A line's JSON as an `ImportLine`: its kind, id and draft, or the field errors.
    private func decode(_ json: JSON, line: Int) -> ImportLine {
        guard case .object(var fields) = json else {
            return ImportLine(line: line, kind: kind, id: nil, content: .failure(.validation([FieldError("line", "must be a JSON object, not \(json.typeName)")])))
        }
        var lineKind = kind
        if case .string(let name)? = json["type"] {
            guard let named = RecordKind(rawValue: name) else {
                return ImportLine(line: line, kind: nil, id: nil, content: .failure(.validation([FieldError("type", "'\(name)' is not one of: \(RecordKind.allowedValues)")])))
            }
            if let kind, kind != named {
                return ImportLine(line: line, kind: named, id: nil, content: .failure(.validation([FieldError("type", "is '\(name)', but type=\(kind.rawValue) was given for the whole file; leave one of them out")])))
            }
            lineKind = named
        }
        var id: String?
        switch json["id"] {
        case .string(let text)?: id = text
        case nil, .null?: id = nil
        case let other?: return ImportLine(line: line, kind: lineKind, id: nil, content: .failure(.validation([FieldError("id", "must be a string, not \(other.typeName)")])))
        }
        guard let lineKind else {
            return ImportLine(line: line, kind: nil, id: id, content: .failure(.validation([FieldError("type", "is required: one of \(RecordKind.allowedValues) (or give type= for the whole file)")])))
        }
        // The export's form: read-only fields dropped, references as the POST body has them.
        fields.removeAll { Self.readOnly.contains($0.0) }
        if let index = fields.firstIndex(where: { $0.0 == "speaker" }) {
            let speaker = fields.remove(at: index).1
            if !fields.contains(where: { $0.0 == "speakerId" }) {
                if case .object = speaker { fields.append(("speakerId", speaker["id"] ?? .null)) } else { fields.append(("speakerId", speaker)) }
            }
        }
        fields = fields.map { key, value in
            switch key {
            case "participants": return (key, Self.references(value, id: "actorId", alternatives: ["slug"], dropping: ["name", "slug"]))
            case "citations": return (key, Self.references(value, id: "sourceId", alternatives: ["url"], dropping: ["title", "url"]))
            default: return (key, value)
            }
        }
        let body = JSON.object(fields)
        // A line that may update a record and leaves fields out changes only what it gives: its
        // fields are checked now and laid over the record once the store has found it.
        func given(_ key: String) -> Bool { fields.contains { $0.0 == key && $0.1 != .null } }
        let mayUpdate = id != nil || (lineKind == .actor && (given("slug") || given("wikidataId"))) || (lineKind == .source && given("url"))
        do {
            if mayUpdate, DraftDecoder.writable(lineKind).contains(where: { key in !fields.contains { $0.0 == key } }) {
                let found = try DraftDecoder.draft(lineKind, body, onto: DraftDecoder.blank(lineKind))
                return ImportLine(line: line, kind: lineKind, id: id, content: .success(found), overlay: DraftDecoder.overlay(lineKind, body))
            }
            return ImportLine(line: line, kind: lineKind, id: id, content: .success(try DraftDecoder.draft(lineKind, body, onto: nil)))
        } catch let error as ChronicleError {
            return ImportLine(line: line, kind: lineKind, id: id, content: .failure(error))
        } catch {
            return ImportLine(line: line, kind: lineKind, id: id, content: .failure(.validation([FieldError("line", "\(error)")])))
        }
    }

    /// Entries that name a record: the shown names and titles dropped, the reference taken from
    /// another key (a slug, a URL) when the id is missing.
    private static func references(_ value: JSON, id: String, alternatives: [String], dropping: [String]) -> JSON {
        guard case .array(let items) = value else { return value }
        return .array(items.map { item in
            guard case .object(let members) = item else { return item }
            var kept = members.filter { !dropping.contains($0.0) }
            if !kept.contains(where: { $0.0 == id }), let alternative = alternatives.lazy.compactMap({ item[$0] }).first {
                kept.insert((id, alternative), at: 0)
            }
            return .object(kept)
        })
    }
}

/// Runs an import from a file or a request body and writes its report as JSON: shared by
/// `POST /v1/import` and `chronicle import`.
public enum BulkImport {
    /// Imports `lines`; validation errors about the file as a whole (a bad CSV header) are thrown.
    static func run(_ lines: LineSource, format: ImportFormat, kind: RecordKind?, mode: ImportMode, dryRun: Bool,
                    into importer: any Importing, by attribution: Attribution) throws -> ImportReport {
        let lines = ReadAhead(try ImportReader(lines, format: format, kind: kind))
        defer { lines.finish() }
        return try importer.importLines({ try lines.next() }, mode: mode, dryRun: dryRun, by: attribution)
    }

    /// Why a file with no records is refused rather than reported as an import of nothing: it
    /// is the wrong file, or an export that failed. `POST /v1/import` and the command line say the same.
    static let holdsNoRecords = "holds no records: an import takes one record a line (NDJSON), or a header row and then rows (CSV)"

    /// The import of a file on disk, for the command line; the report as JSON text.
    public static func run(file path: String, format: ImportFormat, kind: RecordKind?, mode: ImportMode, dryRun: Bool,
                           into importer: any Importing, by attribution: Attribution) throws -> (report: ImportReport, json: String) {
        // A directory opens, and reads as no lines at all: say what it is instead.
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw ChronicleError.validation([FieldError("file", "\(path) is a directory; name the file to import")])
        }
        guard var lines = LineSource(path: path) else { throw ChronicleError.validation([FieldError("file", "cannot open \(path)")]) }
        // A gzipped file (`quotes.ndjson.gz`) is read as gzip wherever it came from.
        if try lines.startsWithGzipMagic() { lines = try LineSource(gunzipping: lines, limit: .max) }
        let report = try run(lines, format: format, kind: kind, mode: mode, dryRun: dryRun, into: importer, by: attribution)
        if report.holdsNoRecords { throw ChronicleError.validation([FieldError("file", "\(path) \(holdsNoRecords)")]) }
        return (report, String(decoding: json(report).serialized(pretty: true), as: UTF8.self))
    }

    static func json(_ report: ImportReport) -> JSON {
        .object([
            ("mode", .string(report.mode.rawValue)),
            ("dryRun", .bool(report.dryRun)),
            ("written", .bool(report.written)),
            ("created", .int(report.created)),
            ("updated", .int(report.updated)),
            ("unchanged", .int(report.unchanged)),
            ("failed", .int(report.failed)),
            ("failures", .array(report.failures.map { failure in
                .object([("line", .int(failure.line)), ("type", .optional(failure.kind?.rawValue)), ("id", .optional(failure.id)),
                         ("field", .string(failure.field)), ("message", .string(failure.message))])
            })),
            ("failuresOmitted", .int(report.failuresOmitted)),
        ])
    }
}
