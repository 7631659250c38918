import Chronicle
import SQLite

/// Exports from one read transaction on a connection of its own (see `RecordExport`), a batch
/// of records at a time in id order, so memory stays constant whatever the store's size.
public final class SQLiteExport: RecordExport, @unchecked Sendable {  // used by one thread at a time
    private let held: HeldTransaction
    private var connection: Connection { held.connection }
    private let pool: DatabasePool
    private var kinds: ArraySlice<RecordKind>
    private var after = ""
    private var batch: [RecordState] = []
    private var index = 0
    static let batchSize = 500

    init(pool: DatabasePool, kinds: [RecordKind]) throws {
        self.pool = pool
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
                after = ""
            } else {
                after = batch.last!.id
            }
        }
        defer { index += 1 }
        return batch[index]
    }

    private func load(_ kind: RecordKind) throws -> [RecordState] {
        let ids = try connection.all("SELECT id FROM \(kind.rawValue)s WHERE id > ? ORDER BY id LIMIT ?",
                                     [.text(after), .integer(Int64(Self.batchSize))]) { $0.string(0) }
        guard !ids.isEmpty else { return [] }
        switch kind {
        case .event: return try SQLiteEventRepository(pool: pool).load(connection, ids: ids).map(RecordState.event)
        case .quote: return try SQLiteQuoteRepository(pool: pool).load(connection, ids: ids).map(RecordState.quote)
        case .actor:
            let actors = try connection.all("SELECT \(SQLiteActorRepository.table.columns) FROM actors WHERE id > ? ORDER BY id LIMIT ?",
                                            [.text(after), .integer(Int64(Self.batchSize))]) { SQLiteActorRepository.table.decode($0, 0) }
            return try SQLiteActorRepository(pool: pool).withAliases(connection, actors).map(RecordState.actor)
        case .source:
            return try connection.all("SELECT \(SQLiteSourceRepository.table.columns) FROM sources WHERE id > ? ORDER BY id LIMIT ?",
                                      [.text(after), .integer(Int64(Self.batchSize))]) { RecordState.source(SQLiteSourceRepository.table.decode($0, 0)) }
        }
    }
}

extension SQLiteStore: Exporting {
    public func export(kinds: [RecordKind]) throws -> any RecordExport { try SQLiteExport(pool: pool, kinds: kinds) }
}
