import Foundation
@testable import Ledger
import Logging

/// A real SQLite ledger in a fresh temporary folder, migrated with the repository's `migrations/`.
public struct TemporaryLedger {
    public let folder: URL
    public let database: LedgerDatabase
    public let migrations: [Migration]

    public static let migrationsFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("migrations")

    /// - Parameter restartLogAfterFrames: the write-ahead log's limit (``WALCheckpointer``).
    public init(migrate: Bool = true, restartLogAfterFrames: Int = WALCheckpointer.defaultRestartAfterFrames) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = try LedgerDatabase(path: folder.appendingPathComponent("ledger.sqlite").path, busyTimeout: 0.2,
                                      restartLogAfterFrames: restartLogAfterFrames)
        migrations = try Migration.load(from: Self.migrationsFolder)
        if migrate { try database.migrate(migrations) }
    }

    public func writer() -> LedgerWriter {
        LedgerWriter(database: database, logger: Logger(label: "test"))
    }
}

import GRDB

extension TemporaryLedger {
    /// The first column of the first row of `sql`.
    public func value<T: DatabaseValueConvertible & Sendable>(_ sql: String, as type: T.Type = T.self) async throws -> T? {
        try await database.pool.read { try T.fetchOne($0, sql: sql) }
    }

    /// The first column of every row of `sql`.
    public func values<T: DatabaseValueConvertible & Sendable>(_ sql: String, as type: T.Type = T.self) async throws -> [T] {
        try await database.pool.read { try T.fetchAll($0, sql: sql) }
    }

    /// A fresh ledger whose `table` refuses to insert a row with `column` equal to `value`, as a failing SQLite
    /// write would (trigger `poison`).
    public static func refusing(_ table: String, where column: String, is value: String) async throws -> TemporaryLedger {
        let ledger = try TemporaryLedger()
        try await ledger.execute("""
            CREATE TRIGGER poison BEFORE INSERT ON \(table) WHEN NEW.\(column) = '\(value)'
            BEGIN SELECT RAISE(ABORT, 'poisoned'); END
            """)
        return ledger
    }

    /// Runs `sql` in a write transaction (for tests that tamper or install faults).
    public func execute(_ sql: String) async throws {
        try await database.pool.write { try $0.execute(sql: sql) }
    }
}
