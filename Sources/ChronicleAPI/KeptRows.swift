import Chronicle
import HTTP

/// Pages of events from rows rendered once and kept. A newsroom reads the same pages (this
/// month, this week) far more often than it changes the events on them; a page of 50 events
/// read and written anew each time cost half a millisecond. Here a page costs its query for
/// the events' stamps, and only the events not kept as they are now (a new version, or a
/// name or title they show changed since: see `RenderedRecords`) are read and written.
extension ChronicleAPI {
    /// The compact JSON page of events, from kept rows where they are current. The stamps, the
    /// log's position and the rows not kept are read in one snapshot.
    func keptRowsPage(_ request: Request, filter: EventFilter, sort: [SortKey<EventSortField>], page: PageRequest) throws -> Response {
        let events = repositories.events, changes = repositories.embeddedChanges, rows = renderedRows
        let (stamps, bodies) = try repositories.snapshots.snapshot { snapshot in
            let position = try changes.position(in: snapshot)
            try rows.apply(changesThrough: position) { try changes.changed(after: $0, through: $1, in: snapshot) }
            let stamps = try events.listStamps(filter, sort: sort, page: page, in: snapshot)
            var bodies = rows.bodies(for: stamps.items).map { $0?.body }
            let missing = stamps.items.indices.filter { bodies[$0] == nil }
            guard !missing.isEmpty else { return (stamps, bodies) }
            let loaded = try events.events(missing.map { stamps.items[$0].id }, in: snapshot)
            let byID = Dictionary(loaded.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for index in missing {
                guard let event = byID[stamps.items[index].id] else { continue }
                var body: [UInt8] = []
                CompactWriter.event(event, into: &body)
                bodies[index] = body
                let embeds = event.participants.map(\.actorID) + event.citations.map(\.sourceID)
                rows.store(RenderedRecords.Kept(stamp: event.stamp, body: body, etag: "", embeds: Array(Set(embeds))), renderedAt: position)
            }
            return (stamps, bodies)
        }
        let items = bodies.compactMap { $0 }
        return compactListResponse(request, Page(items: items, nextCursor: stamps.nextCursor, total: stamps.total)) { body, out in out += body }
    }
}
