import Foundation
import Ledger
import RunaModels

/// One column of a view's value: how it is written in JSON, and (as text) in CSV.
enum ColumnValue: Sendable {
    /// A string, or null.
    case text(String?)
    /// JSON text the ledger wrote itself (canonical JSON), written as it is; null when absent.
    case json(String?)
    case bool(Bool)
    case int(Int64?)

    /// The CSV field: text as it is, JSON as its text, booleans as `true`/`false`.
    var csv: String? {
        switch self {
        case .text(let text), .json(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return number.map { String($0) }
        }
    }

    func appendJSON(to text: inout String) {
        switch self {
        case .text(let value): text += value.map(CanonicalJSON.quote) ?? "null"
        case .json(let value): text += value ?? "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .int(let number): text += number.map { String($0) } ?? "null"
        }
    }
}

/// A view's columns, declared once: the JSON object (keys in sorted order) and the CSV line (the columns marked
/// for CSV, in declaration order) are both written from this list, so the two forms cannot drift apart.
struct ViewColumns<Record: Sendable>: Sendable {
    struct Column: Sendable {
        let name: String
        let inCSV: Bool
        let value: @Sendable (Record) -> ColumnValue

        /// A column named `name` whose value is `value`; `csv: false` leaves it out of the CSV form (JSON documents).
        static func column(_ name: String, csv: Bool = true, _ value: @escaping @Sendable (Record) -> ColumnValue) -> Column {
            Column(name: name, inCSV: csv, value: value)
        }
    }

    let columns: [Column]
    private let sorted: [Column]
    private let csvColumns: [Column]

    init(_ columns: [Column]) {
        self.columns = columns
        sorted = columns.sorted { $0.name < $1.name }
        csvColumns = columns.filter(\.inCSV)
    }

    /// The CSV header.
    var csvHeader: [String] { csvColumns.map(\.name) }

    /// The CSV fields of a record, in header order.
    func csvFields(_ record: Record) -> [String?] { csvColumns.map { $0.value(record).csv } }

    /// Writes `record` as a JSON object with sorted keys; `extra` members (already JSON) are merged in key order.
    func appendJSON(_ record: Record, extra: [(key: String, json: String)] = [], to text: inout String) {
        var pending = extra.sorted { $0.key < $1.key }[...]
        var first = true
        func member(_ key: String, _ write: (inout String) -> Void) {
            text += first ? "{" : ","
            first = false
            text += CanonicalJSON.quote(key) + ":"
            write(&text)
        }
        for column in sorted {
            while let next = pending.first, next.key < column.name {
                member(next.key) { $0 += next.json }
                pending = pending.dropFirst()
            }
            member(column.name) { column.value(record).appendJSON(to: &$0) }
        }
        for next in pending { member(next.key) { $0 += next.json } }
        text += first ? "{}" : "}"
    }

    func json(_ record: Record, extra: [(key: String, json: String)] = []) -> String {
        var text = ""
        appendJSON(record, extra: extra, to: &text)
        return text
    }

    /// Records as the items of a JSON array.
    func jsonArray(_ records: [Record]) -> String {
        var text = "["
        text.reserveCapacity(records.count * 600)
        for (index, record) in records.enumerated() {
            if index > 0 { text += "," }
            appendJSON(record, to: &text)
        }
        return text + "]"
    }

    /// Records as CSV lines.
    func csvLines(_ records: [Record]) -> String {
        var text = ""
        text.reserveCapacity(records.count * 160)
        for record in records { CSVWriter.append(csvFields(record), to: &text) }
        return text
    }
}

/// A record and its columns, for views that are encoded with `JSONEncoder` (a summary, a close): the same members
/// the fast writer produces, through the encoder.
struct Columned<Record: Sendable>: Encodable, Sendable {
    let record: Record
    let columns: ViewColumns<Record>

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        for column in columns.columns {
            let key = AnyKey(stringValue: column.name)
            switch column.value(record) {
            case .text(let text): try c.encode(text, forKey: key)
            case .json(let text):
                let value = try text.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
                try c.encode(value, forKey: key)
            case .bool(let flag): try c.encode(flag, forKey: key)
            case .int(let number): try c.encode(number, forKey: key)
            }
        }
    }
}

/// A coding key from a string, for views written out by hand.
struct AnyKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { stringValue = value }
}
