import Foundation
import GRDB
import Ledger
import Logging
import Reconciler
import RunaClient
import RunaModels
import RunaSim
import Testing
import TestSupport

/// Places orders through the gateway, as a company's integration would.
func placeOrders(_ count: Int, through gateway: RunaGateway, prefix: String = "e2e") async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        let dispenser = NextIndex(0)
        for _ in 0..<8 {
            group.addTask {
                while let index = dispenser.take(below: count) {
                    var random = SeededRandom(seed: UInt64(index))
                    var items: [NewOrder.Item] = []
                    for position in 0..<(1 + Int(random.next() % 3)) {
                        let units = Int64(5 + position * 5) * 1_000_000
                        let cents = Int64(random.next() % 100) * 10_000
                        let distribution: DistributionMethod = position % 2 == 0
                            ? .payoutLink(templateId: nil) : .email(emailAddress: "p\(index)@example.com", templateId: nil)
                        let code = index % 5 == 0 ? "AMZ-GB" : "AMZ-US"
                        items.append(NewOrder.Item(faceValue: Money(micros: units + cents, scale: 2), distributionMethod: distribution,
                                                   products: .single(value: code, usageConfig: nil)))
                    }
                    _ = try await gateway.createOrder(NewOrder(currency: index % 3 == 0 ? "EUR" : "USD", items: items,
                                                               description: "order \(index)"),
                                                      idempotencyKey: "\(prefix)-\(index)")
                }
            }
        }
        try await group.waitForAll()
    }
}

/// A gateway that waits little: the simulator compresses Runa's time.
func testGateway(_ baseURL: String, apiKey: String = "k", rate: Double = 400, concurrency: Int = 8) -> RunaGateway {
    var policy = RetryPolicy()
    policy.minimumRateLimitWait = .milliseconds(100)
    policy.maximumRateLimitWait = .seconds(1)
    policy.baseBackoff = .milliseconds(20)
    policy.maxAttempts = 10
    return RunaGateway(client: RunaAPIClient(baseURL: baseURL, apiKey: apiKey), requestsPerSecond: rate,
                       maxConcurrency: concurrency, breaker: CircuitBreaker(threshold: 50, cooldown: .milliseconds(200)),
                       policy: policy)
}

/// Every difference between the ledger and the simulator's truth: statuses, money, items and payouts.
func differences(ledger database: LedgerDatabase, truth: [RunaOrder]) async throws -> [String] {
    try await database.pool.read { db in
        var problems: [String] = []
        let orderCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM orders") ?? 0
        if orderCount != truth.count { problems.append("ledger has \(orderCount) orders, Runa \(truth.count)") }
        for order in truth {
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM orders WHERE id = ?", arguments: [order.id]) else {
                problems.append("\(order.id) missing")
                continue
            }
            if row["status"] as String != order.status.rawValue { problems.append("\(order.id) status") }
            if row["total_price_micros"] as Int64? != order.totalPrice?.micros { problems.append("\(order.id) total_price") }
            if row["total_discount_micros"] as Int64? != order.totalDiscount?.micros { problems.append("\(order.id) total_discount") }
            if row["currency"] as String? != order.currency { problems.append("\(order.id) currency") }
            let items = try Row.fetchAll(db, sql: "SELECT * FROM order_items WHERE order_id = ? ORDER BY position", arguments: [order.id])
            if items.map({ $0["id"] as String }) != (order.items ?? []).map(\.id) { problems.append("\(order.id) items") }
            for item in order.items ?? [] {
                guard let stored = items.first(where: { $0["id"] as String == item.id }) else { continue }
                if stored["face_value_micros"] as Int64 != item.faceValue.micros || stored["price_micros"] as Int64 != item.price.micros {
                    problems.append("\(item.id) money")
                }
                let payout = try Row.fetchOne(db, sql: "SELECT * FROM payouts WHERE item_id = ?", arguments: [item.id])
                if payout?["status"] as String? != item.payout?.status.rawValue
                    || payout?["status_updated_at"] as String? != item.payout?.statusUpdatedAt.canonical {
                    problems.append("\(item.id) payout \(payout?["status"] as String? ?? "-") vs \(item.payout?.status.rawValue ?? "-")")
                }
            }
        }
        let duplicates = try Int.fetchOne(db, sql: """
            SELECT count(*) FROM (SELECT order_id, item_id, kind FROM order_events
            WHERE kind IN ('order.created', 'item.added') GROUP BY order_id, item_id, kind HAVING count(*) > 1)
            """) ?? 0
        if duplicates > 0 { problems.append("\(duplicates) duplicated creation events") }
        return problems
    }
}

@Suite("The reconciler converges the ledger to Runa's truth", .serialized)
struct ReconcilerTests {
    @Test("500 orders, 30% of webhooks dropped, 20% duplicated, the rest reordered, ~20% of API calls failing: the ledger equals Runa")
    func endToEnd() async throws {
        let ledger = try await ServiceHarness.start()
        var configuration = SimConfiguration(apiKey: "k", webhookURL: ledger.baseURL + "/webhooks/runa",
                                             webhookSecret: ledger.secret.exposedValue)
        configuration.seed = 2026
        configuration.completeAfterSeconds = 0.2
        configuration.failRate = 0.08
        configuration.dropRate = 0.3
        configuration.duplicateRate = 0.2
        configuration.reorder = true
        configuration.reorderWindowSeconds = 0.5
        configuration.timeScale = 3_600
        configuration.claimRate = 0
        configuration.cancelRate = 0
        configuration.linkExpirySeconds = nil
        let sim = try await RunningSimulator(configuration)
        let gateway = testGateway(sim.baseURL)
        try await placeOrders(500, through: gateway)
        try await sim.settle()
        #expect(sim.simulator.statistics.webhooksDropped > 100)

        // Now make Runa unreliable for the reconciler: 429s, 5xx and garbage on about a fifth of its calls.
        var reconcilerSettings = ReconcilerConfiguration()
        reconcilerSettings.maxDiscoveryPages = 100
        reconcilerSettings.maxConcurrency = 8
        reconcilerSettings.payoutRefreshSeconds = [3_600]
        let reconciler = Reconciler(database: ledger.service.database, gateway: gateway,
                                    configuration: reconcilerSettings, logger: Logger(label: "reconciler"))
        sim.simulator.setFaults(errorRate: 0.07, truncateRate: 0.07, rateLimit: 150)
        var passes = 0
        var summary = await reconciler.pass()
        passes += 1
        while summary.backlog?.isInStep != true, passes < 15 {
            try await Task.sleep(for: .milliseconds(200))
            summary = await reconciler.pass()
            passes += 1
        }
        let stats = sim.simulator.statistics
        #expect(stats.injectedErrors + stats.truncated + stats.rateLimited > 50, "faults did hit the reconciler")
        let problems = try await differences(ledger: ledger.service.database, truth: sim.simulator.truth())
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(summary.backlog?.isInStep == true)
        #expect(try ledger.service.database.check(migrations: ledger.service.migrations).isHealthy)
        let runs = try await ledger.value("SELECT count(*) FROM reconcile_runs WHERE finished_at IS NOT NULL", as: Int.self)
        #expect(runs == passes)
        let neverAnnounced = try await ledger.value(
            "SELECT count(*) FROM order_events WHERE kind = 'discrepancy' AND changes LIKE '%never received%'", as: Int.self)
        #expect(neverAnnounced == stats.webhooksDropped)
        try await sim.stop()
        try await ledger.stop()
    }
}
