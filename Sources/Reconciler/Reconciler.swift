import Foundation
import Ledger
import Logging
import Metrics
import RunaClient
import RunaModels
import ServiceLifecycle
import Synchronization

/// The reconciler's settings (DESIGN.md's `RECONCILE_*`).
public struct ReconcilerConfiguration: Sendable {
    /// Pause between passes.
    public var intervalSeconds: Int64 = 60
    /// A PROCESSING order older than this is fetched.
    public var staleAfterSeconds: Int64 = 600
    /// Ages after activation at which ACTIVE payouts are re-checked (then every last step, and at expiry).
    public var payoutRefreshSeconds: [Int64] = [3_600, 21_600, 86_400, 604_800]
    /// `GET /order` pages each walk of a pass reads at most (the walk from the start, the one from the newest
    /// page read, and the whole walk): the rest waits for the next pass.
    public var maxDiscoveryPages = 10
    /// How often the whole list is walked again, start to end (resumed across passes), whatever its order: a net
    /// under the walks that read only its ends. A list whose order is unknown or unsorted is walked whole always.
    public var fullWalkIntervalSeconds: Int64 = 86_400
    public var pageSize = 100
    /// Orders fetched at once (the gateway's budget still applies).
    public var maxConcurrency = 4
    /// When a still-processing order is looked at again.
    public var recheckProcessingSeconds: Int64 = 30
    /// A PROCESSING order older than this is a discrepancy ("stuck").
    public var stuckAfterSeconds: Int64 = 86_400
    /// Longest a single pass keeps draining tasks before the next discovery.
    public var maxDrainSeconds: Double = 300

    public init() {}
}

/// What one pass did.
public struct PassSummary: Sendable, Equatable {
    public var discovered = 0
    public var run = ReconcileRunSummary()
    public var backlog: ReconcileBacklog?
}

/// Converges the ledger to Runa's truth: discovery of orders no webhook announced, stale PROCESSING orders,
/// enrichment of orders without items, and payout refresh — all through the durable `reconcile_tasks` queue, so
/// a restart resumes where it stopped, and all through the same merge rules and audit trail as webhooks.
public final class Reconciler: Service, Sendable {
    public let database: LedgerDatabase
    public let gateway: RunaGateway
    public let configuration: ReconcilerConfiguration
    let logger: Logger
    /// Set when Runa refuses the API version this build speaks: the reconciler stops calling it.
    private let refusal = Mutex<String?>(nil)

    /// Why the reconciler has stopped calling Runa (`invalid_version` or `version_removed`), if it has.
    public var haltReason: String? { refusal.withLock { $0 } }

    public init(database: LedgerDatabase, gateway: RunaGateway, configuration: ReconcilerConfiguration, logger: Logger) {
        self.database = database
        self.gateway = gateway
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs a pass every interval until graceful shutdown; a pass in progress stops between orders.
    public func run() async throws {
        logger.info("reconciler started", metadata: ["interval_s": "\(configuration.intervalSeconds)"])
        await cancelWhenGracefulShutdown {
            Gauge(label: "runa_ledger_runa_api_version_refused").record(0)
            while !Task.isCancelled {
                if let reason = self.haltReason {
                    // One line, a gauge and an alert (RunaLedgerRunaVersionRefused); no retry loop. Webhooks are
                    // still taken; the reconciler waits for a release that speaks a version Runa serves.
                    self.logger.critical("Runa refuses this build's API version; the reconciler has stopped", metadata: [
                        "api_version": "\(RunaAPIClient.apiVersion)", "reason": "\(reason)",
                    ])
                    Gauge(label: "runa_ledger_runa_api_version_refused").record(1)
                    try? await gracefulShutdown()
                    return
                }
                let summary = await self.pass()
                self.logger.info("reconcile pass", metadata: [
                    "checked": "\(summary.run.checked)", "changed": "\(summary.run.changed)",
                    "discovered": "\(summary.discovered)", "discrepancies": "\(summary.run.discrepancies)",
                    "errors": "\(summary.run.errors)",
                ])
                try? await Task.sleep(for: .seconds(self.configuration.intervalSeconds))
            }
        }
    }

    /// One pass: discover, queue stale and payout work, drain the queue; one `reconcile_runs` row.
    public func pass() async -> PassSummary {
        var summary = PassSummary()
        Gauge(label: "runa_ledger_runa_api_version_refused").record(haltReason == nil ? 0 : 1)
        if let reason = haltReason {
            summary.run.errors = 1
            summary.run.errorSummary = reason
            return summary
        }
        let started = LedgerClock.now()
        let runId = try? await database.openRun(now: started)
        var errors: [String] = []
        do {
            summary.discovered = try await discover(maxPages: configuration.maxDiscoveryPages)
        } catch {
            haltIfVersionRefused(error)
            errors.append("discovery: \(error)")
        }
        do {
            let now = LedgerClock.now()
            try await database.enqueueStale(createdBefore: now.adding(seconds: -configuration.staleAfterSeconds), now: now)
            try await database.enqueuePayoutRefresh(now: now, schedule: configuration.payoutRefreshSeconds)
        } catch {
            errors.append("queueing: \(error)")
        }
        summary.run = await drain(deadline: .now + .seconds(configuration.maxDrainSeconds))
        summary.run.errors += errors.count
        if !errors.isEmpty {
            summary.run.errorSummary = (errors + [summary.run.errorSummary].compactMap { $0 }).joined(separator: "; ")
        }
        if (try? await database.settleCompleteListings()) == nil { summary.run.errors += 1 }
        summary.backlog = try? await database.backlog(now: LedgerClock.now())
        if let runId { try? await database.closeRun(runId, summary: summary.run, now: LedgerClock.now()) }
        Gauge(label: "runa_ledger_reconcile_backlog").record(Double(summary.backlog.map { $0.due + $0.waiting } ?? 0))
        return summary
    }

    /// Queues the orders of a list page the ledger does not know, or knows in another status.
    func queueDifferences(_ summaries: [RunaOrder]) async throws -> Int {
        let known = try await database.knownOrders(summaries.map(\.id))
        let unknown = summaries.filter { known[$0.id] == nil }.map(\.id)
        let changed = summaries.filter { summary in
            guard let held = known[summary.id] else { return false }
            return held.status != summary.status || (summary.status.isTerminal && !held.detailsKnown)
        }.map(\.id)
        let now = LedgerClock.now()
        try await database.enqueue(unknown, reason: .discover, notBefore: now)
        try await database.enqueue(changed, reason: .stale, notBefore: now)
        return unknown.count + changed.count
    }

    /// Fetches every due order with `maxConcurrency` calls in flight, topping the pipeline up as each call returns,
    /// and applies Runa's answers — until nothing is due (and `moreComing` says no more will be queued).
    ///
    /// Up to ``tasksPerCall`` times as many orders are in progress as calls: the gateway holds the calls to
    /// `maxConcurrency`, and the other tasks wait for their answer's commit (shared by many, ``LedgerDatabase``'s
    /// group commit) without holding a call's place.
    func drain(deadline: ContinuousClock.Instant, moreComing: @escaping @Sendable () -> Bool = { false },
               onChecked: @escaping @Sendable () -> Void = {}) async -> ReconcileRunSummary
    {
        await withTaskGroup(of: (String, TaskOutcome).self) { group in
            var summary = ReconcileRunSummary()
            var pending: [ReconcileTask] = []
            var inFlight = Set<String>()
            while !Task.isCancelled {
                // Top up: keep the pipeline full while there is due work and time.
                while inFlight.count < configuration.maxConcurrency * Self.tasksPerCall, ContinuousClock.now < deadline,
                      haltReason == nil {
                    if pending.isEmpty {
                        let due = (try? await database.dueTasks(now: LedgerClock.now(), limit: 256)) ?? []
                        pending = due.filter { !inFlight.contains($0.orderId) }
                        if pending.isEmpty { break }
                    }
                    let task = pending.removeFirst()
                    inFlight.insert(task.orderId)
                    group.addTask { (task.orderId, await self.process(task)) }
                }
                if inFlight.isEmpty {
                    guard moreComing(), ContinuousClock.now < deadline else { break }
                    try? await Task.sleep(for: .milliseconds(5))
                    continue
                }
                guard let (orderId, outcome) = await group.next() else { break }
                inFlight.remove(orderId)
                summary.checked += 1
                onChecked()
                switch outcome {
                case .applied(let applied):
                    if applied.events > 0 { summary.changed += 1 }
                    summary.discrepancies += applied.discrepancies
                case .failed(let error):
                    summary.errors += 1
                    summary.errorSummary = error
                }
            }
            return summary
        }
    }

    /// Orders in progress per call in flight (see ``drain(deadline:moreComing:onChecked:)``).
    static let tasksPerCall = 4

    /// Stops the reconciler for good when `error` is Runa refusing the API version.
    func haltIfVersionRefused(_ error: any Error) {
        guard let error = error as? RunaAPIError, case .versionRefused = error else { return }
        refusal.withLock { $0 = $0 ?? error.description }
    }

    enum TaskOutcome: Sendable {
        case applied(AppliedObservation)
        case failed(String)
    }

    private func process(_ task: ReconcileTask) async -> TaskOutcome {
        let outcome: TaskOutcome
        var status = "ok"
        do {
            let order = try await gateway.order(id: task.orderId)
            let applied = try await database.applyAuthoritative(
                order, cause: "GET /order/\(task.orderId) (\(task.reasons.sorted().map(\.rawValue).joined(separator: ",")))",
                now: LedgerClock.now(), recheckSeconds: configuration.recheckProcessingSeconds,
                stuckAfterSeconds: configuration.stuckAfterSeconds)
            outcome = .applied(applied)
        } catch {
            switch error as? RunaAPIError {
            case .rateLimited?: status = "rate_limited"
            case .server?: status = "server_error"
            case .rejected?: status = "rejected"
            case .undecodable?: status = "undecodable"
            case .transport?: status = "no_answer"
            case .versionRefused?: status = "version_refused"
            case .replayedError?: status = "server_error"
            case nil: status = "ledger_error"
            }
            haltIfVersionRefused(error)
            // Back off per order: 5 s, 10 s, 20 s … up to an hour; the queue keeps the work across restarts.
            let backoff = min(Int64(5) << min(Int64(task.attempts), 10), 3_600)
            try? await database.recordTaskFailure(orderId: task.orderId, error: "\(error)", retryAfterSeconds: backoff,
                                                  now: LedgerClock.now())
            logger.warning("reconcile fetch failed", metadata: ["order_id": "\(task.orderId)", "error": "\(error)"])
            outcome = .failed("\(task.orderId): \(error)")
        }
        Counter(label: "runa_ledger_reconciler_calls_total", dimensions: [("status", status)]).increment()
        return outcome
    }

    // MARK: Backfill

    /// Progress of a backfill, reported after every page and every batch of fetched orders.
    public struct BackfillProgress: Sendable {
        public var pages: Int
        public var listed: Int
        public var queued: Int
        public var fetched: Int
        public var remaining: Int
        public var walkingDone: Bool
    }

    static let backfillCursorKey = "backfill.after"
    static let backfillStartedKey = "backfill.started_at"

    /// Walks the whole `GET /order` history (resuming from a saved cursor), queues every order the ledger lacks
    /// or holds differently, and fetches them — walking and fetching at once, so the budget is never idle.
    public func backfill(progress: @escaping @Sendable (BackfillProgress) -> Void) async throws -> BackfillProgress {
        let start = try await database.reconcileState(Self.backfillCursorKey)
        // When the walk began: a finished walk covers Runa's whole list up to then (a resumed one, since the
        // first start, which is kept with the cursor).
        let walkStarted = try await database.reconcileState(Self.backfillStartedKey).flatMap { Timestamp(rfc3339: $0) }
            ?? LedgerClock.now()
        try await database.setReconcileState(Self.backfillStartedKey, walkStarted.canonical)
        logger.info("backfill started", metadata: ["walk": "\(start == nil ? "from the newest order" : "resuming")"])
        let walk = WalkState()
        async let walked: Void = walkHistory(from: start, state: walk, progress: progress)
        let drained = await drain(deadline: .now + .seconds(7 * 86_400), moreComing: { !walk.isDone },
                                  onChecked: { walk.fetchedOne() })
        try await walked
        var state = walk.snapshot
        state.fetched = drained.checked
        state.walkingDone = true
        state.remaining = (try? await database.backlog(now: LedgerClock.now())).map { $0.due + $0.waiting } ?? 0
        try await database.setReconcileState(Self.backfillCursorKey, nil)
        try await database.setReconcileState(Self.backfillStartedKey, nil)
        // The walk read every order on the list when it began, whichever end the list starts from.
        let previous = try await database.listingCoverage()
        let through = max(previous?.through ?? walkStarted, walkStarted)
        try await database.setListingCoverage(ListingCoverage(from: nil, through: through))
        var listing = try await database.listingState()
        listing.direction = listing.direction.combined(with: walk.direction)
        if listing.direction == .oldestFirst || listing.tailCursor == nil { listing.tailCursor = walk.lastCursor }
        listing.sweepFinishedAt = max(listing.sweepFinishedAt ?? walkStarted, walkStarted)
        try await database.setListingState(listing)
        Self.recordDirection(listing.direction)
        _ = try await database.settleCompleteListings()
        progress(state)
        return state
    }

    private func walkHistory(from start: String?, state: WalkState, progress: @Sendable (BackfillProgress) -> Void) async throws {
        defer { state.finish() }
        var cursor = start
        while !Task.isCancelled {
            let page = try await gateway.listOrders(limit: configuration.pageSize, after: cursor)
            if page.items.isEmpty { break }
            let floor = state.observe(page.items.map(\.createdAt))
            try await database.recordListing(page.items, listedAt: LedgerClock.now(), createdAtFloor: floor)
            let queued = try await queueDifferences(page.items)
            cursor = page.pagination.cursors.after ?? page.items.last?.id
            state.reached(cursor)
            // The cursor is saved only after the page's work is queued durably: a restart loses nothing.
            try await database.setReconcileState(Self.backfillCursorKey, cursor)
            progress(state.add(listed: page.items.count, queued: queued))
        }
        try Task.checkCancellation()
    }
}

/// The walking half of a backfill, shared with the fetching half.
final class WalkState: Sendable {
    private let state = Mutex((progress: Reconciler.BackfillProgress(pages: 0, listed: 0, queued: 0, fetched: 0,
                                                                     remaining: 0, walkingDone: false), done: false))
    /// The list's `created_at` in the order read (a resumed backfill sees only its own part), the oldest so far,
    /// and the last cursor.
    private let listing = Mutex((createdAt: [Timestamp?](), oldest: Timestamp?.none, cursor: String?.none))

    /// Notes a page's `created_at` values; returns the floor for its orders that have none.
    func observe(_ times: [Timestamp?]) -> Timestamp? {
        listing.withLock { listing in
            listing.createdAt += times
            if let oldest = times.compactMap({ $0 }).min() { listing.oldest = min(listing.oldest ?? oldest, oldest) }
            return listing.oldest
        }
    }

    func reached(_ cursor: String?) { listing.withLock { $0.cursor = cursor ?? $0.cursor } }

    var direction: ListDirection { listing.withLock { ListDirection.observed($0.createdAt) } }
    var lastCursor: String? { listing.withLock { $0.cursor } }

    var isDone: Bool { state.withLock { $0.done } }
    var snapshot: Reconciler.BackfillProgress { state.withLock { $0.progress } }

    func add(listed: Int, queued: Int) -> Reconciler.BackfillProgress {
        state.withLock { state in
            state.progress.pages += 1
            state.progress.listed += listed
            state.progress.queued += queued
            return state.progress
        }
    }

    func fetchedOne() { state.withLock { $0.progress.fetched += 1 } }

    func finish() { state.withLock { $0.done = true } }
}
