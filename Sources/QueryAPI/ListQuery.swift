import Foundation
import GRDB
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
        var conditions = self.conditions
        var arguments = self.arguments
        if let after, after.count == sortExpressions.count {
            // Written out rather than as a row value, so SQLite seeks in the index instead of scanning to the cursor.
            let (strict, inclusive) = ascending ? (">", ">=") : ("<", "<=")
            let first = sortExpressions[0]
            if sortExpressions.count == 1 {
                conditions.append("\(first) \(strict) ?")
                arguments.append(after[0].databaseValue)
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
        let transform = view
        return try await database.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(boundArguments))
            let shown = rows.prefix(limit)
            let next: [String]? = rows.count > limit ? shown.last.map { row in
                columns.map { column in Self.text(row[column]) }
            } : nil
            return (shown.map(transform), next)
        }
    }

    private static func text(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .string(let text): return text
        case .int64(let number): return String(number)
        case .double(let number): return String(number)
        case .blob, .null: return ""
        }
    }

    /// Every row, as CSV with a header, streamed a page at a time (the export writes the same lines).
    func csv(_ database: DatabasePool, header: [String], fields: @escaping @Sendable (View) -> [String?]) -> ResponseBody {
        ResponseBody { writer in
            try await writer.write(ByteBuffer(string: CSVWriter.line(header)))
            var after: [String]?
            repeat {
                let page = try await self.page(database, after: after, limit: 2_000)
                var chunk = ""
                for item in page.items { chunk += CSVWriter.line(fields(item)) }
                if !chunk.isEmpty { try await writer.write(ByteBuffer(string: chunk)) }
                after = page.next
            } while after != nil
            try await writer.finish(nil)
        }
    }
}
