import Digest
import Foundation
import GRDB
import RunaModels

/// One stored webhook delivery, as `verify-archive` re-checks it.
public struct StoredDelivery: Sendable {
    public var messageId: String
    public var signedAt: Timestamp?
    /// The SHA-256 recorded when it arrived.
    public var recordedSHA256: String
    /// The exact bytes that were signed.
    public var body: Data
    /// The `svix-signature` header it arrived with; `nil` for deliveries stored before migration 0007.
    public var signatures: String?
}

/// A ledger value that the signed delivery it is attributed to does not say.
public struct ArchiveDisagreement: Sendable, Equatable, CustomStringConvertible {
    public var orderId: String
    /// `status`, `total_price`, `items[I-1].face_value`, `items[I-1].payout.status`, …
    public var field: String
    /// The delivery whose event last set the field.
    public var messageId: String
    public var ledger: String
    public var signedBody: String

    public var description: String {
        "\(orderId) \(field): the ledger holds \(Self.shown(ledger)) but delivery \(messageId), which set it, says \(Self.shown(signedBody))"
    }

    /// A JSON object or array (a distribution method holds an e-mail address) by digest only; scalars as they are.
    static func shown(_ value: String) -> String {
        guard value.hasPrefix("{") || value.hasPrefix("[") else { return value }
        return "JSON with SHA-256 " + Digest.hex(Digest.sha256(Array(value.utf8))).prefix(12)
    }
}

/// What re-deriving the ledger from its signed bodies found.
public struct ArchiveDerivation: Sendable {
    /// Orders with at least one field last set by a webhook.
    public var ordersChecked = 0
    /// Fields whose last change came from a signed delivery, each compared with that delivery's body.
    public var fieldsChecked = 0
    /// Fields last set by Runa's API (the reconciler): no signed body stands behind them, so they are not compared.
    public var fieldsFromAPI = 0
    public var disagreements: [ArchiveDisagreement] = []
}

extension LedgerDatabase {
    /// Calls `body` with every stored delivery, oldest first, on one read snapshot.
    public static func forEachStoredDelivery(path: String, _ body: (StoredDelivery) throws -> Void) throws {
        try readOnly(path: path) { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT msg_id, signed_at, body_sha256, body, signatures FROM webhook_deliveries ORDER BY rowid
                """)
            while let row = try rows.next() {
                try body(StoredDelivery(
                    messageId: row["msg_id"], signedAt: Timestamp(rfc3339: row["signed_at"] as String),
                    recordedSHA256: row["body_sha256"], body: row["body"] ?? Data(), signatures: row["signatures"]))
            }
        }
    }

    /// Re-derives every webhook-sourced value of the ledger from the signed body it came from.
    ///
    /// The hash chain says which event last set each field of each order, item and payout, and which delivery
    /// (`webhook:<msg_id>`) that event came from. That delivery's stored body is decoded again and must say what
    /// the ledger holds now. A row edited past the triggers, an event rewritten and rehashed, or a body swapped
    /// for another all show up here, field by field.
    public static func deriveFromArchive(path: String) throws -> ArchiveDerivation {
        try readOnly(path: path) { db in
            var result = ArchiveDerivation()
            let orderIds = try String.fetchAll(db, sql: """
                SELECT DISTINCT order_id FROM order_events WHERE source = 'webhook' AND order_id <> '' ORDER BY order_id
                """)
            var payloads: [String: LedgerOrder?] = [:]
            func signed(_ messageId: String) throws -> LedgerOrder? {
                if let cached = payloads[messageId] { return cached }
                let body = try Data.fetchOne(db, sql: "SELECT body FROM webhook_deliveries WHERE msg_id = ?",
                                             arguments: [messageId])
                let order = body.flatMap { try? RunaOrder.decode(from: $0) }.map {
                    MergeRules.merge(nil, with: Observation(webhook: $0)).order
                }
                payloads[messageId] = order
                return order
            }
            for orderId in orderIds {
                guard let ledger = try OrderRepository.load(orderId, db: db) else {
                    result.disagreements.append(ArchiveDisagreement(
                        orderId: orderId, field: "(order)", messageId: "-", ledger: "nothing",
                        signedBody: "an order the chain records"))
                    continue
                }
                payloads.removeAll(keepingCapacity: true)
                var checkedHere = false
                for (field, setter) in try lastSetters(orderId, db: db) {
                    guard setter.source == ChangeSource.webhook.rawValue else {
                        result.fieldsFromAPI += 1
                        continue
                    }
                    let messageId = String(setter.cause.dropFirst("webhook:".count))
                    checkedHere = true
                    result.fieldsChecked += 1
                    let held = Self.value(field, in: ledger)
                    guard let payload = try signed(messageId) else {
                        result.disagreements.append(ArchiveDisagreement(
                            orderId: orderId, field: field.name, messageId: messageId, ledger: held ?? "nothing",
                            signedBody: "nothing: the ledger holds no readable order body for it"))
                        continue
                    }
                    let said = Self.value(field, in: payload)
                    if said != held {
                        result.disagreements.append(ArchiveDisagreement(
                            orderId: orderId, field: field.name, messageId: messageId, ledger: held ?? "nothing",
                            signedBody: said ?? "nothing"))
                    }
                }
                if checkedHere { result.ordersChecked += 1 }
            }
            return result
        }
    }

    /// A field of an order as the audit trail names it: order-level, or of one item or its payout.
    struct TrailField: Hashable {
        var itemId: String?
        var key: String

        var name: String { itemId.map { "items[\($0)].\(key)" } ?? key }
    }

    /// Which event last set each field of `orderId`: its source and cause.
    private static func lastSetters(_ orderId: String, db: Database) throws -> [(TrailField, (source: String, cause: String))] {
        let changing: Set<String> = [
            ChangeEvent.Kind.orderCreated, .orderUpdated, .itemAdded, .itemUpdated, .payoutUpdated,
        ].reduce(into: []) { $0.insert($1.rawValue) }
        var last: [TrailField: (source: String, cause: String)] = [:]
        var order: [TrailField] = []
        for row in try Row.fetchAll(db, sql: """
            SELECT kind, item_id, source, cause, changes FROM order_events WHERE order_id = ? ORDER BY seq
            """, arguments: [orderId]) {
            guard changing.contains(row["kind"] as String) else { continue }
            let changes = (try? JSONSerialization.jsonObject(with: Data((row["changes"] as String).utf8))) as? [String: Any]
            for key in (changes ?? [:]).keys where key != "details_known" {
                let field = TrailField(itemId: row["item_id"], key: key)
                if last[field] == nil { order.append(field) }
                last[field] = (row["source"], row["cause"])
            }
        }
        return order.compactMap { field in last[field].map { (field, $0) } }
    }

    /// The value of `field` in `order`, as the audit trail writes values; `nil` when it has none.
    private static func value(_ field: TrailField, in order: LedgerOrder) -> String? {
        guard let itemId = field.itemId else {
            if field.key == "status" { return CanonicalJSON.quote(order.status.rawValue) }
            return OrderField(rawValue: field.key).flatMap { order.fields[$0]?.jsonFragment }
        }
        guard let item = order.item(itemId) else { return nil }
        if field.key.hasPrefix("payout.") {
            return item.payout?.ledgerFields()[String(field.key.dropFirst("payout.".count))]?.jsonFragment
        }
        return item.fields[field.key]?.jsonFragment
    }

    /// Opens `path` read-only (no WAL changes, no migrations) for `body`.
    static func readOnly<T>(path: String, _ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read(body)
    }
}
