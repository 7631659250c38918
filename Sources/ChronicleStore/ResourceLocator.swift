import FoundationEssentials

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
        if let found = find({ directory in
            let candidate = directory.appendingPathComponent("migrations")
            return isDirectory(candidate) && FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0001_initial_schema.sql").path) ? candidate : nil
        }) {
            return found
        }
        throw MigrationError("cannot find the migrations folder near \(searchStarts().map(\.path).joined(separator: " or ")); set CHRONICLE_MIGRATIONS or --migrations")
    }

    /// The repo's top-level `openapi.yaml` (or the copy beside the binary in the Docker image).
    public static func openAPIDocument() -> String? {
        let url = find { directory in
            let candidate = directory.appendingPathComponent("openapi.yaml")
            return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
        }
        return url.flatMap { try? String(contentsOf: $0, encoding: .utf8) }
    }

    private static func searchStarts() -> [URL] {
        var starts: [URL] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        starts.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return starts
    }

    /// Walks up from the executable's folder, then from the working directory.
    private static func find(_ probe: (URL) -> URL?) -> URL? {
        for start in searchStarts() {
            var directory = start
            for _ in 0..<8 {
                if let found = probe(directory) { return found }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        return nil
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory
    }
}
