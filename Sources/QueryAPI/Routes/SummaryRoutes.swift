import Hummingbird
import Ledger
import RunaModels

/// `GET /v1/summary`: exact totals per currency and status (and day), live or `as_of`.
extension QueryAPI {
    func summary(_ request: Request) async throws -> Response {
        let parameters = try QueryParameters(request, allowed: Self.parameters["/v1/summary"] ?? [])
        let from = try parameters.instant("created_from")
        let to = try parameters.instant("created_to")
        let byDay = try parameters.oneOf("group", ["day"]) != nil
        let asOf = try parameters.instant("as_of")
        let totals = if let asOf {
            try await database.totals(createdFrom: from, createdTo: to, byDay: byDay, asOf: asOf)
        } else {
            try await database.totals(createdFrom: from, createdTo: to, byDay: byDay)
        }
        let lines = totals.lines.map(SummaryLine.init)
        RowCount.report(lines.count)
        return try Self.json(SummaryView(createdFrom: from?.canonical, createdTo: to?.canonical, asOf: asOf?.canonical,
                                         lines: lines))
    }
}

/// One line of `GET /v1/summary`: per currency and status (and day), exact totals as decimal strings.
struct SummaryLine: Encodable, Sendable, Equatable {
    var day: String?
    var currency: String?
    var status: String
    var orders: Int
    var totalPrice: String
    var totalDiscount: String
    var items: Int
    var faceValue: String

    init(_ line: (key: TotalsKey, totals: StatusTotals)) {
        day = line.key.day
        currency = line.key.currency
        status = line.key.status
        orders = line.totals.orders
        items = line.totals.items
        totalPrice = Money.plainString(micros: line.totals.price)
        totalDiscount = Money.plainString(micros: line.totals.discount)
        faceValue = Money.plainString(micros: line.totals.face)
    }

    enum CodingKeys: String, CodingKey {
        case day, currency, status, orders, totalPrice = "total_price", totalDiscount = "total_discount", items
        case faceValue = "face_value"
    }
}

struct SummaryView: Encodable, Sendable {
    var createdFrom: String?
    var createdTo: String?
    /// Set when the summary was rebuilt from the audit trail as it stood then.
    var asOf: String?
    var lines: [SummaryLine]

    enum CodingKeys: String, CodingKey { case createdFrom = "created_from", createdTo = "created_to", asOf = "as_of", lines }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(createdFrom, forKey: .createdFrom)
        try c.encode(createdTo, forKey: .createdTo)
        try c.encodeIfPresent(asOf, forKey: .asOf)
        try c.encode(lines, forKey: .lines)
    }
}
