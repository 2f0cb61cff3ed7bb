import ArgumentParser
import Foundation
import Ledger

/// `runa-ledger backup --to FILE`: an online, consistent, verified copy of the ledger.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the live ledger to a new file, then verify the copy.",
        discussion: """
            Safe while `serve` runs: the copy is one read snapshot (VACUUM INTO on a read-only connection), so \
            deliveries keep arriving and the ledger is never changed. The copy is checked (integrity, hash chain, \
            schema) and flushed before it takes its final name; its SHA-256 is printed. An existing file is never \
            overwritten. `runa-ledger restore` puts a copy back (docs/operations.md).
            """)

    @OptionGroup var options: SettingsOptions

    @Option(name: .customLong("to"), help: "The backup file to create (must not exist).")
    var destination: String

    func run() async throws {
        let settings = try options.load(requireWebhookSecrets: false)
        do {
            let migrations = try settings.migrations()
            let report = try LedgerDatabase.backup(from: settings.databasePath, to: destination, migrations: migrations)
            print("backup written: \(report.path) (\(report.bytes) bytes)")
            print("sha256: \(report.sha256)")
            for line in report.check.summary { print(line) }
        } catch {
            FileHandle.standardError.write(Data("backup failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `runa-ledger restore --from FILE`: a verified copy of a backup (or any ledger file) in place of the ledger.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a verified copy of a backup in place of the ledger (stop the service first).",
        discussion: """
            FILE is checked first; if it is not sound nothing changes. The current ledger and any -wal and -shm \
            beside it are moved aside together (….before-restore-<time>), so an old write-ahead log is never read \
            with the restored file; then FILE is copied in (including any write-ahead log of its own) and checked.
            """)

    @OptionGroup var options: SettingsOptions

    @Option(name: .customLong("from"), help: "The backup, restored replica or rebuilt ledger to put in place.")
    var source: String

    func run() async throws {
        let settings = try options.load(requireWebhookSecrets: false)
        do {
            let migrations = try settings.migrations()
            let report = try LedgerDatabase.restore(from: source, to: settings.databasePath, migrations: migrations)
            for aside in report.movedAside { print("moved aside: \(aside)") }
            print("restored: \(report.restored.path) from \(source) (sha256 \(report.restored.sha256))")
            for line in report.restored.check.summary { print(line) }
        } catch {
            FileHandle.standardError.write(Data("restore failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
