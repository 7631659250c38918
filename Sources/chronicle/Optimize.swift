import ArgumentParser
import ChronicleSQLite
import Dispatch

struct Optimize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compact the search index and refresh statistics; run after a bulk import.",
        discussion: "Holds the database's writer for a few seconds per million records: writes wait meanwhile.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.requireExistingDatabase()
        let db = try openSQLiteOnly(database, command: "optimize")
        let start = DispatchTime.now().uptimeNanoseconds
        try db.optimize()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("optimized \(database.path) in \((seconds * 10).rounded() / 10) s")
    }
}
