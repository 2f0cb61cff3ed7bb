import Foundation
import GRDB
import RunaModels
import Testing
import TestSupport
@testable import Ledger

@Suite("Totals for any bounds")
struct TotalsTests {
    @Test("whole days from the running totals and part-days from the orders add up to the orders' own sums, for any bounds")
    func anyBoundsMatchTheOrders() async throws {
        let ledger = try TemporaryLedger()
        // An order an hour from 2026-10-01T00:00Z for five days, in three currencies, with items.
        _ = try await seedLedger(ledger.database, count: 120)
        let start = Timestamp(rfc3339: "2026-09-30T12:00:00Z")!.microsecondsSinceEpoch
        var generator = SystemRandomNumberGenerator()
        func instant() -> Timestamp? {
            switch Int.random(in: 0..<8, using: &generator) {
            case 0: return nil
            case 1: // a whole day
                return Timestamp(microsecondsSinceEpoch: start + 43_200_000_000 + Int64.random(in: 0...5, using: &generator) * 86_400_000_000)
            case 2: // exactly on an order's listing time
                return Timestamp(microsecondsSinceEpoch: start + 43_200_000_000 + Int64.random(in: 0..<120, using: &generator) * 3_600_000_000)
            default:
                return Timestamp(microsecondsSinceEpoch: start + Int64.random(in: 0..<(6 * 86_400_000_000), using: &generator))
            }
        }
        var cases = [(Timestamp?, Timestamp?)]()
        for _ in 0..<300 { cases.append((instant(), instant())) }
        // Both edges in one day, near each other and far apart.
        let day = Timestamp(rfc3339: "2026-10-02T00:00:00Z")!
        cases += [(day.adding(seconds: 100), day.adding(seconds: 7_300)), (day.adding(seconds: 60), day.adding(seconds: 86_000)),
                  (day.adding(seconds: 7_300), day.adding(seconds: 100))]
        for (from, to) in cases {
            for byDay in [false, true] {
                let split = try await ledger.database.totals(createdFrom: from, createdTo: to, byDay: byDay)
                let scanned = try await ledger.database.pool.read { db in
                    try TotalsQueries.fromOrders(db, from: from, to: to, byDay: byDay)
                }
                #expect(split == scanned, "from \(from?.canonical ?? "-") to \(to?.canonical ?? "-") byDay \(byDay)")
            }
        }
        // Not a test that cannot fail: the orders are spread over every case's days.
        #expect(try await ledger.database.totals(createdFrom: day.adding(seconds: 60), createdTo: day.adding(seconds: 86_000),
                                                 byDay: false).lines.map(\.totals.orders).reduce(0, +) == 23)
    }
}
