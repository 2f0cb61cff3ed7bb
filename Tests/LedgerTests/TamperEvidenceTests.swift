import Digest
import Foundation
import GRDB
@testable import Ledger
import RunaModels
import Testing
import TestSupport

/// Someone with write access to the ledger file but not the anchor key nor the anchor folder: every rewrite they
/// can make past the triggers, rehashing what they like, is caught by `check --anchors` or by re-deriving the
/// ledger from its signed bodies (`verify-archive`).
@Suite("Tamper evidence: anchors, the access-log chain and the signed archive", .serialized)
struct TamperEvidenceTests {
    static let token = "auditor:finance:tamper-test-token-0001"
    static let keyring = try! AnchorKeyring(parsing: "k2026:" + String(repeating: "ab", count: 32))

    /// A ledger of webhook orders and API reads, anchored, copied to `folder/original.sqlite`; returns the migrations.
    static func anchoredLedger(in folder: TemporaryFolder) async throws -> [Migration] {
        let service = try await ServiceHarness.start(apiTokens: [token])
        for index in 1...8 {
            let order = RunaOrder(
                id: "O-TAMPER\(index)", status: .completed, createdAt: Timestamp(secondsSinceEpoch: 1_790_000_000 + Int64(index)),
                description: .value("order \(index)"), paymentMethod: .object(["type": .string("ACCOUNT_BALANCE")]),
                currency: "USD", totalPrice: try Money(parsing: "10.00"), totalDiscount: try Money(parsing: "0.00"))
            #expect(try await service.post(service.signed(order)).0 == 200)
        }
        for _ in 0..<6 {
            let (status, _) = try await service.send(path: "/v1/orders?limit=3", method: .GET,
                                                     headers: [("Authorization", "Bearer tamper-test-token-0001")], body: nil)
            #expect(status == 200)
        }
        try await Task.sleep(for: .milliseconds(100))
        let anchor = try await service.service.database.anchor(keyring: keyring)
        #expect(anchor.eventSeq == 8 && anchor.accessLogId == 6)
        try AnchorDirectory(path: folder.path("anchors")).write(anchor)
        try await service.service.database.pool.writeWithoutTransaction { db in
            try db.execute(sql: "VACUUM INTO ?", arguments: [folder.path("original.sqlite")])
        }
        let migrations = service.service.migrations
        try await service.stop()
        return migrations
    }

    /// A copy of the anchored ledger with `tamper` applied to it, past every trigger.
    static func tampered(_ folder: TemporaryFolder, _ name: String, _ tamper: (Database) throws -> Void) throws -> String {
        let path = folder.path(name + ".sqlite")
        try FileManager.default.copyItem(atPath: folder.path("original.sqlite"), toPath: path)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            for trigger in ["order_events_no_update", "order_events_no_delete", "access_log_no_update", "access_log_no_delete"] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger)")
            }
            try tamper(db)
        }
        try queue.close()
        return path
    }

    func check(_ path: String, _ folder: TemporaryFolder, _ migrations: [Migration], anchors: Bool = true,
               keyring: AnchorKeyring? = keyring) throws -> LedgerCheckReport {
        try LedgerDatabase.checkReadOnly(path: path, migrations: migrations,
                                         anchors: anchors ? AnchorDirectory(path: folder.path("anchors")) : nil,
                                         keyring: keyring)
    }

    @Test("untouched: both chains intact, the anchor verifies, every webhook-sourced field is what its signed body says")
    func untouched() async throws {
        let folder = try TemporaryFolder()
        let migrations = try await Self.anchoredLedger(in: folder)
        let report = try check(folder.path("original.sqlite"), folder, migrations)
        #expect(report.isHealthy, "\(report.summary)")
        #expect(report.anchorsChecked == 1 && report.accessLog.entries == 6 && report.accessLog.unchained == 0)
        let derived = try LedgerDatabase.deriveFromArchive(path: folder.path("original.sqlite"))
        #expect(derived.disagreements.isEmpty && derived.ordersChecked == 8 && derived.fieldsChecked > 8 * 5, "\(derived)")
    }

    @Test("an amount changed 10.00 → 7.00 in the event and the order, the chain rehashed: the chain alone passes; the anchor and the signed body do not")
    func rewrittenAndRehashed() async throws {
        let folder = try TemporaryFolder()
        let migrations = try await Self.anchoredLedger(in: folder)
        let path = try Self.tampered(folder, "rewritten") { db in
            let seq = try Int64.fetchOne(db, sql: "SELECT min(seq) FROM order_events WHERE order_id = 'O-TAMPER3'") ?? 0
            try db.execute(sql: "UPDATE order_events SET changes = replace(changes, '\"10.00\"', '\"7.00\"') WHERE seq = ?", arguments: [seq])
            try db.execute(sql: "UPDATE orders SET total_price = '7.00', total_price_micros = 7000000 WHERE id = 'O-TAMPER3'")
            try Tampering.rehashEvents(from: seq, db)
        }
        let unanchored = try check(path, folder, migrations, anchors: false)
        #expect(unanchored.chain.isIntact && unanchored.isHealthy, "without anchors the rewrite is invisible: \(unanchored.summary)")
        let anchored = try check(path, folder, migrations)
        #expect(!anchored.isHealthy)
        #expect(anchored.anchorProblems.contains { $0.contains("history up to it was rewritten") }, "\(anchored.anchorProblems)")
        let derived = try LedgerDatabase.deriveFromArchive(path: path)
        #expect(derived.disagreements.map(\.field) == ["total_price"] && derived.disagreements.first?.orderId == "O-TAMPER3")
        #expect(derived.disagreements.first?.ledger == "\"7.00\"" && derived.disagreements.first?.signedBody == "\"10.00\"")
    }

    @Test("an order row edited with no event at all: the chain and anchors still agree, the signed body does not")
    func rowEditedWithoutEvent() async throws {
        let folder = try TemporaryFolder()
        _ = try await Self.anchoredLedger(in: folder)
        let path = try Self.tampered(folder, "edited") { db in
            try db.execute(sql: "UPDATE orders SET description = 'paid twice', status = 'FAILED' WHERE id = 'O-TAMPER5'")
        }
        let derived = try LedgerDatabase.deriveFromArchive(path: path)
        #expect(Set(derived.disagreements.map(\.field)) == ["description", "status"], "\(derived.disagreements)")
    }

    @Test("the last events deleted and sqlite_sequence lowered: the shorter chain verifies alone; the anchor says events were removed")
    func truncated() async throws {
        let folder = try TemporaryFolder()
        let migrations = try await Self.anchoredLedger(in: folder)
        let path = try Self.tampered(folder, "truncated") { db in
            let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM order_events") ?? 0
            try db.execute(sql: "DELETE FROM order_events WHERE seq > ?", arguments: [last - 3])
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = ? WHERE name = 'order_events'", arguments: [last - 3])
        }
        #expect(try check(path, folder, migrations, anchors: false).chain.isIntact)
        let anchored = try check(path, folder, migrations)
        #expect(anchored.anchorProblems.contains { $0.contains("events were removed") }, "\(anchored.anchorProblems)")
    }

    @Test("access-log rows deleted: from the middle the chain breaks; from the end (or all rehashed) the anchor catches it")
    func accessLogTampering() async throws {
        let folder = try TemporaryFolder()
        let migrations = try await Self.anchoredLedger(in: folder)
        let middle = try Self.tampered(folder, "middle") { try $0.execute(sql: "DELETE FROM access_log WHERE id = 3") }
        let broken = try check(middle, folder, migrations, anchors: false)
        #expect(broken.accessLog.firstProblem?.contains("entry 4") == true, "\(broken.summary)")
        #expect(!broken.isHealthy)

        let tail = try Self.tampered(folder, "tail") { try $0.execute(sql: "DELETE FROM access_log WHERE id > 4") }
        #expect(try check(tail, folder, migrations, anchors: false).accessLog.isIntact)
        #expect(try check(tail, folder, migrations).anchorProblems.contains { $0.contains("entries were removed") })

        let edited = try Self.tampered(folder, "edited-log") { db in
            try db.execute(sql: "UPDATE access_log SET token_id = 'someone-else'")
            var previous = AuditTrail.genesisHash
            for row in try Row.fetchAll(db, sql: "SELECT * FROM access_log ORDER BY id") {
                let fields: [String] = [String(row["id"] as Int64), row["at"], row["token_id"], row["role"], row["method"],
                                        row["path"], row["query"], String(row["status"] as Int), (row["rows"] as Int?).map(String.init) ?? ""]
                var input = [UInt8]()
                for field in [previous] + fields { input += Array("\(field.utf8.count):".utf8) + Array(field.utf8) }
                let hash = Digest.hex(Digest.sha256(input))
                try db.execute(sql: "UPDATE access_log SET prev_hash = ?, hash = ? WHERE id = ?", arguments: [previous, hash, row["id"] as Int64])
                previous = hash
            }
        }
        #expect(try check(edited, folder, migrations, anchors: false).accessLog.isIntact, "the insider rehashed the log")
        #expect(try check(edited, folder, migrations).anchorProblems.contains { $0.contains("the log up to it was rewritten") })
    }

    @Test("a forged or altered anchor fails its MAC; one signed with a key the file does not hold is named; rotation keeps old anchors verifiable")
    func anchorAuthenticity() async throws {
        let folder = try TemporaryFolder()
        let migrations = try await Self.anchoredLedger(in: folder)
        let anchors = AnchorDirectory(path: folder.path("anchors"))
        let name = try #require(try anchors.readAll().first?.name)
        let file = folder.path("anchors/" + name)
        let original = try String(contentsOfFile: file, encoding: .utf8)

        // Rotation: a new key first, the old one kept: the old anchor verifies; new ones are signed with the new key.
        let rotated = try AnchorKeyring(parsing: "# rotated 2026-12\nk2027:" + String(repeating: "cd", count: 32)
                                        + "\nk2026:" + String(repeating: "ab", count: 32))
        #expect(try check(folder.path("original.sqlite"), folder, migrations, keyring: rotated).isHealthy)
        let newer = ChainAnchor(events: .genesis, accessLog: .genesis, at: "2026-12-02T00:00:00.000000Z", keyring: rotated)
        #expect(newer.keyId == "k2027" && newer.authenticationProblem(rotated) == nil && newer.authenticationProblem(Self.keyring) != nil)

        // An insider lowers the anchor to match a truncated chain: its MAC no longer verifies.
        try FileManager.default.removeItem(atPath: file)
        let decoded = try JSONDecoder().decode(ChainAnchor.self, from: Data(original.utf8))
        var lowered = decoded
        lowered.eventSeq -= 3
        try Data(lowered.jsonLine.utf8).write(to: URL(fileURLWithPath: file))
        #expect(try check(folder.path("original.sqlite"), folder, migrations).anchorProblems.contains { $0.contains("MAC does not verify") })
        #expect(try check(folder.path("original.sqlite"), folder, migrations, keyring: nil).anchorsAuthenticated == false)

        let other = try AnchorKeyring(parsing: "elsewhere:" + String(repeating: "ef", count: 32))
        #expect(try check(folder.path("original.sqlite"), folder, migrations, keyring: other).anchorProblems
            .contains { $0.contains("signed with key k2026, which the key file does not hold") })
        #expect(throws: LedgerError.self) { try AnchorKeyring(parsing: "short:abcd") }
        #expect(throws: LedgerError.self) { try AnchorKeyring(parsing: "# nothing") }
    }
}
