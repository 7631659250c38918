import Foundation

/// Finds the `migrations/` folder from any working directory: next to the executable or above
/// it (a SwiftPM build folder sits inside the checkout; the Docker image puts it beside the
/// binary), then above the working directory.
public enum ResourceLocator {
    public static func migrationsDirectory(override: String? = nil) throws -> URL {
        if let override {
            let url = URL(fileURLWithPath: override)
            guard isDirectory(url) else { throw MigrationError("the migrations folder \(override) does not exist") }
            return url
        }
        var starts: [URL] = []
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() { starts.append(executable.deletingLastPathComponent()) }
        starts.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        for start in starts {
            var directory = start
            for _ in 0..<8 {
                let candidate = directory.appendingPathComponent("migrations")
                if isDirectory(candidate), FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0001_initial_schema.sql").path) {
                    return candidate
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw MigrationError("cannot find the migrations folder near \(starts.map(\.path).joined(separator: " or ")); set CHRONICLE_MIGRATIONS or --migrations")
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
