import RunaModels

/// Where an observation of an order came from.
public enum ChangeSource: String, Sendable, Hashable, Codable {
    /// A signed `order.completion` delivery.
    case webhook
    /// The background reconciler's calls to Runa's API.
    case reconciler
    /// An explicit API call made on an operator's request (backfill, CLI).
    case api
}

/// An order-level field the ledger tracks, named as in Runa's payload and the `orders` table.
public enum OrderField: String, Sendable, CaseIterable, Comparable {
    case createdAt = "created_at"
    case completedAt = "completed_at"
    case currency
    case totalPrice = "total_price"
    case totalDiscount = "total_discount"
    case description
    case paymentMethod = "payment_method"
    case metadata
    case transactionDetail = "transaction_detail"
    case executionMode = "execution_mode"

    public static func < (lhs: OrderField, rhs: OrderField) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One field value in the ledger. Amounts compare by value (`"10"` equals `"10.00"`), instants by instant.
public enum FieldValue: Sendable, Hashable {
    case text(String)
    case money(Money)
    case time(Timestamp)
    /// Canonical JSON text (sorted keys), so equal documents compare equal.
    case json(String)

    /// The value as a JSON fragment, for the audit trail.
    public var jsonFragment: String {
        switch self {
        case .text(let text): return CanonicalJSON.quote(text)
        case .money(let money): return CanonicalJSON.quote(money.description)
        case .time(let time): return CanonicalJSON.quote(time.canonical)
        case .json(let json): return json
        }
    }

    /// The value as text for an SQL column (JSON for structured values).
    public var columnText: String {
        switch self {
        case .text(let text): return text
        case .money(let money): return money.description
        case .time(let time): return time.canonical
        case .json(let json): return json
        }
    }
}

/// The ledger's knowledge of one order, as the merge rules see it: plain values, no database.
public struct LedgerOrder: Sendable, Equatable {
    public var id: String
    public var status: OrderStatus
    /// Known order-level fields; a missing key means unknown or null.
    public var fields: [OrderField: FieldValue]
    /// Items in Runa's order.
    public var items: [LedgerItem]
    /// Whether a full `GET /order/{id}` answer (or a payload with items) has been applied.
    public var detailsKnown: Bool
    /// Values another source reported that the ledger did not take, by field (`status`, `total_price`, …).
    public var disputes: [String: String]

    public init(
        id: String, status: OrderStatus, fields: [OrderField: FieldValue] = [:], items: [LedgerItem] = [],
        detailsKnown: Bool = false, disputes: [String: String] = [:]
    ) {
        self.id = id
        self.status = status
        self.fields = fields
        self.items = items
        self.detailsKnown = detailsKnown
        self.disputes = disputes
    }

    /// The item with `id`, if known.
    public func item(_ id: String) -> LedgerItem? { items.first { $0.id == id } }
}

/// One item of an order and its payout, as the ledger knows them.
public struct LedgerItem: Sendable, Equatable {
    public var id: String
    public var position: Int
    /// Item fields by name (`face_value`, `price`, `currency`, `distribution`, `products`, `redemption_url`).
    public var fields: [String: FieldValue]
    public var payout: Payout?

    public init(id: String, position: Int, fields: [String: FieldValue], payout: Payout?) {
        self.id = id
        self.position = position
        self.fields = fields
        self.payout = payout
    }
}

/// The columns `order_items` derives from an item for filtering: its distribution and product types and its
/// product codes (canonical JSON). Taken from the typed payload when the observation is made.
struct ItemColumns: Sendable, Equatable {
    var distributionType: String
    var productType: String
    var productCodes: String

    init(_ item: OrderItem) {
        distributionType = item.distributionMethod.type
        productType = item.products.type
        productCodes = CanonicalJSON.string(item.products.productCodes)
    }
}

extension RunaOrder {
    /// What this payload says about each order-level field: absent, null, or a value.
    func reportedFields() -> [OrderField: Reported<FieldValue>] {
        var out: [OrderField: Reported<FieldValue>] = [:]
        func put(_ field: OrderField, _ value: FieldValue?) { out[field] = value.map(Reported.value) ?? .absent }
        put(.createdAt, createdAt.map(FieldValue.time))
        put(.completedAt, completedAt.map(FieldValue.time))
        put(.currency, currency.map(FieldValue.text))
        put(.totalPrice, totalPrice.map(FieldValue.money))
        put(.totalDiscount, totalDiscount.map(FieldValue.money))
        switch description {
        case .absent: out[.description] = .absent
        case .null: out[.description] = .null
        case .value(let text): out[.description] = .value(.text(text))
        }
        put(.paymentMethod, paymentMethod.map { .json(CanonicalJSON.string($0)) })
        switch metadata {
        case .absent: out[.metadata] = .absent
        case .null: out[.metadata] = .null
        case .value(let map): out[.metadata] = .value(.json(CanonicalJSON.string(map)))
        }
        put(.transactionDetail, transactionDetail.map { .json(CanonicalJSON.string($0)) })
        put(.executionMode, executionMode.map(FieldValue.text))
        return out
    }
}

extension OrderItem {
    /// The item's own fields (everything but the payout), as the ledger stores them.
    func ledgerFields() -> [String: FieldValue] {
        var out: [String: FieldValue] = [
            "face_value": .money(faceValue),
            "price": .money(price),
            "distribution": .json(CanonicalJSON.string(distributionMethod)),
            "products": .json(CanonicalJSON.string(products)),
        ]
        if let currency { out["currency"] = .text(currency) }
        if let redemptionURL { out["redemption_url"] = .text(redemptionURL) }
        return out
    }
}

extension Payout {
    /// The payout's fields by name, for the audit trail.
    func ledgerFields() -> [String: FieldValue] {
        var out: [String: FieldValue] = [
            "status": .text(status.rawValue),
            "status_updated_at": .time(statusUpdatedAt),
            "url": .text(url),
        ]
        if let expiryDate { out["expiry_date"] = .time(expiryDate) }
        return out
    }
}
