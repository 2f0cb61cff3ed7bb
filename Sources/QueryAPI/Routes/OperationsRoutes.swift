import Hummingbird
import Ledger
import RunaModels

/// `GET /v1/reconciliation` and `GET /v1/deliveries`: how the ledger is kept up to date.
extension QueryAPI {
    func reconciliation(_ request: Request) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let backlog = try await database.backlog(now: LedgerClock.now())
        let listing = try await database.listingState()
        let status = try await database.reconciliationStatus()
        return try Self.json(ReconciliationView(listOrder: ListOrderView(listing), status: status, backlog: backlog))
    }

    func deliveries(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/deliveries"] ?? [])
        let outcome = try parameters.oneOf("outcome", ["quarantined", "ignored"]) ?? "quarantined"
        let list = database.deliveries(outcome: outcome)
        let limit = try parameters.limit()
        if try QueryParameters.wantsCSV(request, parameters) {
            return try await respond(request, parameters, list, FinanceViews.delivery)
        }
        let counts = try await database.deliveryCounts()
        let ignored = try await database.ignoredDeliveriesByEventType()
        let page = try await list.page(after: try cursor(parameters), limit: limit)
        RowCount.report(page.records.count)
        return try Self.json(DeliveriesView(
            counts: counts, ignoredByEventType: ignored, sinceStart: counters.snapshot,
            items: page.records.map { Columned(record: $0, columns: FinanceViews.delivery) },
            next: page.next.map { Cursor(after: $0, filters: parameters.fingerprint).encode(key: cursorKey) }))
    }
}
