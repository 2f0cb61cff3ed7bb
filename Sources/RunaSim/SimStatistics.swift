/// What the simulator did, for reports and tests.
public struct SimStatistics: Sendable, Equatable, Codable {
    public var ordersCreated = 0
    public var asyncOrders = 0
    public var syncOrders = 0
    public var idempotentReplays = 0
    /// Requests answered `idempotency_in_progress` (their key's first request was still processing).
    public var idempotencyInProgress = 0
    public var apiRequests = 0
    /// Requests refused for their `X-Api-Version` (`invalid_version`, `version_removed`), before any other check.
    public var versionRefused = 0
    /// The most API requests seen within any one second: what a client's budget must stay under.
    public var maxRequestsPerSecond = 0
    public var rateLimited = 0
    /// Of those, `POST /order` requests over order creation's own limit.
    public var orderRateLimited = 0
    public var injectedErrors = 0
    public var slowed = 0
    public var truncated = 0
    /// Webhook messages that became due (one per finished order).
    public var webhooksScheduled = 0
    /// Messages the fault plan never sent.
    public var webhooksDropped = 0
    /// Messages acknowledged with 2xx (counted once per message).
    public var webhooksDelivered = 0
    /// Extra copies of already-delivered messages sent (same message id).
    public var duplicatesSent = 0
    public var attempts = 0
    public var failedAttempts = 0
    public var corruptedAttempts = 0
    /// Messages abandoned after the whole retry schedule failed.
    public var webhooksGivenUp = 0

    public init() {}
}
