import Foundation
import GRDB
import Hummingbird
import Ledger
import NIOCore
import RunaModels

/// The read-only `/v1` API over the ledger: orders, payouts, events, summaries, reconciliation and deliveries,
/// as JSON pages or streamed CSV, behind bearer tokens.
public struct QueryAPI: Sendable {
    let database: LedgerDatabase
    /// The accepted bearer tokens, replaceable while running.
    public let tokens: APITokens
    let cursorKey: [UInt8]
    let counters: DeliveryCounters
    /// Where every authenticated `/v1` request is recorded.
    let accessLog: AccessLogWriter
    /// How many index matches a description search with other filters examines to choose its plan.
    let searchPlanWindow: Int
    /// - Parameters:
    ///   - tokens: the accepted bearer tokens (`LEDGER_API_TOKENS`); none means every route answers 401.
    ///   - counters: what the webhook endpoint counted without storing (duplicates, rejections).
    /// - Parameter searchPlanWindow: how many index matches a description search with other filters examines to
    ///   choose its plan (``ordersQuery(_:after:limit:)``).
    public init(database: LedgerDatabase, tokens: [String], counters: DeliveryCounters = DeliveryCounters(),
                searchPlanWindow: Int = 20_000) throws {
        self.database = database
        self.searchPlanWindow = searchPlanWindow
        self.tokens = APITokens(tokens)
        self.counters = counters
        self.accessLog = AccessLogWriter(database: database)
        self.cursorKey = try database.ownKey(named: "cursor")
    }

    /// The `/v1` paths (as route templates); every one answers GET only.
    public static let paths = ["/v1/orders", "/v1/orders/:id", "/v1/orders/:id/events", "/v1/payouts", "/v1/summary",
                               "/v1/reconciliation", "/v1/deliveries", "/v1/completeness", "/v1/closes",
                               "/v1/closes/:period", "/v1/value-at-risk", "/v1/access-log", "/v1/openapi.json"]
    /// Routes only a token with the `auditor` role may read.
    public static let auditorPaths = ["/v1/access-log"]

    /// The query parameters each route takes (besides `format` on lists); the OpenAPI document must say the same.
    public static let parameters: [String: Set<String>] = [
        "/v1/orders": ["status", "currency", "created_from", "created_to", "updated_since", "payout_status", "source", "q",
                       "limit", "after"],
        "/v1/orders/{id}": ["as_of"],
        "/v1/orders/{id}/events": ["limit", "after"],
        "/v1/payouts": ["status", "currency", "order_id", "updated_since", "limit", "after"],
        "/v1/summary": ["created_from", "created_to", "group", "as_of"],
        "/v1/reconciliation": [],
        "/v1/deliveries": ["outcome", "limit", "after"],
        "/v1/completeness": ["created_from", "created_to", "limit"],
        "/v1/closes": [],
        "/v1/closes/{period}": ["limit"],
        "/v1/value-at-risk": ["currency"],
        "/v1/access-log": ["token_id", "since", "limit", "after"],
    ]

    public func addRoutes(to router: Router<some RequestContext>) {
        router.add(middleware: MethodNotAllowedMiddleware(paths: Self.paths, allowed: "GET, HEAD"))
        router.get("v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        let v1 = router.group("v1")
        v1.add(middleware: BearerAuthMiddleware(tokens: tokens, accessLog: accessLog, auditorPaths: Self.auditorPaths))
        v1.get("orders") { request, _ in try await self.orders(request) }
        v1.get("orders/:id") { request, context in try await self.order(request, id: context.parameters.get("id") ?? "") }
        v1.get("orders/:id/events") { request, context in
            try await self.events(request, orderId: context.parameters.get("id") ?? "")
        }
        v1.get("payouts") { request, _ in try await self.payouts(request) }
        v1.get("summary") { request, _ in try await self.summary(request) }
        v1.get("reconciliation") { request, _ in try await self.reconciliation(request) }
        v1.get("deliveries") { request, _ in try await self.deliveries(request) }
        v1.get("completeness") { request, _ in try await self.completeness(request) }
        v1.get("closes") { request, _ in try await self.closes(request) }
        v1.get("closes/:period") { request, context in
            try await self.close(request, period: context.parameters.get("period") ?? "")
        }
        v1.get("value-at-risk") { request, _ in try await self.valueAtRisk(request) }
        v1.get("access-log") { request, _ in try await self.accessLog(request) }
    }

    // MARK: Orders

    static let orderStatuses = OrderStatus.allCases.map(\.rawValue)
    static let payoutStatuses = PayoutStatus.documented.map(\.rawValue)
    static let sortAt = "coalesce(o.created_at, o.first_seen_at)"

    func orders(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/orders"] ?? [])
        let limit = try parameters.limit(), after = try cursor(parameters)
        let query = try await ordersQuery(parameters, after: after, limit: limit)
        if try QueryParameters.wantsCSV(request, parameters) {
            return try await respond(request, parameters, query, csvHeader: OrderView.columns, csvFields: OrderView.csvFields)
        }
        // The dashboards' hot path: JSON written straight from the rows.
        let page = try await query.jsonPage(database.pool, after: after, limit: limit,
                                            write: OrderView.appendJSON)
        let next = page.next.map { CanonicalJSON.quote(Cursor(after: $0, filters: parameters.fingerprint).encode(key: cursorKey)) }
        let body = "{\"items\":[" + page.items + "],\"next\":" + (next ?? "null") + "}"
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The orders list for `parameters`; `after` (the decoded cursor) lets a description search choose its plan.
    func ordersQuery(_ parameters: QueryParameters, after: [String]? = nil, limit: Int = 100) async throws -> ListQuery<OrderView> {
        var filters: [(condition: String, values: [DatabaseValue])] = []
        func filter(_ condition: String, _ values: [DatabaseValueConvertible?] = []) {
            filters.append((condition, values.map { $0?.databaseValue ?? .null }))
        }
        if let statuses = try parameters.list("status", allowed: Self.orderStatuses) {
            filter("o.status IN (\(Self.marks(statuses.count)))", statuses)
        }
        if let currency = try parameters.currency() { filter("o.currency = ?", [currency]) }
        // The listing-time bounds, kept apart: a description search also turns them into bounds on its index.
        let from = try parameters.instant("created_from"), to = try parameters.instant("created_to")
        var bounds: [(condition: String, values: [DatabaseValue])] = []
        if let from { bounds.append(("\(Self.sortAt) >= ?", [from.canonical.databaseValue])) }
        if let to { bounds.append(("\(Self.sortAt) < ?", [to.canonical.databaseValue])) }
        if let since = try parameters.instant("updated_since") { filter("o.updated_at >= ?", [since.canonical]) }
        if let statuses = try parameters.list("payout_status", allowed: Self.payoutStatuses) {
            filter("EXISTS (SELECT 1 FROM payouts p WHERE p.order_id = o.id AND p.status IN (\(Self.marks(statuses.count))))",
                   statuses)
        }
        if let source = try parameters.oneOf("source", ["webhook", "reconciler", "api"]) { filter("o.last_source = ?", [source]) }
        let search = try Self.descriptionSearch(parameters)
        if let prefix = parameters["q"], search == nil {
            // An order id prefix: a range on the primary key, which an index serves.
            filter("o.id >= ? AND o.id < ?", [prefix, prefix + "\u{10FFFF}"])
        }

        guard let search else {
            var query = ListQuery<OrderView>(select: "o.*, \(Self.sortAt) AS sort_at", from: "orders o",
                                             sortExpressions: [Self.sortAt, "o.id"], sortColumns: ["sort_at", "id"],
                                             view: { OrderView($0) })
            for (condition, values) in bounds + filters { query.filter(condition, values) }
            return query
        }
        // Description text. Both plans order by the listing key (the index's rowid, see 0005), so their cursors are
        // the same, and both apply LIKE, so they return the same rows.
        func searchQuery(drivenByIndex: Bool) -> ListQuery<OrderView> {
            let key = drivenByIndex ? "s.rowid" : "m.search_rowid"
            var query = drivenByIndex
                ? ListQuery<OrderView>(select: "o.*, s.rowid AS listing_key", from: "order_search s JOIN orders o ON o.id = s.order_id",
                                       sortExpressions: [key], sortColumns: ["listing_key"], view: { OrderView($0) })
                : ListQuery<OrderView>(select: "o.*, m.search_rowid AS listing_key",
                                       from: "orders o JOIN order_search_rows m ON m.order_id = o.id",
                                       sortExpressions: [key], sortColumns: ["listing_key"], view: { OrderView($0) })
            if drivenByIndex { query.filter("order_search MATCH ?", [search.phrase]) }
            if let from { query.filter("\(key) >= ?", [Self.listingKey(from)]) }
            // Bounds on the key that contain the exact bounds (applied among the filters): times held at the
            // key's ends share one key, so the key alone cannot cut between them.
            if let to { query.filter("\(key) <= ?", [Self.listingKey(to) + 999]) }
            query.filter("o.description LIKE ? ESCAPE '\\'", [search.like])
            for (condition, values) in bounds + filters { query.filter(condition, values) }
            return query
        }
        // The index hands out matches newest first and a page stops at its end, unless the other filters let few
        // of them through: then the orders those filters select (through their own indexes) are searched instead.
        // Which one is decided on the next `examined` matches: all of them seen, or enough passing, keeps the index.
        guard !filters.isEmpty else { return searchQuery(drivenByIndex: true) }
        let examined = searchPlanWindow
        let upper = min(after?.first.flatMap { Int64($0) } ?? .max, to.map { Self.listingKey($0) + 1_000 } ?? .max)
        let lower = from.map(Self.listingKey) ?? .min
        let conditions = ["o.description LIKE ? ESCAPE '\\'"] + filters.map(\.condition)
        let values: [DatabaseValue] = [search.phrase.databaseValue, lower.databaseValue, upper.databaseValue,
                                       examined.databaseValue, search.like.databaseValue] + filters.flatMap(\.values)
        let (seen, passing) = try await database.pool.read { db -> (Int, Int) in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS seen, count(o.id) AS passing FROM
                  (SELECT rowid, order_id FROM order_search WHERE order_search MATCH ? AND rowid >= ? AND rowid < ?
                   ORDER BY rowid DESC LIMIT ?) s
                LEFT JOIN orders o ON o.id = s.order_id AND \(conditions.joined(separator: " AND "))
                """, arguments: StatementArguments(values))
            return (row?["seen"] ?? 0, row?["passing"] ?? 0)
        }
        return searchQuery(drivenByIndex: seen < examined || passing > limit)
    }

    /// The listing key of an instant: its microseconds times 1000 (0005's rowids; ties add 0…999), held within
    /// 1677…2262 as the migration holds it, so no instant a client sends can overflow it.
    static func listingKey(_ instant: Timestamp) -> Int64 {
        min(max(instant.microsecondsSinceEpoch, -9_223_372_036_854_774), 9_223_372_036_854_774) * 1000
    }

    func order(_ request: Request, id: String) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/orders/{id}"] ?? [])
        if let asOf = try parameters.instant("as_of") { return try await order(id: id, asOf: asOf) }
        let view = try await database.pool.read { db -> OrderView? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE id = ?", arguments: [id]) else { return nil }
            var view = OrderView(row)
            var payouts: [String: PayoutView] = [:]
            for payout in try Row.fetchAll(db, sql: """
                SELECT p.*, i.currency, i.face_value FROM payouts p JOIN order_items i ON i.id = p.item_id WHERE p.order_id = ?
                """, arguments: [id]) {
                let payoutView = PayoutView(payout)
                payouts[payoutView.itemId] = payoutView
            }
            view.items = try Row.fetchAll(db, sql: "SELECT * FROM order_items WHERE order_id = ? ORDER BY position", arguments: [id])
                .map { ItemView($0, payout: payouts[$0["id"]]) }
            view.events = try Row.fetchAll(db, sql: "SELECT * FROM order_events WHERE order_id = ? ORDER BY seq", arguments: [id])
                .map(EventView.init)
            view.arrival = try OrderArrival.of(id, status: view.status, completedAt: view.completedAt, at: LedgerClock.now(), db: db)
            return view
        }
        guard let view else { throw APIError(.notFound, type: "not_found", message: "no order \(id) in the ledger") }
        RowCount.report(1)
        return try Self.json(view)
    }

    func events(_ request: Request, orderId: String) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/orders/{id}/events"] ?? [])
        let exists = try await database.pool.read { try Bool.fetchOne($0, sql: "SELECT 1 FROM orders WHERE id = ?", arguments: [orderId]) }
        guard exists == true else { throw APIError(.notFound, type: "not_found", message: "no order \(orderId) in the ledger") }
        var query = ListQuery<EventView>(select: "*", from: "order_events", sortExpressions: ["seq"], sortColumns: ["seq"],
                                         ascending: true, view: { EventView($0) })
        query.filter("order_id = ?", [orderId])
        return try await respond(request, parameters, query, csvHeader: EventView.columns, csvFields: EventView.csvFields)
    }

    // MARK: Payouts

    func payouts(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/payouts"] ?? [])
        return try await respond(request, parameters, try payoutsQuery(parameters), csvHeader: PayoutView.columns,
                                 csvFields: PayoutView.csvFields)
    }

    func payoutsQuery(_ parameters: QueryParameters) throws -> ListQuery<PayoutView> {
        var query = ListQuery<PayoutView>(
            select: "p.*, i.currency, i.face_value", from: "payouts p JOIN order_items i ON i.id = p.item_id",
            sortExpressions: ["p.status_updated_at", "p.item_id"], sortColumns: ["status_updated_at", "item_id"],
            view: { PayoutView($0) })
        if let statuses = try parameters.list("status", allowed: Self.payoutStatuses) {
            query.filter("p.status IN (\(Self.marks(statuses.count)))", statuses)
        }
        if let currency = try parameters.currency() { query.filter("i.currency = ?", [currency]) }
        if let order = parameters["order_id"] { query.filter("p.order_id = ?", [order]) }
        if let since = try parameters.instant("updated_since") { query.filter("p.status_updated_at >= ?", [since.canonical]) }
        return query
    }

    // MARK: Summary

    func summary(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/summary"] ?? [])
        let from = try parameters.instant("created_from")
        let to = try parameters.instant("created_to")
        let byDay = try parameters.oneOf("group", ["day"]) != nil
        if let asOf = try parameters.instant("as_of") {
            let view = try await summary(from: from, to: to, byDay: byDay, asOf: asOf)
            RowCount.report(view.lines.count)
            return try Self.json(view)
        }
        // Whole-day bounds are answered from the running totals the triggers of 0004 keep; any other bound from the
        // orders themselves. Both are exact.
        let wholeDays = [from, to].allSatisfy { $0.map { $0.microsecondsSinceEpoch % 86_400_000_000 == 0 } ?? true }
        let (orderSQL, itemSQL, arguments) = wholeDays
            ? Self.summaryFromTotals(from: from, to: to, byDay: byDay)
            : Self.summaryFromOrders(from: from, to: to, byDay: byDay)
        let lines = try await database.pool.read { db -> [SummaryLine] in
            var sums: [SummaryLine: StatusTotals] = [:]
            try Self.addTotals(orderSQL: orderSQL, itemSQL: itemSQL, arguments: arguments, db: db, to: &sums)
            return Self.summaryLines(sums)
        }
        RowCount.report(lines.count)
        return try Self.json(SummaryView(createdFrom: from?.canonical, createdTo: to?.canonical, lines: lines))
    }

    static func currency(_ stored: String?) -> String? { (stored ?? "").isEmpty ? nil : stored }

    /// Adds the rows of a summary's order and item queries (`day`, `currency`, `status` and their sums) to `sums`.
    static func addTotals(orderSQL: String, itemSQL: String, arguments: [DatabaseValue], db: Database,
                          to sums: inout [SummaryLine: StatusTotals]) throws {
        let bound = StatementArguments(arguments)
        for row in try Row.fetchAll(db, sql: orderSQL, arguments: bound) where (row["orders"] as Int) != 0 {
            let line = SummaryLine(day: row["day"], currency: currency(row["currency"]), status: row["status"])
            sums[line, default: StatusTotals()].orders += row["orders"] as Int
            sums[line, default: StatusTotals()].price += row["price"] as Int64? ?? 0
            sums[line, default: StatusTotals()].discount += row["discount"] as Int64? ?? 0
        }
        for row in try Row.fetchAll(db, sql: itemSQL, arguments: bound) where (row["items"] as Int) != 0 {
            let line = SummaryLine(day: row["day"], currency: currency(row["currency"]), status: row["status"])
            sums[line, default: StatusTotals()].items += row["items"] as Int
            sums[line, default: StatusTotals()].face += row["face"] as Int64? ?? 0
        }
    }

    /// The summary's lines, amounts rendered as plain decimal strings, in key order; lines that sum to nothing left out.
    static func summaryLines(_ sums: [SummaryLine: StatusTotals]) -> [SummaryLine] {
        sums.compactMap { line, totals in
            guard totals.orders != 0 || totals.items != 0 else { return nil }
            var line = line
            line.orders = totals.orders
            line.items = totals.items
            line.totalPrice = Money.plainString(micros: totals.price)
            line.totalDiscount = Money.plainString(micros: totals.discount)
            line.faceValue = Money.plainString(micros: totals.face)
            return line
        }.sorted { $0.key < $1.key }
    }

    static func summaryFromTotals(from: Timestamp?, to: Timestamp?, byDay: Bool) -> (String, String, [DatabaseValue]) {
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        if let from { conditions.append("day >= ?"); arguments.append(String(from.canonical.prefix(10)).databaseValue) }
        if let to { conditions.append("day < ?"); arguments.append(String(to.canonical.prefix(10)).databaseValue) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let day = byDay ? "day" : "NULL"
        return ("""
            SELECT \(day) AS day, currency, status, sum(orders) AS orders, sum(price_micros) AS price,
                   sum(discount_micros) AS discount
            FROM order_totals \(whereClause) GROUP BY 1, 2, 3
            """, """
            SELECT \(day) AS day, currency, status, sum(items) AS items, sum(face_micros) AS face
            FROM item_totals \(whereClause) GROUP BY 1, 2, 3
            """, arguments)
    }

    static func summaryFromOrders(from: Timestamp?, to: Timestamp?, byDay: Bool) -> (String, String, [DatabaseValue]) {
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        if let from { conditions.append("\(sortAt) >= ?"); arguments.append(from.canonical.databaseValue) }
        if let to { conditions.append("\(sortAt) < ?"); arguments.append(to.canonical.databaseValue) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let day = byDay ? "substr(\(sortAt), 1, 10)" : "NULL"
        return ("""
            SELECT \(day) AS day, coalesce(o.currency, '') AS currency, o.status, count(*) AS orders,
                   sum(o.total_price_micros) AS price, sum(o.total_discount_micros) AS discount
            FROM orders o \(whereClause) GROUP BY 1, 2, 3
            """, """
            SELECT \(day) AS day, coalesce(i.currency, '') AS currency, o.status, count(*) AS items,
                   sum(i.face_value_micros) AS face
            FROM order_items i JOIN orders o ON o.id = i.order_id \(whereClause) GROUP BY 1, 2, 3
            """, arguments)
    }

    // MARK: Reconciliation and deliveries

    func reconciliation(_ request: Request) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let backlog = try await database.backlog(now: LedgerClock.now())
        let listing = try await database.listingState()
        var view = try await database.pool.read { db -> ReconciliationView in
            let runs = try Row.fetchAll(db, sql: "SELECT * FROM reconcile_runs ORDER BY id DESC LIMIT 20").map(RunView.init)
            let oldest = try Row.fetchOne(db, sql: "SELECT order_id, reason, not_before, attempts, last_error FROM reconcile_tasks ORDER BY created_at LIMIT 1")
            let lag = try Row.fetchOne(db, sql: """
                SELECT avg(lag), max(lag) FROM (SELECT (julianday(d.received_at) - julianday(o.completed_at)) * 86400 AS lag
                FROM webhook_deliveries d JOIN orders o ON o.id = d.order_id
                WHERE o.completed_at IS NOT NULL ORDER BY d.received_at DESC LIMIT 1000)
                """)
            let discrepancies = try Int.fetchOne(db, sql: "SELECT count(*) FROM order_events WHERE kind = 'discrepancy'") ?? 0
            return ReconciliationView(
                runs: runs, backlog: backlog, discrepancyEvents: discrepancies,
                oldestTask: oldest.map { ["order_id": $0["order_id"], "reason": $0["reason"], "not_before": $0["not_before"],
                                          "last_error": $0["last_error"] as String? ?? ""] },
                webhookLagSeconds: lag.flatMap { row in (row[0] as Double?).map { ["average": $0, "max": row[1] as Double? ?? $0] } })
        }
        view.listOrder = ListOrderView(listing)
        return try Self.json(view)
    }

    func deliveries(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/deliveries"] ?? [])
        let outcome = try parameters.oneOf("outcome", ["quarantined", "ignored"]) ?? "quarantined"
        var query = ListQuery<DeliveryView>(
            select: "msg_id, received_at, signed_at, body_sha256, event_type, order_id, outcome, error",
            from: "webhook_deliveries", sortExpressions: ["received_at", "msg_id"], sortColumns: ["received_at", "msg_id"],
            view: { DeliveryView($0) })
        // The index's own condition, written out: SQLite uses a partial index only for a query that repeats it.
        query.filter("outcome IN ('quarantined', 'ignored') AND outcome = ?", [outcome])
        _ = try parameters.limit()
        if try QueryParameters.wantsCSV(request, parameters) {
            return try await respond(request, parameters, query, csvHeader: DeliveryView.columns, csvFields: DeliveryView.csvFields)
        }
        let counts = try await database.pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT outcome, deliveries AS n FROM delivery_totals WHERE deliveries > 0")
                .map { ($0["outcome"] as String, $0["n"] as Int) })
        }
        let ignored = try await database.ignoredDeliveriesByEventType()
        let page = try await page(query, parameters)
        return try Self.json(DeliveriesView(counts: counts, ignoredByEventType: ignored, sinceStart: counters.snapshot,
                                            items: page.items, next: page.next))
    }

    // MARK: Export

    /// What `runa-ledger export` can write.
    public enum ExportKind: String, CaseIterable, Sendable {
        case orders, payouts, events
    }

    /// The filters each export takes: the list route's, and for events an order and a start time.
    public static func exportFilters(_ kind: ExportKind) -> Set<String> {
        switch kind {
        case .orders: return (parameters["/v1/orders"] ?? []).subtracting(["limit", "after"])
        case .payouts: return (parameters["/v1/payouts"] ?? []).subtracting(["limit", "after"])
        case .events: return ["order_id", "since"]
        }
    }

    /// Writes every matching row as the same CSV the API streams, a chunk at a time; returns the number of rows.
    /// A bad filter throws an ``APIError`` naming it.
    public func export(_ kind: ExportKind, filters: [(String, String)], write: @Sendable (String) async throws -> Void)
        async throws -> Int
    {
        let parameters = try QueryParameters(filters, allowed: Self.exportFilters(kind))
        switch kind {
        case .orders:
            return try await ordersQuery(parameters).csv(database.pool, header: OrderView.columns, fields: OrderView.csvFields,
                                                         write: write)
        case .payouts:
            return try await payoutsQuery(parameters).csv(database.pool, header: PayoutView.columns,
                                                           fields: PayoutView.csvFields, write: write)
        case .events:
            var query = ListQuery<EventView>(select: "*", from: "order_events", sortExpressions: ["seq"], sortColumns: ["seq"],
                                             ascending: true, view: { EventView($0) })
            if let order = parameters["order_id"] { query.filter("order_id = ?", [order]) }
            if let since = try parameters.instant("since") { query.filter("at >= ?", [since.canonical]) }
            return try await query.csv(database.pool, header: EventView.columns, fields: EventView.csvFields, write: write)
        }
    }

    // MARK: Plumbing

    /// The sort key a valid `after` cursor carries; `nil` for the first page; a 400 for anything else.
    func cursor(_ parameters: QueryParameters) throws -> [String]? {
        guard let text = parameters["after"], !text.isEmpty else { return nil }
        guard let cursor = Cursor.decode(text, key: cursorKey, filters: parameters.fingerprint) else {
            throw QueryParameters.bad("after", "not a cursor this API gave out for these filters")
        }
        return cursor.after
    }

    func page<View>(_ query: ListQuery<View>, _ parameters: QueryParameters) async throws -> Page<View> {
        let limit = try parameters.limit()
        let (items, next) = try await query.page(database.pool, after: try cursor(parameters), limit: limit)
        return Page(items: items, next: next.map { Cursor(after: $0, filters: parameters.fingerprint).encode(key: cursorKey) })
    }

    func respond<View>(_ request: Request, _ parameters: QueryParameters, _ query: ListQuery<View>,
                               csvHeader: [String], csvFields: @escaping @Sendable (Row) -> [String?]) async throws -> Response {
        _ = try parameters.limit()  // validated even where CSV ignores it
        if try QueryParameters.wantsCSV(request, parameters) {
            guard (parameters["after"] ?? "").isEmpty else {
                throw QueryParameters.bad("after", "CSV exports every matching row; no cursor")
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                            body: query.csvBody(database.pool, header: csvHeader, fields: csvFields))
        }
        return try Self.json(try await page(query, parameters))
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }


    /// `q` as description text (not an `O-` id prefix): the trigram index's query and the LIKE pattern that decides
    /// (ASCII letters in any case); `nil` without one.
    static func descriptionSearch(_ parameters: QueryParameters) throws -> (phrase: String, like: String)? {
        guard let text = parameters["q"] else { return nil }
        guard !text.isEmpty, text.count <= 200 else { throw QueryParameters.bad("q", "expected 1 to 200 characters") }
        guard !text.hasPrefix("O-") else { return nil }
        // The trigram tokenizer needs three characters to look anything up.
        guard text.unicodeScalars.count >= 3 else {
            throw QueryParameters.bad("q", "expected an order id prefix (O-…) or at least 3 characters of description")
        }
        let like = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        return (substringPhrase(text), like)
    }

    /// An FTS5 query matching `text` as a substring of the description: one quoted phrase (quotes doubled), which
    /// the trigram tokenizer matches wherever its characters appear in a row, ignoring case.
    static func substringPhrase(_ text: String) -> String {
        "description : \"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// One line of `GET /v1/summary`: per currency and status (and day), exact totals as decimal strings.
struct SummaryLine: Encodable, Sendable, Hashable {
    var day: String?
    var currency: String?
    var status: String
    var orders = 0
    var totalPrice = "0"
    var totalDiscount = "0"
    var items = 0
    var faceValue = "0"

    init(day: String?, currency: String?, status: String) {
        self.day = day
        self.currency = currency
        self.status = status
    }

    var key: String { "\(day ?? "")|\(currency ?? "")|\(status)" }

    enum CodingKeys: String, CodingKey {
        case day, currency, status, orders, totalPrice = "total_price", totalDiscount = "total_discount", items
        case faceValue = "face_value"
    }
}

struct SummaryView: Encodable, Sendable {
    var createdFrom: String?
    var createdTo: String?
    /// Set when the summary was rebuilt from the audit trail as it stood then.
    var asOf: String?
    var lines: [SummaryLine]

    enum CodingKeys: String, CodingKey { case createdFrom = "created_from", createdTo = "created_to", asOf = "as_of", lines }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(createdFrom, forKey: .createdFrom)
        try c.encode(createdTo, forKey: .createdTo)
        try c.encodeIfPresent(asOf, forKey: .asOf)
        try c.encode(lines, forKey: .lines)
    }
}

struct RunView: Encodable, Sendable {
    var id: Int64
    var startedAt: String
    var finishedAt: String?
    var checked, changed, discrepancies, errors: Int
    var errorSummary: String?

    init(_ row: Row) {
        id = row["id"]
        startedAt = row["started_at"]
        finishedAt = row["finished_at"]
        checked = row["checked"]
        changed = row["changed"]
        discrepancies = row["discrepancies"]
        errors = row["errors"]
        errorSummary = row["error_summary"]
    }

    enum CodingKeys: String, CodingKey {
        case id, startedAt = "started_at", finishedAt = "finished_at", checked, changed, discrepancies, errors
        case errorSummary = "error_summary"
    }
}

/// How the reconciler reads Runa's list: the direction its pages showed, and its walks.
struct ListOrderView: Encodable, Sendable {
    var direction: String
    var tailCursorHeld: Bool
    var wholeWalkInProgressSince: String?
    var wholeWalkFinishedStartedAt: String?

    init(_ state: ListingState) {
        direction = state.direction.rawValue
        tailCursorHeld = state.tailCursor != nil
        wholeWalkInProgressSince = state.sweepCursor == nil ? nil : state.sweepStartedAt?.canonical
        wholeWalkFinishedStartedAt = state.sweepFinishedAt?.canonical
    }

    enum CodingKeys: String, CodingKey {
        case direction, tailCursorHeld = "tail_cursor_held", wholeWalkInProgressSince = "whole_walk_in_progress_since"
        case wholeWalkFinishedStartedAt = "whole_walk_finished_started_at"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(direction, forKey: .direction)
        try c.encode(tailCursorHeld, forKey: .tailCursorHeld)
        try c.encode(wholeWalkInProgressSince, forKey: .wholeWalkInProgressSince)
        try c.encode(wholeWalkFinishedStartedAt, forKey: .wholeWalkFinishedStartedAt)
    }
}

struct ReconciliationView: Encodable, Sendable {
    var listOrder = ListOrderView(ListingState())
    var runs: [RunView]
    var backlog: ReconcileBacklog
    var discrepancyEvents: Int
    var oldestTask: [String: String]?
    var webhookLagSeconds: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case listOrder = "list_order", runs, backlog, discrepancyEvents = "discrepancy_events", oldestTask = "oldest_task"
        case webhookLagSeconds = "webhook_lag_seconds"
    }
}

extension ReconcileBacklog: Encodable {
    enum CodingKeys: String, CodingKey { case due, waiting, disputed, processing, withoutDetails = "without_details", inStep = "in_step" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(due, forKey: .due)
        try c.encode(waiting, forKey: .waiting)
        try c.encode(disputed, forKey: .disputed)
        try c.encode(processing, forKey: .processing)
        try c.encode(withoutDetails, forKey: .withoutDetails)
        try c.encode(isInStep, forKey: .inStep)
    }
}

struct DeliveryView: Encodable, Sendable {
    var msgId: String
    var receivedAt: String
    var signedAt: String
    var bodySHA256: String
    var eventType: String
    var orderId: String?
    var outcome: String
    var error: String?

    static let columns = ["msg_id", "received_at", "signed_at", "body_sha256", "event_type", "order_id", "outcome", "error"]

    init(_ row: Row) {
        msgId = row["msg_id"]
        receivedAt = row["received_at"]
        signedAt = row["signed_at"]
        bodySHA256 = row["body_sha256"]
        eventType = row["event_type"]
        orderId = row["order_id"]
        outcome = row["outcome"]
        error = row["error"]
    }

    /// The CSV fields of a delivery row, in ``columns`` order.
    @Sendable static func csvFields(_ row: Row) -> [String?] { columns.map { row[$0] } }

    enum CodingKeys: String, CodingKey {
        case msgId = "msg_id", receivedAt = "received_at", signedAt = "signed_at", bodySHA256 = "body_sha256"
        case eventType = "event_type", orderId = "order_id", outcome, error
    }
}

struct DeliveriesView: Encodable, Sendable {
    /// Stored deliveries by outcome.
    var counts: [String: Int]
    /// Ignored deliveries by the event type their body showed (`product.update`, `unrecognised`).
    var ignoredByEventType: [String: Int]
    /// Duplicates and rejected signatures since the process started (they store nothing).
    var sinceStart: [String: Int]
    var items: [DeliveryView]
    var next: String?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(counts, forKey: .counts)
        try c.encode(ignoredByEventType, forKey: .ignoredByEventType)
        try c.encode(sinceStart, forKey: .sinceStart)
        try c.encode(items, forKey: .items)
        try c.encode(next, forKey: .next)
    }

    enum CodingKeys: String, CodingKey {
        case counts, ignoredByEventType = "ignored_by_event_type", sinceStart = "since_start", items, next
    }
}
