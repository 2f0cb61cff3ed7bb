import Foundation
import GRDB
@testable import Ledger
import Logging
import Reconciler
import RunaClient
import RunaModels
import RunaSim
import Testing
import TestSupport

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
        // Placing the orders is setup, not what is tested: under Runa's 300 orders a minute, the last 200 would wait
        // ~40 s for tokens, and on a loaded machine one could run out of retries (RunaContractBehaviourTests and
        // the gateway's tests cover that limit).
        configuration.ordersPerMinute = nil
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
        // Runa's whole list was read: the ledger is complete through the start of the last walk, with no gap.
        let completeness = try await ledger.service.database.completeness()
        #expect(completeness.listedOrders == 500)
        #expect(completeness.openGaps == 0, "\(completeness.gaps.prefix(5))")
        #expect(completeness.coverage?.from == nil, "the walk reached the beginning of Runa's history")
        #expect(completeness.watermark != nil && completeness.watermark == completeness.coverage?.through)
        try await sim.stop()
        try await ledger.stop()
    }
}

@Suite("Payout refresh, budgets and restarts", .serialized)
struct ReconcilerBehaviourTests {
    func temporaryLedger() throws -> (TemporaryFolder, LedgerDatabase) {
        let folder = try TemporaryFolder()
        let database = try LedgerDatabase(path: folder.path("ledger.sqlite"))
        try database.migrate(try Migration.load(from: Repository.migrations))
        return (folder, database)
    }

    @Test("claims, cancellations and expiries reach the ledger through payout refresh alone, with no webhook")
    func payoutRefresh() async throws {
        var configuration = SimConfiguration(apiKey: "k")
        configuration.seed = 77
        configuration.completeAfterSeconds = 0
        // A simulated day per 0.4 real seconds: links change within 3 days (1.2 s) and expire after 25 days (10 s),
        // so the first pass sees links still ACTIVE even on a loaded CI machine (it once took over 4 s there).
        configuration.timeScale = 86_400 / 0.4
        configuration.claimRate = 0.4
        configuration.cancelRate = 0.2
        configuration.payoutChangeWithinSeconds = 3 * 86_400
        configuration.linkExpirySeconds = 25 * 86_400
        let sim = try await RunningSimulator(configuration)
        let gateway = testGateway(sim.baseURL)
        try await placeOrders(30, through: gateway, prefix: "payouts")
        let (folder, database) = try temporaryLedger()
        _ = folder
        var settings = ReconcilerConfiguration()
        settings.payoutRefreshSeconds = [1]
        settings.maxDiscoveryPages = 5
        let reconciler = Reconciler(database: database, gateway: gateway, configuration: settings, logger: Logger(label: "r"))
        _ = await reconciler.pass()
        let active = try await database.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM payouts WHERE status = 'ACTIVE'") }
        #expect((active ?? 0) > 0, "the first pass saw links still ACTIVE")

        try await Task.sleep(for: .milliseconds(10_500))  // every claim, cancellation and expiry has happened
        var problems = ["not run"]
        for _ in 0..<6 where !problems.isEmpty {
            _ = await reconciler.pass()
            problems = try await differences(ledger: database, truth: sim.simulator.truth())
            if !problems.isEmpty { try await Task.sleep(for: .milliseconds(600)) }
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        let statuses = try await database.pool.read { try Set(String.fetchAll($0, sql: "SELECT DISTINCT status FROM payouts")) }
        #expect(statuses == ["CLAIMED", "CANCELLED", "EXPIRED"])
        let refreshEvents = try await database.pool.read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM order_events WHERE kind = 'payout.updated' AND source = 'reconciler'")
        }
        #expect((refreshEvents ?? 0) > 0)
        try database.close()
        try await sim.stop()
    }

    @Test("the gateway never exceeds its budget, and a sustained 429 storm slows it down instead of hammering")
    func budgetAndStorm() async throws {
        var configuration = SimConfiguration(apiKey: "k")
        configuration.completeAfterSeconds = 0
        let sim = try await RunningSimulator(configuration)
        try await placeOrders(120, through: testGateway(sim.baseURL, rate: 1_000), prefix: "budget")
        let before = sim.simulator.statistics.apiRequests

        let (folder, database) = try temporaryLedger()
        _ = folder
        let budgeted = testGateway(sim.baseURL, rate: 20, concurrency: 8)
        var settings = ReconcilerConfiguration()
        settings.maxDiscoveryPages = 10
        settings.maxConcurrency = 8
        let reconciler = Reconciler(database: database, gateway: budgeted, configuration: settings, logger: Logger(label: "r"))
        sim.simulator.resetRequestWindow()
        _ = await reconciler.pass()
        let stats = sim.simulator.statistics
        #expect(stats.apiRequests - before >= 120)
        #expect(stats.maxRequestsPerSecond <= 21, "saw \(stats.maxRequestsPerSecond) requests in one second at a budget of 20")

        // A storm: Runa allows 2 requests/s; the gateway would send 200/s.
        sim.simulator.setFaults(errorRate: 0, truncateRate: 0, rateLimit: 2)
        let eager = testGateway(sim.baseURL, rate: 200, concurrency: 8)
        let started = sim.simulator.statistics
        let storm = Task {
            for _ in 0..<40 { _ = try? await eager.listOrders(limit: 10) }
        }
        try await Task.sleep(for: .seconds(4))
        storm.cancel()
        let during = sim.simulator.statistics
        let sent = during.apiRequests - started.apiRequests
        #expect(during.rateLimited > started.rateLimited, "the storm was felt")
        #expect(sent < 60, "sent \(sent) requests in 4 s into a 2/s limit: it must back off, not hammer (200/s budget)")
        #expect(eager.counters.rateLimited > 0)
        try database.close()
        try await sim.stop()
    }
}

@Suite("A reconciler killed mid-pass", .serialized)
struct ReconcilerRestartTests {
    @Test("SIGKILL during a pass, then restart: the work finishes with nothing lost or done twice")
    func killMidPass() async throws {
        var configuration = SimConfiguration(apiKey: "restart-key")
        configuration.completeAfterSeconds = 0
        configuration.claimRate = 0
        configuration.cancelRate = 0
        configuration.linkExpirySeconds = nil
        let sim = try await RunningSimulator(configuration)
        try await placeOrders(240, through: testGateway(sim.baseURL, apiKey: "restart-key", rate: 1_000), prefix: "restart")

        let folder = try TemporaryFolder()
        let path = folder.path("ledger.sqlite")
        let environment = ["RUNA_API_KEY": "restart-key", "RUNA_BASE_URL": sim.baseURL, "RUNA_REQUESTS_PER_SECOND": "60",
                           "RECONCILE_INTERVAL": "1", "RUNA_RATE_LIMIT_MIN_WAIT": "0.1"]
        let secret = WebhookSecretForTests.value
        let first = try ServiceProcess(database: path, secret: secret, extraEnvironment: environment)
        try await Task.sleep(for: .milliseconds(2_000))  // partway: at 60 requests/s, 240 orders take 4 s
        first.kill(SIGKILL)
        _ = first.waitForExit()
        let database = try DatabaseQueue(path: path)
        let partial = try await database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM orders") ?? 0 }
        try database.close()
        #expect(partial > 0 && partial < 240, "killed mid-pass (\(partial) of 240 orders stored)")

        let second = try ServiceProcess(database: path, secret: secret, extraEnvironment: environment)
        let ledger = try LedgerDatabase(path: path)
        var problems = ["not checked"]
        let deadline = ContinuousClock.now + .seconds(30)
        while !problems.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            problems = try await differences(ledger: ledger, truth: sim.simulator.truth())
        }
        second.kill(SIGTERM)
        #expect(second.waitForExit() == 0)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(try ledger.check(migrations: try Migration.load(from: Repository.migrations)).isHealthy)
        try ledger.close()
        try await sim.stop()
    }
}

import Webhooks
