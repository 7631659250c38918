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
/// Inside an entry, `\|`, `\n` and `\\` stand for a bar, a line break and a backslash. Spaces
/// around parts are dropped on the way back. See `CSV` for cells that would run as formulas.
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
        guard text.contains(where: { $0 == "\\" || $0 == "|" || $0 == "\n" || $0 == "\r" }) else { return text }
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "|": out += "\\|"
            case "\n": out += "\\n"
            case "\r\n": out += "\\r\\n"
            case "\r": out += "\\r"
            default: out.append(character)
            }
        }
        return out
    }

    /// A cell's entries, each split into its unescaped parts.
    static func entries(_ cell: String) -> [[String]] {
        cell.split(separator: "\n", omittingEmptySubsequences: true).compactMap { line -> [String]? in
            var parts: [String] = []
            var current = ""
            var escaping = false
            for character in line {
                if escaping {
                    switch character {
                    case "n": current.append("\n")
                    case "r": current.append("\r")
                    default: current.append(character)
                    }
                    escaping = false
                } else if character == "\\" {
                    escaping = true
                } else if character == "|" {
                    parts.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            parts.append(current)
            let trimmed = parts.map { $0.trimmingWhitespace }
            return trimmed.allSatisfy(\.isEmpty) ? nil : trimmed
        }
    }

    /// A CSV row of `kind` as the JSON an NDJSON import line would hold, so that both formats
    /// are imported by one path. Empty cells are null; read-only columns are kept for the import
    /// to drop (`id` names the record to update).
    static func json(_ kind: RecordKind, header: [String], cells: [String]) -> JSON {
        var fields: [(String, JSON)] = [("type", .string(kind.rawValue))]
        for (column, raw) in zip(header, cells) {
            let text = CSV.unneutralised(raw)
            switch column {
            case "participants":
                fields.append((column, .array(entries(text).map { parts in
                    .object([("actorId", .string(parts[0])), ("role", parts.count > 1 ? .string(parts[1]) : .null)])
                })))
            case "citations":
                fields.append((column, .array(entries(text).map { parts in
                    .object([("sourceId", .string(parts[0])), ("excerpt", parts.count > 1 && !parts[1].isEmpty ? .string(parts[1]) : .null)])
                })))
            case "aliases":
                fields.append((column, .array(entries(text).map { parts in
                    .object([("name", .string(parts[0])), ("language", parts.count > 1 && !parts[1].isEmpty ? .string(parts[1]) : .null)])
                })))
            case "speaker":
                fields.append(("speakerId", entries(text).first.map { .string($0[0]) } ?? .null))
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
