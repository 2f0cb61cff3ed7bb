import ArgumentParser
import Foundation
import Ledger
import LedgerServer
import Logging
import Reconciler

/// Opens the ledger and the reconciler for a one-off command, or exits with a clear line.
private func openReconciler(_ options: SettingsOptions) throws -> (LedgerDatabase, Reconciler) {
    let settings = try options.load(requireWebhookSecrets: false)
    let logger = LogSetup.bootstrap(level: settings.logLevel == "info" ? "warning" : settings.logLevel)
    guard let gateway = settings.makeGateway() else {
        FileHandle.standardError.write(Data("configuration: RUNA_API_KEY (or RUNA_API_KEY_FILE) is required\n".utf8))
        throw ExitCode(2)
    }
    let database = try settings.openLedger().database
    return (database, Reconciler(database: database, gateway: gateway, configuration: settings.reconcilerConfiguration,
                                 logger: logger))
}

/// `runa-ledger reconcile --once`: one pass; exit 0 when the ledger is in step with Runa.
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one reconciler pass against Runa's API.",
        discussion: "Exit status 0 when the ledger is in step afterwards; 1 with a summary when work or disputes remain.")

    @OptionGroup var options: SettingsOptions
    @Flag(help: "Run a single pass (the only mode; the service runs passes continuously).") var once = false

    func run() async throws {
        let (database, reconciler) = try openReconciler(options)
        let summary = await reconciler.pass()
        try database.close()
        let backlog = summary.backlog
        say("checked \(summary.run.checked) orders, changed \(summary.run.changed), discovered \(summary.discovered),",
            "discrepancies \(summary.run.discrepancies), errors \(summary.run.errors)")
        if let backlog {
            say("backlog: \(backlog.due) due, \(backlog.waiting) waiting, \(backlog.disputed) disputed,",
                "\(backlog.processing) processing, \(backlog.withoutDetails) without item details")
        }
        if let errors = summary.run.errorSummary { say("last error: \(errors)") }
        guard backlog?.isInStep == true, summary.run.errors == 0 else {
            say("NOT in step")
            throw ExitCode(1)
        }
        say("in step")
    }
}

/// `runa-ledger backfill`: walk Runa's whole order history into the ledger; resumable.
struct Backfill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk the whole GET /order history into the ledger (resumes after an interruption).")

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let (database, reconciler) = try openReconciler(options)
        let terminal = isatty(STDOUT_FILENO) == 1
        let started = ContinuousClock.now
        let result = try await reconciler.backfill { progress in
            let elapsed = Double((ContinuousClock.now - started).components.seconds)
            let line = "pages \(progress.pages)  listed \(progress.listed)  queued \(progress.queued)  fetched \(progress.fetched)"
                + (progress.walkingDone ? "  (history walked)" : "") + String(format: "  %.0fs", elapsed)
            if terminal {
                let width = 30
                let done = progress.queued == 0 ? width : min(width, progress.fetched * width / max(progress.queued, 1))
                FileHandle.standardOutput.write(Data(("\r[" + String(repeating: "#", count: done)
                    + String(repeating: ".", count: width - done) + "] " + line).utf8))
            } else {
                say(line)
            }
        }
        if terminal { say("") }
        try database.close()
        say("backfill done: \(result.listed) orders listed, \(result.fetched) fetched, \(result.remaining) left for later")
        if result.remaining > 0 { throw ExitCode(1) }
    }
}
