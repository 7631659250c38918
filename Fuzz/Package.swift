// swift-tools-version:6.0
// libFuzzer target for the HTTP request parser. Build and run (from this folder):
//   swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address
//   .build/release/ParserFuzzer -max_total_time=30 corpus seeds
// The -Xswiftc flag instruments the HTTP module too (it lives in the parent package, which
// --sanitize alone leaves uninstrumented: libFuzzer would then see no coverage).
import PackageDescription

let package = Package(
    name: "ChronicleFuzz",
    dependencies: [.package(name: "chronicle", path: "..")],
    targets: [
        .executableTarget(
            name: "ParserFuzzer",
            dependencies: [.product(name: "HTTP", package: "chronicle")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
