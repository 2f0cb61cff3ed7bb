/// What a verified delivery's body turned out to be: decided once, by `DeliveryClassifier` (Webhooks), and
/// recorded as it is by the ledger's writer.
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
