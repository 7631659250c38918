/// The whole store (or some kinds of record), one record at a time, as an import would replay
/// it: sources, actors, events, quotes. Read from one snapshot, so an export taken while others
/// write is consistent; read on a connection of its own, so that a long export neither holds a
/// slot other requests queue for nor meets the time limit meant for one request.
public protocol RecordExport: AnyObject {
    /// The next record; nil at the end.
    func next() throws -> RecordState?
}

public protocol Exporting: Sendable {
    /// Kinds in the order given; the empty list means every kind, in replay order.
    func export(kinds: [RecordKind]) throws -> any RecordExport
}

extension RecordKind {
    /// The order an import can replay: what is referred to before what refers to it.
    public static let replayOrder: [RecordKind] = [.source, .actor, .event, .quote]
}
