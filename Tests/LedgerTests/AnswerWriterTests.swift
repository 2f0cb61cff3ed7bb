import Foundation
import GRDB
import RunaModels
import Testing
import TestSupport
@testable import Ledger

@Suite("Applying Runa's answers many to a commit")
struct AnswerWriterTests {
    /// A ledger whose `orders` refuses order `O-poison`, as a failing SQLite write would.
    static func ledgerRefusingPoison() async throws -> TemporaryLedger {
        try await TemporaryLedger.refusing("orders", where: "id", is: "O-poison")
    }

    static func answer(_ id: String) -> AnswerWriter.Answer {
        AnswerWriter.Answer(observation: Observation(order: Sample.completed(id: id), source: .reconciler, isAuthoritative: true),
                            cause: "GET /order/\(id)", now: LedgerClock.now(), recheckSeconds: 30, stuckAfterSeconds: 86_400)
    }

    @Test("a batch is applied in one transaction straight through; one failure rolls it back and the isolated pass keeps the rest")
    func oneTransactionPerBatch() async throws {
        let ledger = try await Self.ledgerRefusingPoison()
        let batch = ["O-a", "O-poison", "O-b"].map(Self.answer)
        await #expect(throws: BatchWrite.JobFailed.self) {
            try await ledger.database.pool.write { db in try AnswerWriter.apply(batch, isolated: false, db: db) }
        }
        #expect(try await ledger.value("SELECT count(*) FROM orders", as: Int.self) == 0)
        let results = try await ledger.database.pool.write { db in try AnswerWriter.apply(batch, isolated: true, db: db) }
        #expect(results.map { (try? $0.get()) != nil } == [true, false, true])
        #expect(try await ledger.values("SELECT id FROM orders ORDER BY id", as: String.self) == ["O-a", "O-b"])
        #expect(try ledger.database.check(migrations: ledger.migrations).isHealthy)
    }

    @Test("answers applied at once each land once, with their events and tasks; one that cannot be stored fails alone")
    func concurrentAnswers() async throws {
        let ledger = try await Self.ledgerRefusingPoison()
        let ids = (0..<40).map { "O-\($0)" } + ["O-poison"]
        let database = ledger.database
        let results = await withTaskGroup(of: (String, Bool).self) { group in
            for id in ids {
                group.addTask {
                    let applied = try? await database.applyAuthoritative(Sample.completed(id: id), cause: "test",
                                                                               now: LedgerClock.now())
                    return (id, applied?.created == true)
                }
            }
            return await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.filter(\.value).count == 40)
        #expect(results["O-poison"] == false)
        #expect(try await ledger.value("SELECT count(*) FROM orders", as: Int.self) == 40)
        #expect(try await ledger.value("SELECT count(DISTINCT order_id) FROM order_events", as: Int.self) == 40)
        #expect(try ledger.database.check(migrations: ledger.migrations).isHealthy)
        #expect(try ledger.database.synchronousMode() == 2)
    }
}
