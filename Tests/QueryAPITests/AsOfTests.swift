import Foundation
@testable import Ledger
@testable import QueryAPI
import RunaModels
import Testing
import TestSupport

/// `as_of` rebuilds orders and the summary from the audit trail; an auditor must get back exactly what the live
/// API answered at that moment.
@Suite("as_of reads", .serialized)
struct AsOfTests {
    static let token = "auditor:finance:as-of-token-0123456789"

    func get(_ service: ServiceHarness, _ path: String) async throws -> String {
        let (status, body) = try await service.send(path: path, method: .GET,
                                                    headers: [("Authorization", "Bearer as-of-token-0123456789")], body: nil)
        #expect(status == 200, "\(path): \(body)")
        return body
    }

    /// JSON with `last_checked_at` set aside: when the reconciler last looked is bookkeeping the trail does not hold.
    func comparable(_ text: String) throws -> NSDictionary {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { $0.key != "last_checked_at" && $0.key != "as_of" }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        return try #require(strip(try JSONSerialization.jsonObject(with: Data(text.utf8))) as? NSDictionary)
    }

    static func order(_ id: String, _ status: OrderStatus, price: String, created: Timestamp, items: [OrderItem]? = nil,
                      description: String = "gift") throws -> RunaOrder {
        RunaOrder(id: id, status: status, createdAt: created, completedAt: status == .processing ? nil : created.adding(seconds: 5),
                  description: .value(description), currency: "USD", totalPrice: try Money(parsing: price),
                  totalDiscount: Money(micros: 0, scale: 2), items: items)
    }

    static func item(_ id: String, _ face: String, payout: PayoutStatus, at: Timestamp) throws -> OrderItem {
        OrderItem(id: id, distributionMethod: .payoutLink(templateId: nil), products: .single(value: "AMZ-US", usageConfig: nil),
                  faceValue: try Money(parsing: face), price: try Money(parsing: face), currency: "USD",
                  payout: Payout(status: payout, statusUpdatedAt: at, url: "https://spend/\(id)",
                                 expiryDate: at.adding(seconds: 86_400 * 30)))
    }

    @Test("an as_of order and summary equal the live answers saved at that moment, after later changes of every kind")
    func asOfEqualsTheLiveReportThen() async throws {
        let service = try await ServiceHarness.start(apiTokens: [Self.token])
        let database = service.service.database
        let created = Timestamp(rfc3339: "2026-10-05T10:00:00Z")!
        _ = try await seedLedger(database, count: 12)
        // Webhooks: one order PROCESSING then COMPLETED with its items; one whose amount a webhook later disputes.
        let first = try Self.order("O-ASOF1", .processing, price: "25.00", created: created)
        #expect(try await service.post(service.signed(first)).0 == 200)
        let midway = LedgerClock.now()
        let item = try Self.item("E-ASOF1", "25.00", payout: .active, at: created.adding(seconds: 5))
        #expect(try await service.post(service.signed(try Self.order("O-ASOF1", .completed, price: "25.00", created: created,
                                                                      items: [item]))).0 == 200)
        let second = try Self.order("O-ASOF2", .completed, price: "40.00", created: created.adding(seconds: 60),
                                    items: [try Self.item("E-ASOF2", "40.00", payout: .active, at: created)])
        _ = try await database.applyAuthoritative(second, cause: "test", now: LedgerClock.now())
        #expect(try await service.post(service.signed(try Self.order("O-ASOF2", .completed, price: "41.00",
                                                                     created: created.adding(seconds: 60)))).0 == 200)

        // The reports as they stand now.
        let asOf = LedgerClock.now()
        let ids = try await database.pool.read { try String.fetchAll($0, sql: "SELECT id FROM orders ORDER BY id") }
        var saved: [String: String] = [:]
        for id in ids { saved[id] = try await get(service, "/v1/orders/\(id)") }
        let summaries = ["/v1/summary", "/v1/summary?group=day", "/v1/summary?created_from=2026-10-02T00:00:00Z&created_to=2026-10-05T10:00:30Z"]
        var savedSummaries: [String: String] = [:]
        for path in summaries { savedSummaries[path] = try await get(service, path) }
        try await Task.sleep(for: .milliseconds(5))

        // Later: a payout claimed, the dispute settled, a description changed, new orders, a new dispute.
        let claimed = try Self.item("E-ASOF1", "25.00", payout: .claimed, at: created.adding(seconds: 500))
        _ = try await database.applyAuthoritative(
            try Self.order("O-ASOF1", .completed, price: "25.00", created: created, items: [claimed], description: "changed"),
            cause: "later", now: LedgerClock.now())
        _ = try await database.applyAuthoritative(second, cause: "later", now: LedgerClock.now())
        _ = try await seedLedger(database, count: 5, offset: 100)
        #expect(try await service.post(service.signed(try Self.order("O-ASOF3", .failed, price: "9.00", created: created))).0 == 200)
        #expect(try await service.post(service.signed(try Self.order("O-Q00002", .completed, price: "1.00",
                                                                     created: created))).0 == 200)
        #expect(try await get(service, "/v1/orders/O-ASOF1") != saved["O-ASOF1"])

        let at = asOf.canonical
        for id in ids {
            let rebuilt = try await get(service, "/v1/orders/\(id)?as_of=\(at)")
            #expect(try comparable(rebuilt) == comparable(saved[id] ?? ""), "\(id)")
        }
        for path in summaries {
            let rebuilt = try await get(service, path + (path.contains("?") ? "&" : "?") + "as_of=\(at)")
            #expect(try comparable(rebuilt) == comparable(savedSummaries[path] ?? ""), "\(path)")
            #expect(rebuilt.contains(#""as_of":"\#(at)""#))
        }
        // Both ways of computing it agree: every order replayed, or today's rows with the orders changed since
        // taken out and put back as they were.
        let bounds: [(Timestamp?, Timestamp?, Bool)] = [
            (nil, nil, false), (nil, nil, true),
            (Timestamp(rfc3339: "2026-10-02T00:00:00Z"), Timestamp(rfc3339: "2026-10-05T10:00:30Z"), true),
        ]
        for (from, to, byDay) in bounds {
            for moment in [midway, asOf, LedgerClock.now()] {
                let replayed = try await database.totals(createdFrom: from, createdTo: to, byDay: byDay, asOf: moment, strategy: .replay)
                let delta = try await database.totals(createdFrom: from, createdTo: to, byDay: byDay, asOf: moment, strategy: .delta)
                #expect(!replayed.lines.isEmpty)
                #expect(replayed.lines.map(\.key) == delta.lines.map(\.key), "\(moment.canonical) \(byDay)")
                #expect(replayed.lines.map(\.totals) == delta.lines.map(\.totals), "\(moment.canonical) \(byDay)")
            }
        }

        // Before an order was first seen, it did not exist.
        let (status, body) = try await service.send(path: "/v1/orders/O-ASOF3?as_of=\(at)", method: .GET,
                                                    headers: [("Authorization", "Bearer as-of-token-0123456789")], body: nil)
        #expect(status == 404, "\(body)")
        try await service.stop()
    }
}
