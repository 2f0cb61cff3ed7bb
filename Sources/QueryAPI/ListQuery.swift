import Foundation
import GRDB
import Ledger
import Hummingbird
import NIOCore

/// A keyset-paginated list over the ledger: filters, a sort key, and a way to turn a row into a view.
///
/// Pages continue strictly after the last row's sort key, so rows inserted between two requests never cause a gap or
/// a repeat; CSV walks the same pages to the end, holding one page in memory at a time.
struct ListQuery<View: Encodable & Sendable>: Sendable {
    /// The select list and the FROM clause (with joins).
    var select: String
    var from: String
    /// Sort expressions, most significant first, and the result columns that hold their values.
    var sortExpressions: [String]
    var sortColumns: [String]
    var ascending = false
    var conditions: [String] = []
    var arguments: [DatabaseValue] = []
    var view: @Sendable (Row) -> View

    mutating func filter(_ condition: String, _ values: [DatabaseValueConvertible?] = []) {
        conditions.append(condition)
        arguments += values.map { $0?.databaseValue ?? .null }
    }

    /// Up to `limit` rows after `after`; and the sort key of the last one when more follow.
    func page(_ database: DatabasePool, after: [String]?, limit: Int) async throws -> (items: [View], next: [String]?) {
        let transform = view
        return try await rows(database, after: after, limit: limit) { rows in rows.map(transform) }
    }

    /// Up to `limit` rows after `after` as CSV lines, made straight from the rows (no view in between).
    func csvPage(_ database: DatabasePool, after: [String]?, limit: Int, fields: @escaping @Sendable (Row) -> [String?])
        async throws -> (items: (text: String, count: Int), next: [String]?)
    {
        try await rows(database, after: after, limit: limit) { rows in
            var text = ""
            text.reserveCapacity(rows.count * 160)
            for row in rows { CSVWriter.append(fields(row), to: &text) }
            return (text, rows.count)
        }
    }

    /// Up to `limit` rows after `after` as the items of a JSON array, written straight from the rows.
    func jsonPage(_ database: DatabasePool, after: [String]?, limit: Int,
                  write: @escaping @Sendable (Row, inout String) -> Void) async throws -> (items: String, next: [String]?) {
        try await rows(database, after: after, limit: limit) { rows in
            var text = ""
            text.reserveCapacity(rows.count * 600)
            for (index, row) in rows.enumerated() {
                if index > 0 { text.append(",") }
                write(row, &text)
            }
            return text
        }
    }

    private func rows<T: Sendable>(_ database: DatabasePool, after: [String]?, limit: Int,
                                   _ transform: @escaping @Sendable (ArraySlice<Row>) -> T) async throws -> (items: T, next: [String]?) {
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
        let sql = "SELECT \(select) FROM \(from)"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY \(order) LIMIT ?"
        arguments.append((limit + 1).databaseValue)
        let boundArguments = arguments
        let columns = sortColumns
        let (items, count, next) = try await database.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(boundArguments))
            let shown = rows.prefix(limit)
            let next: [String]? = rows.count > limit ? shown.last.map { row in
                columns.map { column in Self.text(row[column]) }
            } : nil
            return (transform(shown), shown.count, next)
        }
        RowCount.report(count)
        return (items, next)
    }

    private static func text(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .string(let text): return text
        case .int64(let number): return String(number)
        case .double(let number): return String(number)
        case .blob, .null: return ""
        }
    }

    /// Every row, as CSV with a header, a page at a time: to an HTTP response or any writer (the export).
    func csv(_ database: DatabasePool, header: [String], fields: @escaping @Sendable (Row) -> [String?],
             write: (String) async throws -> Void) async throws -> Int {
        try await write(CSVWriter.line(header))
        var after: [String]?
        var count = 0
        repeat {
            let page = try await csvPage(database, after: after, limit: 5_000, fields: fields)
            if page.items.count > 0 { try await write(page.items.text) }
            count += page.items.count
            after = page.next
        } while after != nil
        return count
    }

    /// Every row as a streamed CSV response body.
    func csvBody(_ database: DatabasePool, header: [String], fields: @escaping @Sendable (Row) -> [String?]) -> ResponseBody {
        let count = RowCount.streaming()
        return ResponseBody { writer in
            var sink = writer
            let rows = try await self.csv(database, header: header, fields: fields) { chunk in
                try await sink.write(ByteBuffer(string: chunk))
            }
            // The access log entry is durable before the stream's end reaches the client.
            try await count?.finishStream(rows)
            try await sink.finish(nil)
        }
    }
}
