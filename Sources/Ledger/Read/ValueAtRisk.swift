import GRDB
import RunaModels

/// Payout aging and value at risk, computed from the `payouts` rows in integer micro-units.
public struct ValueAtRisk: Encodable, Sendable, Equatable {
    public struct Bucket: Encodable, Sendable, Equatable {
        public var bucket: String
        public var payouts = 0
        public var faceMicros: Int64 = 0

        enum CodingKeys: String, CodingKey { case bucket, payouts, faceValue = "face_value" }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(bucket, forKey: .bucket)
            try c.encode(payouts, forKey: .payouts)
            try c.encode(Money.plainString(micros: faceMicros), forKey: .faceValue)
        }
    }

    public struct Currency: Encodable, Sendable, Equatable {
        public var currency: String?
        public var activePayouts = 0
        public var faceMicros: Int64 = 0
        public var byAge: [Bucket] = ValueAtRisk.ageBuckets.map { Bucket(bucket: $0) }
        public var byExpiry: [Bucket] = ValueAtRisk.expiryBuckets.map { Bucket(bucket: $0) }

        enum CodingKeys: String, CodingKey {
            case currency, activePayouts = "active_payouts", faceValue = "face_value", byAge = "by_age", byExpiry = "by_expiry"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(currency, forKey: .currency)
            try c.encode(activePayouts, forKey: .activePayouts)
            try c.encode(Money.plainString(micros: faceMicros), forKey: .faceValue)
            try c.encode(byAge, forKey: .byAge)
            try c.encode(byExpiry, forKey: .byExpiry)
        }
    }

    /// Bucket bounds in whole days: `[0, 7)`, `[7, 30)`, `[30, 90)`, `[90, ∞)`.
    static let dayBounds: [Int64] = [7, 30, 90]
    /// Age since activation.
    public static let ageBuckets = ["0-7d", "7-30d", "30-90d", "90d+"]
    /// Time left to expiry; `expired` is a payout past its expiry the ledger still holds ACTIVE (the reconciler
    /// refreshes those first), `none` one without an expiry date.
    public static let expiryBuckets = ["expired", "0-7d", "7-30d", "30-90d", "90d+", "none"]

    /// The index among `[0, 7)`, `[7, 30)`, `[30, 90)`, `[90, ∞)` of a non-negative span in microseconds.
    static func dayBucket(_ micros: Int64) -> Int {
        dayBounds.firstIndex { micros < $0 * 86_400_000_000 } ?? dayBounds.count
    }

    public var at: String
    public var currencies: [Currency]

    static func compute(_ db: Database, now: Timestamp, currency: String?) throws -> ValueAtRisk {
        var byCurrency: [String: Currency] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT i.currency, i.face_value_micros, p.status_updated_at, p.expiry_date
            FROM payouts p JOIN order_items i ON i.id = p.item_id
            WHERE p.status = 'ACTIVE' AND (? IS NULL OR i.currency = ?)
            """, arguments: [currency, currency])
        while let row = try rows.next() {
            let code: String? = row["currency"]
            let face: Int64 = row["face_value_micros"]
            var entry = byCurrency[code ?? ""] ?? Currency(currency: code)
            entry.activePayouts += 1
            entry.faceMicros += face
            let activated = Timestamp(rfc3339: row["status_updated_at"] as String) ?? now
            let ageIndex = dayBucket(max(0, now.microsecondsSinceEpoch - activated.microsecondsSinceEpoch))
            entry.byAge[ageIndex].payouts += 1
            entry.byAge[ageIndex].faceMicros += face
            let expiryIndex: Int
            if let expiry = (row["expiry_date"] as String?).flatMap({ Timestamp(rfc3339: $0) }) {
                let left = expiry.microsecondsSinceEpoch - now.microsecondsSinceEpoch
                expiryIndex = left <= 0 ? 0 : 1 + dayBucket(left)
            } else {
                expiryIndex = expiryBuckets.count - 1
            }
            entry.byExpiry[expiryIndex].payouts += 1
            entry.byExpiry[expiryIndex].faceMicros += face
            byCurrency[code ?? ""] = entry
        }
        return ValueAtRisk(at: now.canonical, currencies: byCurrency.sorted { $0.key < $1.key }.map(\.value))
    }
}

extension LedgerDatabase {
    /// Per currency (or one), the face value of payouts still ACTIVE at `now`, by age and by time to expiry.
    public func valueAtRisk(now: Timestamp, currency: String?) async throws -> ValueAtRisk {
        try await pool.read { db in try ValueAtRisk.compute(db, now: now, currency: currency) }
    }
}
