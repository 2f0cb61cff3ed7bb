import Foundation
import RunaModels
@testable import RunaSim
import Testing
import TestSupport
import Webhooks

@Suite("Webhook delivery as Svix does it", .serialized)
struct SimWebhookTests {
    static let secret = "whsec_c2ltdWxhdG9yLXRlc3Qtc2VjcmV0LTMyLWJ5dGVzIQ=="

    func start(_ receiver: WebhookReceiver, _ configure: @escaping (inout SimConfiguration) -> Void = { _ in })
        async throws -> SimHarness
    {
        try await SimHarness.start {
            $0.webhookURL = receiver.url
            $0.webhookSecret = Self.secret
            $0.completeAfterSeconds = 0.05
            configure(&$0)
        }
    }

    func placeOrders(_ sim: SimHarness, _ count: Int) async throws -> [String] {
        var ids: [String] = []
        for _ in 0..<count { ids.append(try await sim.placeOrder(SeedRequests.openAPI).decode(AcceptedOrder.self).id) }
        return ids
    }

    @Test("each finished order is announced once, signed with svix-* headers over the bare order body")
    func signedDeliveries() async throws {
        let receiver = try await WebhookReceiver()
        let sim = try await start(receiver) { $0.failRate = 0.3; $0.seed = 3 }
        let ids = try await placeOrders(sim, 20)
        #expect(try await sim.eventually { receiver.deliveries.count == 20 })
        let verifier = SignatureVerifier(secrets: [try WebhookSecret(Self.secret)])
        var announced: [String] = []
        for delivery in receiver.deliveries {
            let headers = WebhookHeaders { delivery.headers[$0] }
            let now = Int64(Date().timeIntervalSince1970)
            #expect(throws: Never.self) { try verifier.verify(headers: headers, body: delivery.body, now: now).get() }
            #expect(delivery.id.hasPrefix("msg_"))
            let order = try RunaOrder.decode(from: delivery.body)
            #expect(order.items == nil, "webhook bodies carry no item details")
            if order.status == .failed { #expect(order.createdAt == nil && order.totalPrice == nil) }
            if order.status == .completed { #expect(order.totalPrice != nil && order.completedAt != nil) }
            announced.append(order.id)
        }
        #expect(Set(announced) == Set(ids))
        #expect(Set(receiver.deliveries.map(\.id)).count == 20)
        try await sim.stop()
        try await receiver.stop()
    }

    @Test("faults: dropped messages never arrive, duplicated ones arrive twice under the same id")
    func dropAndDuplicate() async throws {
        let receiver = try await WebhookReceiver()
        let sim = try await start(receiver) { $0.dropRate = 0.3; $0.duplicateRate = 0.5; $0.seed = 11 }
        _ = try await placeOrders(sim, 40)
        #expect(try await sim.eventually { sim.simulator.webhooksSettled })
        try await Task.sleep(for: .milliseconds(600))  // duplicates follow their original within 0.5 s
        let stats = sim.simulator.statistics
        #expect(stats.webhooksDropped > 0 && stats.duplicatesSent > 0)
        #expect(stats.webhooksDelivered + stats.webhooksDropped == 40)
        let byId = Dictionary(grouping: receiver.deliveries, by: \.id)
        #expect(byId.count == stats.webhooksDelivered)
        #expect(byId.values.filter { $0.count == 2 }.count == stats.duplicatesSent)
        try await sim.stop()
        try await receiver.stop()
    }

    @Test("non-2xx answers are retried on Svix's schedule (compressed by the time scale) until accepted or given up")
    func retries() async throws {
        let receiver = try await WebhookReceiver { _, earlier in earlier < 2 ? 503 : 200 }
        let sim = try await start(receiver) { $0.timeScale = 3_600 }
        _ = try await placeOrders(sim, 3)
        #expect(try await sim.eventually { sim.simulator.statistics.webhooksDelivered == 3 })
        #expect(receiver.deliveries.count == 9)
        try await sim.stop()
        try await receiver.stop()

        let refusing = try await WebhookReceiver { _, _ in 500 }
        let giving = try await start(refusing) { $0.timeScale = 100_000 }
        _ = try await placeOrders(giving, 1)
        #expect(try await giving.eventually(timeout: .seconds(15)) { giving.simulator.statistics.webhooksGivenUp == 1 })
        #expect(refusing.deliveries.count == 8, "immediately, then 7 retries: Svix's schedule")
        try await giving.stop()
        try await refusing.stop()
    }

    @Test("a corrupted signature is refused by a verifying receiver, and the retry gets through")
    func corruption() async throws {
        let verifier = SignatureVerifier(secrets: [try WebhookSecret(Self.secret)])
        let receiver = try await WebhookReceiver { delivery, _ in
            let headers = WebhookHeaders { delivery.headers[$0] }
            let result = verifier.verify(headers: headers, body: delivery.body, now: Int64(Date().timeIntervalSince1970))
            return (try? result.get()) != nil ? 200 : 401
        }
        let sim = try await start(receiver) { $0.corruptRate = 0.5; $0.timeScale = 3_600; $0.seed = 5 }
        _ = try await placeOrders(sim, 10)
        #expect(try await sim.eventually { sim.simulator.statistics.webhooksDelivered == 10 })
        #expect(sim.simulator.statistics.corruptedAttempts > 0)
        try await sim.stop()
        try await receiver.stop()
    }

    @Test("reorder delivers messages in another order than the orders finished")
    func reorder() async throws {
        let receiver = try await WebhookReceiver()
        let sim = try await start(receiver) { $0.reorder = true; $0.reorderWindowSeconds = 0.5; $0.completeAfterSeconds = 0 }
        let ids = try await placeOrders(sim, 30)
        #expect(try await sim.eventually { receiver.deliveries.count == 30 })
        let arrival = try receiver.deliveries.map { try RunaOrder.decode(from: $0.body).id }
        #expect(Set(arrival) == Set(ids))
        #expect(arrival != ids)
        try await sim.stop()
        try await receiver.stop()
    }

    @Test("the official svix library verifies the simulator's signatures",
          .enabled(if: ExternalTools.required || ExternalTools.pythonHas("svix"), "needs python3 with svix (pip install svix)"))
    func officialLibraryAgrees() async throws {
        let receiver = try await WebhookReceiver()
        let sim = try await start(receiver)
        _ = try await placeOrders(sim, 15)
        #expect(try await sim.eventually { receiver.deliveries.count == 15 })
        let document: [String: Any] = [
            "secret": Self.secret,
            "deliveries": receiver.deliveries.map { ["headers": $0.headers, "body_base64": $0.body.base64EncodedString()] },
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Repository.root.appendingPathComponent("scripts/verify_with_svix.py").path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: document))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("verified 15 of 15"))
        try await sim.stop()
        try await receiver.stop()
    }
}
