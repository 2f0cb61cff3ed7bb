import Foundation
import HTTPCommon
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The answers both HTTP faces share, through Hummingbird's own test client (no socket needed for a router).
@Suite("The JSON error shape, 405 and HEAD")
struct HTTPCommonTests {
    struct Failure: Error {}

    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware(paths: ["/v1/orders", "/v1/orders/:id"], allowed: "GET, HEAD"))
        router.get("/v1/orders") { _, _ in "a list of orders" }
        router.get("/v1/orders/:id") { _, _ -> String in
            throw APIError(.notFound, type: "not_found", message: "no such order")
        }
        router.get("/boom") { _, _ -> String in throw Failure() }
        router.get("/teapot") { _, _ -> String in throw HTTPError(.badRequest, message: "bad \"input\"") }
        return router
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: String] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: String])
    }

    @Test("an APIError is answered as {type, message} JSON with its status")
    func apiError() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            try await client.execute(uri: "/v1/orders/O-1", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect((try? Self.json(response.body)) == ["type": "not_found", "message": "no such order"])
            }
        }
    }

    @Test("an HTTPError keeps its status and message, quoted as JSON; any other error is a bare internal_error")
    func otherErrors() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            try await client.execute(uri: "/teapot", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect((try? Self.json(response.body)) == ["type": "bad_request", "message": "bad \"input\""])
            }
            try await client.execute(uri: "/boom", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect((try? Self.json(response.body)) == ["type": "internal_error", "message": "internal error"],
                        "nothing of the error itself is shown")
            }
        }
    }

    @Test("a known path asked with another method is 405 with Allow; an unknown path stays 404", arguments: [
        ("/v1/orders", HTTPRequest.Method.post, 405), ("/v1/orders/O-9", .delete, 405), ("/v1/nothing", .post, 404),
        ("/v1/orders/O-9/more", .put, 404),
    ])
    func methodNotAllowed(path: String, method: HTTPRequest.Method, status: Int) async throws {
        try await Application(router: Self.router()).test(.router) { client in
            try await client.execute(uri: path, method: method) { response in
                #expect(Int(response.status.code) == status)
                if status == 405 {
                    #expect(response.headers[.allow] == "GET, HEAD")
                    #expect((try? Self.json(response.body))?["type"] == "method_not_allowed")
                }
            }
        }
    }

    @Test("HEAD answers GET's status and Content-Length with no body; other methods pass through")
    func head() async throws {
        let app = Application(responder: HeadRequestResponder(wrapped: Self.router().buildResponder()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/orders", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == String("a list of orders".utf8.count))
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/v1/orders/O-1", method: .head) { response in
                #expect(response.status == .notFound)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/v1/orders", method: .get) { response in
                #expect(String(buffer: response.body) == "a list of orders")
            }
        }
    }
}
