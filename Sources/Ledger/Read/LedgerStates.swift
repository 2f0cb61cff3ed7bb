import GRDB

/// Every order's status and total, and every payout's status: what a comparison with Runa's own record (the
/// simulator's truth in the demo and the tests) needs, read in one snapshot.
public struct LedgerStates: Sendable, Equatable {
    public struct Order: Sendable, Equatable {
        public var status: String
        public var totalPriceMicros: Int64?
        public var currency: String?
    }

    /// By order id.
    public var orders: [String: Order]
    public var itemCount: Int
    /// Payout status by item id.
    public var payouts: [String: String]
}

extension LedgerDatabase {
    public func states() async throws -> LedgerStates {
        try await pool.read { db in
            var orders: [String: LedgerStates.Order] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, status, total_price_micros, currency FROM orders") {
                orders[row["id"]] = .init(status: row["status"], totalPriceMicros: row["total_price_micros"], currency: row["currency"])
            }
            var payouts: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT item_id, status FROM payouts") { payouts[row["item_id"]] = row["status"] }
            return LedgerStates(orders: orders, itemCount: try Int.fetchOne(db, sql: "SELECT count(*) FROM order_items") ?? 0,
                                payouts: payouts)
        }
    }
}
