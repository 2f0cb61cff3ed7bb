import Digest
import GRDB
import RunaModels

/// The append-only `order_events` hash chain.
///
/// Each event's hash is SHA-256 over the previous event's hash and this event's fields, each written with its
/// byte length in front (`12:O-01H5WQGHKC`), so no two different rows can produce the same input.
public enum AuditTrail {
    /// The `prev_hash` of the very first event.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The last event's sequence number and hash: where the next event attaches.
    public struct Head: Sendable, Equatable {
        public var seq: Int64
        public var hash: String

        public static let genesis = Head(seq: 0, hash: AuditTrail.genesisHash)
    }

    /// Reads the chain's head.
    public static func head(_ db: Database) throws -> Head {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM order_events ORDER BY seq DESC LIMIT 1")) else {
            return .genesis
        }
        return Head(seq: row["seq"], hash: row["hash"])
    }

    /// The stored hash of event `seq` (the genesis hash for 0), or `nil` when there is no such event.
    public static func hash(at seq: Int64, _ db: Database) throws -> String? {
        if seq == 0 { return genesisHash }
        return try String.fetchOne(db, sql: "SELECT hash FROM order_events WHERE seq = ?", arguments: [seq])
    }

    /// SHA-256 (hex) of `fields`, each written with its byte length in front, after `prevHash`.
    static func chainHash(prevHash: String, _ fields: [String]) -> String {
        var input = [UInt8]()
        for field in [prevHash] + fields {
            input.append(contentsOf: "\(field.utf8.count):".utf8)
            input.append(contentsOf: field.utf8)
        }
        return Digest.hex(Digest.sha256(input))
    }

    /// The fields of one event row, as hashed.
    public struct EventRow: Sendable, Equatable {
        public var seq: Int64
        public var at: String
        public var orderId: String
        public var itemId: String?
        public var kind: String
        public var source: String
        public var cause: String
        public var changes: String
        public var prevHash: String

        /// SHA-256 (hex) of the previous hash and this row.
        public var hash: String {
            AuditTrail.chainHash(prevHash: prevHash, [String(seq), at, orderId, itemId ?? "", kind, source, cause, changes])
        }
    }

    /// Appends `events` for `orderId` after `head`, advancing it.
    static func append(
        _ events: [ChangeEvent], orderId: String, source: ChangeSource, cause: String, at: String,
        head: inout Head, db: Database
    ) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO order_events (seq, at, order_id, item_id, kind, source, cause, changes, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for event in events {
            let row = EventRow(
                seq: head.seq + 1, at: at, orderId: orderId, itemId: event.itemId, kind: event.kind.rawValue,
                source: source.rawValue, cause: cause, changes: renderChanges(event.changes), prevHash: head.hash)
            let hash = row.hash
            try statement.execute(arguments: [
                row.seq, row.at, row.orderId, row.itemId, row.kind, row.source, row.cause, row.changes,
                row.prevHash, hash,
            ])
            head = Head(seq: row.seq, hash: hash)
        }
    }

    /// `{"field": {"after": …, "before": …}, …}` with fields in the order given.
    static func renderChanges(_ changes: [FieldChange]) -> String {
        var out = "{"
        for (index, change) in changes.enumerated() {
            if index > 0 { out += "," }
            out += CanonicalJSON.quote(change.field)
            out += ":{\"after\":" + (change.after?.jsonFragment ?? "null")
            out += ",\"before\":" + (change.before?.jsonFragment ?? "null") + "}"
        }
        return out + "}"
    }

    /// What `verify` found.
    public struct Verification: Sendable, Equatable {
        /// Events checked.
        public var events: Int
        /// The first broken link, if any: its sequence number and what is wrong.
        public var firstProblem: (seq: Int64, problem: String)?

        public var isIntact: Bool { firstProblem == nil }

        public static func == (lhs: Verification, rhs: Verification) -> Bool {
            lhs.events == rhs.events && lhs.firstProblem?.seq == rhs.firstProblem?.seq
                && lhs.firstProblem?.problem == rhs.firstProblem?.problem
        }
    }

    /// Recomputes every hash from the first event and checks each link.
    /// `verified` is told the count every million events.
    public static func verify(_ db: Database, verified: (Int) -> Void = { _ in }) throws -> Verification {
        var expectedPrev = genesisHash
        var count = 0
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT seq, at, order_id, item_id, kind, source, cause, changes, prev_hash, hash
            FROM order_events ORDER BY seq
            """)
        var lastSeq: Int64 = 0
        while let row = try cursor.next() {
            count += 1
            if count % 1_000_000 == 0 { verified(count) }
            let event = EventRow(
                seq: row["seq"], at: row["at"], orderId: row["order_id"], itemId: row["item_id"], kind: row["kind"],
                source: row["source"], cause: row["cause"], changes: row["changes"], prevHash: row["prev_hash"])
            let stored: String = row["hash"]
            if event.seq != lastSeq + 1 {
                return Verification(events: count, firstProblem: (event.seq, "sequence gap after \(lastSeq)"))
            }
            if event.prevHash != expectedPrev {
                return Verification(events: count, firstProblem: (event.seq, "prev_hash does not match the previous event"))
            }
            if event.hash != stored {
                return Verification(events: count, firstProblem: (event.seq, "hash does not match the event's content"))
            }
            expectedPrev = stored
            lastSeq = event.seq
        }
        // AUTOINCREMENT remembers the highest sequence ever used: a shorter chain means its tail was removed.
        let highest = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'order_events'") ?? 0
        if highest != lastSeq {
            return Verification(events: count, firstProblem: (highest, "events after \(lastSeq) are missing"))
        }
        return Verification(events: count, firstProblem: nil)
    }
}
