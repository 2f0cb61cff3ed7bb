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

    @Test("other JSON (product.update and unknown events) is ignored", arguments: [
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
