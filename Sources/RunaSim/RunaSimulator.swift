import Foundation
import Logging
import RunaModels
import Synchronization
import Webhooks

/// An answer of the simulated API: status, headers and a JSON body.
public struct SimResponse: Sendable {
    public var status: Int
    public var body: Data
    public var headers: [(String, String)]

    init(status: Int, json: Data, headers: [(String, String)] = []) {
        self.status = status
        self.body = json
        self.headers = headers
    }

    static func encode(_ status: Int, _ value: some Encodable, headers: [(String, String)] = []) -> SimResponse {
        SimResponse(status: status, json: RunaJSON.encode(value), headers: headers)
    }

    static func error(_ status: Int, type: String, message: String, help: String? = nil) -> SimResponse {
        encode(status, RunaErrorBody(type: type, message: message, help: help))
    }

    static func validation(_ details: [RunaErrorBody.ValidationErrorItem]) -> SimResponse {
        encode(422, RunaErrorBody(type: "validation_error",
                                  message: "There were one or more problems processing your request, see details key.",
                                  details: details))
    }
}

/// Runa's order API as a state machine: orders, idempotency keys, simulated time and the webhook plan.
///
/// All random choices come from one seeded generator, so the same sequence of requests replays exactly.
public final class RunaSimulator: Sendable {
    public let configuration: SimConfiguration
    private let state: Mutex<State>
    private let sender: WebhookSender?

    private struct State: Sendable {
        var random: SeededRandom
        var ids = ULIDFactory()
        var orders: [String: SimulatedOrder] = [:]
        /// Order ids in creation order (ULIDs sort the same way).
        var sequence: [String] = []
        var idempotency: [String: String] = [:]
        var statistics = SimStatistics()
        var bucket: (tokens: Double, at: ContinuousClock.Instant)
        /// Arrival times of the requests of the last second.
        var recent: [ContinuousClock.Instant] = []
        /// The API faults in force (start from the configuration; tests may change them mid-run).
        var errorRate: Double
        var truncateRate: Double
        var rateLimit: Double?
    }

    public init(configuration: SimConfiguration, logger: Logger = Logger(label: "runa-sim")) throws {
        self.configuration = configuration
        self.state = Mutex(State(random: SeededRandom(seed: configuration.seed),
                                 bucket: (configuration.rateLimit ?? 0, .now), errorRate: configuration.errorRate,
                                 truncateRate: configuration.truncateRate, rateLimit: configuration.rateLimit))
        if let url = configuration.webhookURL, let secretText = configuration.webhookSecret {
            sender = WebhookSender(url: url, secret: try WebhookSecret(secretText), configuration: configuration, logger: logger)
        } else {
            sender = nil
        }
    }

    /// Now, by the wall clock. The time scale compresses durations (completion delays, payout changes, Svix's
    /// retry schedule), never the clock, so every timestamp the simulator writes is a real moment in the past.
    public var now: Timestamp {
        Timestamp(microsecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000))
    }

    /// Counters of the API and the webhook sender.
    public var statistics: SimStatistics {
        var stats = state.withLock { $0.statistics }
        if let sender {
            let hooks = sender.counters
            stats.webhooksScheduled = hooks.webhooksScheduled
            stats.webhooksDropped = hooks.webhooksDropped
            stats.webhooksDelivered = hooks.webhooksDelivered
            stats.duplicatesSent = hooks.duplicatesSent
            stats.attempts = hooks.attempts
            stats.failedAttempts = hooks.failedAttempts
            stats.corruptedAttempts = hooks.corruptedAttempts
            stats.webhooksGivenUp = hooks.webhooksGivenUp
        }
        return stats
    }

    /// Every order as `GET /order/{id}` would answer now: the truth a ledger should converge to.
    public func truth() -> [RunaOrder] {
        let now = self.now
        return state.withLock { state in state.sequence.compactMap { state.orders[$0]?.detail(at: now) } }
    }

    /// Whether every webhook that will ever be sent has been sent (and retried to the end).
    public var webhooksSettled: Bool {
        guard let sender else { return true }
        let pending = state.withLock { state in
            state.orders.values.contains { $0.status(at: self.now) == .processing }
        }
        return !pending && sender.isIdle
    }

    /// Sends due webhooks until cancelled (no-op without a webhook URL).
    func runWebhooks() async {
        guard let sender else { return }
        await sender.run()
    }

    // MARK: Faults

    /// Takes a token from the request budget; `false` means answer 429.
    func admit() -> Bool {
        state.withLock { state in
            state.statistics.apiRequests += 1
            let now = ContinuousClock.now
            state.recent.append(now)
            if let stale = state.recent.firstIndex(where: { now - $0 < .seconds(1) }), stale > 0 {
                state.recent.removeFirst(stale)
            }
            state.statistics.maxRequestsPerSecond = max(state.statistics.maxRequestsPerSecond, state.recent.count)
            guard let limit = state.rateLimit else { return true }
            let refill = Double((now - state.bucket.at).nanoseconds) / 1e9 * limit
            state.bucket = (min(limit, state.bucket.tokens + refill), now)
            guard state.bucket.tokens >= 1 else {
                state.statistics.rateLimited += 1
                return false
            }
            state.bucket.tokens -= 1
            return true
        }
    }

    /// The fault to apply to one API request, drawn from the seeded generator.
    enum Fault: Sendable { case none, error(Int), slow }

    func drawFault() -> Fault {
        state.withLock { state in
            if state.random.chance(state.errorRate) {
                state.statistics.injectedErrors += 1
                return .error(state.random.chance(0.5) ? 500 : 503)
            }
            if state.random.chance(configuration.slowRate) {
                state.statistics.slowed += 1
                return .slow
            }
            return .none
        }
    }

    /// Whether to cut this successful answer's body short.
    func drawTruncation() -> Bool {
        state.withLock { state in
            guard state.random.chance(state.truncateRate) else { return false }
            state.statistics.truncated += 1
            return true
        }
    }

    /// Places `count` async orders directly (no HTTP), for benchmarks that need a long history.
    public func preload(_ count: Int) {
        for index in 0..<count {
            let body = #"{"payment_method":{"type":"ACCOUNT_BALANCE","currency":"USD"},"items":[{"face_value":\#(10 + index % 90),"distribution_method":{"type":"PAYOUT_LINK"},"products":{"type":"SINGLE","value":"AMZ-US"}}],"description":"preloaded \#(index)"}"#
            _ = createOrder(body: Data(body.utf8), idempotencyKey: "preload-\(index)", executionMode: "async")
        }
    }

    /// Forgets the requests-per-second high-water mark (to measure one client's calls).
    public func resetRequestWindow() {
        state.withLock { state in
            state.recent.removeAll()
            state.statistics.maxRequestsPerSecond = 0
        }
    }

    /// Changes the API faults from now on (the rest of the configuration stays).
    public func setFaults(errorRate: Double, truncateRate: Double, rateLimit: Double?) {
        state.withLock { state in
            state.errorRate = errorRate
            state.truncateRate = truncateRate
            state.rateLimit = rateLimit
            state.bucket = (rateLimit ?? 0, .now)
        }
    }

    // MARK: Endpoints

    /// `POST /order`.
    public func createOrder(body: Data, idempotencyKey: String?, executionMode: String?) -> SimResponse {
        guard let key = idempotencyKey, !key.isEmpty else {
            return .validation([.init(type: "value_error.missing", message: "field required",
                                      location: ["header", "X-Idempotency-Key"])])
        }
        let mode = executionMode ?? "async"
        guard mode == "async" || mode == "sync" else {
            return .validation([.init(type: "type_error.enum",
                                      message: "value is not a valid enumeration member; permitted: 'async', 'sync'",
                                      location: ["header", "X-Execution-Mode"])])
        }
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            return .validation([.init(type: "value_error.jsondecode", message: "Expecting value", location: ["body"])])
        }
        let request: NewOrderRequest
        switch OrderRequestValidator.validate(document) {
        case .failure(let failure): return .validation(failure.problems)
        case .success(let valid): request = valid
        }
        if mode == "sync", request.items.count != 1 {
            return .validation([.init(type: "value_error.list.sync_items",
                                      message: "sync orders are limited to a single order item", location: ["items"])])
        }
        let fingerprint = CanonicalJSON.string(document) + "|" + mode
        let now = self.now
        return state.withLock { state -> SimResponse in
            if let existing = state.idempotency[key], let order = state.orders[existing] {
                guard order.fingerprint == fingerprint else {
                    return .error(400, type: "idempotency-key-reused",
                                  message: "This idempotency key was already used with a different request.",
                                  help: "Use a new X-Idempotency-Key for a new order.")
                }
                state.statistics.idempotentReplays += 1
                return respond(to: order, mode: mode, at: now)
            }
            let order = plan(request, mode: mode, fingerprint: fingerprint, now: now, state: &state)
            state.orders[order.id] = order
            state.sequence.append(order.id)
            state.idempotency[key] = order.id
            state.statistics.ordersCreated += 1
            if mode == "sync" { state.statistics.syncOrders += 1 } else { state.statistics.asyncOrders += 1 }
            scheduleWebhook(for: order, state: &state)
            // A failure after the order was taken: the reason idempotency keys exist.
            if state.random.chance(state.errorRate / 2) {
                state.statistics.injectedErrors += 1
                return .error(500, type: "internal-server-error", message: "An internal error occurred.")
            }
            return respond(to: order, mode: mode, at: now, accepting: true)
        }
    }

    /// `GET /order/{id}`.
    public func order(id: String) -> SimResponse {
        let now = self.now
        guard let order = state.withLock({ $0.orders[id] }) else {
            return .error(404, type: "not-found", message: "The requested resource was not found",
                          help: "Please check the resource ID and try again.")
        }
        return .encode(200, order.detail(at: now))
    }

    /// `GET /order`: newest first, `limit` 1…500 (default 100), `after` (older) or `before` (newer) cursors.
    public func listOrders(limit: String?, after: String?, before: String?) -> SimResponse {
        var pageSize = 100
        if let limit {
            guard let value = Int(limit), (1...500).contains(value) else {
                return .validation([.init(type: "value_error.number.not_in_range",
                                          message: "ensure this value is between 1 and 500", location: ["query", "limit"])])
            }
            pageSize = value
        }
        if after != nil, before != nil {
            return .error(400, type: "bad-request", message: "after and before are mutually exclusive")
        }
        let now = self.now
        let page: [SimulatedOrder] = state.withLock { state in
            // Ids sort by creation; cursors are ids, so a page does not shift when newer orders arrive.
            let newestFirst = state.sequence.reversed()
            if let after {
                return Array(newestFirst.filter { $0 < after }.prefix(pageSize)).compactMap { state.orders[$0] }
            }
            if let before {
                return Array(state.sequence.filter { $0 > before }.prefix(pageSize).reversed()).compactMap { state.orders[$0] }
            }
            return Array(newestFirst.prefix(pageSize)).compactMap { state.orders[$0] }
        }
        let items = page.map { $0.summary(at: now) }
        let cursors = OrderListPage.Cursors(after: items.last?.id, before: items.first?.id)
        return .encode(200, OrderListPage(items: items, pagination: .init(cursors: cursors, page: .init(limit: pageSize))))
    }

    // MARK: Planning

    /// Sync: 200 with the full order. Async: 202 `{id, status}` — `PROCESSING` when just accepted, the current
    /// status when an idempotency key is replayed.
    private func respond(to order: SimulatedOrder, mode: String, at now: Timestamp, accepting: Bool = false) -> SimResponse {
        if mode == "sync" { return .encode(200, order.detail(at: now)) }
        return .encode(202, AcceptedOrder(id: order.id, status: accepting ? .processing : order.status(at: now)))
    }

    private func plan(_ request: NewOrderRequest, mode: String, fingerprint: String, now: Timestamp,
                      state: inout State) -> SimulatedOrder {
        let milliseconds = UInt64(max(0, now.microsecondsSinceEpoch / 1_000))
        let id = state.ids.make(prefix: "O-", milliseconds: milliseconds, random: &state.random)
        let fails = state.random.chance(configuration.failRate)
        let scale = max(configuration.timeScale, 1e-9)
        let delay = mode == "sync" ? 0 : configuration.completeAfterSeconds * state.random.uniform(0.8...1.2) / scale
        let completesAt = now.adding(seconds: 0).advanced(bySeconds: delay)
        let discounted = state.random.chance(0.2)
        var items: [SimulatedOrder.PlannedItem] = []
        for item in request.items {
            let itemId = state.ids.make(prefix: "E-", milliseconds: milliseconds, random: &state.random)
            let currency: String
            var products = item.products
            switch item.products {
            case .single(let code, _): currency = Catalog.currency(of: code, default: request.paymentCurrency)
            case .multiple(let codes): currency = Catalog.currency(of: codes[0], default: request.paymentCurrency)
            case .template(let templateId, _):
                currency = request.paymentCurrency
                products = .template(templateId: templateId, values: Catalog.templateProducts(currency: currency))
            case .unknown, .other: currency = request.paymentCurrency
            }
            let face = Money(micros: item.faceValue.micros, scale: 2)
            let price = discounted ? Money(micros: (face.micros * 98 / 100) / 10_000 * 10_000, scale: 2) : face
            var change: (PayoutStatus, Timestamp)?
            let roll = state.random.uniform(0...1)
            if roll < configuration.claimRate {
                change = (.claimed, completesAt.advanced(bySeconds: state.random.uniform(60...configuration.payoutChangeWithinSeconds) / scale))
            } else if roll < configuration.claimRate + configuration.cancelRate {
                change = (.cancelled, completesAt.advanced(bySeconds: state.random.uniform(60...configuration.payoutChangeWithinSeconds) / scale))
            }
            let token = String(state.random.next(), radix: 16) + String(state.random.next(), radix: 16)
            items.append(.init(
                id: itemId, faceValue: face, price: price, currency: currency, distribution: item.distribution,
                products: products,
                redemptionURL: item.distribution.type == "EMAIL" ? "https://payout.sim.runa.io/\(token.prefix(20))" : nil,
                payoutURL: "https://spend.sim.runa.io/\(token)", change: change.map { (status: $0.0, at: $0.1) }))
        }
        return SimulatedOrder(
            id: id, request: request, executionMode: mode, createdAt: now, completesAt: completesAt,
            outcome: fails ? .failed : .completed, items: items,
            expiresAfterSeconds: configuration.linkExpirySeconds.map { $0 / scale },
            fingerprint: fingerprint)
    }

    private func scheduleWebhook(for order: SimulatedOrder, state: inout State) {
        guard let sender else { return }
        let messageId = state.ids.make(prefix: "msg_", milliseconds: UInt64(order.createdAt.microsecondsSinceEpoch / 1_000),
                                       random: &state.random)
        if state.random.chance(configuration.dropRate) {
            sender.recordDropped()
            return
        }
        var extra = 0.0
        if configuration.maxDelaySeconds > 0 {
            extra += state.random.uniform(0...configuration.maxDelaySeconds) / configuration.timeScale
        }
        if configuration.reorder { extra += state.random.uniform(0...configuration.reorderWindowSeconds) }
        let message = WebhookSender.Message(
            id: messageId, body: RunaJSON.encode(order.webhookBody),
            duplicate: state.random.chance(configuration.duplicateRate), extraDelay: extra)
        let wait = Double(order.completesAt.microsecondsSinceEpoch - order.createdAt.microsecondsSinceEpoch) / 1e6
        sender.enqueue(message, after: wait)
    }
}

extension Timestamp {
    /// This instant moved by a fractional number of seconds.
    func advanced(bySeconds seconds: Double) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: microsecondsSinceEpoch + Int64(seconds * 1_000_000))
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
