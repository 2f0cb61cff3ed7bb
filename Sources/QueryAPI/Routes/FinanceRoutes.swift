import Hummingbird
import Ledger
import RunaModels

/// The routes for finance and auditors: the completeness watermark, month-end closes and their adjustments, value
/// at risk, and the access log.
extension QueryAPI {
    func completeness(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/completeness"] ?? [])
        let now = LedgerClock.now()
        let to = try parameters.instant("created_to") ?? now
        let from = try parameters.instant("created_from") ?? to.adding(seconds: -7 * 86_400)
        let report = try await database.completeness(gapLimit: try parameters.limit())
        let arrivals = try await database.arrivals(from: from, to: to, now: now)
        RowCount.report(report.gaps.count)
        return try Self.json(CompletenessView(report, arrivals: arrivals, from: from, to: to, now: now))
    }

    func closes(_ request: Request) async throws -> Response {
        _ = try QueryParameters(request, allowed: [])
        let closes = try await database.closes()
        RowCount.report(closes.count)
        let view = FinanceViews.close(withManifest: false)
        return Self.json(text: "{\"items\":[" + closes.map { view.json($0) }.joined(separator: ",") + "]}")
    }

    func close(_ request: Request, period: String) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/closes/{period}"] ?? [])
        let limit = try parameters.limit(default: 1_000)
        guard let (close, adjustments) = try await database.close(period: period, adjustmentLimit: limit) else {
            throw Self.notFound("\(period) is not closed")
        }
        RowCount.report(adjustments.count)
        return Self.json(text: FinanceViews.close(withManifest: true).json(close, extra: [
            ("adjustment_events", OrderViews.event.jsonArray(adjustments)),
        ]))
    }

    /// Per currency, the face value of payouts still ACTIVE — money issued and not yet claimed — by age since
    /// activation and by time left to expiry.
    func valueAtRisk(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/value-at-risk"] ?? [])
        let report = try await database.valueAtRisk(now: LedgerClock.now(), currency: try parameters.currency())
        RowCount.report(report.currencies.count)
        return try Self.json(report)
    }

    func accessLog(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/access-log"] ?? [])
        let list = database.accessLog(tokenId: parameters["token_id"], since: try parameters.instant("since"))
        return try await respond(request, parameters, list, FinanceViews.accessEntry)
    }
}
