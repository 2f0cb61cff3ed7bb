import Foundation
import GRDB
import RunaModels

/// A unit of reconciler work: fetch `GET /order/{id}` for this order, for these reasons.
public struct ReconcileTask: Sendable, Hashable {
    public var orderId: String
    public var reasons: [TaskReason]
    public var attempts: Int
}

/// What the ledger knows of an order, for discovery's comparisons.
public struct KnownOrder: Sendable, Equatable {
    public var status: OrderStatus
    public var detailsKnown: Bool
}

/// What applying an authoritative answer did.
public struct AppliedObservation: Sendable, Equatable {
    public var created: Bool
    public var events: Int
    public var discrepancies: Int
    public var terminal: Bool
}

/// Counts of what is left to do, for `reconcile --once` and the query API.
public struct ReconcileBacklog: Sendable, Equatable {
    /// Tasks due now.
    public var due: Int
    /// Tasks waiting for a later time (retries with backoff, processing orders to re-check).
    public var waiting: Int
    /// Orders with an unresolved dispute between sources.
    public var disputed: Int
    /// Orders still PROCESSING.
    public var processing: Int
    /// Terminal orders whose items and payouts are unknown.
    public var withoutDetails: Int

    /// Nothing to fetch and nothing in doubt.
    public var isInStep: Bool { due == 0 && waiting == 0 && disputed == 0 && withoutDetails == 0 }
}

/// Totals of one reconciler pass, written to `reconcile_runs`.
public struct ReconcileRunSummary: Sendable, Equatable {
    public var checked = 0
    public var changed = 0
    public var discrepancies = 0
    public var errors = 0
    public var errorSummary: String?

    public init() {}
}

extension LedgerDatabase {
    /// Ledger state of the given orders (missing ids are unknown to the ledger).
    public func knownOrders(_ ids: [String]) async throws -> [String: KnownOrder] {
        guard !ids.isEmpty else { return [:] }
        return try await pool.read { db in
            var known: [String: KnownOrder] = [:]
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let rows = try Row.fetchAll(db, sql: "SELECT id, status, details_fetched_at FROM orders WHERE id IN (\(marks))",
                                        arguments: StatementArguments(ids))
            for row in rows {
                guard let status = OrderStatus(rawValue: row["status"]) else { continue }
                known[row["id"]] = KnownOrder(status: status, detailsKnown: (row["details_fetched_at"] as String?) != nil)
            }
            return known
        }
    }

    /// Queues work; an order already queued for a reason keeps its earlier slot. Returns how many were new.
    @discardableResult
    public func enqueue(_ orderIds: [String], reason: TaskReason, notBefore: Timestamp) async throws -> Int {
        guard !orderIds.isEmpty else { return 0 }
        return try await pool.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO reconcile_tasks (order_id, reason, not_before, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (order_id, reason) DO NOTHING
                """)
            var inserted = 0
            for id in orderIds {
                try statement.execute(arguments: [id, reason.rawValue, notBefore.canonical, LedgerClock.nowText()])
                inserted += db.changesCount
            }
            return inserted
        }
    }

    /// Queues a `stale` check for every order PROCESSING since before `cutoff`.
    @discardableResult
    public func enqueueStale(createdBefore cutoff: Timestamp, now: Timestamp) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO reconcile_tasks (order_id, reason, not_before, created_at)
                SELECT id, ?, ?, ? FROM orders
                WHERE status = 'PROCESSING' AND \(ListingTime.sql(nil)) < ?
                ON CONFLICT (order_id, reason) DO NOTHING
                """, arguments: [TaskReason.stale.rawValue, now.canonical, now.canonical, cutoff.canonical])
            return db.changesCount
        }
    }

    /// Queues a `payout_refresh` for orders whose ACTIVE payouts reached a check point since they were last seen.
    ///
    /// Check points are the payout's activation plus each step of `schedule` (then every last step), and its
    /// expiry: so a claim, a cancellation or an expiry reaches the ledger without a webhook.
    @discardableResult
    public func enqueuePayoutRefresh(now: Timestamp, schedule: [Int64]) async throws -> Int {
        let candidates = try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT order_id, status_updated_at, last_checked_at, expiry_date FROM payouts WHERE status = 'ACTIVE'
                """).map { row in
                (row["order_id"] as String, row["status_updated_at"] as String, row["last_checked_at"] as String?,
                 row["expiry_date"] as String?)
            }
        }
        var due = Set<String>()
        for (orderId, activatedText, checkedText, expiryText) in candidates {
            guard let activated = Timestamp(rfc3339: activatedText) else { continue }
            let checked = checkedText.flatMap { Timestamp(rfc3339: $0) }
            let expiry = expiryText.flatMap { Timestamp(rfc3339: $0) }
            if let point = Self.latestCheckPoint(activated: activated, expiry: expiry, schedule: schedule, now: now),
               checked.map({ $0 < point }) ?? true {
                due.insert(orderId)
            }
        }
        return try await enqueue(due.sorted(), reason: .payoutRefresh, notBefore: now)
    }

    /// The latest check point not after `now`, or `nil` before the first.
    static func latestCheckPoint(activated: Timestamp, expiry: Timestamp?, schedule: [Int64], now: Timestamp) -> Timestamp? {
        var latest: Timestamp?
        for step in schedule {
            let point = activated.adding(seconds: step)
            if point <= now { latest = point }
        }
        if let last = schedule.last, last > 0, let lastPoint = latest, lastPoint == activated.adding(seconds: last) {
            let age = (now.microsecondsSinceEpoch - lastPoint.microsecondsSinceEpoch) / 1_000_000
            latest = lastPoint.adding(seconds: age / last * last)
        }
        if let expiry, expiry <= now, latest.map({ $0 < expiry }) ?? true { latest = expiry }
        return latest
    }

    /// Orders with work due now, with every reason each is queued for: first those with an ACTIVE payout that
    /// expires within `urgentSeconds` (soonest expiry first: money about to lapse), then oldest first.
    public func dueTasks(now: Timestamp, limit: Int, urgentSeconds: Int64 = 7 * 86_400) async throws -> [ReconcileTask] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT t.order_id, group_concat(t.reason) AS reasons, max(t.attempts) AS attempts,
                       (SELECT min(p.expiry_date) FROM payouts p
                        WHERE p.order_id = t.order_id AND p.status = 'ACTIVE' AND p.expiry_date < ?) AS expires
                FROM reconcile_tasks t WHERE t.not_before <= ?
                GROUP BY t.order_id ORDER BY expires IS NULL, expires, min(t.not_before), t.order_id LIMIT ?
                """, arguments: [now.adding(seconds: urgentSeconds).canonical, now.canonical, limit])
            return rows.map { row in
                ReconcileTask(orderId: row["order_id"],
                              reasons: (row["reasons"] as String).split(separator: ",").compactMap { TaskReason(rawValue: String($0)) },
                              attempts: row["attempts"])
            }
        }
    }

    /// Records a failed fetch: the order's tasks wait `retryAfterSeconds` and remember the error.
    public func recordTaskFailure(orderId: String, error: String, retryAfterSeconds: Int64, now: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE reconcile_tasks SET attempts = attempts + 1, last_error = ?, not_before = ? WHERE order_id = ?
                """, arguments: [String(error.prefix(500)), now.adding(seconds: retryAfterSeconds).canonical, orderId])
        }
    }

    /// Applies Runa's own answer for one order through ``OrderWrite`` (load, merge as authoritative, save, audit),
    /// then settles its tasks, all in one transaction shared with the answers that arrive meanwhile
    /// (``AnswerWriter``); returns once that transaction is on disk.
    ///
    /// The rules only such an answer triggers (the webhook never came, stuck in PROCESSING) are ``MergeRules``'.
    /// An order left unsettled is asked about again after `recheckSeconds`: `stale` while PROCESSING, `conflict`
    /// otherwise.
    public func applyAuthoritative(
        _ order: RunaOrder, source: ChangeSource = .reconciler, cause: String, now: Timestamp,
        recheckSeconds: Int64 = 30, stuckAfterSeconds: Int64 = 86_400
    ) async throws -> AppliedObservation {
        try await answers.apply(AnswerWriter.Answer(
            observation: Observation(order: order, source: source, isAuthoritative: true), cause: cause, now: now,
            recheckSeconds: recheckSeconds, stuckAfterSeconds: stuckAfterSeconds))
    }

    /// What is left to do.
    public func backlog(now: Timestamp) async throws -> ReconcileBacklog {
        try await pool.read { db in
            ReconcileBacklog(
                due: try Int.fetchOne(db, sql: "SELECT count(DISTINCT order_id) FROM reconcile_tasks WHERE not_before <= ? AND reason != ?",
                                      arguments: [now.canonical, TaskReason.payoutRefresh.rawValue]) ?? 0,
                waiting: try Int.fetchOne(db, sql: "SELECT count(DISTINCT order_id) FROM reconcile_tasks WHERE not_before > ? AND reason != ?",
                                          arguments: [now.canonical, TaskReason.payoutRefresh.rawValue]) ?? 0,
                disputed: try Int.fetchOne(db, sql: "SELECT count(*) FROM orders WHERE disputes IS NOT NULL") ?? 0,
                processing: try Int.fetchOne(db, sql: "SELECT count(*) FROM orders WHERE status = 'PROCESSING'") ?? 0,
                withoutDetails: try Int.fetchOne(db, sql: "SELECT count(*) FROM orders WHERE status != 'PROCESSING' AND details_fetched_at IS NULL") ?? 0)
        }
    }

    /// Opens a `reconcile_runs` row.
    public func openRun(now: Timestamp) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO reconcile_runs (started_at) VALUES (?)", arguments: [now.canonical])
            return db.lastInsertedRowID
        }
    }

    /// Closes a `reconcile_runs` row with its counts.
    public func closeRun(_ id: Int64, summary: ReconcileRunSummary, now: Timestamp) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE reconcile_runs SET finished_at = ?, checked = ?, changed = ?, discrepancies = ?, errors = ?,
                    error_summary = ? WHERE id = ?
                """, arguments: [now.canonical, summary.checked, summary.changed, summary.discrepancies, summary.errors,
                                 summary.errorSummary, id])
        }
    }

    /// A value of the reconciler's durable state (`reconcile_state`).
    public func reconcileState(_ key: String) async throws -> String? {
        try await pool.read { try String.fetchOne($0, sql: "SELECT value FROM reconcile_state WHERE key = ?", arguments: [key]) }
    }

    /// Sets (or, with `nil`, clears) a value of the reconciler's durable state.
    public func setReconcileState(_ key: String, _ value: String?) async throws {
        try await pool.write { db in
            if let value {
                try db.execute(sql: """
                    INSERT INTO reconcile_state (key, value, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """, arguments: [key, value, LedgerClock.nowText()])
            } else {
                try db.execute(sql: "DELETE FROM reconcile_state WHERE key = ?", arguments: [key])
            }
        }
    }
}
