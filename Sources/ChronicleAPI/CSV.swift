/// RFC 4180 text: comma-separated cells, a cell quoted when it holds a comma, a quote or a line
/// break (quotes doubled inside), rows ended by CRLF, UTF-8 throughout.
///
/// Cells a spreadsheet would run as a formula (starting with `=`, `+`, `-` or `@`, or a tab or
/// carriage return that some programs skip before looking) are written with a `'` in front, as
/// spreadsheets themselves mark text; a cell that starts with `'` gets one more, so that reading
/// drops exactly one `'` from any cell that starts with `'` followed by one of those characters
/// and gets back the text that was written.
enum CSV {
    /// The first characters that make a cell a formula, and `'` itself (see above).
    private static let guarded: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 9, 13, UInt8(ascii: "'")]

    /// Appends one row, CRLF-terminated.
    static func appendRow(_ cells: [String], to out: inout [UInt8]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendCell(cell, to: &out)
        }
        out += [13, 10]
    }

    static func appendCell(_ cell: String, to out: inout [UInt8]) {
        let utf8 = cell.utf8
        let neutralised = utf8.first.map(guarded.contains) ?? false
        let quoted = utf8.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
        if quoted { out.append(34) }
        if neutralised { out.append(UInt8(ascii: "'")) }
        for byte in utf8 {
            if byte == 34 { out.append(34) }
            out.append(byte)
        }
        if quoted { out.append(34) }
    }

    /// A cell as read back: the `'` that writing put in front of a guarded cell removed.
    static func unneutralised(_ cell: String) -> String {
        let utf8 = Array(cell.utf8.prefix(2))
        guard utf8.count == 2, utf8[0] == UInt8(ascii: "'"), guarded.contains(utf8[1]) else { return cell }
        return String(cell.dropFirst())
    }
}

/// Splits CSV text into rows of cells, one row at a time, for imports: quoted cells may hold
/// commas, quotes and line breaks; a row's number is the line it starts on.
struct CSVReader {
    enum Failure: Error, Equatable {
        /// A quote inside an unquoted cell, or text after a closing quote.
        case strayQuote(line: Int)
        case unterminatedQuote(line: Int)
        /// A row (its quoted line breaks included) longer than a line may be.
        case rowTooLong(line: Int)
    }

    private var bytes: LineSource
    private(set) var line = 1

    init(_ source: LineSource) { bytes = source }

    /// A row's cells and the line it started on; `isUTF8` false when some cell's bytes were not
    /// UTF-8 (they are read with U+FFFD in their place, and the row must be refused).
    struct Row {
        let line: Int
        let cells: [String]
        let isUTF8: Bool
    }

    /// The next row; nil at the end.
    mutating func next() throws -> Row? {
        guard var text = try bytes.nextLine() else { return nil }
        let start = line
        line += 1
        var cells: [String] = []
        var cell: [UInt8] = []
        var isUTF8 = true
        func take(_ cell: [UInt8]) {
            if let text = String(validating: cell, as: UTF8.self) { cells.append(text) } else {
                cells.append(String(decoding: cell, as: UTF8.self))
                isUTF8 = false
            }
        }
        var index = 0
        var inQuotes = false
        var wasQuoted = false
        var rowBytes = text.count
        while true {
            if index == text.count {
                if inQuotes {
                    // The quoted cell goes on past the line break, which is kept as it was.
                    let lineBreak: [UInt8] = bytes.lastLineEndedWithCR ? [13, 10] : [10]
                    guard let more = try bytes.nextLine() else { throw Failure.unterminatedQuote(line: start) }
                    line += 1
                    cell += lineBreak
                    rowBytes += more.count
                    guard rowBytes <= LineSource.maxLineBytes else { throw Failure.rowTooLong(line: start) }
                    text = more
                    index = 0
                    continue
                }
                take(cell)
                return Row(line: start, cells: cells, isUTF8: isUTF8)
            }
            let byte = text[index]
            index += 1
            if inQuotes {
                if byte == 34 {
                    if index < text.count, text[index] == 34 {
                        cell.append(34)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    cell.append(byte)
                }
            } else if byte == 44 {
                take(cell)
                cell.removeAll(keepingCapacity: true)
                wasQuoted = false
            } else if byte == 34 {
                guard cell.isEmpty, !wasQuoted else { throw Failure.strayQuote(line: line - 1) }
                inQuotes = true
                wasQuoted = true
            } else {
                if wasQuoted { throw Failure.strayQuote(line: line - 1) }
                cell.append(byte)
            }
        }
    }
}
