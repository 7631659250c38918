import Chronicle
import PostgreSQL

/// Exports from one repeatable-read transaction on a connection of its own (see `RecordExport`),
/// a batch of records at a time in id order (ids are time-ordered, so roughly creation order;
/// SQLite's export follows its row numbers instead), so memory stays constant whatever the size.
public final class PostgresExport: RecordExport, @unchecked Sendable {  // used by one thread at a time
    private let held: HeldTransaction
    private var connection: Connection { held.connection }
    private let pool: PostgresDatabase
    private var kinds: ArraySlice<RecordKind>
    private var after = ""
    private var batch: [RecordState] = []
    private var index = 0
    static let batchSize = 500

    /// `held`: the transaction it reads in (the store's `heldTransaction`: the standby's when a
    /// read may go there).
    init(pool: PostgresDatabase, held: HeldTransaction, kinds: [RecordKind]) {
        self.pool = pool
        self.kinds = ArraySlice(kinds.isEmpty ? RecordKind.replayOrder : RecordKind.replayOrder.filter(kinds.contains))
        self.held = held
    }

    public func next() throws -> RecordState? {
        while index == batch.count {
            guard let kind = kinds.first else { return nil }
            batch = try load(kind)
            index = 0
            if batch.isEmpty {
                kinds = kinds.dropFirst()
                after = ""
            }
        }
        defer { index += 1 }
        return batch[index]
    }

    /// The next batch of `kind` after id `after`, which moves on past it.
    private func load(_ kind: RecordKind) throws -> [RecordState] {
        switch kind {
        case .event: return try PostgresEventRepository(pool: pool).withDependents(connection, try rows(PostgresEventRepository.table)).map(RecordState.event)
        case .quote: return try PostgresQuoteRepository(pool: pool).withNames(connection, try rows(PostgresQuoteRepository.table)).map(RecordState.quote)
        case .actor: return try PostgresActorRepository(pool: pool).withAliases(connection, try rows(PostgresActorRepository.table)).map(RecordState.actor)
        case .source: return try rows(PostgresSourceRepository.table).map(RecordState.source)
        }
    }

    private func rows<Record>(_ table: RecordTable<Record>) throws -> [Record] {
        let records = try connection.execute("SELECT \(table.qualified("r")) FROM \(table.name) r WHERE r.id > $1 ORDER BY r.id LIMIT $2",
                                             [.text(after), .integer(Int64(Self.batchSize))]).map { try table.decode($0, 0) }
        if let last = records.last { after = last.id }
        return records
    }
}

extension PostgresStore: Exporting {
    public func export(kinds: [RecordKind]) throws -> any RecordExport { PostgresExport(pool: database, held: try heldTransaction(), kinds: kinds) }
}
