import Foundation
import Ledger
import Logging
@testable import Reconciler
import RunaClient
import RunaModels
import RunaSim
import Testing
import TestSupport
import Webhooks

/// The client and the ledger behave as Runa's documents say: idempotency (`best-practices-idempotency.mdx`),
/// rate limits (`best-practices-rate-limits.mdx`), versions (`best-practices-api-versioning.mdx`), the two shapes a
/// FAILED order may have, and `product.update` deliveries (`webhook-product.update.mdx`).
@Suite("The client and the ledger follow Runa's documented behaviour", .serialized)
struct RunaContractBehaviourTests {
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

    @Test("version_removed stops the reconciler: one critical line, a gauge, and no more calls")
    func versionRemovedStopsTheReconciler() async throws {
        var configuration = SimConfiguration(apiKey: "k")
        configuration.supportedVersions = []
        configuration.removedVersions.insert(RunaAPIClient.apiVersion)
        let sim = try await RunningSimulator(configuration)
        let folder = try TemporaryFolder()
        let database = try LedgerDatabase(path: folder.path("ledger.sqlite"))
        try database.migrate(try Migration.load(from: Repository.migrations))
        let logs = CapturedLogs()
        var settings = ReconcilerConfiguration()
        settings.intervalSeconds = 0
        let reconciler = Reconciler(database: database, gateway: testGateway(sim.baseURL), configuration: settings,
                                    logger: logs.logger())
        let running = Task { try await reconciler.run() }
        var halted = false
        for _ in 0..<100 where !halted {
            try await Task.sleep(for: .milliseconds(50))
            halted = logs.all.contains { $0.hasPrefix("critical") }
        }
        #expect(halted)
        #expect(reconciler.haltReason?.contains("version_removed") == true, "\(reconciler.haltReason ?? "-")")
        try await Task.sleep(for: .milliseconds(300))
        #expect(sim.simulator.statistics.versionRefused == 1, "the first refusal stops it: no retry loop")
        #expect(logs.all.filter { $0.hasPrefix("critical") }.count == 1)
        let pass = await reconciler.pass()
        #expect(pass.run.errors == 1 && sim.simulator.statistics.versionRefused == 1)
        running.cancel()
        _ = try? await running.value
        try database.close()
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

    @Test("failed orders converge in either documented shape of GET /order/{id}", arguments: FailedOrderShape.allCases)
    func failedOrdersConverge(shape: FailedOrderShape) async throws {
        var configuration = SimConfiguration(apiKey: "k")
        configuration.failRate = 0.5
        configuration.completeAfterSeconds = 0
        configuration.failedOrderShape = shape
        configuration.seed = 5
        let sim = try await RunningSimulator(configuration)
        try await placeOrders(20, through: testGateway(sim.baseURL), prefix: "shape")
        let folder = try TemporaryFolder()
        let database = try LedgerDatabase(path: folder.path("ledger.sqlite"))
        try database.migrate(try Migration.load(from: Repository.migrations))
        let reconciler = Reconciler(database: database, gateway: testGateway(sim.baseURL),
                                    configuration: ReconcilerConfiguration(), logger: Logger(label: "shape"))
        let summary = await reconciler.pass()
        #expect(sim.simulator.truth().contains { $0.status == .failed })
        #expect(try await differences(ledger: database, truth: sim.simulator.truth()).isEmpty)
        #expect(summary.backlog?.isInStep == true, "a failed order's details are complete in both shapes")
        #expect(try await database.completeness().openGaps == 0)
        try database.close()
        try await sim.stop()
    }

    @Test("a product.update delivery is recognised by its documented shape, recorded as ignored with its event type, counted")
    func productUpdate() async throws {
        let token = "test-token-0123456789abcdef"
        let service = try await ServiceHarness.start(apiTokens: [token])
        var configuration = SimConfiguration(apiKey: "k", webhookURL: service.baseURL + "/webhooks/runa",
                                             webhookSecret: service.secret.exposedValue)
        configuration.ordersPerMinute = nil
        let sim = try await RunningSimulator(configuration)
        let id = try #require(sim.simulator.sendProductUpdate(productCode: "AMZ-US"))
        try await sim.settle(timeout: .seconds(10))
        #expect(try await service.value("SELECT outcome FROM webhook_deliveries WHERE msg_id = '\(id)'", as: String.self) == "ignored")
        #expect(try await service.value("SELECT event_type FROM webhook_deliveries WHERE msg_id = '\(id)'", as: String.self) == "product.update")
        let other = service.signed(Data(#"{"kind":"something.else"}"#.utf8))
        #expect(try await service.post(other).0 == 200)
        let (status, body) = try await service.send(path: "/v1/deliveries?outcome=ignored", method: .GET,
                                                    headers: [("Authorization", "Bearer \(token)")], body: nil)
        #expect(status == 200)
        let view = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(view["ignored_by_event_type"] as? [String: Int] == ["product.update": 1, "unrecognised": 1], "\(body)")
        try await sim.stop()
        try await service.stop()
    }
}
