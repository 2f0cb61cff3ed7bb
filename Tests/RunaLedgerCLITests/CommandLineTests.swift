import Foundation
import GRDB
import Testing
import TestSupport

/// The `runa-ledger` executable's maintenance commands, run as an operator would.
@Suite("migrate and check on the command line")
struct CommandLineTests {
    func run(_ arguments: [String]) async throws -> (Int32, String) { try await runLedger(arguments) }

    @Test("migrate creates the schema once; check passes on a sound ledger and fails on a tampered one")
    func migrateAndCheck() async throws {
        let folder = try TemporaryFolder()
        let db = folder.path("ledger.sqlite")
        let migrations = Repository.migrations.path
        let first = try await run(["migrate", "--db", db, "--migrations", migrations])
        #expect(first.0 == 0 && first.1.contains("applied: 0001_ledger.sql"))
        let second = try await run(["migrate", "--db", db, "--migrations", migrations])
        #expect(second.0 == 0 && second.1.contains("schema is current"))
        let healthy = try await run(["check", "--db", db, "--migrations", migrations])
        #expect(healthy.0 == 0 && healthy.1.hasPrefix("ledger OK"))
        // Progress goes to standard error, step by step, when asked for (or on a terminal).
        #expect(!healthy.1.split(separator: "\n").contains { $0.hasPrefix("check: ") })
        let shown = try await run(["check", "--db", db, "--migrations", migrations, "--progress"])
        #expect(shown.0 == 0 && shown.1.contains("ledger OK"))
        for step in ["integrity_check", "hash chain", "access-log chain", "running totals, search index and closes"] {
            #expect(shown.1.split(separator: "\n").contains { $0.hasPrefix("check: \(step) (") }, "\(step)")
        }

        let queue = try DatabaseQueue(path: db)
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO order_events (seq, at, order_id, kind, source, cause, changes, prev_hash, hash)
                VALUES (1, 'x', 'O-1', 'order.created', 'webhook', 'forged', '{}', 'bad', 'bad')
                """)
        }
        try queue.close()
        let tampered = try await run(["check", "--db", db, "--migrations", migrations])
        #expect(tampered.0 == 1)
        #expect(tampered.1.contains("hash chain: BROKEN at event 1"))
    }

    @Test("check refuses a missing ledger rather than creating one")
    func missingLedger() async throws {
        let folder = try TemporaryFolder()
        let result = try await run(["check", "--db", folder.path("nope.sqlite")])
        #expect(result.0 == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.path("nope.sqlite")))
    }
}

import RunaSim

@Suite("reconcile --once and backfill on the command line", .serialized)
struct ReconcileCommandTests {
    func run(_ arguments: [String], environment: [String: String]) async throws -> (Int32, String) {
        try await runLedger(arguments + ["--migrations", Repository.migrations.path], environment: environment)
    }

    @Test("backfill walks the whole history; reconcile --once then says in step (exit 0), and not in step while Runa fails")
    func backfillThenOnce() async throws {
        var configuration = SimConfiguration(apiKey: "cli-key")
        configuration.completeAfterSeconds = 0
        configuration.linkExpirySeconds = nil
        configuration.claimRate = 0
        configuration.cancelRate = 0
        let sim = try await RunningSimulator(configuration)
        try await placeOrders(150, through: testGateway(sim.baseURL, apiKey: "cli-key", rate: 1_000), prefix: "cli")
        let folder = try TemporaryFolder()
        let environment = ["RUNA_API_KEY": "cli-key", "RUNA_BASE_URL": sim.baseURL, "RUNA_REQUESTS_PER_SECOND": "500",
                           "RUNA_MAX_CONCURRENCY": "8", "LEDGER_DB": folder.path("ledger.sqlite")]
        let backfill = try await run(["backfill"], environment: environment)
        #expect(backfill.0 == 0, "\(backfill.1)")
        #expect(backfill.1.contains("backfill done: 150 orders listed, 150 fetched, 0 left"))
        let once = try await run(["reconcile", "--once"], environment: environment)
        #expect(once.0 == 0, "\(once.1)")
        #expect(once.1.contains("in step"))

        let ledger = try LedgerDatabase(path: folder.path("ledger.sqlite"))
        #expect(try await differences(ledger: ledger, truth: sim.simulator.truth()).isEmpty)
        try ledger.close()

        _ = try await testGateway(sim.baseURL, apiKey: "cli-key", rate: 1_000).createOrder(
            NewOrder(currency: "USD", items: [.init(faceValue: Money(micros: 1_000_000, scale: 2),
                                                    distributionMethod: .payoutLink(templateId: nil),
                                                    products: .single(value: "AMZ-US", usageConfig: nil))]),
            idempotencyKey: "cli-late")
        sim.simulator.setFaults(errorRate: 1, truncateRate: 0, rateLimit: nil)
        let failing = try await run(["reconcile", "--once"], environment: environment.merging(["RUNA_RATE_LIMIT_MIN_WAIT": "0.1"]) { $1 })
        #expect(failing.0 == 1, "\(failing.1)")
        #expect(failing.1.contains("NOT in step"))
        try await sim.stop()
    }
}

import Ledger
import RunaModels

@Suite("runa-ledger sim as a process")
struct SimCommandTests {
    @Test("prints one line with its base URL when ready, serves Runa's API there (key read from --api-key-file), and stops cleanly on SIGTERM")
    func simProcess() async throws {
        // The key from a file (--api-key-file), as a shared simulator would be run.
        let folder = try TemporaryFolder()
        try "proc-key\n".write(toFile: folder.path("api-key"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = ServiceProcess.executable
        process.arguments = ["sim", "--api-key-file", folder.path("api-key"), "--port", "0", "--seed", "4", "--fail-rate", "0.1",
                             "--drop-rate", "0.2", "--reorder", "--rate-limit", "50", "--time-scale", "10"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = ""
        while !line.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        let first = line.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("runa-sim listening on http://127.0.0.1:") && first.hasSuffix("/v2"), "\(first)")
        let base = String(first.dropFirst("runa-sim listening on ".count))
        let page = try await RunaAPIClient(baseURL: base, apiKey: "proc-key").listOrders()
        #expect(page.items.isEmpty)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

import RunaClient

import Webhooks

/// `runa-ledger verify-archive` over deliveries the real service stored.
@Suite("verify-archive on the command line")
struct VerifyArchiveTests {
    @Test("stored bodies match their hashes and their signatures verify; a changed body or a wrong secret is caught")
    func verifyArchive() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("ledger.sqlite")
        let secret = WebhookSecret(key: Array(repeating: 11, count: 32))
        let service = try ServiceProcess(database: path, secret: secret)
        let load = DeliveryLoad(secret: secret, tag: "arc")
        for index in 0..<12 { #expect(await service.post(load.delivery(index)) == 200) }
        service.kill(SIGTERM)
        #expect(service.waitForExit() == 0)
        let migrations = ["--migrations", Repository.migrations.path]

        // The secret from a file (--webhook-secrets-file), so `ps` never shows it.
        let secretFile = folder.path("webhook-secrets")
        try secret.exposedValue.write(toFile: secretFile, atomically: true, encoding: .utf8)
        let (status, output) = try await runLedger(["verify-archive", "--db", path, "--webhook-secrets-file", secretFile] + migrations)
        #expect(status == 0, "\(output)")
        #expect(output.contains("deliveries checked: 12") && output.contains("every stored one verifies (12)"))
        #expect(output.contains("every webhook-sourced field is what its signed body says"), "\(output)")
        #expect(!output.contains(secret.exposedValue))
        let (missing, missingOutput) = try await runLedger(["verify-archive", "--db", path, "--webhook-secrets-file", folder.path("nope")] + migrations)
        #expect(missing == 2 && missingOutput.contains("--webhook-secrets-file: cannot read"), "\(missingOutput)")

        let other = WebhookSecret(key: Array(repeating: 12, count: 32))
        let (wrong, wrongOutput) = try await runLedger(["verify-archive", "--db", path, "--webhook-secrets", other.exposedValue] + migrations)
        #expect(wrong == 1 && wrongOutput.contains("12 do not verify"), "\(wrongOutput)")

        let database = try DatabaseQueue(path: path)
        try await database.write { db in
            try db.execute(sql: "UPDATE webhook_deliveries SET body = CAST(replace(CAST(body AS TEXT), 'arc 3', 'arc 4') AS BLOB) WHERE msg_id = 'msg_arc_3'")
        }
        try database.close()
        let (changed, changedOutput) = try await runLedger(["verify-archive", "--db", path, "--webhook-secrets", secret.exposedValue] + migrations)
        #expect(changed == 1, "\(changedOutput)")
        #expect(changedOutput.contains("1 differ from their recorded SHA-256, e.g. msg_arc_3"))
        #expect(changedOutput.contains("1 do not verify, e.g. msg_arc_3"))
        // The swapped body no longer says what the ledger took from it.
        #expect(changedOutput.contains("O-ARC-3 description: the ledger holds \"arc 3\" but delivery msg_arc_3, which set it, says \"arc 4\""),
                "\(changedOutput)")
    }

    @Test("serve anchors the chains on a schedule and at shutdown, to files and the log; check --anchors verifies them and catches a truncation")
    func anchorsFromServe() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("ledger.sqlite"), anchors = folder.path("anchors"), keyFile = folder.path("anchor-key")
        try ("k1:" + String(repeating: "5a", count: 32) + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        let secret = WebhookSecret(key: Array(repeating: 13, count: 32))
        let service = try ServiceProcess(launching: ServiceProcess.executable, arguments: [
            "serve", "--db", path, "--port", "0", "--migrations", Repository.migrations.path,
            "--anchor-dir", anchors, "--anchor-key-file", keyFile, "--anchor-every", "1s",
        ], secret: secret)
        let load = DeliveryLoad(secret: secret, tag: "anc")
        for index in 0..<6 { #expect(await service.post(load.delivery(index)) == 200) }
        try await Task.sleep(for: .milliseconds(1500))
        for index in 6..<9 { #expect(await service.post(load.delivery(index)) == 200) }
        service.kill(SIGTERM)
        #expect(service.waitForExit() == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: anchors).filter { $0.hasPrefix("anchor-") }
        #expect(files.count >= 2, "\(files)")
        #expect(files.contains { $0.hasPrefix("anchor-9-0-") }, "the shutdown anchor holds the last event: \(files)")
        #expect(service.log.contains("chain anchored"))
        #expect(!service.log.contains(String(repeating: "5a", count: 32)))
        let migrations = ["--migrations", Repository.migrations.path]

        let (status, output) = try await runLedger(["check", "--db", path, "--anchors", anchors, "--anchor-key-file", keyFile] + migrations)
        #expect(status == 0 && output.contains("agree with the live chains (MACs verified)"), "\(output)")

        let database = try DatabaseQueue(path: path)
        try await database.write { db in
            try db.execute(sql: "DROP TRIGGER order_events_no_delete")
            try db.execute(sql: "DELETE FROM order_events WHERE seq > 7")
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = 7 WHERE name = 'order_events'")
        }
        try database.close()
        let (plain, plainOutput) = try await runLedger(["check", "--db", path] + migrations)
        #expect(plain == 0, "without anchors the truncation passes: \(plainOutput)")
        let (caught, caughtOutput) = try await runLedger(["check", "--db", path, "--anchors", anchors, "--anchor-key-file", keyFile] + migrations)
        #expect(caught == 1 && caughtOutput.contains("events were removed"), "\(caughtOutput)")
        let (badKey, badKeyOutput) = try await runLedger(["check", "--db", path, "--anchors", anchors, "--anchor-key-file", folder.path("none")] + migrations)
        #expect(badKey == 2 && badKeyOutput.contains("--anchor-key-file: cannot read"), "\(badKeyOutput)")
    }
}
