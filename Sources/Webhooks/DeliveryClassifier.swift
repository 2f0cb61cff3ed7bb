import Foundation
import RunaModels

/// What a verified delivery's body turned out to be.
public enum DeliveryContent: Sendable {
    /// An `order.completion` body: the bare order object.
    case order(RunaOrder)
    /// A `product.update` body (`ProductUpdateWebhook`: `product_code`, `old_state`, `new_state`, `timestamp`), from
    /// an endpoint subscribed to that event type: recorded as ignored with its event type, answered 200.
    case productUpdate
    /// Valid JSON that is neither (an event type Runa added later): recorded as ignored, answered 200.
    case ignored
    /// Looks like an order, or is not JSON at all, and cannot be understood: kept raw, answered 2xx, counted.
    case quarantined(PayloadError)

    /// The event type recorded with the delivery. Svix sends no event-type header, so it is inferred from the body.
    public var eventType: String {
        switch self {
        case .order, .quarantined: return "order.completion"
        case .productUpdate: return "product.update"
        case .ignored: return "unrecognised"
        }
    }
}

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
