import RunaModels

/// Which end of the order history Runa's `GET /order` starts from. Runa does not document it
/// (`reference-pagination.mdx`), so the reconciler reads it from the pages' `created_at` and works either way.
public enum ListDirection: String, Sendable, Codable, CaseIterable {
    /// Not seen yet: fewer than two distinct `created_at` values have been read in list order.
    case unknown
    /// The first page holds the newest orders; new orders appear at the start.
    case newestFirst = "newest_first"
    /// The first page holds the oldest orders; new orders appear at the end.
    case oldestFirst = "oldest_first"
    /// Both rises and falls were seen: no order can be relied on, so only whole walks of the list count.
    case unsorted

    /// What the list has shown so far, combined with what a later walk shows.
    public func combined(with other: ListDirection) -> ListDirection {
        switch (self, other) {
        case (.unknown, let seen), (let seen, .unknown): return seen
        case let (held, seen) where held == seen: return held
        default: return .unsorted
        }
    }

    /// The direction shown by `created_at` values in list order (`nil` for an `IncompleteOrder`, which has none).
    public static func observed(_ createdAt: [Timestamp?]) -> ListDirection {
        var rises = false, falls = false
        var previous: Timestamp?
        for case let time? in createdAt {
            if let previous {
                if time > previous { rises = true }
                if time < previous { falls = true }
            }
            previous = time
        }
        switch (rises, falls) {
        case (true, true): return .unsorted
        case (true, false): return .oldestFirst
        case (false, true): return .newestFirst
        case (false, false): return .unknown
        }
    }
}
