import Foundation
import GRDB
@testable import Ledger
import Testing
import TestSupport

/// Committed migrations are append-only: `migrations/SHA256SUMS` pins every file, so an edit to one fails here
/// (and in CI) long before a ledger that applied the old text refuses to start.
@Suite("Committed migrations are pinned")
struct MigrationPinTests {
    /// `SHA256SUMS` as `sha256sum` writes it: digest, two spaces, file name.
    static func pins() throws -> [String: String] {
        let text = try String(contentsOf: Repository.migrations.appendingPathComponent("SHA256SUMS"), encoding: .utf8)
        var pins: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.isEmpty {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            #expect(parts.count == 2, "malformed SHA256SUMS line: \(line)")
            if parts.count == 2 { pins[String(parts[1])] = String(parts[0]) }
        }
        return pins
    }

    @Test("every migration file has a pin, and its SHA-256 still equals it: a committed migration is never edited")
    func everyMigrationMatchesItsPin() throws {
        let pins = try Self.pins()
        let migrations = try Migration.load(from: Repository.migrations)
        for migration in migrations {
            let pin = try #require(pins[migration.name], """
                \(migration.name) has no line in migrations/SHA256SUMS: once it is committed, add it with \
                `cd migrations && sha256sum \(migration.name) >> SHA256SUMS`
                """)
            #expect(migration.checksum == pin, """
                \(migration.name) changed after it was committed (SHA-256 \(migration.checksum), pinned \(pin)). \
                Ledgers that applied it refuse to start; put the change in a new migration instead.
                """)
        }
        #expect(Set(pins.keys) == Set(migrations.map(\.name)), "a pinned migration file is missing")
    }

    @Test("migrations are numbered without gaps or repeats, so their order is the order they were written")
    func numberedInOrder() throws {
        let names = try Migration.load(from: Repository.migrations).map(\.name)
        let numbers = names.compactMap { Int($0.prefix(4)) }
        #expect(numbers.count == names.count, "every migration starts with four digits")
        #expect(numbers == Array(1...names.count), "migration numbers: \(numbers)")
    }

    @Test("the pin is what the runner records: an applied migration's checksum is the file's SHA-256")
    func runnerRecordsThePinnedDigest() throws {
        let ledger = try TemporaryLedger()
        let recorded = try ledger.database.pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, checksum FROM ledger_migrations")
                .map { ($0["name"] as String, $0["checksum"] as String) })
        }
        #expect(recorded == (try Self.pins()))
    }
}
