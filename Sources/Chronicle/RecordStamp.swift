/// Names one version of one record's own state: its fields, participants, citations and quotes.
/// Ids are never reused, so two copies with the same stamp show the same record; what they embed
/// of others (a participant's name, a source's title) may differ, and is tracked apart (see
/// `EmbeddedChanges`).
public struct RecordStamp: Hashable, Sendable {
    public let id: String
    public let version: Int
    /// Tells a record apart from an earlier one that had the same id (a restore, a re-import).
    public let createdAt: String

    public init(id: String, version: Int, createdAt: String) {
        self.id = id
        self.version = version
        self.createdAt = createdAt
    }
}
