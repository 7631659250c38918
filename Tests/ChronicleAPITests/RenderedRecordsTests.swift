import Chronicle
@testable import ChronicleAPI
import Testing

@Suite struct RenderedRecordsTests {
    func stamp(_ id: String, _ version: Int, created: String = "2026-01-01T00:00:00Z") -> RecordStamp {
        RecordStamp(id: id, version: version, createdAt: created)
    }

    @Test func aKeptBodyIsUsedOnlyForTheVersionItWasRenderedFrom() {
        let kept = RenderedRecords(capacity: 1 << 20)
        kept.store(Array("v1".utf8), for: stamp("evt_a", 1))
        #expect(kept.body(for: stamp("evt_a", 1)) == Array("v1".utf8))
        #expect(kept.body(for: stamp("evt_a", 2)) == nil)
        #expect(kept.body(for: stamp("evt_a", 1, created: "2026-02-01T00:00:00Z")) == nil, "a record re-created with the same id")
        #expect(kept.body(for: stamp("evt_b", 1)) == nil)
        kept.store(Array("v2".utf8), for: stamp("evt_a", 2))
        #expect(kept.body(for: stamp("evt_a", 1)) == nil)
        #expect(kept.body(for: stamp("evt_a", 2)) == Array("v2".utf8))
        #expect(kept.metricsText().contains(#"chronicle_rendered_records_lookups_total{result="hit"} 2"#))
        #expect(kept.metricsText().contains("chronicle_rendered_records_bytes 2\n"))
    }

    @Test func memoryStaysWithinTheCapacityAndTheOldestGoFirst() {
        let kept = RenderedRecords(capacity: 10_000)
        let body = [UInt8](repeating: 65, count: 1_000)
        for index in 0..<5_000 { kept.store(body, for: stamp("evt_\(index)", 1)) }
        #expect(kept.metricsText().contains("chronicle_rendered_records_bytes 10000\n"))
        #expect(kept.metricsText().contains("chronicle_rendered_records 10\n"))
        #expect(kept.body(for: stamp("evt_4999", 1)) != nil)
        #expect(kept.body(for: stamp("evt_4990", 1)) != nil)
        #expect(kept.body(for: stamp("evt_4989", 1)) == nil)
        // Replacing a body with a bigger one evicts others rather than overflowing.
        kept.store([UInt8](repeating: 66, count: 1_200), for: stamp("evt_4999", 2))
        #expect(kept.metricsText().contains("chronicle_rendered_records_bytes 9200\n"))
        // One body larger than an eighth of the capacity is not kept at all.
        kept.store([UInt8](repeating: 67, count: 1_251), for: stamp("evt_big", 1))
        #expect(kept.body(for: stamp("evt_big", 1)) == nil)
        #expect(RenderedRecords(capacity: 0).body(for: stamp("evt_a", 1)) == nil)
    }
}
