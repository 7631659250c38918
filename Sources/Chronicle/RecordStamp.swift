/// Names one version of one record. Every change to what a record shows gives it a new version
/// (the store bumps records that embed a changed one), and ids are never reused, so two copies
/// with the same stamp are the same representation.
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
