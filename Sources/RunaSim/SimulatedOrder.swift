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
        var payoutURL: String
        /// A claim or cancellation, and when (simulated time); `nil` when the link stays untouched.
        var change: (status: PayoutStatus, at: Timestamp)?
    }

    var id: String
    var request: NewOrderRequest
    var createdAt: Timestamp
    var completesAt: Timestamp
    var outcome: OrderStatus
    var items: [PlannedItem]
    /// Real seconds from completion to link expiry (already divided by the time scale).
    var expiresAfterSeconds: Double?

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

    /// What `GET /order/{id}` answers at `now`: an `IncompleteOrder` while processing, the full order after. A
    /// failed order is a full order with no items, or an `IncompleteOrder`, as `failedShape` says (Runa does not
    /// document which).
    func detail(at now: Timestamp, failedShape: FailedOrderShape) -> Wire.OrderDetail {
        let status = status(at: now)
        if status == .processing { return .incomplete(.init(id: id, status: status, message: Self.processingMessage)) }
        if status == .failed, failedShape == .incomplete {
            return .incomplete(.init(id: id, status: status, message: Self.failedMessage))
        }
        return .full(fullOrder(at: now))
    }

    /// The full order: the sync `200` answer, and `GET /order/{id}` once it has finished.
    func fullOrder(at now: Timestamp) -> Wire.FullOrder {
        let completed = outcome == .completed
        let wireItems = completed ? items.map { item in
            Wire.Item(id: item.id, distributionMethod: item.distribution, products: item.products,
                      faceValue: item.faceValue, price: item.price, currency: item.currency,
                      payout: payout(item, at: now).wire)
        } : []
        let detail = completed ? totals.detail.mapValues { entry in
            Wire.TransactionDetailEntry(value: entry.value, fx: entry.fx.map {
                Wire.FXDetails(rate: $0.rate, rateSymbol: $0.rateSymbol,
                               fee: .init(value: $0.fee.value, currency: $0.fee.currency))
            })
        } : nil
        return Wire.FullOrder(basic: basicOrder, items: wireItems, transactionDetail: detail, metadata: request.metadata)
    }

    /// One `GET /order` entry: the basic fields once finished, an `IncompleteOrder` before.
    func listItem(at now: Timestamp) -> Wire.ListItem {
        let status = status(at: now)
        if status == .processing { return .incomplete(.init(id: id, status: status, message: Self.processingMessage)) }
        return .finished(basicOrder)
    }

    /// The finished order's basic fields (`CompletedOrderWithBasicDetails`).
    var basicOrder: Wire.BasicOrder {
        let totals = self.totals
        return Wire.BasicOrder(id: id, status: outcome, createdAt: createdAt, completedAt: completesAt,
                               description: request.description, paymentCurrency: currency, currency: currency,
                               totalPrice: totals.price, totalDiscount: totals.discount)
    }

    /// The body of the `order.completion` webhook: `CompletedOrderWebhook` (the basic fields, no items) or
    /// `FailedOrderWebhook` (`{id, status}`).
    var webhookBody: Wire.CompletionWebhook {
        outcome == .failed ? .failed(.init(id: id)) : .completed(basicOrder)
    }

    static let processingMessage = "The order is being processed."
    static let failedMessage = "The order could not be completed."
}

/// How `GET /order/{id}` answers for a FAILED order. Runa's documents allow both and say neither.
public enum FailedOrderShape: String, Sendable, CaseIterable {
    /// `CompletedOrderWithFullDetails` with `status: FAILED` and `items: []`.
    case full
    /// `IncompleteOrder`: `{id, status: FAILED, message}`.
    case incomplete
}

extension Payout {
    var wire: Wire.PayoutDetails {
        Wire.PayoutDetails(status: status, statusUpdatedAt: statusUpdatedAt, url: url, expiryDate: expiryDate)
    }
}
