import Foundation
import Ledger
import RunaModels

/// Orders written into the ledger as Runa's own answers (items, payouts, money in several currencies).
public func seedLedger(_ database: LedgerDatabase, count: Int, offset: Int = 0) async throws -> [RunaOrder] {
    var orders: [RunaOrder] = []
    for index in offset..<(offset + count) {
        let currency = ["USD", "GBP", "EUR"][index % 3]
        let created = Timestamp(rfc3339: "2026-10-01T00:00:00Z")!.adding(seconds: Int64(index) * 3_600)
        let status: OrderStatus = index % 7 == 3 ? .failed : .completed
        let face = try Money(parsing: "\(10 + index % 40).\(String(format: "%02d", index % 100))")
        let items = (0..<(1 + index % 2)).map { position in
            OrderItem(id: "E-Q\(index)-\(position)", distributionMethod: .payoutLink(templateId: nil),
                      products: .single(value: "AMZ-US", usageConfig: nil), faceValue: face, price: face, currency: currency,
                      payout: status == .completed
                        ? Payout(status: index % 4 == 0 ? .claimed : .active, statusUpdatedAt: created.adding(seconds: 60),
                                 url: "https://spend/\(index)/\(position)")
                        : nil)
        }
        let total = Money(micros: face.micros * Int64(items.count), scale: 2)
        let description = index % 5 == 0 ? "=HYPERLINK(\"evil\"), \"quoted\"\nline \(index)" : "bonus \(index)"
        let order = RunaOrder(id: String(format: "O-Q%05d", index), status: status, createdAt: created,
                              completedAt: created.adding(seconds: 1), description: .value(description),
                              paymentMethod: .object(["type": .string("ACCOUNT_BALANCE")]), currency: currency,
                              totalPrice: total, totalDiscount: Money(micros: 0, scale: 2), items: items)
        _ = try await database.applyAuthoritative(order, cause: "test", now: LedgerClock.now())
        orders.append(order)
    }
    return orders
}
