import Foundation
import RunaModels

/// Classifies a verified body. Runa's `order.completion` body is the order itself: an object whose `id` starts
/// with `O-` and that has a `status`.
public enum DeliveryClassifier {
    /// Whether `object` has the required properties of `ProductUpdateWebhook`, with their documented types.
    static func isProductUpdate(_ object: Any) -> Bool {
        guard let fields = object as? [String: Any] else { return false }
        return fields["product_code"] is String && fields["old_state"] is [String: Any]
            && fields["new_state"] is [String: Any] && fields["timestamp"] is String
    }

    public static func classify(_ body: Data) -> DeliveryContent {
        do {
            let order = try RunaOrder.decode(from: body)
            if order.id.hasPrefix("O-") { return .order(order) }
            return .ignored
        } catch {
            // Decoding failed. A body the screen refused (a NUL, nesting past the limit) is no Runa payload of any
            // event type, and no other parser should see it.
            if let refused = RunaJSON.screen(body) { return .quarantined(refused) }
            // Otherwise tell a broken order apart from some other event's JSON.
            guard let object = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
                return .quarantined(PayloadError(path: "", problem: "not valid JSON"))
            }
            if let fields = object as? [String: Any], let id = fields["id"] as? String, id.hasPrefix("O-"),
               fields["status"] != nil {
                return .quarantined(error)
            }
            return isProductUpdate(object) ? .productUpdate : .ignored
        }
    }
}
