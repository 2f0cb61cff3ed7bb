import Foundation
import GRDB
import RunaModels

/// Reads and writes ``LedgerOrder``s in the `orders`, `order_items` and `payouts` tables.
enum OrderRepository {
    /// The ledger's state of order `id`, or `nil` when it has never been seen.
    static func load(_ id: String, db: Database) throws -> LedgerOrder? {
        try loadStored(id, db: db)?.order
    }

    /// The ledger's state of order `id` and when it first saw it (`first_seen_at` as stored, parsed only by the
    /// rule that needs it), or `nil` when it has never been seen.
    static func loadStored(_ id: String, db: Database) throws -> (order: LedgerOrder, firstSeenAt: String?)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM orders WHERE id = ?"),
                                         arguments: [id])
        else { return nil }
        guard let status = OrderStatus(rawValue: row["status"]) else {
            throw LedgerError.unavailable("order \(id) has an unknown stored status")
        }
        var fields: [OrderField: FieldValue] = [:]
        for field in OrderField.allCases {
            guard let text: String = row[field.rawValue] else { continue }
            fields[field] = try column(field.rawValue, text)
        }
        var order = LedgerOrder(
            id: id, status: status, fields: fields, detailsKnown: row["details_fetched_at"] as String? != nil,
            disputes: try decodeDisputes(row["disputes"]))

        var payouts: [String: Payout] = [:]
        for payoutRow in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM payouts WHERE order_id = ?"),
                                          arguments: [id]) {
            let itemId: String = payoutRow["item_id"]
            guard let updated = Timestamp(rfc3339: payoutRow["status_updated_at"] as String) else {
                throw LedgerError.unavailable("payout \(itemId) has a malformed stored timestamp")
            }
            payouts[itemId] = Payout(
                status: PayoutStatus(rawValue: payoutRow["status"]), statusUpdatedAt: updated, url: payoutRow["url"],
                expiryDate: (payoutRow["expiry_date"] as String?).flatMap { Timestamp(rfc3339: $0) })
        }
        for itemRow in try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM order_items WHERE order_id = ? ORDER BY position"),
            arguments: [id]) {
            let itemId: String = itemRow["id"]
            var itemFields: [String: FieldValue] = [:]
            for name in ["face_value", "price", "currency", "distribution", "products", "redemption_url"] {
                guard let text: String = itemRow[name] else { continue }
                itemFields[name] = try column(name, text)
            }
            order.items.append(LedgerItem(id: itemId, position: itemRow["position"], fields: itemFields,
                                          payout: payouts[itemId]))
        }
        return (order, row["first_seen_at"])
    }

    /// Whether any webhook delivery named order `id`.
    static func wasAnnounced(_ id: String, db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM webhook_deliveries WHERE order_id = ? LIMIT 1"),
                          arguments: [id]) != nil
    }

    /// Writes the decision's order over `previous`: the order row, changed items and payouts, and follow-up tasks.
    ///
    /// `itemColumns` holds the derived columns of every item the observation reported; an item whose fields changed
    /// is always one of them.
    static func save(
        _ decision: MergeDecision, previous: LedgerOrder?, source: ChangeSource, itemColumns: [String: ItemColumns],
        now: String, db: Database
    ) throws {
        let order = decision.order
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO orders (id, status, currency, total_price, total_price_micros, total_discount,
                total_discount_micros, created_at, completed_at, description, payment_method, metadata,
                transaction_detail, execution_mode, first_seen_at, updated_at, last_source, details_fetched_at,
                disputes, version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
            ON CONFLICT (id) DO UPDATE SET
                status = excluded.status, currency = excluded.currency, total_price = excluded.total_price,
                total_price_micros = excluded.total_price_micros, total_discount = excluded.total_discount,
                total_discount_micros = excluded.total_discount_micros, created_at = excluded.created_at,
                completed_at = excluded.completed_at, description = excluded.description,
                payment_method = excluded.payment_method, metadata = excluded.metadata,
                transaction_detail = excluded.transaction_detail, execution_mode = excluded.execution_mode,
                updated_at = excluded.updated_at, last_source = excluded.last_source,
                details_fetched_at = COALESCE(orders.details_fetched_at, excluded.details_fetched_at),
                disputes = excluded.disputes, version = orders.version + 1
            """)
        func text(_ field: OrderField) -> String? { order.fields[field]?.columnText }
        func micros(_ field: OrderField) -> Int64? {
            if case .money(let money) = order.fields[field] { return money.micros }
            return nil
        }
        try upsert.execute(arguments: [
            order.id, order.status.rawValue, text(.currency), text(.totalPrice), micros(.totalPrice),
            text(.totalDiscount), micros(.totalDiscount), text(.createdAt), text(.completedAt), text(.description),
            text(.paymentMethod), text(.metadata), text(.transactionDetail), text(.executionMode), now, now,
            source.rawValue, order.detailsKnown ? now : nil, encodeDisputes(order.disputes),
        ])

        for item in order.items {
            let held = previous?.item(item.id)
            if held?.fields != item.fields || held?.position != item.position {
                guard let columns = itemColumns[item.id] else {
                    throw LedgerError.unavailable("item \(item.id) changed with no payload reporting it")
                }
                try saveItem(item, columns: columns, orderId: order.id, db: db)
            }
            if let payout = item.payout, held?.payout != payout {
                try db.cachedStatement(sql: """
                    INSERT INTO payouts (item_id, order_id, status, status_updated_at, url, expiry_date, last_checked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (item_id) DO UPDATE SET status = excluded.status,
                        status_updated_at = excluded.status_updated_at, url = excluded.url,
                        expiry_date = excluded.expiry_date, last_checked_at = excluded.last_checked_at
                    """).execute(arguments: [
                        item.id, order.id, payout.status.rawValue, payout.statusUpdatedAt.canonical, payout.url,
                        payout.expiryDate?.canonical, source == .webhook ? nil : now,
                    ])
            }
        }

        let enqueue = try db.cachedStatement(sql: """
            INSERT INTO reconcile_tasks (order_id, reason, not_before, created_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (order_id, reason) DO NOTHING
            """)
        for followUp in decision.followUps.sorted() {
            try enqueue.execute(arguments: [order.id, followUp.rawValue, now, now])
        }
    }

    private static func saveItem(_ item: LedgerItem, columns: ItemColumns, orderId: String, db: Database) throws {
        func text(_ name: String) -> String? { item.fields[name]?.columnText }
        func micros(_ name: String) -> Int64 {
            if case .money(let money) = item.fields[name] { return money.micros }
            return 0
        }
        func json(_ name: String) -> String { text(name) ?? "{}" }
        try db.cachedStatement(sql: """
            INSERT INTO order_items (id, order_id, position, face_value, face_value_micros, price, price_micros,
                currency, distribution_type, distribution, product_type, products, product_codes, redemption_url)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET position = excluded.position, face_value = excluded.face_value,
                face_value_micros = excluded.face_value_micros, price = excluded.price,
                price_micros = excluded.price_micros, currency = excluded.currency,
                distribution_type = excluded.distribution_type, distribution = excluded.distribution,
                product_type = excluded.product_type, products = excluded.products,
                product_codes = excluded.product_codes, redemption_url = excluded.redemption_url
            """).execute(arguments: [
                item.id, orderId, item.position, text("face_value"), micros("face_value"), text("price"),
                micros("price"), text("currency"), columns.distributionType, json("distribution"), columns.productType,
                json("products"), columns.productCodes, text("redemption_url"),
            ])
    }

    /// A stored column back into a field value of the kind the merge rules use.
    private static func column(_ name: String, _ text: String) throws -> FieldValue {
        switch name {
        case "total_price", "total_discount", "face_value", "price":
            do { return .money(try Money(parsing: text)) } catch {
                throw LedgerError.unavailable("stored \(name) is not an amount: \(error)")
            }
        case "created_at", "completed_at":
            guard let time = Timestamp(rfc3339: text) else {
                throw LedgerError.unavailable("stored \(name) is not a timestamp")
            }
            return .time(time)
        case "payment_method", "metadata", "transaction_detail", "distribution", "products":
            return .json(text)
        default:
            return .text(text)
        }
    }

    private static func decodeDisputes(_ text: String?) throws -> [String: String] {
        guard let text, !text.isEmpty else { return [:] }
        return (try? RunaJSON.decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }

    private static func encodeDisputes(_ disputes: [String: String]) -> String? {
        disputes.isEmpty ? nil : CanonicalJSON.string(disputes)
    }
}
