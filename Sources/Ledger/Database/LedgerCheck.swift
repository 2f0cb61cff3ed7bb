import GRDB

/// What `runa-ledger check` found: SQLite's own integrity check, the audit hash chain and the schema.
public struct LedgerCheckReport: Sendable {
    /// `PRAGMA integrity_check` lines; `["ok"]` when the file is sound.
    public var integrity: [String]
    public var chain: AuditTrail.Verification
    /// Migrations not yet applied.
    public var pendingMigrations: [String]
    public var orders: Int
    public var deliveries: Int

    public var isHealthy: Bool { integrity == ["ok"] && chain.isIntact && pendingMigrations.isEmpty }

    /// Lines for a human, the first one saying whether all is well.
    public var summary: [String] {
        var lines = [isHealthy ? "ledger OK" : "ledger NOT OK"]
        lines.append("integrity_check: \(integrity.prefix(5).joined(separator: "; "))")
        if let problem = chain.firstProblem {
            lines.append("hash chain: BROKEN at event \(problem.seq): \(problem.problem) (\(chain.events) events read)")
        } else {
            lines.append("hash chain: intact (\(chain.events) events)")
        }
        lines.append(pendingMigrations.isEmpty ? "migrations: current"
            : "migrations: pending \(pendingMigrations.joined(separator: ", "))")
        lines.append("orders: \(orders), webhook deliveries: \(deliveries)")
        return lines
    }
}

extension LedgerDatabase {
    /// Runs every check on a read snapshot.
    public func check(migrations: [Migration]) throws -> LedgerCheckReport {
        try pool.read { db in try LedgerCheckReport.check(db, migrations: migrations) }
    }

    /// Checks a ledger file without changing it (no WAL, no migrations): how a backup or a restored copy is checked.
    public static func checkReadOnly(path: String, migrations: [Migration]) throws -> LedgerCheckReport {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in try LedgerCheckReport.check(db, migrations: migrations) }
    }
}

extension LedgerCheckReport {
    /// Every check, on the connection's current snapshot.
    static func check(_ db: Database, migrations: [Migration]) throws -> LedgerCheckReport {
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        let pending = try MigrationRunner.pending(db, migrations: migrations)
        let hasTables = try db.tableExists("order_events")
        return LedgerCheckReport(
            integrity: integrity,
            chain: hasTables ? try AuditTrail.verify(db) : AuditTrail.Verification(events: 0, firstProblem: nil),
            pendingMigrations: pending,
            orders: hasTables ? try Int.fetchOne(db, sql: "SELECT count(*) FROM orders") ?? 0 : 0,
            deliveries: hasTables ? try Int.fetchOne(db, sql: "SELECT count(*) FROM webhook_deliveries") ?? 0 : 0)
    }
}
