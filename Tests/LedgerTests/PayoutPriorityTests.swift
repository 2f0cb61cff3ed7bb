import Foundation
import RunaModels
import Testing
import TestSupport
@testable import Ledger

/// Money about to lapse comes first: the reconciler's queue serves orders whose ACTIVE payouts expire soonest.
@Suite("Payouts near expiry are refreshed first")
struct PayoutPriorityTests {
    func order(_ id: String, expiresIn seconds: Int64?, now: Timestamp) -> RunaOrder {
        let payout = seconds.map {
            Payout(status: .active, statusUpdatedAt: now.adding(seconds: -86_400), url: "https://spend/\(id)",
                   expiryDate: now.adding(seconds: $0))
        }
        return Sample.completed(id: id, items: [Sample.item("E-\(id)", payout: payout)])
    }

    @Test("due work is ordered by the soonest expiry of an ACTIVE payout within 7 days, then oldest first")
    func soonestExpiryFirst() async throws {
        let ledger = try TemporaryLedger()
        let now = LedgerClock.now()
        let orders = [("O-LATER", 20 * 86_400 as Int64?, -3 * 3_600 as Int64), ("O-PLAIN", nil, -3_600),
                      ("O-SOON", 2 * 86_400, -60), ("O-LAPSED", -3_600, -30)]
        for (id, expiresIn, queuedAgo) in orders {
            _ = try await ledger.database.applyAuthoritative(order(id, expiresIn: expiresIn, now: now), cause: "test", now: now)
            _ = try await ledger.database.enqueue([id], reason: .payoutRefresh, notBefore: now.adding(seconds: queuedAgo))
        }
        let due = try await ledger.database.dueTasks(now: now, limit: 10).map(\.orderId)
        #expect(due == ["O-LAPSED", "O-SOON", "O-LATER", "O-PLAIN"])
        #expect(try await ledger.database.dueTasks(now: now, limit: 2).map(\.orderId) == ["O-LAPSED", "O-SOON"])
    }
}
