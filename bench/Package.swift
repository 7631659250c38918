// swift-tools-version:6.0
// The benchmark data generator: builds a large dataset through Chronicle's repositories.
// A package of its own so that CI does not build it. See bench/api.sh.
import PackageDescription

let package = Package(
    name: "ChronicleBench",
    dependencies: [.package(name: "chronicle", path: "..")],
    targets: [
        .executableTarget(name: "generate", dependencies: [.product(name: "ChronicleSQLite", package: "chronicle")],
                         swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)
