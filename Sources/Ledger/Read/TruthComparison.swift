import GRDB
import RunaModels

/// The ledger compared with a list of Runa's own orders, as `GET /order/{id}` answers them (the simulator's truth in
/// the demo and the tests): every order's status, money and currency, its items in order with their money, each
/// payout's status and the time of that status, and no order or item created twice in the trail.
public struct TruthComparison: Sendable {
    /// Every difference, one line each, naming the order or item (`O-… total_price`, `E-… payout CLAIMED vs ACTIVE`).
    public var problems: [String] = []
    /// Orders in the ledger; Runa's orders the ledger holds in the same state; those it lacks; those that differ;
    /// those that agree so far but whose items the ledger does not hold yet (a webhook body carries none).
    public var ledgerOrders = 0, matched = 0, missing = 0, differing = 0, withoutDetails = 0
    /// Items the ledger holds details of, and items Runa lists.
    public var ledgerItems = 0, truthItems = 0
    /// Payouts whose status and status time match Runa's, out of Runa's payouts; of those, how many left ACTIVE.
    public var payoutsMatching = 0, truthPayouts = 0, payoutsNoLongerActive = 0
    /// Sums of COMPLETED orders' `total_price` per currency, in micro-units: the ledger's and Runa's.
    public var completedTotals: [String: (ledger: Int64, truth: Int64)] = [:]

    /// The ledger holds exactly Runa's orders.
    public var matches: Bool { problems.isEmpty }
}

extension LedgerDatabase {
    /// Compares the ledger with `truth`, in one read snapshot.
    public func compare(withTruth truth: [RunaOrder]) async throws -> TruthComparison {
        try await pool.read { db in
            var result = TruthComparison()
            result.ledgerOrders = try Int.fetchOne(db, sql: "SELECT count(*) FROM orders") ?? 0
            result.ledgerItems = try Int.fetchOne(db, sql: "SELECT count(*) FROM order_items") ?? 0
            if result.ledgerOrders != truth.count {
                result.problems.append("the ledger has \(result.ledgerOrders) orders, Runa \(truth.count)")
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT currency, sum(total_price_micros) AS total FROM orders WHERE status = 'COMPLETED' GROUP BY currency
                """) {
                result.completedTotals[row["currency"] ?? "?", default: (0, 0)].ledger = row["total"] ?? 0
            }
            for order in truth {
                if order.status == .completed {
                    result.completedTotals[order.currency ?? "?", default: (0, 0)].truth += order.totalPrice?.micros ?? 0
                }
                result.truthItems += order.items?.count ?? 0
                let before = result.problems.count
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE id = ?", arguments: [order.id]) else {
                    result.missing += 1
                    result.problems.append("\(order.id) missing")
                    for item in order.items ?? [] where item.payout != nil { result.truthPayouts += 1 }
                    continue
                }
                if row["status"] as String != order.status.rawValue { result.problems.append("\(order.id) status") }
                if row["total_price_micros"] as Int64? != order.totalPrice?.micros { result.problems.append("\(order.id) total_price") }
                if row["total_discount_micros"] as Int64? != order.totalDiscount?.micros { result.problems.append("\(order.id) total_discount") }
                if row["currency"] as String? != order.currency { result.problems.append("\(order.id) currency") }
                let items = try Row.fetchAll(db, sql: "SELECT * FROM order_items WHERE order_id = ? ORDER BY position",
                                             arguments: [order.id])
                if items.isEmpty, let truthItems = order.items, !truthItems.isEmpty {
                    // Not a contradiction: the ledger has yet to learn the items (and their payouts).
                    result.truthPayouts += truthItems.filter { $0.payout != nil }.count
                    result.payoutsNoLongerActive += truthItems.filter { $0.payout.map { $0.status != .active } ?? false }.count
                    if result.problems.count == before { result.withoutDetails += 1 } else { result.differing += 1 }
                    result.problems.append("\(order.id) item details not yet known")
                    continue
                }
                if items.map({ $0["id"] as String }) != (order.items ?? []).map(\.id) { result.problems.append("\(order.id) items") }
                for item in order.items ?? [] {
                    if let stored = items.first(where: { $0["id"] as String == item.id }),
                       stored["face_value_micros"] as Int64 != item.faceValue.micros || stored["price_micros"] as Int64 != item.price.micros {
                        result.problems.append("\(item.id) money")
                    }
                    guard let payout = item.payout else { continue }
                    result.truthPayouts += 1
                    if payout.status != .active { result.payoutsNoLongerActive += 1 }
                    let held = try Row.fetchOne(db, sql: "SELECT status, status_updated_at FROM payouts WHERE item_id = ?",
                                                arguments: [item.id])
                    if held?["status"] as String? == payout.status.rawValue,
                       held?["status_updated_at"] as String? == payout.statusUpdatedAt.canonical {
                        result.payoutsMatching += 1
                    } else {
                        result.problems.append("\(item.id) payout \(held?["status"] as String? ?? "-") vs \(payout.status.rawValue)")
                    }
                }
                if result.problems.count == before { result.matched += 1 } else { result.differing += 1 }
            }
            let duplicated = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT order_id, item_id, kind FROM order_events
                WHERE kind IN ('order.created', 'item.added') GROUP BY order_id, item_id, kind HAVING count(*) > 1)
                """) ?? 0
            if duplicated > 0 { result.problems.append("\(duplicated) creation events recorded twice") }
            return result
        }
    }
}
