import Hummingbird
import NIOCore
import Synchronization

/// Answers `HEAD` wherever `GET` is answered, with GET's status and headers and no body (RFC 9110 §9.3.2): the
/// router only matches the method a route was added for, so every `405` that advertises `Allow: GET, HEAD` would
/// otherwise be wrong. The GET answer's body is still produced, counted and discarded, so a streamed CSV is in the
/// access log like any other read, and the `Content-Length` is the one GET would send (never a chunked body, whose
/// terminator a HEAD client would read as the start of the next answer).
public struct HeadRequestResponder<Responder: HTTPResponder>: HTTPResponder {
    let wrapped: Responder

    public init(wrapped: Responder) { self.wrapped = wrapped }

    public func respond(to request: Request, context: Responder.Context) async throws -> Response {
        guard request.method == .head else { return try await wrapped.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        let response = try await wrapped.respond(to: Request(head: head, body: request.body), context: context)
        let counted = ByteCount()
        try await response.body.write(CountingWriter(count: counted))
        let length = counted.bytes.withLock { $0 }
        return Response(status: response.status, headers: response.headers,
                        body: ResponseBody(contentLength: length) { _ in })
    }
}

/// A body writer that drops what it is given, counting the bytes.
private struct CountingWriter: ResponseBodyWriter {
    let count: ByteCount

    func write(_ buffer: ByteBuffer) async throws { count.bytes.withLock { $0 += buffer.readableBytes } }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

private final class ByteCount: Sendable {
    let bytes = Mutex(0)
}
