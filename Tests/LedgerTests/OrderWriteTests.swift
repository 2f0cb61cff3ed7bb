import Foundation
import RunaModels
import Testing
import TestSupport
@testable import Ledger

/// The write path reads the facts the answer rules need from the ledger itself: whether a webhook ever named the
/// order, and when the ledger first saw it.
@Suite("One write path: the facts behind Runa's answers come from the ledger")
struct OrderWriteTests {
    static let day: Int64 = 86_400

    static func discrepancies(_ ledger: TemporaryLedger, _ id: String) async throws -> [String] {
        try await ledger.values("SELECT changes FROM order_events WHERE order_id = '\(id)' AND kind = 'discrepancy' ORDER BY seq")
    }

    @Test("an answer about an order no delivery named records that its webhook never came; a delivered one does not")
    func neverCame() async throws {
        let ledger = try TemporaryLedger()
        let answer = Sample.completed(id: "O-UNANNOUNCED", items: [Sample.item("E-U")])
        let applied = try await ledger.database.applyAuthoritative(answer, cause: "test", now: LedgerClock.now())
        #expect(applied.created && applied.discrepancies == 1)
        #expect(try await Self.discrepancies(ledger, "O-UNANNOUNCED") == [#"{"webhook":{"after":"never received","before":null}}"#])

        _ = try await ledger.writer().record(.sample(id: "msg-announced", order: Sample.completed(id: "O-ANNOUNCED")))
        let later = try await ledger.database.applyAuthoritative(Sample.completed(id: "O-ANNOUNCED", items: [Sample.item("E-A")]),
                                                                 cause: "test", now: LedgerClock.now())
        #expect(later.discrepancies == 0)
        #expect(try await Self.discrepancies(ledger, "O-ANNOUNCED").isEmpty)
    }

    @Test("an answer without created_at counts PROCESSING from when the ledger first saw the order")
    func stuckSinceFirstSeen() async throws {
        let ledger = try TemporaryLedger()
        let incomplete = RunaOrder(id: "O-SLOW", status: .processing)  // Runa's IncompleteOrder: no created_at
        _ = try await ledger.writer().record(.sample(id: "msg-slow", order: incomplete))
        let firstSeen = try #require(try await ledger.value("SELECT first_seen_at FROM orders WHERE id = 'O-SLOW'", as: String.self))
        let seen = try #require(Timestamp(rfc3339: firstSeen))

        let soon = try await ledger.database.applyAuthoritative(incomplete, cause: "test", now: seen.adding(seconds: 3_600),
                                                                stuckAfterSeconds: Self.day)
        #expect(soon.discrepancies == 0)
        let late = try await ledger.database.applyAuthoritative(incomplete, cause: "test", now: seen.adding(seconds: 2 * Self.day),
                                                                stuckAfterSeconds: Self.day)
        #expect(late.discrepancies == 1)
        let recorded = try await Self.discrepancies(ledger, "O-SLOW")
        #expect(recorded == [#"{"stuck_processing":{"after":"\#(seen.canonical)","before":null}}"#], "\(recorded)")
    }
}
