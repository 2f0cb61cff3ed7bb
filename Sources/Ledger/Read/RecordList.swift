import GRDB

/// A keyset-paginated list of records: its filters, its sort key, and how to read a record from a row.
///
/// Pages continue strictly after the last row's sort key, so rows inserted between two requests never cause a gap
/// or a repeat; ``forEachPage(size:_:)`` walks the same pages to the end, one page in memory at a time. The sort
/// key is handed out as text (the query API signs it into its cursors) and taken back as text.
public struct RecordList<Record: Sendable>: Sendable {
    let database: LedgerDatabase
    /// The select list and the FROM clause (with joins).
    var select: String
    var from: String
    /// Sort expressions, most significant first, and the result columns that hold their values.
    var sortExpressions: [String]
    var sortColumns: [String]
    var ascending = false
    var conditions: [String] = []
    var arguments: [DatabaseValue] = []
    let record: @Sendable (Row) -> Record

    init(_ database: LedgerDatabase, select: String, from: String, sortExpressions: [String], sortColumns: [String],
         ascending: Bool = false, record: @escaping @Sendable (Row) -> Record) {
        self.database = database
        self.select = select
        self.from = from
        self.sortExpressions = sortExpressions
        self.sortColumns = sortColumns
        self.ascending = ascending
        self.record = record
    }

    mutating func filter(_ condition: String, _ values: [DatabaseValueConvertible?] = []) {
        conditions.append(condition)
        arguments += values.map { $0?.databaseValue ?? .null }
    }

    /// Up to `limit` records after the sort key `after` (`nil`: from the start), and the key of the last one when
    /// more follow.
    public func page(after: [String]?, limit: Int) async throws -> (records: [Record], next: [String]?) {
        let sql = statement(after: after)
        var arguments = sql.arguments
        arguments.append((limit + 1).databaseValue)
        let bound = arguments, columns = sortColumns, record = record
        return try await database.pool.read { db in
            // Rows straight from the statement: a copied row finds a column by name by lowercasing every column
            // name, which was a fifth of a CSV export's time.
            let rows = try Row.fetchCursor(db, sql: sql.text, arguments: StatementArguments(bound))
            var records: [Record] = []
            records.reserveCapacity(min(limit, 10_000))
            var lastKey: [String]?
            while let row = try rows.next() {
                guard records.count < limit else {
                    return (records, lastKey)
                }
                records.append(record(row))
                if records.count == limit { lastKey = columns.map { Self.text(row[$0]) } }
            }
            return (records, nil)
        }
    }

    /// Every record, a page of `size` at a time, to `body`; returns how many there were. The next page is read while
    /// `body` handles the current one, so at most two pages are in memory.
    @discardableResult
    public func forEachPage(size: Int = 5_000, _ body: ([Record]) async throws -> Void) async throws -> Int {
        var current = try await page(after: nil, limit: size)
        var count = 0
        while true {
            let after = current.next
            async let upcoming = page(following: after, limit: size)
            if !current.records.isEmpty { try await body(current.records) }
            count += current.records.count
            guard let next = try await upcoming else { return count }
            current = next
        }
    }

    /// The page after `after`, or `nil` when there is none (`after` is `nil`: the end was reached).
    private func page(following after: [String]?, limit: Int) async throws -> (records: [Record], next: [String]?)? {
        guard let after else { return nil }
        return try await page(after: after, limit: limit)
    }

    private func statement(after: [String]?) -> (text: String, arguments: [DatabaseValue]) {
        var conditions = self.conditions
        var arguments = self.arguments
        if let after, after.count == sortExpressions.count {
            // Written out rather than as a row value, so SQLite seeks in the index instead of scanning to the cursor.
            let (strict, inclusive) = ascending ? (">", ">=") : ("<", "<=")
            let first = sortExpressions[0]
            if sortExpressions.count == 1 {
                // A single key is an integer (an event's seq, a listing key): bound as one, so a virtual table sees it.
                conditions.append("\(first) \(strict) ?")
                arguments.append(Int64(after[0]).map(\.databaseValue) ?? after[0].databaseValue)
            } else {
                let second = sortExpressions[1]
                conditions.append("\(first) \(inclusive) ? AND (\(first) \(strict) ? OR (\(first) = ? AND \(second) \(strict) ?))")
                arguments += [after[0], after[0], after[0], after[1]].map(\.databaseValue)
            }
        }
        let order = sortExpressions.map { "\($0) \(ascending ? "ASC" : "DESC")" }.joined(separator: ", ")
        let text = "SELECT \(select) FROM \(from)"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY \(order) LIMIT ?"
        return (text, arguments)
    }

    private static func text(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .string(let text): return text
        case .int64(let number): return String(number)
        case .double(let number): return String(number)
        case .blob, .null: return ""
        }
    }
}
