import Foundation
import GRDB
import Ledger
import RunaModels

/// JSON text stored in the ledger, written back out as JSON (not as a string).
struct RawJSON: Encodable, Sendable {
    let value: JSONValue

    init?(_ text: String?) {
        guard let text, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        self.value = value
    }

    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// An order as the query API shows it: money exactly as Runa sent it, timestamps in the ledger's UTC form.
struct OrderView: Encodable, Sendable {
    var id: String
    var status: String
    var currency: String?
    var totalPrice: String?
    var totalDiscount: String?
    var createdAt: String?
    var completedAt: String?
    var description: String?
    var paymentMethod: RawJSON?
    var metadata: RawJSON?
    var transactionDetail: RawJSON?
    var firstSeenAt: String
    var updatedAt: String
    var lastSource: String
    var detailsKnown: Bool
    var disputes: RawJSON?
    var version: Int
    var items: [ItemView]?
    var events: [EventView]?
    /// How the order reached the ledger (the single-order answer only).
    var arrival: OrderArrival?

    static let columns = ["id", "status", "currency", "total_price", "total_discount", "created_at", "completed_at",
                          "description", "first_seen_at", "updated_at", "last_source", "details_known", "version"]

    init(_ row: Row) {
        id = row["id"]
        status = row["status"]
        currency = row["currency"]
        totalPrice = row["total_price"]
        totalDiscount = row["total_discount"]
        createdAt = row["created_at"]
        completedAt = row["completed_at"]
        description = row["description"]
        paymentMethod = RawJSON(row["payment_method"])
        metadata = RawJSON(row["metadata"])
        transactionDetail = RawJSON(row["transaction_detail"])
        firstSeenAt = row["first_seen_at"]
        updatedAt = row["updated_at"]
        lastSource = row["last_source"]
        detailsKnown = (row["details_fetched_at"] as String?) != nil
        disputes = RawJSON(row["disputes"])
        version = row["version"]
    }

    /// Writes an `orders` row as the same JSON object `encode(to:)` produces (sorted keys), without decoding the
    /// JSON columns: they hold canonical JSON the ledger wrote itself. The hot path of `GET /v1/orders`.
    @Sendable static func appendJSON(_ row: Row, to text: inout String) {
        func string(_ value: String?) -> String { value.map(CanonicalJSON.quote) ?? "null" }
        func raw(_ value: String?) -> String { value ?? "null" }
        text += "{\"completed_at\":" + string(row["completed_at"])
        text += ",\"created_at\":" + string(row["created_at"])
        text += ",\"currency\":" + string(row["currency"])
        text += ",\"description\":" + string(row["description"])
        text += ",\"details_known\":" + ((row["details_fetched_at"] as String?) != nil ? "true" : "false")
        text += ",\"disputes\":" + raw(row["disputes"])
        text += ",\"first_seen_at\":" + string(row["first_seen_at"])
        text += ",\"id\":" + string(row["id"])
        text += ",\"last_source\":" + string(row["last_source"])
        text += ",\"metadata\":" + raw(row["metadata"])
        text += ",\"payment_method\":" + raw(row["payment_method"])
        text += ",\"status\":" + string(row["status"])
        text += ",\"total_discount\":" + string(row["total_discount"])
        text += ",\"total_price\":" + string(row["total_price"])
        text += ",\"transaction_detail\":" + raw(row["transaction_detail"])
        text += ",\"updated_at\":" + string(row["updated_at"])
        text += ",\"version\":" + String(row["version"] as Int) + "}"
    }

    /// The CSV fields of an `orders` row, in ``columns`` order.
    @Sendable static func csvFields(_ row: Row) -> [String?] {
        [row["id"], row["status"], row["currency"], row["total_price"], row["total_discount"], row["created_at"],
         row["completed_at"], row["description"], row["first_seen_at"], row["updated_at"], row["last_source"],
         (row["details_fetched_at"] as String?) != nil ? "true" : "false", String(row["version"] as Int)]
    }

    enum CodingKeys: String, CodingKey {
        case id, status, currency, totalPrice = "total_price", totalDiscount = "total_discount", createdAt = "created_at"
        case completedAt = "completed_at", description, paymentMethod = "payment_method", metadata
        case transactionDetail = "transaction_detail", firstSeenAt = "first_seen_at", updatedAt = "updated_at"
        case lastSource = "last_source", detailsKnown = "details_known", disputes, version, items, events, arrival
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(status, forKey: .status)
        try c.encode(currency, forKey: .currency)
        try c.encode(totalPrice, forKey: .totalPrice)
        try c.encode(totalDiscount, forKey: .totalDiscount)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(completedAt, forKey: .completedAt)
        try c.encode(description, forKey: .description)
        try c.encode(paymentMethod, forKey: .paymentMethod)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(transactionDetail, forKey: .transactionDetail)
        try c.encode(firstSeenAt, forKey: .firstSeenAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(lastSource, forKey: .lastSource)
        try c.encode(detailsKnown, forKey: .detailsKnown)
        try c.encode(disputes, forKey: .disputes)
        try c.encode(version, forKey: .version)
        try c.encodeIfPresent(items, forKey: .items)
        try c.encodeIfPresent(events, forKey: .events)
        try c.encodeIfPresent(arrival, forKey: .arrival)
    }
}

/// One item with its payout.
struct ItemView: Encodable, Sendable {
    var id: String
    var orderId: String
    var position: Int
    var faceValue: String
    var price: String
    var currency: String?
    var distribution: RawJSON?
    var products: RawJSON?
    var redemptionURL: String?
    var payout: PayoutView?

    init(_ row: Row, payout: PayoutView?) {
        id = row["id"]
        orderId = row["order_id"]
        position = row["position"]
        faceValue = row["face_value"]
        price = row["price"]
        currency = row["currency"]
        distribution = RawJSON(row["distribution"])
        products = RawJSON(row["products"])
        redemptionURL = row["redemption_url"]
        self.payout = payout
    }

    enum CodingKeys: String, CodingKey {
        case id, orderId = "order_id", position, faceValue = "face_value", price, currency, distribution, products
        case redemptionURL = "redemption_url", payout
    }
}

/// A payout link's latest known state.
struct PayoutView: Encodable, Sendable {
    var itemId: String
    var orderId: String
    var status: String
    var statusUpdatedAt: String
    var url: String
    var expiryDate: String?
    var lastCheckedAt: String?
    var currency: String?
    var faceValue: String?

    static let columns = ["item_id", "order_id", "status", "status_updated_at", "url", "expiry_date", "last_checked_at",
                          "currency", "face_value"]

    init(_ row: Row) {
        itemId = row["item_id"]
        orderId = row["order_id"]
        status = row["status"]
        statusUpdatedAt = row["status_updated_at"]
        url = row["url"]
        expiryDate = row["expiry_date"]
        lastCheckedAt = row["last_checked_at"]
        currency = row["currency"]
        faceValue = row["face_value"]
    }

    /// The CSV fields of a payout row, in ``columns`` order.
    @Sendable static func csvFields(_ row: Row) -> [String?] { columns.map { row[$0] } }

    enum CodingKeys: String, CodingKey {
        case itemId = "item_id", orderId = "order_id", status, statusUpdatedAt = "status_updated_at", url
        case expiryDate = "expiry_date", lastCheckedAt = "last_checked_at", currency, faceValue = "face_value"
    }
}

/// One audit event, with its place in the hash chain.
struct EventView: Encodable, Sendable {
    var seq: Int64
    var at: String
    var orderId: String
    var itemId: String?
    var kind: String
    var source: String
    var cause: String
    var changes: RawJSON?
    var prevHash: String
    var hash: String

    static let columns = ["seq", "at", "order_id", "item_id", "kind", "source", "cause", "changes", "prev_hash", "hash"]

    init(_ row: Row) {
        seq = row["seq"]
        at = row["at"]
        orderId = row["order_id"]
        itemId = row["item_id"]
        kind = row["kind"]
        source = row["source"]
        cause = row["cause"]
        changes = RawJSON(row["changes"])
        prevHash = row["prev_hash"]
        hash = row["hash"]
    }

    /// The CSV fields of an event row, in ``columns`` order (`changes` as its JSON text).
    @Sendable static func csvFields(_ row: Row) -> [String?] {
        [String(row["seq"] as Int64), row["at"], row["order_id"], row["item_id"], row["kind"], row["source"], row["cause"],
         row["changes"], row["prev_hash"], row["hash"]]
    }

    enum CodingKeys: String, CodingKey {
        case seq, at, orderId = "order_id", itemId = "item_id", kind, source, cause, changes, prevHash = "prev_hash", hash
    }
}

/// A page of a list: `{"items": [...], "next": "<cursor or null>"}`.
struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var next: String?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(next, forKey: .next)
    }

    enum CodingKeys: String, CodingKey { case items, next }
}
