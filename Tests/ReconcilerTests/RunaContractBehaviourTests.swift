import Foundation
import Ledger
import Logging
@testable import Reconciler
import RunaClient
import RunaModels
import RunaSim
import Testing
import TestSupport

/// The reconciler behaves as Runa's documents say: a refused API version stops it
/// (`best-practices-api-versioning.mdx`), and both shapes a FAILED order may have converge (`openapi.json`).
@Suite("The reconciler follows Runa's documented behaviour", .serialized)
struct RunaContractBehaviourTests {
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
}
