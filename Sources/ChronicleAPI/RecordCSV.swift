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

    private static func escape(_ text: String) -> String {
        let padded = text.first.map(isPadding) == true || text.last.map(isPadding) == true
        guard padded || text.contains(where: { $0 == "\\" || $0 == "|" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        var out = ""
        let last = text.count - 1
        for (offset, character) in text.enumerated() {
            switch character {
            case "\\": out += "\\\\"
            case "|": out += "\\|"
            case "\n": out += "\\n"
            case "\r\n": out += "\\r\\n"
            case "\r": out += "\\r"
            case _ where isPadding(character) && (offset == 0 || offset == last):
                out.append("\\")
                out.append(character)
            default: out.append(character)
            }
        }
        return out
    }

    /// What is dropped around a part as it is read.
    private static func isPadding(_ character: Character) -> Bool { character == " " || character == "\t" }

    /// Why a nested cell cannot be read: the field's name and how to fix it.
    struct EntryError: Error { let message: String }

    /// A cell's entries, each split into its unescaped parts, at most `parts` of them (what the
    /// field's entries hold); padding around a part is dropped unless escaped.
    static func entries(_ cell: String, parts partCount: Int) throws(EntryError) -> [[String]] {
        var entries: [[String]] = []
        for (number, line) in cell.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            var parts: [String] = []
            var current: [(character: Character, escaped: Bool)] = []
            func endPart() {
                // Padding goes from both ends, up to the first and last escaped character.
                var start = 0, end = current.count
                while start < end, !current[start].escaped, isPadding(current[start].character) { start += 1 }
                while end > start, !current[end - 1].escaped, isPadding(current[end - 1].character) { end -= 1 }
                parts.append(String(current[start..<end].map(\.character)))
                current.removeAll()
            }
            var escaping = false
            for character in line {
                if escaping {
                    switch character {
                    case "n": current.append(("\n", true))
                    case "r": current.append(("\r", true))
                    case "\\", "|", " ", "\t": current.append((character, true))
                    default:
                        throw EntryError(message: "entry \(number + 1) has '\\\(character)', which stands for nothing: write a backslash as \\\\, a bar as \\|, a line break as \\n")
                    }
                    escaping = false
                } else if character == "\\" {
                    escaping = true
                } else if character == "|" {
                    endPart()
                } else {
                    current.append((character, false))
                }
            }
            if escaping { throw EntryError(message: "entry \(number + 1) ends in a lone backslash: write a backslash as \\\\") }
            endPart()
            guard !parts.allSatisfy(\.isEmpty) else { continue }
            guard parts.count <= partCount else {
                throw EntryError(message: "entry \(number + 1) has \(parts.count) parts separated by |, at most \(partCount) are read: write a bar inside a part as \\|")
            }
            entries.append(parts)
        }
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
