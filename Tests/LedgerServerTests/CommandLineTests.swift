import Foundation
import GRDB
import Testing
import TestSupport

/// The `runa-ledger` executable's maintenance commands, run as an operator would.
@Suite("migrate and check on the command line")
struct CommandLineTests {
    func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = ServiceProcess.executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test("migrate creates the schema once; check passes on a sound ledger and fails on a tampered one")
    func migrateAndCheck() throws {
        let folder = try TemporaryFolder()
        let db = folder.path("ledger.sqlite")
        let migrations = Repository.migrations.path
        let first = try run(["migrate", "--db", db, "--migrations", migrations])
        #expect(first.0 == 0 && first.1.contains("applied: 0001_ledger.sql"))
        let second = try run(["migrate", "--db", db, "--migrations", migrations])
        #expect(second.0 == 0 && second.1.contains("schema is current"))
        let healthy = try run(["check", "--db", db, "--migrations", migrations])
        #expect(healthy.0 == 0 && healthy.1.hasPrefix("ledger OK"))

        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO order_events (seq, at, order_id, kind, source, cause, changes, prev_hash, hash)
                VALUES (1, 'x', 'O-1', 'order.created', 'webhook', 'forged', '{}', 'bad', 'bad')
                """)
        }
        try queue.close()
        let tampered = try run(["check", "--db", db, "--migrations", migrations])
        #expect(tampered.0 == 1)
        #expect(tampered.1.contains("hash chain: BROKEN at event 1"))
    }

    @Test("check refuses a missing ledger rather than creating one")
    func missingLedger() throws {
        let folder = try TemporaryFolder()
        let result = try run(["check", "--db", folder.path("nope.sqlite")])
        #expect(result.0 == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.path("nope.sqlite")))
    }
}
