import ArgumentParser
import Foundation
import LedgerServer

/// The flag twins of the environment variables; a flag wins over its variable.
struct SettingsOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "SQLite file (LEDGER_DB; default ./data/ledger.sqlite).")
    var db: String?
    @Option(name: .customLong("host"), help: "Listen address (LEDGER_HOST; default 127.0.0.1).")
    var host: String?
    @Option(name: .customLong("port"), help: "Listen port (LEDGER_PORT; default 8080; 0 picks a free one).")
    var port: String?
    @Option(name: .customLong("metrics-port"), help: "Serve /metrics on this port instead (LEDGER_METRICS_PORT).")
    var metricsPort: String?
    @Option(name: .customLong("max-body-bytes"), help: "Webhook body limit (LEDGER_MAX_BODY_BYTES; default 1048576).")
    var maxBodyBytes: String?
    @Option(name: .customLong("migrations"), help: "Folder of *.sql migrations (LEDGER_MIGRATIONS).")
    var migrations: String?
    @Option(name: .customLong("busy-timeout"), help: "Wait for a database lock before answering 503 (LEDGER_BUSY_TIMEOUT; default 2s).")
    var busyTimeout: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .customLong("runa-base-url"), help: "Runa's API base URL with /v2 (RUNA_BASE_URL).")
    var runaBaseURL: String?
    @Option(name: .customLong("runa-requests-per-second"), help: "The reconciler's budget towards Runa (RUNA_REQUESTS_PER_SECOND; default 5).")
    var runaRequestsPerSecond: String?
    @Option(name: .customLong("runa-max-concurrency"), help: "Calls to Runa in flight at once (RUNA_MAX_CONCURRENCY; default 4).")
    var runaMaxConcurrency: String?
    @Option(name: .customLong("reconcile-interval"), help: "Pause between reconciler passes (RECONCILE_INTERVAL; default 60s).")
    var reconcileInterval: String?
    @Option(name: .customLong("reconcile-stale-after"), help: "Fetch PROCESSING orders older than this (RECONCILE_STALE_AFTER; default 10m).")
    var reconcileStaleAfter: String?
    @Option(name: .customLong("reconcile-full-walk-every"), help: "Walk Runa's whole order list again this often (RECONCILE_FULL_WALK_EVERY; default 1d).")
    var reconcileFullWalkEvery: String?
    @Option(name: .customLong("payout-refresh"), help: "Re-check ACTIVE payouts at these ages (RECONCILE_PAYOUT_REFRESH; default 1h,6h,1d,7d).")
    var payoutRefresh: String?
    @Option(name: .customLong("rate-limit-min-wait"), help: "Least wait after a 429 (RUNA_RATE_LIMIT_MIN_WAIT; default 5s).")
    var rateLimitMinWait: String?
    @Option(name: .customLong("header-timeout"), help: "Close a connection whose request headers take longer (LEDGER_HEADER_TIMEOUT; default 10s).")
    var headerTimeout: String?
    @Option(name: .customLong("body-timeout"), help: "Close a connection whose request body takes longer (LEDGER_BODY_TIMEOUT; default 30s).")
    var bodyTimeout: String?
    @Option(name: .customLong("idle-timeout"), help: "Close a keep-alive connection idle this long (LEDGER_IDLE_TIMEOUT; default 60s).")
    var idleTimeout: String?
    @Option(name: .customLong("max-connections"), help: "Connections open at once; more wait (LEDGER_MAX_CONNECTIONS; default 512).")
    var maxConnections: String?
    @Option(name: .customLong("body-budget-bytes"), help: "Memory all large webhook bodies may share beyond their first 64 KiB (LEDGER_BODY_BUDGET_BYTES; default 33554432).")
    var bodyBudgetBytes: String?
    @Option(name: .customLong("anchor-dir"), help: "Write signed chain anchors here, one file each (LEDGER_ANCHOR_DIR).")
    var anchorDir: String?
    @Option(name: .customLong("anchor-every"), help: "Anchor the chains this often (LEDGER_ANCHOR_EVERY; default 5m).")
    var anchorEvery: String?

    // Secrets come from files, so they never show in `ps` or shell history.
    @Option(name: .customLong("webhook-secrets-file"), help: "File of comma-separated whsec_… secrets (RUNA_WEBHOOK_SECRETS_FILE).")
    var webhookSecretsFile: String?
    @Option(name: .customLong("api-tokens-file"), help: "File of comma-separated role:id:token entries (LEDGER_API_TOKENS_FILE).")
    var apiTokensFile: String?
    @Option(name: .customLong("runa-api-key-file"), help: "File holding the Runa API key (RUNA_API_KEY_FILE).")
    var runaAPIKeyFile: String?
    @Option(name: .customLong("anchor-key-file"), help: "File of id:hex anchor keys, the first signing (LEDGER_ANCHOR_KEY_FILE).")
    var anchorKeyFile: String?

    var flags: [ServiceSettings.Key: String] {
        var flags: [ServiceSettings.Key: String] = [:]
        flags[.databasePath] = db
        flags[.host] = host
        flags[.port] = port
        flags[.metricsPort] = metricsPort
        flags[.maxBodyBytes] = maxBodyBytes
        flags[.migrationsDirectory] = migrations
        flags[.busyTimeout] = busyTimeout
        flags[.logLevel] = logLevel
        flags[.runaBaseURL] = runaBaseURL
        flags[.runaRequestsPerSecond] = runaRequestsPerSecond
        flags[.runaMaxConcurrency] = runaMaxConcurrency
        flags[.reconcileInterval] = reconcileInterval
        flags[.reconcileStaleAfter] = reconcileStaleAfter
        flags[.reconcileFullWalkEvery] = reconcileFullWalkEvery
        flags[.payoutRefresh] = payoutRefresh
        flags[.rateLimitMinimumWait] = rateLimitMinWait
        flags[.headerTimeout] = headerTimeout
        flags[.bodyTimeout] = bodyTimeout
        flags[.idleTimeout] = idleTimeout
        flags[.maxConnections] = maxConnections
        flags[.bodyBudget] = bodyBudgetBytes
        flags[.anchorDirectory] = anchorDir
        flags[.anchorEvery] = anchorEvery
        return flags
    }

    var fileFlags: [ServiceSettings.Key: String] {
        var files: [ServiceSettings.Key: String] = [:]
        files[.webhookSecrets] = webhookSecretsFile
        files[.apiTokens] = apiTokensFile
        files[.runaAPIKey] = runaAPIKeyFile
        files[.anchorKey] = anchorKeyFile
        return files
    }

    /// Reads the settings or exits (status 2) with one line per problem.
    func load(requireWebhookSecrets: Bool, extraFlags: [ServiceSettings.Key: String] = [:]) throws -> ServiceSettings {
        do {
            return try ServiceSettings.load(environment: ProcessInfo.processInfo.environment,
                                            flags: flags.merging(extraFlags) { $1 }, fileFlags: fileFlags,
                                            requireWebhookSecrets: requireWebhookSecrets)
        } catch {
            for line in error.lines { FileHandle.standardError.write(Data("configuration: \(line)\n".utf8)) }
            throw ExitCode(2)
        }
    }
}
