import Foundation
import Testing
import TestSupport

@Suite("runa-ledger export")
struct ExportCommandTests {
    static let token = "test-token-0123456789abcdef"

    @Test("writes exactly the API's CSV for the same filters; a bad filter is refused naming it; an existing file needs --force")
    func export() async throws {
        let service = try await ServiceHarness.start(apiTokens: [Self.token])
        _ = try await seedLedger(service.service.database, count: 40)
        let (_, api) = try await service.send(path: "/v1/orders?format=csv&currency=USD&status=COMPLETED", method: .GET,
                                              headers: [("Authorization", "Bearer \(Self.token)")], body: nil)
        let folder = try TemporaryFolder()
        let out = folder.path("orders.csv")
        let result = try await runLedger(["export", "orders", "currency=USD", "status=COMPLETED", "--out", out,
                                    "--db", service.databasePath, "--migrations", Repository.migrations.path])
        #expect(result.0 == 0, "\(result.1)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == api)
        #expect(parseCSV(api).count > 5)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: out))
        let refused = try await runLedger(["export", "orders", "--out", out, "--db", service.databasePath])
        #expect(refused.0 == 2 && refused.1.contains("--force"), "\(refused.1)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep me", "an existing file is never overwritten")
        let forced = try await runLedger(["export", "orders", "currency=USD", "status=COMPLETED", "--out", out, "--force",
                                          "--db", service.databasePath])
        #expect(forced.0 == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == api)
        let events = try await runLedger(["export", "events", "order_id=O-Q00001", "--db", service.databasePath])
        #expect(events.0 == 0 && parseCSV(events.1).count >= 2)
        let bad = try await runLedger(["export", "payouts", "currency=dollars", "--db", service.databasePath])
        #expect(bad.0 == 2 && bad.1.contains("currency:"))
        try await service.stop()
    }
}
