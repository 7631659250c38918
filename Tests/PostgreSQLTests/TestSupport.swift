import Foundation
import Testing
import PostgreSQL

/// The server these tests run against; without one they are skipped.
let postgresURL: String? = ProcessInfo.processInfo.environment["CHRONICLE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

extension Trait where Self == ConditionTrait {
    /// Skips a test, saying how to run it, when no PostgreSQL server is given.
    static var needsPostgres: Self {
        .enabled(if: postgresURL != nil, """
            no PostgreSQL server given. Run tools/postgres-test.sh (it starts a throwaway \
            PostgreSQL 15 and runs these tests against it), or set \
            CHRONICLE_TEST_POSTGRES_URL=postgres://user@host:port/database
            """)
    }
}

func connect() throws -> Connection { try Connection(url: postgresURL!) }

/// A name no other test (or earlier run) uses, for tables and channels that outlive one session.
func uniqueName(_ prefix: String) -> String { "\(prefix)_\(UInt32.random(in: 0...UInt32.max))" }

/// Ends the server processes behind `pids` as an administrator would, waiting until they are gone.
func terminateBackends(_ pids: [Int32]) throws {
    let admin = try connect()
    for pid in pids {
        let ended = try admin.execute("SELECT pg_terminate_backend($1::int, 5000)", [.integer(Int64(pid))])
        #expect(try ended[0].bool(0), "backend \(pid) was not terminated")
    }
}

/// Runs `body` on `count` threads of their own at once and waits for them all; returns what they threw.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [any Error] {
    let finishes = (0..<count).map { index in startThread { try body(index) } }
    return finishes.flatMap { $0() }
}

/// Starts `body` on a thread of its own; the function returned waits for it to end and gives
/// what it threw.
func startThread(_ body: @escaping @Sendable () throws -> Void) -> () -> [any Error] {
    let thrown = Locked<[any Error]>([])
    let finished = DispatchSemaphore(value: 0)
    Thread {
        do { try body() } catch { thrown.update { $0.append(error) } }
        finished.signal()
    }.start()
    return {
        finished.wait()
        return thrown.value
    }
}

/// A value shared between threads under a lock.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func update<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        try lock.withLock { try body(&stored) }
    }
}

/// Seconds `body` took.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Date()
    try body()
    return Date().timeIntervalSince(start)
}
