import Foundation
import GRDB
import RunaModels
import Testing
import TestSupport
@testable import Ledger

@Suite("The SQLite ledger file")
struct LedgerDatabaseTests {
    @Test("commits are durable: WAL with synchronous=FULL and foreign keys on")
    func pragmas() throws {
        let ledger = try TemporaryLedger()
        #expect(try ledger.database.synchronousMode() == 2)
        let (journal, foreignKeys) = try ledger.database.pool.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(journal == "wal")
        #expect(foreignKeys == 1)
    }

    @Test("migrations apply once, in order, and are recorded with checksums")
    func migrationsApplyOnce() throws {
        let ledger = try TemporaryLedger(migrate: false)
        let extra = Migration(name: "9999_extra.sql", sql: "CREATE TABLE extra (x INTEGER) STRICT;")
        #expect(try ledger.database.migrate(ledger.migrations + [extra]) == ledger.migrations.map(\.name) + ["9999_extra.sql"])
        #expect(try ledger.database.migrate(ledger.migrations + [extra]).isEmpty)
        let recorded = try ledger.database.pool.read { try String.fetchAll($0, sql: "SELECT name FROM ledger_migrations ORDER BY name") }
        #expect(recorded == ledger.migrations.map(\.name) + ["9999_extra.sql"])
    }

    @Test("a migration file changed after it was applied refuses to start")
    func changedMigrationRefuses() throws {
        let ledger = try TemporaryLedger()
        var edited = ledger.migrations
        edited[0] = Migration(name: edited[0].name, sql: edited[0].sql + "\n-- edited\n")
        #expect(throws: LedgerError.migration("migration 0001_ledger.sql changed after it was applied (checksum differs)")) {
            try ledger.database.migrate(edited)
        }
        #expect(throws: LedgerError.self) { try ledger.database.migrate([]) }
    }

    @Test("a failing migration leaves nothing half-applied")
    func failingMigrationRollsBack() async throws {
        let ledger = try TemporaryLedger()
        let broken = Migration(name: "9999_broken.sql", sql: "CREATE TABLE half (x INTEGER); SELECT no_such_function();")
        #expect(throws: (any Error).self) { try ledger.database.migrate(ledger.migrations + [broken]) }
        #expect(try await ledger.value("SELECT count(*) FROM sqlite_master WHERE name = 'half'", as: Int.self) == 0)
    }

    @Test("the audit trail refuses UPDATE and DELETE")
    func appendOnly() async throws {
        let ledger = try TemporaryLedger()
        _ = try await ledger.writer().record(.sample(id: "msg_1", order: Sample.completed()))
        for sql in ["UPDATE order_events SET kind = 'x'", "DELETE FROM order_events"] {
            await #expect(throws: DatabaseError.self) { try await ledger.execute(sql) }
        }
        #expect(try ledger.database.check(migrations: ledger.migrations).isHealthy)
    }

    @Test("check finds a tampered event, a removed tail and reports a healthy ledger as such")
    func checkDetectsTampering() async throws {
        let ledger = try TemporaryLedger()
        let writer = ledger.writer()
        for index in 0..<5 {
            _ = try await writer.record(.sample(id: "msg_\(index)", order: Sample.completed(id: "O-\(index)")))
        }
        let healthy = try ledger.database.check(migrations: ledger.migrations)
        #expect(healthy.isHealthy && healthy.chain.events == 5 && healthy.integrity == ["ok"])

        try await ledger.execute("DROP TRIGGER order_events_no_update")
        try await ledger.execute("UPDATE order_events SET changes = replace(changes, '10.00', '1000.00') WHERE seq = 3")
        let tampered = try ledger.database.check(migrations: ledger.migrations)
        #expect(!tampered.isHealthy)
        #expect(tampered.chain.firstProblem?.seq == 3)

        let other = try TemporaryLedger()
        let otherWriter = other.writer()
        for index in 0..<3 {
            _ = try await otherWriter.record(.sample(id: "msg_\(index)", order: Sample.completed(id: "O-\(index)")))
        }
        // Tables kept by triggers are recomputed: a running total or a search row that drifted is reported.
        #expect(try other.database.check(migrations: other.migrations).derivedProblems.isEmpty)
        try await other.execute("UPDATE order_totals SET price_micros = price_micros + 1")
        try await other.execute("UPDATE delivery_totals SET deliveries = deliveries + 1")
        try await other.execute("DELETE FROM order_search WHERE rowid IN (SELECT search_rowid FROM order_search_rows LIMIT 1)")
        let drifted = try other.database.check(migrations: other.migrations)
        #expect(!drifted.isHealthy && drifted.derivedProblems.count == 3, "\(drifted.derivedProblems)")

        try await other.execute("DROP TRIGGER order_events_no_delete")
        try await other.execute("DELETE FROM order_events WHERE seq = 3")
        #expect(try other.database.check(migrations: other.migrations).chain.firstProblem?.problem == "events after 2 are missing")
    }
}

extension WebhookRecord {
    static func sample(id: String, order: RunaOrder) -> WebhookRecord {
        let body = RunaJSON.encode(order)
        return WebhookRecord(messageId: id, receivedAt: LedgerClock.now(), signedAt: LedgerClock.now(), body: body,
                             bodySHA256: "test", content: .order(order))
    }
}
