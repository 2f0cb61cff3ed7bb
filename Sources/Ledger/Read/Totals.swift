import GRDB
import RunaModels

/// Counts and exact totals, in integer micro-units, of the orders and items of one currency and status (and day).
public struct StatusTotals: Sendable, Equatable {
    public var orders = 0
    public var items = 0
    public var price: Int64 = 0
    public var discount: Int64 = 0
    public var face: Int64 = 0

    public init() {}

    var isEmpty: Bool { orders == 0 && items == 0 }
}

/// Where a line of totals belongs: the listing day (when grouped by day), the currency (`nil` when unknown) and the
/// order's status.
public struct TotalsKey: Sendable, Hashable, Comparable {
    public var day: String?
    public var currency: String?
    public var status: String

    public init(day: String?, currency: String?, status: String) {
        self.day = day
        self.currency = (currency ?? "").isEmpty ? nil : currency
        self.status = status
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.day ?? "", lhs.currency ?? "", lhs.status) < (rhs.day ?? "", rhs.currency ?? "", rhs.status)
    }
}

/// Exact totals per ``TotalsKey``: the one aggregator behind `GET /v1/summary` (live and `as_of`), a close's
/// `totals.csv`, and `check`'s comparison with the running totals the triggers of 0004 keep.
public struct LedgerTotals: Sendable, Equatable {
    private var sums: [TotalsKey: StatusTotals] = [:]

    public init() {}

    /// The lines with anything in them, in key order.
    public var lines: [(key: TotalsKey, totals: StatusTotals)] {
        sums.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.sums.filter { !$0.value.isEmpty } == rhs.sums.filter { !$0.value.isEmpty }
    }

    /// Adds (`sign` 1) or takes out (-1) `orders` orders of `key` and their amounts.
    mutating func addOrders(_ key: TotalsKey, orders: Int = 1, price: Int64?, discount: Int64?, sign: Int = 1) {
        guard orders != 0 else { return }
        sums[key, default: StatusTotals()].orders += sign * orders
        sums[key, default: StatusTotals()].price += Int64(sign) * (price ?? 0)
        sums[key, default: StatusTotals()].discount += Int64(sign) * (discount ?? 0)
    }

    mutating func addItems(_ key: TotalsKey, items: Int = 1, face: Int64?, sign: Int = 1) {
        guard items != 0 else { return }
        sums[key, default: StatusTotals()].items += sign * items
        sums[key, default: StatusTotals()].face += Int64(sign) * (face ?? 0)
    }

    /// Adds an order as a snapshot of the trail holds it, when its listing time is within the bounds.
    mutating func add(_ order: OrderSnapshot, from: String?, to: String?, byDay: Bool) {
        let listed = order.listedAt
        if let from, listed < from { return }
        if let to, listed >= to { return }
        func micros(_ text: String?) -> Int64 { text.flatMap { try? Money(parsing: $0).micros } ?? 0 }
        let day = byDay ? String(listed.prefix(10)) : nil
        addOrders(TotalsKey(day: day, currency: order.columns["currency"], status: order.status),
                  price: micros(order.columns["total_price"]), discount: micros(order.columns["total_discount"]))
        for item in order.items {
            addItems(TotalsKey(day: day, currency: item.fields["currency"], status: order.status),
                     face: micros(item.fields["face_value"]))
        }
    }

    /// Adds the rows of an order query and an item query that select `day`, `currency`, `status` and their sums
    /// (`orders`, `price`, `discount`; `items`, `face`).
    mutating func add(orderRows: [Row], itemRows: [Row], sign: Int = 1) {
        for row in orderRows {
            addOrders(TotalsKey(day: row["day"], currency: row["currency"], status: row["status"]), orders: row["orders"],
                      price: row["price"], discount: row["discount"], sign: sign)
        }
        for row in itemRows {
            addItems(TotalsKey(day: row["day"], currency: row["currency"], status: row["status"]), items: row["items"],
                     face: row["face"], sign: sign)
        }
    }
}

/// How an as-of summary is computed; both give the same totals (a test holds them to it).
public enum AsOfStrategy: Sendable {
    /// Every order rebuilt from the whole trail: reads every event.
    case replay
    /// Today's rows, with the orders changed after `asOf` taken back out and put in again as they stood then:
    /// reads only the events of those orders, so a recent `asOf` costs little however large the ledger.
    case delta
    /// `delta` while at most a quarter of the orders changed after `asOf`, else `replay`.
    case automatic
}

/// The queries behind ``LedgerTotals``.
enum TotalsQueries {
    /// From the running totals 0004's triggers keep: bounds must fall on whole UTC days.
    static func fromRunningTotals(_ db: Database, from: Timestamp?, to: Timestamp?, byDay: Bool) throws -> LedgerTotals {
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        if let from { conditions.append("day >= ?"); arguments.append(String(from.canonical.prefix(10)).databaseValue) }
        if let to { conditions.append("day < ?"); arguments.append(String(to.canonical.prefix(10)).databaseValue) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let day = byDay ? "day" : "NULL"
        let bound = StatementArguments(arguments)
        var totals = LedgerTotals()
        totals.add(
            orderRows: try Row.fetchAll(db, sql: """
                SELECT \(day) AS day, currency, status, sum(orders) AS orders, sum(price_micros) AS price,
                       sum(discount_micros) AS discount
                FROM order_totals \(whereClause) GROUP BY 1, 2, 3
                """, arguments: bound),
            itemRows: try Row.fetchAll(db, sql: """
                SELECT \(day) AS day, currency, status, sum(items) AS items, sum(face_micros) AS face
                FROM item_totals \(whereClause) GROUP BY 1, 2, 3
                """, arguments: bound))
        return totals
    }

    /// From the orders and items themselves, for any bounds on the listing time; `id` narrows it to one order.
    static func fromOrders(_ db: Database, from: Timestamp?, to: Timestamp?, byDay: Bool, id: String? = nil,
                           sign: Int = 1, into totals: inout LedgerTotals) throws {
        let listed = ListingTime.sql()
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        if let id { conditions.append("o.id = ?"); arguments.append(id.databaseValue) }
        if let from { conditions.append("\(listed) >= ?"); arguments.append(from.canonical.databaseValue) }
        if let to { conditions.append("\(listed) < ?"); arguments.append(to.canonical.databaseValue) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let day = byDay ? ListingTime.daySQL() : "NULL"
        let bound = StatementArguments(arguments)
        totals.add(
            orderRows: try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(day) AS day, coalesce(o.currency, '') AS currency, o.status, count(*) AS orders,
                       sum(o.total_price_micros) AS price, sum(o.total_discount_micros) AS discount
                FROM orders o \(whereClause) GROUP BY 1, 2, 3
                """), arguments: bound),
            itemRows: try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(day) AS day, coalesce(i.currency, '') AS currency, o.status, count(*) AS items,
                       sum(i.face_value_micros) AS face
                FROM order_items i JOIN orders o ON o.id = i.order_id \(whereClause) GROUP BY 1, 2, 3
                """), arguments: bound),
            sign: sign)
    }

    static func fromOrders(_ db: Database, from: Timestamp?, to: Timestamp?, byDay: Bool) throws -> LedgerTotals {
        var totals = LedgerTotals()
        try fromOrders(db, from: from, to: to, byDay: byDay, into: &totals)
        return totals
    }

    /// As the ledger stood at `asOf`, totalled exactly as the live totals total the stored rows.
    static func asOf(_ db: Database, _ asOf: Timestamp, from: Timestamp?, to: Timestamp?, byDay: Bool,
                     strategy: AsOfStrategy) throws -> LedgerTotals {
        let lower = from?.canonical, upper = to?.canonical
        let changed = try String.fetchAll(db, sql: """
            SELECT DISTINCT order_id FROM order_events WHERE at > ? AND order_id <> ''
            """, arguments: [asOf.canonical])
        var useDelta = strategy == .delta
        if strategy == .automatic {
            useDelta = changed.count * 4 <= (try Int.fetchOne(db, sql: "SELECT count(*) FROM orders") ?? 0)
        }
        var totals = LedgerTotals()
        guard useDelta else {
            try OrderHistory.orders(asOf: asOf, db: db) { totals.add($0, from: lower, to: upper, byDay: byDay) }
            return totals
        }
        // Today's totals, from the rows, exactly as the live summary reads them; then each order changed since: out
        // as its rows hold it now, in as the trail held it then (if it existed then).
        try fromOrders(db, from: from, to: to, byDay: byDay, into: &totals)
        for id in changed {
            try fromOrders(db, from: from, to: to, byDay: byDay, id: id, sign: -1, into: &totals)
            if let then = try OrderHistory.order(id, asOf: asOf, db: db) { totals.add(then, from: lower, to: upper, byDay: byDay) }
        }
        return totals
    }
}

extension TotalsQueries {
    static let day: Int64 = 86_400_000_000

    /// Any bounds: the whole UTC days from the running totals, and each part-day at an edge from the orders of the
    /// shorter side of it: the orders inside the bound added, or the day's running totals with the orders outside it
    /// taken out. So at most half a day of orders is read per edge, however long the range.
    static func fromRunningTotalsAndEdges(_ db: Database, from: Timestamp?, to: Timestamp?, byDay: Bool) throws -> LedgerTotals {
        func floorDay(_ instant: Timestamp) -> Timestamp {
            let micros = instant.microsecondsSinceEpoch
            return Timestamp(microsecondsSinceEpoch: micros - ((micros % day) + day) % day)
        }
        func isWhole(_ instant: Timestamp?) -> Bool { instant.map { floorDay($0) == $0 } ?? true }
        func span(_ lower: Timestamp, _ upper: Timestamp) -> Int64 { upper.microsecondsSinceEpoch - lower.microsecondsSinceEpoch }
        func plusDay(_ instant: Timestamp) -> Timestamp { Timestamp(microsecondsSinceEpoch: instant.microsecondsSinceEpoch + day) }

        if isWhole(from) && isWhole(to) { return try fromRunningTotals(db, from: from, to: to, byDay: byDay) }
        // Both edges in one day: that day's orders between them, or the whole day without those outside them.
        if let from, let to, floorDay(from) == floorDay(to) || to <= from {
            let start = floorDay(from), end = plusDay(start)
            guard to > from, span(from, to) > day / 2 else { return try fromOrders(db, from: from, to: to, byDay: byDay) }
            var totals = try fromRunningTotals(db, from: start, to: end, byDay: byDay)
            try fromOrders(db, from: start, to: from, byDay: byDay, sign: -1, into: &totals)
            try fromOrders(db, from: to, to: end, byDay: byDay, sign: -1, into: &totals)
            return totals
        }
        // The running totals cover [wholeFrom, wholeTo); each edge is then added or taken out.
        var wholeFrom = from, wholeTo = to
        var edges: [(from: Timestamp, to: Timestamp, sign: Int)] = []
        if let from, !isWhole(from) {
            let start = floorDay(from), end = plusDay(start)
            if span(start, from) <= span(from, end) {
                wholeFrom = start
                edges.append((start, from, -1))
            } else {
                wholeFrom = end
                edges.append((from, end, 1))
            }
        }
        if let to, !isWhole(to) {
            let start = floorDay(to), end = plusDay(start)
            if span(start, to) <= span(to, end) {
                wholeTo = start
                edges.append((start, to, 1))
            } else {
                wholeTo = end
                edges.append((to, end, -1))
            }
        }
        var totals = try fromRunningTotals(db, from: wholeFrom, to: wholeTo, byDay: byDay)
        for edge in edges {
            try fromOrders(db, from: edge.from, to: edge.to, byDay: byDay, sign: edge.sign, into: &totals)
        }
        return totals
    }
}

extension LedgerDatabase {
    /// Totals of the orders listed within the bounds (from inclusive, to exclusive), as held now: whole UTC days
    /// from the running totals, part-days at the edges from the orders themselves. Both are exact.
    public func totals(createdFrom from: Timestamp?, createdTo to: Timestamp?, byDay: Bool) async throws -> LedgerTotals {
        try await pool.read { db in try TotalsQueries.fromRunningTotalsAndEdges(db, from: from, to: to, byDay: byDay) }
    }

    /// Totals of the orders listed within the bounds as the ledger held them at `asOf`, rebuilt from the trail.
    public func totals(createdFrom from: Timestamp?, createdTo to: Timestamp?, byDay: Bool, asOf: Timestamp,
                       strategy: AsOfStrategy = .automatic) async throws -> LedgerTotals {
        try await pool.read { db in
            try TotalsQueries.asOf(db, asOf, from: from, to: to, byDay: byDay, strategy: strategy)
        }
    }
}
