import ArgumentParser
import Foundation
import HTTPCommon
import Hummingbird
import Ledger
import LedgerServer
import Logging
import Metrics
import Prometheus
import Reconciler
import RunaClient
import RunaModels
import RunaSim
import ServiceLifecycle
import Synchronization
import Webhooks

/// `runa-ledger demo`: the simulator and the service together, a few hundred orders with faults on, and a report.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the simulator and the service together, place orders with faults on, and report.",
        discussion: """
            Everything runs on free loopback ports with temporary secrets; the ledger is ./data/demo/ledger.sqlite
            (replaced on every run). After the report the service keeps running so you can look around; Ctrl-C stops it.
            """)

    @Option(help: "How many orders to place.") var orders = 300
    @Option(help: "Seed of the simulator and of the order mix.") var seed: UInt64 = 1
    @Option(help: "Folder for the demo ledger.") var folder = "./data/demo"
    @Flag(help: "Stop after the report instead of waiting for Ctrl-C.") var exit = false
    @Flag(name: .customLong("require-match"), help: "Exit 1 unless the ledger matches the simulator's truth.")
    var requireMatch = false
    @Option(name: .customLong("truth-out"), help: "Write the simulator's orders, as GET /order/{id} answers them, to this JSON file.")
    var truthOut: String?

    func run() async throws {
        let logger = LogSetup.bootstrap(level: ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "error")
        let secret = WebhookSecret(key: (0..<32).map { _ in UInt8.random(in: .min ... .max) })
        let apiKey = "demo-" + UUID().uuidString.lowercased()
        let token = "demo-token-" + UUID().uuidString.lowercased()
        try? FileManager.default.removeItem(atPath: folder)

        // The ledger.
        var settings = ServiceSettings()
        settings.databasePath = folder + "/ledger.sqlite"
        settings.port = 0
        settings.webhookSecrets = [secret]
        settings.apiTokens = ["auditor:demo:" + token]  // an auditor: every /v1 route, the access log too
        settings.runaAPIKey = apiKey
        let migrations = try settings.migrations()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let service = try LedgerService(settings: settings, migrations: migrations, registry: registry, logger: logger)
        let (ledgerPorts, ledgerPort) = AsyncStream.makeStream(of: Int.self)
        let ledgerGroup = ServiceGroup(configuration: .init(
            services: [service.makeApplication { ledgerPort.yield($0) }],
            gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
        let ledgerRun = Task { try await ledgerGroup.run() }
        var ledgerIterator = ledgerPorts.makeAsyncIterator()
        guard let port = await ledgerIterator.next() else { throw ExitCode.failure }
        let ledgerURL = "http://127.0.0.1:\(port)"

        // The simulator, with faults on.
        var simulation = SimConfiguration(apiKey: apiKey, webhookURL: ledgerURL + "/webhooks/runa",
                                          webhookSecret: secret.exposedValue)
        simulation.seed = seed
        simulation.completeAfterSeconds = 120
        simulation.timeScale = 3_600  // Svix's 5 min retry takes 0.08 s; a claim within 6 h takes 6 s
        simulation.payoutChangeWithinSeconds = 6 * 3_600
        simulation.failRate = 0.05
        simulation.dropRate = 0.1
        simulation.duplicateRate = 0.15
        simulation.reorder = true
        simulation.corruptRate = 0.05
        simulation.rateLimit = 100
        simulation.retryAfterSeconds = 1
        simulation.errorRate = 0.03
        simulation.truncateRate = 0.02
        let simulator = try RunaSimulator(configuration: simulation, logger: logger)
        let (simPorts, simPort) = AsyncStream.makeStream(of: Int.self)
        let simGroup = ServiceGroup(configuration: .init(
            services: [SimServer(simulator: simulator, logger: logger).makeApplication { simPort.yield($0) }],
            logger: logger))
        let simRun = Task { try await simGroup.run() }
        var simIterator = simPorts.makeAsyncIterator()
        guard let simulatorPort = await simIterator.next() else { throw ExitCode.failure }
        let runaURL = "http://127.0.0.1:\(simulatorPort)/v2"

        say("runa-ledger demo: seed \(seed), \(orders) orders, faults on (drop 10%, duplicate 15%, reorder,",
              "corrupt signatures 5%, 429s at 100 req/s, 3% API errors, 2% truncated answers)")
        say("  simulator  \(runaURL)")
        say("  ledger     \(ledgerURL)   (\(settings.databasePath))")

        var placing = RetryPolicy()
        placing.minimumRateLimitWait = .milliseconds(500)  // the simulator compresses Runa's 5 s
        placing.inProgressWait = .milliseconds(200)
        let placer = RunaGateway(client: RunaAPIClient(baseURL: runaURL, apiKey: apiKey), requestsPerSecond: 400,
                                 maxConcurrency: 8, policy: placing)
        let placement = await OrderPlacer(gateway: placer, seed: seed, keyPrefix: "demo-\(seed)").place(orders)
        say("placed \(placement.placed) orders (\(placement.sync) sync) in \(placement.calls) API calls;",
              "\(placement.retries) retried after 429/5xx/garbage with the same idempotency key;",
              "\(placement.replayed) answered an error Runa replays for their key (placed or not: the reconciler's list",
              "walk tells); \(placement.failed) could not be placed")

        let deadline = ContinuousClock.now + .seconds(120)
        while !simulator.webhooksSettled, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        try await Task.sleep(for: .milliseconds(800))  // the last duplicates follow their originals

        let webhookOnly = try await service.database.compare(withTruth: simulator.truth())
        let stats = simulator.statistics
        say("webhooks: \(stats.webhooksScheduled) due, \(stats.webhooksDelivered) delivered, \(stats.webhooksDropped) dropped,",
              "\(stats.duplicatesSent) duplicate copies, \(stats.corruptedAttempts) corrupted attempts (refused, then retried),",
              "\(stats.webhooksGivenUp) given up")
        say("API: \(stats.apiRequests) requests, \(stats.rateLimited) answered 429, \(stats.injectedErrors) injected errors,",
              "\(stats.truncated) truncated")
        say("after webhooks alone:")
        for line in DemoReport.lines(webhookOnly) { say("  " + line) }

        // The reconciler: discovery, enrichment and payout refresh until the ledger matches (or a minute passes).
        var reconcilerSettings = settings.reconcilerConfiguration
        reconcilerSettings.payoutRefreshSeconds = [2, 4, 8]
        reconcilerSettings.maxDiscoveryPages = 50
        reconcilerSettings.maxConcurrency = 8
        var policy = RetryPolicy()
        policy.minimumRateLimitWait = .milliseconds(500)  // the simulator compresses Runa's 5 s
        let gateway = RunaGateway(client: RunaAPIClient(baseURL: runaURL, apiKey: apiKey), requestsPerSecond: 80,
                                  maxConcurrency: 8, policy: policy)
        let reconciler = Reconciler(database: service.database, gateway: gateway, configuration: reconcilerSettings,
                                    logger: logger)
        var passes = 0, fetched = 0, discrepancies = 0
        var report = webhookOnly
        let patience = ContinuousClock.now + .seconds(90)
        repeat {
            let pass = await reconciler.pass()
            passes += 1
            fetched += pass.run.checked
            discrepancies += pass.run.discrepancies
            report = try await service.database.compare(withTruth: simulator.truth())
            if !report.matches { try await Task.sleep(for: .seconds(1)) }
        } while !report.matches && ContinuousClock.now < patience
        say("reconciler: \(passes) passes, \(fetched) orders fetched, \(discrepancies) discrepancies recorded,",
            "\(gateway.counters.retries) calls retried (\(gateway.counters.rateLimited) after 429)")
        say("after the reconciler:")
        for line in DemoReport.lines(report) { say("  " + line) }
        if let truthOut {
            // Runa's own record, for whoever wants to check the ledger without trusting this report.
            try RunaJSON.encode(simulator.truth()).write(to: URL(fileURLWithPath: truthOut))
        }
        say("look around:")
        say("  curl \(ledgerURL)/readyz ; curl \(ledgerURL)/metrics")
        say("  runa-ledger export orders --db \(settings.databasePath) --out orders.csv")
        say("  runa-ledger check --db \(settings.databasePath)")
        say("  curl -H 'Authorization: Bearer \(token)' '\(ledgerURL)/v1/summary'")
        say("  curl -H 'Authorization: Bearer \(token)' '\(ledgerURL)/v1/orders?status=COMPLETED&limit=5'")
        say("  curl -H 'Authorization: Bearer \(token)' '\(ledgerURL)/v1/completeness'")

        if !exit {
            say("Ctrl-C stops the demo.")
                _ = try? await ledgerRun.value
        } else {
            await ledgerGroup.triggerGracefulShutdown()
            _ = try? await ledgerRun.value
        }
        await simGroup.triggerGracefulShutdown()
        _ = try? await simRun.value
        if requireMatch, !report.matches { throw ExitCode.failure }
    }
}

/// The lines the demo prints for a comparison of the ledger with the simulator's truth.
enum DemoReport {
    static func lines(_ comparison: TruthComparison) -> [String] {
        let c = comparison
        var lines = ["ledger: \(c.ledgerOrders) orders; \(c.matched) match the simulator, \(c.missing) missing, \(c.differing) differ,",
                     "        \(c.withoutDetails) agree but wait for their item details;",
                     "        item details for \(c.ledgerItems) of \(c.truthItems) items; \(c.payoutsMatching) of \(c.truthPayouts) payout states",
                     "        match (\(c.payoutsNoLongerActive) links claimed, cancelled or expired since completion, with no webhook)"]
        lines.append("totals of completed orders per currency (ledger / simulator):")
        for currency in c.completedTotals.keys.sorted() {
            let (ledger, truth) = c.completedTotals[currency] ?? (0, 0)
            let mine = Money.plainString(micros: ledger), theirs = Money.plainString(micros: truth)
            lines.append("  \(currency)  \(mine) / \(theirs)\(mine == theirs ? "" : "  (differs)")")
        }
        if c.matches {
            lines.append("verdict: the ledger matches the simulator's truth exactly")
        } else {
            lines.append("verdict: NOT matching: \(c.missing) orders unknown to the ledger (their webhooks were dropped), item details")
            lines.append("         and payout states missing (webhook bodies carry none); every order a webhook did deliver")
            lines.append("         \(c.differing == 0 ? "matches" : "— \(c.differing) differ!")")
        }
        return lines
    }
}

/// Prints a line at once (standard output is block-buffered when piped).
func say(_ parts: String...) {
    FileHandle.standardOutput.write(Data((parts.joined(separator: " ") + "\n").utf8))
}
