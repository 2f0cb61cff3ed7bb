import ArgumentParser
import Foundation
import Ledger

/// `runa-ledger close --period 2026-10`: the month-end close package, bound into the hash chain.
struct Close: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Close a month: write its immutable package (CSV, manifest, SHA256SUMS) and record it in the ledger.",
        discussion: """
            The package holds the month's orders, items, payouts and exact totals per currency and status (orders \
            belong to the UTC month of their listing time), a manifest with row counts, totals and the SHA-256 of \
            every file, and SHA256SUMS for `sha256sum -c`. The manifest's SHA-256 is appended to the event hash \
            chain. A month that is not complete (completeness watermark, orders still PROCESSING, without item \
            details or disputed) is refused with what is missing, unless --force with --reason, which is recorded. \
            Every later change to one of its orders is an adjustment against the close (GET /v1/closes/{period}). \
            Safe while `serve` runs.
            """)

    @OptionGroup var options: SettingsOptions

    @Option(help: "The month to close, YYYY-MM (UTC).")
    var period: String

    @Option(help: "Where to write the package (must not exist). Default: closes/<period> beside the ledger file.")
    var out: String?

    @Flag(help: "Close even though the month is not complete (needs --reason).")
    var force = false

    @Option(help: "Why a forced close is acceptable; kept in the ledger and the manifest.")
    var reason: String?

    func run() async throws {
        guard let month = ClosePeriod(period) else {
            throw ValidationError("--period must be a month written YYYY-MM, like 2026-10")
        }
        let settings = try options.load(requireWebhookSecrets: false)
        let directory = out ?? URL(fileURLWithPath: settings.databasePath).deletingLastPathComponent()
            .appendingPathComponent("closes").appendingPathComponent(month.description).path
        do {
            let database = try settings.openLedger().database
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: directory).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            let result = try await database.closePeriod(month, into: directory, force: force, reason: reason)
            try database.close()
            let manifest = result.manifest
            print("closed \(manifest.period)\(manifest.forced ? " (FORCED: \(manifest.forceReason ?? ""))" : "") into \(result.directory)")
            for file in manifest.files { print("  \(file.name): \(file.rows) rows, sha256 \(file.sha256)") }
            print("  manifest.json: sha256 \(result.manifestSHA256) (event \(result.eventSeq) of the hash chain)")
            for total in manifest.totals {
                print("  \(total.currency.isEmpty ? "-" : total.currency) \(total.status): \(total.orders) orders, "
                    + "total_price \(total.totalPrice), discount \(total.totalDiscount), \(total.items) items, face value \(total.faceValue)")
            }
            if !manifest.missing.isEmpty { print("  missing at close: " + manifest.missing.joined(separator: "; ")) }
            if result.adjustmentsAtClose > 0 {
                print("  \(result.adjustmentsAtClose) change(s) arrived while the package was written: recorded as adjustments")
            }
            print("verify: (cd \(result.directory) && sha256sum -c SHA256SUMS)")
        } catch let error as PeriodCloseError {
            FileHandle.standardError.write(Data("close refused: \(error)\n".utf8))
            throw ExitCode(2)
        } catch {
            FileHandle.standardError.write(Data("close failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
