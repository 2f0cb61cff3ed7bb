import Foundation
import Logging
import RunaModels
import Synchronization
import Webhooks


/// Runa's order API as a state machine: orders, idempotency keys, simulated time and the webhook plan.
///
/// Every answer has the shape `shared/runa/openapi.json` gives it (``Wire``) and every error the `type` and
/// status of `shared/runa/errors.mdx`. All random choices come from one seeded generator, so the same sequence of
/// requests replays exactly.
public final class RunaSimulator: Sendable {
    public let configuration: SimConfiguration
    let state: Mutex<State>
    private let sender: WebhookSender?

    /// What one idempotency key holds: the request it was first used with, and its answer once there is one.
    struct IdempotencyEntry: Sendable {
        var fingerprint: String
        /// `nil` while the first request is still being processed.
        var answer: SimResponse?
        var at: Timestamp
    }

    struct State: Sendable {
        var random: SeededRandom
        var ids = ULIDFactory()
        var orders: [String: SimulatedOrder] = [:]
        /// Order ids in creation order (ULIDs sort the same way), and each id's place in it.
        var sequence: [String] = []
        var position: [String: Int] = [:]
        var idempotency: [String: IdempotencyEntry] = [:]
        var lastCreatedAt = Timestamp(microsecondsSinceEpoch: 0)
        var statistics = SimStatistics()
        var bucket: (tokens: Double, at: ContinuousClock.Instant)
        /// Order creation's own limit (Runa: 300 per minute).
        var orderBucket: (tokens: Double, at: ContinuousClock.Instant)
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
                                 bucket: (configuration.rateLimit ?? 0, .now),
                                 orderBucket: (Double(configuration.ordersPerMinute ?? 0), .now),
                                 errorRate: configuration.errorRate,
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

    /// Every order as `GET /order/{id}` answers now, read with the ledger's own decoder: the truth a ledger
    /// should converge to. (A processing order, and a failed one answered as an `IncompleteOrder`, carry only
    /// `{id, status}` here, as they do on the wire.)
    public func truth() -> [RunaOrder] {
        let now = self.now
        let shape = configuration.failedOrderShape
        let details = state.withLock { state in
            state.sequence.compactMap { state.orders[$0]?.detail(at: now, failedShape: shape) }
        }
        return details.compactMap { try? RunaOrder.decode(from: RunaJSON.encode($0)) }
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

    /// Sends one `product.update` message (`ProductUpdateWebhook`) to the webhook URL, as Svix would to an
    /// endpoint subscribed to that event type. Returns its message id, or `nil` without a webhook URL.
    @discardableResult
    public func sendProductUpdate(productCode: String = "AMZ-US") -> String? {
        guard let sender else { return nil }
        let now = self.now
        let (id, body) = state.withLock { state -> (String, Data) in
            let id = state.ids.make(prefix: "msg_", milliseconds: UInt64(now.microsecondsSinceEpoch / 1_000),
                                    random: &state.random)
            let update = Wire.ProductUpdateWebhook(
                productCode: productCode, oldState: .init(priceMultiplier: "0.00", isOrderable: true),
                newState: .init(priceMultiplier: "0.05", isOrderable: true), timestamp: now)
            return (id, RunaJSON.encode(update))
        }
        sender.enqueue(.init(id: id, body: body, duplicate: false, extraDelay: 0), after: 0)
        return id
    }

    // MARK: Endpoints

    enum Mode: String { case async, sync }

    /// `POST /order`, behind Runa's idempotency layer (`best-practices-idempotency.mdx`): the first answer for a
    /// key is kept for 30 days (simulated) and replayed, whatever its status, for the same body; another body is
    /// `idempotency_validation_error`; a second request while the first is still processing is
    /// `idempotency_in_progress`.
    public func createOrder(body: Data, idempotencyKey: String?, executionMode: String?) async -> SimResponse {
        guard let key = idempotencyKey, !key.isEmpty else {
            return .validation([.init(type: "value_error.missing", message: "field required",
                                      location: ["header", "X-Idempotency-Key"])])
        }
        guard let mode = Mode(rawValue: executionMode ?? "async") else {
            return .runaError(.invalidExecutionMode, message: "Invalid execution mode.")
        }
        let fingerprint = Self.fingerprint(body)
        let now = self.now
        let retention = 30 * 86_400 / max(configuration.timeScale, 1e-9)
        let held: SimResponse? = state.withLock { state in
            if let entry = state.idempotency[key], entry.at.advanced(bySeconds: retention) > now {
                guard entry.fingerprint == fingerprint else {
                    return .runaError(.idempotencyValidationError,
                                      message: "Request payload does not match previous payload for this idempotency key.")
                }
                guard let answer = entry.answer else {
                    state.statistics.idempotencyInProgress += 1
                    return .runaError(.idempotencyInProgress,
                                      message: "We are already processing an order for this idempotency key")
                }
                state.statistics.idempotentReplays += 1
                return answer
            }
            state.idempotency[key] = IdempotencyEntry(fingerprint: fingerprint, answer: nil, at: now)
            return nil
        }
        if let held { return held }
        let answer = process(body: body, mode: mode, now: now, injectFaults: true)
        if mode == .sync, configuration.syncProcessingSeconds > 0 {
            try? await Task.sleep(for: .milliseconds(Int64(configuration.syncProcessingSeconds * 1_000)))
        }
        state.withLock { $0.idempotency[key]?.answer = answer }
        return answer
    }

    /// What identifies a request body for idempotency: its canonical JSON, or its bytes when it is not JSON.
    static func fingerprint(_ body: Data) -> String {
        if let document = try? JSONDecoder().decode(JSONValue.self, from: body) { return CanonicalJSON.string(document) }
        return "raw:" + body.base64EncodedString()
    }

    /// Validates and places one order; the answer is what the idempotency layer keeps.
    func process(body: Data, mode: Mode, now: Timestamp, injectFaults: Bool) -> SimResponse {
        guard let document = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            return .runaError(.badRequest, message: "There is a problem with your request payload or JSON format.")
        }
        let request: NewOrderRequest
        switch OrderRequestValidator.validate(document) {
        case .failure(let failure): return .validation(failure.problems)
        case .success(let valid): request = valid
        }
        if mode == .sync, request.items.count != 1 {
            return .validation([.init(type: "value_error.list.sync_items",
                                      message: "sync orders are limited to a single order item", location: ["items"])])
        }
        return state.withLock { state -> SimResponse in
            // Creation times follow the list's order exactly (ids are ULIDs of the same clock), even when requests
            // arrive together: a real moment, never before the previous order's.
            let now = max(now, state.lastCreatedAt.advanced(bySeconds: 0.000_001))
            state.lastCreatedAt = now
            let order = plan(request, mode: mode, now: now, state: &state)
            state.orders[order.id] = order
            state.position[order.id] = state.sequence.count
            state.sequence.append(order.id)
            state.statistics.ordersCreated += 1
            if mode == .sync { state.statistics.syncOrders += 1 } else { state.statistics.asyncOrders += 1 }
            scheduleWebhook(for: order, state: &state)
            // A failure after the order was taken: the reason idempotency keys exist.
            if injectFaults, state.random.chance(state.errorRate / 2) {
                state.statistics.injectedErrors += 1
                return .runaError(.internalServerError, message: "An internal server error occurred")
            }
            switch mode {
            case .async:
                return .encode(202, Wire.AcceptedOrder(id: order.id, status: .processing))
            case .sync where order.outcome == .failed:
                // `SyncCompletedOrder` is COMPLETED only; Runa does not say how a sync order fails. The simulator
                // answers `internal_server_error`, and the order is FAILED in the list and in `GET /order/{id}`.
                return .runaError(.internalServerError, message: "An internal server error occurred")
            case .sync:
                return .encode(200, order.fullOrder(at: now))
            }
        }
    }

    /// `GET /order/{id}`.
    public func order(id: String) -> SimResponse {
        let now = self.now
        guard let order = state.withLock({ $0.orders[id] }) else {
            return .runaError(.notFound, message: "The requested resource does not exist")
        }
        return .encode(200, order.detail(at: now, failedShape: configuration.failedOrderShape))
    }

    /// `GET /order`: `limit` 1…500 (default 100), `after` (the next page) or `before` (the previous one), in the
    /// order `listOrder` says (Runa does not document one). Cursors are order ids, so a page does not shift when
    /// new orders arrive; a cursor that names no order is a `pagination_error`.
    public func listOrders(limit: String?, after: String?, before: String?) -> SimResponse {
        var pageSize = 100
        if let limit {
            guard let value = Int(limit), (1...500).contains(value) else {
                return .runaError(.paginationError, message: "There was an issue with the pagination parameters",
                                  help: "limit must be a whole number from 1 to 500.")
            }
            pageSize = value
        }
        if after != nil, before != nil {
            return .runaError(.paginationError, message: "There was an issue with the pagination parameters",
                              help: "The before and after cursors are mutually exclusive.")
        }
        let now = self.now
        let newestFirst = configuration.listOrder == .newestFirst
        let page: [SimulatedOrder]? = state.withLock { state in
            // Positions in list order: 0 is the first order the list shows.
            let count = state.sequence.count
            func listed(_ index: Int) -> SimulatedOrder? {
                state.orders[state.sequence[newestFirst ? count - 1 - index : index]]
            }
            func place(_ cursor: String) -> Int? {
                state.position[cursor].map { newestFirst ? count - 1 - $0 : $0 }
            }
            var range = 0..<min(pageSize, count)
            if let after {
                guard let at = place(after) else { return nil }
                range = (at + 1)..<min(at + 1 + pageSize, count)
            } else if let before {
                guard let at = place(before) else { return nil }
                range = max(0, at - pageSize)..<at
            }
            return range.compactMap(listed)
        }
        guard let page else {
            return .runaError(.paginationError, message: "There was an issue with the pagination parameters",
                              help: "The cursor does not name a page of this list.")
        }
        let cursors = Wire.ListPage.Cursors(after: page.last?.id, before: page.first?.id)
        return .encode(200, Wire.ListPage(items: page.map { $0.listItem(at: now) },
                                          pagination: .init(cursors: cursors, page: .init(limit: pageSize))))
    }

    // MARK: Planning

    private func plan(_ request: NewOrderRequest, mode: Mode, now: Timestamp, state: inout State) -> SimulatedOrder {
        let milliseconds = UInt64(max(0, now.microsecondsSinceEpoch / 1_000))
        let id = state.ids.make(prefix: "O-", milliseconds: milliseconds, random: &state.random)
        let fails = state.random.chance(configuration.failRate)
        let scale = max(configuration.timeScale, 1e-9)
        let delay = mode == .sync ? 0 : configuration.completeAfterSeconds * state.random.uniform(0.8...1.2) / scale
        let completesAt = now.advanced(bySeconds: delay)
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
                products: products, payoutURL: "https://spend.sim.runa.io/\(token)",
                change: change.map { (status: $0.0, at: $0.1) }))
        }
        return SimulatedOrder(
            id: id, request: request, createdAt: now, completesAt: completesAt,
            outcome: fails ? .failed : .completed, items: items,
            expiresAfterSeconds: configuration.linkExpirySeconds.map { $0 / scale })
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
