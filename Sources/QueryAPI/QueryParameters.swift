import Foundation
import HTTPCommon
import Hummingbird
import RunaModels

/// The query string of a `/v1` request, validated: a bad value is a 400 that names its parameter, and so is a
/// parameter the route does not know (a typo must not silently widen a finance query), and so is a value holding a
/// control character other than tab and line breaks.
struct QueryParameters {
    private let values: [String: String]

    init(_ request: Request, allowed: Set<String>) throws {
        try self.init(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, allowed: allowed)
    }

    init(_ pairs: [(String, String)], allowed: Set<String>) throws {
        var values: [String: String] = [:]
        for (key, value) in pairs {
            guard allowed.contains(key) || key == "format" else {
                throw Self.bad(key, "unknown parameter; this route takes \(allowed.union(["format"]).sorted().joined(separator: ", "))")
            }
            guard values[key] == nil else { throw Self.bad(key, "given more than once") }
            // No filter takes a control character (SQLite's C API would end text at a NUL); tab and line breaks,
            // which a description may hold, are the exception.
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !"\t\n\r".unicodeScalars.contains($0) }) else {
                throw Self.bad(key, "holds a control character (U+0000–U+001F but tab and line breaks, or U+007F–U+009F)")
            }
            values[key] = value
        }
        self.values = values
    }

    subscript(_ name: String) -> String? { values[name] }

    static func bad(_ name: String, _ problem: String) -> APIError {
        APIError(.badRequest, type: "invalid_parameter", message: "\(name): \(problem)")
    }

    func limit(default value: Int = 100) throws -> Int {
        guard let text = values["limit"] else { return value }
        guard let limit = Int(text), (1...500).contains(limit) else { throw Self.bad("limit", "expected a whole number from 1 to 500") }
        return limit
    }

    /// A comma-separated list, each entry one of `allowed`.
    func list(_ name: String, allowed: [String]) throws -> [String]? {
        guard let text = values[name] else { return nil }
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for entry in entries where !allowed.contains(entry) {
            throw Self.bad(name, "\"\(entry)\" is not one of \(allowed.joined(separator: ", "))")
        }
        return entries
    }

    func currency(_ name: String = "currency") throws -> String? {
        guard let text = values[name] else { return nil }
        guard text.utf8.count == 3, text.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
            throw Self.bad(name, "expected an ISO 4217 code such as USD")
        }
        return text
    }

    /// An RFC 3339 instant, or a date (`2026-10-01`, meaning its start in UTC).
    func instant(_ name: String) throws -> Timestamp? {
        guard let text = values[name] else { return nil }
        if let time = Timestamp(rfc3339: text) { return time }
        if text.count == 10, let time = Timestamp(rfc3339: text + "T00:00:00Z") { return time }
        throw Self.bad(name, "expected a date (2026-10-01) or an RFC 3339 time (2026-10-01T12:00:00Z)")
    }

    func oneOf(_ name: String, _ allowed: [String]) throws -> String? {
        guard let text = values[name] else { return nil }
        guard allowed.contains(text) else { throw Self.bad(name, "expected one of \(allowed.joined(separator: ", "))") }
        return text
    }

    /// Whether the caller asked for CSV (`format=csv` or `Accept: text/csv`).
    static func wantsCSV(_ request: Request, _ parameters: QueryParameters) throws -> Bool {
        if let format = try parameters.oneOf("format", ["json", "csv"]) { return format == "csv" }
        return request.headers[.accept]?.contains("text/csv") == true
    }

    /// A stable fingerprint of the filters, binding cursors to their query.
    var fingerprint: String {
        values.filter { $0.key != "after" && $0.key != "limit" && $0.key != "format" }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }
}
