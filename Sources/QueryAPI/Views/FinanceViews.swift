import Foundation
import Ledger
import RunaModels

/// How the query API shows deliveries, the access log, closes and the reconciler's state.
enum FinanceViews {
    static let delivery = ViewColumns<DeliveryRecord>([
        .column("msg_id") { .text($0.msgId) },
        .column("received_at") { .text($0.receivedAt) },
        .column("signed_at") { .text($0.signedAt) },
        .column("body_sha256") { .text($0.bodySHA256) },
        .column("event_type") { .text($0.eventType) },
        .column("order_id") { .text($0.orderId) },
        .column("outcome") { .text($0.outcome) },
        .column("error") { .text($0.error) },
    ])

    static let accessEntry = ViewColumns<AccessLogRecord>([
        .column("id") { .int($0.id) },
        .column("at") { .text($0.at) },
        .column("token_id") { .text($0.tokenId) },
        .column("role") { .text($0.role) },
        .column("method") { .text($0.method) },
        .column("path") { .text($0.path) },
        .column("query") { .text($0.query) },
        .column("status") { .int(Int64($0.status)) },
        .column("rows") { .int($0.rows.map(Int64.init)) },
    ])

    /// A close; its manifest only where one close is asked for.
    static func close(withManifest: Bool) -> ViewColumns<CloseRecord> {
        ViewColumns([
            .column("period") { .text($0.period) },
            .column("closed_at") { .text($0.closedAt) },
            .column("forced") { .bool($0.forced) },
            .column("force_reason") { .text($0.forceReason) },
            .column("manifest_sha256") { .text($0.manifestSHA256) },
            .column("event_seq") { .int($0.eventSeq) },
            .column("directory") { .text($0.directory) },
            .column("adjustments") { .int(Int64($0.adjustments)) },
        ] + (withManifest ? [.column("manifest") { .json($0.manifest) }] : []))
    }

    static let run = ViewColumns<ReconcileRunRecord>([
        .column("id") { .int($0.id) },
        .column("started_at") { .text($0.startedAt) },
        .column("finished_at") { .text($0.finishedAt) },
        .column("checked") { .int(Int64($0.checked)) },
        .column("changed") { .int(Int64($0.changed)) },
        .column("discrepancies") { .int(Int64($0.discrepancies)) },
        .column("errors") { .int(Int64($0.errors)) },
        .column("error_summary") { .text($0.errorSummary) },
    ])
}

/// `GET /v1/deliveries`: counts, then a page of quarantined or ignored deliveries.
struct DeliveriesView: Encodable, Sendable {
    /// Stored deliveries by outcome.
    var counts: [String: Int]
    /// Ignored deliveries by the event type their body showed (`product.update`, `unrecognised`).
    var ignoredByEventType: [String: Int]
    /// Duplicates and rejected signatures since the process started (they store nothing).
    var sinceStart: [String: Int]
    var items: [Columned<DeliveryRecord>]
    var next: String?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(counts, forKey: .counts)
        try c.encode(ignoredByEventType, forKey: .ignoredByEventType)
        try c.encode(sinceStart, forKey: .sinceStart)
        try c.encode(items, forKey: .items)
        try c.encode(next, forKey: .next)
    }

    enum CodingKeys: String, CodingKey {
        case counts, ignoredByEventType = "ignored_by_event_type", sinceStart = "since_start", items, next
    }
}

/// How the reconciler reads Runa's list: the direction its pages showed, and its walks.
struct ListOrderView: Encodable, Sendable {
    var direction: String
    var tailCursorHeld: Bool
    var wholeWalkInProgressSince: String?
    var wholeWalkFinishedStartedAt: String?

    init(_ state: ListingState) {
        direction = state.direction.rawValue
        tailCursorHeld = state.tailCursor != nil
        wholeWalkInProgressSince = state.sweepCursor == nil ? nil : state.sweepStartedAt?.canonical
        wholeWalkFinishedStartedAt = state.sweepFinishedAt?.canonical
    }

    enum CodingKeys: String, CodingKey {
        case direction, tailCursorHeld = "tail_cursor_held", wholeWalkInProgressSince = "whole_walk_in_progress_since"
        case wholeWalkFinishedStartedAt = "whole_walk_finished_started_at"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(direction, forKey: .direction)
        try c.encode(tailCursorHeld, forKey: .tailCursorHeld)
        try c.encode(wholeWalkInProgressSince, forKey: .wholeWalkInProgressSince)
        try c.encode(wholeWalkFinishedStartedAt, forKey: .wholeWalkFinishedStartedAt)
    }
}

/// `GET /v1/reconciliation`.
struct ReconciliationView: Encodable, Sendable {
    var listOrder: ListOrderView
    var status: ReconciliationStatus
    var backlog: ReconcileBacklog

    enum CodingKeys: String, CodingKey {
        case listOrder = "list_order", runs, backlog, discrepancyEvents = "discrepancy_events", oldestTask = "oldest_task"
        case webhookLagSeconds = "webhook_lag_seconds"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(listOrder, forKey: .listOrder)
        try c.encode(status.runs.map { Columned(record: $0, columns: FinanceViews.run) }, forKey: .runs)
        try c.encode(backlog, forKey: .backlog)
        try c.encode(status.discrepancyEvents, forKey: .discrepancyEvents)
        try c.encodeIfPresent(status.oldestTask, forKey: .oldestTask)
        try c.encodeIfPresent(status.webhookLag.map { ["average": $0.average, "max": $0.max] }, forKey: .webhookLagSeconds)
    }
}

extension ReconcileBacklog: Encodable {
    enum CodingKeys: String, CodingKey { case due, waiting, disputed, processing, withoutDetails = "without_details", inStep = "in_step" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(due, forKey: .due)
        try c.encode(waiting, forKey: .waiting)
        try c.encode(disputed, forKey: .disputed)
        try c.encode(processing, forKey: .processing)
        try c.encode(withoutDetails, forKey: .withoutDetails)
        try c.encode(isInStep, forKey: .inStep)
    }
}

struct CompletenessView: Encodable, Sendable {
    var report: CompletenessReport
    var arrivals: ArrivalReport
    var from: Timestamp
    var to: Timestamp
    var now: Timestamp

    init(_ report: CompletenessReport, arrivals: ArrivalReport, from: Timestamp, to: Timestamp, now: Timestamp) {
        self.report = report
        self.arrivals = arrivals
        self.from = from
        self.to = to
        self.now = now
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        try c.encode(report.watermark?.canonical, forKey: "watermark")
        try c.encode(report.watermark.map { Double(now.microsecondsSinceEpoch - $0.microsecondsSinceEpoch) / 1_000_000 },
                     forKey: "watermark_age_seconds")
        try c.encode(report.coverage.map { ["from": $0.from?.canonical, "through": $0.through.canonical] }, forKey: "coverage")
        try c.encode(report.listedOrders, forKey: "listed_orders")
        try c.encode(report.openGaps, forKey: "open_gaps")
        try c.encode(report.gaps.map { gap -> [String: String?] in
            ["order_id": gap.orderId, "created_at": gap.createdAt, "listed_status": gap.listedStatus,
             "ledger_status": gap.ledgerStatus, "reason": gap.reason.rawValue]
        }, forKey: "gaps")
        var lag: [String: Double]?
        let lags = arrivals.webhookLagSeconds.sorted()
        if !lags.isEmpty {
            func quantile(_ q: Double) -> Double { lags[min(lags.count - 1, Int((Double(lags.count) * q).rounded(.up)) - 1)] }
            lag = ["p50": quantile(0.5), "p99": quantile(0.99), "max": lags[lags.count - 1]]
        }
        var nested = c.nestedContainer(keyedBy: AnyKey.self, forKey: "arrivals")
        try nested.encode(from.canonical, forKey: "created_from")
        try nested.encode(to.canonical, forKey: "created_to")
        try nested.encode(arrivals.orders, forKey: "orders")
        try nested.encode(arrivals.webhookOnly, forKey: "webhook_only")
        try nested.encode(arrivals.reconcilerOnly, forKey: "reconciler_only")
        try nested.encode(arrivals.both, forKey: "both")
        try nested.encode(lag, forKey: "webhook_lag_seconds")
        try nested.encode(arrivals.webhookNeverCameCount, forKey: "webhook_never_came")
        try nested.encode(arrivals.webhookNeverCame, forKey: "webhook_never_came_orders")
    }
}

