import GRDB
import RunaModels

/// What `GET /v1/payouts` (and `export payouts`) may filter by; `nil` is no filter.
public struct PayoutFilter: Sendable, Equatable {
    public var statuses: [String]?
    public var currency: String?
    public var orderId: String?
    public var updatedSince: Timestamp?

    public init() {}
}

extension LedgerDatabase {
    /// The payouts matching `filter`, most recently changed first, each with its item's currency and face value.
    public func payouts(_ filter: PayoutFilter) -> RecordList<PayoutRecord> {
        var list = RecordList(self, select: "p.*, i.currency, i.face_value", from: "payouts p JOIN order_items i ON i.id = p.item_id",
                              sortExpressions: ["p.status_updated_at", "p.item_id"], sortColumns: ["status_updated_at", "item_id"],
                              record: PayoutRecord.init)
        if let statuses = filter.statuses { list.filter("p.status IN (\(Self.marks(statuses.count)))", statuses) }
        if let currency = filter.currency { list.filter("i.currency = ?", [currency]) }
        if let order = filter.orderId { list.filter("p.order_id = ?", [order]) }
        if let since = filter.updatedSince { list.filter("p.status_updated_at >= ?", [since.canonical]) }
        return list
    }
}
