import Webhooks
import Foundation
import Ledger
import RunaClient
import RunaModels
import RunaSim

/// Places `count` orders of the simulator's mix through the gateway (async only), as a company's integration would;
/// throws unless every one was placed.
public func placeOrders(_ count: Int, through gateway: RunaGateway, prefix: String = "e2e") async throws {
    let outcome = await OrderPlacer(gateway: gateway, seed: prefix.utf8.reduce(UInt64(1)) { $0 &* 31 &+ UInt64($1) }, keyPrefix: prefix, includeSync: false).place(count)
    guard outcome.placed == count else { throw PlacementFailed(outcome: outcome) }
}

/// Not every order could be placed.
public struct PlacementFailed: Error {
    public var outcome: OrderPlacer.Outcome
}

/// A gateway that waits little: the simulator compresses Runa's time.
public func testGateway(_ baseURL: String, apiKey: String = "k", rate: Double = 400, concurrency: Int = 8) -> RunaGateway {
    var policy = RetryPolicy()
    policy.minimumRateLimitWait = .milliseconds(100)
    policy.maximumRateLimitWait = .seconds(1)
    policy.baseBackoff = .milliseconds(20)
    policy.maxAttempts = 10
    return RunaGateway(client: RunaAPIClient(baseURL: baseURL, apiKey: apiKey), requestsPerSecond: rate,
                       maxConcurrency: concurrency, breaker: CircuitBreaker(threshold: 50, cooldown: .milliseconds(200)),
                       policy: policy)
}

/// Every difference between the ledger and the simulator's truth (``TruthComparison``): statuses, money, items,
/// payouts and creation events recorded twice.
public func differences(ledger database: LedgerDatabase, truth: [RunaOrder]) async throws -> [String] {
    try await database.compare(withTruth: truth).problems
}

public enum WebhookSecretForTests {
    public static let value = WebhookSecret(key: Array(repeating: 9, count: 32))
}
