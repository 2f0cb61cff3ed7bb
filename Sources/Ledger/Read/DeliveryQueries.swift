import GRDB

extension LedgerDatabase {
    /// The stored deliveries with `outcome` (`quarantined` or `ignored`), newest first.
    public func deliveries(outcome: String) -> RecordList<DeliveryRecord> {
        var list = RecordList(self, select: DeliveryRecord.columns, from: "webhook_deliveries",
                              sortExpressions: ["received_at", "msg_id"], sortColumns: ["received_at", "msg_id"],
                              record: DeliveryRecord.init)
        // The index's own condition, written out: SQLite uses a partial index only for a query that repeats it.
        list.filter("outcome IN ('quarantined', 'ignored') AND outcome = ?", [outcome])
        return list
    }

    /// Stored deliveries by outcome, from the running totals of 0006 (outcomes with none left out).
    public func deliveryCounts() async throws -> [String: Int] {
        try await pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT outcome, deliveries AS n FROM delivery_totals WHERE deliveries > 0")
                .map { ($0["outcome"] as String, $0["n"] as Int) })
        }
    }

    /// Quarantined deliveries (from the running totals) and when the newest delivery of any outcome arrived.
    public func deliveryGauges() async throws -> (quarantined: Int, lastReceivedAt: String?) {
        try await pool.read { db in
            // Both read a row or two: the running totals (0006) and the newest rowid.
            let count = try Int.fetchOne(db, sql: "SELECT deliveries FROM delivery_totals WHERE outcome = 'quarantined'") ?? 0
            let last = try String.fetchOne(db, sql: "SELECT received_at FROM webhook_deliveries ORDER BY rowid DESC LIMIT 1")
            return (count, last)
        }
    }
}
