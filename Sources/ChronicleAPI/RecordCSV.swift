import Chronicle

/// Records as CSV rows and back: one column per field of the record's JSON, in its order.
///
/// Plain values are written as they are (null as an empty cell). A field that holds a list or
/// an object (participants, citations, aliases, a quote's speaker, an event's roles) is one cell
/// with one line per entry, and an entry's parts separated by ` | `, reference first:
///
///     participants   vladimir-putin | organizer        (actor slug or id, role)
///     citations      src_01… | the excerpt             (source id or URL, excerpt)
///     aliases        Владимир Путин | ru                (name, language)
///     speaker        act_01… | Vladimir Putin          (actor id, name: read-only)
///
/// Inside an entry, `\|`, `\n`, `\r` and `\\` stand for a bar, a line break, a carriage return
/// and a backslash. Spaces and tabs around parts are dropped on the way back, so a part that
/// begins or ends with one has it written escaped (`\ `, a backslash and a tab), which keeps it.
/// An entry with more parts than its field has, or another escape, is refused rather than
/// guessed at. See `CSV` for cells that would run as formulas.
enum RecordCSV {
    /// The parts of each nested field's entries, in the order written.
    static let entryParts: [String: [String]] = [
        "participants": ["actorRef", "role"],
        "citations": ["sourceId", "excerpt"],
        "aliases": ["name", "language"],
        "speaker": ["id", "name"],
    ]

    /// One record's cells for `columns` (its JSON's field names).
    static func cells(_ json: JSON, columns: [String]) -> [String] {
        columns.map { column in cell(column, json[column] ?? .null) }
    }

    static func cell(_ field: String, _ value: JSON) -> String {
        switch value {
        case .null: return ""
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number: return String(decoding: value.serialized(pretty: false), as: UTF8.self)
        case .object: return entry(field, value)
        case .array(let items): return items.map { entry(field, $0) }.joined(separator: "\n")
        }
    }

    /// One entry of a nested field: its parts, escaped, joined by ` | `; trailing empty parts left out.
    private static func entry(_ field: String, _ value: JSON) -> String {
        if case .object = value {} else { return escape(cell(field, value)) }
        guard case .object(let members) = value else { return "" }
        func text(_ key: String) -> String? { if case .string(let text)? = value[key] { text } else { nil } }
        var parts = (entryParts[field] ?? members.map(\.0)).map { part -> String in
            // A participant is written by slug, which reads better and is as unique as the id.
            if part == "actorRef" { return text("slug") ?? text("actorId") ?? "" }
            return text(part) ?? ""
        }
        while parts.count > 1, parts.last == "" { parts.removeLast() }
        return parts.map(escape).joined(separator: " | ")
    }

    /// A part as an entry holds it. Escapes and padding are a matter of code points, not of
    /// characters: a part may begin with a combining mark, which as a character would fuse with
    /// the space before it.
    private static func escape(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return text }
        guard isPadding(first) || isPadding(last) || scalars.contains(where: { $0 == "\\" || $0 == "|" || $0 == "\n" || $0 == "\r" }) else { return text }
        var out = String.UnicodeScalarView()
        let end = scalars.count - 1
        for (offset, scalar) in scalars.enumerated() {
            switch scalar {
            case "\\": out.append(contentsOf: #"\\"#.unicodeScalars)
            case "|": out.append(contentsOf: #"\|"#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": out.append(contentsOf: #"\r"#.unicodeScalars)
            case _ where isPadding(scalar) && (offset == 0 || offset == end):
                out.append("\\")
                out.append(scalar)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// What is dropped around a part as it is read.
    private static func isPadding(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

    /// Why a nested cell cannot be read: the field's name and how to fix it.
    struct EntryError: Error { let message: String }

    /// A cell's entries (one a line: LF, CRLF or CR), each split into its unescaped parts, at
    /// most `parts` of them (what the field's entries hold); padding around a part is dropped
    /// unless escaped.
    static func entries(_ cell: String, parts partCount: Int) throws(EntryError) -> [[String]] {
        var entries: [[String]] = []
        var parts: [String] = []
        var current: [(scalar: Unicode.Scalar, escaped: Bool)] = []
        var number = 1
        func endPart() {
            // Padding goes from both ends, up to the first and last escaped code point.
            var start = 0, end = current.count
            while start < end, !current[start].escaped, isPadding(current[start].scalar) { start += 1 }
            while end > start, !current[end - 1].escaped, isPadding(current[end - 1].scalar) { end -= 1 }
            parts.append(String(String.UnicodeScalarView(current[start..<end].map(\.scalar))))
            current.removeAll()
        }
        func endEntry() throws(EntryError) {
            endPart()
            defer { parts.removeAll(); number += 1 }
            guard !parts.allSatisfy(\.isEmpty) else { return }
            guard parts.count <= partCount else {
                throw EntryError(message: "entry \(number) has \(parts.count) parts separated by |, at most \(partCount) are read: write a bar inside a part as \\|")
            }
            entries.append(parts)
        }
        var escaping = false, afterCR = false
        for scalar in cell.unicodeScalars {
            let followsCR = afterCR
            afterCR = false
            if escaping {
                switch scalar {
                case "n": current.append(("\n", true))
                case "r": current.append(("\r", true))
                case "\\", "|", " ", "\t": current.append((scalar, true))
                default:
                    throw EntryError(message: "entry \(number) has '\\\(scalar)', which stands for nothing: write a backslash as \\\\, a bar as \\|, a line break as \\n")
                }
                escaping = false
                continue
            }
            switch scalar {
            case "\\": escaping = true
            case "|": endPart()
            case "\n" where followsCR: continue  // the end of a CRLF already taken
            case "\n": try endEntry()
            case "\r":
                try endEntry()
                afterCR = true
            default: current.append((scalar, false))
            }
        }
        if escaping { throw EntryError(message: "entry \(number) ends in a lone backslash: write a backslash as \\\\") }
        try endEntry()
        return entries
    }

    /// A CSV row of `kind` as the JSON an NDJSON import line would hold, so that both formats
    /// are imported by one path. Empty cells are null; read-only columns are kept for the import
    /// to drop (`id` names the record to update).
    static func json(_ kind: RecordKind, header: [String], cells: [String]) throws(ChronicleError) -> JSON {
        var fields: [(String, JSON)] = [("type", .string(kind.rawValue))]
        for (column, raw) in zip(header, cells) {
            let text = CSV.unneutralised(raw)
            func entries(_ text: String) throws(ChronicleError) -> [[String]] {
                do { return try RecordCSV.entries(text, parts: entryParts[column]?.count ?? 1) } catch {
                    throw ChronicleError.validation([FieldError(column, error.message)])
                }
            }
            switch column {
            case "participants":
                fields.append((column, .array(try entries(text).map { parts in
                    .object([("actorId", .string(parts[0])), ("role", parts.count > 1 ? .string(parts[1]) : .null)])
                })))
            case "citations":
                fields.append((column, .array(try entries(text).map { parts in
                    .object([("sourceId", .string(parts[0])), ("excerpt", parts.count > 1 && !parts[1].isEmpty ? .string(parts[1]) : .null)])
                })))
            case "aliases":
                fields.append((column, .array(try entries(text).map { parts in
                    .object([("name", .string(parts[0])), ("language", parts.count > 1 && !parts[1].isEmpty ? .string(parts[1]) : .null)])
                })))
            case "speaker":
                fields.append(("speakerId", try entries(text).first.map { .string($0[0]) } ?? .null))
            case "roles":
                continue
            case "version":
                fields.append((column, Int(text).map { .int($0) } ?? .null))
            default:
                fields.append((column, text.isEmpty ? .null : .string(text)))
            }
        }
        return .object(fields)
    }
}
