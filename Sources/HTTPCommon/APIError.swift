import Foundation
import Hummingbird
import NIOCore

/// An error answered in the documented JSON shape: `{"type": "...", "message": "..."}`.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    /// A stable machine-readable code (`invalid_signature`, `payload_too_large`, …).
    public let type: String
    /// One human-readable line. Never contains secrets or e-mail addresses.
    public let message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, type: String, message: String) {
        self.status = status
        self.type = type
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = Data(#"{"message":\#(Self.quote(message)),"type":\#(Self.quote(type))}"#.utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private static func quote(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Turns every error that reaches the top into the JSON error shape, so clients never see an empty body.
public struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, type: "payload_too_large", message: "the request body is too large")
        } catch let error as HTTPError {
            throw APIError(error.status, type: Self.errorType(for: error.status),
                           message: error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: Swift.type(of: error)))"])
            throw APIError(.internalServerError, type: "internal_error", message: "internal error")
        }
    }

    private static func errorType(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "bad_request"
        case 401: return "unauthorized"
        case 404: return "not_found"
        case 405: return "method_not_allowed"
        case 413: return "payload_too_large"
        case 415: return "unsupported_media_type"
        case 503: return "unavailable"
        default: return "error"
        }
    }
}
