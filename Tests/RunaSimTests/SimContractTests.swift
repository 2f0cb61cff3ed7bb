import Foundation
import RunaModels
@testable import RunaSim
import Testing
import TestSupport

@Suite("The simulator honours Runa's documented contract", .serialized)
struct SimContractTests {
    @Test("the OpenAPI example is accepted in async mode: 202 {id, status: PROCESSING}, then the full order")
    func openAPIExample() async throws {
        let sim = try await SimHarness.start { $0.completeAfterSeconds = 2 }  // the first GET must still see PROCESSING under load
        let accepted = try await sim.placeOrder(SeedRequests.openAPI)
        #expect(accepted.status == 202)
        let order = try accepted.decode(AcceptedOrder.self)
        #expect(order.status == .processing && order.id.hasPrefix("O-") && order.id.count == 28)
        #expect(accepted.text == #"{"id":"\#(order.id)","status":"PROCESSING"}"#)

        let partial = try await sim.get("/order/\(order.id)").decode(RunaOrder.self)
        #expect(partial.status == .processing && partial.items == nil)
        #expect(try await sim.eventually { try await sim.get("/order/\(order.id)").decode(RunaOrder.self).status == .completed })
        let full = try await sim.get("/order/\(order.id)").decode(RunaOrder.self)
        #expect(full.description == .value("Your own reference text"))
        #expect(full.metadata == .value(["internal_id": "12345", "department": "marketing", "campaign": "summer_2024"]))
        #expect(full.totalPrice == (try Money(parsing: "10.00")))
        let item = try #require(full.items?.first)
        #expect(item.id.hasPrefix("E-"))
        #expect(item.distributionMethod == .email(emailAddress: "fred@example.com", templateId: "DT-01HPSF51G0ZWHJ3JTNWRH0WDYK"))
        #expect(item.payout?.status == .active)
        #expect(full.transactionDetail?["USD"]?.value == (try Money(parsing: "10.00")))
        try await sim.stop()
    }

    @Test("the sync guide's request answers 200 with the full completed order")
    func syncGuide() async throws {
        let sim = try await SimHarness.start()
        let answer = try await sim.placeOrder(SeedRequests.syncGuide, mode: "sync")
        #expect(answer.status == 200)
        let order = try answer.decode(RunaOrder.self)
        #expect(order.status == .completed && order.items?.count == 1 && order.currency == "GBP")
        #expect(order.items?.first?.payout?.status == .active)
        try await sim.stop()
    }

    @Test("where a seed example contradicts the schema, the schema wins", arguments: [
        (SeedRequests.syncGuideAsScraped, "sync", ["items", "0", "distribution_method", "email_address"]),
        (SeedRequests.asyncGuide, "sync", ["items"]),  // the async guide's final request says sync with two items
    ])
    func contradictions(body: String, mode: String, location: [String]) async throws {
        let sim = try await SimHarness.start()
        let answer = try await sim.placeOrder(body, mode: mode)
        #expect(answer.status == 422)
        #expect(try answer.decode(RunaErrorBody.self).details?.map(\.location) == [location])
        #expect(sim.simulator.statistics.ordersCreated == 0)
        try await sim.stop()
    }

    @Test("the async guide's template order resolves its products and totals exactly")
    func templateOrder() async throws {
        let sim = try await SimHarness.start { $0.completeAfterSeconds = 0 }
        let id = try await sim.placeOrder(SeedRequests.asyncGuide, mode: "async").decode(AcceptedOrder.self).id
        #expect(try await sim.eventually { try await sim.get("/order/\(id)").decode(RunaOrder.self).status == .completed })
        let order = try await sim.get("/order/\(id)").decode(RunaOrder.self)
        #expect(order.items?.count == 2)
        #expect(order.items?.allSatisfy { $0.products.productCodes.count >= 2 } == true)
        let prices = try #require(order.items?.map(\.price.micros).reduce(0, +))
        let discount = try #require(order.totalDiscount?.micros)
        #expect(order.totalPrice?.micros == prices)
        #expect(prices + discount == 30_000_000)
        try await sim.stop()
    }

    @Test("every answer decodes with the project's models: lists, details, errors and 429s")
    func everythingDecodes() async throws {
        let sim = try await SimHarness.start { $0.completeAfterSeconds = 0.05; $0.failRate = 0.3; $0.seed = 7 }
        for index in 0..<30 {
            _ = try await sim.placeOrder(index % 3 == 0 ? SeedRequests.openAPI : SeedRequests.asyncGuide).decode(AcceptedOrder.self)
        }
        _ = try await sim.eventually { sim.simulator.truth().allSatisfy { $0.status != .processing } }
        let page = try await sim.get("/order?limit=500").decode(OrderListPage.self)
        #expect(page.items.count == 30)
        #expect(page.items.contains { $0.status == .failed } && page.items.contains { $0.status == .completed })
        for summary in page.items {
            let detail = try await sim.get("/order/\(summary.id)").decode(RunaOrder.self)
            #expect(detail.id == summary.id && detail.items != nil, "a finished order's detail has items (a failed one: none)")
        }
        #expect(try await sim.get("/order/O-NOPE").decode(RunaErrorBody.self).type == "not_found")
        #expect(try await sim.get("/order", apiKey: "wrong").decode(RunaErrorBody.self).type == "invalid_api_key")
        #expect(try await sim.get("/order", apiKey: nil).decode(RunaErrorBody.self).type == "unauthorized")
        try await sim.stop()

        let limited = try await SimHarness.start { $0.rateLimit = 2; $0.retryAfterSeconds = 1 }
        var sawLimit = false
        for _ in 0..<10 {
            let answer = try await limited.get("/order")
            if answer.status == 429 {
                sawLimit = true
                #expect(try answer.decode(RateExceededBody.self).error == "rate exceeded")
                #expect(answer.headers.first(name: "Retry-After") == "1")
            }
        }
        #expect(sawLimit)
        try await limited.stop()
    }
}

@Suite("Produced bodies have the fields of Runa's own examples")
struct SimShapeTests {
    /// The keys of the sync guide's example response (shared/seeds), at order, item and payout level, less
    /// `redemption_url`: the example shows it, but `CompletedOrderItem` in Runa's OpenAPI does not define it.
    static let seedOrderKeys: Set<String> = ["id", "status", "created_at", "completed_at", "description", "payment_method",
                                             "currency", "total_discount", "total_price", "items"]
    static let seedItemKeys: Set<String> = ["id", "distribution_method", "products", "face_value", "price",
                                            "payout"]
    static let seedPayoutKeys: Set<String> = ["status", "status_updated_at", "url", "expiry_date"]

    @Test("a sync order carries every field the seed example shows, and money as decimal strings")
    func syncShape() async throws {
        let sim = try await SimHarness.start()
        let answer = try await sim.placeOrder(SeedRequests.syncGuide, mode: "sync")
        let object = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
        #expect(Self.seedOrderKeys.isSubset(of: Set(object.keys)))
        let item = try #require((object["items"] as? [[String: Any]])?.first)
        #expect(Self.seedItemKeys.isSubset(of: Set(item.keys)))
        let payout = try #require(item["payout"] as? [String: Any])
        #expect(Self.seedPayoutKeys.isSubset(of: Set(payout.keys)))
        for key in ["total_price", "total_discount"] { #expect(object[key] is String) }
        for key in ["face_value", "price"] { #expect(item[key] is String) }
        try await sim.stop()
    }

    @Test("slow answers are counted and still correct")
    func slowAnswers() async throws {
        let sim = try await SimHarness.start { $0.slowRate = 1; $0.slowSeconds = 0.05 }
        #expect(try await sim.get("/order").decode(OrderListPage.self).items.isEmpty)
        #expect(sim.simulator.statistics.slowed == 1)
        try await sim.stop()
    }
}
