import Foundation
import GRDB
import RunaModels
import Testing
import TestSupport
@testable import Ledger

@Suite("The description search index")
struct OrderSearchIndexTests {
    /// `created` (2025-01-01T12:00:00Z) as a listing key: microseconds since 1970 times 1000.
    static let createdKey = Int64(1_735_732_800) * 1_000_000 * 1000

    @Test("orders recorded together are searchable when their batch commits, keyed by arrival within their instant")
    func batchIsIndexedAtCommit() async throws {
        let ledger = try TemporaryLedger()
        let writer = ledger.writer()
        let outcomes = try await withThrowingTaskGroup(of: DeliveryOutcome.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await writer.record(.sample(id: "msg_\(index)", order: Sample.completed(
                        id: "O-\(index)", description: .value("spring bonus \(index)"))))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0 == .applied })
        #expect(try await ledger.value("SELECT count(*) FROM order_search_staged", as: Int.self) == 0)
        #expect(try await ledger.value("SELECT count(*) FROM order_search WHERE order_search MATCH '\"spring bonus\"'",
                                       as: Int.self) == 200)
        // Every order of the same microsecond has the next free key, in the order the writer saved them.
        let keys = try await ledger.values("""
            SELECT m.search_rowid FROM order_search_rows m
            JOIN order_events e ON e.order_id = m.order_id ORDER BY e.seq
            """, as: Int64.self)
        #expect(keys == (0..<200).map { Self.createdKey + Int64($0) })
        #expect(try ledger.database.check(migrations: ledger.migrations).isHealthy)
    }

    @Test("an order whose description changes is found by the new text only")
    func descriptionChange() async throws {
        let ledger = try TemporaryLedger()
        let writer = ledger.writer()
        _ = try await writer.record(.sample(id: "msg_1", order: Sample.processing(id: "O-7")))
        #expect(try await ledger.value("SELECT count(*) FROM order_search", as: Int.self) == 0)
        _ = try await writer.record(.sample(id: "msg_2", order: Sample.completed(id: "O-7", description: .value("winter gift"))))
        _ = try await writer.record(.sample(id: "msg_3", order: Sample.completed(id: "O-7", description: .value("summer gift"))))
        #expect(try await ledger.values("SELECT order_id FROM order_search WHERE order_search MATCH 'summer'",
                                        as: String.self) == ["O-7"])
        #expect(try await ledger.value("SELECT count(*) FROM order_search WHERE order_search MATCH 'winter'",
                                       as: Int.self) == 0)
        #expect(try ledger.database.check(migrations: ledger.migrations).isHealthy)
    }

    @Test("orders another program wrote with plain SQL are reported by check and indexed when the ledger opens")
    func plainSQLIsIndexedOnOpen() async throws {
        let ledger = try TemporaryLedger()
        try await ledger.execute("""
            INSERT INTO orders (id, status, created_at, description, first_seen_at, updated_at, last_source, version)
            VALUES ('O-SQL', 'PROCESSING', '2025-01-01T12:00:00.000000Z', 'loaded by hand', '2025-01-01T12:00:00.000000Z',
                    '2025-01-01T12:00:00.000000Z', 'api', 1)
            """)
        let before = try ledger.database.check(migrations: ledger.migrations)
        #expect(before.derivedProblems.contains { $0.contains("staged but never applied") })
        try ledger.database.migrate(ledger.migrations)
        #expect(try await ledger.values("SELECT order_id FROM order_search WHERE order_search MATCH 'by hand'",
                                        as: String.self) == ["O-SQL"])
        #expect(try ledger.database.check(migrations: ledger.migrations).isHealthy)
    }
}
