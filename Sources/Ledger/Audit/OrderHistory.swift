import Foundation
import GRDB
import RunaModels

/// An order as the ledger knew it at some moment, rebuilt from its events alone.
///
/// Values are the text the `orders`, `order_items` and `payouts` columns hold, so a snapshot renders through the
/// same views as a live row. `last_checked_at` (when the reconciler last looked at a payout) is bookkeeping, not
/// a fact about the order, and is not in the trail.
public struct OrderSnapshot: Sendable, Equatable {
    public var id: String
    public var status = "PROCESSING"
    /// Order columns by name (`currency`, `total_price`, `created_at`, …); a missing key is NULL.
    public var columns: [String: String] = [:]
    public var firstSeenAt = ""
    public var updatedAt = ""
    public var lastSource = ""
    /// How many times the order was written: one per transaction that appended its events.
    public var version = 0
    public var detailsKnown = false
    /// Values another source reported that the ledger did not take, as in the `disputes` column.
    public var disputes: [String: String] = [:]
    public var items: [ItemSnapshot] = []

    /// The snapshot as an `orders` row.
    public var orderRow: Row {
        var values: [String: (any DatabaseValueConvertible)?] = [
            "id": id, "status": status, "first_seen_at": firstSeenAt, "updated_at": updatedAt, "last_source": lastSource,
            "details_fetched_at": detailsKnown ? updatedAt : nil, "version": version,
            "disputes": disputes.isEmpty ? nil : CanonicalJSON.string(disputes),
        ]
        for name in OrderField.allCases.map(\.rawValue) { values[name] = columns[name] }
        return Row(values)
    }

    /// The listing time (``ListingTime``), as the lists, totals and closes group and filter by it.
    public var listedAt: String { columns["created_at"] ?? firstSeenAt }
}

/// One item of an ``OrderSnapshot`` with its payout.
public struct ItemSnapshot: Sendable, Equatable {
    public var id: String
    public var position: Int
    /// Item columns by name (`face_value`, `price`, `currency`, `distribution`, `products`, `redemption_url`).
    public var fields: [String: String] = [:]
    /// Payout columns by name (`status`, `status_updated_at`, `url`, `expiry_date`); empty when none is known.
    public var payout: [String: String] = [:]

    /// The item as an `order_items` row.
    public func itemRow(orderId: String) -> Row {
        var values: [String: (any DatabaseValueConvertible)?] = ["id": id, "order_id": orderId, "position": position]
        for name in ["face_value", "price", "currency", "distribution", "products", "redemption_url"] {
            values[name] = fields[name]
        }
        return Row(values)
    }

    /// The payout joined with its item, as `GET /v1/payouts` reads it; `nil` without a payout.
    public func payoutRow(orderId: String) -> Row? {
        guard let status = payout["status"] else { return nil }
        return Row([
            "item_id": id, "order_id": orderId, "status": status, "status_updated_at": payout["status_updated_at"],
            "url": payout["url"], "expiry_date": payout["expiry_date"], "last_checked_at": nil,
            "currency": fields["currency"], "face_value": fields["face_value"],
        ])
    }
}

/// Rebuilds orders from the `order_events` trail: the `as_of` reads.
///
/// Replaying an order's events in sequence yields exactly what the ledger held after each of them, because every
/// write of an order appends at least one event and every event says which fields changed to what. Disputes follow
/// the merge rules: a webhook's `discrepancy` records a value the ledger did not take; the reconciler's (always
/// authoritative) `discrepancy` records a value it did take; `discrepancy.resolved` clears one.
public enum OrderHistory {
    /// Fields whose values are JSON documents (kept as JSON text); every other field is a JSON string.
    static let jsonFields: Set<String> = ["payment_method", "metadata", "transaction_detail", "distribution", "products",
                                          "details_known"]

    /// Order `id` as the ledger held it at `asOf` (events written at or before it), or `nil` if not yet seen.
    public static func order(_ id: String, asOf: Timestamp, db: Database) throws -> OrderSnapshot? {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT at, item_id, kind, source, cause, changes FROM order_events
            WHERE order_id = ? AND at <= ? ORDER BY seq
            """, arguments: [id, asOf.canonical])
        var replay = Replay(id: id)
        while let row = try rows.next() { try replay.apply(row) }
        return replay.result
    }

    /// Every order as held at `asOf`, one at a time in id order.
    public static func orders(asOf: Timestamp, db: Database, _ visit: (OrderSnapshot) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT order_id, at, item_id, kind, source, cause, changes FROM order_events
            WHERE order_id <> '' AND at <= ? ORDER BY order_id, seq
            """, arguments: [asOf.canonical])
        var replay: Replay?
        while let row = try rows.next() {
            let orderId: String = row["order_id"]
            if replay?.id != orderId {
                if let done = replay?.result { try visit(done) }
                replay = Replay(id: orderId)
            }
            try replay?.apply(row)
        }
        if let done = replay?.result { try visit(done) }
    }

    /// The state of one order while its events are applied.
    struct Replay {
        let id: String
        var snapshot: OrderSnapshot
        var seen = false
        var lastWrite: (at: String, cause: String)?
        /// Whether the trail states `details_known` (it does since it was added to it; older trails infer it).
        var detailsStated = false

        init(id: String) {
            self.id = id
            snapshot = OrderSnapshot(id: id)
        }

        var result: OrderSnapshot? {
            guard seen else { return nil }
            var out = snapshot
            if !detailsStated {
                out.detailsKnown = ["COMPLETED", "FAILED"].contains(out.status) && !out.items.isEmpty
            }
            return out
        }

        mutating func apply(_ row: Row) throws {
            let at: String = row["at"], cause: String = row["cause"], source: String = row["source"]
            let kind: String = row["kind"], itemId: String? = row["item_id"]
            let changes = try ChangesText.parse(row["changes"])
            seen = true
            if lastWrite?.at != at || lastWrite?.cause != cause {
                snapshot.version += 1
                lastWrite = (at, cause)
            }
            snapshot.updatedAt = at
            snapshot.lastSource = source
            switch kind {
            case "order.created", "order.updated":
                if kind == "order.created" { snapshot.firstSeenAt = at }
                for change in changes {
                    switch change.field {
                    case "status": snapshot.status = try Self.text(change.after) ?? snapshot.status
                    case "details_known":
                        snapshot.detailsKnown = change.after == "true"
                        detailsStated = true
                    default:
                        snapshot.columns[change.field] = try Self.value(change.field, change.after)
                        snapshot.disputes.removeValue(forKey: change.field)
                    }
                }
            case "item.added", "item.updated", "payout.updated":
                guard let itemId else { return }
                var index = snapshot.items.firstIndex { $0.id == itemId }
                if index == nil {
                    snapshot.items.append(ItemSnapshot(id: itemId, position: snapshot.items.count))
                    index = snapshot.items.count - 1
                }
                for change in changes {
                    if kind == "payout.updated" || change.field.hasPrefix("payout.") {
                        let name = change.field.hasPrefix("payout.") ? String(change.field.dropFirst(7)) : change.field
                        snapshot.items[index!].payout[name] = try Self.value(name, change.after)
                    } else {
                        snapshot.items[index!].fields[change.field] = try Self.value(change.field, change.after)
                    }
                }
            case "discrepancy":
                for change in changes {
                    if source == ChangeSource.webhook.rawValue {
                        snapshot.disputes[change.field] = change.after ?? "null"
                    } else if change.field == MergeRules.stuckProcessing {
                        snapshot.disputes[change.field] = change.after ?? "null"
                    } else if change.field == "status" {
                        snapshot.status = try Self.text(change.after) ?? snapshot.status
                        snapshot.disputes.removeValue(forKey: "status")
                    }
                    // Any other authoritative discrepancy (a corrected amount, a webhook that never came) reports a
                    // change its `order.updated` event already made, or none.
                }
            case "discrepancy.resolved":
                for change in changes { snapshot.disputes.removeValue(forKey: change.field) }
            default:
                break
            }
        }

        /// A field's column text from its JSON fragment.
        static func value(_ field: String, _ fragment: String?) throws -> String? {
            guard let fragment else { return nil }
            return jsonFields.contains(field) ? fragment : try text(fragment)
        }

        static func text(_ fragment: String?) throws -> String? {
            guard let fragment else { return nil }
            if fragment.hasPrefix("\""), fragment.hasSuffix("\""), fragment.count >= 2, !fragment.contains("\\") {
                return String(fragment.dropFirst().dropLast())
            }
            return try JSONDecoder().decode(String.self, from: Data(fragment.utf8))
        }
    }
}

/// Reads the `changes` column (`{"field":{"after":…,"before":…},…}`) keeping each value's JSON text as written.
enum ChangesText {
    struct Change: Equatable {
        var field: String
        /// The value's JSON text, `nil` for `null`.
        var after: String?
        var before: String?
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String { "an event's changes are not the JSON the ledger writes" }
    }

    static func parse(_ text: String) throws -> [Change] {
        var scanner = Scanner(bytes: Array(text.utf8))
        var changes: [Change] = []
        try scanner.expect(UInt8(ascii: "{"))
        if scanner.peek() == UInt8(ascii: "}") { return [] }
        repeat {
            let field = try scanner.string()
            try scanner.expect(UInt8(ascii: ":"))
            try scanner.expect(UInt8(ascii: "{"))
            var change = Change(field: field)
            repeat {
                let key = try scanner.string()
                try scanner.expect(UInt8(ascii: ":"))
                let value = try scanner.rawValue()
                let fragment = value == "null" ? nil : value
                if key == "after" { change.after = fragment } else if key == "before" { change.before = fragment }
            } while try scanner.comma(closing: UInt8(ascii: "}"))
            changes.append(change)
        } while try scanner.comma(closing: UInt8(ascii: "}"))
        return changes
    }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func expect(_ byte: UInt8) throws {
            guard peek() == byte else { throw Malformed() }
            index += 1
        }

        /// After a member: `true` on a comma, `false` on the closing bracket.
        mutating func comma(closing: UInt8) throws -> Bool {
            if peek() == UInt8(ascii: ",") { index += 1; return true }
            try expect(closing)
            return false
        }

        /// A JSON string, decoded.
        mutating func string() throws -> String {
            let start = index
            try skipString()
            let raw = bytes[start..<index]
            if !raw.contains(UInt8(ascii: "\\")) { return String(decoding: raw.dropFirst().dropLast(), as: UTF8.self) }
            return try JSONDecoder().decode(String.self, from: Data(raw))
        }

        /// Any JSON value, as its exact text.
        mutating func rawValue() throws -> String {
            let start = index
            try skipValue(depth: 0)
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func skipString() throws {
            try expect(UInt8(ascii: "\""))
            while let byte = peek() {
                index += 1
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { return }
            }
            throw Malformed()
        }

        mutating func skipValue(depth: Int) throws {
            guard depth < 256, let byte = peek() else { throw Malformed() }
            switch byte {
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let closing = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                index += 1
                if peek() == closing { index += 1; return }
                repeat {
                    if closing == UInt8(ascii: "}") {
                        try skipString()
                        try expect(UInt8(ascii: ":"))
                    }
                    try skipValue(depth: depth + 1)
                } while try comma(closing: closing)
            default:
                // A number, true, false or null: up to the next delimiter.
                let start = index
                while let next = peek(), ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(next) {
                    index += 1
                }
                guard index > start else { throw Malformed() }
            }
        }
    }
}
