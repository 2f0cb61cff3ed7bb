import Foundation
import RunaModels

/// What a verified delivery's body turned out to be.
public enum DeliveryContent: Sendable {
    /// An `order.completion` body: the bare order object.
    case order(RunaOrder)
    /// Valid JSON that is not an order (`product.update` and event types we do not track): recorded, answered 200.
    case ignored
    /// Looks like an order, or is not JSON at all, and cannot be understood: kept raw, answered 2xx, counted.
    case quarantined(PayloadError)

    /// The event type recorded with the delivery. Svix sends no event-type header, so it is inferred from the body.
    public var eventType: String {
        switch self {
        case .order, .quarantined: return "order.completion"
        case .ignored: return "unrecognised"
        }
    }
}

/// Classifies a verified body. Runa's `order.completion` body is the order itself: an object whose `id` starts
/// with `O-` and that has a `status`.
public enum DeliveryClassifier {
    public static func classify(_ body: Data) -> DeliveryContent {
        do {
            let order = try RunaOrder.decode(from: body)
            if order.id.hasPrefix("O-") { return .order(order) }
            return .ignored
        } catch {
            // Decoding failed: tell a broken order apart from some other event's JSON.
            guard let object = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
                return .quarantined(PayloadError(path: "", problem: "not valid JSON"))
            }
            if let fields = object as? [String: Any], let id = fields["id"] as? String, id.hasPrefix("O-"),
               fields["status"] != nil {
                return .quarantined(error)
            }
            return .ignored
        }
    }
}
