import Foundation
import GRDB
import RunaModels

/// The stretch of Runa's order history the reconciler has read through `GET /order` without a hole.
public struct ListingCoverage: Sendable, Equatable {
    /// The oldest listing time covered; `nil` means the beginning of the history (a backfill or a walk reached it).
    public var from: Timestamp?
    /// When the newest covering walk started: every order created before it was on the list it read.
    public var through: Timestamp

    public init(from: Timestamp?, through: Timestamp) {
        self.from = from
        self.through = through
    }
}

/// How the reconciler walks Runa's `GET /order`, whichever end it starts from.
public struct ListingState: Sendable, Equatable {
    /// Which end the list starts from, as the pages have shown it.
    public var direction: ListDirection
    /// For a list that starts with the oldest orders: the `after` cursor of the newest page read, where the next
    /// pass resumes to find the orders placed since.
    public var tailCursor: String?
    /// A whole walk of the list under way (resumed pass after pass), and when it started.
    public var sweepCursor: String?
    public var sweepStartedAt: Timestamp?
    /// When the last whole walk that reached the end had started.
    public var sweepFinishedAt: Timestamp?

    public init(direction: ListDirection = .unknown, tailCursor: String? = nil, sweepCursor: String? = nil,
                sweepStartedAt: Timestamp? = nil, sweepFinishedAt: Timestamp? = nil) {
        self.direction = direction
        self.tailCursor = tailCursor
        self.sweepCursor = sweepCursor
        self.sweepStartedAt = sweepStartedAt
        self.sweepFinishedAt = sweepFinishedAt
    }

    static let directionKey = "listing.direction"
    static let tailKey = "listing.tail_cursor"
    static let sweepCursorKey = "listing.sweep_cursor"
    static let sweepStartedKey = "listing.sweep_started_at"
    static let sweepFinishedKey = "listing.sweep_finished_at"
}

/// Why a listed order keeps the watermark from passing it.
public enum CompletenessGapReason: String, Sendable, Codable {
    /// Runa lists it; the ledger has never seen it.
    case notInLedger = "not_in_ledger"
    /// Runa lists it as finished; the ledger still holds it PROCESSING.
    case statusBehindRuna = "status_behind_runa"
    /// Finished, but its items and payouts are not fetched yet.
    case noItemDetails = "no_item_details"
}

/// One listed order that is not complete in the ledger.
public struct CompletenessGap: Sendable, Equatable {
    public var orderId: String
    public var createdAt: String
    public var listedStatus: String
    public var ledgerStatus: String?
    public var reason: CompletenessGapReason
}

/// "Complete through T": the moment before which every order Runa lists is complete in the ledger.
public struct CompletenessReport: Sendable, Equatable {
    /// What the reconciler has read of Runa's list; `nil` before its first walk.
    public var coverage: ListingCoverage?
    /// Every listed order created before this instant (and after `coverage.from`) is complete. `nil` when nothing
    /// is covered yet. It stops at the first gap, and otherwise at `coverage.through`.
    public var watermark: Timestamp?
    /// The open gaps, oldest first (at most the limit asked for).
    public var gaps: [CompletenessGap]
    /// How many listed orders are open in all.
    public var openGaps: Int
    /// Orders Runa has listed to the reconciler.
    public var listedOrders: Int
}

/// How the orders of a stretch of time reached the ledger.
public struct ArrivalReport: Sendable, Equatable {
    public var orders = 0
    public var webhookOnly = 0
    public var reconcilerOnly = 0
    public var both = 0
    /// Seconds from Runa's `completed_at` to the first delivery, over finished orders that had one.
    public var webhookLagSeconds: [Double] = []
    /// Finished orders no webhook announced, though they finished longer ago than the grace period (first 100).
    public var webhookNeverCame: [String] = []
    public var webhookNeverCameCount = 0
}

/// How one order reached the ledger, as it stood at a moment.
public struct OrderArrival: Sendable, Equatable, Encodable {
    /// `webhook`, `reconciler` (the reconciler or a backfill, from Runa's API) or `both`.
    public var via: String
    /// Webhook deliveries about the order.
    public var webhooks: Int
    public var firstWebhookAt: String?
    /// Seconds from Runa's `completed_at` to the first delivery (negative when the delivery carried an earlier state).
    public var webhookLagSeconds: Double?
    /// Finished over the grace period ago, and no webhook about it came.
    public var webhookNeverCame: Bool

    enum CodingKeys: String, CodingKey {
        case via, webhooks, firstWebhookAt = "first_webhook_at", webhookLagSeconds = "webhook_lag_seconds"
        case webhookNeverCame = "webhook_never_came"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(via, forKey: .via)
        try c.encode(webhooks, forKey: .webhooks)
        try c.encode(firstWebhookAt, forKey: .firstWebhookAt)
        try c.encode(webhookLagSeconds, forKey: .webhookLagSeconds)
        try c.encode(webhookNeverCame, forKey: .webhookNeverCame)
    }

    /// Order `id` (now `status`, finished at `completedAt`) as the deliveries and events up to `at` show it.
    public static func of(_ id: String, status: String, completedAt: String?, at: Timestamp, graceSeconds: Int64 = 3_600,
                          db: Database) throws -> OrderArrival {
        let row = try Row.fetchOne(db, sql: """
            SELECT (SELECT count(*) FROM webhook_deliveries WHERE order_id = ? AND received_at <= ?) AS webhooks,
                   (SELECT min(received_at) FROM webhook_deliveries WHERE order_id = ? AND received_at <= ?) AS first_webhook,
                   EXISTS (SELECT 1 FROM order_events WHERE order_id = ? AND source <> 'webhook' AND at <= ?) AS fetched
            """, arguments: [id, at.canonical, id, at.canonical, id, at.canonical])
        let webhooks: Int = row?["webhooks"] ?? 0
        let first: String? = row?["first_webhook"]
        let fetched: Bool = row?["fetched"] ?? false
        let completed = completedAt.flatMap { Timestamp(rfc3339: $0) }
        let finished = status != "PROCESSING"
        var lag: Double?
        if finished, let completed, let firstWebhook = first.flatMap({ Timestamp(rfc3339: $0) }) {
            lag = Double(firstWebhook.microsecondsSinceEpoch - completed.microsecondsSinceEpoch) / 1_000_000
        }
        return OrderArrival(
            via: webhooks > 0 ? (fetched ? "both" : "webhook") : "reconciler", webhooks: webhooks, firstWebhookAt: first,
            webhookLagSeconds: lag,
            webhookNeverCame: finished && webhooks == 0 && (completed.map { $0 < at.adding(seconds: -graceSeconds) } ?? true))
    }
}

extension LedgerDatabase {
    static let coverageFromKey = "listing.covered_from"
    static let coverageThroughKey = "listing.covered_through"
    /// Stored for a coverage that starts at the beginning of Runa's history.
    static let beginningOfHistory = "beginning"

    /// Records what a `GET /order` page showed (the order's newest listed status wins).
    ///
    /// An `IncompleteOrder` (a processing order) carries no `created_at`; it is recorded at `createdAtFloor`, a
    /// time no later than its creation (the oldest `created_at` its walk has read, or the beginning of the history),
    /// so a gap it opens holds the watermark back far enough. A later listing with its real `created_at` replaces it.
    public func recordListing(_ summaries: [RunaOrder], listedAt: Timestamp, createdAtFloor: Timestamp? = nil) async throws {
        guard !summaries.isEmpty else { return }
        let floor = createdAtFloor ?? Self.beginningOfTime
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO runa_listings (order_id, created_at, status, listed_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, listed_at = excluded.listed_at,
                    created_at = CASE WHEN ? THEN excluded.created_at ELSE runa_listings.created_at END,
                    complete = CASE WHEN runa_listings.status = excluded.status THEN runa_listings.complete ELSE 0 END
                """)
            for summary in summaries {
                try statement.execute(arguments: [
                    summary.id, (summary.createdAt ?? floor).canonical, summary.status.rawValue, listedAt.canonical,
                    summary.createdAt != nil,
                ])
            }
        }
    }

    /// The floor for a listed order whose creation time nothing bounds: the Unix epoch.
    public static let beginningOfTime = Timestamp(microsecondsSinceEpoch: 0)

    /// The stretch of Runa's list read so far.
    public func listingCoverage() async throws -> ListingCoverage? {
        try await pool.read { try Self.listingCoverage($0) }
    }

    static func listingCoverage(_ db: Database) throws -> ListingCoverage? {
        let values = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
            SELECT key, value FROM reconcile_state WHERE key IN (?, ?)
            """, arguments: [coverageFromKey, coverageThroughKey]).map { ($0["key"] as String, $0["value"] as String) })
        guard let through = values[coverageThroughKey].flatMap({ Timestamp(rfc3339: $0) }) else { return nil }
        let from = values[coverageFromKey].flatMap { $0 == beginningOfHistory ? nil : Timestamp(rfc3339: $0) }
        return ListingCoverage(from: from, through: through)
    }

    /// Forgets the coverage (the list's order turned out not to be what the coverage was measured by).
    public func clearListingCoverage() async throws {
        try await setReconcileState(Self.coverageFromKey, nil)
        try await setReconcileState(Self.coverageThroughKey, nil)
    }

    /// Stores the coverage after a walk.
    public func setListingCoverage(_ coverage: ListingCoverage) async throws {
        try await setReconcileState(Self.coverageFromKey, coverage.from?.canonical ?? Self.beginningOfHistory)
        try await setReconcileState(Self.coverageThroughKey, coverage.through.canonical)
    }

    /// How the reconciler walks Runa's list, kept across passes and restarts.
    public func listingState() async throws -> ListingState {
        try await pool.read { db in
            let values = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
                SELECT key, value FROM reconcile_state WHERE key LIKE 'listing.%'
                """).map { ($0["key"] as String, $0["value"] as String) })
            return ListingState(
                direction: values[ListingState.directionKey].flatMap(ListDirection.init(rawValue:)) ?? .unknown,
                tailCursor: values[ListingState.tailKey],
                sweepCursor: values[ListingState.sweepCursorKey],
                sweepStartedAt: values[ListingState.sweepStartedKey].flatMap { Timestamp(rfc3339: $0) },
                sweepFinishedAt: values[ListingState.sweepFinishedKey].flatMap { Timestamp(rfc3339: $0) })
        }
    }

    /// Stores how the list is walked (absent values are cleared).
    public func setListingState(_ state: ListingState) async throws {
        try await setReconcileState(ListingState.directionKey, state.direction.rawValue)
        try await setReconcileState(ListingState.tailKey, state.tailCursor)
        try await setReconcileState(ListingState.sweepCursorKey, state.sweepCursor)
        try await setReconcileState(ListingState.sweepStartedKey, state.sweepStartedAt?.canonical)
        try await setReconcileState(ListingState.sweepFinishedKey, state.sweepFinishedAt?.canonical)
    }

    /// The condition under which a listed order `l` is complete in the ledger (`o` left-joined on it).
    static let listedOrderIsComplete = """
        o.id IS NOT NULL AND ((o.status IN ('COMPLETED', 'FAILED') AND o.details_fetched_at IS NOT NULL)
                              OR (o.status = 'PROCESSING' AND l.status = 'PROCESSING'))
        """

    /// Marks the listed orders that have become complete, so the open set stays small. Returns how many.
    @discardableResult
    public func settleCompleteListings() async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE runa_listings AS l SET complete = 1
                WHERE l.complete = 0 AND EXISTS (SELECT 1 FROM orders o WHERE o.id = l.order_id AND \(Self.listedOrderIsComplete))
                """)
            return db.changesCount
        }
    }

    /// The watermark and its gaps, read-only (a gap closed since the reconciler last looked is not counted).
    public func completeness(gapLimit: Int = 100) async throws -> CompletenessReport {
        try await pool.read { db in try Self.completeness(db, gapLimit: gapLimit) }
    }

    static func completeness(_ db: Database, gapLimit: Int) throws -> CompletenessReport {
        let coverage = try listingCoverage(db)
        let open = """
            FROM runa_listings l LEFT JOIN orders o ON o.id = l.order_id
            WHERE l.complete = 0 AND NOT (\(listedOrderIsComplete))
            """
        let gaps = try Row.fetchAll(db, sql: """
            SELECT l.order_id, l.created_at, l.status AS listed, o.status AS held, o.details_fetched_at \(open)
            ORDER BY l.created_at, l.order_id LIMIT ?
            """, arguments: [gapLimit]).map { row in
            let held: String? = row["held"]
            let reason: CompletenessGapReason = held == nil ? .notInLedger
                : held == "PROCESSING" ? .statusBehindRuna : .noItemDetails
            return CompletenessGap(orderId: row["order_id"], createdAt: row["created_at"], listedStatus: row["listed"],
                                   ledgerStatus: held, reason: reason)
        }
        let openCount = try Int.fetchOne(db, sql: "SELECT count(*) \(open)") ?? 0
        let listed = try Int.fetchOne(db, sql: "SELECT count(*) FROM runa_listings") ?? 0
        var watermark = coverage?.through
        if let first = gaps.first.flatMap({ Timestamp(rfc3339: $0.createdAt) }), let covered = watermark, first < covered {
            watermark = first
        }
        if let from = coverage?.from, let mark = watermark, mark < from { watermark = from }
        return CompletenessReport(coverage: coverage, watermark: watermark, gaps: gaps, openGaps: openCount,
                                  listedOrders: listed)
    }

    /// How the orders listed in `[from, to)` arrived: by webhook, by the reconciler (or a backfill), or both;
    /// webhook lag; and finished orders whose webhook never came though they finished over `grace` seconds ago.
    public func arrivals(from: Timestamp, to: Timestamp, now: Timestamp, graceSeconds: Int64 = 3_600) async throws
        -> ArrivalReport
    {
        try await pool.read { db in
            var report = ArrivalReport()
            let rows = try Row.fetchCursor(db, sql: """
                SELECT o.id, o.status, o.completed_at FROM orders o
                WHERE \(ListingTime.sql()) >= ? AND \(ListingTime.sql()) < ?
                ORDER BY \(ListingTime.sql()), o.id
                """, arguments: [from.canonical, to.canonical])
            while let row = try rows.next() {
                let id: String = row["id"]
                let arrival = try OrderArrival.of(id, status: row["status"], completedAt: row["completed_at"], at: now,
                                                  graceSeconds: graceSeconds, db: db)
                report.orders += 1
                switch arrival.via {
                case "both": report.both += 1
                case "webhook": report.webhookOnly += 1
                default: report.reconcilerOnly += 1
                }
                if let lag = arrival.webhookLagSeconds { report.webhookLagSeconds.append(lag) }
                if arrival.webhookNeverCame {
                    report.webhookNeverCameCount += 1
                    if report.webhookNeverCame.count < 100 { report.webhookNeverCame.append(id) }
                }
            }
            return report
        }
    }
}
