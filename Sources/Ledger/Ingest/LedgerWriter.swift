import Foundation
import GRDB
import Logging
import Metrics
import RunaModels

/// A verified webhook delivery, ready to be recorded.
public struct WebhookRecord: Sendable {
    public var messageId: String
    public var receivedAt: Timestamp
    public var signedAt: Timestamp
    /// The exact bytes that were signed.
    public var body: Data
    public var bodySHA256: String
    /// The signature header as received, kept so the archive can be re-verified (`runa-ledger verify-archive`).
    public var signatures: String?
    /// What the body turned out to be.
    public var content: DeliveryContent {
        didSet { observation = Self.observe(content) }
    }
    /// The order in merge-ready form, built once, on the caller's task rather than in the writer.
    private(set) var observation: Observation?

    public init(
        messageId: String, receivedAt: Timestamp, signedAt: Timestamp, body: Data, bodySHA256: String,
        signatures: String? = nil, content: DeliveryContent
    ) {
        self.signatures = signatures
        self.messageId = messageId
        self.receivedAt = receivedAt
        self.signedAt = signedAt
        self.body = body
        self.bodySHA256 = bodySHA256
        self.content = content
        self.observation = Self.observe(content)
    }

    private static func observe(_ content: DeliveryContent) -> Observation? {
        guard case .order(let order) = content else { return nil }
        return Observation(webhook: order)
    }

    /// The event type recorded with the delivery (Svix sends none; it is inferred from the body).
    public var eventType: String { content.eventType }

    /// The order the delivery is about, when it is an order.
    public var orderId: String? {
        if case .order(let order) = content { return order.id }
        return nil
    }
}

/// What recording a delivery did. The raw values are the `webhook_deliveries.outcome` column's.
public enum DeliveryOutcome: String, Sendable {
    /// The order changed; events were appended.
    case applied
    /// The delivery was new but told the ledger nothing new.
    case noChange = "no_change"
    /// Not an order: recorded and acknowledged.
    case ignored
    /// Verified but unintelligible: kept for a human.
    case quarantined
    /// This message id was recorded before: nothing was written.
    case duplicate
}

/// The ledger's single writer: every change goes through here, in group-committed transactions.
///
/// A batch is written as ``BatchWrite`` writes one: straight through, and again with a SAVEPOINT per delivery when
/// one fails, so one bad delivery fails alone. The batch commits once, and only after its log frames are synced to
/// disk is any caller told its outcome: the commit writes the log (`synchronous=NORMAL` for this transaction
/// only), then ``WALFlusher`` runs the `fdatasync` that
/// `synchronous=FULL` would have run inside the commit, while the writer goes on with the next batch. When the commit
/// fails, every caller in the batch gets ``LedgerError/unavailable(_:)`` and nothing of the batch is stored — so a
/// delivery answered 503 is not remembered as seen, and Svix's retry of it is applied normally. When the sync fails,
/// every caller gets the same 503; the batch may be stored, so Svix's retry is answered as a duplicate.
public final class LedgerWriter: Sendable {
    private let database: LedgerDatabase
    private let committer: GroupCommitter<WebhookRecord, DeliveryOutcome>

    /// - Parameter maximumBatch: the most deliveries sharing one commit.
    public convenience init(database: LedgerDatabase, maximumBatch: Int = 512, logger: Logger) {
        let flusher = database.flusher
        self.init(database: database, maximumBatch: maximumBatch, logger: logger, sync: { try await flusher.flush() })
    }

    /// - Parameter sync: makes everything committed before the call durable (``WALFlusher/flush()``); each batch's
    ///   callers are answered only after a call that began after its commit has returned.
    init(database: LedgerDatabase, maximumBatch: Int, logger: Logger, sync: @escaping @Sendable () async throws -> Void) {
        self.database = database
        let batchSizes = Recorder(label: "runa_ledger_commit_batch_size")
        let batchDurations = Metrics.Timer(label: "runa_ledger_commit_duration_seconds")
        let pool = database.pool
        self.committer = GroupCommitter(maximumBatch: maximumBatch, durable: sync) { records in
            batchSizes.record(records.count)
            let started = ContinuousClock.now
            defer { batchDurations.recordNanoseconds((ContinuousClock.now - started).nanoseconds) }
            do {
                return try await BatchWrite.commit(pool) { isolated, db in
                    try Self.recordBatch(records, isolated: isolated, db: db, logger: logger)
                }
            } catch {
                logger.error("commit failed; the batch is answered 503", metadata: [
                    "deliveries": "\(records.count)", "error": "\(LedgerError.unavailable(error))",
                ])
                return Array(repeating: .failure(LedgerError.unavailable(error)), count: records.count)
            }
        }
    }

    /// Records `records` in the caller's transaction (``BatchWrite/apply(_:isolated:db:failedAlone:_:)``): straight
    /// through, or, `isolated`, each delivery in its own SAVEPOINT, a failing one logged and answered 503 alone.
    static func recordBatch(_ records: [WebhookRecord], isolated: Bool, db: Database, logger: Logger) throws
        -> [Result<DeliveryOutcome, any Error>]
    {
        let now = WriteMoment(LedgerClock.now())
        return try BatchWrite.apply(records, isolated: isolated, db: db, failedAlone: { record, error in
            logger.error("delivery could not be recorded", metadata: [
                "msg_id": "\(record.messageId)", "error": "\(LedgerError.unavailable(error))",
            ])
            return LedgerError.unavailable(error)
        }) { record, head in
            try Self.record(record, now: now, head: &head, db: db)
        }
    }

    /// Records one verified delivery and returns once it is durably committed (or has failed).
    public func record(_ record: WebhookRecord) async throws(LedgerError) -> DeliveryOutcome {
        do {
            return try await committer.submit(record)
        } catch {
            throw LedgerError.unavailable(error)
        }
    }

    /// Records one delivery inside the caller's transaction: dedupe, then ``OrderWrite`` (load, merge, save, audit)
    /// for an order, then the delivery row.
    static func record(_ record: WebhookRecord, now: WriteMoment, head: inout AuditTrail.Head, db: Database) throws
        -> DeliveryOutcome
    {
        let seen = try db.cachedStatement(sql: "SELECT 1 FROM webhook_deliveries WHERE msg_id = ?")
        if try Bool.fetchOne(seen, arguments: [record.messageId]) != nil { return .duplicate }

        let outcome: DeliveryOutcome
        var error: String?
        switch record.content {
        case .order:
            // Built with the record, on the caller's task: the writer only merges.
            guard let observation = record.observation else { preconditionFailure("an order record without its observation") }
            let written = try OrderWrite.apply(observation, cause: "webhook:\(record.messageId)", at: now,
                                               head: &head, db: db)
            outcome = written.decision.events.isEmpty ? .noChange : .applied
        case .ignored, .productUpdate:
            outcome = .ignored
        case .quarantined(let problem):
            outcome = .quarantined
            error = problem.description
        }
        try db.cachedStatement(sql: """
            INSERT INTO webhook_deliveries (msg_id, received_at, signed_at, body_sha256, event_type, order_id,
                outcome, error, body, signatures)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                record.messageId, record.receivedAt.canonical, record.signedAt.canonical, record.bodySHA256,
                record.eventType, record.orderId, outcome.rawValue, error, record.body, record.signatures,
            ])
        return outcome
    }
}

extension LedgerDatabase {
    /// Ignored deliveries by the event type their body showed (`product.update`, `unrecognised`).
    public func ignoredDeliveriesByEventType() async throws -> [String: Int] {
        try await pool.read { db in
            // The partial index's own condition, written out: SQLite uses a partial index only for a query that
            // repeats it.
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: """
                SELECT event_type, count(*) AS n FROM webhook_deliveries
                WHERE outcome IN ('quarantined', 'ignored') AND outcome = 'ignored' GROUP BY event_type
                """).map { ($0["event_type"] as String, $0["n"] as Int) })
        }
    }
}
