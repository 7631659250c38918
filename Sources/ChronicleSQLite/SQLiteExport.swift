import Chronicle
import SQLite

/// Exports from one read transaction on a connection of its own (see `RecordExport`), a batch
/// of records at a time in the order they are stored (row number), so that each table is read
/// front to back, and memory stays constant whatever the store's size.
public final class SQLiteExport: RecordExport, @unchecked Sendable {  // used by one thread at a time
    private let held: HeldTransaction
    private var connection: Connection { held.connection }
    private let pool: DatabasePool
    private let names: NameDirectory
    private var kinds: ArraySlice<RecordKind>
    private var after: Int64 = 0
    private var batch: [RecordState] = []
    private var index = 0
    static let batchSize = 500

    init(pool: DatabasePool, names: NameDirectory, kinds: [RecordKind]) throws {
        self.pool = pool
        self.names = names
        self.kinds = ArraySlice(kinds.isEmpty ? RecordKind.replayOrder : RecordKind.replayOrder.filter(kinds.contains))
        held = try HeldTransaction(pool)
    }

    public func next() throws -> RecordState? {
        while index == batch.count {
            guard let kind = kinds.first else { return nil }
            batch = try load(kind)
            index = 0
            if batch.isEmpty {
                kinds = kinds.dropFirst()
                after = 0
            }
        }
        defer { index += 1 }
        return batch[index]
    }

    /// The next batch of `kind` after row `after`, which moves on past it.
    private func load(_ kind: RecordKind) throws -> [RecordState] {
        switch kind {
        case .event:
            var events = try rows(SQLiteEventRepository.table)
            try names.name(connection, events: &events)
            return events.map(RecordState.event)
        case .quote:
            var quotes = try rows(SQLiteQuoteRepository.table, alias: "q")
            try names.name(connection, quotes: &quotes)
            return quotes.map(RecordState.quote)
        case .actor: return try SQLiteActorRepository(pool: pool).withAliases(connection, try rows(SQLiteActorRepository.table)).map(RecordState.actor)
        case .source: return try rows(SQLiteSourceRepository.table).map(RecordState.source)
        }
    }

    private func rows<Record>(_ table: RecordTable<Record>, alias: String? = nil) throws -> [Record] {
        var records: [Record] = []
        records.reserveCapacity(Self.batchSize)
        let from = alias.map { "\(table.name) \($0)" } ?? table.name
        let seq = alias.map { "\($0).seq" } ?? "seq"
        try connection.query("SELECT \(seq), \(table.columns) FROM \(from) WHERE \(seq) > ? ORDER BY \(seq) LIMIT ?",
                             [.integer(after), .integer(Int64(Self.batchSize))]) { row in
            after = row.int64(0)
            records.append(table.decode(row, 1))
        }
        return records
    }
}

extension SQLiteStore: Exporting {
    public func export(kinds: [RecordKind]) throws -> any RecordExport { try SQLiteExport(pool: pool, names: names, kinds: kinds) }
}
