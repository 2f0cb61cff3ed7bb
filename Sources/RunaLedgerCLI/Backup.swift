import ArgumentParser
import Foundation
import Ledger

/// `runa-ledger backup --to FILE`: an online, consistent, verified copy of the ledger.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the live ledger to a new file, then verify the copy.",
        discussion: """
            Safe while `serve` runs: the copy is one read snapshot (VACUUM INTO), so deliveries keep arriving. The \
            copy is checked (integrity, hash chain, schema) before it takes its final name; its SHA-256 is printed. \
            Restore by stopping the service, checking the copy with `runa-ledger check --db FILE`, and putting it \
            in place of the ledger with any old -wal and -shm files removed (docs/operations.md).
            """)

    @OptionGroup var options: SettingsOptions

    @Option(name: .customLong("to"), help: "The backup file to create (must not exist).")
    var destination: String

    func run() async throws {
        let settings = try options.load(requireWebhookSecrets: false)
        guard FileManager.default.fileExists(atPath: settings.databasePath) else {
            FileHandle.standardError.write(Data("no ledger at \(settings.databasePath)\n".utf8))
            throw ExitCode(1)
        }
        do {
            let migrations = try Migration.load(from: settings.resolvedMigrationsDirectory())
            let database = try LedgerDatabase(path: settings.databasePath, busyTimeout: settings.busyTimeoutSeconds)
            defer { try? database.close() }
            let report = try database.backup(to: destination, migrations: migrations)
            print("backup written: \(report.path) (\(report.bytes) bytes)")
            print("sha256: \(report.sha256)")
            for line in report.check.summary { print(line) }
        } catch {
            FileHandle.standardError.write(Data("backup failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
