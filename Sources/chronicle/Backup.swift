import ArgumentParser
import ChronicleSQLite
import Dispatch

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database, consistently, while a server keeps serving and writing.",
        discussion: """
            The copy holds every write acknowledged before the backup began. To restore: stop the server, \
            move the database and its -wal and -shm files aside, put the copy in its place, and start the server.
            """)

    @Argument(help: "Where to write the copy (a new file).") var destination: String
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.requireExistingDatabase()
        let db = try openSQLiteOnly(database, command: "backup")
        let start = DispatchTime.now().uptimeNanoseconds
        try db.backup(to: destination)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("backed up \(database.path) to \(destination) in \((seconds * 10).rounded() / 10) s")
    }
}
