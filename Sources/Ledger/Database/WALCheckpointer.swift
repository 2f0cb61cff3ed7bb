import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Keeps the write-ahead log short without making the writer copy it into the database file.
///
/// SQLite's automatic checkpoint copies the log into the main file on the committing connection, inside the commit
/// that crossed its threshold (1,000 pages). On the webhook writer that was nearly every batch: each paid for the copy
/// and a second `fsync` while every caller of the next batch waited. Instead (bench/README.md, "Checkpoints off the
/// writer"):
/// - the writer's automatic checkpoint is off; each of its commits only signals this checkpointer;
/// - a connection of its own copies the log with PASSIVE checkpoints, which never wait for the writer or readers, at
///   most once per `pause`;
/// - once the log has passed `restartAfterFrames` and been copied whole, the writer's next commit RESTARTs it, so
///   it is written from the start again. Little is left to copy then, and the writer does not wait for it: a reader
///   still on the log, or a checkpoint in progress, makes it try again after the next copy.
///
/// A reader that stays on the log (a long export, Litestream) keeps frames from being copied, as with SQLite's own
/// checkpoint; the log grows meanwhile and is restarted once the reader is gone.
final class WALCheckpointer: TransactionObserver, Sendable {
    /// Frames (pages) after which the log is restarted: ~64 MiB of 4 KiB pages.
    static let defaultRestartAfterFrames = 16_384

    private let busyTimeoutMilliseconds: Int32
    private let signals: AsyncStream<Void>.Continuation
    private let state: State
    private let connection: DatabaseQueue

    private final class State: Sendable {
        /// Set by a copy that found the log long and copied whole; cleared by the writer's attempt to restart it.
        let restartWanted = Atomic<Bool>(false)
        /// What the last copy reported.
        let lastCopy = Mutex<(frames: Int, copied: Int)>((0, 0))
        /// How many times the writer started the log again.
        let restarts = Atomic<Int>(0)
        /// Set by ``WALCheckpointer/stop()``: no copy starts after it.
        let stopped = Atomic<Bool>(false)
    }

    /// Opens the checkpointer's own connection to `path`.
    ///
    /// - Parameter busyTimeout: the writer's busy timeout, restored after a restart attempt (which runs without one).
    init(path: String, busyTimeout: TimeInterval, restartAfterFrames: Int = defaultRestartAfterFrames,
         pause: Duration = .milliseconds(100)) throws
    {
        var configuration = Configuration()
        configuration.label = "ledger.checkpointer"
        // A PASSIVE checkpoint never waits; the timeout only covers opening.
        configuration.busyMode = .timeout(busyTimeout)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        self.connection = connection
        busyTimeoutMilliseconds = Int32(busyTimeout * 1000)
        let state = State()
        self.state = state
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.signals = continuation
        Task.detached {
            for await _ in signals {
                let copy = try? await connection.writeWithoutTransaction { db -> (Int, Int)? in
                    state.stopped.load(ordering: .relaxed) ? nil : try db.checkpoint(.passive)
                }
                if let (frames, copied) = copy ?? nil {
                    state.lastCopy.withLock { $0 = (frames, copied) }
                    if frames >= restartAfterFrames && copied == frames { state.restartWanted.store(true, ordering: .relaxed) }
                }
                try? await Task.sleep(for: pause)
            }
            // The connection is closed when the last reference to it goes: never explicitly, since GRDB does not
            // guard an access to a closed connection.
        }
    }

    deinit { signals.finish() }

    /// Stops copying: returns once a copy in progress has finished, and no copy starts after it.
    func stop() {
        signals.finish()
        // Through the connection's own queue, so it waits for a copy in progress and the next copy sees it.
        try? connection.writeWithoutTransaction { _ in state.stopped.store(true, ordering: .relaxed) }
    }

    /// The log's length and how much of it was copied, as the last copy found them.
    var lastCopy: (frames: Int, copied: Int) { state.lastCopy.withLock { $0 } }

    /// How many times the writer has started the log again.
    var restarts: Int { state.restarts.load(ordering: .relaxed) }

    // MARK: TransactionObserver (on the writer's connection)

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidRollback(_ db: Database) {}

    func databaseDidCommit(_ db: Database) {
        if state.restartWanted.exchange(false, ordering: .relaxed) {
            // Without waiting: a busy log is tried again after the next copy.
            let connection = db.sqliteConnection
            sqlite3_busy_timeout(connection, 0)
            var frames: Int32 = 0
            var copied: Int32 = 0
            let code = sqlite3_wal_checkpoint_v2(connection, "main", SQLITE_CHECKPOINT_RESTART, &frames, &copied)
            sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
            if code == SQLITE_OK { state.restarts.add(1, ordering: .relaxed) }
        }
        signals.yield()
    }
}
