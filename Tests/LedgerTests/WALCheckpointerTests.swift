import Foundation
import GRDB
import RunaModels
import Testing
import TestSupport
@testable import Ledger

@Suite("Copying the write-ahead log off the writer")
struct WALCheckpointerTests {
    /// Records `count` deliveries, `concurrency` at a time, so the writer commits batch after batch.
    static func record(_ count: Int, concurrency: Int, into ledger: TemporaryLedger, prefix: String) async throws {
        let writer = ledger.writer()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    for index in stride(from: lane, to: count, by: concurrency) {
                        let record = WebhookRecord.sample(id: "msg_\(prefix)_\(index)", order: Sample.completed(id: "O-\(prefix)-\(index)"))
                        let outcome = try await writer.record(record)
                        #expect(outcome == .applied)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Waits up to five seconds for `condition`.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test("the writer never copies the log itself; the checkpointer copies all of it after commits")
    func copiesOffTheWriter() async throws {
        let ledger = try TemporaryLedger()
        #expect(try await ledger.database.pool.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint")
        } == 0)
        try await Self.record(40, concurrency: 8, into: ledger, prefix: "a")
        let checkpointer = ledger.database.checkpointer
        #expect(try await Self.eventually { checkpointer.lastCopy.frames > 0 && checkpointer.lastCopy.copied == checkpointer.lastCopy.frames })
        #expect(try await ledger.value("SELECT count(*) FROM orders", as: Int.self) == 40)
    }

    @Test("under a writer that never pauses, the log is started again once it passes its limit")
    func restartsTheLog() async throws {
        let ledger = try TemporaryLedger(restartLogAfterFrames: 64)
        try await Self.record(600, concurrency: 32, into: ledger, prefix: "b")
        #expect(ledger.database.checkpointer.restarts > 0)
        #expect(try await ledger.value("SELECT count(*) FROM webhook_deliveries", as: Int.self) == 600)
    }

    @Test("a reader holding the log does not stop the writer, and the log restarts once it is gone")
    func readerHoldingTheLog() async throws {
        let ledger = try TemporaryLedger(restartLogAfterFrames: 64)
        try await Self.record(20, concurrency: 4, into: ledger, prefix: "c")
        // A read transaction kept open on the log's current end, on a connection and a thread of its own.
        let reader = try DatabaseQueue(path: ledger.database.path)
        let reading = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            _ = try? reader.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM orders")
                reading.signal()
                release.wait()
            }
            finished.signal()
        }.start()
        reading.wait()
        let restartsBefore = ledger.database.checkpointer.restarts
        try await Self.record(300, concurrency: 16, into: ledger, prefix: "d")
        #expect(ledger.database.checkpointer.restarts == restartsBefore)
        #expect(try await ledger.value("SELECT count(*) FROM orders", as: Int.self) == 320)
        release.signal()
        finished.wait()
        try await Self.record(300, concurrency: 16, into: ledger, prefix: "e")
        #expect(try await Self.eventually { ledger.database.checkpointer.restarts > restartsBefore })
        try reader.close()
    }

    @Test("closing right after a burst of commits leaves the whole ledger in the file: the log is copied and emptied")
    func closeLeavesNoLog() async throws {
        let ledger = try TemporaryLedger(restartLogAfterFrames: 64)
        try await Self.record(300, concurrency: 32, into: ledger, prefix: "f")
        try ledger.database.close()
        let log = ledger.database.path + "-wal"
        let size = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
        #expect(size == 0)
        let reopened = try DatabaseQueue(path: ledger.database.path)
        #expect(try await reopened.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM orders") } == 300)
        try reopened.close()
    }
}
