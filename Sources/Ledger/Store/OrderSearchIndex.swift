import GRDB

/// The description search index (`order_search`, FTS5 trigram), written once per transaction.
///
/// Triggers on `orders` give each changed order its listing key and stage its row in `order_search_staged`
/// (migration 0009); a transaction that changes orders calls ``applyStaged(_:)`` just before it commits, which
/// moves every staged row into the index in one statement. FTS5 writes an index segment at every statement
/// savepoint, so indexing each order as it is saved cost one segment per delivery; staged, it costs one per batch.
public enum OrderSearchIndex {
    /// Moves the staged rows into the search index. Call it last in every transaction that wrote to `orders`.
    public static func applyStaged(_ db: Database) throws {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM order_search_staged)")) == true
        else { return }
        try db.cachedStatement(sql: """
            INSERT INTO order_search (rowid, description, order_id)
            SELECT search_rowid, description, order_id FROM order_search_staged
            """).execute()
        try db.cachedStatement(sql: "DELETE FROM order_search_staged").execute()
    }
}
