import Foundation
import HTTPCommon
import Hummingbird
import HummingbirdCore
import QueryAPI
import Ledger
import Logging
import Prometheus
import Reconciler
import ServiceLifecycle
import Webhooks

/// The running service: the SQLite ledger, its single writer and the HTTP application in front of them.
///
/// ``makeApplication(onServerRunning:)`` builds the Hummingbird application; its service group stops the HTTP
/// server first (in-flight requests, and therefore their commits, finish) and closes the database last.
public struct LedgerService: Sendable {
    public let settings: ServiceSettings
    public let database: LedgerDatabase
    public let writer: LedgerWriter
    public let migrations: [Migration]
    public let registry: PrometheusCollectorRegistry?
    public let logger: Logger
    /// The background reconciler; `nil` without `RUNA_API_KEY`.
    public let reconciler: Reconciler?
    /// The read-only `/v1` API.
    public let queryAPI: QueryAPI
    /// Deliveries the webhook endpoint answered without storing anything.
    let deliveryCounters = DeliveryCounters()
    /// The webhook secrets in use (replaced by ``reload(_:)``).
    public let verifier: LiveVerifier
    /// Memory shared by large webhook bodies being read.
    let bodyBudget: BodyBudget

    /// Opens the database and checks migrations; fails when the schema is not current (`runa-ledger migrate`).
    public init(settings: ServiceSettings, migrations: [Migration], registry: PrometheusCollectorRegistry?,
                logger: Logger, migrateOnStart: Bool = true) throws {
        self.settings = settings
        self.migrations = migrations
        self.registry = registry
        self.logger = logger
        let database = try LedgerDatabase(path: settings.databasePath, busyTimeout: settings.busyTimeoutSeconds)
        if migrateOnStart {
            let applied = try database.migrate(migrations)
            if !applied.isEmpty { logger.info("migrations applied", metadata: ["names": "\(applied)"]) }
        } else {
            let pending = try database.pendingMigrations(migrations)
            guard pending.isEmpty else {
                throw LedgerError.migration("pending migrations \(pending); run `runa-ledger migrate`")
            }
        }
        self.database = database
        self.verifier = LiveVerifier(SignatureVerifier(secrets: settings.webhookSecrets))
        self.bodyBudget = BodyBudget(bytes: settings.connectionLimits.bodyBudgetBytes)
        self.writer = LedgerWriter(database: database, logger: logger)
        self.queryAPI = try QueryAPI(database: database, tokens: settings.apiTokens, counters: deliveryCounters)
        self.reconciler = settings.makeGateway().map {
            Reconciler(database: database, gateway: $0, configuration: settings.reconcilerConfiguration, logger: logger)
        }
    }

    /// The router of every route the service answers.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        WebhookController(verifier: verifier, writer: writer, maxBodyBytes: settings.maxBodyBytes,
                          counters: deliveryCounters, bodyBudget: bodyBudget).addRoutes(to: router)
        HealthController(database: database, migrations: migrations).addRoutes(to: router)
        queryAPI.addRoutes(to: router)
        if let registry, settings.metricsPort == nil { MetricsController(registry: registry, gauges: stateGauges).addRoutes(to: router) }
        return router
    }

    /// Takes the webhook secrets and API tokens of `settings` (re-read from their files) without a restart: what
    /// `systemctl reload` (SIGHUP) does. Other settings need a restart. With no webhook secret the old ones stay.
    public func reload(_ settings: ServiceSettings) {
        guard !settings.webhookSecrets.isEmpty else {
            logger.error("settings not reloaded: no webhook secret; keeping the current ones")
            return
        }
        verifier.replace(with: SignatureVerifier(secrets: settings.webhookSecrets))
        queryAPI.tokens.replace(with: settings.apiTokens)
        logger.notice("settings reloaded", metadata: [
            "secrets": "\(settings.webhookSecrets.count)", "api_tokens": "\(settings.apiTokens.count)",
        ])
    }

    var stateGauges: StateGauges { StateGauges(database: database, breaker: reconciler?.gateway.breaker) }

    /// The HTTP application, with the database closed after the server has stopped.
    public func makeApplication(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var services: [any Service] = [DatabaseCloser(database: database, logger: logger)]
        if let registry, let metricsPort = settings.metricsPort {
            let metricsRouter = Router()
            MetricsController(registry: registry, gauges: stateGauges).addRoutes(to: metricsRouter)
            services.append(Application(
                router: metricsRouter,
                configuration: .init(address: .hostname(settings.host, port: metricsPort), serverName: nil),
                logger: logger))
        }
        // Stopped in reverse order: the server first, then the reconciler, the last anchor, and the database last.
        if let keyring = settings.anchorKeyring {
            services.append(AnchorService(
                database: database, keyring: keyring, directory: settings.anchorDirectory.map(AnchorDirectory.init),
                interval: .seconds(settings.anchorIntervalSeconds), logger: logger))
        }
        if let reconciler { services.append(reconciler) }
        let limits = settings.connectionLimits
        return Application(
            responder: HeadRequestResponder(wrapped: makeRouter().buildResponder()),
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionDeadlineHandler(limits: limits)])),
            configuration: .init(
                address: .hostname(settings.host, port: settings.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: logger)),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}

/// Keeps the database open while the service runs and closes it once everything after it has stopped.
struct DatabaseCloser: Service {
    let database: LedgerDatabase
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try database.close()
            logger.info("ledger closed")
        } catch {
            logger.error("ledger did not close cleanly", metadata: ["error": "\(error)"])
        }
    }
}
