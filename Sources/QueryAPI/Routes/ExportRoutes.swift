import Ledger

/// `runa-ledger export`: the CSV the list routes stream, written to a file.
extension QueryAPI {
    /// What `runa-ledger export` can write.
    public enum ExportKind: String, CaseIterable, Sendable {
        case orders, payouts, events
    }

    /// The filters each export takes: the list route's, and for events an order and a start time.
    public static func exportFilters(_ kind: ExportKind) -> Set<String> {
        switch kind {
        case .orders: return (parameters["/v1/orders"] ?? []).subtracting(["limit", "after"])
        case .payouts: return (parameters["/v1/payouts"] ?? []).subtracting(["limit", "after"])
        case .events: return ["order_id", "since"]
        }
    }

    /// Writes every matching row as the same CSV the API streams, a chunk at a time; returns the number of rows.
    /// A bad filter throws an ``APIError`` naming it.
    public func export(_ kind: ExportKind, filters: [(String, String)], write: @Sendable (String) async throws -> Void)
        async throws -> Int
    {
        let parameters = try QueryParameters(filters, allowed: Self.exportFilters(kind))
        switch kind {
        case .orders:
            let list = try await database.orders(try Self.orderFilter(parameters), searchPlanWindow: searchPlanWindow)
            return try await Self.csv(list, OrderViews.order, write: write)
        case .payouts:
            return try await Self.csv(database.payouts(try Self.payoutFilter(parameters)), OrderViews.payout, write: write)
        case .events:
            let list = database.events(orderId: parameters["order_id"], since: try parameters.instant("since"))
            return try await Self.csv(list, OrderViews.event, write: write)
        }
    }
}
