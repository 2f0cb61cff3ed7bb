import Foundation
import RunaModels

/// Orders as Runa sends them in `order.completion` bodies.
public enum Orders {
    public static let created = Timestamp(rfc3339: "2026-11-01T10:00:00.123456+00:00")!

    public static func completed(_ id: String = "O-\(UUID().uuidString)", price: String = "25.00") -> RunaOrder {
        RunaOrder(id: id, status: .completed, createdAt: created, completedAt: created.adding(seconds: 2),
                  description: .value("November bonus"), paymentMethod: .object(["type": .string("ACCOUNT_BALANCE")]),
                  currency: "EUR", totalPrice: try! Money(parsing: price), totalDiscount: try! Money(parsing: "0"))
    }

    public static func failed(_ id: String) -> RunaOrder { RunaOrder(id: id, status: .failed) }
    public static func processing(_ id: String) -> RunaOrder { RunaOrder(id: id, status: .processing, createdAt: created) }
}
