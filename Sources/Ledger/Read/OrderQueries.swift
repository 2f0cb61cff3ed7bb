import GRDB
import RunaModels

/// What `GET /v1/orders` (and `export orders`) may filter by; `nil` is no filter.
public struct OrderFilter: Sendable, Equatable {
    public var statuses: [String]?
    public var currency: String?
    /// Bounds on the listing time (``ListingTime``): from inclusive, to exclusive.
    public var createdFrom: Timestamp?
    public var createdTo: Timestamp?
    public var updatedSince: Timestamp?
    /// Orders with at least one payout in one of these states.
    public var payoutStatuses: [String]?
    /// `webhook`, `reconciler` or `api`: which source wrote the order last.
    public var lastSource: String?
    /// Orders whose id starts with this.
    public var idPrefix: String?
    /// Orders whose description contains this text (ASCII letters in any case; at least 3 characters).
    public var descriptionContains: String?

    public init() {}
}

/// An order with its items, payouts and audit trail, live or as it stood at a moment.
public struct OrderDetail: Sendable, Equatable {
    public var order: OrderRecord
    /// Items in position order, each with its payout when one is known.
    public var items: [(item: ItemRecord, payout: PayoutRecord?)]
    public var events: [EventRecord]
    public var arrival: OrderArrival

    public static func == (lhs: OrderDetail, rhs: OrderDetail) -> Bool {
        lhs.order == rhs.order && lhs.events == rhs.events && lhs.arrival == rhs.arrival
            && lhs.items.elementsEqual(rhs.items) { $0.item == $1.item && $0.payout == $1.payout }
    }
}

extension LedgerDatabase {
    /// The orders matching `filter`, newest listing time first. `after` and `limit` (the page about to be read)
    /// let a description search with other filters choose its plan.
    public func orders(_ filter: OrderFilter, after: [String]? = nil, limit: Int = 100,
                       searchPlanWindow: Int = 20_000) async throws -> RecordList<OrderRecord> {
        let listed = ListingTime.sql()
        var filters: [(condition: String, values: [DatabaseValue])] = []
        func add(_ condition: String, _ values: [DatabaseValueConvertible?] = []) {
            filters.append((condition, values.map { $0?.databaseValue ?? .null }))
        }
        if let statuses = filter.statuses { add("o.status IN (\(Self.marks(statuses.count)))", statuses) }
        if let currency = filter.currency { add("o.currency = ?", [currency]) }
        // The listing-time bounds, kept apart: a description search also turns them into bounds on its index.
        let from = filter.createdFrom, to = filter.createdTo
        var bounds: [(condition: String, values: [DatabaseValue])] = []
        if let from { bounds.append(("\(listed) >= ?", [from.canonical.databaseValue])) }
        if let to { bounds.append(("\(listed) < ?", [to.canonical.databaseValue])) }
        if let since = filter.updatedSince { add("o.updated_at >= ?", [since.canonical]) }
        if let statuses = filter.payoutStatuses {
            add("EXISTS (SELECT 1 FROM payouts p WHERE p.order_id = o.id AND p.status IN (\(Self.marks(statuses.count))))",
                statuses)
        }
        if let source = filter.lastSource { add("o.last_source = ?", [source]) }
        // An order id prefix: a range on the primary key, which an index serves.
        if let prefix = filter.idPrefix { add("o.id >= ? AND o.id < ?", [prefix, prefix + "\u{10FFFF}"]) }

        guard let text = filter.descriptionContains else {
            var list = RecordList(self, select: "o.*, \(listed) AS sort_at", from: "orders o",
                                  sortExpressions: [listed, "o.id"], sortColumns: ["sort_at", "id"], record: OrderRecord.init)
            for (condition, values) in bounds + filters { list.filter(condition, values) }
            return list
        }
        let phrase = Self.substringPhrase(text), like = Self.likePattern(text)
        // Description text. Both plans order by the listing key (the index's rowid, see 0005), so their cursors are
        // the same, and both apply LIKE, so they return the same rows.
        func searchList(drivenByIndex: Bool) -> RecordList<OrderRecord> {
            let key = drivenByIndex ? "s.rowid" : "m.search_rowid"
            var list = drivenByIndex
                ? RecordList(self, select: "o.*, s.rowid AS listing_key", from: "order_search s JOIN orders o ON o.id = s.order_id",
                             sortExpressions: [key], sortColumns: ["listing_key"], record: OrderRecord.init)
                : RecordList(self, select: "o.*, m.search_rowid AS listing_key",
                             from: "orders o JOIN order_search_rows m ON m.order_id = o.id",
                             sortExpressions: [key], sortColumns: ["listing_key"], record: OrderRecord.init)
            if drivenByIndex { list.filter("order_search MATCH ?", [phrase]) }
            if let from { list.filter("\(key) >= ?", [ListingTime.searchKey(from)]) }
            // Bounds on the key that contain the exact bounds (applied among the filters): times held at the
            // key's ends share one key, so the key alone cannot cut between them.
            if let to { list.filter("\(key) <= ?", [ListingTime.searchKey(to) + 999]) }
            list.filter("o.description LIKE ? ESCAPE '\\'", [like])
            for (condition, values) in bounds + filters { list.filter(condition, values) }
            return list
        }
        // The index hands out matches newest first and a page stops at its end, unless the other filters let few
        // of them through: then the orders those filters select (through their own indexes) are searched instead.
        // Which one is decided on the next `examined` matches: all of them seen, or enough passing, keeps the index.
        guard !filters.isEmpty else { return searchList(drivenByIndex: true) }
        let examined = searchPlanWindow
        let upper = min(after?.first.flatMap { Int64($0) } ?? .max, to.map { ListingTime.searchKey($0) + 1_000 } ?? .max)
        let lower = from.map(ListingTime.searchKey) ?? .min
        let conditions = ["o.description LIKE ? ESCAPE '\\'"] + filters.map(\.condition)
        let values: [DatabaseValue] = [phrase.databaseValue, lower.databaseValue, upper.databaseValue,
                                       examined.databaseValue, like.databaseValue] + filters.flatMap(\.values)
        let (seen, passing) = try await pool.read { db -> (Int, Int) in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS seen, count(o.id) AS passing FROM
                  (SELECT rowid, order_id FROM order_search WHERE order_search MATCH ? AND rowid >= ? AND rowid < ?
                   ORDER BY rowid DESC LIMIT ?) s
                LEFT JOIN orders o ON o.id = s.order_id AND \(conditions.joined(separator: " AND "))
                """, arguments: StatementArguments(values))
            return (row?["seen"] ?? 0, row?["passing"] ?? 0)
        }
        return searchList(drivenByIndex: seen < examined || passing > limit)
    }

    /// Order `id` with its items, payouts, events and arrival, as held now; `nil` when the ledger has no such order.
    public func order(id: String) async throws -> OrderDetail? {
        try await pool.read { db -> OrderDetail? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE id = ?", arguments: [id]) else { return nil }
            let order = OrderRecord(row)
            var payouts: [String: PayoutRecord] = [:]
            for payout in try Row.fetchAll(db, sql: """
                SELECT p.*, i.currency, i.face_value FROM payouts p JOIN order_items i ON i.id = p.item_id WHERE p.order_id = ?
                """, arguments: [id]).map(PayoutRecord.init) {
                payouts[payout.itemId] = payout
            }
            let items = try Row.fetchAll(db, sql: "SELECT * FROM order_items WHERE order_id = ? ORDER BY position", arguments: [id])
                .map { row in let item = ItemRecord(row); return (item, payouts[item.id]) }
            let events = try Row.fetchAll(db, sql: "SELECT * FROM order_events WHERE order_id = ? ORDER BY seq", arguments: [id])
                .map(EventRecord.init)
            let arrival = try OrderArrival.of(id, status: order.status, completedAt: order.completedAt, at: LedgerClock.now(), db: db)
            return OrderDetail(order: order, items: items, events: events, arrival: arrival)
        }
    }

    /// Order `id` as the ledger held it at `asOf`, rebuilt from its events (``OrderHistory``), with the events up
    /// to then; `nil` when it was not yet seen.
    public func order(id: String, asOf: Timestamp) async throws -> OrderDetail? {
        try await pool.read { db -> OrderDetail? in
            guard let snapshot = try OrderHistory.order(id, asOf: asOf, db: db) else { return nil }
            let order = OrderRecord(snapshot.orderRow)
            let items = snapshot.items.map { item in
                (ItemRecord(snapshot: item, orderId: id), PayoutRecord(snapshot: item, orderId: id))
            }
            let events = try Row.fetchAll(db, sql: """
                SELECT * FROM order_events WHERE order_id = ? AND at <= ? ORDER BY seq
                """, arguments: [id, asOf.canonical]).map(EventRecord.init)
            let arrival = try OrderArrival.of(id, status: order.status, completedAt: order.completedAt, at: asOf, db: db)
            return OrderDetail(order: order, items: items, events: events, arrival: arrival)
        }
    }

    /// Whether the ledger holds order `id`.
    public func hasOrder(id: String) async throws -> Bool {
        try await pool.read { try Bool.fetchOne($0, sql: "SELECT 1 FROM orders WHERE id = ?", arguments: [id]) } ?? false
    }

    /// The audit events, in sequence order: of one order, and from a time on, when given.
    public func events(orderId: String? = nil, since: Timestamp? = nil) -> RecordList<EventRecord> {
        var list = RecordList(self, select: "*", from: "order_events", sortExpressions: ["seq"], sortColumns: ["seq"],
                              ascending: true, record: EventRecord.init)
        if let orderId { list.filter("order_id = ?", [orderId]) }
        if let since { list.filter("at >= ?", [since.canonical]) }
        return list
    }

    static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    /// An FTS5 query matching `text` as a substring of the description: one quoted phrase (quotes doubled), which
    /// the trigram tokenizer matches wherever its characters appear in a row, ignoring case.
    static func substringPhrase(_ text: String) -> String {
        "description : \"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The LIKE pattern that decides a description search (the index only proposes): `%text%`, escaped.
    static func likePattern(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}
