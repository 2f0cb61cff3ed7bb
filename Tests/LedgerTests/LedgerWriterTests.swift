import Foundation
import GRDB
import Logging
import RunaModels
import Testing
import TestSupport
@testable import Ledger

@Suite("Recording deliveries")
struct LedgerWriterTests {
    /// A ledger whose `webhook_deliveries` refuses message id `poison`, as a failing SQLite write would.
    static func ledgerRefusingPoison() async throws -> TemporaryLedger {
        try await TemporaryLedger.refusing("webhook_deliveries", where: "msg_id", is: "poison")
    }

    @Test("a delivery lands with its events, its raw body and an enrichment task")
    func records() async throws {
        let ledger = try TemporaryLedger()
        let record = WebhookRecord.sample(id: "msg_1", order: Sample.completed())
        #expect(try await ledger.writer().record(record) == .applied)
        #expect(try await ledger.value("SELECT status FROM orders WHERE id = 'O-1'", as: String.self) == "COMPLETED")
        #expect(try await ledger.value("SELECT total_price_micros FROM orders", as: Int64.self) == 10_000_000)
        #expect(try await ledger.value("SELECT total_price FROM orders", as: String.self) == "10.00")
        #expect(try await ledger.value("SELECT body FROM webhook_deliveries", as: Data.self) == record.body)
        #expect(try await ledger.value("SELECT cause FROM order_events", as: String.self) == "webhook:msg_1")
        #expect(try await ledger.values("SELECT reason FROM reconcile_tasks", as: String.self) == ["enrich"])
    }

    @Test("the same message id again changes nothing")
    func duplicate() async throws {
        let ledger = try TemporaryLedger()
        let writer = ledger.writer()
        #expect(try await writer.record(.sample(id: "msg_1", order: Sample.completed())) == .applied)
        #expect(try await writer.record(.sample(id: "msg_1", order: Sample.failed())) == .duplicate)
        #expect(try await writer.record(.sample(id: "msg_2", order: Sample.completed())) == .noChange)
        #expect(try await ledger.value("SELECT count(*) FROM order_events", as: Int.self) == 1)
        #expect(try await ledger.value("SELECT count(*) FROM webhook_deliveries", as: Int.self) == 2)
    }

    @Test("ignored and quarantined bodies are kept with their outcome")
    func ignoredAndQuarantined() async throws {
        let ledger = try TemporaryLedger()
        let writer = ledger.writer()
        var ignored = WebhookRecord.sample(id: "msg_i", order: Sample.failed())
        ignored.content = .ignored
        var quarantined = WebhookRecord.sample(id: "msg_q", order: Sample.failed())
        quarantined.content = .quarantined(PayloadError(path: "status", problem: "not a status"))
        #expect(try await writer.record(ignored) == .ignored)
        #expect(try await writer.record(quarantined) == .quarantined)
        #expect(try await ledger.values("SELECT outcome FROM webhook_deliveries ORDER BY msg_id", as: String.self)
            == ["ignored", "quarantined"])
        #expect(try await ledger.value("SELECT error FROM webhook_deliveries WHERE msg_id = 'msg_q'", as: String.self)
            == "status: not a status")
        #expect(try await ledger.value("SELECT count(*) FROM orders", as: Int.self) == 0)
    }

    @Test("concurrent deliveries share commits and all land, with one intact hash chain")
    func concurrent() async throws {
        let ledger = try TemporaryLedger()
        let writer = ledger.writer()
        let outcomes = try await withThrowingTaskGroup(of: DeliveryOutcome.self) { group in
            for index in 0..<300 {
                group.addTask {
                    try await writer.record(.sample(id: "msg_\(index)", order: Sample.completed(id: "O-\(index)")))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 300 && outcomes.allSatisfy { $0 == .applied })
        let report = try ledger.database.check(migrations: ledger.migrations)
        #expect(report.isHealthy && report.orders == 300 && report.chain.events == 300)
    }

    @Test("one delivery that cannot be stored fails alone; its neighbours in the batch commit")
    func savepointIsolation() async throws {
        let ledger = try await Self.ledgerRefusingPoison()
        let writer = ledger.writer()
        let results = await withTaskGroup(of: (String, Bool).self) { group in
            for id in ["a", "b", "poison", "c", "d"] {
                group.addTask {
                    let ok = (try? await writer.record(.sample(id: id, order: Sample.completed(id: "O-\(id)")))) != nil
                    return (id, ok)
                }
            }
            return await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results == ["a": true, "b": true, "poison": false, "c": true, "d": true])
        #expect(try await ledger.values("SELECT msg_id FROM webhook_deliveries ORDER BY msg_id", as: String.self)
            == ["a", "b", "c", "d"])
        #expect(try await ledger.value("SELECT count(*) FROM orders WHERE id = 'O-poison'", as: Int.self) == 0)
        #expect(try ledger.database.check(migrations: ledger.migrations).isHealthy)
    }

    @Test("a batch is recorded straight through; one failure rolls it back and the isolated pass keeps the neighbours")
    func fastPassFallsBackToSavepoints() async throws {
        let ledger = try await Self.ledgerRefusingPoison()
        let batch = ["a", "poison", "b"].map { WebhookRecord.sample(id: $0, order: Sample.completed(id: "O-\($0)")) }
        let logger = Logger(label: "test")
        await #expect(throws: BatchWrite.JobFailed.self) {
            try await ledger.database.pool.write { db in
                try LedgerWriter.recordBatch(batch, isolated: false, db: db, logger: logger)
            }
        }
        #expect(try await ledger.value("SELECT count(*) FROM webhook_deliveries", as: Int.self) == 0)
        let results = try await ledger.database.pool.write { db in
            try LedgerWriter.recordBatch(batch, isolated: true, db: db, logger: logger).map { (try? $0.get()) != nil }
        }
        #expect(results == [true, false, true])
        #expect(try await ledger.values("SELECT msg_id FROM webhook_deliveries ORDER BY msg_id", as: String.self) == ["a", "b"])
        #expect(try ledger.database.check(migrations: ledger.migrations).isHealthy)
    }

    @Test("when the database is locked the delivery fails and is not remembered, so a retry applies it")
    func lockedDatabase() async throws {
        let ledger = try TemporaryLedger()
        let writer = ledger.writer()
        let lock = try ExternalLock(path: ledger.database.path)
        await #expect(throws: LedgerError.self) {
            try await writer.record(.sample(id: "msg_1", order: Sample.completed()))
        }
        lock.release()
        #expect(try await writer.record(.sample(id: "msg_1", order: Sample.completed())) == .applied)
    }
}

@Suite("Answering only what is on disk")
struct LedgerWriterSyncTests {
    /// What the sync stage saw each time it ran: whether the delivery was already committed.
    actor SyncLog {
        var sawCommitted: [Bool] = []
        func append(_ value: Bool) { sawCommitted.append(value) }
    }

    @Test("a batch is answered after a sync that began after its commit, and the writer is back at synchronous=FULL")
    func answeredAfterSync() async throws {
        let ledger = try TemporaryLedger()
        let log = SyncLog()
        let database = ledger.database
        let writer = LedgerWriter(database: database, maximumBatch: 64, logger: .init(label: "test")) {
            let committed = try await database.pool.read { db in
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE msg_id = 'msg_1')") ?? false
            }
            await log.append(committed)
        }
        #expect(try await writer.record(.sample(id: "msg_1", order: Sample.completed())) == .applied)
        #expect(await log.sawCommitted == [true])
        #expect(try database.synchronousMode() == 2)
    }

    @Test("when the sync fails the batch is answered unavailable, and Svix's retry is a duplicate")
    func failedSync() async throws {
        let ledger = try TemporaryLedger()
        let failing = LedgerWriter(database: ledger.database, maximumBatch: 64, logger: .init(label: "test")) {
            throw LedgerError.unavailable("the disk said EIO")
        }
        await #expect(throws: LedgerError.self) { try await failing.record(.sample(id: "msg_1", order: Sample.completed())) }
        #expect(try await ledger.writer().record(.sample(id: "msg_1", order: Sample.completed())) == .duplicate)
    }

    @Test("the WAL flusher syncs the log file that is there, also after it was made anew, and fails without one")
    func flusherFollowsTheLog() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wal-flusher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("ledger.sqlite").path
        let flusher = WALFlusher(databasePath: database)
        await #expect(throws: LedgerError.self) { try await flusher.flush() }
        FileManager.default.createFile(atPath: database + "-wal", contents: Data("frames".utf8))
        try await flusher.flush()
        try FileManager.default.removeItem(atPath: database + "-wal")
        FileManager.default.createFile(atPath: database + "-wal", contents: Data("new frames".utf8))
        try await flusher.flush()
        try FileManager.default.removeItem(atPath: database + "-wal")
        await #expect(throws: LedgerError.self) { try await flusher.flush() }
    }
}
