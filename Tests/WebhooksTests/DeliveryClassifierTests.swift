import Foundation
import Testing
@testable import Webhooks

@Suite("Classifying verified bodies")
struct DeliveryClassifierTests {
    @Test("an order.completion body is the bare order")
    func order() {
        guard case .order(let order) = DeliveryClassifier.classify(Data(#"{"id":"O-1","status":"FAILED"}"#.utf8)) else {
            Issue.record("not classified as an order")
            return
        }
        #expect(order.id == "O-1")
    }

    @Test("a product.update body is recognised by the required properties of ProductUpdateWebhook")
    func productUpdate() {
        let body = #"{"product_code":"AMZ-US","old_state":{"price_multiplier":"0.00","is_orderable":true},"new_state":{"price_multiplier":"0.05","is_orderable":false},"timestamp":"2026-11-30T10:00:00Z"}"#
        let content = DeliveryClassifier.classify(Data(body.utf8))
        guard case .productUpdate = content else {
            Issue.record("not recognised: \(content)")
            return
        }
        #expect(content.eventType == "product.update")
        // Without one of them it is some other JSON.
        let partial = DeliveryClassifier.classify(Data(#"{"product_code":"AMZ-US","timestamp":"2026-11-30T10:00:00Z"}"#.utf8))
        #expect(partial.eventType == "unrecognised")
    }

    @Test("a body nested deeper than 64 levels is quarantined before any parser sees it; 64 is not")
    func nesting() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        guard case .quarantined(let problem) = DeliveryClassifier.classify(Data(deep.utf8)) else {
            Issue.record("not quarantined")
            return
        }
        #expect(problem.problem.contains("nested deeper than 64"))
        let inString = #"{"id":"O-1","status":"FAILED","x":""# + String(repeating: "[", count: 500) + #""}"#
        guard case .order = DeliveryClassifier.classify(Data(inString.utf8)) else {
            Issue.record("brackets inside a string were counted")
            return
        }
        let sixtyFour = #"{"id":"O-1","status":"FAILED","x":"# + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}"
        guard case .order = DeliveryClassifier.classify(Data(sixtyFour.utf8)) else {
            Issue.record("64 levels refused")
            return
        }
    }

    @Test("other JSON (unknown events) is ignored", arguments: [
        #"{"type":"product.update","data":{"code":"AMZ-US"}}"#, #"{"id":"P-1","status":"LIVE"}"#, "[1,2]", "\"x\"",
        #"{"id":"O-1"}"#,
    ])
    func ignored(body: String) {
        guard case .ignored = DeliveryClassifier.classify(Data(body.utf8)) else {
            Issue.record("not ignored")
            return
        }
    }

    @Test("an order that cannot be decoded, or a body that is not JSON, is quarantined with a path", arguments: [
        (#"{"id":"O-1","status":"DONE"}"#, "status"),
        (#"{"id":"O-1","status":"COMPLETED"}"#, "created_at"),
        (#"{"id":"O-1","status":"FAILED","total_price":"1e3"}"#, "total_price"),
        ("not json", ""),
    ])
    func quarantined(body: String, path: String) {
        guard case .quarantined(let problem) = DeliveryClassifier.classify(Data(body.utf8)) else {
            Issue.record("not quarantined")
            return
        }
        #expect(problem.path == path)
    }
}
