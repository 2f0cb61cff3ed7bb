import Foundation
import RunaModels
import Synchronization

/// How the gateway retries.
public struct RetryPolicy: Sendable {
    /// Attempts per call, the first included.
    public var maxAttempts = 6
    /// First backoff after a 5xx, timeout or garbled answer; doubled per attempt, with jitter, up to `maxBackoff`.
    public var baseBackoff: Duration = .milliseconds(250)
    public var maxBackoff: Duration = .seconds(30)
    /// Runa: on 429 wait at least 5 seconds, longer if it repeats (and honour `Retry-After`).
    public var minimumRateLimitWait: Duration = .seconds(5)
    public var maximumRateLimitWait: Duration = .seconds(120)
    /// `idempotency_in_progress`: the key's first request is still being processed. Wait this long (doubling),
    /// then send the same request with the same key again.
    public var inProgressWait: Duration = .seconds(2)

    public init() {}
}

/// The one way to Runa's API: every call takes a token from the shared budget, waits for a concurrency slot and
/// for the circuit breaker, and is retried on 429 (pausing everyone), 5xx, timeouts and garbled answers.
public final class RunaGateway: Sendable {
    /// What the gateway did, for metrics and reports.
    public struct Counters: Sendable, Equatable {
        public var calls = 0
        public var retries = 0
        public var rateLimited = 0
        public var failures = 0
    }

    public let client: RunaAPIClient
    public let budget: RequestBudget
    public let breaker: CircuitBreaker
    public let policy: RetryPolicy
    private let limit: ConcurrencyLimit
    private let state = Mutex((counters: Counters(), consecutive429: 0))

    public init(client: RunaAPIClient, requestsPerSecond: Double, maxConcurrency: Int,
                breaker: CircuitBreaker = CircuitBreaker(), policy: RetryPolicy = RetryPolicy()) {
        self.client = client
        self.budget = RequestBudget(rate: requestsPerSecond)
        self.breaker = breaker
        self.policy = policy
        self.limit = ConcurrencyLimit(maxConcurrency)
    }

    public var counters: Counters { state.withLock { $0.counters } }

    /// `GET /order/{id}`, with the gateway's retries.
    public func order(id: String) async throws(RunaAPIError) -> RunaOrder {
        try await call { () async throws(RunaAPIError) -> RunaOrder in try await self.client.order(id: id) }
    }

    /// `GET /order`, with the gateway's retries.
    public func listOrders(limit: Int = 100, after: String? = nil, before: String? = nil)
        async throws(RunaAPIError) -> OrderListPage
    {
        try await call { () async throws(RunaAPIError) -> OrderListPage in
            try await self.client.listOrders(limit: limit, after: after, before: before)
        }
    }

    /// `POST /order`, retried with the same idempotency key (`best-practices-idempotency.mdx`):
    /// - `idempotency_in_progress`: the first request with the key is still processing; wait, then ask again;
    /// - the same 5xx answered twice for the key is Runa replaying the key's first answer, which no retry changes:
    ///   it is thrown as ``RunaAPIError/replayedError(status:body:)``.
    public func createOrder(_ order: NewOrder, idempotencyKey: String, mode: ExecutionMode = .async)
        async throws(RunaAPIError) -> CreatedOrder
    {
        let previous = Mutex<String?>(nil)
        var waits = 0
        while true {
            do throws(RunaAPIError) {
                return try await call { () async throws(RunaAPIError) -> CreatedOrder in
                    do throws(RunaAPIError) {
                        return try await self.client.createOrder(order, idempotencyKey: idempotencyKey, mode: mode)
                    } catch {
                        guard case .server(let status, let body) = error else { throw error }
                        let answer = "\(status) \(body?.type ?? "")"
                        let repeated = previous.withLock { held in
                            defer { held = answer }
                            return held == answer
                        }
                        throw repeated ? .replayedError(status: status, body: body) : error
                    }
                }
            } catch {
                guard case .rejected(400, let body) = error, body?.type == RunaErrorType.idempotencyInProgress.rawValue,
                      waits < policy.maxAttempts * 2
                else { throw error }
                waits += 1
                let wait = min(policy.inProgressWait * (1 << min(waits - 1, 5)), policy.maxBackoff)
                do { try await Task.sleep(for: wait) } catch { throw .transport("cancelled") }
            }
        }
    }

    private func call<T: Sendable>(_ operation: @Sendable () async throws(RunaAPIError) -> T) async throws(RunaAPIError) -> T {
        var lastError = RunaAPIError.transport("not attempted")
        for attempt in 1...max(1, policy.maxAttempts) {
            if attempt > 1 { state.withLock { $0.counters.retries += 1 } }
            do {
                if let wait = breaker.waitBeforeCall { try await Task.sleep(for: wait) }
                try await budget.acquire()
            } catch {
                throw .transport("cancelled")
            }
            state.withLock { $0.counters.calls += 1 }
            let result: Result<T, RunaAPIError> = await limit.run {
                do throws(RunaAPIError) { return .success(try await operation()) } catch { return .failure(error) }
            }
            switch result {
            case .success(let value):
                breaker.recordSuccess()
                state.withLock { $0.consecutive429 = 0 }
                return value
            case .failure(let error):
                lastError = error
                switch error {
                case .rejected, .versionRefused, .replayedError:
                    breaker.recordSuccess()  // Runa answered; retrying the same request will not change it
                    throw error
                case .rateLimited(let retryAfter):
                    let repeats = state.withLock { state -> Int in
                        state.counters.rateLimited += 1
                        state.consecutive429 += 1
                        return state.consecutive429
                    }
                    let asked = Duration.seconds(retryAfter ?? 0)
                    let floor = max(asked, policy.minimumRateLimitWait)
                    let wait = min(floor * (1 << min(repeats - 1, 6)), max(policy.maximumRateLimitWait, floor))
                    budget.pause(for: wait)
                case .server, .transport, .undecodable:
                    breaker.recordFailure()
                    state.withLock { $0.counters.failures += 1 }
                    let exponential = policy.baseBackoff * (1 << min(attempt - 1, 10))
                    let capped = min(exponential, policy.maxBackoff)
                    let jittered = capped * Double.random(in: 0.5...1.0)
                    do { try await Task.sleep(for: jittered) } catch { throw .transport("cancelled") }
                }
            }
        }
        throw lastError
    }
}
