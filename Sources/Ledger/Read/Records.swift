import GRDB

/// The rows the ledger's read models hand out: each column as the text the table holds (money exactly as Runa sent
/// it, timestamps in the ledger's fixed-width UTC form, JSON documents as the canonical JSON text the ledger wrote).
///
/// Only `Ledger` knows the tables; callers (the query API, the CLI) see these values and never a database row.

/// One `orders` row.
public struct OrderRecord: Sendable, Equatable {
    public var id: String
    public var status: String
    public var currency: String?
    public var totalPrice: String?
    public var totalDiscount: String?
    public var createdAt: String?
    public var completedAt: String?
    public var description: String?
    /// Canonical JSON text.
    public var paymentMethod: String?
    public var metadata: String?
    public var transactionDetail: String?
    public var firstSeenAt: String
    public var updatedAt: String
    public var lastSource: String
    /// Whether Runa's full answer (items, payouts) has been read for it.
    public var detailsKnown: Bool
    /// Values another source reported that the ledger did not take (canonical JSON object text).
    public var disputes: String?
    public var version: Int

    init(_ row: Row) {
        id = row["id"]
        status = row["status"]
        currency = row["currency"]
        totalPrice = row["total_price"]
        totalDiscount = row["total_discount"]
        createdAt = row["created_at"]
        completedAt = row["completed_at"]
        description = row["description"]
        paymentMethod = row["payment_method"]
        metadata = row["metadata"]
        transactionDetail = row["transaction_detail"]
        firstSeenAt = row["first_seen_at"]
        updatedAt = row["updated_at"]
        lastSource = row["last_source"]
        detailsKnown = (row["details_fetched_at"] as String?) != nil
        disputes = row["disputes"]
        version = row["version"]
    }

    /// The listing time: when Runa created it, or when the ledger first saw it (``ListingTime``).
    public var listedAt: String { createdAt ?? firstSeenAt }
}

/// One `order_items` row.
public struct ItemRecord: Sendable, Equatable {
    public var id: String
    public var orderId: String
    public var position: Int
    public var faceValue: String
    public var price: String
    public var currency: String?
    /// Canonical JSON text.
    public var distribution: String?
    public var products: String?
    public var redemptionURL: String?

    init(_ row: Row) {
        id = row["id"]
        orderId = row["order_id"]
        position = row["position"]
        faceValue = row["face_value"]
        price = row["price"]
        currency = row["currency"]
        distribution = row["distribution"]
        products = row["products"]
        redemptionURL = row["redemption_url"]
    }

    init(snapshot item: ItemSnapshot, orderId: String) {
        id = item.id
        self.orderId = orderId
        position = item.position
        faceValue = item.fields["face_value"] ?? ""
        price = item.fields["price"] ?? ""
        currency = item.fields["currency"]
        distribution = item.fields["distribution"]
        products = item.fields["products"]
        redemptionURL = item.fields["redemption_url"]
    }
}

/// One `payouts` row, with its item's currency and face value.
public struct PayoutRecord: Sendable, Equatable {
    public var itemId: String
    public var orderId: String
    public var status: String
    public var statusUpdatedAt: String
    public var url: String
    public var expiryDate: String?
    /// When the reconciler last asked Runa about it (not in the audit trail, so `nil` in an `as_of` read).
    public var lastCheckedAt: String?
    public var currency: String?
    public var faceValue: String?

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

    init?(snapshot item: ItemSnapshot, orderId: String) {
        guard let status = item.payout["status"] else { return nil }
        itemId = item.id
        self.orderId = orderId
        self.status = status
        statusUpdatedAt = item.payout["status_updated_at"] ?? ""
        url = item.payout["url"] ?? ""
        expiryDate = item.payout["expiry_date"]
        lastCheckedAt = nil
        currency = item.fields["currency"]
        faceValue = item.fields["face_value"]
    }
}

/// One `order_events` row: a change, its cause, and its place in the hash chain.
public struct EventRecord: Sendable, Equatable {
    public var seq: Int64
    public var at: String
    public var orderId: String
    public var itemId: String?
    public var kind: String
    public var source: String
    public var cause: String
    /// Canonical JSON text.
    public var changes: String?
    public var prevHash: String
    public var hash: String

    init(_ row: Row) {
        seq = row["seq"]
        at = row["at"]
        orderId = row["order_id"]
        itemId = row["item_id"]
        kind = row["kind"]
        source = row["source"]
        cause = row["cause"]
        changes = row["changes"]
        prevHash = row["prev_hash"]
        hash = row["hash"]
    }
}

/// One `webhook_deliveries` row, without its body.
public struct DeliveryRecord: Sendable, Equatable {
    public var msgId: String
    public var receivedAt: String
    public var signedAt: String
    public var bodySHA256: String
    public var eventType: String
    public var orderId: String?
    public var outcome: String
    public var error: String?

    static let columns = "msg_id, received_at, signed_at, body_sha256, event_type, order_id, outcome, error"

    init(_ row: Row) {
        msgId = row["msg_id"]
        receivedAt = row["received_at"]
        signedAt = row["signed_at"]
        bodySHA256 = row["body_sha256"]
        eventType = row["event_type"]
        orderId = row["order_id"]
        outcome = row["outcome"]
        error = row["error"]
    }
}

/// One `access_log` row.
public struct AccessLogRecord: Sendable, Equatable {
    public var id: Int64
    public var at: String
    public var tokenId: String
    public var role: String
    public var method: String
    public var path: String
    public var query: String
    public var status: Int
    public var rows: Int?

    init(_ row: Row) {
        id = row["id"]
        at = row["at"]
        tokenId = row["token_id"]
        role = row["role"]
        method = row["method"]
        path = row["path"]
        query = row["query"]
        status = row["status"]
        rows = row["rows"]
    }
}

/// One month-end close, with the number of adjustments written since.
public struct CloseRecord: Sendable, Equatable {
    public var period: String
    public var closedAt: String
    public var forced: Bool
    public var forceReason: String?
    public var manifestSHA256: String
    public var eventSeq: Int64
    public var directory: String
    public var adjustments: Int
    /// The manifest's JSON text.
    public var manifest: String

    init(_ row: Row) {
        period = row["period"]
        closedAt = row["closed_at"]
        forced = row["forced"]
        forceReason = row["force_reason"]
        manifestSHA256 = row["manifest_sha256"]
        eventSeq = row["event_seq"]
        directory = row["directory"]
        adjustments = row["adjustments"]
        manifest = row["manifest"]
    }
}

/// One reconciler pass (`reconcile_runs`).
public struct ReconcileRunRecord: Sendable, Equatable {
    public var id: Int64
    public var startedAt: String
    public var finishedAt: String?
    public var checked, changed, discrepancies, errors: Int
    public var errorSummary: String?

    init(_ row: Row) {
        id = row["id"]
        startedAt = row["started_at"]
        finishedAt = row["finished_at"]
        checked = row["checked"]
        changed = row["changed"]
        discrepancies = row["discrepancies"]
        errors = row["errors"]
        errorSummary = row["error_summary"]
    }
}
