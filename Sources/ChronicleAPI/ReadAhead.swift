import Chronicle
import Dispatch
import HTTP
import Synchronization

/// An import file's lines read and decoded on a thread of their own, a few chunks ahead of the
/// store writing them: parsing a line's JSON and decoding its draft cost the writer about a
/// tenth of a record's time, and the machine has a second core. At most `chunks` chunks of
/// `chunkSize` lines wait, so memory stays bounded however fast the file reads: enough for a
/// store's next batch (SQLite's best-effort batches are 10,000 lines) to be read while the one
/// before it is written. What the reader throws (a line too long) reaches the writer in its
/// place in the file.
final class ReadAhead: @unchecked Sendable {  // `current`, `position`, `inline`: the writer's thread only
    static let chunkSize = 1000, chunks = 10

    private struct Chunk {
        var lines: [ImportLine]
        /// Thrown after `lines`: the reader cannot go on.
        var failure: (any Error)?
        /// The last chunk: nothing follows it.
        var isLast: Bool
    }

    private let ready = Mutex<[Chunk]>([])
    /// Chunks ready to take, and room for more.
    /// (Both start at 0 and `room` is signalled up: Dispatch refuses to free a semaphore whose
    /// count is below the one it was made with, as `room`'s is when the writer stops early.)
    private let filled = DispatchSemaphore(value: 0), room = DispatchSemaphore(value: 0)
    /// Set when the writer stops taking lines; the reader ends at its next chunk.
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var current: Chunk?
    private var position = 0
    /// The reader, read on the writer's own thread, when no thread could be started for it.
    private var inline: ImportReader?

    /// Starts reading `reader` on a thread of its own.
    init(_ reader: ImportReader) {
        var reader = reader
        for _ in 0..<Self.chunks { room.signal() }
        let started = startThread(named: "import-read") { [self] in
            defer { finished.signal() }
            while true {
                room.wait()
                if stopped.load(ordering: .acquiring) { return }
                var chunk = Chunk(lines: [], failure: nil, isLast: false)
                chunk.lines.reserveCapacity(Self.chunkSize)
                do {
                    while chunk.lines.count < Self.chunkSize {
                        guard let line = try reader.next() else {
                            chunk.isLast = true
                            break
                        }
                        chunk.lines.append(line)
                    }
                } catch {
                    chunk.failure = error
                    chunk.isLast = true
                }
                let last = chunk.isLast
                ready.withLock { $0.append(chunk) }
                filled.signal()
                if last { return }
            }
        }
        if !started {
            inline = reader
            finished.signal()
        }
    }

    /// The next line, in the file's order; nil at the end.
    func next() throws -> ImportLine? {
        if inline != nil { return try inline!.next() }
        while true {
            if let chunk = current {
                if position < chunk.lines.count {
                    position += 1
                    return chunk.lines[position - 1]
                }
                if let failure = chunk.failure {
                    current?.failure = nil
                    throw failure
                }
                if chunk.isLast { return nil }
            }
            filled.wait()
            current = ready.withLock { $0.removeFirst() }
            position = 0
            room.signal()
        }
    }

    /// Stops the reader and waits for its thread to end, so that nothing reads the file after
    /// the import returns. Called once, whether or not every line was taken.
    func finish() {
        stopped.store(true, ordering: .releasing)
        room.signal()  // a reader waiting for room wakes and sees `stopped`
        finished.wait()
    }
}
