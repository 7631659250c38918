import Chronicle
import Testing

extension RepositoryConformance {
    /// Webhooks (where the feed is delivered, how far each has got) and the whole-store export.
    static let delivery: [ConformanceCheck] = [
        ConformanceCheck("webhooks: registered, advanced never backwards, attempts newest first, deleted") { db in
            let hook = try db.webhooks.create(url: "https://example.org/hook", secret: "s3cret", filter: WebhookFilter(kinds: [.event, .quote], actorID: "act_x"),
                                              startAfter: 7, by: "admin")
            #expect(hook.id.hasPrefix("whk_") && hook.position == 7 && hook.createdBy == "admin" && hook.secret == "s3cret")
            let second = try db.webhooks.create(url: "https://example.org/all", secret: "x", filter: WebhookFilter(), startAfter: 0, by: "admin")
            #expect(try db.webhooks.find(hook.id) == hook && db.webhooks.find("whk_none") == nil)
            let listed = try db.webhooks.list()
            #expect(Set(listed.map(\.id)) == [hook.id, second.id] && listed.first { $0.id == second.id }?.filter == WebhookFilter())
            let ok = WebhookDelivery(deliveryID: "d1", position: 8, attempt: 1, at: "2026-01-01T00:00:00.000Z", status: 204, error: nil, durationMs: 12.5)
            let failed = WebhookDelivery(deliveryID: "d2", position: 9, attempt: 1, at: "2026-01-01T00:00:01.000Z", status: nil,
                                         error: "connection refused", durationMs: 0.25, nextAttemptAt: "2026-01-01T00:00:31.000Z")
            try db.webhooks.record(ok, hook: hook.id, advanceTo: 8)
            try db.webhooks.record(failed, hook: hook.id, advanceTo: nil)
            #expect(try db.webhooks.find(hook.id)?.position == 8)
            try db.webhooks.record(nil, hook: hook.id, advanceTo: 5)
            #expect(try db.webhooks.find(hook.id)?.position == 8)
            #expect(try db.webhooks.deliveries(of: hook.id, limit: 10) == [failed, ok])
            #expect(try db.webhooks.deliveries(of: hook.id, limit: 1) == [failed])
            #expect(try db.webhooks.deliveries(of: second.id, limit: 10).isEmpty)
            #expect(try db.webhooks.delete(hook.id))
            #expect(try !db.webhooks.delete(hook.id))
            #expect(try db.webhooks.find(hook.id) == nil && db.webhooks.deliveries(of: hook.id, limit: 10).isEmpty)
            try db.webhooks.record(ok, hook: hook.id, advanceTo: 20)
            #expect(try db.webhooks.deliveries(of: hook.id, limit: 10).isEmpty && db.webhooks.list().map(\.id) == [second.id])
        },
        ConformanceCheck("export: every record once, in replay order, from one snapshot") { db in
            var sources: [Source] = []
            for i in 0..<505 { sources.append(try db.source("source \(i)")) }
            let actor = try db.person("A", aliases: [Alias(name: "Ā", language: "lv")])
            let event = try db.event("E", "2022", participants: [Participant(actorID: actor.id, role: .host)], citations: [Citation(sourceID: sources[0].id)])
            let quote = try db.quote("q", speaker: actor.id, event: event.id, citations: [Citation(sourceID: sources[1].id, excerpt: "x")])
            let export = try db.exporter.export(kinds: [])
            // Written after the export began: not in it.
            _ = try db.source("too late")
            var states: [RecordState] = []
            while let state = try export.next() { states.append(state) }
            #expect(states.map(\.kind) == Array(repeating: .source, count: 505) + [.actor, .event, .quote])
            #expect(Set(states.prefix(505).map(\.id)) == Set(sources.map(\.id)))
            #expect(states.suffix(3) == [.actor(actor), .event(try db.events.find(event.id)), .quote(quote)])
            #expect(states.prefix(505).allSatisfy { state in sources.contains { RecordState($0) == state } })
            #expect(try export.next() == nil)
            let some = try db.exporter.export(kinds: [.quote, .actor])
            var kinds: [RecordKind] = []
            while let state = try some.next() { kinds.append(state.kind) }
            #expect(kinds == [.actor, .quote])
        },
    ]
}
