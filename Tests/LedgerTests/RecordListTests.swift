import Foundation
import RunaModels
import Testing
import TestSupport
@testable import Ledger

@Suite("Walking a list page by page")
struct RecordListTests {
    @Test("every record once and in order, whatever the page size, while the next page is read ahead",
          arguments: [1, 4, 23, 24, 100])
    func everyRecordOnce(pageSize: Int) async throws {
        let ledger = try TemporaryLedger()
        _ = try await seedLedger(ledger.database, count: 23)
        let list = try await ledger.database.orders(OrderFilter())
        let whole = try await list.page(after: nil, limit: 1_000).records.map(\.id)
        #expect(whole.count == 23)
        var walked: [String] = []
        var pages = 0
        let count = try await list.forEachPage(size: pageSize) { records in
            pages += 1
            walked += records.map(\.id)
        }
        #expect(count == 23)
        #expect(walked == whole)
        #expect(pages == (23 + pageSize - 1) / pageSize)
        // The events list pages by one integer key.
        var seqs: [Int64] = []
        try await ledger.database.events().forEachPage(size: pageSize) { seqs += $0.map(\.seq) }
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count && !seqs.isEmpty)
    }
}
