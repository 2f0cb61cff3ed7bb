import GRDB
import RunaModels

/// A moment of a write transaction, as a timestamp and as the ledger's text for it (formatted once).
struct WriteMoment: Sendable {
    let time: Timestamp
    let text: String

    init(_ time: Timestamp) {
        self.time = time
        self.text = time.canonical
    }
}

/// The one sequence every change to an order goes through, whether a webhook delivery or Runa's answer brought it:
/// **load, merge, save, audit**. The caller then records what surrounds it in the same transaction (the delivery
/// row, or the reconciler's task bookkeeping) and **applies** the staged search rows before it commits.
enum OrderWrite {
    /// What one write did.
    struct Written {
        /// The order as it was before (`nil`: the write created it).
        var previous: LedgerOrder?
        var decision: MergeDecision
    }

    /// Loads the order `observation` is about, merges the observation, saves the result and appends its events to
    /// the chain after `head`. Facts outside the order are read only when a rule needs them.
    static func apply(
        _ observation: Observation, cause: String, at now: WriteMoment, stuckAfterSeconds: Int64? = nil,
        head: inout AuditTrail.Head, db: Database
    ) throws -> Written {
        let id = observation.order.id
        let stored = try OrderRepository.loadStored(id, db: db)
        let current = stored?.order
        var facts = OrderFacts(now: now.time, stuckAfterSeconds: stuckAfterSeconds)
        if observation.isAuthoritative {
            if current == nil { facts.announcedByWebhook = try OrderRepository.wasAnnounced(id, db: db) }
            if observation.order.status == .processing, observation.order.createdAt == nil {
                facts.firstSeenAt = stored?.firstSeenAt.flatMap { Timestamp(rfc3339: $0) }
            }
        }
        let decision = MergeRules.merge(current, with: observation, facts: facts)
        if decision.isChange {
            try OrderRepository.save(decision, previous: current, source: observation.source,
                                     itemColumns: observation.itemColumns, now: now.text, db: db)
        }
        try AuditTrail.append(decision.events, orderId: id, source: observation.source, cause: cause, at: now.text,
                              head: &head, db: db)
        return Written(previous: current, decision: decision)
    }
}
