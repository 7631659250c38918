import FoundationEssentials

/// Finds the `migrations/` folder from any working directory: next to the executable or above
/// it (a SwiftPM build folder sits inside the checkout; the Docker image puts it beside the
/// binary), then above the working directory. Each database engine has a folder of its own
/// inside it (`migrations/sqlite/`), found by its name, not by any file in it.
public enum ResourceLocator {
    /// The engine's migrations folder. `override` names either the `migrations/` folder (the
    /// engine's folder inside it is used) or the engine's folder itself.
    public static func migrationsDirectory(engine: String = "sqlite", override: String? = nil) throws -> URL {
        if let override {
            let url = URL(fileURLWithPath: override)
            guard isDirectory(url) else { throw MigrationError("the migrations folder \(override) does not exist") }
            let engineFolder = url.appendingPathComponent(engine)
            return isDirectory(engineFolder) ? engineFolder : url
        }
        if let found = find({ directory in
            let candidate = directory.appendingPathComponent("migrations").appendingPathComponent(engine)
            return isDirectory(candidate) ? candidate : nil
        }) {
            return found
        }
        throw MigrationError("cannot find migrations/\(engine) near \(searchStarts().map(\.path).joined(separator: " or ")); set CHRONICLE_MIGRATIONS or --migrations")
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
