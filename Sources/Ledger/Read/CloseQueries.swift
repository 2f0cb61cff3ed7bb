import GRDB

extension LedgerDatabase {
    /// Every month-end close, newest period first.
    public func closes() async throws -> [CloseRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "\(Self.closeSelect) ORDER BY c.period DESC").map(CloseRecord.init)
        }
    }

    /// The close of `period` (`YYYY-MM`) and up to `adjustmentLimit` of the events written since about orders
    /// listed in it; `nil` when it is not closed.
    public func close(period: String, adjustmentLimit: Int) async throws -> (close: CloseRecord, adjustments: [EventRecord])? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "\(Self.closeSelect) WHERE c.period = ?", arguments: [period]) else {
                return nil
            }
            let adjustments = try Row.fetchAll(db, sql: """
                SELECT e.* FROM close_adjustments a JOIN order_events e ON e.seq = a.event_seq
                WHERE a.period = ? ORDER BY a.event_seq LIMIT ?
                """, arguments: [period, adjustmentLimit]).map(EventRecord.init)
            return (CloseRecord(row), adjustments)
        }
    }

    static let closeSelect = """
        SELECT c.*, (SELECT count(*) FROM close_adjustments a WHERE a.period = c.period) AS adjustments FROM closes c
        """
}
