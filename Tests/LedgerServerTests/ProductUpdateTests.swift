import Foundation
import RunaSim
import Testing
import TestSupport

/// `product.update` deliveries (`webhook-product.update.mdx`) are recognised, recorded as ignored and counted.
@Suite("product.update deliveries", .serialized)
struct ProductUpdateTests {
    @Test("a product.update delivery is recognised by its documented shape, recorded as ignored with its event type, counted")
    func productUpdate() async throws {
        let token = "test-token-0123456789abcdef"
        let service = try await ServiceHarness.start(apiTokens: [token])
        var configuration = SimConfiguration(apiKey: "k", webhookURL: service.baseURL + "/webhooks/runa",
                                             webhookSecret: service.secret.exposedValue)
        configuration.ordersPerMinute = nil
        let sim = try await RunningSimulator(configuration)
        let id = try #require(sim.simulator.sendProductUpdate(productCode: "AMZ-US"))
        try await sim.settle(timeout: .seconds(10))
        #expect(try await service.value("SELECT outcome FROM webhook_deliveries WHERE msg_id = '\(id)'", as: String.self) == "ignored")
        #expect(try await service.value("SELECT event_type FROM webhook_deliveries WHERE msg_id = '\(id)'", as: String.self) == "product.update")
        let other = service.signed(Data(#"{"kind":"something.else"}"#.utf8))
        #expect(try await service.post(other).0 == 200)
        let (status, body) = try await service.send(path: "/v1/deliveries?outcome=ignored", method: .GET,
                                                    headers: [("Authorization", "Bearer \(token)")], body: nil)
        #expect(status == 200)
        let view = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(view["ignored_by_event_type"] as? [String: Int] == ["product.update": 1, "unrecognised": 1], "\(body)")
        try await sim.stop()
        try await service.stop()
    }
}
