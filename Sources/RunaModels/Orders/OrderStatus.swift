/// The life of a Runa order: `PROCESSING`, then `COMPLETED` or `FAILED` for good.
public enum OrderStatus: String, Sendable, Codable, CaseIterable, Comparable {
    case processing = "PROCESSING"
    case completed = "COMPLETED"
    case failed = "FAILED"

    /// `COMPLETED` and `FAILED` are final: an order never leaves them (except to correct a conflict).
    public var isTerminal: Bool { self != .processing }

    /// Processing ranks below both terminal states; the two terminal states rank equal.
    public static func < (lhs: OrderStatus, rhs: OrderStatus) -> Bool { !lhs.isTerminal && rhs.isTerminal }
}

/// The state of one payout link. Runa may add states, so unknown values are kept rather than rejected.
public struct PayoutStatus: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Live, not yet claimed.
    public static let active = PayoutStatus(rawValue: "ACTIVE")
    /// Redeemed by the end user.
    public static let claimed = PayoutStatus(rawValue: "CLAIMED")
    /// Cancelled at the company's request.
    public static let cancelled = PayoutStatus(rawValue: "CANCELLED")
    /// The link expired.
    public static let expired = PayoutStatus(rawValue: "EXPIRED")

    /// The states Runa documents.
    public static let documented: [PayoutStatus] = [.active, .claimed, .cancelled, .expired]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard !raw.isEmpty else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "empty payout status")
        }
        self.rawValue = raw
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

/// What a payload said about an optional field: nothing at all, an explicit `null`, or a value.
///
/// The difference matters for merging: an absent field never erases what the ledger knows.
public enum Reported<Value: Sendable & Hashable>: Sendable, Hashable {
    case absent
    case null
    case value(Value)

    /// The value, when one was reported.
    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }

    /// Whether the payload mentioned the field at all.
    public var isPresent: Bool {
        if case .absent = self { return false }
        return true
    }

    /// `.value` for a non-nil argument, `.null` otherwise.
    public init(_ optional: Value?) {
        self = optional.map(Reported.value) ?? .null
    }
}

extension KeyedDecodingContainer {
    /// Decodes a field that may be absent, `null`, or a value.
    func decodeReported<T: Decodable & Sendable & Hashable>(_ type: T.Type, forKey key: Key) throws -> Reported<T> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(type, forKey: key))
    }

    /// Decodes a required, non-null field, reporting a missing one as `keyNotFound` (so the path names the key).
    func decodeRequired<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard contains(key) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "required field is missing"))
        }
        return try decode(type, forKey: key)
    }
}

extension KeyedEncodingContainer {
    mutating func encodeReported<T: Encodable>(_ reported: Reported<T>, forKey key: Key) throws {
        switch reported {
        case .absent: break
        case .null: try encodeNil(forKey: key)
        case .value(let value): try encode(value, forKey: key)
        }
    }
}
