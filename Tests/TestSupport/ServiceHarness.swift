import AsyncHTTPClient
import Foundation
import GRDB
import Hummingbird
@testable import Ledger
@testable import LedgerServer
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import RunaModels
import ServiceLifecycle
import Synchronization
import Webhooks

/// Log lines captured from the service under test, to prove what it never logs.
public final class CapturedLogs: Sendable {
    public init() {}

    private let lines = Mutex<[String]>([])

    public var all: [String] { lines.withLock { $0 } }

    public func logger() -> Logger {
        var logger = Logger(label: "test") { _ in CapturingHandler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }
}

private struct CapturingHandler: LogHandler {
    public let sink: CapturedLogs
    public var logLevel: Logger.Level = .trace
    public var metadata: Logger.Metadata = [:]

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        sink.append("\(event.level) \(event.message) \(merged)")
    }
}

/// The real service, in process, on a free loopback port with a real SQLite file.
public final class ServiceHarness: Sendable {
    public let folder: TemporaryFolder
    public let secret: WebhookSecret
    public let service: LedgerService
    public let port: Int
    public let logs: CapturedLogs
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    public var databasePath: String { service.settings.databasePath }
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public static func start(maxBodyBytes: Int = 1_048_576, busyTimeout: Double = 0.3,
                      registry: PrometheusCollectorRegistry? = nil, apiTokens: [String] = [],
                      olderSecrets: [WebhookSecret] = []) async throws -> ServiceHarness {
        let folder = try TemporaryFolder()
        let secret = WebhookSecret(key: (0..<32).map { _ in UInt8.random(in: 0...255) })
        var settings = ServiceSettings()
        settings.databasePath = folder.path("ledger.sqlite")
        settings.port = 0
        settings.webhookSecrets = [secret] + olderSecrets
        settings.maxBodyBytes = maxBodyBytes
        settings.busyTimeoutSeconds = busyTimeout
        settings.apiTokens = apiTokens
        let logs = CapturedLogs()
        let logger = logs.logger()
        let service = try LedgerService(settings: settings, migrations: try Migration.load(from: Repository.migrations),
                                        registry: registry, logger: logger)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = service.makeApplication { port in portContinuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return ServiceHarness(folder: folder, secret: secret, service: service, port: port, logs: logs, group: group,
                              running: running)
    }

    private init(folder: TemporaryFolder, secret: WebhookSecret, service: LedgerService, port: Int, logs: CapturedLogs,
                 group: ServiceGroup, running: Task<Void, any Error>) {
        self.folder = folder
        self.secret = secret
        self.service = service
        self.port = port
        self.logs = logs
        self.group = group
        self.running = running
    }

    /// Graceful shutdown, as SIGTERM does it.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// A delivery of `body` signed with this service's secret (or `secret`), at `now + offset` seconds.
    public func signed(_ body: Data, id: String = "msg_\(UUID().uuidString)", offset: Int64 = 0,
                secret: WebhookSecret? = nil) -> SignedDelivery {
        let timestamp = LedgerClock.now().secondsSinceEpoch + offset
        return SignedDelivery(
            id: id, timestamp: String(timestamp),
            signature: SignatureVerifier.sign(id: id, timestamp: timestamp, body: body, secret: secret ?? self.secret),
            body: body)
    }

    public func signed(_ order: RunaOrder, id: String = "msg_\(UUID().uuidString)") -> SignedDelivery {
        signed(RunaJSON.encode(order), id: id)
    }

    /// POSTs to `/webhooks/runa`; returns the status and body.
    public func post(_ delivery: SignedDelivery, headers: [(String, String)]? = nil) async throws -> (Int, String) {
        try await send(path: "/webhooks/runa", method: .POST, headers: headers ?? delivery.headers, body: delivery.body)
    }

    public func get(_ path: String) async throws -> (Int, String) {
        try await send(path: path, method: .GET, headers: [], body: nil)
    }

    public func send(path: String, method: HTTPMethod, headers: [(String, String)], body: Data?) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: collected))
    }

    /// The first column of the first row of `sql`, read from the service's ledger.
    public func value<T: DatabaseValueConvertible & Sendable>(_ sql: String, as type: T.Type = T.self) async throws -> T? {
        try await service.database.pool.read { try T.fetchOne($0, sql: sql) }
    }

    /// Row counts of the tables a delivery writes to.
    public func writtenRows() async throws -> [Int] {
        try await service.database.pool.read { db in
            try ["webhook_deliveries", "orders", "order_events", "reconcile_tasks"].map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1
            }
        }
    }
}
