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
        // What a person sees: every order reached Runa, webhooks were lost on the way, and the report says so.
        #expect(text.contains("0 could not be placed"), "\(text)")
        #expect(text.contains("webhooks: 80 due"), "\(text)")
        #expect(text.contains("after webhooks alone:") && text.contains("after the reconciler:"))
        #expect(text.contains("Authorization: Bearer demo-token-") && text.contains("/v1/summary"))

        // The verdict is checked here, not taken from the report: the ledger the demo left against the simulator's own
        // record of its orders, field by field.
        let truth = try RunaJSON.decode([RunaOrder].self, from: Data(contentsOf: URL(fileURLWithPath: truthFile)))
        #expect(truth.count == 80)
        #expect(truth.contains { $0.status == .failed } && truth.contains { $0.status == .completed })
        let database = try LedgerDatabase(path: folder.path("demo/ledger.sqlite"))
        let comparison = try await database.compare(withTruth: truth)
        #expect(comparison.problems.isEmpty, "\(comparison.problems.prefix(5))")
        #expect(comparison.ledgerOrders == 80 && comparison.truthItems > 80)
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
