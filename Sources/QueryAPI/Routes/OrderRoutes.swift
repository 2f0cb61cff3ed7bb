import Hummingbird
import Ledger
import RunaModels

/// `GET /v1/orders`, `/v1/orders/{id}` (live or `as_of`) and `/v1/orders/{id}/events`.
extension QueryAPI {
    static let orderStatuses = OrderStatus.allCases.map(\.rawValue)
    static let payoutStatuses = PayoutStatus.documented.map(\.rawValue)

    func orders(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/orders"] ?? [])
        let limit = try parameters.limit(), after = try cursor(parameters)
        let list = try await database.orders(try Self.orderFilter(parameters), after: after, limit: limit,
                                             searchPlanWindow: searchPlanWindow)
        return try await respond(request, parameters, list, OrderViews.order)
    }

    /// The filter a request's parameters describe (a bad value is a 400 naming its parameter).
    static func orderFilter(_ parameters: QueryParameters) throws -> OrderFilter {
        var filter = OrderFilter()
        filter.statuses = try parameters.list("status", allowed: orderStatuses)
        filter.currency = try parameters.currency()
        filter.createdFrom = try parameters.instant("created_from")
        filter.createdTo = try parameters.instant("created_to")
        filter.updatedSince = try parameters.instant("updated_since")
        filter.payoutStatuses = try parameters.list("payout_status", allowed: payoutStatuses)
        filter.lastSource = try parameters.oneOf("source", ["webhook", "reconciler", "api"])
        if let text = parameters["q"] {
            guard !text.isEmpty, text.count <= 200 else { throw QueryParameters.bad("q", "expected 1 to 200 characters") }
            if text.hasPrefix("O-") {
                filter.idPrefix = text
            } else {
                // The trigram index needs three characters to look anything up.
                guard text.unicodeScalars.count >= 3 else {
                    throw QueryParameters.bad("q", "expected an order id prefix (O-…) or at least 3 characters of description")
                }
                filter.descriptionContains = text
            }
        }
        return filter
    }

    func order(_ request: Request, id: String) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/orders/{id}"] ?? [])
        let detail: OrderDetail?
        if let asOf = try parameters.instant("as_of") {
            // Rebuilt from the audit trail: the same shape as the live answer, with the events up to then.
            detail = try await database.order(id: id, asOf: asOf)
            guard detail != nil else { throw Self.notFound("no order \(id) in the ledger at \(asOf.canonical)") }
        } else {
            detail = try await database.order(id: id)
        }
        guard let detail else { throw Self.notFound("no order \(id) in the ledger") }
        RowCount.report(1)
        return Self.json(text: try OrderViews.detail(detail))
    }

    func events(_ request: Request, orderId: String) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/orders/{id}/events"] ?? [])
        guard try await database.hasOrder(id: orderId) else { throw Self.notFound("no order \(orderId) in the ledger") }
        return try await respond(request, parameters, database.events(orderId: orderId), OrderViews.event)
    }

    func payouts(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/payouts"] ?? [])
        return try await respond(request, parameters, database.payouts(try Self.payoutFilter(parameters)), OrderViews.payout)
    }

    static func payoutFilter(_ parameters: QueryParameters) throws -> PayoutFilter {
        var filter = PayoutFilter()
        filter.statuses = try parameters.list("status", allowed: payoutStatuses)
        filter.currency = try parameters.currency()
        filter.orderId = parameters["order_id"]
        filter.updatedSince = try parameters.instant("updated_since")
        return filter
    }
}
