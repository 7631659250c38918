import CSQLite

/// Every knob of a database in one value, so that a pool's connections are all opened alike.
public struct Configuration: Sendable {
    /// `synchronous` in WAL mode: `FULL` syncs the WAL on every commit, so an acknowledged write
    /// survives a power loss as well as a crash of the process; `NORMAL` survives only the latter.
    public enum Synchronous: String, Sendable { case off = "OFF", normal = "NORMAL", full = "FULL" }

    public var synchronous: Synchronous = .full
    /// How long a connection waits for a lock held by another process before giving up.
    public var busyTimeoutMilliseconds: Int32 = 5_000
    /// Read-only connections in the pool; reads run in parallel with the single writer.
    public var readerCount: Int = 4
    public var foreignKeys = true
    /// Prepared statements kept per connection; the least recently added are evicted beyond this.
    public var statementCacheSize = 64
    /// Bytes of the file read through a memory map instead of read(2) calls: pages come
    /// straight from the OS cache, without a system call and a copy each.
    public var mmapSize: Int64 = 1 << 31
    /// Bytes the WAL file is cut back to once a checkpoint has emptied it. Without a limit a
    /// single large transaction (a cascade over a million records, a bulk import) leaves a WAL of its size
    /// on disk for good.
    public var walSizeLimit: Int64 = 64 << 20
    /// WAL pages after which a commit checkpoints them into the database file (SQLite's default
    /// is 1,000). Readers look up every page they read in the WAL's index and read the pages
    /// found there with a system call instead of through mmap, so under a steady stream of writes
    /// a shorter WAL keeps reads cheaper: at 50 writes/s beside 64 searching connections, 200 gave
    /// 16-25% more searches in alternating runs.
    public var walAutocheckpointPages = 200
    /// Seconds a `DatabasePool.read` may run statements before SQLite interrupts the one
    /// running (it then throws `SQLiteError` with `isInterrupted`); nil for no limit. One read
    /// that matches a third of the database must not hold a connection, and the thread waiting
    /// on it, for as long as it likes.
    public var readTimeLimit: Double?
    /// Runs on every connection as it opens, after the pragmas: SQL functions are registered
    /// per connection, so an application's own functions go here.
    public var prepareConnection: (@Sendable (Connection) throws -> Void)?

    public init() {}
}
