import GRDB

/// What `GET /v1/reconciliation` reports besides the backlog and the list direction: recent passes, the oldest
/// task, how late webhooks come, and how many discrepancies were recorded.
public struct ReconciliationStatus: Sendable, Equatable {
    /// The last 20 passes, newest first.
    public var runs: [ReconcileRunRecord]
    /// The oldest task waiting: its order, reason, when it may run, and its last error (empty when none).
    public var oldestTask: [String: String]?
    /// Seconds from Runa's `completed_at` to the delivery, over the newest 1,000 deliveries of finished orders.
    public var webhookLag: (average: Double, max: Double)?
    public var discrepancyEvents: Int

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.runs == rhs.runs && lhs.oldestTask == rhs.oldestTask && lhs.discrepancyEvents == rhs.discrepancyEvents
            && lhs.webhookLag?.average == rhs.webhookLag?.average && lhs.webhookLag?.max == rhs.webhookLag?.max
    }
}

extension LedgerDatabase {
    public func reconciliationStatus() async throws -> ReconciliationStatus {
        try await pool.read { db in
            let runs = try Row.fetchAll(db, sql: "SELECT * FROM reconcile_runs ORDER BY id DESC LIMIT 20").map(ReconcileRunRecord.init)
            let oldest = try Row.fetchOne(db, sql: "SELECT order_id, reason, not_before, attempts, last_error FROM reconcile_tasks ORDER BY created_at LIMIT 1")
            let lag = try Row.fetchOne(db, sql: """
                SELECT avg(lag), max(lag) FROM (SELECT (julianday(d.received_at) - julianday(o.completed_at)) * 86400 AS lag
                FROM webhook_deliveries d JOIN orders o ON o.id = d.order_id
                WHERE o.completed_at IS NOT NULL ORDER BY d.received_at DESC LIMIT 1000)
                """)
            let discrepancies = try Int.fetchOne(db, sql: "SELECT count(*) FROM order_events WHERE kind = 'discrepancy'") ?? 0
            return ReconciliationStatus(
                runs: runs,
                oldestTask: oldest.map { ["order_id": $0["order_id"], "reason": $0["reason"], "not_before": $0["not_before"],
                                          "last_error": $0["last_error"] as String? ?? ""] },
                webhookLag: lag.flatMap { row in (row[0] as Double?).map { ($0, row[1] as Double? ?? $0) } },
                discrepancyEvents: discrepancies)
        }
    }
}
