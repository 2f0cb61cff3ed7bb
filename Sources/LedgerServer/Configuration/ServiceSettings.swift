import Foundation
import Ledger
import QueryAPI
import Webhooks

/// Every setting of the service, read from environment variables (each with a `--flag` twin that wins over it)
/// and, for secrets, from files named by `NAME_FILE`.
///
/// Parsing collects every problem, one line each, so an operator fixes a bad configuration in one go.
/// Secrets are never part of any message.
public struct ServiceSettings: Sendable {
    public var databasePath = "./data/ledger.sqlite"
    public var host = "127.0.0.1"
    public var port = 8080
    /// `/metrics` on its own port when set; otherwise on the main port.
    public var metricsPort: Int?
    /// Query API bearer tokens. Empty: every `/v1` route answers 401.
    public var apiTokens: [String] = []
    public var maxBodyBytes = 1_048_576
    public var webhookSecrets: [WebhookSecret] = []
    public var runaAPIKey: String?
    public var runaBaseURL = "https://api.runa.io/v2"
    public var runaRequestsPerSecond = 5.0
    public var runaMaxConcurrency = 4
    public var reconcileIntervalSeconds: Int64 = 60
    public var reconcileStaleAfterSeconds: Int64 = 600
    /// How often Runa's whole order list is walked again, start to end (resumed across passes).
    public var reconcileFullWalkSeconds: Int64 = 86_400
    public var payoutRefreshSeconds: [Int64] = [3_600, 21_600, 86_400, 604_800]
    /// The least time to wait after a 429 (Runa asks for 5 s; lower it only against the simulator).
    public var rateLimitMinimumWaitSeconds: Double = 5
    /// Where the `*.sql` migrations are; by default `./migrations`, else next to the executable.
    public var migrationsDirectory: String?
    /// How long a write waits for a lock held elsewhere before the delivery is answered 503.
    public var busyTimeoutSeconds = 2.0
    public var logLevel = "info"
    /// Header, body and keep-alive deadlines, and the cap on open connections.
    public var connectionLimits = ConnectionLimits()
    /// The keys that sign chain anchors; anchors are off without them.
    public var anchorKeyring: AnchorKeyring?
    /// Where anchors are written, one file each; without it they go to the log only (for a notary reading it).
    public var anchorDirectory: String?
    public var anchorIntervalSeconds: Int64 = 300

    public init() {}

    /// What each setting is called in the environment, and the flag that overrides it.
    public enum Key: String, CaseIterable, Sendable {
        case databasePath = "LEDGER_DB"
        case host = "LEDGER_HOST"
        case port = "LEDGER_PORT"
        case metricsPort = "LEDGER_METRICS_PORT"
        case apiTokens = "LEDGER_API_TOKENS"
        case maxBodyBytes = "LEDGER_MAX_BODY_BYTES"
        case webhookSecrets = "RUNA_WEBHOOK_SECRETS"
        case runaAPIKey = "RUNA_API_KEY"
        case runaBaseURL = "RUNA_BASE_URL"
        case runaRequestsPerSecond = "RUNA_REQUESTS_PER_SECOND"
        case runaMaxConcurrency = "RUNA_MAX_CONCURRENCY"
        case reconcileInterval = "RECONCILE_INTERVAL"
        case reconcileStaleAfter = "RECONCILE_STALE_AFTER"
        case reconcileFullWalkEvery = "RECONCILE_FULL_WALK_EVERY"
        case payoutRefresh = "RECONCILE_PAYOUT_REFRESH"
        case rateLimitMinimumWait = "RUNA_RATE_LIMIT_MIN_WAIT"
        case migrationsDirectory = "LEDGER_MIGRATIONS"
        case busyTimeout = "LEDGER_BUSY_TIMEOUT"
        case logLevel = "LOG_LEVEL"
        case headerTimeout = "LEDGER_HEADER_TIMEOUT"
        case bodyTimeout = "LEDGER_BODY_TIMEOUT"
        case idleTimeout = "LEDGER_IDLE_TIMEOUT"
        case maxConnections = "LEDGER_MAX_CONNECTIONS"
        case bodyBudget = "LEDGER_BODY_BUDGET_BYTES"
        case anchorKey = "LEDGER_ANCHOR_KEY"
        case anchorDirectory = "LEDGER_ANCHOR_DIR"
        case anchorEvery = "LEDGER_ANCHOR_EVERY"

        /// The command-line flag twin (`--db`, `--port`, …).
        public var flag: String {
            switch self {
            case .databasePath: return "--db"
            case .host: return "--host"
            case .port: return "--port"
            case .metricsPort: return "--metrics-port"
            case .apiTokens: return "--api-tokens"
            case .maxBodyBytes: return "--max-body-bytes"
            case .webhookSecrets: return "--webhook-secrets"
            case .runaAPIKey: return "--runa-api-key"
            case .runaBaseURL: return "--runa-base-url"
            case .runaRequestsPerSecond: return "--runa-requests-per-second"
            case .runaMaxConcurrency: return "--runa-max-concurrency"
            case .reconcileInterval: return "--reconcile-interval"
            case .reconcileStaleAfter: return "--reconcile-stale-after"
            case .reconcileFullWalkEvery: return "--reconcile-full-walk-every"
            case .payoutRefresh: return "--payout-refresh"
            case .rateLimitMinimumWait: return "--rate-limit-min-wait"
            case .migrationsDirectory: return "--migrations"
            case .busyTimeout: return "--busy-timeout"
            case .logLevel: return "--log-level"
            case .headerTimeout: return "--header-timeout"
            case .bodyTimeout: return "--body-timeout"
            case .idleTimeout: return "--idle-timeout"
            case .maxConnections: return "--max-connections"
            case .bodyBudget: return "--body-budget-bytes"
            case .anchorKey: return "--anchor-key-file"
            case .anchorDirectory: return "--anchor-dir"
            case .anchorEvery: return "--anchor-every"
            }
        }

        /// Settings that may hold secrets: readable from `NAME_FILE`, never echoed.
        public var isSecret: Bool { [.apiTokens, .webhookSecrets, .runaAPIKey, .anchorKey].contains(self) }

        /// The `--…-file` flag that reads a secret setting from a file, so it never shows in `ps`.
        public var fileFlag: String? {
            switch self {
            case .apiTokens: return "--api-tokens-file"
            case .webhookSecrets: return "--webhook-secrets-file"
            case .runaAPIKey: return "--runa-api-key-file"
            case .anchorKey: return "--anchor-key-file"
            default: return nil
            }
        }
    }

    /// The problems found while reading settings, one line each.
    public struct Problems: Error, Sendable, CustomStringConvertible {
        public var lines: [String]
        public var description: String { lines.joined(separator: "\n") }
    }

    /// Reads settings from `environment`, with `flags` (keyed like the environment) taking precedence.
    ///
    /// - Parameter requireWebhookSecrets: `serve` cannot run without them; `migrate` and `check` can.
    /// - Parameter fileFlags: secret settings given as `--…-file` flags: the files to read them from.
    public static func load(
        environment: [String: String], flags: [Key: String] = [:], fileFlags: [Key: String] = [:],
        requireWebhookSecrets: Bool
    ) throws(Problems) -> ServiceSettings {
        var settings = ServiceSettings()
        var problems: [String] = []

        func read(_ path: String, for source: String) -> String? {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else {
                problems.append("\(source): cannot read \(path)")
                return nil
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func raw(_ key: Key) -> String? {
            if let flag = flags[key] { return flag }
            if key.isSecret, let path = fileFlags[key] { return read(path, for: key.fileFlag ?? key.flag) }
            if let value = environment[key.rawValue] { return value }
            if key.isSecret, let path = environment[key.rawValue + "_FILE"] { return read(path, for: key.rawValue + "_FILE") }
            return nil
        }
        func name(_ key: Key) -> String { "\(key.rawValue) (\(key.flag))" }
        func integer(_ key: Key, in range: ClosedRange<Int>) -> Int? {
            guard let text = raw(key) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                problems.append("\(name(key)): expected a whole number in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
                return nil
            }
            return value
        }
        func duration(_ key: Key) -> Int64? {
            guard let text = raw(key) else { return nil }
            guard let seconds = DurationText.seconds(text), seconds > 0 else {
                problems.append("\(name(key)): expected a duration such as 90s, 10m, 1h, 1d or plain seconds, got \"\(text)\"")
                return nil
            }
            return seconds
        }
        func list(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        if let path = raw(.databasePath) {
            if path.isEmpty { problems.append("\(name(.databasePath)): must not be empty") } else { settings.databasePath = path }
        }
        if let host = raw(.host) {
            if host.isEmpty { problems.append("\(name(.host)): must not be empty") } else { settings.host = host }
        }
        if let port = integer(.port, in: 0...65_535) { settings.port = port }
        settings.metricsPort = integer(.metricsPort, in: 0...65_535)
        if let tokens = raw(.apiTokens) {
            settings.apiTokens = list(tokens)
            if settings.apiTokens.contains(where: { APITokens.parse($0).token.count < 16 }) {
                problems.append("\(name(.apiTokens)): every token must be at least 16 characters")
            }
            for entry in settings.apiTokens {
                let parts = entry.split(separator: ":", maxSplits: 2)
                if parts.count == 3, parts[0].allSatisfy({ $0.isLetter && $0.isLowercase }), APIRole(rawValue: String(parts[0])) == nil {
                    problems.append("\(name(.apiTokens)): unknown role \"\(parts[0])\" (role:id:token takes "
                        + APIRole.allCases.map(\.rawValue).joined(separator: " or ") + ")")
                }
            }
        }
        if let limit = integer(.maxBodyBytes, in: 1_024...(64 << 20)) { settings.maxBodyBytes = limit }
        if let secrets = raw(.webhookSecrets) {
            for (index, text) in list(secrets).enumerated() {
                do {
                    settings.webhookSecrets.append(try WebhookSecret(text))
                } catch {
                    problems.append("\(name(.webhookSecrets)): secret #\(index + 1): \(error)")
                }
            }
        }
        if requireWebhookSecrets, settings.webhookSecrets.isEmpty, !problems.contains(where: { $0.hasPrefix(Key.webhookSecrets.rawValue) }) {
            problems.append("\(name(.webhookSecrets)): required: the whsec_… signing secret(s) from Runa's webhook portal (or set \(Key.webhookSecrets.rawValue)_FILE)")
        }
        if let key = raw(.runaAPIKey), !key.isEmpty { settings.runaAPIKey = key }
        if let url = raw(.runaBaseURL) {
            if let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil {
                settings.runaBaseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            } else {
                problems.append("\(name(.runaBaseURL)): expected an http(s) URL such as https://api.runa.io/v2, got \"\(url)\"")
            }
        }
        if let text = raw(.runaRequestsPerSecond) {
            if let rate = Double(text), rate > 0, rate <= 1_000 { settings.runaRequestsPerSecond = rate } else {
                problems.append("\(name(.runaRequestsPerSecond)): expected a number above 0 and at most 1000, got \"\(text)\"")
            }
        }
        if let concurrency = integer(.runaMaxConcurrency, in: 1...64) { settings.runaMaxConcurrency = concurrency }
        if let seconds = duration(.reconcileInterval) { settings.reconcileIntervalSeconds = seconds }
        if let seconds = duration(.reconcileStaleAfter) { settings.reconcileStaleAfterSeconds = seconds }
        if let seconds = duration(.reconcileFullWalkEvery) { settings.reconcileFullWalkSeconds = seconds }
        if let text = raw(.payoutRefresh) {
            let steps = list(text).map(DurationText.seconds)
            if steps.isEmpty || steps.contains(where: { ($0 ?? 0) <= 0 }) {
                problems.append("\(name(.payoutRefresh)): expected durations separated by commas, such as 1h,6h,1d,7d, got \"\(text)\"")
            } else {
                settings.payoutRefreshSeconds = steps.compactMap { $0 }
            }
        }
        if let text = raw(.rateLimitMinimumWait) {
            if let seconds = Double(text.hasSuffix("s") ? String(text.dropLast()) : text), seconds >= 0, seconds <= 600 {
                settings.rateLimitMinimumWaitSeconds = seconds
            } else {
                problems.append("\(name(.rateLimitMinimumWait)): expected seconds such as 5 or 0.5s, got \"\(text)\"")
            }
        }
        if let directory = raw(.migrationsDirectory), !directory.isEmpty { settings.migrationsDirectory = directory }
        if let text = raw(.busyTimeout) {
            if let seconds = DurationText.seconds(text), seconds > 0, seconds <= 30 {
                settings.busyTimeoutSeconds = Double(seconds)
            } else {
                problems.append("\(name(.busyTimeout)): expected a duration between 1s and 30s, got \"\(text)\"")
            }
        }
        if let level = raw(.logLevel) {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            if levels.contains(level) { settings.logLevel = level } else {
                problems.append("\(name(.logLevel)): expected one of \(levels.joined(separator: ", ")), got \"\(level)\"")
            }
        }
        if let seconds = duration(.headerTimeout) { settings.connectionLimits.headerTimeout = .seconds(seconds) }
        if let seconds = duration(.bodyTimeout) { settings.connectionLimits.bodyTimeout = .seconds(seconds) }
        if let seconds = duration(.idleTimeout) { settings.connectionLimits.idleTimeout = .seconds(seconds) }
        if let cap = integer(.maxConnections, in: 16...65_536) { settings.connectionLimits.maxConnections = cap }
        if let bytes = integer(.bodyBudget, in: (1 << 20)...(1 << 30)) { settings.connectionLimits.bodyBudgetBytes = bytes }
        if let text = raw(.anchorKey) {
            do { settings.anchorKeyring = try AnchorKeyring(parsing: text) } catch {
                problems.append("\(name(.anchorKey)): \(error)")
            }
        }
        if let directory = raw(.anchorDirectory), !directory.isEmpty { settings.anchorDirectory = directory }
        if let seconds = duration(.anchorEvery) { settings.anchorIntervalSeconds = seconds }
        if settings.anchorDirectory != nil, settings.anchorKeyring == nil, !problems.contains(where: { $0.hasPrefix(Key.anchorKey.rawValue) }) {
            problems.append("\(name(.anchorDirectory)): anchors need their key: set \(Key.anchorKey.rawValue)_FILE (or --anchor-key-file)")
        }
        guard problems.isEmpty else { throw Problems(lines: problems) }
        return settings
    }

    /// The migrations folder to use: the configured one, `./migrations`, or `../share/runa-ledger/migrations`
    /// beside the executable (how `deploy/` installs it).
    public func resolvedMigrationsDirectory(executablePath: String = CommandLine.arguments[0]) -> URL {
        if let migrationsDirectory { return URL(fileURLWithPath: migrationsDirectory) }
        let local = URL(fileURLWithPath: "migrations")
        if FileManager.default.fileExists(atPath: local.path) { return local }
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/runa-ledger/migrations")
    }

    /// The migrations of ``resolvedMigrationsDirectory(executablePath:)``.
    public func migrations() throws -> [Migration] {
        try Migration.load(from: resolvedMigrationsDirectory())
    }

    /// The configured ledger, opened with these settings' lock wait and its pending migrations applied: how every
    /// command that writes opens it.
    public func openLedger() throws -> (database: LedgerDatabase, migrations: [Migration], applied: [String]) {
        let migrations = try migrations()
        let database = try LedgerDatabase(path: databasePath, busyTimeout: busyTimeoutSeconds)
        let applied = try database.migrate(migrations)
        return (database, migrations, applied)
    }
}

import Reconciler
import RunaClient

extension ServiceSettings {
    /// The reconciler's settings from these.
    public var reconcilerConfiguration: ReconcilerConfiguration {
        var configuration = ReconcilerConfiguration()
        configuration.intervalSeconds = reconcileIntervalSeconds
        configuration.staleAfterSeconds = reconcileStaleAfterSeconds
        configuration.fullWalkIntervalSeconds = reconcileFullWalkSeconds
        configuration.payoutRefreshSeconds = payoutRefreshSeconds
        configuration.maxConcurrency = runaMaxConcurrency
        return configuration
    }

    /// The one gateway to Runa's API, when an API key is configured.
    public func makeGateway() -> RunaGateway? {
        guard let runaAPIKey else { return nil }
        var policy = RetryPolicy()
        policy.minimumRateLimitWait = .milliseconds(Int64(rateLimitMinimumWaitSeconds * 1000))
        return RunaGateway(client: RunaAPIClient(baseURL: runaBaseURL, apiKey: runaAPIKey),
                           requestsPerSecond: runaRequestsPerSecond, maxConcurrency: runaMaxConcurrency, policy: policy)
    }
}
