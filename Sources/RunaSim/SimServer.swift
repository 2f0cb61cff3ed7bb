import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RunaModels
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

    /// The routes: `POST /v2/order`, `GET /v2/order/{id}`, `GET /v2/order`. Any other path is Runa's
    /// `404 not_found`.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SimVersionHeaderMiddleware())
        // Not Runa's: the simulator's own counters, for benchmarks and the demo.
        router.get("_sim/statistics") { _, _ -> Response in
            Self.response(.encode(200, self.simulator.statistics))
        }
        let api = router.group("v2")
        let simulator = self.simulator
        api.add(middleware: SimFaultMiddleware(simulator: simulator))
        api.post("order") { request, _ -> Response in
            guard simulator.admitOrder() else { return Self.rateExceeded(simulator) }
            let body = try await request.body.collect(upTo: 4 << 20)
            return Self.response(simulator, await simulator.createOrder(
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

    /// `429 {"error": "rate exceeded"}`, with `Retry-After` only when the configuration asks for one.
    static func rateExceeded(_ simulator: RunaSimulator) -> Response {
        var limited = response(.encode(429, RateExceededBody()))
        if let seconds = simulator.configuration.retryAfterSeconds { limited.headers[.retryAfter] = String(seconds) }
        return limited
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

/// Applies the API's gatekeeping and injected faults: API key, API version, rate limit, then chaos.
struct SimFaultMiddleware<Context: RequestContext>: RouterMiddleware {
    let simulator: RunaSimulator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let refused = simulator.authenticate(request.headers[HTTPField.Name("X-Api-Key")!]) {
            return SimServer.response(refused)
        }
        if let refused = simulator.checkVersion(request.headers[HTTPField.Name("X-Api-Version")!]) {
            return SimServer.response(refused)
        }
        guard simulator.admit() else { return SimServer.rateExceeded(simulator) }
        switch simulator.drawFault() {
        case .error(let type):
            // In front of the application (a gateway timeout, an edge error): no idempotency key is consumed.
            return SimServer.response(.runaError(type, message: type == .timeout ? "The request timed out"
                                                     : "An internal server error occurred"))
        case .slow:
            try await Task.sleep(for: .milliseconds(Int64(simulator.configuration.slowSeconds * 1000)))
            return try await next(request, context)
        case .none:
            return try await next(request, context)
        }
    }
}

/// Every answer carries `X-Api-Version` (`best-practices-api-versioning.mdx`), and a path the API does not have
/// is Runa's `404 not_found` in its JSON error shape.
struct SimVersionHeaderMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            response = SimServer.response(.runaError(.notFound, message: "The requested resource does not exist"))
        }
        response.headers[HTTPField.Name("X-Api-Version")!] = "2024-02-05"
        return response
    }
}
