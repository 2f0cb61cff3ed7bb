import Synchronization

/// A token bucket shared by every call to Runa: at most `rate` requests per second on average, bursts up to
/// `burst`, and a pause that 429s push further out.
///
/// `acquire()` waits for a token; `pause(for:)` stops everyone (a 429 is about the account, not the call).
public final class RequestBudget: Sendable {
    private struct State {
        var tokens: Double
        var updated: ContinuousClock.Instant
        var pausedUntil: ContinuousClock.Instant
    }

    public let rate: Double
    public let burst: Double
    private let state: Mutex<State>

    /// - Parameters:
    ///   - rate: requests per second.
    ///   - burst: tokens that may accumulate; 1 spreads requests evenly.
    public init(rate: Double, burst: Double = 1) {
        self.rate = max(rate, 0.001)
        self.burst = max(burst, 1)
        state = Mutex(State(tokens: max(burst, 1), updated: .now, pausedUntil: .now))
    }

    /// Waits until a request may be sent, then takes its token.
    public func acquire() async throws {
        while true {
            let wait: Duration? = state.withLock { state in
                let now = ContinuousClock.now
                if state.pausedUntil > now { return state.pausedUntil - now }
                let elapsed = Double((now - state.updated).components.attoseconds) / 1e18
                    + Double((now - state.updated).components.seconds)
                state.tokens = min(burst, state.tokens + elapsed * rate)
                state.updated = now
                if state.tokens >= 1 {
                    state.tokens -= 1
                    return nil
                }
                return .nanoseconds(Int64((1 - state.tokens) / rate * 1e9))
            }
            guard let wait else { return }
            try await Task.sleep(for: wait)
        }
    }

    /// Holds every caller back for `duration` (Runa said 429), and drops any saved-up burst.
    public func pause(for duration: Duration) {
        state.withLock { state in
            let until = ContinuousClock.now + duration
            if until > state.pausedUntil { state.pausedUntil = until }
            state.tokens = 0
            state.updated = until
        }
    }
}

/// At most `limit` calls in flight at once.
public final class ConcurrencyLimit: Sendable {
    private struct State {
        var available: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    public init(_ limit: Int) { state = Mutex(State(available: max(1, limit))) }

    /// Runs `body` once a slot is free.
    public func run<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}

/// Stops calling Runa while it is down: after `threshold` consecutive failures the breaker opens for `cooldown`,
/// then lets one probe through; a success closes it.
public final class CircuitBreaker: Sendable {
    private struct State {
        var consecutiveFailures = 0
        var openUntil: ContinuousClock.Instant?
        var openings = 0
    }

    public let threshold: Int
    public let cooldown: Duration
    private let state = Mutex(State())

    public init(threshold: Int = 8, cooldown: Duration = .seconds(30)) {
        self.threshold = threshold
        self.cooldown = cooldown
    }

    /// How long to wait before calling, or `nil` to call now.
    public var waitBeforeCall: Duration? {
        state.withLock { state in
            guard let until = state.openUntil else { return nil }
            let now = ContinuousClock.now
            if until <= now {
                state.openUntil = now + cooldown  // half-open: this caller probes, the others wait
                return nil
            }
            return until - now
        }
    }

    /// Whether the breaker is open now.
    public var isOpen: Bool { state.withLock { ($0.openUntil ?? .now) > .now } }

    /// How many times the breaker has opened (a failed half-open probe that re-opens it counts again).
    public var openings: Int { state.withLock { $0.openings } }

    public func recordSuccess() {
        state.withLock { state in
            state.consecutiveFailures = 0
            state.openUntil = nil
        }
    }

    public func recordFailure() {
        state.withLock { state in
            state.consecutiveFailures += 1
            if state.consecutiveFailures >= threshold {
                if (state.openUntil ?? .now) <= .now || state.consecutiveFailures == threshold { state.openings += 1 }
                state.openUntil = .now + cooldown
            }
        }
    }
}
