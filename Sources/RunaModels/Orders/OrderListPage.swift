import Foundation

/// One page of `GET /order`: order summaries, newest first, and the cursors around them.
public struct OrderListPage: Sendable, Hashable, Codable {
    public var items: [RunaOrder]
    public var pagination: Pagination

    public init(items: [RunaOrder], pagination: Pagination) {
        self.items = items
        self.pagination = pagination
    }

    /// The cursors and page size of a list answer.
    public struct Pagination: Sendable, Hashable, Codable {
        public var cursors: Cursors
        public var page: Page?

        public init(cursors: Cursors, page: Page?) {
            self.cursors = cursors
            self.page = page
        }
    }

    /// `after` pages towards older orders, `before` towards newer ones.
    public struct Cursors: Sendable, Hashable, Codable {
        public var after: String?
        public var before: String?

        public init(after: String?, before: String?) {
            self.after = after
            self.before = before
        }
    }

    /// The page size that was applied.
    public struct Page: Sendable, Hashable, Codable {
        public var limit: Int?

        public init(limit: Int?) { self.limit = limit }
    }

    /// Decodes a list page from JSON bytes, or says where and why it cannot.
    public static func decode(from data: Data) throws(PayloadError) -> OrderListPage {
        try RunaJSON.decode(OrderListPage.self, from: data)
    }
}

/// Runa's error body: `{"type", "message", "help"?, "details"?}`; validation errors carry `details`.
public struct RunaErrorBody: Sendable, Hashable, Codable, Error {
    public var type: String
    public var message: String
    public var help: String?
    public var details: [ValidationErrorItem]?

    public init(type: String, message: String, help: String? = nil, details: [ValidationErrorItem]? = nil) {
        self.type = type
        self.message = message
        self.help = help
        self.details = details
    }

    /// One validation problem; `location` is the path into the request body, as strings (`["items", "0", "face_value"]`).
    public struct ValidationErrorItem: Sendable, Hashable, Codable {
        public var type: String
        public var message: String
        public var location: [String]

        public init(type: String, message: String, location: [String]) {
            self.type = type
            self.message = message
            self.location = location
        }
    }
}

/// Runa's 429 body: `{"error": "rate exceeded"}`.
public struct RateExceededBody: Sendable, Hashable, Codable {
    public var error: String

    public init(error: String = "rate exceeded") { self.error = error }
}

/// Decoding of Runa's JSON with errors translated into ``PayloadError``.
public enum RunaJSON {
    /// Decodes `type` from `data`, reporting the JSON path of the first problem; ``screen(_:)`` runs first.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(PayloadError) -> T {
        if let problem = screen(data) { throw problem }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw PayloadError(error)
        } catch {
            throw PayloadError(path: "", problem: "not valid JSON")
        }
    }

    /// The deepest nesting of arrays and objects a payload may have. Runa's deepest (an order's item's payout, or
    /// an FX fee) is 5; 64 leaves room for metadata Runa may add, and keeps a hostile body (nested 500 deep cost
    /// over a second to decode) from costing anything.
    public static let maxNestingDepth = 64

    /// What no Runa payload has, found in one pass over the bytes before any parser runs: a NUL, raw or escaped
    /// as `\u0000` (SQLite's C API ends text at it, so it would be stored cut short: a fuzzed item id `"\u0000"` was
    /// stored as `''` while the audit trail hashed one byte), or nesting deeper than ``maxNestingDepth`` (brackets
    /// inside strings do not count).
    public static func screen(_ data: Data) -> PayloadError? {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> PayloadError? in
            var depth = 0, inString = false, index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0 { return nul }
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        if index + 5 < bytes.count, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "0"),
                           bytes[index + 3] == UInt8(ascii: "0"), bytes[index + 4] == UInt8(ascii: "0"),
                           bytes[index + 5] == UInt8(ascii: "0") {
                            return nul
                        }
                        index += 2
                        continue
                    }
                    if byte == UInt8(ascii: "\"") { inString = false }
                } else {
                    switch byte {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        depth += 1
                        if depth > maxNestingDepth { return tooDeep }
                    case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
                    default: break
                    }
                }
                index += 1
            }
            return nil
        }
    }

    private static let nul = PayloadError(path: "", problem: "a string holds U+0000 (NUL), which no Runa field has")
    private static let tooDeep = PayloadError(
        path: "", problem: "JSON nested deeper than \(maxNestingDepth) levels, which no Runa payload is")

    /// Encodes `value` as compact JSON with sorted keys.
    public static func encode(_ value: some Encodable) -> Data {
        Data(CanonicalJSON.string(value).utf8)
    }
}

/// The `202 Accepted` answer to an async `POST /order`: `{"id", "status"}`.
public struct AcceptedOrder: Sendable, Hashable, Codable {
    public var id: String
    public var status: OrderStatus

    public init(id: String, status: OrderStatus) {
        self.id = id
        self.status = status
    }
}
