import HTTPCommon
import Hummingbird
import QueryAPI
import Ledger
import NIOCore

/// `GET /healthz` (the process answers) and `GET /readyz` (the database takes writes and the schema is current).
struct HealthController: Sendable {
    let database: LedgerDatabase
    let migrations: [Migration]

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/healthz") { _, _ in
            Self.json(.ok, #"{"status":"ok"}"#)
        }
        router.get("/readyz") { _, _ in
            switch await database.readiness(migrations: migrations) {
            case .success:
                return Self.json(.ok, #"{"status":"ready"}"#)
            case .failure(let error):
                var failure = APIError(.serviceUnavailable, type: "not_ready", message: error.description)
                failure.headers[.retryAfter] = "5"
                throw failure
            }
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
