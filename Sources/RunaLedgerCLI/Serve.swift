import ArgumentParser
import Foundation
import Hummingbird
import Ledger
import LedgerServer
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `runa-ledger serve`: the webhook listener (and, as they land, the reconciler and query API).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service: receive Runa's signed webhooks into the SQLite ledger.",
        discussion: """
            Every setting is an environment variable with a flag twin; secrets can come from files (NAME_FILE).
            RUNA_WEBHOOK_SECRETS (or RUNA_WEBHOOK_SECRETS_FILE) is required: comma-separated whsec_… secrets.
            Stops gracefully on SIGTERM or SIGINT, finishing in-flight commits. SIGHUP (systemctl reload) re-reads \
            the webhook secrets and API tokens from their files, so a rotation needs no restart.
            """)

    @OptionGroup var options: SettingsOptions
    @Option(name: .customLong("webhook-secrets"), help: "Comma-separated whsec_… secrets (prefer RUNA_WEBHOOK_SECRETS_FILE).")
    var webhookSecrets: String?

    func run() async throws {
        var extraFlags: [ServiceSettings.Key: String] = [:]
        extraFlags[.webhookSecrets] = webhookSecrets
        let settings = try options.load(requireWebhookSecrets: true, extraFlags: extraFlags)
        let logger = LogSetup.bootstrap(level: settings.logLevel)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let service: LedgerService
        do {
            let migrations = try settings.migrations()
            service = try LedgerService(settings: settings, migrations: migrations, registry: registry, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        if settings.runaAPIKey == nil {
            logger.notice("RUNA_API_KEY is not set: the reconciler is off; only webhooks feed the ledger")
        }
        let app = service.makeApplication { port in
            logger.info("listening", metadata: [
                "address": "http://\(settings.host):\(port)", "db": "\(settings.databasePath)",
                "secrets": "\(settings.webhookSecrets.count)",
            ])
        }
        let options = self.options, reloadFlags = extraFlags
        let reloader = ReloadOnHangup(logger: logger) {
            do {
                service.reload(try options.load(requireWebhookSecrets: true, extraFlags: reloadFlags))
            } catch {
                logger.error("settings not reloaded; keeping the current ones", metadata: ["error": "\(error)"])
            }
        }
        let group = ServiceGroup(configuration: .init(
            services: [app, reloader], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}

/// Calls `reload` on every SIGHUP until the service stops.
struct ReloadOnHangup: Service {
    let logger: Logger
    let reload: @Sendable () -> Void

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading secrets and tokens")
            reload()
        }
    }
}

/// `runa-ledger migrate`: apply pending migrations and exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations to the ledger.")

    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let settings = try options.load(requireWebhookSecrets: false)
        do {
            let (database, migrations, applied) = try settings.openLedger()
            try database.close()
            print(applied.isEmpty ? "schema is current (\(migrations.count) migrations)"
                  : "applied: \(applied.joined(separator: ", "))")
        } catch {
            FileHandle.standardError.write(Data("migrate failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `runa-ledger check`: verify the audit hash chain and SQLite's integrity; exit 0 only when both hold.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify the ledger: SQLite's integrity check, both hash chains, the schema and, given, the anchors.",
        discussion: """
            With --anchors DIR every anchor file there must agree with the live chains: the event and access-log \
            entry it records still exist with the hash it recorded. With the anchor keys (--anchor-key-file or \
            LEDGER_ANCHOR_KEY_FILE) each anchor's MAC must verify too.
            """)

    @OptionGroup var options: SettingsOptions
    @Option(name: .customLong("anchors"), help: "A folder of anchor files to check the chains against.")
    var anchors: String?
    @Flag(name: .customLong("progress"), help: "Print each step to standard error as it starts (the default on a terminal).")
    var progress = false

    func run() async throws {
        let settings = try options.load(requireWebhookSecrets: false)
        guard FileManager.default.fileExists(atPath: settings.databasePath) else {
            FileHandle.standardError.write(Data("no ledger at \(settings.databasePath)\n".utf8))
            throw ExitCode(1)
        }
        let report: LedgerCheckReport
        do {
            let migrations = try settings.migrations()
            // Read-only: checking a ledger (or a backup about to be restored) never changes it.
            let started = ContinuousClock.now
            let showProgress = progress || isatty(STDERR_FILENO) == 1
            report = try LedgerDatabase.checkReadOnly(
                path: settings.databasePath, migrations: migrations, anchors: anchors.map(AnchorDirectory.init),
                keyring: settings.anchorKeyring) { step in
                    guard showProgress else { return }
                    let elapsed = (ContinuousClock.now - started).formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))
                    FileHandle.standardError.write(Data("check: \(step) (\(elapsed))\n".utf8))
                }
        } catch {
            FileHandle.standardError.write(Data("check failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
        for line in report.summary { print(line) }
        if !report.isHealthy { throw ExitCode(1) }
    }
}
