import Foundation
import Digest
import GRDB

/// What `runa-ledger check` found: SQLite's own integrity check, the audit hash chain and the schema.
public struct LedgerCheckReport: Sendable {
    /// `PRAGMA integrity_check` lines; `["ok"]` when the file is sound.
    public var integrity: [String]
    public var chain: AuditTrail.Verification
    /// The `access_log` chain.
    public var accessLog = AccessLogChain.Verification()
    /// Migrations not yet applied.
    public var pendingMigrations: [String]
    public var orders: Int
    public var deliveries: Int
    /// Where a table kept by triggers (running totals, the search index) disagrees with the rows it is derived from,
    /// or a month-end close with its manifest or its event in the chain.
    public var derivedProblems: [String] = []
    /// Anchors checked against the live chains (`nil` when no anchor folder was given), and what disagreed.
    public var anchorsChecked: Int?
    public var anchorsAuthenticated = false
    public var anchorProblems: [String] = []

    public var isHealthy: Bool {
        integrity == ["ok"] && chain.isIntact && accessLog.isIntact && pendingMigrations.isEmpty
            && derivedProblems.isEmpty && anchorProblems.isEmpty
    }

    /// Lines for a human, the first one saying whether all is well.
    public var summary: [String] {
        var lines = [isHealthy ? "ledger OK" : "ledger NOT OK"]
        lines.append("integrity_check: \(integrity.prefix(5).joined(separator: "; "))")
        if let problem = chain.firstProblem {
            lines.append("hash chain: BROKEN at event \(problem.seq): \(problem.problem) (\(chain.events) events read)")
        } else {
            lines.append("hash chain: intact (\(chain.events) events)")
        }
        if let problem = accessLog.firstProblem {
            lines.append("access-log chain: BROKEN: \(problem) (\(accessLog.entries) entries read)")
        } else {
            let unchained = accessLog.unchained > 0 ? "; \(accessLog.unchained) from before the chain, unprotected" : ""
            lines.append("access-log chain: intact (\(accessLog.entries) entries\(unchained))")
        }
        if let anchorsChecked {
            let how = anchorsAuthenticated ? "MACs verified" : "MACs NOT verified: no anchor key given"
            lines.append(anchorProblems.isEmpty ? "anchors: \(anchorsChecked) agree with the live chains (\(how))"
                : "anchors: \(anchorProblems.count) problems (\(how)): \(anchorProblems.prefix(5).joined(separator: "; "))")
        }
        lines.append(pendingMigrations.isEmpty ? "migrations: current"
            : "migrations: pending \(pendingMigrations.joined(separator: ", "))")
        lines.append(derivedProblems.isEmpty ? "totals, search index and closes: agree with the rows and the chain"
            : "totals, search index and closes: \(derivedProblems.joined(separator: "; "))")
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
    ///
    /// With `anchors`, each anchor file of that folder must also agree with the live chains, and with `keyring` its
    /// MAC must verify.
    ///
    /// `progress` is told each step as it starts, and every million events of the hash chain.
    public static func checkReadOnly(path: String, migrations: [Migration], anchors: AnchorDirectory? = nil,
                                     keyring: AnchorKeyring? = nil,
                                     progress: (String) -> Void = { _ in }) throws -> LedgerCheckReport {
        let anchorFiles = try anchors?.readAll()
        return try readOnly(path: path) { db in
            var report = try LedgerCheckReport.check(db, migrations: migrations, progress: progress)
            if let anchorFiles, try db.tableExists("order_events") {
                report.anchorsChecked = anchorFiles.count
                report.anchorsAuthenticated = keyring != nil
                report.anchorProblems = try LedgerCheckReport.anchorProblems(anchorFiles, keyring: keyring, db: db)
            }
            return report
        }
    }
}

extension LedgerCheckReport {
    /// Every check, on the connection's current snapshot.
    static func check(_ db: Database, migrations: [Migration], progress: (String) -> Void = { _ in }) throws
        -> LedgerCheckReport
    {
        progress("integrity_check")
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        let pending = try MigrationRunner.pending(db, migrations: migrations)
        let hasTables = try db.tableExists("order_events")
        progress("hash chain")
        let chain = hasTables
            ? try AuditTrail.verify(db) { progress("hash chain: \($0.formatted()) events verified") }
            : AuditTrail.Verification(events: 0, firstProblem: nil)
        progress("access-log chain")
        let accessLog = try db.tableExists("access_log") ? try AccessLogChain.verify(db) : AccessLogChain.Verification()
        progress("running totals, search index and closes")
        return LedgerCheckReport(
            integrity: integrity,
            chain: chain,
            accessLog: accessLog,
            pendingMigrations: pending,
            orders: hasTables ? try Int.fetchOne(db, sql: "SELECT count(*) FROM orders") ?? 0 : 0,
            deliveries: hasTables ? try Int.fetchOne(db, sql: "SELECT count(*) FROM webhook_deliveries") ?? 0 : 0,
            derivedProblems: pending.isEmpty && hasTables ? try derivedProblems(db) : [])
    }

    /// Recomputes each table the triggers keep and names the ones that differ (full scans: `check` is offline work).
    static func derivedProblems(_ db: Database) throws -> [String] {
        /// Rows in either query and not in the other.
        func differingRows(_ computed: String, _ stored: String) throws -> Int {
            try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM (\(computed) EXCEPT \(stored))) + (SELECT count(*) FROM (\(stored) EXCEPT \(computed)))") ?? 0
        }
        var problems: [String] = []
        // The running totals against the same aggregator recomputed from the orders, line by line.
        let stored = try TotalsQueries.fromRunningTotals(db, from: nil, to: nil, byDay: true).lines
        let computed = try TotalsQueries.fromOrders(db, from: nil, to: nil, byDay: true).lines
        func differing(_ part: (StatusTotals) -> [Int64]) -> Int {
            func table(_ lines: [(key: TotalsKey, totals: StatusTotals)]) -> [TotalsKey: [Int64]] {
                Dictionary(uniqueKeysWithValues: lines.map { ($0.key, part($0.totals)) }.filter { $0.1.first != 0 })
            }
            let (a, b) = (table(stored), table(computed))
            return Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.count
        }
        let orderTotals = differing { [Int64($0.orders), $0.price, $0.discount] }
        if orderTotals > 0 { problems.append("order_totals differ in \(orderTotals) day/currency/status rows") }
        let itemTotals = differing { [Int64($0.items), $0.face] }
        if itemTotals > 0 { problems.append("item_totals differ in \(itemTotals) rows") }
        let deliveryTotals = try differingRows(
            "SELECT outcome, count(*) FROM webhook_deliveries GROUP BY outcome",
            "SELECT outcome, deliveries FROM delivery_totals WHERE deliveries != 0")
        if deliveryTotals > 0 { problems.append("delivery_totals differ in \(deliveryTotals) rows") }
        let unindexed = try Int.fetchOne(db, sql: """
            SELECT count(*) FROM orders o WHERE o.description IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM order_search_rows m JOIN order_search s ON s.rowid = m.search_rowid
              WHERE m.order_id = o.id AND s.description = o.description)
            """) ?? 0
        if unindexed > 0 { problems.append("\(unindexed) descriptions missing from the search index") }
        let staged = try Int.fetchOne(db, sql: "SELECT count(*) FROM order_search_staged") ?? 0
        if staged > 0 { problems.append("\(staged) search rows staged but never applied to the index") }
        problems += try closeProblems(db)
        return problems
    }

    /// Each month-end close against the chain: its stored manifest hashes to its recorded SHA-256, the
    /// `period.closed` event it points at (which the hash chain covers) names that close and that SHA-256, and the
    /// chain head its manifest recorded is still the live chain's event at that sequence — so history rewritten
    /// and rehashed before a close, past the triggers, no longer passes.
    static func closeProblems(_ db: Database) throws -> [String] {
        guard try db.tableExists("closes") else { return [] }
        var problems: [String] = []
        for close in try Row.fetchAll(db, sql: """
            SELECT c.period, c.manifest, c.manifest_sha256, e.kind, e.cause, e.changes
            FROM closes c LEFT JOIN order_events e ON e.seq = c.event_seq ORDER BY c.period
            """) {
            let period: String = close["period"]
            let recorded: String = close["manifest_sha256"]
            if Digest.hex(Digest.sha256(Array((close["manifest"] as String).utf8))) != recorded {
                problems.append("close \(period): the stored manifest does not hash to its recorded SHA-256")
            }
            let kind: String? = close["kind"], cause: String? = close["cause"], changes: String? = close["changes"]
            if kind != ChangeEvent.Kind.periodClosed.rawValue || cause != "close:\(period)"
                || !(changes ?? "").contains(recorded) {
                problems.append("close \(period): its period.closed event does not bind its manifest SHA-256")
            }
            if let manifest = try? JSONDecoder().decode(CloseManifest.self, from: Data((close["manifest"] as String).utf8)) {
                let head = manifest.chainHead
                let live = head.seq == 0 ? AuditTrail.genesisHash
                    : try String.fetchOne(db, sql: "SELECT hash FROM order_events WHERE seq = ?", arguments: [head.seq])
                if live != head.hash {
                    problems.append("close \(period): the chain head it recorded (event \(head.seq)) is not the live chain's: history before the close was rewritten")
                }
            } else {
                problems.append("close \(period): its stored manifest cannot be read")
            }
        }
        return problems
    }
}
