import Foundation
import GRDB
import Hummingbird
import Ledger
import RunaModels

/// The routes for finance and auditors: `as_of` reads rebuilt from the audit trail, the completeness watermark,
/// month-end closes and their adjustments, payout aging and value at risk, and the access log.
extension QueryAPI {
    // MARK: As-of reads

    /// Order `id` as the ledger held it at `asOf`, rebuilt from its events: the same shape as the live answer, with
    /// the events up to then. (`last_checked_at` is null: when the reconciler looked is not in the trail.)
    func order(id: String, asOf: Timestamp) async throws -> Response {
        let view = try await database.pool.read { db -> OrderView? in
            guard let snapshot = try OrderHistory.order(id, asOf: asOf, db: db) else { return nil }
            var view = OrderView(snapshot.orderRow)
            view.items = snapshot.items.map { item in
                ItemView(item.itemRow(orderId: id), payout: item.payoutRow(orderId: id).map(PayoutView.init))
            }
            view.events = try Row.fetchAll(db, sql: """
                SELECT * FROM order_events WHERE order_id = ? AND at <= ? ORDER BY seq
                """, arguments: [id, asOf.canonical]).map(EventView.init)
            view.arrival = try OrderArrival.of(id, status: view.status, completedAt: view.completedAt, at: asOf, db: db)
            return view
        }
        guard let view else {
            throw APIError(.notFound, type: "not_found", message: "no order \(id) in the ledger at \(asOf.canonical)")
        }
        RowCount.report(1)
        return try Self.json(view)
    }

    /// The summary as it stood at `asOf`, totalled exactly as the live summary totals the stored rows.
    func summary(from: Timestamp?, to: Timestamp?, byDay: Bool, asOf: Timestamp) async throws -> SummaryView {
        let sums = try await database.pool.read { db in
            try Self.summarySums(from: from, to: to, byDay: byDay, asOf: asOf, strategy: .automatic, db: db)
        }
        let lines = Self.summaryLines(sums)
        return SummaryView(createdFrom: from?.canonical, createdTo: to?.canonical, asOf: asOf.canonical, lines: lines)
    }

    /// How an as-of summary is computed; both give the same totals (a test holds them to it).
    enum AsOfStrategy {
        /// Every order rebuilt from the whole trail: reads every event.
        case replay
        /// Today's rows, with the orders changed after `asOf` taken back out and put in again as they stood then:
        /// reads only the events of those orders, so a recent `asOf` costs little however large the ledger.
        case delta
        /// `delta` while at most a quarter of the orders changed after `asOf`, else `replay`.
        case automatic
    }

    static func summarySums(from: Timestamp?, to: Timestamp?, byDay: Bool, asOf: Timestamp, strategy: AsOfStrategy,
                            db: Database) throws -> [SummaryLine: StatusTotals] {
        let lower = from?.canonical, upper = to?.canonical
        var sums: [SummaryLine: StatusTotals] = [:]
        func micros(_ text: String?) -> Int64 { text.flatMap { try? Money(parsing: $0).micros } ?? 0 }
        /// Adds one order as a snapshot holds it.
        func count(_ order: OrderSnapshot) {
            let listed = order.listedAt
            if let lower, listed < lower { return }
            if let upper, listed >= upper { return }
            let day = byDay ? String(listed.prefix(10)) : nil
            let line = SummaryLine(day: day, currency: currency(order.columns["currency"]), status: order.status)
            sums[line, default: StatusTotals()].orders += 1
            sums[line, default: StatusTotals()].price += micros(order.columns["total_price"])
            sums[line, default: StatusTotals()].discount += micros(order.columns["total_discount"])
            for item in order.items {
                let itemLine = SummaryLine(day: day, currency: currency(item.fields["currency"]), status: order.status)
                sums[itemLine, default: StatusTotals()].items += 1
                sums[itemLine, default: StatusTotals()].face += micros(item.fields["face_value"])
            }
        }

        let changed = try String.fetchAll(db, sql: """
            SELECT DISTINCT order_id FROM order_events WHERE at > ? AND order_id <> ''
            """, arguments: [asOf.canonical])
        var useDelta = strategy == .delta
        if strategy == .automatic {
            useDelta = changed.count * 4 <= (try Int.fetchOne(db, sql: "SELECT count(*) FROM orders") ?? 0)
        }
        guard useDelta else {
            try OrderHistory.orders(asOf: asOf, db: db) { count($0) }
            return sums
        }
        // Today's totals, from the rows, exactly as the live summary reads them.
        let (orderSQL, itemSQL, arguments) = summaryFromOrders(from: from, to: to, byDay: byDay)
        try addTotals(orderSQL: orderSQL, itemSQL: itemSQL, arguments: arguments, db: db, to: &sums)
        // Each order changed since: out as its rows hold it now (read as the queries above read them), in as the
        // trail held it then (if it existed then).
        let day = byDay ? "substr(\(sortAt), 1, 10)" : "NULL"
        var bounds = ""
        if lower != nil { bounds += " AND \(sortAt) >= :lower" }
        if upper != nil { bounds += " AND \(sortAt) < :upper" }
        let orderNow = try db.cachedStatement(sql: """
            SELECT \(day) AS day, coalesce(o.currency, '') AS currency, o.status, o.total_price_micros AS price,
                   o.total_discount_micros AS discount FROM orders o WHERE o.id = :id\(bounds)
            """)
        let itemsNow = try db.cachedStatement(sql: """
            SELECT \(day) AS day, coalesce(i.currency, '') AS currency, o.status, i.face_value_micros AS face
            FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.id = :id\(bounds)
            """)
        for id in changed {
            var values: [String: (any DatabaseValueConvertible)?] = ["id": id]
            if let lower { values["lower"] = lower }
            if let upper { values["upper"] = upper }
            let arguments = StatementArguments(values)
            if let row = try Row.fetchOne(orderNow, arguments: arguments) {
                let line = SummaryLine(day: row["day"], currency: currency(row["currency"]), status: row["status"])
                sums[line, default: StatusTotals()].orders -= 1
                sums[line, default: StatusTotals()].price -= row["price"] as Int64? ?? 0
                sums[line, default: StatusTotals()].discount -= row["discount"] as Int64? ?? 0
            }
            for row in try Row.fetchAll(itemsNow, arguments: arguments) {
                let line = SummaryLine(day: row["day"], currency: currency(row["currency"]), status: row["status"])
                sums[line, default: StatusTotals()].items -= 1
                sums[line, default: StatusTotals()].face -= row["face"] as Int64? ?? 0
            }
            if let then = try OrderHistory.order(id, asOf: asOf, db: db) { count(then) }
        }
        return sums
    }
}

extension QueryAPI {
    // MARK: Completeness

    func completeness(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/completeness"] ?? [])
        let now = LedgerClock.now()
        let to = try parameters.instant("created_to") ?? now
        let from = try parameters.instant("created_from") ?? to.adding(seconds: -7 * 86_400)
        let report = try await database.completeness(gapLimit: try parameters.limit())
        let arrivals = try await database.arrivals(from: from, to: to, now: now)
        RowCount.report(report.gaps.count)
        return try Self.json(CompletenessView(report, arrivals: arrivals, from: from, to: to, now: now))
    }

    // MARK: Closes

    func closes(_ request: Request) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let closes = try await database.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.*, (SELECT count(*) FROM close_adjustments a WHERE a.period = c.period) AS adjustments
                FROM closes c ORDER BY c.period DESC
                """).map { CloseView($0, adjustments: nil) }
        }
        RowCount.report(closes.count)
        return try Self.json(["items": closes])
    }

    func close(_ request: Request, period: String) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/closes/{period}"] ?? [])
        let limit = try parameters.limit(default: 1_000)
        let view = try await database.pool.read { db -> CloseView? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT c.*, (SELECT count(*) FROM close_adjustments a WHERE a.period = c.period) AS adjustments
                FROM closes c WHERE c.period = ?
                """, arguments: [period]) else { return nil }
            let adjustments = try Row.fetchAll(db, sql: """
                SELECT e.* FROM close_adjustments a JOIN order_events e ON e.seq = a.event_seq
                WHERE a.period = ? ORDER BY a.event_seq LIMIT ?
                """, arguments: [period, limit]).map(EventView.init)
            return CloseView(row, adjustments: adjustments)
        }
        guard let view else { throw APIError(.notFound, type: "not_found", message: "\(period) is not closed") }
        RowCount.report(view.adjustmentEvents?.count ?? 0)
        return try Self.json(view)
    }

    // MARK: Value at risk

    /// Per currency, the face value of payouts still ACTIVE — money issued and not yet claimed — by age since
    /// activation and by time left to expiry.
    func valueAtRisk(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/value-at-risk"] ?? [])
        let currency = try parameters.currency()
        let now = LedgerClock.now()
        let report = try await database.pool.read { db in
            try ValueAtRisk.compute(db, now: now, currency: currency)
        }
        RowCount.report(report.currencies.count)
        return try Self.json(report)
    }

    // MARK: Access log

    func accessLog(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/access-log"] ?? [])
        var query = ListQuery<AccessLogView>(select: "*", from: "access_log", sortExpressions: ["id"], sortColumns: ["id"],
                                             view: { AccessLogView($0) })
        if let token = parameters["token_id"] { query.filter("token_id = ?", [token]) }
        if let since = try parameters.instant("since") { query.filter("at >= ?", [since.canonical]) }
        return try await respond(request, parameters, query, csvHeader: AccessLogView.columns, csvFields: AccessLogView.csvFields)
    }
}

/// Payout aging and value at risk, computed from the `payouts` rows in integer micro-units.
struct ValueAtRisk: Encodable, Sendable {
    struct Bucket: Encodable, Sendable {
        var bucket: String
        var payouts = 0
        var faceMicros: Int64 = 0

        enum CodingKeys: String, CodingKey { case bucket, payouts, faceValue = "face_value" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(bucket, forKey: .bucket)
            try c.encode(payouts, forKey: .payouts)
            try c.encode(Money.plainString(micros: faceMicros), forKey: .faceValue)
        }
    }

    struct Currency: Encodable, Sendable {
        var currency: String?
        var activePayouts = 0
        var faceMicros: Int64 = 0
        var byAge: [Bucket] = ValueAtRisk.ageBuckets.map { Bucket(bucket: $0) }
        var byExpiry: [Bucket] = ValueAtRisk.expiryBuckets.map { Bucket(bucket: $0) }

        enum CodingKeys: String, CodingKey {
            case currency, activePayouts = "active_payouts", faceValue = "face_value", byAge = "by_age", byExpiry = "by_expiry"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(currency, forKey: .currency)
            try c.encode(activePayouts, forKey: .activePayouts)
            try c.encode(Money.plainString(micros: faceMicros), forKey: .faceValue)
            try c.encode(byAge, forKey: .byAge)
            try c.encode(byExpiry, forKey: .byExpiry)
        }
    }

    /// Bucket bounds in whole days: `[0, 7)`, `[7, 30)`, `[30, 90)`, `[90, ∞)`.
    static let dayBounds: [Int64] = [7, 30, 90]
    /// Age since activation.
    static let ageBuckets = ["0-7d", "7-30d", "30-90d", "90d+"]
    /// Time left to expiry; `expired` is a payout past its expiry the ledger still holds ACTIVE (the reconciler
    /// refreshes those first), `none` one without an expiry date.
    static let expiryBuckets = ["expired", "0-7d", "7-30d", "30-90d", "90d+", "none"]

    /// The index among `[0, 7)`, `[7, 30)`, `[30, 90)`, `[90, ∞)` of a non-negative span in microseconds.
    static func dayBucket(_ micros: Int64) -> Int {
        dayBounds.firstIndex { micros < $0 * 86_400_000_000 } ?? dayBounds.count
    }

    var at: String
    var currencies: [Currency]

    static func compute(_ db: Database, now: Timestamp, currency: String?) throws -> ValueAtRisk {
        var byCurrency: [String: Currency] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT i.currency, i.face_value_micros, p.status_updated_at, p.expiry_date
            FROM payouts p JOIN order_items i ON i.id = p.item_id
            WHERE p.status = 'ACTIVE' AND (? IS NULL OR i.currency = ?)
            """, arguments: [currency, currency])
        while let row = try rows.next() {
            let code: String? = row["currency"]
            let face: Int64 = row["face_value_micros"]
            var entry = byCurrency[code ?? ""] ?? Currency(currency: code)
            entry.activePayouts += 1
            entry.faceMicros += face
            let activated = Timestamp(rfc3339: row["status_updated_at"] as String) ?? now
            let ageIndex = dayBucket(max(0, now.microsecondsSinceEpoch - activated.microsecondsSinceEpoch))
            entry.byAge[ageIndex].payouts += 1
            entry.byAge[ageIndex].faceMicros += face
            let expiryIndex: Int
            if let expiry = (row["expiry_date"] as String?).flatMap({ Timestamp(rfc3339: $0) }) {
                let left = expiry.microsecondsSinceEpoch - now.microsecondsSinceEpoch
                expiryIndex = left <= 0 ? 0 : 1 + dayBucket(left)
            } else {
                expiryIndex = expiryBuckets.count - 1
            }
            entry.byExpiry[expiryIndex].payouts += 1
            entry.byExpiry[expiryIndex].faceMicros += face
            byCurrency[code ?? ""] = entry
        }
        return ValueAtRisk(at: now.canonical, currencies: byCurrency.sorted { $0.key < $1.key }.map(\.value))
    }
}

struct CompletenessView: Encodable, Sendable {
    var report: CompletenessReport
    var arrivals: ArrivalReport
    var from: Timestamp
    var to: Timestamp
    var now: Timestamp

    init(_ report: CompletenessReport, arrivals: ArrivalReport, from: Timestamp, to: Timestamp, now: Timestamp) {
        self.report = report
        self.arrivals = arrivals
        self.from = from
        self.to = to
        self.now = now
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        try c.encode(report.watermark?.canonical, forKey: "watermark")
        try c.encode(report.watermark.map { Double(now.microsecondsSinceEpoch - $0.microsecondsSinceEpoch) / 1_000_000 },
                     forKey: "watermark_age_seconds")
        try c.encode(report.coverage.map { ["from": $0.from?.canonical, "through": $0.through.canonical] }, forKey: "coverage")
        try c.encode(report.listedOrders, forKey: "listed_orders")
        try c.encode(report.openGaps, forKey: "open_gaps")
        try c.encode(report.gaps.map { gap -> [String: String?] in
            ["order_id": gap.orderId, "created_at": gap.createdAt, "listed_status": gap.listedStatus,
             "ledger_status": gap.ledgerStatus, "reason": gap.reason.rawValue]
        }, forKey: "gaps")
        var lag: [String: Double]?
        let lags = arrivals.webhookLagSeconds.sorted()
        if !lags.isEmpty {
            func quantile(_ q: Double) -> Double { lags[min(lags.count - 1, Int((Double(lags.count) * q).rounded(.up)) - 1)] }
            lag = ["p50": quantile(0.5), "p99": quantile(0.99), "max": lags[lags.count - 1]]
        }
        var nested = c.nestedContainer(keyedBy: AnyKey.self, forKey: "arrivals")
        try nested.encode(from.canonical, forKey: "created_from")
        try nested.encode(to.canonical, forKey: "created_to")
        try nested.encode(arrivals.orders, forKey: "orders")
        try nested.encode(arrivals.webhookOnly, forKey: "webhook_only")
        try nested.encode(arrivals.reconcilerOnly, forKey: "reconciler_only")
        try nested.encode(arrivals.both, forKey: "both")
        try nested.encode(lag, forKey: "webhook_lag_seconds")
        try nested.encode(arrivals.webhookNeverCameCount, forKey: "webhook_never_came")
        try nested.encode(arrivals.webhookNeverCame, forKey: "webhook_never_came_orders")
    }
}

/// A coding key from a string literal, for views written out by hand.
struct AnyKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { stringValue = value }
}

struct CloseView: Encodable, Sendable {
    var period: String
    var closedAt: String
    var forced: Bool
    var forceReason: String?
    var manifestSHA256: String
    var eventSeq: Int64
    var directory: String
    var adjustments: Int
    var manifest: RawJSON?
    var adjustmentEvents: [EventView]?

    init(_ row: Row, adjustments: [EventView]?) {
        period = row["period"]
        closedAt = row["closed_at"]
        forced = row["forced"]
        forceReason = row["force_reason"]
        manifestSHA256 = row["manifest_sha256"]
        eventSeq = row["event_seq"]
        directory = row["directory"]
        self.adjustments = row["adjustments"]
        manifest = adjustments == nil ? nil : RawJSON(row["manifest"])
        adjustmentEvents = adjustments
    }

    enum CodingKeys: String, CodingKey {
        case period, closedAt = "closed_at", forced, forceReason = "force_reason", manifestSHA256 = "manifest_sha256"
        case eventSeq = "event_seq", directory, adjustments, manifest, adjustmentEvents = "adjustment_events"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(period, forKey: .period)
        try c.encode(closedAt, forKey: .closedAt)
        try c.encode(forced, forKey: .forced)
        try c.encode(forceReason, forKey: .forceReason)
        try c.encode(manifestSHA256, forKey: .manifestSHA256)
        try c.encode(eventSeq, forKey: .eventSeq)
        try c.encode(directory, forKey: .directory)
        try c.encode(adjustments, forKey: .adjustments)
        try c.encodeIfPresent(manifest, forKey: .manifest)
        try c.encodeIfPresent(adjustmentEvents, forKey: .adjustmentEvents)
    }
}

struct AccessLogView: Encodable, Sendable {
    var id: Int64
    var at: String
    var tokenId: String
    var role: String
    var method: String
    var path: String
    var query: String
    var status: Int
    var rows: Int?

    static let columns = ["id", "at", "token_id", "role", "method", "path", "query", "status", "rows"]

    init(_ row: Row) {
        id = row["id"]
        at = row["at"]
        tokenId = row["token_id"]
        role = row["role"]
        method = row["method"]
        path = row["path"]
        query = row["query"]
        status = row["status"]
        rows = row["rows"]
    }

    @Sendable static func csvFields(_ row: Row) -> [String?] {
        [String(row["id"] as Int64), row["at"], row["token_id"], row["role"], row["method"], row["path"], row["query"],
         String(row["status"] as Int), (row["rows"] as Int?).map(String.init)]
    }

    enum CodingKeys: String, CodingKey {
        case id, at, tokenId = "token_id", role, method, path, query, status, rows
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(at, forKey: .at)
        try c.encode(tokenId, forKey: .tokenId)
        try c.encode(role, forKey: .role)
        try c.encode(method, forKey: .method)
        try c.encode(path, forKey: .path)
        try c.encode(query, forKey: .query)
        try c.encode(status, forKey: .status)
        try c.encode(rows, forKey: .rows)
    }
}
