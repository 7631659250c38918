/// A record a client creates from a draft, reads by id and changes under its version: events,
/// actors, quotes and sources alike. What the store and the API do with one kind they do with
/// every kind, so a new kind is its model, its table and a few lines of routes.
public protocol VersionedRecord: Sendable, Identifiable where ID == String {
    /// The fields a client writes; ids, timestamps and versions are the store's.
    associatedtype Draft: RecordDraft

    static var kind: RecordKind { get }
    /// Grows by one with every change to the record's own fields; guards them with `If-Match`.
    var version: Int { get }
    var createdAt: String { get }
    /// The writable part, as a starting point for an update.
    var draft: Draft { get }
}

extension VersionedRecord {
    /// Which version of which record this is.
    public var stamp: RecordStamp { RecordStamp(id: id, version: version, createdAt: createdAt) }
}

extension Actor: VersionedRecord { public static var kind: RecordKind { .actor } }
extension Event: VersionedRecord { public static var kind: RecordKind { .event } }
extension Quote: VersionedRecord { public static var kind: RecordKind { .quote } }
extension Source: VersionedRecord { public static var kind: RecordKind { .source } }

/// What a client sends to create or change a record; checked before anything is stored.
public protocol RecordDraft: Sendable {
    func validate() throws(ChronicleError)
    /// Whether a record with this draft's own fields would say what `stored` says: an update
    /// that changes nothing is not a change (no new version, no revision, no webhook).
    func saysTheSame(as stored: Self) -> Bool
}

extension ActorDraft: RecordDraft {
    public func saysTheSame(as stored: ActorDraft) -> Bool { identical(self, stored) }
}
extension EventDraft: RecordDraft {
    /// Compared without the names and titles read with a stored event.
    public func saysTheSame(as stored: EventDraft) -> Bool { identical(ownFields, stored.ownFields) }
}
extension QuoteDraft: RecordDraft {
    public func saysTheSame(as stored: QuoteDraft) -> Bool { identical(ownFields, stored.ownFields) }
}
extension SourceDraft: RecordDraft {
    public func saysTheSame(as stored: SourceDraft) -> Bool { identical(self, stored) }
}

/// Equal, and equal byte for byte: `==` on text is canonical equivalence, under which a
/// correction of decomposed accents to composed ones (text the store keeps, sorts and looks up
/// by its bytes) would be no change.
private func identical<Draft: Equatable>(_ a: Draft, _ b: Draft) -> Bool {
    a == b && String(reflecting: a).utf8.elementsEqual(String(reflecting: b).utf8)
}
