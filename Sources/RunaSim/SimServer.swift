import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The simulated Runa API over HTTP, under `/v2` as Runa serves it, with the configured faults.
public struct SimServer: Sendable {
    public let simulator: RunaSimulator
    public let host: String
    public let port: Int
    public let logger: Logger

    public init(simulator: RunaSimulator, host: String = "127.0.0.1", port: Int = 0, logger: Logger) {
        self.simulator = simulator
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// The routes: `POST /v2/order`, `GET /v2/order/{id}`, `GET /v2/order`.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        // Not Runa's: the simulator's own counters, for benchmarks and the demo.
        router.get("_sim/statistics") { _, _ -> Response in
            Self.response(.encode(200, self.simulator.statistics))
        }
        let api = router.group("v2")
        let simulator = self.simulator
        api.add(middleware: SimFaultMiddleware(simulator: simulator))
        api.post("order") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 4 << 20)
            return Self.response(simulator, simulator.createOrder(
                body: Data(body.readableBytesView),
                idempotencyKey: request.headers[HTTPField.Name("X-Idempotency-Key")!],
                executionMode: request.headers[HTTPField.Name("X-Execution-Mode")!]))
        }
        api.get("order/:id") { _, context -> Response in
            Self.response(simulator, simulator.order(id: context.parameters.get("id") ?? ""))
        }
        api.get("order") { request, _ -> Response in
            let query = request.uri.queryParameters
            return Self.response(simulator, simulator.listOrders(
                limit: query["limit"].map(String.init), after: query["after"].map(String.init),
                before: query["before"].map(String.init)))
        }
        return router
    }

    /// The application: the HTTP server plus the webhook sender, stopped together.
    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            services: [WebhookService(simulator: simulator)],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// The answer, its body cut short when the truncation fault strikes a successful one.
    static func response(_ simulator: RunaSimulator, _ answer: SimResponse) -> Response {
        var answer = answer
        if answer.status < 300, simulator.drawTruncation() { answer.body = answer.body.prefix(answer.body.count / 2) }
        return response(answer)
    }

    static func response(_ answer: SimResponse) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: .init(code: answer.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}

/// Runs the webhook sender for as long as the service group runs.
struct WebhookService: Service {
    let simulator: RunaSimulator

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await simulator.runWebhooks()
        }
        // Without a webhook URL there is nothing to send; stay up until the group stops.
        try? await gracefulShutdown()
    }
}

/// Applies the API's gatekeeping and injected faults in Runa's order: API key, rate limit, then chaos.
struct SimFaultMiddleware<Context: RequestContext>: RouterMiddleware {
    let simulator: RunaSimulator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let key = request.headers[HTTPField.Name("X-Api-Key")!], key == simulator.configuration.apiKey else {
            return SimServer.response(.error(401, type: "unauthorized", message: "Invalid or missing API key",
                                             help: "Send your API key in the X-Api-Key header."))
        }
        guard simulator.admit() else {
            var limited = SimServer.response(.encode(429, RateExceededBodyShape()))
            limited.headers[.retryAfter] = String(simulator.configuration.retryAfterSeconds)
            return limited
        }
        switch simulator.drawFault() {
        case .error(let status):
            return SimServer.response(.error(status, type: status == 503 ? "service-unavailable" : "internal-server-error",
                                             message: "An internal error occurred."))
        case .slow:
            try await Task.sleep(for: .milliseconds(Int64(simulator.configuration.slowSeconds * 1000)))
            return try await next(request, context)
        case .none:
            return try await next(request, context)
        }
    }
}

/// `{"error": "rate exceeded"}`.
private struct RateExceededBodyShape: Encodable {
    let error = "rate exceeded"
}
