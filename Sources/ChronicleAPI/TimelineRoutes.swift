import Chronicle
import HTTP

extension ChronicleAPI {
    /// Events a timeline holds unless `limit` says otherwise, and at most: TimelineJS draws
    /// every slide in the browser at once, which slows down long before the store does.
    static let timelineDefaultLimit = 1_000
    static let timelineMaximumLimit = 5_000

    /// `GET /v1/timeline`: the matching events in start order as TimelineJS's JSON. Filters as
    /// `/v1/events` has them: an actor by id or slug (an unknown one is a field error, not an
    /// empty timeline), a category, and a date range that keeps every event it may overlap.
    func timeline(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["actor", "category", "from", "to", "limit", "fields"])
        let category = query.enumeration("category", as: EventCategory.self)
        let (from, to) = query.dateRange()
        let actor = query.text("actor", max: 100)
        let limit = timelineLimit(&query)
        if query.string("fields") != nil { query.fail("fields", "does not apply to a timeline, whose slides have TimelineJS's fields") }
        try query.finish()
        var filter = EventFilter(category: category, from: from, to: to)
        var actorName: String?
        if let actor {
            let found = try existingActor(actor, field: "actor")
            (filter.actorID, actorName) = (found.id, found.name)
        }
        let (events, truncated) = try eventsInStartOrder(filter, limit: limit)
        let sources = try citedSources(events)
        let title = Timeline.Title(actorName: actorName, category: category, from: from, to: to, count: events.count, truncated: truncated)
        return Reply.json(request, Timeline.document(events, sources: sources, title: title))
    }

    private func timelineLimit(_ query: inout QueryParameters) -> Int {
        guard let text = query.string("limit") else { return Self.timelineDefaultLimit }
        guard let limit = Int(text), (1...Self.timelineMaximumLimit).contains(limit) else {
            query.fail("limit", "must be a whole number from 1 to \(Self.timelineMaximumLimit), not '\(text)'")
            return Self.timelineDefaultLimit
        }
        return limit
    }

    /// Up to `limit` events, a list page at a time, and whether more matched. Each page is a
    /// read of its own, so a long timeline holds no reader for long.
    private func eventsInStartOrder(_ filter: EventFilter, limit: Int) throws -> (events: [Event], truncated: Bool) {
        var events: [Event] = []
        var page = PageRequest(limit: min(limit, PageRequest.maximumLimit))
        while true {
            let result = try repositories.events.list(filter, sort: [SortKey(.start)], page: page)
            events += result.items
            guard let next = result.nextCursor else { return (events, false) }
            if events.count >= limit { return (events, true) }
            page = PageRequest(limit: min(limit - events.count, PageRequest.maximumLimit), cursor: next)
        }
    }

    /// Every source the events cite, by id, read in one snapshot; a source deleted meanwhile is
    /// left out (its citation still names it by title).
    private func citedSources(_ events: [Event]) throws -> [String: Source] {
        var ids: [String] = []
        var seen = Set<String>()
        for event in events { for citation in event.citations where seen.insert(citation.sourceID).inserted { ids.append(citation.sourceID) } }
        guard !ids.isEmpty else { return [:] }
        let sources = repositories.sources
        return try repositories.snapshots.snapshot { snapshot in
            var found: [String: Source] = [:]
            for id in ids {
                do { found[id] = try sources.find(id, in: snapshot) } catch ChronicleError.notFound {}
            }
            return found
        }
    }
}
