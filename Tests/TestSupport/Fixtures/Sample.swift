import Foundation
import Ledger
import RunaModels

/// Observations as the merge rules receive them.
public enum Sample {
    public static let created = Timestamp(rfc3339: "2025-01-01T12:00:00Z")!
    public static let completed = Timestamp(rfc3339: "2025-01-01T12:00:01Z")!

    public static func money(_ text: String) -> Money { try! Money(parsing: text) }

    public static func payout(_ status: PayoutStatus, at time: String) -> Payout {
        Payout(status: status, statusUpdatedAt: Timestamp(rfc3339: time)!, url: "https://spend.runa.io/1")
    }

    public static func item(_ id: String = "E-1", payout: Payout? = payout(.active, at: "2025-01-01T12:00:01Z")) -> OrderItem {
        OrderItem(id: id, distributionMethod: .email(emailAddress: "fred@example.com", templateId: nil),
                  products: .single(value: "AMZ-US", usageConfig: nil), faceValue: money("10"), price: money("10.00"),
                  currency: "USD", payout: payout)
    }

    /// A `COMPLETED` order; `items: nil` is the webhook's shape, with items the `GET /order/{id}` shape.
    public static func completed(id: String = "O-1", price: String = "10.00", items: [OrderItem]? = nil,
                          description: Reported<String> = .value("bonus")) -> RunaOrder {
        RunaOrder(id: id, status: .completed, createdAt: created, completedAt: completed, description: description,
                  paymentMethod: .object(["type": .string("ACCOUNT_BALANCE")]), currency: "USD",
                  totalPrice: money(price), totalDiscount: money("0"), items: items)
    }

    public static func failed(id: String = "O-1") -> RunaOrder { RunaOrder(id: id, status: .failed) }
    public static func processing(id: String = "O-1") -> RunaOrder {
        RunaOrder(id: id, status: .processing, createdAt: created, description: .null, currency: "USD")
    }

    public static func webhook(_ order: RunaOrder) -> Observation { Observation(webhook: order) }
    public static func api(_ order: RunaOrder) -> Observation { Observation(order: order, source: .reconciler, isAuthoritative: true) }
    public static func summary(_ order: RunaOrder) -> Observation { Observation(order: order, source: .reconciler, isAuthoritative: false) }
}
