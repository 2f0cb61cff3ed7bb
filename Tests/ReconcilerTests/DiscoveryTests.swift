import Foundation
import Ledger
import Logging
@testable import Reconciler
import RunaClient
import RunaModels
import RunaSim
import Testing
import TestSupport

/// Discovery, backfill and the completeness watermark against a `GET /order` that starts from either end: Runa
/// does not document which (`reference-pagination.mdx`). No webhook is sent at all, so only the list can tell the
/// ledger about an order.
@Suite("Discovery works whichever end Runa's list starts from", .serialized)
struct DiscoveryTests {
    func start(_ order: SimConfiguration.ListOrder) async throws -> (RunningSimulator, TemporaryFolder, LedgerDatabase) {
        var configuration = SimConfiguration(apiKey: "k")
        configuration.completeAfterSeconds = 0
        configuration.listOrder = order
        configuration.ordersPerMinute = nil
        let sim = try await RunningSimulator(configuration)
        let folder = try TemporaryFolder()
        let database = try LedgerDatabase(path: folder.path("ledger.sqlite"))
        try database.migrate(try Migration.load(from: Repository.migrations))
        return (sim, folder, database)
    }

    func reconciler(_ database: LedgerDatabase, _ sim: RunningSimulator, pages: Int, pageSize: Int = 50) -> Reconciler {
        var settings = ReconcilerConfiguration()
        settings.maxDiscoveryPages = pages
        settings.pageSize = pageSize
        settings.maxConcurrency = 8
        settings.payoutRefreshSeconds = [86_400]
        return Reconciler(database: database, gateway: testGateway(sim.baseURL), configuration: settings,
                          logger: Logger(label: "discovery"))
    }

    /// Creation times of the simulator's orders, by id.
    func created(_ sim: RunningSimulator) -> [String: Timestamp] {
        Dictionary(uniqueKeysWithValues: sim.simulator.truth().compactMap { order in order.createdAt.map { (order.id, $0) } })
    }

    @Test("orders placed after a finished pass, their webhooks lost, are found by the next pass; the watermark then covers them",
          arguments: SimConfiguration.ListOrder.allCases)
    func ordersAfterAFinishedPass(order: SimConfiguration.ListOrder) async throws {
        let (sim, folder, database) = try await start(order)
        _ = folder
        try await placeOrders(260, through: testGateway(sim.baseURL), prefix: "before")
        // Two pages of fifty a walk: the history (six pages) takes several passes to read, whichever its order.
        let reconciler = reconciler(database, sim, pages: 2)
        var passes = 0
        while try await differences(ledger: database, truth: sim.simulator.truth()).isEmpty == false, passes < 12 {
            _ = await reconciler.pass()
            passes += 1
        }
        #expect(try await differences(ledger: database, truth: sim.simulator.truth()).isEmpty, "\(order): all 260 found")
        // A pass that reads nothing new still finishes, and covers the whole history up to its start.
        _ = await reconciler.pass()
        let settled = try await database.completeness()
        #expect(settled.openGaps == 0 && settled.listedOrders == 260)
        #expect(settled.coverage?.from == nil, "the history was read back to its start")
        let direction = try await database.listingState().direction
        #expect(direction == (order == .newestFirst ? .newestFirst : .oldestFirst))

        // Ten more orders, no webhooks: before a pass the watermark does not claim them, after one pass it does.
        let markBefore = try #require(settled.watermark)
        try await placeOrders(10, through: testGateway(sim.baseURL), prefix: "after")
        let times = created(sim)
        let newest = try #require(times.values.max())
        #expect(markBefore <= newest, "the watermark before the pass is not past the new orders")
        _ = await reconciler.pass()
        let problems = try await differences(ledger: database, truth: sim.simulator.truth())
        #expect(problems.isEmpty, "\(order): \(problems.prefix(5))")
        let after = try await database.completeness()
        #expect(after.listedOrders == 270 && after.openGaps == 0)
        #expect(after.watermark.map { $0 > newest } == true, "\(order): the watermark passes the new orders")
        try database.close()
        try await sim.stop()
    }

    @Test("the watermark advances only over what a pass read", arguments: SimConfiguration.ListOrder.allCases)
    func watermarkOnlyOverWhatWasRead(order: SimConfiguration.ListOrder) async throws {
        let (sim, folder, database) = try await start(order)
        _ = folder
        try await placeOrders(160, through: testGateway(sim.baseURL), prefix: "partial")
        let ids = sim.simulator.truth().map(\.id)  // oldest first
        let times = created(sim)
        // One page of fifty, one walk: only fifty orders are read.
        var settings = ReconcilerConfiguration()
        settings.maxDiscoveryPages = 1
        settings.pageSize = 50
        settings.fullWalkIntervalSeconds = 86_400 * 365
        let reconciler = Reconciler(database: database, gateway: testGateway(sim.baseURL), configuration: settings,
                                    logger: Logger(label: "partial"))
        _ = try await reconciler.discover(maxPages: 1)
        let report = try await database.completeness()
        let coverage = try #require(report.coverage)
        switch order {
        case .newestFirst:
            // The newest fifty: covered from the oldest of them to the walk's start.
            #expect(coverage.from == times[ids[110]])
        case .oldestFirst:
            // The oldest fifty: covered from the beginning up to (not including) the fiftieth.
            #expect(coverage.from == nil)
            #expect(coverage.through == times[ids[49]])
            #expect(report.watermark.map { $0 <= times[ids[50]]! } == true, "nothing unread is claimed")
        }
        try database.close()
        try await sim.stop()
    }

    @Test("a backfill reads the whole history and covers it from its beginning", arguments: SimConfiguration.ListOrder.allCases)
    func backfill(order: SimConfiguration.ListOrder) async throws {
        let (sim, folder, database) = try await start(order)
        _ = folder
        try await placeOrders(130, through: testGateway(sim.baseURL), prefix: "history")
        let started = LedgerClock.now()
        let progress = try await reconciler(database, sim, pages: 2).backfill { _ in }
        #expect(progress.listed == 130)
        #expect(try await differences(ledger: database, truth: sim.simulator.truth()).isEmpty)
        let report = try await database.completeness()
        #expect(report.coverage?.from == nil && report.openGaps == 0 && report.listedOrders == 130)
        #expect(report.watermark.map { $0 >= started } == true)
        let state = try await database.listingState()
        #expect(state.direction == (order == .newestFirst ? .newestFirst : .oldestFirst))
        if order == .oldestFirst { #expect(state.tailCursor != nil, "the next pass resumes from the newest end") }
        try database.close()
        try await sim.stop()
    }

    @Test("a processing order, listed without created_at, holds the watermark back until the ledger has it")
    func processingListedWithoutCreatedAt() async throws {
        var configuration = SimConfiguration(apiKey: "k")
        configuration.completeAfterSeconds = 3_600  // stays PROCESSING
        configuration.ordersPerMinute = nil
        let sim = try await RunningSimulator(configuration)
        let folder = try TemporaryFolder()
        let database = try LedgerDatabase(path: folder.path("ledger.sqlite"))
        try database.migrate(try Migration.load(from: Repository.migrations))
        try await placeOrders(3, through: testGateway(sim.baseURL), prefix: "slow")
        let listed = try await testGateway(sim.baseURL).listOrders()
        #expect(listed.items.allSatisfy { $0.status == .processing && $0.createdAt == nil })
        try await database.recordListing(listed.items, listedAt: LedgerClock.now(), createdAtFloor: nil)
        try await database.setListingCoverage(ListingCoverage(from: nil, through: LedgerClock.now()))
        let open = try await database.completeness()
        #expect(open.openGaps == 3)
        #expect(open.watermark == LedgerDatabase.beginningOfTime, "no creation time is known: nothing is claimed")
        _ = await reconciler(database, sim, pages: 1).pass()
        let known = try await database.completeness()
        #expect(known.openGaps == 0, "known PROCESSING, as Runa lists it")
        try database.close()
        try await sim.stop()
    }
}
