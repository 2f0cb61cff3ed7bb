import Foundation
import Ledger

/// How the query API shows orders, items, payouts and events: money exactly as Runa sent it, timestamps in the
/// ledger's UTC form, JSON documents as JSON. Each list's CSV has the columns marked for it, in this order.
enum OrderViews {
    static let order = ViewColumns<OrderRecord>([
        .column("id") { .text($0.id) },
        .column("status") { .text($0.status) },
        .column("currency") { .text($0.currency) },
        .column("total_price") { .text($0.totalPrice) },
        .column("total_discount") { .text($0.totalDiscount) },
        .column("created_at") { .text($0.createdAt) },
        .column("completed_at") { .text($0.completedAt) },
        .column("description") { .text($0.description) },
        .column("payment_method", csv: false) { .json($0.paymentMethod) },
        .column("metadata", csv: false) { .json($0.metadata) },
        .column("transaction_detail", csv: false) { .json($0.transactionDetail) },
        .column("first_seen_at") { .text($0.firstSeenAt) },
        .column("updated_at") { .text($0.updatedAt) },
        .column("last_source") { .text($0.lastSource) },
        .column("details_known") { .bool($0.detailsKnown) },
        .column("disputes", csv: false) { .json($0.disputes) },
        .column("version") { .int(Int64($0.version)) },
    ])

    static let payout = ViewColumns<PayoutRecord>([
        .column("item_id") { .text($0.itemId) },
        .column("order_id") { .text($0.orderId) },
        .column("status") { .text($0.status) },
        .column("status_updated_at") { .text($0.statusUpdatedAt) },
        .column("url") { .text($0.url) },
        .column("expiry_date") { .text($0.expiryDate) },
        .column("last_checked_at") { .text($0.lastCheckedAt) },
        .column("currency") { .text($0.currency) },
        .column("face_value") { .text($0.faceValue) },
    ])

    /// An item with its payout (an object, or null).
    static let item = ViewColumns<(item: ItemRecord, payout: PayoutRecord?)>([
        .column("id") { .text($0.item.id) },
        .column("order_id") { .text($0.item.orderId) },
        .column("position") { .int(Int64($0.item.position)) },
        .column("face_value") { .text($0.item.faceValue) },
        .column("price") { .text($0.item.price) },
        .column("currency") { .text($0.item.currency) },
        .column("distribution") { .json($0.item.distribution) },
        .column("products") { .json($0.item.products) },
        .column("redemption_url") { .text($0.item.redemptionURL) },
        .column("payout") { .json($0.payout.map { payout.json($0) }) },
    ])

    static let event = ViewColumns<EventRecord>([
        .column("seq") { .int($0.seq) },
        .column("at") { .text($0.at) },
        .column("order_id") { .text($0.orderId) },
        .column("item_id") { .text($0.itemId) },
        .column("kind") { .text($0.kind) },
        .column("source") { .text($0.source) },
        .column("cause") { .text($0.cause) },
        .column("changes") { .json($0.changes) },
        .column("prev_hash") { .text($0.prevHash) },
        .column("hash") { .text($0.hash) },
    ])

    /// One order with its items, payouts, events and arrival: the order's members and those three.
    static func detail(_ detail: OrderDetail) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let arrival = String(decoding: try encoder.encode(detail.arrival), as: UTF8.self)
        return order.json(detail.order, extra: [
            ("items", item.jsonArray(detail.items)), ("events", event.jsonArray(detail.events)), ("arrival", arrival),
        ])
    }
}
