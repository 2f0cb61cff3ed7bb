import Foundation
import GRDB
import Logging

/// The SQLite ledger file: a GRDB pool in WAL mode with `synchronous=FULL` and foreign keys on.
///
/// `synchronous=FULL` makes every commit durable before it returns, which is what lets the webhook endpoint
/// answer 2xx only for data that survives a power cut. Group commit (``LedgerWriter``) pays for it; the webhook
/// writer syncs its batches itself, off the writer (``WALFlusher``). The log is copied into the file by
/// ``WALCheckpointer``, not by the writer.
public final class LedgerDatabase: Sendable {
    /// The connection pool: one writer, concurrent readers. Only `Ledger` touches it: everything outside reads
    /// through the typed read models (`Sources/Ledger/Read/`) and writes through ``LedgerWriter`` and the stores.
    let pool: DatabasePool
    /// The file's path.
    public let path: String
    /// Copies the write-ahead log into the file off the writer.
    let checkpointer: WALCheckpointer
    /// Syncs the log for the writers that commit without syncing (webhook batches, Runa's answers).
    let flusher: WALFlusher
    /// Applies Runa's answers many to a commit.
    let answers: AnswerWriter

    /// Opens (creating if needed) the database at `path`, whose folder is created too.
    ///
    /// - Parameter busyTimeout: how long a write waits for a lock held by another process before failing.
    public convenience init(path: String, busyTimeout: TimeInterval = 2) throws {
        try self.init(path: path, busyTimeout: busyTimeout, restartLogAfterFrames: WALCheckpointer.defaultRestartAfterFrames)
    }

    /// - Parameter restartLogAfterFrames: how long the write-ahead log may grow before it is started again.
    init(path: String, busyTimeout: TimeInterval, restartLogAfterFrames: Int) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "ledger"
        configuration.maximumReaderCount = 8
        let pool = try DatabasePool(path: path, configuration: configuration)
        // DatabasePool sets synchronous=NORMAL on its writer after any prepare hook; FULL is set here, outside
        // a transaction (SQLite ignores it inside one), and asserted by a test.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // 32 MiB of page cache on the writer keeps the hot index pages of a large ledger in memory.
            try db.execute(sql: "PRAGMA cache_size = -32768")
            // Each delivery runs in a SAVEPOINT, whose statement journal would otherwise be a temporary file:
            // in memory it costs a few microseconds instead of tens.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        let checkpointer = try WALCheckpointer(path: path, busyTimeout: busyTimeout,
                                               restartAfterFrames: restartLogAfterFrames)
        try pool.writeWithoutTransaction { db in
            // The checkpointer copies the log; the writer only signals it when it commits.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            db.add(transactionObserver: checkpointer, extent: .databaseLifetime)
        }
        self.checkpointer = checkpointer
        let flusher = WALFlusher(databasePath: path)
        self.flusher = flusher
        answers = AnswerWriter(pool: pool, flusher: flusher)
        self.pool = pool
        self.path = path
    }

    /// Applies pending migrations from `migrations`, then indexes any order rows another program wrote with plain
    /// SQL (their search rows wait in `order_search_staged` until a ledger writer applies them).
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws -> [String] {
        let applied = try MigrationRunner.migrate(pool, migrations: migrations)
        try pool.write { db in
            if try db.tableExists("order_search_staged") { try OrderSearchIndex.applyStaged(db) }
        }
        return applied
    }

    /// The migrations of `migrations` not yet applied (empty when the schema is current); throws when an applied
    /// one has changed or is missing.
    public func pendingMigrations(_ migrations: [Migration]) throws -> [String] {
        try pool.read { try MigrationRunner.pending($0, migrations: migrations) }
    }

    /// Runs `sql` on the writer: for `bench/` experiments only (`BENCH_SQL`, a pragma tried against the default).
    @_spi(Benchmark)
    public func executeForBenchmark(_ sql: String) async throws {
        try await pool.write { db in try db.execute(sql: sql) }
    }

    /// The value of `PRAGMA synchronous` on the writer connection (2 means FULL).
    public func synchronousMode() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// What a `/readyz` probe commits: about a single delivery's commit (~25 pages of WAL).
    static let readinessHeadroomBytes = 128 * 1024

    /// Whether the database commits a write and all migrations are applied: what `/readyz` reports.
    public func readiness(migrations: [Migration]) async -> Result<Void, LedgerError> {
        do {
            let pending = try await pool.read { db in try MigrationRunner.pending(db, migrations: migrations) }
            guard pending.isEmpty else {
                return .failure(.migration("pending migrations: \(pending.joined(separator: ", "))"))
            }
            // A real, durable commit about the size of one delivery's: proof that a delivery would commit now.
            // Taking the write lock alone (BEGIN IMMEDIATE) succeeds on a full disk while every delivery gets 503.
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT OR REPLACE INTO readiness_probe (id, probed_at, headroom) VALUES (1, ?, zeroblob(?))
                    """, arguments: [LedgerClock.nowText(), Self.readinessHeadroomBytes])
            }
            return .success(())
        } catch {
            return .failure(LedgerError.unavailable(error))
        }
    }

    /// Closes every connection.
    public func close() throws {
        // Copy the write-ahead log into the main file first, so the file alone is the whole ledger once the
        // process has stopped (GRDB's read-only readers may close last and cannot do it). Best effort: a reader of
        // another process (Litestream) may hold the log; then it stays, which SQLite reads as usual.
        checkpointer.stop()
        try? pool.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try pool.close()
    }
}

extension LedgerDatabase {
    /// A random 32-byte key the service made for itself (e.g. to sign pagination cursors), created on first use.
    public func ownKey(named name: String) throws -> [UInt8] {
        try pool.write { db in
            if let key = try Data.fetchOne(db, sql: "SELECT key FROM ledger_keys WHERE name = ?", arguments: [name]) {
                return Array(key)
            }
            var generator = SystemRandomNumberGenerator()
            let key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            try db.execute(sql: "INSERT INTO ledger_keys (name, key, created_at) VALUES (?, ?, ?)",
                           arguments: [name, Data(key), LedgerClock.nowText()])
            return key
        }
    }
}
