/// Counts and exact totals, in integer micro-units, of the orders and items of one currency and status (and day):
/// what `GET /v1/summary`, its `as_of` form and a close package's totals add up.
public struct StatusTotals: Sendable, Equatable {
    public var orders = 0
    public var items = 0
    public var price: Int64 = 0
    public var discount: Int64 = 0
    public var face: Int64 = 0

    public init() {}
}
