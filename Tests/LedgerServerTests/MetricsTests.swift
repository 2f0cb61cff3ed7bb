import Foundation
import Ledger
@testable import LedgerServer
import Metrics
import Prometheus
import RunaModels
import RunaClient
import Testing
import TestSupport
import Webhooks

/// The process-wide metrics registry, bootstrapped once for every test that looks at `/metrics`.
enum SharedMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// Serialized: the gauges live in one process-wide registry, so two scrapes at once would each refresh them from
/// their own ledger and read the other's values.
@Suite("GET /metrics", .serialized)
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

    @Test("stored-state gauges are read at scrape time, and every runa_ledger_ metric the alerts and dashboard use exists")
    func stateGaugesAndDeployedNames() async throws {
        let service = try await ServiceHarness.start(registry: SharedMetrics.registry)
        let broken = Data(#"{"id":"O-01BROKEN","status":"COMPLETED","total_price":"lots"}"#.utf8)
        #expect(try await service.post(service.signed(broken)).0 == 200)
        #expect(try await service.post(service.signed(Orders.completed())).0 == 200)
        var forged = service.signed(Orders.completed())
        forged.id = "msg_forged"
        #expect(try await service.post(forged).0 == 401)
        // The reconciler read Runa's whole list two minutes ago and found nothing missing.
        try await service.service.database.setListingCoverage(ListingCoverage(from: nil, through: LedgerClock.now().adding(seconds: -120)))
        let (_, text) = try await service.get("/metrics")
        let watermarkAge = sample(text, "runa_ledger_completeness_watermark_age_seconds")
        #expect(watermarkAge >= 120 && watermarkAge < 180)
        #expect(sample(text, "runa_ledger_completeness_open_gaps") == 0)
        #expect(sample(text, "runa_ledger_quarantined_deliveries") == 1)
        let last = sample(text, "runa_ledger_last_delivery_timestamp_seconds")
        #expect(abs(last - Date().timeIntervalSince1970) < 60)
        #expect(sample(text, "runa_ledger_database_bytes") > 0)
        #expect(sample(text, "runa_ledger_disk_free_bytes") > 0)
        #expect(sample(text, "runa_ledger_disk_size_bytes") >= sample(text, "runa_ledger_disk_free_bytes"))
        // With a reconciler, whether its circuit breaker has paused calls to Runa.
        let breaker = CircuitBreaker(threshold: 1)
        breaker.recordFailure()
        await StateGauges(database: service.service.database, breaker: breaker).refresh()
        let withBreaker = String(decoding: SharedMetrics.registry.emitToBuffer(), as: UTF8.self)
        #expect(sample(withBreaker, "runa_ledger_runa_circuit_open") == 1)
        try await service.stop()

        // Names in the alert rules and the Grafana dashboard (histograms by their _bucket series) that the
        // service exports; the reconciler's are exported once it runs (the reconciler metrics test).
        let exported = Set(withBreaker.split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { String($0.prefix { $0 != "{" && $0 != " " }) })
            .union(["runa_ledger_reconciler_calls_total", "runa_ledger_reconcile_backlog",
                    "runa_ledger_runa_api_version_refused", "runa_ledger_list_direction"])
        for file in ["deploy/observability/alerts.yml", "deploy/observability/grafana-dashboard.json"] {
            let content = try String(contentsOf: Repository.root.appendingPathComponent(file), encoding: .utf8)
            let used = Set(content.matches(of: /runa_ledger_[a-z_]+/).map { String($0.output) })
            #expect(!used.isEmpty)
            for name in used.sorted() {
                #expect(exported.contains(name), "\(file) uses \(name), which /metrics does not export")
            }
        }
    }
}

import Logging
import Reconciler
import RunaSim
import TestSupport

extension MetricsTests {
    @Test("reconciler calls by status, the backlog, the version gauge and the list direction are exported with the values of the pass that ran")
    func reconcilerExported() async throws {
        // The service runs as its own process, so its registry holds only what its own reconciler recorded (the
        // test process's registry is shared with suites that refuse versions and walk lists the other way).
        var configuration = SimConfiguration(apiKey: "k")
        configuration.completeAfterSeconds = 0
        let sim = try await RunningSimulator(configuration)
        try await placeOrders(5, through: testGateway(sim.baseURL), prefix: "metrics")
        let folder = try TemporaryFolder()
        let service = try ServiceProcess(database: folder.path("ledger.sqlite"), secret: WebhookSecret(key: Array(repeating: 12, count: 32)),
                                         extraEnvironment: ["RUNA_API_KEY": "k", "RUNA_BASE_URL": sim.baseURL])
        defer { service.kill(SIGKILL); _ = service.waitForExit() }
        var text = ""
        let deadline = ContinuousClock.now + .seconds(20)
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            text = (try? await RawHTTP.get(port: service.port, target: "/metrics", headers: []).1) ?? ""
            // The backlog is recorded when a pass ends.
        } while !text.contains("runa_ledger_reconcile_backlog") && ContinuousClock.now < deadline
        #expect(text.contains(#"runa_ledger_reconciler_calls_total{status="ok"}"#), "\(text)")
        #expect(text.contains("runa_ledger_reconcile_backlog"))
        #expect(text.contains("runa_ledger_runa_api_version_refused 0"), "a pass Runa answered is no refusal")
        #expect(text.contains(#"runa_ledger_list_direction{direction="newest_first"} "#), "\(text)")
        try await sim.stop()
    }
}
