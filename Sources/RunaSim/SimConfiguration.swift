/// Every knob of the simulator. Each one is a flag of `runa-ledger sim` and a parameter in tests.
public struct SimConfiguration: Sendable {
    /// The only API key the simulated API accepts (`X-Api-Key`).
    public var apiKey: String
    /// Where `order.completion` webhooks go; none are sent when `nil`.
    public var webhookURL: String?
    /// The `whsec_…` secret webhooks are signed with.
    public var webhookSecret: String?
    /// Seeds every random choice, so a run with the same requests replays exactly.
    public var seed: UInt64 = 1
    /// Simulated seconds for an async order to finish.
    public var completeAfterSeconds: Double = 1
    /// Share of orders that fail instead of completing.
    public var failRate: Double = 0
    /// Share of webhook messages never sent.
    public var dropRate: Double = 0
    /// Share of webhook messages delivered twice (same message id, as Svix does).
    public var duplicateRate: Double = 0
    /// Deliver messages out of order: each waits a random part of `reorderWindowSeconds` first.
    public var reorder: Bool = false
    public var reorderWindowSeconds: Double = 2
    /// Share of delivery attempts whose signature is corrupted (the receiver must answer 401; Svix retries).
    public var corruptRate: Double = 0
    /// Largest extra delay (simulated seconds) added to a message's first attempt; 0 for none.
    public var maxDelaySeconds: Double = 0
    /// API requests per second across all endpoints before 429; `nil` for unlimited.
    public var rateLimit: Double?
    /// `Retry-After` seconds sent with a 429; `nil` sends none (Runa promises none: wait at least 5 s).
    public var retryAfterSeconds: Int?
    /// Order creation's own limit: `POST /order` requests per minute, failed ones included (Runa: 300); `nil` for
    /// none.
    public var ordersPerMinute: Int? = 300
    /// Which end `GET /order` starts from. Runa does not document it, so the ledger must work with both.
    public var listOrder: ListOrder = .newestFirst
    /// How `GET /order/{id}` answers for a FAILED order (Runa does not document it either).
    public var failedOrderShape: FailedOrderShape = .full
    /// Real seconds a sync order takes to process; a second request with its key meanwhile is
    /// `idempotency_in_progress`.
    public var syncProcessingSeconds: Double = 0
    /// `X-Api-Version` values answered normally (absent means the account's version, the same).
    public var supportedVersions: Set<String> = ["2024-02-05"]
    /// `X-Api-Version` values answered `410 version_removed` (`changelog-api.mdx`: 2023-01-16 and 2023-07-27).
    public var removedVersions: Set<String> = ["2023-01-16", "2023-07-27"]
    /// Share of API requests answered with a 500/503.
    public var errorRate: Double = 0
    /// Share of API requests answered slowly, and how slowly (real seconds).
    public var slowRate: Double = 0
    public var slowSeconds: Double = 2
    /// Share of successful API answers whose body is cut short.
    public var truncateRate: Double = 0
    /// Simulated seconds per real second: divides completion delays, payout changes, link expiry and Svix's retry
    /// schedule. The clock itself is never scaled: timestamps are real moments.
    public var timeScale: Double = 1
    /// Payout life after completion, in simulated time: chances of being claimed or cancelled, and link expiry.
    public var claimRate: Double = 0.5
    public var cancelRate: Double = 0.05
    /// Simulated seconds within which a claim or cancellation happens.
    public var payoutChangeWithinSeconds: Double = 7 * 86_400
    /// Link lifetime; `nil` means links never expire (`expiry_date: null`).
    public var linkExpirySeconds: Double? = 30 * 86_400
    /// Svix's retry schedule in simulated seconds: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    public var retrySchedule: [Double] = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000]

    /// Which end of the history `GET /order` starts from.
    public enum ListOrder: String, Sendable, CaseIterable {
        case newestFirst = "newest-first"
        case oldestFirst = "oldest-first"
    }

    public init(apiKey: String, webhookURL: String? = nil, webhookSecret: String? = nil) {
        self.apiKey = apiKey
        self.webhookURL = webhookURL
        self.webhookSecret = webhookSecret
    }
}
