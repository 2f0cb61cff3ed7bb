import Digest
import Foundation
import GRDB

/// One schema change: a plain SQL file `migrations/NNNN_name.sql`.
public struct Migration: Sendable, Equatable {
    /// The file name, which orders migrations and identifies them once applied.
    public let name: String
    public let sql: String
    /// SHA-256 of the file's bytes, recorded when applied so a later edit is caught.
    public let checksum: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
        self.checksum = Digest.hex(Digest.sha256(Array(sql.utf8)))
    }

    /// Reads every `*.sql` file of `directory`, sorted by name.
    public static func load(from directory: URL) throws(LedgerError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .configuration("cannot read the migrations folder \(directory.path)")
        }
        var migrations: [Migration] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path),
                  let sql = String(data: data, encoding: .utf8)
            else { throw .configuration("cannot read migration \(name)") }
            migrations.append(Migration(name: name, sql: sql))
        }
        guard !migrations.isEmpty else { throw .configuration("no *.sql migrations in \(directory.path)") }
        return migrations
    }
}

/// Applies migrations in order, each in its own transaction, and records them with their checksums.
///
/// A recorded migration whose file has changed, or one that is recorded but missing, is an error: the schema
/// would no longer be what the files say, and the service refuses to start rather than guess.
public enum MigrationRunner {
    static let createTable = """
        CREATE TABLE IF NOT EXISTS ledger_migrations (
            name       TEXT PRIMARY KEY NOT NULL,
            checksum   TEXT NOT NULL,
            applied_at TEXT NOT NULL
        ) STRICT
        """

    /// Applies what is not yet applied; returns the names applied now.
    @discardableResult
    public static func migrate(_ writer: any DatabaseWriter, migrations: [Migration]) throws -> [String] {
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: createTable)
            try verifyApplied(db, migrations: migrations)
            var applied: [String] = []
            let done = try Set(String.fetchAll(db, sql: "SELECT name FROM ledger_migrations"))
            for migration in migrations where !done.contains(migration.name) {
                try db.inTransaction {
                    try db.execute(sql: migration.sql)
                    try db.execute(
                        sql: "INSERT INTO ledger_migrations (name, checksum, applied_at) VALUES (?, ?, ?)",
                        arguments: [migration.name, migration.checksum, LedgerClock.nowText()])
                    return .commit
                }
                applied.append(migration.name)
            }
            return applied
        }
    }

    /// The migrations not yet applied (empty when the schema is current).
    public static func pending(_ db: Database, migrations: [Migration]) throws -> [String] {
        guard try db.tableExists("ledger_migrations") else { return migrations.map(\.name) }
        try verifyApplied(db, migrations: migrations)
        let done = try Set(String.fetchAll(db, sql: "SELECT name FROM ledger_migrations"))
        return migrations.map(\.name).filter { !done.contains($0) }
    }

    static func verifyApplied(_ db: Database, migrations: [Migration]) throws {
        guard try db.tableExists("ledger_migrations") else { return }
        let byName = Dictionary(uniqueKeysWithValues: migrations.map { ($0.name, $0) })
        for row in try Row.fetchAll(db, sql: "SELECT name, checksum FROM ledger_migrations ORDER BY name") {
            let name: String = row["name"]
            let checksum: String = row["checksum"]
            guard let file = byName[name] else {
                throw LedgerError.migration("migration \(name) is applied but its file is missing")
            }
            guard file.checksum == checksum else {
                throw LedgerError.migration("migration \(name) changed after it was applied (checksum differs)")
            }
        }
    }
}
