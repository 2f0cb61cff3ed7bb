import Digest
import Hummingbird
import Synchronization

/// The bearer tokens `/v1` accepts, kept as SHA-256 digests and replaceable while the service runs (a token
/// rotation is `systemctl reload`, no restart).
public final class APITokens: Sendable {
    private let digests: Mutex<[[UInt8]]>

    public init(_ tokens: [String]) { digests = Mutex(Self.digests(tokens)) }

    /// Accept exactly `tokens` from now on.
    public func replace(with tokens: [String]) { digests.withLock { $0 = Self.digests(tokens) } }

    /// How many tokens are accepted (for logs; never the tokens).
    public var count: Int { digests.withLock { $0.count } }

    /// Whether `presented` is one of the tokens, compared as digests in constant time.
    func accepts(_ presented: [UInt8]) -> Bool {
        let digest = Digest.sha256(presented)
        var matched = false
        for candidate in digests.withLock({ $0 }) where Digest.constantTimeEquals(candidate, digest) { matched = true }
        return matched
    }

    private static func digests(_ tokens: [String]) -> [[UInt8]] { tokens.map { Digest.sha256(Array($0.utf8)) } }
}

/// Requires `Authorization: Bearer <token>` with one of the configured tokens; 401 in the JSON error shape otherwise.
///
/// Tokens are compared as SHA-256 digests with `CRYPTO_memcmp`, so neither a token's content nor its length leaks
/// through timing. With no tokens configured every request is refused.
public struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    private let tokens: APITokens

    public init(tokens: APITokens) {
        self.tokens = tokens
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Self.refusal("send Authorization: Bearer <token>")
        }
        guard tokens.accepts(Array(header.dropFirst("Bearer ".count).utf8)) else {
            throw Self.refusal("the token is not valid")
        }
        return try await next(request, context)
    }

    private static func refusal(_ message: String) -> APIError {
        var error = APIError(.unauthorized, type: "unauthorized", message: message)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }
}
