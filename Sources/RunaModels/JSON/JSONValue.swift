import Foundation

/// Any JSON value, kept whole so that fields Runa adds without a version bump survive a round trip.
///
/// Numbers are held as `Decimal`, never `Double`, so no amount hiding in an untyped field is rounded.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Each failed attempt costs a thrown error, so strings (the commonest) come first. The decoder never converts
        // between kinds, so the order does not change what is decoded; objects stay last, so a broken object
        // reports its own error.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The string, when this is a JSON string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The members, when this is a JSON object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }
}

/// Encodes values as compact JSON with sorted keys: one spelling per value, so stored JSON compares byte for byte.
public enum CanonicalJSON {
    /// A JSON string literal for `text`, escaped as `JSONEncoder` does (`/` unescaped); fast, for hot paths.
    public static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The canonical JSON text of `value`.
    public static func string(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every type encoded here is a plain value type whose encoding cannot fail.
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension CanonicalJSON {
    /// The canonical text of a JSON value, written directly instead of through `JSONEncoder`: every delivery's
    /// payment method passes here on the request path. Byte for byte what the generic `string(_:)` writes, which a
    /// property test holds it to; a number (rare in payloads) is still written by `JSONEncoder`.
    public static func string(_ value: JSONValue) -> String {
        var out = ""
        append(value, to: &out)
        return out
    }

    /// The canonical text of a map of strings (an order's `metadata`), written directly.
    public static func string(_ map: [String: String]) -> String {
        var out = "{"
        for (index, key) in sortedKeys(map.keys).enumerated() {
            if index > 0 { out += "," }
            out += quote(key) + ":" + quote(map[key]!)
        }
        return out + "}"
    }

    /// The canonical text of an order's `transaction_detail`, written directly when no entry has FX details (the
    /// common case); otherwise through `JSONEncoder`.
    public static func string(_ detail: [String: TransactionDetailEntry]) -> String {
        guard detail.values.allSatisfy({ $0.fx == nil }) else { return viaEncoder(detail) }
        var out = "{"
        for (index, currency) in sortedKeys(detail.keys).enumerated() {
            if index > 0 { out += "," }
            out += quote(currency) + #":{"fx":null,"value":"# + quote(detail[currency]!.value.description) + "}"
        }
        return out + "}"
    }

    private static func append(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .string(let text): out += quote(text)
        case .number(let number): out += viaEncoder(number)
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                append(element, to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in sortedKeys(members.keys).enumerated() {
                if index > 0 { out += "," }
                out += quote(key) + ":"
                append(members[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// Keys in the order `JSONEncoder`'s `.sortedKeys` writes them: by their UTF-8 bytes.
    static func sortedKeys(_ keys: some Sequence<String>) -> [String] {
        keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// `JSONEncoder`'s canonical text, whatever overloads exist for the concrete type.
    static func viaEncoder<Value: Encodable>(_ value: Value) -> String {
        string(value)
    }
}

