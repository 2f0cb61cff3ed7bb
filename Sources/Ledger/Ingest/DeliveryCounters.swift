import Synchronization

/// Deliveries that leave no row behind — duplicates and rejected signatures — counted since the process started,
/// for `GET /v1/deliveries` (the same counts, never reset, are on `/metrics`).
public final class DeliveryCounters: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    public init() {}

    public func increment(_ outcome: String) { counts.withLock { $0[outcome, default: 0] += 1 } }

    public var snapshot: [String: Int] { counts.withLock { $0 } }
}
