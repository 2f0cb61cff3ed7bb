import Foundation
import RunaModels
@testable import RunaSim
import Testing
import TestSupport

@Suite("Simulated order life, idempotency, listing and faults", .serialized)
struct SimBehaviourTests {
    @Test("the same idempotency key replays the original answer, never a second order; another body is idempotency_validation_error")
    func idempotency() async throws {
        let sim = try await SimHarness.start()
        let first = try await sim.placeOrder(SeedRequests.openAPI, key: "key-1").decode(AcceptedOrder.self)
        let again = try await sim.placeOrder(SeedRequests.openAPI, key: "key-1").decode(AcceptedOrder.self)
        #expect(first.id == again.id)
        let conflict = try await sim.placeOrder(SeedRequests.asyncGuide, key: "key-1")
        #expect(conflict.status == 400)
        #expect(try conflict.decode(RunaErrorBody.self).type == "idempotency_validation_error")
        #expect(sim.simulator.statistics.ordersCreated == 1)
        #expect(sim.simulator.statistics.idempotentReplays == 1)
        try await sim.stop()
    }

    @Test("GET /order lists from either end; limit is 1…500; cursors stay stable while new orders arrive",
          arguments: SimConfiguration.ListOrder.allCases)
    func listing(order: SimConfiguration.ListOrder) async throws {
        let sim = try await SimHarness.start { $0.listOrder = order }
        var ids: [String] = []
        for _ in 0..<12 { ids.append(try await sim.placeOrder(SeedRequests.openAPI).decode(AcceptedOrder.self).id) }
        #expect(ids == ids.sorted())

        let listed = order == .newestFirst ? Array(ids.reversed()) : ids
        let first = try await sim.get("/order?limit=5").decode(OrderListPage.self)
        #expect(first.items.map(\.id) == Array(listed.prefix(5)))
        for _ in 0..<3 { _ = try await sim.placeOrder(SeedRequests.openAPI) }
        var seen = first.items.map(\.id)
        var cursor = first.pagination.cursors.after
        while let after = cursor {
            let page = try await sim.get("/order?limit=5&after=\(after)").decode(OrderListPage.self)
            if page.items.isEmpty { break }
            seen += page.items.map(\.id)
            cursor = page.pagination.cursors.after
        }
        if order == .newestFirst {
            #expect(seen == listed, "no gaps, no repeats, no new orders slipping into older pages")
            let newer = try await sim.get("/order?limit=500&before=\(ids.last ?? "")").decode(OrderListPage.self)
            #expect(newer.items.count == 3)
        } else {
            #expect(seen.count == 15 && Array(seen.prefix(12)) == listed, "the new orders come at the end")
            let previous = try await sim.get("/order?limit=2&before=\(ids[5])").decode(OrderListPage.self)
            #expect(previous.items.map(\.id) == [ids[3], ids[4]])
        }
        for bad in ["0", "501", "x"] {
            let answer = try await sim.get("/order?limit=\(bad)")
            #expect(answer.status == 400)
            #expect(try answer.decode(RunaErrorBody.self).type == "pagination_error")
        }
        #expect(try await sim.get("/order?after=a&before=b").status == 400)
        #expect(try await sim.get("/order?after=O-NOSUCHORDER").decode(RunaErrorBody.self).type == "pagination_error")
        try await sim.stop()
    }

    @Test("async orders complete or fail after the delay; a failed order lists no items, so no payouts")
    func life() async throws {
        // 2 s: long enough that the first GET sees PROCESSING on a loaded CI machine (0.3 s once was not).
        let sim = try await SimHarness.start { $0.completeAfterSeconds = 2; $0.failRate = 1 }
        let id = try await sim.placeOrder(SeedRequests.openAPI).decode(AcceptedOrder.self).id
        #expect(try await sim.get("/order/\(id)").decode(RunaOrder.self).status == .processing)
        #expect(try await sim.eventually { try await sim.get("/order/\(id)").decode(RunaOrder.self).status == .failed })
        let failed = try await sim.get("/order/\(id)").decode(RunaOrder.self)
        #expect(failed.items == [])
        try await sim.stop()
    }

    @Test("payout links move from ACTIVE to CLAIMED, CANCELLED or EXPIRED over simulated time")
    func payoutLife() async throws {
        let sim = try await SimHarness.start {
            $0.completeAfterSeconds = 0
            $0.timeScale = 86_400  // a simulated day passes in a real second
            $0.claimRate = 0.4
            $0.cancelRate = 0.2
            $0.payoutChangeWithinSeconds = 3_600
            $0.linkExpirySeconds = 2 * 3_600
        }
        let id = try await sim.placeOrder(SeedRequests.asyncGuide.replacingOccurrences(of: "\"items\": [", with: "\"items\": [" + String(repeating: #"{"face_value": 5, "distribution_method": {"type": "PAYOUT_LINK"}, "products": {"type": "SINGLE", "value": "AMZ-US"}},"#, count: 20))).decode(AcceptedOrder.self).id
        try await Task.sleep(for: .milliseconds(500))  // half a simulated day: every change has happened
        let order = try await sim.get("/order/\(id)").decode(RunaOrder.self)
        let statuses = Set(order.items?.compactMap(\.payout?.status) ?? [])
        #expect(statuses.isSubset(of: [.claimed, .cancelled, .expired]))
        #expect(statuses.count >= 2)
        for payout in order.items?.compactMap(\.payout) ?? [] {
            #expect(payout.statusUpdatedAt > (order.completedAt ?? payout.statusUpdatedAt) || payout.status == .active)
        }
        try await sim.stop()
    }

    @Test("the same seed and the same requests replay exactly")
    func replay() async throws {
        func run() async throws -> [String] {
            let sim = try await SimHarness.start { $0.seed = 42; $0.failRate = 0.5; $0.completeAfterSeconds = 0 }
            var outcomes: [String] = []
            for _ in 0..<10 {
                let id = try await sim.placeOrder(SeedRequests.openAPI).decode(AcceptedOrder.self).id
                try await Task.sleep(for: .milliseconds(2))
                let order = try await sim.get("/order/\(id)").decode(RunaOrder.self)
                outcomes.append("\(order.status.rawValue) \(order.items?.map(\.payout?.url) ?? [])")
            }
            try await sim.stop()
            return outcomes
        }
        let first = try await run()
        #expect(try await run() == first)
        #expect(Set(first.map { $0.prefix(6) }).count == 2, "both outcomes drawn")
    }

    @Test("API faults: internal_server_error 500 or timeout 504 in Runa's error shape, and bodies cut short")
    func apiFaults() async throws {
        let failing = try await SimHarness.start { $0.errorRate = 1 }
        let answer = try await failing.get("/order")
        #expect([500, 504].contains(answer.status))
        #expect(["internal_server_error", "timeout"].contains(try answer.decode(RunaErrorBody.self).type))
        #expect(try answer.decode(RunaErrorBody.self).message.isEmpty == false)
        try await failing.stop()

        let truncating = try await SimHarness.start { $0.truncateRate = 1 }
        _ = try await truncating.placeOrder(SeedRequests.openAPI)
        let cut = try await truncating.get("/order")
        #expect(cut.status == 200)
        #expect(throws: PayloadError.self) { try cut.decode(OrderListPage.self) }
        #expect(truncating.simulator.statistics.truncated >= 2)
        try await truncating.stop()
    }
}
