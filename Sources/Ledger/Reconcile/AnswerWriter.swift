import GRDB
import RunaModels

/// Applies Runa's answers (`GET /order/{id}`) many to a commit, as ``LedgerWriter`` records webhook deliveries.
///
/// A backfill keeps `RUNA_MAX_CONCURRENCY` calls in flight; each answer used to be its own durable commit, so at
/// 1,000 requests/s the writer, not Runa's budget, set the pace. Answers that arrive while a batch commits form the
/// next batch, written as ``BatchWrite`` writes one (a failing answer fails alone). Callers are answered only after
/// the log holding their batch is synced (``WALFlusher``).
final class AnswerWriter: Sendable {
    /// One authoritative answer and how to apply it (``LedgerDatabase/applyAuthoritative(_:source:cause:now:recheckSeconds:stuckAfterSeconds:)``).
    struct Answer: Sendable {
        var observation: Observation
        var cause: String
        var now: Timestamp
        var recheckSeconds: Int64
        var stuckAfterSeconds: Int64
    }

    private let committer: GroupCommitter<Answer, AppliedObservation>

    init(pool: DatabasePool, flusher: WALFlusher, maximumBatch: Int = 256) {
        committer = GroupCommitter(maximumBatch: maximumBatch, durable: { try await flusher.flush() }) { answers in
            do {
                return try await BatchWrite.commit(pool) { isolated, db in try Self.apply(answers, isolated: isolated, db: db) }
            } catch {
                return Array(repeating: .failure(error), count: answers.count)
            }
        }
    }

    /// Applies `answer` and returns once it is durably committed (or has failed).
    func apply(_ answer: Answer) async throws -> AppliedObservation {
        try await committer.submit(answer)
    }

    /// Applies `answers` in the caller's transaction (``BatchWrite/apply(_:isolated:db:failedAlone:_:)``).
    static func apply(_ answers: [Answer], isolated: Bool, db: Database) throws -> [Result<AppliedObservation, any Error>] {
        try BatchWrite.apply(answers, isolated: isolated, db: db) { answer, head in try apply(answer, head: &head, db: db) }
    }

    /// One answer inside the caller's transaction: ``OrderWrite`` (load, merge, save, audit), then the payouts'
    /// check time and the order's next task, if it is not settled.
    private static func apply(_ answer: Answer, head: inout AuditTrail.Head, db: Database) throws -> AppliedObservation {
        let moment = WriteMoment(answer.now)
        let orderId = answer.observation.order.id
        let written = try OrderWrite.apply(answer.observation, cause: answer.cause, at: moment,
                                           stuckAfterSeconds: answer.stuckAfterSeconds, head: &head, db: db)
        let result = written.decision.order
        try db.cachedStatement(sql: "UPDATE payouts SET last_checked_at = ? WHERE order_id = ?")
            .execute(arguments: [moment.text, orderId])
        try db.cachedStatement(sql: "DELETE FROM reconcile_tasks WHERE order_id = ?").execute(arguments: [orderId])
        if !(result.status.isTerminal && result.detailsKnown && result.disputes.isEmpty) {
            let reason: TaskReason = result.status == .processing ? .stale : .conflict
            try db.cachedStatement(sql: """
                INSERT INTO reconcile_tasks (order_id, reason, not_before, created_at) VALUES (?, ?, ?, ?)
                """).execute(arguments: [orderId, reason.rawValue, answer.now.adding(seconds: answer.recheckSeconds).canonical,
                                         moment.text])
        }
        let events = written.decision.events
        return AppliedObservation(created: written.previous == nil, events: events.count,
                                  discrepancies: events.filter { $0.kind == .discrepancy }.count,
                                  terminal: result.status.isTerminal)
    }
}
