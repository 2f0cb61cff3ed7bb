import Digest
import HTTPCommon
import Hummingbird
import Ledger
import Synchronization

/// What a token may read: every `/v1` route (`dashboard`), and the access log as well (`auditor`).
public enum APIRole: String, Sendable, CaseIterable {
    case dashboard
    case auditor
}

/// Who is asking: a token's configured id and role. The token itself is never kept in clear.
public struct APIClient: Sendable, Equatable {
    public var id: String
    public var role: APIRole
}

/// The bearer tokens `/v1` accepts, kept as SHA-256 digests with their ids and roles, and replaceable while the
/// service runs (a token rotation is `systemctl reload`, no restart).
///
/// A configured entry is `role:id:token` (`auditor:finance-team:…`), or a bare token, which is a `dashboard` token
/// whose id is the first 8 hex digits of its SHA-256.
public final class APITokens: Sendable {
    private let entries: Mutex<[(digest: [UInt8], client: APIClient)]>

    public init(_ tokens: [String]) { entries = Mutex(Self.entries(tokens)) }

    /// Accept exactly `tokens` from now on.
    public func replace(with tokens: [String]) { entries.withLock { $0 = Self.entries(tokens) } }

    /// How many tokens are accepted (for logs; never the tokens).
    public var count: Int { entries.withLock { $0.count } }

    /// Splits a configured entry into its token and who it stands for.
    public static func parse(_ entry: String) -> (token: String, client: APIClient) {
        let parts = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3, let role = APIRole(rawValue: parts[0]), !parts[1].isEmpty {
            return (parts[2], APIClient(id: parts[1], role: role))
        }
        let id = "token-" + Digest.hex(Digest.sha256(Array(entry.utf8))).prefix(8)
        return (entry, APIClient(id: id, role: .dashboard))
    }

    /// The client whose token `presented` is, compared as digests in constant time (every entry is compared).
    func client(presenting presented: [UInt8]) -> APIClient? {
        let digest = Digest.sha256(presented)
        var matched: APIClient?
        for entry in entries.withLock({ $0 }) where Digest.constantTimeEquals(entry.digest, digest) { matched = entry.client }
        return matched
    }

    private static func entries(_ tokens: [String]) -> [(digest: [UInt8], client: APIClient)] {
        tokens.map { entry in
            let (token, client) = parse(entry)
            return (Digest.sha256(Array(token.utf8)), client)
        }
    }
}

/// Rows a `/v1` answer returned, reported by the handler (or, for a streamed CSV, when the stream ends) to the
/// middleware that writes the access log.
final class RowCount: Sendable {
    @TaskLocal static var current: RowCount?

    private struct State {
        var rows: Int?
        var streaming = false
    }

    private let state = Mutex(State())
    /// Records the entry once a streamed answer has ended.
    let finishStream: @Sendable (Int) async throws -> Void

    init(finishStream: @escaping @Sendable (Int) async throws -> Void) { self.finishStream = finishStream }

    /// Reports the rows of a finished answer.
    static func report(_ rows: Int) { current?.state.withLock { $0.rows = rows } }

    /// Marks the answer as streamed: the entry is written when the stream ends, with its rows.
    static func streaming() -> RowCount? {
        current?.state.withLock { $0.streaming = true }
        return current
    }

    var rows: Int? { state.withLock { $0.rows } }
    var isStreaming: Bool { state.withLock { $0.streaming } }
}

/// Requires `Authorization: Bearer <token>` with one of the configured tokens (401 in the JSON error shape
/// otherwise), refuses a `dashboard` token on auditor routes (403), and records every authenticated request in the
/// append-only access log — durably, before its answer is sent (a streamed CSV before its last chunk). When the
/// log cannot be written the request fails with 503: nothing is read unrecorded.
///
/// Tokens are compared as SHA-256 digests with `CRYPTO_memcmp`, so neither a token's content nor its length leaks
/// through timing. With no tokens configured every request is refused.
public struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    private let tokens: APITokens
    private let accessLog: AccessLogWriter?
    /// Routes (as the router names them, `/v1/access-log`) only an `auditor` token may read, with the routes below them.
    private let auditorPaths: [String]

    public init(tokens: APITokens, accessLog: AccessLogWriter? = nil, auditorPaths: [String] = []) {
        self.tokens = tokens
        self.accessLog = accessLog
        self.auditorPaths = auditorPaths
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Self.refusal("send Authorization: Bearer <token>")
        }
        guard let client = tokens.client(presenting: Array(header.dropFirst("Bearer ".count).utf8)) else {
            throw Self.refusal("the token is not valid")
        }
        let path = request.uri.path
        // The role is decided by the route the router matched, never by the raw path: the router drops empty
        // segments (`//v1/access-log`, an absolute-form target), so a test on the raw text and the route that runs
        // could disagree.
        let route = context.endpointPath ?? path
        guard let accessLog else { return try await authorized(client, route: route) { try await next(request, context) } }

        let base = AccessEntry(at: LedgerClock.now(), tokenId: client.id, role: client.role.rawValue,
                               method: request.method.rawValue, path: path, query: request.uri.query ?? "", status: 0,
                               rows: nil)
        let count = RowCount { rows in try await Self.record(base, status: 200, rows: rows, in: accessLog) }
        let response: Response
        do {
            response = try await RowCount.$current.withValue(count) {
                try await authorized(client, route: route) { try await next(request, context) }
            }
        } catch {
            try await Self.record(base, status: Int((error as? any HTTPResponseError)?.status.code ?? 500), rows: nil,
                                  in: accessLog)
            throw error
        }
        if !count.isStreaming {
            try await Self.record(base, status: Int(response.status.code), rows: count.rows, in: accessLog)
        }
        return response
    }

    private func authorized(_ client: APIClient, route: String, _ next: () async throws -> Response) async throws -> Response {
        if client.role != .auditor, auditorPaths.contains(where: { route == $0 || route.hasPrefix($0 + "/") }) {
            throw APIError(.forbidden, type: "forbidden", message: "this route needs a token with the auditor role")
        }
        return try await next()
    }

    private static func record(_ base: AccessEntry, status: Int, rows: Int?, in log: AccessLogWriter) async throws {
        var entry = base
        entry.status = status
        entry.rows = rows
        do {
            try await log.record(entry)
        } catch {
            throw APIError(.serviceUnavailable, type: "unavailable", message: "the access log cannot be written; try again")
        }
    }

    private static func refusal(_ message: String) -> APIError {
        var error = APIError(.unauthorized, type: "unauthorized", message: message)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }
}
