import Foundation
import Metrics
import Prometheus
import Testing
import Webhooks

/// The process-wide metrics registry, bootstrapped once for every test that looks at `/metrics`.
enum SharedMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

@Suite("GET /metrics")
struct MetricsTests {
    /// The value of the sample `name{labels}` in Prometheus text, or 0 when absent.
    func sample(_ text: String, _ series: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    @Test("deliveries by outcome, signature failures by reason, ingest latency and commit batches are exported")
    func exported() async throws {
        let service = try await ServiceHarness.start(registry: SharedMetrics.registry)
        for _ in 0..<3 { #expect(try await service.post(service.signed(Orders.completed())).0 == 200) }
        var forged = service.signed(Orders.completed())
        forged.id = "msg_forged"
        #expect(try await service.post(forged).0 == 401)

        let (status, text) = try await service.get("/metrics")
        #expect(status == 200)
        #expect(sample(text, #"runa_ledger_webhook_deliveries_total{outcome="applied"}"#) >= 3)
        #expect(sample(text, #"runa_ledger_webhook_deliveries_total{outcome="rejected"}"#) >= 1)
        #expect(sample(text, #"runa_ledger_webhook_signature_failures_total{reason="no_valid_signature"}"#) >= 1)
        #expect(sample(text, "runa_ledger_webhook_ingest_duration_seconds_count") >= 4)
        #expect(sample(text, "runa_ledger_commit_batch_size_count") >= 3)
        #expect(sample(text, "runa_ledger_commit_duration_seconds_count") >= 3)
        try await service.stop()
    }
}

import Logging
import Reconciler
import RunaSim
import TestSupport

@Suite("Reconciler metrics")
struct ReconcilerMetricsTests {
    @Test("reconciler calls by status and the backlog are exported")
    func exported() async throws {
        let service = try await ServiceHarness.start(registry: SharedMetrics.registry)
        var configuration = SimConfiguration(apiKey: "k")
        configuration.completeAfterSeconds = 0
        let sim = try await RunningSimulator(configuration)
        try await placeOrders(5, through: testGateway(sim.baseURL), prefix: "metrics")
        let reconciler = Reconciler(database: service.service.database, gateway: testGateway(sim.baseURL),
                                    configuration: ReconcilerConfiguration(), logger: Logger(label: "r"))
        _ = await reconciler.pass()
        let (_, text) = try await service.get("/metrics")
        #expect(text.contains(#"runa_ledger_reconciler_calls_total{status="ok"}"#))
        #expect(text.contains("runa_ledger_reconcile_backlog"))
        try await sim.stop()
        try await service.stop()
    }
}
