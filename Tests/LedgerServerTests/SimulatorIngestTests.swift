import Foundation
@testable import Ledger
import RunaClient
import RunaModels
import RunaSim
import ServiceLifecycle
import Logging
import Testing
import TestSupport

/// The simulator's Svix-style deliveries, faults and all, into the real ingest endpoint.
@Suite("Simulated Runa into the real ledger", .serialized)
struct SimulatorIngestTests {
    @Test("every delivered webhook lands once; duplicates change nothing; corrupted signatures are refused and retried")
    func endToEnd() async throws {
        let ledger = try await ServiceHarness.start()
        var configuration = SimConfiguration(apiKey: "k", webhookURL: ledger.baseURL + "/webhooks/runa",
                                             webhookSecret: ledger.secret.exposedValue)
        configuration.seed = 9
        configuration.completeAfterSeconds = 0.1
        configuration.failRate = 0.1
        configuration.dropRate = 0.1
        configuration.duplicateRate = 0.3
        configuration.corruptRate = 0.2
        configuration.reorder = true
        configuration.reorderWindowSeconds = 0.3
        configuration.timeScale = 3_600
        let sim = try await RunningSimulator(configuration)
        let simulator = sim.simulator
        let client = RunaAPIClient(baseURL: sim.baseURL, apiKey: "k")
        for index in 0..<60 {
            let order = NewOrder(currency: "USD", items: [
                .init(faceValue: Money(micros: Int64(index + 1) * 1_000_000, scale: 2),
                      distributionMethod: .payoutLink(templateId: nil), products: .single(value: "AMZ-US", usageConfig: nil)),
            ])
            _ = try await client.createOrder(order, idempotencyKey: "ingest-\(index)")
        }
        try await sim.settle()
        let stats = simulator.statistics
        #expect(stats.webhooksDelivered + stats.webhooksDropped == 60)
        #expect(stats.corruptedAttempts > 0 && stats.duplicatesSent > 0 && stats.webhooksGivenUp == 0)

        let truth = Dictionary(uniqueKeysWithValues: simulator.truth().map { ($0.id, $0) })
        let stored = try await ledger.service.database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, status, total_price_micros FROM orders")
        }
        #expect(stored.count == stats.webhooksDelivered)
        for row in stored {
            let order = try #require(truth[row["id"] as String])
            #expect(order.status.rawValue == row["status"] as String)
            if order.status == .completed { #expect(order.totalPrice?.micros == row["total_price_micros"] as Int64?) }
        }
        #expect(try await ledger.value("SELECT count(*) FROM webhook_deliveries", as: Int.self) == stats.webhooksDelivered)
        #expect(try ledger.service.database.check(migrations: ledger.service.migrations).isHealthy)

        try await sim.stop()
        try await ledger.stop()
    }
}

import GRDB
