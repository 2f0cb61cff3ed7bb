import Foundation
import HTTPCommon
import Hummingbird
import Ledger
import NIOCore
import RunaModels

/// The read-only `/v1` API over the ledger: orders, payouts, events, summaries, reconciliation and deliveries,
/// as JSON pages or streamed CSV, behind bearer tokens.
///
/// Every route reads through the ledger's typed read models (`Sources/Ledger/Read/`): this module holds no SQL.
/// One file per route family (`Routes/`) and per family of views (`Views/`).
public struct QueryAPI: Sendable {
    let database: LedgerDatabase
    /// The accepted bearer tokens, replaceable while running.
    public let tokens: APITokens
    let cursorKey: [UInt8]
    let counters: DeliveryCounters
    /// Where every authenticated `/v1` request is recorded.
    let accessLog: AccessLogWriter
    /// How many index matches a description search with other filters examines to choose its plan.
    let searchPlanWindow: Int

    /// - Parameters:
    ///   - tokens: the accepted bearer tokens (`LEDGER_API_TOKENS`); none means every route answers 401.
    ///   - counters: what the webhook endpoint counted without storing (duplicates, rejections).
    ///   - searchPlanWindow: how many index matches a description search with other filters examines to choose its
    ///     plan (``LedgerDatabase/orders(_:after:limit:searchPlanWindow:)``).
    public init(database: LedgerDatabase, tokens: [String], counters: DeliveryCounters = DeliveryCounters(),
                searchPlanWindow: Int = 20_000) throws {
        self.database = database
        self.searchPlanWindow = searchPlanWindow
        self.tokens = APITokens(tokens)
        self.counters = counters
        self.accessLog = AccessLogWriter(database: database)
        self.cursorKey = try database.ownKey(named: "cursor")
    }

    /// The `/v1` paths (as route templates); every one answers GET only.
    public static let paths = ["/v1/orders", "/v1/orders/:id", "/v1/orders/:id/events", "/v1/payouts", "/v1/summary",
                               "/v1/reconciliation", "/v1/deliveries", "/v1/completeness", "/v1/closes",
                               "/v1/closes/:period", "/v1/value-at-risk", "/v1/access-log", "/v1/openapi.json"]
    /// Routes only a token with the `auditor` role may read.
    public static let auditorPaths = ["/v1/access-log"]

    /// The query parameters each route takes (besides `format` on lists); the OpenAPI document must say the same.
    public static let parameters: [String: Set<String>] = [
        "/v1/orders": ["status", "currency", "created_from", "created_to", "updated_since", "payout_status", "source", "q",
                       "limit", "after"],
        "/v1/orders/{id}": ["as_of"],
        "/v1/orders/{id}/events": ["limit", "after"],
        "/v1/payouts": ["status", "currency", "order_id", "updated_since", "limit", "after"],
        "/v1/summary": ["created_from", "created_to", "group", "as_of"],
        "/v1/reconciliation": [],
        "/v1/deliveries": ["outcome", "limit", "after"],
        "/v1/completeness": ["created_from", "created_to", "limit"],
        "/v1/closes": [],
        "/v1/closes/{period}": ["limit"],
        "/v1/value-at-risk": ["currency"],
        "/v1/access-log": ["token_id", "since", "limit", "after"],
    ]

    public func addRoutes(to router: Router<some RequestContext>) {
        router.add(middleware: MethodNotAllowedMiddleware(paths: Self.paths, allowed: "GET, HEAD"))
        router.get("v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
        }
        let v1 = router.group("v1")
        v1.add(middleware: BearerAuthMiddleware(tokens: tokens, accessLog: accessLog, auditorPaths: Self.auditorPaths))
        v1.get("orders") { request, _ in try await self.orders(request) }
        v1.get("orders/:id") { request, context in try await self.order(request, id: context.parameters.get("id") ?? "") }
        v1.get("orders/:id/events") { request, context in
            try await self.events(request, orderId: context.parameters.get("id") ?? "")
        }
        v1.get("payouts") { request, _ in try await self.payouts(request) }
        v1.get("summary") { request, _ in try await self.summary(request) }
        v1.get("reconciliation") { request, _ in try await self.reconciliation(request) }
        v1.get("deliveries") { request, _ in try await self.deliveries(request) }
        v1.get("completeness") { request, _ in try await self.completeness(request) }
        v1.get("closes") { request, _ in try await self.closes(request) }
        v1.get("closes/:period") { request, context in
            try await self.close(request, period: context.parameters.get("period") ?? "")
        }
        v1.get("value-at-risk") { request, _ in try await self.valueAtRisk(request) }
        v1.get("access-log") { request, _ in try await self.accessLog(request) }
    }

    // MARK: Lists

    /// The sort key a valid `after` cursor carries; `nil` for the first page; a 400 for anything else.
    func cursor(_ parameters: QueryParameters) throws -> [String]? {
        guard let text = parameters["after"], !text.isEmpty else { return nil }
        guard let cursor = Cursor.decode(text, key: cursorKey, filters: parameters.fingerprint) else {
            throw QueryParameters.bad("after", "not a cursor this API gave out for these filters")
        }
        return cursor.after
    }

    /// A list route's answer: a JSON page (`{"items": [...], "next": cursor}`) or, asked for CSV, every matching
    /// record streamed as CSV.
    func respond<Record>(_ request: Request, _ parameters: QueryParameters, _ list: RecordList<Record>,
                         _ view: ViewColumns<Record>) async throws -> Response {
        let limit = try parameters.limit()  // validated even where CSV ignores it
        if try QueryParameters.wantsCSV(request, parameters) {
            guard (parameters["after"] ?? "").isEmpty else {
                throw QueryParameters.bad("after", "CSV exports every matching row; no cursor")
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: Self.csvBody(list, view))
        }
        let page = try await list.page(after: try cursor(parameters), limit: limit)
        RowCount.report(page.records.count)
        let next = page.next.map { CanonicalJSON.quote(Cursor(after: $0, filters: parameters.fingerprint).encode(key: cursorKey)) }
        return Self.json(text: "{\"items\":" + view.jsonArray(page.records) + ",\"next\":" + (next ?? "null") + "}")
    }

    /// Every record, as CSV with a header, a page at a time: to an HTTP response or any writer (the export).
    static func csv<Record>(_ list: RecordList<Record>, _ view: ViewColumns<Record>,
                            write: (String) async throws -> Void) async throws -> Int {
        try await write(CSVWriter.line(view.csvHeader))
        return try await list.forEachPage { records in try await write(view.csvLines(records)) }
    }

    /// Every record as a streamed CSV response body.
    static func csvBody<Record>(_ list: RecordList<Record>, _ view: ViewColumns<Record>) -> ResponseBody {
        let count = RowCount.streaming()
        return ResponseBody { writer in
            var sink = writer
            let rows = try await csv(list, view) { chunk in try await sink.write(ByteBuffer(string: chunk)) }
            // The access log entry is durable before the stream's end reaches the client.
            try await count?.finishStream(rows)
            try await sink.finish(nil)
        }
    }

    // MARK: Plumbing

    static func json(text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, type: "not_found", message: message) }
}
