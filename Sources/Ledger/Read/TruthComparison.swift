import GRDB
import RunaModels

/// The ledger compared with a list of Runa's own orders, as `GET /order/{id}` answers them (the simulator's truth in
/// the demo and the tests): every order's status, money and currency, its items in order with their money, each
/// payout's status and the time of that status, and no order or item created twice in the trail.
public struct TruthComparison: Sendable {
    /// Every difference, one line each, naming the order or item (`O-… total_price`, `E-… payout CLAIMED vs ACTIVE`),
    /// then what the ledger does not know yet (`O-… items not yet known`).
    public var problems: [String] = []
    /// Orders in the ledger; Runa's orders the ledger holds in the same state; those it lacks; those that differ;
    /// those that agree so far but lack what the ledger has not learned yet (a webhook body carries no items, and a
    /// FAILED one no money either).
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
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE id = ?", arguments: [order.id]) else {
                    result.missing += 1
                    result.problems.append("\(order.id) missing")
                    for item in order.items ?? [] where item.payout != nil { result.truthPayouts += 1 }
                    continue
                }
                // A value the ledger holds that Runa contradicts is a difference; one it does not hold yet (a webhook
                // body carries no items, a FAILED one not even money) is a gap the reconciler's enrichment fills.
                var contradictions: [String] = [], gaps: [String] = []
                func compare<Value: Equatable>(_ name: String, _ held: Value?, _ truth: Value?) {
                    guard held != truth else { return }
                    if held == nil { gaps.append("\(order.id) \(name) not yet known") } else { contradictions.append("\(order.id) \(name)") }
                }
                compare("status", row["status"] as String?, order.status.rawValue)
                compare("total_price", row["total_price_micros"] as Int64?, order.totalPrice?.micros)
                compare("total_discount", row["total_discount_micros"] as Int64?, order.totalDiscount?.micros)
                compare("currency", row["currency"] as String?, order.currency)
                let items = try Row.fetchAll(db, sql: "SELECT * FROM order_items WHERE order_id = ? ORDER BY position",
                                             arguments: [order.id])
                let truthItems = order.items ?? []
                if items.isEmpty, !truthItems.isEmpty {
                    gaps.append("\(order.id) items not yet known")
                    result.truthPayouts += truthItems.filter { $0.payout != nil }.count
                    result.payoutsNoLongerActive += truthItems.filter { $0.payout.map { $0.status != .active } ?? false }.count
                } else {
                    if items.map({ $0["id"] as String }) != truthItems.map(\.id) { contradictions.append("\(order.id) items") }
                    for item in truthItems {
                        if let stored = items.first(where: { $0["id"] as String == item.id }),
                           stored["face_value_micros"] as Int64 != item.faceValue.micros || stored["price_micros"] as Int64 != item.price.micros {
                            contradictions.append("\(item.id) money")
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
                            contradictions.append("\(item.id) payout \(held?["status"] as String? ?? "-") vs \(payout.status.rawValue)")
                        }
                    }
                }
                result.problems += contradictions + gaps
                if !contradictions.isEmpty {
                    result.differing += 1
                } else if !gaps.isEmpty {
                    result.withoutDetails += 1
                } else {
                    result.matched += 1
                }
            }
            let duplicated = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT order_id, item_id, kind FROM order_events
                WHERE kind IN (?, ?) GROUP BY order_id, item_id, kind HAVING count(*) > 1)
                """, arguments: [ChangeEvent.Kind.orderCreated.rawValue, ChangeEvent.Kind.itemAdded.rawValue]) ?? 0
            if duplicated > 0 { result.problems.append("\(duplicated) creation events recorded twice") }
            return result
        }
    }
}
