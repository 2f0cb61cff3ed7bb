import RunaModels

/// When an order is listed: Runa's `created_at`, or, until Runa has said, when the ledger first saw it. The order
/// lists, the summary, the close and the completeness watermark all group and filter by it.
///
/// This is its one definition in Swift; migrations 0003–0005 spell the same expression in their indexes and
/// triggers (and committed migrations are never edited), so a query must use exactly this text to reach them.
public enum ListingTime {
    /// The SQL expression over the `orders` row aliased `alias` (`nil`: unqualified columns).
    static func sql(_ alias: String? = "o") -> String {
        let prefix = alias.map { $0 + "." } ?? ""
        return "coalesce(\(prefix)created_at, \(prefix)first_seen_at)"
    }

    /// The SQL expression of the listing day (`YYYY-MM-DD`), as the running totals of 0004 key it.
    static func daySQL(_ alias: String? = "o") -> String { "substr(\(sql(alias)), 1, 10)" }

    /// The search index's key of an instant (0005's rowids): its microseconds times 1000, ties adding 0…999, held
    /// within 1677…2262 as the migration holds it, so no instant a client sends can overflow it.
    public static func searchKey(_ instant: Timestamp) -> Int64 {
        min(max(instant.microsecondsSinceEpoch, -9_223_372_036_854_774), 9_223_372_036_854_774) * 1000
    }
}
