import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RunaModels

/// How `POST /order` should run (`X-Execution-Mode`).
public enum ExecutionMode: String, Sendable {
    case async, sync
}

/// The answer to `POST /order`: accepted for later (async) or finished (sync).
public enum CreatedOrder: Sendable {
    case accepted(AcceptedOrder)
    case completed(RunaOrder)

    public var id: String {
        switch self {
        case .accepted(let order): return order.id
        case .completed(let order): return order.id
        }
    }
}

/// A failed call to Runa's API, with what the caller needs to decide whether to retry.
public enum RunaAPIError: Error, Sendable, CustomStringConvertible {
    /// 429: wait (at least `retryAfter` seconds when given).
    case rateLimited(retryAfter: Int?)
    /// 5xx: Runa's side; retry with backoff (and the same idempotency key).
    case server(status: Int, body: RunaErrorBody?)
    /// 4xx other than 429: the request is wrong; retrying will not help.
    case rejected(status: Int, body: RunaErrorBody?)
    /// 2xx whose body is not what Runa documents (truncated, garbage): retry.
    case undecodable(PayloadError)
    /// `invalid_version` (400) or `version_removed` (410): Runa no longer serves the API version this build speaks.
    /// No retry helps; a new release does.
    case versionRefused(status: Int, body: RunaErrorBody?)
    /// `POST /order` answered the same error again for the same idempotency key: Runa replays a key's first answer,
    /// whatever it was, for 30 days. Whether the order was placed is unknown; the list will tell.
    case replayedError(status: Int, body: RunaErrorBody?)
    /// No answer (connection refused, timeout).
    case transport(String)

    /// Whether the same request may succeed later.
    public var isRetryable: Bool {
        switch self {
        case .rejected, .versionRefused, .replayedError: return false
        default: return true
        }
    }

    public var description: String {
        switch self {
        case .rateLimited(let after): return "rate limited (retry after \(after.map(String.init) ?? "?") s)"
        case .server(let status, let body): return "server error \(status)\(body.map { ": \($0.message)" } ?? "")"
        case .rejected(let status, let body):
            let details = body?.details?.map { "\($0.location.joined(separator: ".")): \($0.message)" }.joined(separator: "; ")
            return "rejected \(status)\(body.map { ": \($0.message)" } ?? "")\(details.map { " (\($0))" } ?? "")"
        case .undecodable(let problem): return "undecodable answer: \(problem)"
        case .versionRefused(let status, let body):
            return "API version \(RunaAPIClient.apiVersion) refused (\(status) \(body?.type ?? "?")): \(body?.message ?? "")"
        case .replayedError(let status, let body):
            return "replayed error for this idempotency key: \(status) \(body?.type ?? "")"
        case .transport(let reason): return "no answer: \(reason)"
        }
    }
}

/// Calls to Runa's order API over AsyncHTTPClient: `POST /order`, `GET /order/{id}`, `GET /order`.
///
/// Every request carries `X-Api-Key` and `X-Api-Version: 2024-02-05`. Answers are decoded completely or not at all:
/// nothing half-decoded reaches a caller. Retry policy is the caller's.
public struct RunaAPIClient: Sendable {
    public static let apiVersion = "2024-02-05"
    public let baseURL: String
    private let apiKey: String
    private let timeout: TimeAmount

    public init(baseURL: String, apiKey: String, timeoutSeconds: Int64 = 30) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.timeout = .seconds(timeoutSeconds)
    }

    /// `POST /order`. Retry a failed call with the same `idempotencyKey`: Runa returns the original order.
    public func createOrder(_ order: NewOrder, idempotencyKey: String, mode: ExecutionMode = .async)
        async throws(RunaAPIError) -> CreatedOrder
    {
        let (status, body) = try await send(.POST, "/order", body: RunaJSON.encode(order), headers: [
            ("X-Idempotency-Key", idempotencyKey), ("X-Execution-Mode", mode.rawValue), ("Content-Type", "application/json"),
        ])
        do {
            if status == 202 { return .accepted(try RunaJSON.decode(AcceptedOrder.self, from: body)) }
            return .completed(try RunaOrder.decode(from: body))
        } catch {
            throw .undecodable(error)
        }
    }

    /// `GET /order/{id}`: the full order, or `{id, status, message}` (`IncompleteOrder`) while it is processing.
    public func order(id: String) async throws(RunaAPIError) -> RunaOrder {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id
        let (_, body) = try await send(.GET, "/order/\(escaped)", body: nil, headers: [])
        do { return try RunaOrder.decode(from: body) } catch { throw .undecodable(error) }
    }

    /// `GET /order`: a page of summaries, in the list's own order (Runa does not document which end it starts from).
    public func listOrders(limit: Int = 100, after: String? = nil, before: String? = nil)
        async throws(RunaAPIError) -> OrderListPage
    {
        var query = "?limit=\(limit)"
        if let after { query += "&after=\(after.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? after)" }
        if let before { query += "&before=\(before.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? before)" }
        let (_, body) = try await send(.GET, "/order" + query, body: nil, headers: [])
        do { return try OrderListPage.decode(from: body) } catch { throw .undecodable(error) }
    }

    private func send(_ method: HTTPMethod, _ path: String, body: Data?, headers: [(String, String)])
        async throws(RunaAPIError) -> (Int, Data)
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "X-Api-Key", value: apiKey)
        request.headers.add(name: "X-Api-Version", value: Self.apiVersion)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let status: Int
        let data: Data
        let retryAfter: Int?
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "Retry-After").flatMap { Int($0) }
            data = Data(try await response.body.collect(upTo: 32 << 20).readableBytesView)
        } catch {
            throw .transport(String(describing: error))
        }
        switch status {
        case 200..<300: return (status, data)
        case 429: throw .rateLimited(retryAfter: retryAfter)
        case 500...: throw .server(status: status, body: try? RunaJSON.decode(RunaErrorBody.self, from: data))
        default:
            let body = try? RunaJSON.decode(RunaErrorBody.self, from: data)
            if status == 410 || [RunaErrorType.invalidVersion.rawValue, RunaErrorType.versionRemoved.rawValue].contains(body?.type) {
                throw .versionRefused(status: status, body: body)
            }
            throw .rejected(status: status, body: body)
        }
    }
}
