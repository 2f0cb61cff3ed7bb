import Foundation
import RunaModels

/// One order's whole life, decided when it is placed: when it finishes, how, and what happens to each payout.
/// Its state at any moment is computed from this plan, so the simulator's truth is a pure function of time.
struct SimulatedOrder: Sendable {
    struct PlannedItem: Sendable {
        var id: String
        var faceValue: Money
        var price: Money
        var currency: String
        var distribution: DistributionMethod
        var products: ProductSelection
        var redemptionURL: String?
        var payoutURL: String
        /// A claim or cancellation, and when (simulated time); `nil` when the link stays untouched.
        var change: (status: PayoutStatus, at: Timestamp)?
    }

    var id: String
    var request: NewOrderRequest
    var executionMode: String
    var createdAt: Timestamp
    var completesAt: Timestamp
    var outcome: OrderStatus
    var items: [PlannedItem]
    /// Real seconds from completion to link expiry (already divided by the time scale).
    var expiresAfterSeconds: Double?
    /// The fingerprint of the request body, for idempotency checks.
    var fingerprint: String

    var currency: String { request.paymentCurrency }

    func status(at now: Timestamp) -> OrderStatus { now < completesAt ? .processing : outcome }

    /// The payout of `item` as it stands at `now`.
    func payout(_ item: PlannedItem, at now: Timestamp) -> Payout {
        let expiry = expiresAfterSeconds.map { completesAt.advanced(bySeconds: $0) }
        var status = PayoutStatus.active
        var updated = completesAt
        if let change = item.change, now >= change.at, expiry.map({ change.at < $0 }) ?? true {
            status = change.status
            updated = change.at
        } else if let expiry, now >= expiry {
            status = .expired
            updated = expiry
        }
        return Payout(status: status, statusUpdatedAt: updated, url: item.payoutURL, expiryDate: expiry)
    }

    /// The order's totals in its payment currency and the per-currency subtotals.
    var totals: (price: Money, discount: Money, detail: [String: TransactionDetailEntry]) {
        var price = Money(micros: 0, scale: 2)
        var discount = Money(micros: 0, scale: 2)
        var subtotals: [String: Int64] = [:]
        for item in items {
            subtotals[item.currency, default: 0] += item.price.micros
            let itemDiscount = Money(micros: item.faceValue.micros - item.price.micros, scale: 2)
            if let rate = Catalog.rate(from: item.currency, to: currency) {
                price = Money(micros: price.micros + Catalog.convert(item.price, rateMicros: rate.micros).micros, scale: 2)
                discount = Money(micros: discount.micros + Catalog.convert(itemDiscount, rateMicros: rate.micros).micros, scale: 2)
            } else {
                price = Money(micros: price.micros + item.price.micros, scale: 2)
                discount = Money(micros: discount.micros + itemDiscount.micros, scale: 2)
            }
        }
        var detail: [String: TransactionDetailEntry] = [:]
        for (itemCurrency, micros) in subtotals {
            let fx = Catalog.rate(from: itemCurrency, to: currency).map {
                FXDetails(rate: $0.text, rateSymbol: itemCurrency + currency,
                          fee: .init(value: Money(micros: 0, scale: 2), currency: currency))
            }
            detail[itemCurrency] = TransactionDetailEntry(value: Money(micros: micros, scale: 2), fx: fx)
        }
        return (price, discount, detail)
    }

    /// What `GET /order/{id}` answers at `now`: a partial body while processing, the full order after.
    func detail(at now: Timestamp) -> RunaOrder {
        var order = summary(at: now)
        guard order.status != .processing else { return order }
        order.items = items.map { item in
            OrderItem(id: item.id, distributionMethod: item.distribution, products: item.products,
                      faceValue: item.faceValue, price: item.price, currency: item.currency,
                      redemptionURL: item.redemptionURL, payout: outcome == .completed ? payout(item, at: now) : nil)
        }
        let totals = self.totals
        order.transactionDetail = outcome == .completed ? totals.detail : nil
        return order
    }

    /// The order-level fields only: a `GET /order` list entry.
    func summary(at now: Timestamp) -> RunaOrder {
        let status = status(at: now)
        var order = RunaOrder(
            id: id, status: status, createdAt: createdAt, description: Reported(request.description),
            paymentMethod: .object(["type": .string("ACCOUNT_BALANCE"), "currency": .string(currency)]),
            currency: currency, metadata: Reported(request.metadata), executionMode: executionMode)
        if status != .processing {
            let totals = self.totals
            order.completedAt = completesAt
            order.totalPrice = totals.price
            order.totalDiscount = totals.discount
        }
        return order
    }

    /// The body of the `order.completion` webhook: the order without item details; a failed order is bare.
    var webhookBody: RunaOrder {
        outcome == .failed ? RunaOrder(id: id, status: .failed) : summary(at: completesAt)
    }
}
