import Chronicle
import ChronicleSQLite
import Foundation
import SQLite

// Usage: generate DB ACTORS EVENTS QUOTES
// Writes every record through the repositories (one transaction each, as the API does), with
// synchronous=OFF because this is a throwaway benchmark file, and prints the rate per kind.
let arguments = CommandLine.arguments
guard arguments.count == 5, let actorCount = Int(arguments[2]), let eventCount = Int(arguments[3]), let quoteCount = Int(arguments[4]) else {
    print("usage: generate DB ACTORS EVENTS QUOTES")
    exit(2)
}
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
var configuration = Configuration()
configuration.synchronous = .off
let db = try SQLiteStore(path: arguments[1], migrations: Migrator(directory: root.appendingPathComponent("migrations/sqlite")), configuration: configuration)

/// A fixed pseudo-random sequence, so every run builds the same dataset.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
var random = SplitMix(state: 42)
// A newsroom-like vocabulary: a few very common words and 20,000 rarer ones drawn with a
// skewed (Zipf-like) frequency, so that searches match a realistic share of the records.
let common = ["minister", "summit", "border", "troops", "sanctions", "election", "protest", "treaty", "pipeline", "referendum",
              "ceasefire", "parliament", "opposition", "court", "embassy", "negotiations", "missile", "refugees", "grain", "energy"]
let syllables = ["ka", "lo", "mi", "ter", "van", "su", "dre", "po", "li", "nor", "ba", "chen", "ro", "vi", "dal", "ne", "os", "tu", "gar", "shi"]
var vocabulary: [String] = []
var seen = Set<String>()
while vocabulary.count < 20_000 {
    let word = (0..<Int.random(in: 2...4, using: &random)).map { _ in syllables.randomElement(using: &random)! }.joined()
    if seen.insert(word).inserted { vocabulary.append(word) }
}
func word() -> String {
    if Int.random(in: 0..<4, using: &random) == 0 { return common.randomElement(using: &random)! }
    let u = Double.random(in: 0..<1, using: &random)
    return vocabulary[min(vocabulary.count - 1, Int(pow(u, 3) * Double(vocabulary.count)))]
}
func sentence(_ n: Int) -> String { (0..<n).map { _ in word() }.joined(separator: " ") }
func day() -> PartialDate {
    try! PartialDate(year: Int.random(in: 1990...2025, using: &random), month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random))
}

func timed(_ label: String, _ count: Int, _ body: (Int) throws -> Void) rethrows {
    let start = Date()
    for i in 0..<count {
        try body(i)
        if i > 0 && i % 100_000 == 0 { print("  \(label): \(i)…"); fflush(stdout) }
    }
    let seconds = Date().timeIntervalSince(start)
    print("\(label): \(count) in \(String(format: "%.1f", seconds)) s (\(Int(Double(count) / max(seconds, 0.001)))/s)")
    fflush(stdout)
}

let source = try db.sources.create(SourceDraft(url: "https://example.org/wire", title: "Synthetic wire service", publisher: "Bench"))
var actorIDs: [String] = []
actorIDs.reserveCapacity(actorCount)
try timed("actors", actorCount) { i in
    let actor = try db.actors.create(ActorDraft(slug: "actor-\(i)", kind: [.person, .organization, .group][i % 3], name: "Actor \(i) \(sentence(2))",
                                                aliases: [Alias(name: "Alias\(i)", language: "en")], description: sentence(6), country: ["BY", "UA", "RU", "PL", "LT"][i % 5]))
    actorIDs.append(actor.id)
}
var eventIDs: [String] = []
eventIDs.reserveCapacity(eventCount)
try timed("events", eventCount) { _ in
    let start = day()
    let event = try db.events.create(EventDraft(
        title: sentence(5), summary: sentence(20), start: start, locationCountry: ["BY", "UA", "RU"].randomElement(using: &random),
        category: EventCategory.allCases.randomElement(using: &random)!,
        participants: [Participant(actorID: actorIDs.randomElement(using: &random)!, role: .initiator),
                       Participant(actorID: actorIDs.randomElement(using: &random)!, role: .target)],
        citations: [Citation(sourceID: source.id, excerpt: sentence(8))]))
    eventIDs.append(event.id)
}
try timed("quotes", quoteCount) { i in
    _ = try db.quotes.create(QuoteDraft(text: sentence(15), language: "en", speakerID: actorIDs.randomElement(using: &random)!, said: day(),
                                        eventID: i % 2 == 0 ? eventIDs.randomElement(using: &random)! : nil, context: sentence(6),
                                        citations: [Citation(sourceID: source.id)]))
}
// Ids and search words for the load scripts: words of middling frequency.
try (vocabulary[200..<2200].joined(separator: "\n") + "\n").write(toFile: arguments[1] + ".search-words", atomically: true, encoding: .utf8)
try (eventIDs.shuffled(using: &random).prefix(20_000).joined(separator: "\n") + "\n")
    .write(toFile: arguments[1] + ".event-ids", atomically: true, encoding: .utf8)
try db.optimize()
print("done: \(arguments[1])")
