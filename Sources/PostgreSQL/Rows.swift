import CPostgreSQL

/// The rows and outcome of one statement, owning libpq's result until the last reference goes.
///
/// Every value arrives in PostgreSQL's text format and is converted as it is read, so a read
/// names the type it expects and fails (rather than guessing) when the column holds something
/// else or NULL; the `optional` reads give nil for NULL. A result is read-only once made, which
/// libpq documents as safe to share between threads.
public final class Rows: @unchecked Sendable {
    let result: OpaquePointer
    /// The statement, for the messages of reads that fail.
    public let sql: String
    public let count: Int
    public let columnCount: Int

    init(_ result: OpaquePointer, sql: String) {
        self.result = result
        self.sql = sql
        count = Int(PQntuples(result))
        columnCount = Int(PQnfields(result))
    }

    deinit { PQclear(result) }

    /// The command tag: `INSERT 0 1`, `UPDATE 3`, `SELECT 2`, `COMMIT`.
    public var commandTag: String { String(cString: PQcmdStatus(result)) }

    /// Rows inserted, updated, deleted, merged, selected, fetched, moved or copied; 0 for
    /// commands that count none (DDL, `BEGIN`).
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    public func columnName(_ column: Int) -> String {
        guard (0..<columnCount).contains(column), let name = PQfname(result, Int32(column)) else { return "" }
        return String(cString: name)
    }

    /// The index of the column named exactly `name`. (libpq's PQfnumber folds unquoted names to
    /// lower case, as SQL does; a name as the result spells it is what callers have.)
    public func columnIndex(_ name: String) -> Int? {
        (0..<columnCount).first { columnName($0) == name }
    }

    /// The column's type OID (`pg_type.oid`): 23 for int4, 25 for text, ...
    public func columnType(_ column: Int) -> UInt32 { UInt32(PQftype(result, Int32(column))) }
}

extension Rows: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> Row {
        precondition(position >= 0 && position < count, "row \(position) of \(count)")
        return Row(rows: self, index: position)
    }
}

/// One row of a result; its reads take a 0-based column index.
public struct Row: Sendable {
    public let rows: Rows
    public let index: Int

    public func isNull(_ column: Int) throws -> Bool { try cell(column) == nil }

    public func string(_ column: Int) throws -> String { try String(decoding: required(column), as: UTF8.self) }

    public func optionalString(_ column: Int) throws -> String? {
        try cell(column).map { String(decoding: $0, as: UTF8.self) }
    }

    public func int(_ column: Int) throws -> Int { try parse(column, required(column), as: "an integer") { Int($0) } }

    public func optionalInt(_ column: Int) throws -> Int? {
        try cell(column).map { try parse(column, $0, as: "an integer") { Int($0) } }
    }

    /// A float4 or float8 (including `NaN` and `Infinity`), or a numeric rounded to a Double.
    public func double(_ column: Int) throws -> Double { try parse(column, required(column), as: "a number") { Double($0) } }

    public func optionalDouble(_ column: Int) throws -> Double? {
        try cell(column).map { try parse(column, $0, as: "a number") { Double($0) } }
    }

    public func bool(_ column: Int) throws -> Bool { try parse(column, required(column), as: "a boolean", boolean) }

    public func optionalBool(_ column: Int) throws -> Bool? {
        try cell(column).map { try parse(column, $0, as: "a boolean", boolean) }
    }

    /// A bytea column's bytes (decoded from the text form the server sends).
    public func bytes(_ column: Int) throws -> [UInt8] {
        let text = try required(column)
        var count = 0
        guard let decoded = PQunescapeBytea(text.baseAddress, &count) else {
            throw PostgresError.client("could not decode \(name(column)) as bytea", sql: rows.sql)
        }
        defer { PQfreemem(decoded) }
        return Array(UnsafeBufferPointer(start: decoded, count: count))
    }

    /// The value as the column's type suggests: integers, floats, booleans and bytea as such,
    /// everything else (numeric, dates, json, ...) as its text.
    public func value(_ column: Int) throws -> PostgresValue {
        guard try cell(column) != nil else { return .null }
        switch rows.columnType(column) {
        case 20, 21, 23, 26: return .integer(Int64(try int(column)))  // int8, int2, int4, oid
        case 700, 701: return .real(try double(column))  // float4, float8
        case 16: return .bool(try bool(column))
        case 17: return .bytes(try bytes(column))
        default: return .text(try string(column))
        }
    }

    /// The cell's text without its terminating NUL, or nil for NULL.
    private func cell(_ column: Int) throws -> UnsafeBufferPointer<UInt8>? {
        guard column >= 0 && column < rows.columnCount else {
            throw PostgresError.client("column \(column) is out of range: the result has \(rows.columnCount)", sql: rows.sql)
        }
        let (row, field) = (Int32(index), Int32(column))
        if PQgetisnull(rows.result, row, field) != 0 { return nil }
        return PQgetvalue(rows.result, row, field).withMemoryRebound(to: UInt8.self, capacity: 1) {
            UnsafeBufferPointer(start: $0, count: Int(PQgetlength(rows.result, row, field)))
        }
    }

    private func required(_ column: Int) throws -> UnsafeBufferPointer<UInt8> {
        guard let text = try cell(column) else {
            throw PostgresError.client("\(name(column)) is NULL (an optional read gives nil for NULL)", sql: rows.sql)
        }
        return text
    }

    private func parse<T>(_ column: Int, _ text: UnsafeBufferPointer<UInt8>, as kind: String, _ convert: (String) -> T?) throws -> T {
        // Numbers are short: a String of up to 15 bytes is stored inline, without an allocation.
        let string = String(decoding: text, as: UTF8.self)
        guard let value = convert(string) else {
            throw PostgresError.client("\(name(column)) holds \"\(string.prefix(40))\", not \(kind)", sql: rows.sql)
        }
        return value
    }

    private func name(_ column: Int) -> String { "column \(column) (\"\(rows.columnName(column))\")" }
}

/// PostgreSQL's boolean output (`t`, `f`), and the words it reads as input.
private func boolean(_ text: String) -> Bool? {
    switch text {
    case "t", "true": return true
    case "f", "false": return false
    default: return nil
    }
}
