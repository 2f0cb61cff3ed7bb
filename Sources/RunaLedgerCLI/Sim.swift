import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RunaSim
import ServiceLifecycle

/// The simulator's knobs as flags, shared by `sim` and `demo`.
struct SimOptions: ParsableArguments {
    @Option(help: "Seed of every random choice: the same seed and requests replay exactly.")
    var seed: UInt64 = 1
    @Option(name: .customLong("complete-after"), help: "Simulated time for an async order to finish (90s, 1m, or seconds).")
    var completeAfter: String = "1s"
    @Option(name: .customLong("fail-rate"), help: "Share of orders that fail (0…1).")
    var failRate: Double = 0
    @Option(name: .customLong("drop-rate"), help: "Share of webhook messages never sent.")
    var dropRate: Double = 0
    @Option(name: .customLong("duplicate-rate"), help: "Share of webhook messages delivered twice.")
    var duplicateRate: Double = 0
    @Flag(help: "Deliver webhook messages out of order.")
    var reorder = false
    @Option(name: .customLong("reorder-window"), help: "Real seconds over which --reorder spreads first attempts.")
    var reorderWindow: Double = 2
    @Option(name: .customLong("corrupt-rate"), help: "Share of delivery attempts with a corrupted signature.")
    var corruptRate: Double = 0
    @Option(name: .customLong("max-delay"), help: "Largest extra simulated delay before a message's first attempt.")
    var maxDelay: String = "0"
    @Option(name: .customLong("rate-limit"), help: "API requests per second before 429 (default: unlimited).")
    var rateLimit: Double?
    @Option(name: .customLong("retry-after"), help: "Retry-After seconds sent with a 429 (default: none, as Runa).")
    var retryAfter: Int?
    @Option(name: .customLong("orders-per-minute"), help: "POST /order requests per minute before 429 (Runa: 300; 0 for none).")
    var ordersPerMinute: Int = 300
    @Option(name: .customLong("list-order"), help: "Which end GET /order starts from: newest-first or oldest-first.")
    var listOrder: String = "newest-first"
    @Option(name: .customLong("failed-order-shape"), help: "GET /order/{id} of a FAILED order: full (items: []) or incomplete ({id, status, message}).")
    var failedOrderShape: String = "full"
    @Option(name: .customLong("sync-processing"), help: "Real seconds a sync order takes (its key is in progress meanwhile).")
    var syncProcessing: Double = 0
    @Option(name: .customLong("removed-version"), help: "An X-Api-Version to answer 410 version_removed (repeatable).")
    var removedVersions: [String] = []
    @Option(name: .customLong("error-rate"), help: "Share of API requests answered 500/503.")
    var errorRate: Double = 0
    @Option(name: .customLong("slow-rate"), help: "Share of API requests answered slowly.")
    var slowRate: Double = 0
    @Option(name: .customLong("slow-seconds"), help: "How slowly, in real seconds.")
    var slowSeconds: Double = 2
    @Option(name: .customLong("truncate-rate"), help: "Share of successful API answers cut short.")
    var truncateRate: Double = 0
    @Option(name: .customLong("time-scale"), help: "Simulated seconds per real second.")
    var timeScale: Double = 1
    @Option(name: .customLong("claim-rate"), help: "Share of payout links claimed after completion.")
    var claimRate: Double = 0.5
    @Option(name: .customLong("cancel-rate"), help: "Share of payout links cancelled after completion.")
    var cancelRate: Double = 0.05
    @Option(name: .customLong("link-expiry"), help: "Payout link lifetime (simulated), or 'never'.")
    var linkExpiry: String = "30d"
    @Option(name: .customLong("payout-change-within"), help: "Simulated time within which claims and cancellations happen.")
    var payoutChangeWithin: String = "7d"

    func validate() throws {
        for (name, value) in [("fail-rate", failRate), ("drop-rate", dropRate), ("duplicate-rate", duplicateRate),
                              ("corrupt-rate", corruptRate), ("error-rate", errorRate), ("slow-rate", slowRate),
                              ("truncate-rate", truncateRate), ("claim-rate", claimRate), ("cancel-rate", cancelRate)]
            where !(0...1).contains(value) {
            throw ValidationError("--\(name) must be between 0 and 1")
        }
        guard SimConfiguration.ListOrder(rawValue: listOrder) != nil else {
            throw ValidationError("--list-order: expected newest-first or oldest-first")
        }
        guard FailedOrderShape(rawValue: failedOrderShape) != nil else {
            throw ValidationError("--failed-order-shape: expected full or incomplete")
        }
        guard ordersPerMinute >= 0, syncProcessing >= 0 else {
            throw ValidationError("--orders-per-minute and --sync-processing must not be negative")
        }
        guard timeScale > 0 else { throw ValidationError("--time-scale must be above 0") }
        guard claimRate + cancelRate <= 1 else { throw ValidationError("--claim-rate plus --cancel-rate must not exceed 1") }
        if let rateLimit, rateLimit <= 0 { throw ValidationError("--rate-limit must be above 0") }
        guard Self.seconds(completeAfter) != nil else { throw ValidationError("--complete-after: expected a duration") }
        guard Self.seconds(maxDelay) != nil else { throw ValidationError("--max-delay: expected a duration") }
        guard Self.seconds(payoutChangeWithin).map({ $0 >= 60 }) == true else {
            throw ValidationError("--payout-change-within: expected a duration of at least 60s")
        }
        guard reorderWindow >= 0 else { throw ValidationError("--reorder-window must not be negative") }
        guard linkExpiry == "never" || Self.seconds(linkExpiry) != nil else {
            throw ValidationError("--link-expiry: expected a duration or 'never'")
        }
    }

    func configuration(apiKey: String, webhookURL: String?, webhookSecret: String?) -> SimConfiguration {
        var configuration = SimConfiguration(apiKey: apiKey, webhookURL: webhookURL, webhookSecret: webhookSecret)
        configuration.seed = seed
        configuration.completeAfterSeconds = Self.seconds(completeAfter) ?? 1
        configuration.failRate = failRate
        configuration.dropRate = dropRate
        configuration.duplicateRate = duplicateRate
        configuration.reorder = reorder
        configuration.reorderWindowSeconds = reorderWindow
        configuration.corruptRate = corruptRate
        configuration.maxDelaySeconds = Self.seconds(maxDelay) ?? 0
        configuration.rateLimit = rateLimit
        configuration.retryAfterSeconds = retryAfter
        configuration.ordersPerMinute = ordersPerMinute == 0 ? nil : ordersPerMinute
        configuration.listOrder = SimConfiguration.ListOrder(rawValue: listOrder) ?? .newestFirst
        configuration.failedOrderShape = FailedOrderShape(rawValue: failedOrderShape) ?? .full
        configuration.syncProcessingSeconds = syncProcessing
        configuration.removedVersions.formUnion(removedVersions)
        configuration.supportedVersions.subtract(removedVersions)
        configuration.errorRate = errorRate
        configuration.slowRate = slowRate
        configuration.slowSeconds = slowSeconds
        configuration.truncateRate = truncateRate
        configuration.timeScale = timeScale
        configuration.claimRate = claimRate
        configuration.cancelRate = cancelRate
        configuration.linkExpirySeconds = linkExpiry == "never" ? nil : Self.seconds(linkExpiry)
        configuration.payoutChangeWithinSeconds = Self.seconds(payoutChangeWithin) ?? 7 * 86_400
        return configuration
    }

    /// `90s`, `10m`, `1h`, `1d`, `0.5` (seconds, fractions allowed).
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        if let last = text.last, let unit = units[last] { return Double(text.dropLast()).map { $0 * unit } }
        return Double(text)
    }
}

/// `runa-ledger sim`: Runa's order API and Svix delivery, simulated on a loopback port.
struct Sim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Runa simulator: the order API under /v2 and Svix-signed webhook delivery, with faults.",
        discussion: "Prints one line with its base URL when ready; stops cleanly on SIGTERM or SIGINT.")

    @Option(help: "Listen address.") var host = "127.0.0.1"
    @Option(help: "Listen port (0 picks a free one).") var port = 0
    @Option(name: .customLong("api-key"), help: "The API key the simulated API accepts.") var apiKey: String?
    @Option(name: .customLong("api-key-file"), help: "A file holding the API key the simulated API accepts.")
    var apiKeyFile: String?
    @Option(name: .customLong("webhook-url"), help: "Where to deliver order.completion webhooks.") var webhookURL: String?
    @Option(name: .customLong("webhook-secret"), help: "The whsec_… secret webhooks are signed with.") var webhookSecret: String?
    @Option(name: .customLong("webhook-secret-file"), help: "A file holding the whsec_… secret webhooks are signed with.")
    var webhookSecretFile: String?
    @OptionGroup var simulation: SimOptions
    @Option(help: "Orders to create before serving (a long history for benchmarks).") var preload = 0

    func validate() throws {
        if (apiKey == nil) == (apiKeyFile == nil) { throw ValidationError("give one of --api-key and --api-key-file") }
        if webhookSecret != nil, webhookSecretFile != nil {
            throw ValidationError("give --webhook-secret or --webhook-secret-file, not both")
        }
        if (webhookURL == nil) != (webhookSecret == nil && webhookSecretFile == nil) {
            throw ValidationError("--webhook-url and --webhook-secret (or --webhook-secret-file) go together")
        }
    }

    /// `value`, or the trimmed contents of `file`.
    private func secret(_ value: String?, file: String?, flag: String) throws -> String? {
        guard let file else { return value }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("\(flag): cannot read \(file)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func run() async throws {
        let apiKey = try secret(apiKey, file: apiKeyFile, flag: "--api-key-file") ?? ""
        let webhookSecret = try secret(webhookSecret, file: webhookSecretFile, flag: "--webhook-secret-file")
        let logger = LogSetup.bootstrap(level: ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "warning")
        let simulator = try RunaSimulator(
            configuration: simulation.configuration(apiKey: apiKey, webhookURL: webhookURL, webhookSecret: webhookSecret),
            logger: logger)
        simulator.preload(preload)
        let server = SimServer(simulator: simulator, host: host, port: port, logger: logger)
        let app = server.makeApplication { port in
            FileHandle.standardOutput.write(Data("runa-sim listening on http://\(host):\(port)/v2\n".utf8))
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: logger))
        try await group.run()
    }
}
