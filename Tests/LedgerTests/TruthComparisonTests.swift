import Foundation
import RunaModels
import Testing
import TestSupport
@testable import Ledger

/// The comparison the demo's verdict and the end-to-end tests rest on: it must see every kind of difference.
@Suite("The ledger compared with Runa's orders")
struct TruthComparisonTests {
    static func truth() -> [RunaOrder] {
        [Sample.completed(id: "O-1", price: "10.00", items: [Sample.item("E-1")]),
         Sample.completed(id: "O-2", price: "20.00", items: [Sample.item("E-2", payout: Sample.payout(.claimed, at: "2025-01-02T00:00:00Z")),
                                                             Sample.item("E-3")]),
         Sample.failed(id: "O-3")]
    }

    static func ledger(holding orders: [RunaOrder]) async throws -> TemporaryLedger {
        let ledger = try TemporaryLedger()
        for order in orders { _ = try await ledger.database.applyAuthoritative(order, cause: "test", now: LedgerClock.now()) }
        return ledger
    }

    @Test("a ledger holding exactly Runa's orders matches, with its counts and totals")
    func matches() async throws {
        let ledger = try await Self.ledger(holding: Self.truth())
        let comparison = try await ledger.database.compare(withTruth: Self.truth())
        #expect(comparison.matches, "\(comparison.problems)")
        #expect(comparison.ledgerOrders == 3 && comparison.matched == 3 && comparison.ledgerItems == 3 && comparison.truthItems == 3)
        #expect(comparison.payoutsMatching == 3 && comparison.truthPayouts == 3 && comparison.payoutsNoLongerActive == 1)
        #expect(comparison.completedTotals["USD"]?.ledger == 30_000_000 && comparison.completedTotals["USD"]?.truth == 30_000_000)
    }

    @Test("a missing order, a changed amount, status, currency or payout, and an item out of place are each named")
    func differences() async throws {
        let ledger = try await Self.ledger(holding: Self.truth())
        try await ledger.execute("UPDATE orders SET total_price_micros = 9990000 WHERE id = 'O-1'")
        try await ledger.execute("UPDATE payouts SET status = 'ACTIVE' WHERE item_id = 'E-2'")
        try await ledger.execute("UPDATE order_items SET price_micros = 1 WHERE id = 'E-3'")
        try await ledger.execute("UPDATE orders SET status = 'COMPLETED', currency = 'EUR' WHERE id = 'O-3'")
        var truth = Self.truth()
        truth.append(Sample.completed(id: "O-4", items: [Sample.item("E-4")]))
        let comparison = try await ledger.database.compare(withTruth: truth)
        #expect(Set(comparison.problems) == [
            "the ledger has 3 orders, Runa 4", "O-1 total_price", "E-2 payout ACTIVE vs CLAIMED", "E-3 money",
            "O-3 status", "O-3 currency", "O-4 missing",
        ])
        #expect(!comparison.matches && comparison.missing == 1 && comparison.differing == 3 && comparison.matched == 0)
    }

    @Test("orders known from their webhooks alone agree so far but lack their items (and a FAILED one its money): not matching, not differing")
    func withoutDetails() async throws {
        let ledger = try TemporaryLedger()
        let writer = ledger.writer()
        for order in Self.truth() {
            var webhook = order
            webhook.items = nil
            _ = try await writer.record(.sample(id: "msg-\(order.id)", order: webhook))
        }
        // Runa's own answer for the FAILED order carries its currency; its webhook carried only id and status.
        var truth = Self.truth()
        truth[2].currency = "USD"
        let comparison = try await ledger.database.compare(withTruth: truth)
        #expect(comparison.withoutDetails == 3 && comparison.differing == 0 && comparison.matched == 0, "\(comparison.problems)")
        #expect(Set(comparison.problems) == ["O-1 items not yet known", "O-2 items not yet known", "O-3 currency not yet known"])
        #expect(comparison.truthPayouts == 3 && comparison.payoutsMatching == 0 && comparison.payoutsNoLongerActive == 1)
    }

    @Test("an order or item created twice in the audit trail is a difference even when the rows agree")
    func duplicatedCreation() async throws {
        let ledger = try await Self.ledger(holding: Self.truth())
        try await ledger.execute("""
            INSERT INTO order_events (seq, at, order_id, item_id, kind, source, cause, changes, prev_hash, hash)
            SELECT seq + 1000, at, order_id, item_id, kind, source, cause, changes, prev_hash, hash
            FROM order_events WHERE kind = 'order.created' AND order_id = 'O-1'
            """)
        let comparison = try await ledger.database.compare(withTruth: Self.truth())
        #expect(comparison.problems == ["1 creation events recorded twice"])
    }
}
