import Chronicle
import ChronicleSQLite
import Foundation
import SQLite

/// The repo's own migrations folder, found from this file's path.
let migrationsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("migrations/sqlite")

func temporaryDirectory() -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// A fresh database file in its own temporary folder.
func makeDatabase() throws -> SQLiteStore {
    try SQLiteStore(path: temporaryDirectory().appendingPathComponent("chronicle.sqlite").path,
                          migrations: Migrator(directory: migrationsDirectory))
}

func date(_ text: String) -> PartialDate { try! PartialDate(parsing: text) }

extension SQLiteStore {
    func person(_ name: String, aliases: [Alias] = [], description: String? = nil) throws -> Actor {
        try actors.create(ActorDraft(kind: .person, name: name, aliases: aliases, description: description))
    }

    func event(_ title: String, _ start: String, end: String? = nil, summary: String? = nil, participants: [Participant] = []) throws -> Event {
        try events.create(EventDraft(title: title, summary: summary, start: date(start), end: end.map(date), category: .politics, participants: participants))
    }

    func quote(_ text: String, speaker: String?) throws -> Quote {
        try quotes.create(QuoteDraft(text: text, language: "en", speakerID: speaker))
    }
}

func validationFields(_ body: () throws -> Void) -> [String] {
    do {
        try body()
    } catch ChronicleError.validation(let errors) {
        return errors.map(\.field)
    } catch {
        return ["unexpected: \(error)"]
    }
    return []
}
