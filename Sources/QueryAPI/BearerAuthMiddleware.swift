import Digest
import Hummingbird

/// Requires `Authorization: Bearer <token>` with one of the configured tokens; 401 in the JSON error shape otherwise.
///
/// Tokens are compared as SHA-256 digests with `CRYPTO_memcmp`, so neither a token's content nor its length leaks
/// through timing. With no tokens configured every request is refused.
public struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    private let digests: [[UInt8]]

    public init(tokens: [String]) {
        digests = tokens.map { Digest.sha256(Array($0.utf8)) }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw Self.refusal("send Authorization: Bearer <token>")
        }
        let presented = Digest.sha256(Array(header.dropFirst("Bearer ".count).utf8))
        var matched = false
        for digest in digests where Digest.constantTimeEquals(digest, presented) { matched = true }
        guard matched else { throw Self.refusal("the token is not valid") }
        return try await next(request, context)
    }

    private static func refusal(_ message: String) -> APIError {
        var error = APIError(.unauthorized, type: "unauthorized", message: message)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }
}
