import Foundation
import RunaClient
import RunaModels
import RunaSim
import Testing
import TestSupport

/// The client behaves as Runa's documents say: idempotency (`best-practices-idempotency.mdx`), rate limits
/// (`best-practices-rate-limits.mdx`) and versions (`best-practices-api-versioning.mdx`).
@Suite("The client follows Runa's documented behaviour", .serialized)
struct RunaClientContractTests {
    static let order = NewOrder(currency: "USD", items: [
        .init(faceValue: Money(micros: 10_000_000, scale: 2), distributionMethod: .payoutLink(templateId: nil),
              products: .single(value: "AMZ-US", usageConfig: nil)),
    ])

    @Test("idempotency_in_progress: the gateway waits and sends the same key again, and gets the original order")
    func inProgressIsWaitedFor() async throws {
        var configuration = SimConfiguration(apiKey: "k")
        configuration.syncProcessingSeconds = 1
        let sim = try await RunningSimulator(configuration)
        let gateway = testGateway(sim.baseURL)
        async let first = gateway.createOrder(Self.order, idempotencyKey: "same", mode: .sync)
        try await Task.sleep(for: .milliseconds(300))
        let second = try await gateway.createOrder(Self.order, idempotencyKey: "same", mode: .sync)
        let original = try await first
        #expect(second.id == original.id)
        #expect(sim.simulator.statistics.idempotencyInProgress >= 1, "the second request did meet a key in progress")
        #expect(sim.simulator.statistics.ordersCreated == 1)
        try await sim.stop()
    }

    @Test("an error Runa replays for a key is reported as that error after one retry, not retried on")
    func replayedErrorIsReported() async throws {
        var configuration = SimConfiguration(apiKey: "k")
        configuration.failRate = 1  // a failing sync order is answered internal_server_error, and replayed so
        let sim = try await RunningSimulator(configuration)
        let gateway = testGateway(sim.baseURL)
        await #expect(throws: RunaAPIError.self) {
            _ = try await gateway.createOrder(Self.order, idempotencyKey: "fails", mode: .sync)
        }
        do {
            _ = try await gateway.createOrder(Self.order, idempotencyKey: "fails", mode: .sync)
            Issue.record("expected the replayed error")
        } catch {
            guard case .replayedError(500, let body) = error else { Issue.record("got \(error)"); return }
            #expect(body?.type == "internal_server_error")
        }
        #expect(sim.simulator.statistics.ordersCreated == 1)
        // Two calls for the first attempt (the answer, then its replay); two for the second.
        #expect(sim.simulator.statistics.idempotentReplays == 3)
        try await sim.stop()
    }

    @Test("invalid_version is refused the same way")
    func invalidVersionIsRefused() async throws {
        var configuration = SimConfiguration(apiKey: "k")
        configuration.supportedVersions = []
        let sim = try await RunningSimulator(configuration)
        do {
            _ = try await testGateway(sim.baseURL).listOrders()
            Issue.record("expected a refusal")
        } catch {
            guard case .versionRefused(400, let body) = error else { Issue.record("got \(error)"); return }
            #expect(body?.type == "invalid_version")
            #expect(!error.isRetryable)
        }
        #expect(sim.simulator.statistics.versionRefused == 1)
        try await sim.stop()
    }

    @Test("after a 429 without Retry-After, the gateway waits at least 5 s, as Runa asks")
    func fiveSecondsAfterA429() async throws {
        var configuration = SimConfiguration(apiKey: "k")
        configuration.ordersPerMinute = 1  // the second order is 429, with no Retry-After (Runa promises none)
        let sim = try await RunningSimulator(configuration)
        var policy = RetryPolicy()  // the defaults: at least 5 s
        policy.maxAttempts = 2
        let gateway = RunaGateway(client: RunaAPIClient(baseURL: sim.baseURL, apiKey: "k"), requestsPerSecond: 100,
                                  maxConcurrency: 1, policy: policy)
        _ = try await gateway.createOrder(Self.order, idempotencyKey: "a")
        let started = ContinuousClock.now
        _ = try? await gateway.createOrder(Self.order, idempotencyKey: "b")
        let waited = ContinuousClock.now - started
        #expect(sim.simulator.statistics.orderRateLimited >= 1)
        #expect(waited >= .seconds(5), "waited \(waited)")
        try await sim.stop()
    }
}
