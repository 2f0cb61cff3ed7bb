import GRDB
@testable import Ledger

/// What an insider with write access to the SQLite file could do, for the tests that prove it is caught.
public enum Tampering {
    /// Recomputes the event chain from `seq` on, as an insider with the (public) hashing rule would.
    public static func rehashEvents(from seq: Int64, _ db: Database) throws {
        var previous = try String.fetchOne(db, sql: "SELECT prev_hash FROM order_events WHERE seq = ?", arguments: [seq]) ?? ""
        for row in try Row.fetchAll(db, sql: "SELECT * FROM order_events WHERE seq >= ? ORDER BY seq", arguments: [seq]) {
            let event = AuditTrail.EventRow(
                seq: row["seq"], at: row["at"], orderId: row["order_id"], itemId: row["item_id"], kind: row["kind"],
                source: row["source"], cause: row["cause"], changes: row["changes"], prevHash: previous)
            try db.execute(sql: "UPDATE order_events SET prev_hash = ?, hash = ? WHERE seq = ?",
                           arguments: [previous, event.hash, event.seq])
            previous = event.hash
        }
    }
}
