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
        simulation.completeAfterSeconds = 60
        simulation.timeScale = 60
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
        let placement = await OrderPlacer(gateway: placer, seed: seed).place(orders)
        say("placed \(placement.placed) orders (\(placement.sync) sync) in \(placement.calls) API calls;",
              "\(placement.retries) retried after 429/5xx/garbage with the same idempotency key;",
              "\(placement.replayed) answered an error Runa replays for their key (placed or not: the reconciler's list",
              "walk tells); \(placement.failed) could not be placed")

        let deadline = ContinuousClock.now + .seconds(120)
        while !simulator.webhooksSettled, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        try await Task.sleep(for: .milliseconds(800))  // the last duplicates follow their originals

        let webhookOnly = try await DemoReport.compare(truth: simulator.truth(), ledger: service.database)
        let stats = simulator.statistics
        say("webhooks: \(stats.webhooksScheduled) due, \(stats.webhooksDelivered) delivered, \(stats.webhooksDropped) dropped,",
              "\(stats.duplicatesSent) duplicate copies, \(stats.corruptedAttempts) corrupted attempts (refused, then retried),",
              "\(stats.webhooksGivenUp) given up")
        say("API: \(stats.apiRequests) requests, \(stats.rateLimited) answered 429, \(stats.injectedErrors) injected errors,",
              "\(stats.truncated) truncated")
        say("after webhooks alone:")
        for line in webhookOnly.lines { say("  " + line) }

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
            report = try await DemoReport.compare(truth: simulator.truth(), ledger: service.database)
            if !report.matches { try await Task.sleep(for: .seconds(1)) }
        } while !report.matches && ContinuousClock.now < patience
        say("reconciler: \(passes) passes, \(fetched) orders fetched, \(discrepancies) discrepancies recorded,",
            "\(gateway.counters.retries) calls retried (\(gateway.counters.rateLimited) after 429)")
        say("after the reconciler:")
        for line in report.lines { say("  " + line) }
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

/// Places a mix of orders like a real integration would: concurrent, through the gateway, which retries with
/// the same idempotency key (waiting after 429s and while a key is in progress).
struct OrderPlacer: Sendable {
    let gateway: RunaGateway
    let seed: UInt64

    struct Outcome: Sendable {
        var placed = 0, sync = 0, calls = 0, retries = 0, failed = 0
        /// Answered the same error again for their key: Runa replays a key's first answer, so the order's fate is
        /// unknown until the list shows it (the reconciler's discovery).
        var replayed = 0
    }

    func place(_ count: Int) async -> Outcome {
        let recipes = Mutex(SeededRandom(seed: seed &* 31 &+ 7))
        let plans = (0..<count).map { index in recipes.withLock { random in Self.recipe(index, random: &random) } }
        let next = TicketDispenser(limit: plans.count)
        var total = await withTaskGroup(of: Outcome.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var outcome = Outcome()
                    while let index = next.take() {
                        let (order, mode) = plans[index]
                        do {
                            _ = try await gateway.createOrder(order, idempotencyKey: "demo-\(seed)-\(index)", mode: mode)
                            outcome.placed += 1
                            if mode == .sync { outcome.sync += 1 }
                        } catch {
                            if case .replayedError? = error as? RunaAPIError { outcome.replayed += 1 } else { outcome.failed += 1 }
                        }
                    }
                    return outcome
                }
            }
            return await group.reduce(into: Outcome()) { total, part in
                total.placed += part.placed
                total.sync += part.sync
                total.failed += part.failed
                total.replayed += part.replayed
            }
        }
        total.calls = gateway.counters.calls
        total.retries = gateway.counters.retries
        return total
    }

    /// One order of the mix: currencies, item counts, every distribution and product variant, some FX.
    static func recipe(_ index: Int, random: inout SeededRandom) -> (NewOrder, ExecutionMode) {
        let currencies = [("USD", "US"), ("USD", "US"), ("GBP", "GB"), ("EUR", "DE")]
        let (currency, country) = currencies[Int(random.next() % 4)]
        let mode: ExecutionMode = index % 20 == 7 ? .sync : .async
        let itemCount = mode == .sync ? 1 : 1 + Int(random.next() % 4)
        var items: [NewOrder.Item] = []
        for _ in 0..<itemCount {
            let distribution: DistributionMethod
            switch random.next() % 10 {
            case 0..<5: distribution = .payoutLink(templateId: nil)
            case 5..<9: distribution = .email(emailAddress: "person\(index)@example.com", templateId: nil)
            default: distribution = .recipient(recipientReference: "ref-\(index)", emailAddress: "r\(index)@example.com", templateId: nil)
            }
            let products: ProductSelection
            var whole = true
            switch random.next() % 10 {
            case 0..<4:
                let foreign = random.chance(0.2) ? (country == "US" ? "GB" : "US") : country
                products = .single(value: "AMZ-\(foreign)", usageConfig: nil)
                whole = false
            case 4..<7: products = .multiple(values: ["AMZ-\(country)", "IKEA-\(country)"])
            default: products = .template(templateId: "PT-01HQ12PV4B8XMBRTK281JM54KK", values: nil)
            }
            let units = [5, 10, 20, 25, 50, 100][Int(random.next() % 6)]
            let cents = whole ? 0 : Int(random.next() % 100)
            items.append(.init(faceValue: Money(micros: Int64(units) * 1_000_000 + Int64(cents) * 10_000, scale: 2),
                               distributionMethod: distribution, products: products))
        }
        return (NewOrder(currency: currency, items: items, description: "demo order \(index)",
                         metadata: ["source": "runa-ledger demo", "index": String(index)]), mode)
    }
}

/// The ledger compared with the simulator's truth.
struct DemoReport {
    var lines: [String]
    var matches: Bool

    static func compare(truth: [RunaOrder], ledger: LedgerDatabase) async throws -> DemoReport {
        let states = try await ledger.states()
        let (rows, itemCount, payouts) = (states.orders, states.itemCount, states.payouts)
        var matched = 0, missing = 0, differing = 0
        for order in truth {
            guard let row = rows[order.id] else {
                missing += 1
                continue
            }
            let sameTotal = order.status != .completed || row.totalPriceMicros == order.totalPrice?.micros
            if row.status == order.status.rawValue, sameTotal { matched += 1 } else { differing += 1 }
        }
        let truthItems = truth.reduce(0) { $0 + ($1.items?.count ?? 0) }
        let truthPayouts = truth.flatMap { $0.items ?? [] }.compactMap { item in item.payout.map { (item.id, $0.status.rawValue) } }
        let payoutsMatching = truthPayouts.filter { payouts[$0.0] == $0.1 }.count
        let claimed = truthPayouts.filter { $0.1 != "ACTIVE" }.count
        var lines = ["ledger: \(rows.count) orders; \(matched) match the simulator, \(missing) missing, \(differing) differ;",
                     "        item details for \(itemCount) of \(truthItems) items; \(payoutsMatching) of \(truthPayouts.count) payout states",
                     "        match (\(claimed) links claimed, cancelled or expired since completion, with no webhook)"]
        lines.append("totals of completed orders per currency (ledger / simulator):")
        var ledgerTotals: [String: Int64] = [:], truthTotals: [String: Int64] = [:]
        for row in rows.values where row.status == "COMPLETED" {
            ledgerTotals[row.currency ?? "?", default: 0] += row.totalPriceMicros ?? 0
        }
        for order in truth where order.status == .completed {
            truthTotals[order.currency ?? "?", default: 0] += order.totalPrice?.micros ?? 0
        }
        for currency in Set(ledgerTotals.keys).union(truthTotals.keys).sorted() {
            let mine = Money.plainString(micros: ledgerTotals[currency] ?? 0)
            let theirs = Money.plainString(micros: truthTotals[currency] ?? 0)
            lines.append("  \(currency)  \(mine) / \(theirs)\(mine == theirs ? "" : "  (differs)")")
        }
        let matches = missing == 0 && differing == 0 && itemCount == truthItems && payoutsMatching == truthPayouts.count
        if matches {
            lines.append("verdict: the ledger matches the simulator's truth exactly")
        } else {
            lines.append("verdict: NOT matching: \(missing) orders unknown to the ledger (their webhooks were dropped), item details")
            lines.append("         and payout states missing (webhook bodies carry none); every order a webhook did deliver")
            lines.append("         \(differing == 0 ? "matches" : "— \(differing) differ!")")
        }
        return DemoReport(lines: lines, matches: matches)
    }
}

/// Prints a line at once (standard output is block-buffered when piped).
func say(_ parts: String...) {
    FileHandle.standardOutput.write(Data((parts.joined(separator: " ") + "\n").utf8))
}

/// Hands out 0, 1, 2, … below a limit to concurrent workers.
final class TicketDispenser: Sendable {
    private let next = Mutex(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func take() -> Int? {
        next.withLock { value in
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
