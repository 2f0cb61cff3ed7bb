import Foundation
import GRDB
import Ledger
import RunaModels
import Testing
import TestSupport

@Suite("runa-ledger demo")
struct DemoTests {
    @Test("the one-command demo places orders through faults, and the reconciler brings the ledger to Runa's truth")
    func demo() async throws {
        let folder = try TemporaryFolder()
        let truthFile = folder.path("truth.json")
        let (status, text) = try await runLedger(["demo", "--orders", "80", "--seed", "3", "--exit", "--require-match",
                                                  "--folder", folder.path("demo"), "--truth-out", truthFile])
        #expect(status == 0, "\(text)")
        // What a person sees: every order was placed, or answered an error Runa replays for its key (then only the
        // list tells whether Runa took it: an edge 500 met twice looks the same as a replayed one), and the report
        // says how many webhooks were due.
        #expect(text.contains("0 could not be placed"), "\(text)")
        let placed = try #require(text.firstMatch(of: /placed (\d+) orders/).flatMap { Int($0.output.1) })
        let replayed = try #require(text.firstMatch(of: /(\d+) answered an error Runa replays/).flatMap { Int($0.output.1) })
        #expect(placed + replayed == 80, "\(text)")
        #expect(text.contains("after webhooks alone:") && text.contains("after the reconciler:"))
        #expect(text.contains("Authorization: Bearer demo-token-") && text.contains("/v1/summary"))

        // The verdict is checked here, not taken from the report: the ledger the demo left against the simulator's own
        // record of its orders, field by field.
        let truth = try RunaJSON.decode([RunaOrder].self, from: Data(contentsOf: URL(fileURLWithPath: truthFile)))
        #expect((placed...80).contains(truth.count))
        #expect(text.contains("webhooks: \(truth.count) due"), "\(text)")
        #expect(truth.contains { $0.status == .failed } && truth.contains { $0.status == .completed })
        let database = try LedgerDatabase(path: folder.path("demo/ledger.sqlite"))
        let comparison = try await database.compare(withTruth: truth)
        #expect(comparison.problems.isEmpty, "\(comparison.problems.prefix(5))")
        #expect(comparison.ledgerOrders == truth.count && comparison.truthItems > truth.count)
        #expect(comparison.payoutsNoLongerActive > 0, "payouts changed with no webhook, and the ledger has them")
        #expect(try database.check(migrations: try Migration.load(from: Repository.migrations)).isHealthy)
        // The webhooks the simulator dropped were found by the reconciler: such orders carry the discrepancy.
        try database.close()
        let neverReceived = try await DatabaseQueue(path: folder.path("demo/ledger.sqlite")).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM order_events WHERE kind = 'discrepancy' AND changes LIKE '%never received%'")
        }
        #expect((neverReceived ?? 0) > 0, "dropped webhooks were noticed")
    }
}
