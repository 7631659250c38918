// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "chronicle",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "chronicle", targets: ["chronicle"]),
        .library(name: "HTTP", targets: ["HTTP"]),
        // For the benchmark data generator in bench/, a package of its own.
        .library(name: "ChronicleSQLite", targets: ["ChronicleSQLite", "Chronicle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // libsqlite3 from the system (Debian: libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // libcurl from the system (Debian: libcurl4-openssl-dev), for delivering webhooks.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // zlib from the system (Debian: zlib1g-dev), for gzip-encoded responses.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libpq from the system (Debian: libpq-dev), for PostgreSQL.
        .systemLibrary(
            name: "CPostgreSQL",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // An outbound HTTP client on libcurl; knows nothing of Chronicle.
        .target(name: "HTTPClient", dependencies: ["CCurl"]),
        // epoll, eventfd, accept4 and malloc_trim, which Swift's Glibc module does not expose.
        .target(name: "CSystem"),
        // An FTS5 ranking function (FTS5's extension API is C only).
        .target(name: "CSearch", dependencies: ["CSQLite"], linkerSettings: [.linkedLibrary("m")]),
        // A thin, general SQLite wrapper: nothing Chronicle-specific.
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        // A thin, general libpq wrapper (connections, prepared statements, errors with SQLSTATE,
        // a pool that reconnects): nothing Chronicle-specific.
        .target(name: "PostgreSQL", dependencies: ["CPostgreSQL"]),
        // The domain: models, partial dates, validation, repository protocols. No SQL, no HTTP.
        .target(name: "Chronicle"),
        // SQLite implementations of the repository protocols, migrations, search, dataset.
        .target(
            name: "ChronicleSQLite",
            dependencies: ["Chronicle", "SQLite", "CSearch"],
            exclude: ["Resources/builtin-dataset.json"]
        ),
        // PostgreSQL implementations of the repository protocols, with migrations of their own
        // (migrations/postgresql). Never depends on SQLite.
        .target(name: "ChroniclePostgreSQL", dependencies: ["Chronicle", "PostgreSQL"]),
        // An HTTP/1.1 server on epoll; knows nothing of Chronicle.
        .target(
            name: "HTTP",
            dependencies: ["CSystem", "CZlib", .product(name: "Logging", package: "swift-log")],
            // Release builds skip the runtime exclusivity checks on class properties: a connection
            // and its loop are confined to one thread, and the checks were ~6% of the instructions
            // of answering a small request. Debug builds (and so the tests) keep them.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // The explorer: the web front end's HTML, CSS and JavaScript modules, embedded in the binary.
        // It knows nothing of Swift beyond that; it calls the public API like any other client.
        .target(name: "ChronicleExplorer", resources: [.embedInCode("Assets")]),
        // Maps HTTP requests onto the repositories.
        .target(
            name: "ChronicleAPI",
            dependencies: ["Chronicle", "HTTP", .product(name: "Logging", package: "swift-log")]
        ),
        // The executable: CLI and wiring only.
        .executableTarget(
            name: "chronicle",
            dependencies: [
                "Chronicle", "ChronicleSQLite", "ChroniclePostgreSQL", "PostgreSQL", "ChronicleAPI", "ChronicleExplorer", "HTTP", "HTTPClient", "CSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"]),
        // Against a real server (CHRONICLE_TEST_POSTGRES_URL; tools/postgres-test.sh starts one),
        // skipped without one.
        .testTarget(name: "PostgreSQLTests", dependencies: ["PostgreSQL"]),
        // The conformance suite and migrations on a real server, as PostgreSQLTests; skipped without one.
        // Also two API instances on one database (InstancesTests), so ChronicleAPI and HTTP too.
        .testTarget(name: "ChroniclePostgreSQLTests", dependencies: ["ChroniclePostgreSQL", "Chronicle", "PostgreSQL", "RepositoryConformance", "ChronicleAPI", "HTTP"]),
        .testTarget(name: "ChronicleTests", dependencies: ["Chronicle"]),
        // Repository behaviour written once, run against each backend by its own test target.
        .target(name: "RepositoryConformance", dependencies: ["Chronicle"], path: "Tests/RepositoryConformance"),
        .testTarget(name: "ChronicleSQLiteTests", dependencies: ["ChronicleSQLite", "Chronicle", "SQLite", "RepositoryConformance"]),
        // gunzip for the tests of gzip-encoded responses, shared by two test targets.
        .target(name: "GzipTesting", dependencies: ["CZlib"], path: "Tests/GzipTesting"),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "GzipTesting"]),
        .testTarget(
            name: "ChronicleAPITests",
            dependencies: ["ChronicleAPI", "ChronicleSQLite", "ChronicleExplorer", "Chronicle", "HTTP", "HTTPClient", "SQLite", "GzipTesting"]
        ),
    ]
)
