import Chronicle
@testable import ChronicleAPI
import Testing

@Suite struct RenderedRecordsTests {
    func stamp(_ id: String, _ version: Int, created: String = "2026-01-01T00:00:00Z") -> RecordStamp {
        RecordStamp(id: id, version: version, createdAt: created)
    }

    func keep(_ kept: RenderedRecords, _ body: [UInt8], _ stamp: RecordStamp, embeds: [String] = [], at position: Int64 = 0) {
        kept.store(RenderedRecords.Kept(stamp: stamp, body: body, etag: "\"\(stamp.id)\"", embeds: embeds), renderedAt: position)
    }

    @Test func aKeptBodyIsUsedOnlyForTheVersionItWasRenderedFrom() {
        let kept = RenderedRecords(capacity: 1 << 20)
        keep(kept, Array("v1".utf8), stamp("evt_a", 1))
        #expect(kept.body(for: stamp("evt_a", 1))?.body == Array("v1".utf8))
        #expect(kept.body(for: stamp("evt_a", 2)) == nil)
        #expect(kept.body(for: stamp("evt_a", 1, created: "2026-02-01T00:00:00Z")) == nil, "a record re-created with the same id")
        #expect(kept.body(for: stamp("evt_b", 1)) == nil)
        keep(kept, Array("v2".utf8), stamp("evt_a", 2))
        #expect(kept.body(for: stamp("evt_a", 1)) == nil)
        #expect(kept.body(for: stamp("evt_a", 2))?.body == Array("v2".utf8))
        #expect(kept.metricsText().contains(#"chronicle_rendered_records_lookups_total{result="hit"} 2"#))
        #expect(kept.metricsText().contains("chronicle_rendered_records_bytes \(RenderedRecords.Kept(stamp: stamp("evt_a", 2), body: Array("v2".utf8), etag: "\"evt_a\"", embeds: []).bytes)\n"))
    }

    @Test func memoryStaysWithinTheCapacityAndTheOldestGoFirst() {
        func id(_ index: Int) -> String { "evt_" + String(repeating: "0", count: 4 - String(index).count) + String(index) }
        let body = [UInt8](repeating: 65, count: 1_000)
        // What one entry costs: its body and its bookkeeping (ids of one length, so all alike).
        let each = RenderedRecords.Kept(stamp: stamp(id(0), 1), body: body, etag: "\"\(id(0))\"", embeds: []).bytes
        #expect(each > 1_000)
        let kept = RenderedRecords(capacity: 10 * each)
        for index in 0..<5_000 { keep(kept, body, stamp(id(index), 1)) }
        #expect(kept.metricsText().contains("chronicle_rendered_records_bytes \(10 * each)\n"))
        #expect(kept.metricsText().contains("chronicle_rendered_records 10\n"))
        #expect(kept.body(for: stamp(id(4999), 1)) != nil)
        #expect(kept.body(for: stamp(id(4990), 1)) != nil)
        #expect(kept.body(for: stamp(id(4989), 1)) == nil)
        // Replacing a body with a bigger one evicts others rather than overflowing.
        keep(kept, [UInt8](repeating: 66, count: 1_200), stamp(id(4999), 2))
        let bytes = kept.metricsText().split(separator: "\n").first { $0.hasPrefix("chronicle_rendered_records_bytes ") }.flatMap { Int($0.split(separator: " ")[1]) } ?? -1
        #expect(bytes <= 10 * each && bytes == 8 * each + each + 200, "\(bytes)")
        // An entry's embedded ids count towards what it costs.
        let embedding = RenderedRecords.Kept(stamp: stamp(id(0), 1), body: body, etag: "\"\(id(0))\"", embeds: ["act_a", "src_b"])
        #expect(embedding.bytes > each)
        // One body larger than an eighth of the capacity is not kept at all.
        keep(kept, [UInt8](repeating: 67, count: 10 * each / 8), stamp("evt_big", 1))
        #expect(kept.body(for: stamp("evt_big", 1)) == nil)
        #expect(RenderedRecords(capacity: 0).body(for: stamp("evt_a", 1)) == nil)
    }

    /// A change to something a body embeds drops that body and no other; a body rendered before
    /// a change it embeds, stored after the change was applied, is not kept.
    @Test func aChangeToAnEmbeddedRecordDropsOnlyTheBodiesThatShowIt() {
        let kept = RenderedRecords(capacity: 1 << 20)
        keep(kept, Array("a".utf8), stamp("evt_a", 1), embeds: ["act_x", "src_s"])
        keep(kept, Array("b".utf8), stamp("evt_b", 1), embeds: ["act_y"])
        var asked: [(Int64, Int64)] = []
        kept.apply(changesThrough: 3) { after, through in asked.append((after, through)); return ["act_x"] }
        #expect(asked.map(\.0) == [0] && asked.map(\.1) == [3])
        #expect(kept.body(for: stamp("evt_a", 1)) == nil)
        #expect(kept.body(for: stamp("evt_b", 1)) != nil)
        // Nothing new: the log is not read again.
        kept.apply(changesThrough: 3) { _, _ in Issue.record("read the log for nothing"); return [] }
        // Rendered at position 2, before act_x's change at 3 was applied: not kept.
        keep(kept, Array("a2".utf8), stamp("evt_a", 1), embeds: ["act_x"], at: 2)
        #expect(kept.body(for: stamp("evt_a", 1)) == nil)
        // Rendered at 2 but embedding nothing that changed since: kept.
        keep(kept, Array("c".utf8), stamp("evt_c", 1), embeds: ["act_z"], at: 2)
        #expect(kept.body(for: stamp("evt_c", 1)) != nil)
        // A log that no longer reaches back drops everything.
        kept.apply(changesThrough: 10) { _, _ in nil }
        #expect(kept.body(for: stamp("evt_b", 1)) == nil && kept.body(for: stamp("evt_c", 1)) == nil)
        #expect(kept.metricsText().contains("chronicle_rendered_records 0\n"))
    }

    /// Bodies come and go (evicted, replaced, dropped) many times over, so the index by what
    /// they embed is rebuilt on the way; a change still drops exactly the live bodies that show it.
    @Test func theIndexByEmbeddedIdsStaysExactWhileBodiesComeAndGo() {
        let kept = RenderedRecords(capacity: 64 << 10)
        var position: Int64 = 0
        for round in 1...40 {
            for n in 0..<200 {
                keep(kept, Array(repeating: 120, count: 200), stamp("evt_\(n)", round), embeds: ["act_\(n % 7)", "src_\(n % 3)"], at: position)
            }
            if round % 5 == 0 {
                position += 1
                kept.apply(changesThrough: position) { _, _ in ["act_\(round % 7)"] }
            }
        }
        let live = (0..<200).filter { kept.body(for: stamp("evt_\($0)", 40)) != nil }
        #expect(!live.isEmpty && live.count < 200)  // the capacity holds some, not all
        position += 1
        kept.apply(changesThrough: position) { _, _ in ["act_3"] }
        let after = (0..<200).filter { kept.body(for: stamp("evt_\($0)", 40)) != nil }
        #expect(after == live.filter { $0 % 7 != 3 })
    }
}
