import Foundation
import RunaModels

/// Who may call, at what rate, and which faults an answer gets.
extension RunaSimulator {
    /// The `X-Api-Key` check: `unauthorized` when it is missing, `invalid_api_key` when it is wrong.
    func authenticate(_ key: String?) -> SimResponse? {
        guard let key, !key.isEmpty else {
            return .runaError(.unauthorized, message: "Missing or invalid 'X-Api-Key' header.")
        }
        guard key == configuration.apiKey else {
            return .runaError(.invalidAPIKey, message: "Missing or invalid 'X-Api-Key' header")
        }
        return nil
    }

    /// The `X-Api-Version` check: absent means the account's version (2024-02-05 here); a removed version is
    /// `410 version_removed`; anything else unknown is `400 invalid_version`.
    func checkVersion(_ version: String?) -> SimResponse? {
        guard let version, !configuration.supportedVersions.contains(version) else { return nil }
        state.withLock { $0.statistics.versionRefused += 1 }
        if configuration.removedVersions.contains(version) {
            return .runaError(.versionRemoved, message: "API version is no longer supported and has been removed")
        }
        return .runaError(.invalidVersion, message: "Invalid API version")
    }

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

    /// Takes a token from order creation's own limit (Runa: 300 per minute, failed requests included).
    func admitOrder() -> Bool {
        guard let perMinute = configuration.ordersPerMinute else { return true }
        return state.withLock { state in
            let now = ContinuousClock.now
            let capacity = Double(perMinute)
            let refill = Double((now - state.orderBucket.at).nanoseconds) / 1e9 * capacity / 60
            state.orderBucket = (min(capacity, state.orderBucket.tokens + refill), now)
            guard state.orderBucket.tokens >= 1 else {
                state.statistics.rateLimited += 1
                state.statistics.orderRateLimited += 1
                return false
            }
            state.orderBucket.tokens -= 1
            return true
        }
    }

    /// The fault to apply to one API request, drawn from the seeded generator.
    enum Fault: Sendable { case none, error(RunaErrorType), slow }

    func drawFault() -> Fault {
        state.withLock { state in
            if state.random.chance(state.errorRate) {
                state.statistics.injectedErrors += 1
                return .error(state.random.chance(0.5) ? .internalServerError : .timeout)
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

    /// Places `count` async orders directly (no HTTP, no idempotency key, no rate limit), for benchmarks that
    /// need a long history.
    public func preload(_ count: Int) {
        for index in 0..<count {
            let body = #"{"payment_method":{"type":"ACCOUNT_BALANCE","currency":"USD"},"items":[{"face_value":\#(10 + index % 90),"distribution_method":{"type":"PAYOUT_LINK"},"products":{"type":"SINGLE","value":"AMZ-US"}}],"description":"preloaded \#(index)"}"#
            _ = process(body: Data(body.utf8), mode: .async, now: now, injectFaults: false)
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
}
