import Ledger
import Logging
import Metrics
import RunaModels

/// Discovery: reading Runa's `GET /order` for orders no webhook announced, whichever end the list starts from.
///
/// Runa does not document the list's order, so every pass reads it from the pages' `created_at`
/// (``ListDirection``) and walks what that order needs:
/// - from the start, every pass: for a newest-first list, until a page holds nothing new and reaches what was read
///   before; for an oldest-first list only the first page (the oldest orders), unless nothing was read yet;
/// - from the newest page read so far (`ListingState.tailCursor`), for an oldest-first list: the orders placed
///   since the last pass are there, at the end;
/// - the whole list, start to end, resumed pass after pass: every `fullWalkIntervalSeconds`, and all the time
///   while the order is unknown or unsorted.
///
/// The completeness coverage (and so the watermark) advances only over what a walk actually read: a newest-first
/// walk that reached the stretch read before, an oldest-first walk up to the last `created_at` it read (or to its
/// start when it reached the end), or a whole walk to the end.
extension Reconciler {
    /// What one walk of the list read.
    struct ListWalk {
        var pages = 0
        var reachedEnd = false
        /// The `after` cursor of the last page that held orders: where a later walk resumes.
        var lastCursor: String?
        /// `created_at` of every order read, in list order (`nil` for an `IncompleteOrder`).
        var createdAt: [Timestamp?] = []
        var queued = 0
        var lastPageQueued = 0
        /// Whether an order created no later than the previous coverage's end was read.
        var connected = false
        var oldest: Timestamp?
        /// The last `created_at` read, in list order.
        var last: Timestamp?

        var direction: ListDirection { .observed(createdAt) }
    }

    /// Reads pages from `cursor` (the start of the list when `nil`) until the list ends, `maxPages` pages are read,
    /// or `stop` says so after a page; records every listed order and queues the ones the ledger lacks.
    func walk(from cursor: String?, maxPages: Int, previous: ListingCoverage?, direction known: ListDirection,
              stop: (ListWalk, ListDirection) -> Bool = { _, _ in false }) async throws -> ListWalk {
        var walk = ListWalk()
        var cursor = cursor
        while walk.pages < max(1, maxPages) {
            let page = try await gateway.listOrders(limit: configuration.pageSize, after: cursor)
            walk.pages += 1
            guard !page.items.isEmpty else {
                walk.reachedEnd = true
                break
            }
            let times = page.items.map(\.createdAt)
            walk.createdAt += times
            let dated = times.compactMap { $0 }
            if let oldest = dated.min() {
                walk.oldest = min(walk.oldest ?? oldest, oldest)
                if let previous, oldest <= previous.through { walk.connected = true }
            }
            if let last = dated.last { walk.last = last }
            try await database.recordListing(page.items, listedAt: LedgerClock.now(),
                                             createdAtFloor: walk.oldest ?? previous?.from)
            walk.lastPageQueued = try await queueDifferences(page.items)
            walk.queued += walk.lastPageQueued
            // Runa returns `after` whenever a page has results; without one the list ends here, and the last id is
            // where a later walk would resume.
            guard let next = page.pagination.cursors.after else {
                walk.lastCursor = page.items.last?.id
                walk.reachedEnd = true
                break
            }
            walk.lastCursor = next
            cursor = next
            if stop(walk, known.combined(with: walk.direction)) { break }
        }
        return walk
    }

    /// One discovery: the walks the list's order needs, the coverage they establish, and the state kept for the
    /// next pass. Returns how many orders were queued.
    func discover(maxPages: Int) async throws -> Int {
        let started = LedgerClock.now()
        let previous = try await database.listingCoverage()
        let before = try await database.listingState()
        var state = before
        let hadTail = before.tailCursor != nil

        let head = try await walk(from: nil, maxPages: maxPages, previous: previous, direction: before.direction) { walk, direction in
            switch direction {
            case .newestFirst: return walk.lastPageQueued == 0 && walk.connected
            case .oldestFirst: return hadTail
            case .unsorted: return true  // only a whole walk counts; the sweep below reads on
            case .unknown: return false
            }
        }
        state.direction = state.direction.combined(with: head.direction)
        var queued = head.queued
        var coverage = previous
        let headIsWhole = head.reachedEnd
        if headIsWhole {
            coverage = ListingCoverage(from: nil, through: started)
            state.tailCursor = head.lastCursor ?? state.tailCursor
            state.sweepCursor = nil
            state.sweepStartedAt = nil
            state.sweepFinishedAt = started
        } else {
            switch state.direction {
            case .newestFirst:
                if let previous, head.connected {
                    coverage = ListingCoverage(from: previous.from, through: started)
                } else if previous == nil, let oldest = head.oldest {
                    coverage = ListingCoverage(from: oldest, through: started)
                } else {
                    logger.warning("discovery did not reach the part of Runa's list read before; the watermark waits",
                                   metadata: ["pages": "\(maxPages)"])
                }
            case .oldestFirst where !hadTail:
                // The first read of the list, from its oldest order: everything created before the last it read.
                state.tailCursor = head.lastCursor
                if let last = head.last { coverage = ListingCoverage(from: nil, through: max(last, previous?.through ?? last)) }
            case .oldestFirst:
                let tail = try await walk(from: before.tailCursor, maxPages: maxPages, previous: previous,
                                          direction: .oldestFirst)
                queued += tail.queued
                state.direction = state.direction.combined(with: tail.direction)
                if let cursor = tail.lastCursor { state.tailCursor = cursor }
                if let previous, state.direction == .oldestFirst {
                    if tail.reachedEnd {
                        coverage = ListingCoverage(from: previous.from, through: started)
                    } else if let last = tail.last {
                        coverage = ListingCoverage(from: previous.from, through: max(previous.through, last))
                    } else {
                        logger.warning("discovery did not reach the end of Runa's list; the watermark waits",
                                       metadata: ["pages": "\(maxPages)"])
                    }
                }
            case .unknown, .unsorted:
                break
            }
        }

        // A whole walk: resumed while one is under way, always while the order is unknown or unsorted, else on
        // schedule.
        let sweepDue = !headIsWhole && (state.sweepCursor != nil || state.direction == .unknown
            || state.direction == .unsorted
            || (state.sweepFinishedAt.map { $0.adding(seconds: configuration.fullWalkIntervalSeconds) <= started } ?? true))
        if sweepDue {
            if state.sweepCursor == nil { state.sweepStartedAt = started }
            let sweep = try await walk(from: state.sweepCursor, maxPages: maxPages, previous: previous,
                                       direction: state.direction)
            queued += sweep.queued
            state.direction = state.direction.combined(with: sweep.direction)
            if sweep.reachedEnd {
                // It read every order that was on the list when it began.
                let began = state.sweepStartedAt ?? started
                if let held = coverage, let from = held.from, from > began {
                    // Not contiguous with what is covered: keep the newer stretch.
                } else {
                    coverage = ListingCoverage(from: nil, through: max(coverage?.through ?? began, began))
                }
                if state.direction == .oldestFirst || state.tailCursor == nil {
                    state.tailCursor = sweep.lastCursor ?? state.tailCursor
                }
                state.sweepCursor = nil
                state.sweepStartedAt = nil
                state.sweepFinishedAt = began
            } else {
                state.sweepCursor = sweep.lastCursor ?? state.sweepCursor
            }
        }

        // An order seen to change (or never settle): what was covered under the old reading no longer holds.
        if state.direction == .unsorted, before.direction != .unsorted, before.direction != .unknown {
            logger.warning("Runa's order list is not sorted by created_at as it seemed; only whole walks count now",
                           metadata: ["was": "\(before.direction.rawValue)"])
            coverage = nil
            state.tailCursor = nil
        }
        if coverage != previous {
            if let coverage { try await database.setListingCoverage(coverage) } else { try await database.clearListingCoverage() }
        }
        if state != before { try await database.setListingState(state) }
        Self.recordDirection(state.direction)
        return queued
    }

    /// `runa_ledger_list_direction{direction}`: 1 for the order Runa's list has shown, 0 for the others.
    static func recordDirection(_ direction: ListDirection) {
        for each in ListDirection.allCases {
            Gauge(label: "runa_ledger_list_direction", dimensions: [("direction", each.rawValue)])
                .record(each == direction ? 1 : 0)
        }
    }
}
