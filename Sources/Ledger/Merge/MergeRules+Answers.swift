import RunaModels

/// Facts about an order that live outside its own state, read by the write path for the rules that need them.
///
/// A webhook needs none of them; Runa's own answers do: whether a webhook ever named the order, and since when it has
/// been PROCESSING.
public struct OrderFacts: Sendable, Equatable {
    /// The moment the observation is applied.
    public var now: Timestamp
    /// Whether any webhook delivery named the order. Read only when an authoritative answer creates the order.
    public var announcedByWebhook: Bool
    /// When the ledger first saw the order: its PROCESSING age counts from here when Runa gives no `created_at`.
    public var firstSeenAt: Timestamp?
    /// How long an order may stay PROCESSING before it is reported stuck; `nil` never reports it.
    public var stuckAfterSeconds: Int64?

    public init(now: Timestamp, announcedByWebhook: Bool = true, firstSeenAt: Timestamp? = nil,
                stuckAfterSeconds: Int64? = nil) {
        self.now = now
        self.announcedByWebhook = announcedByWebhook
        self.firstSeenAt = firstSeenAt
        self.stuckAfterSeconds = stuckAfterSeconds
    }
}

extension MergeRules {
    /// The dispute key of an order reported stuck in PROCESSING.
    static let stuckProcessing = "stuck_processing"

    /// Merges `observation`, then applies the rules only Runa's own answer (an authoritative observation) triggers:
    ///
    /// - **The webhook never came.** An order such an answer creates, that no delivery ever named, gets a
    ///   `discrepancy` event saying so.
    /// - **Stuck in PROCESSING.** An order still PROCESSING `stuckAfterSeconds` after it began (its `created_at`, or
    ///   when the ledger first saw it) is disputed as `stuck_processing` with a `discrepancy` event, once.
    /// - **No longer stuck.** That dispute is resolved, with a `discrepancy.resolved` event, once the order finishes.
    public static func merge(_ current: LedgerOrder?, with observation: Observation, facts: OrderFacts) -> MergeDecision {
        var decision = merge(current, with: observation)
        guard observation.isAuthoritative else { return decision }
        if current == nil, !facts.announcedByWebhook {
            decision.events.append(ChangeEvent(kind: .discrepancy, changes: [
                FieldChange(field: "webhook", before: nil, after: .text("never received")),
            ]))
        }
        if decision.order.status == .processing, decision.order.disputes[stuckProcessing] == nil,
           let stuckAfter = facts.stuckAfterSeconds {
            let since = observation.order.createdAt ?? facts.firstSeenAt ?? facts.now
            if since.adding(seconds: stuckAfter) < facts.now {
                decision.order.disputes[stuckProcessing] = CanonicalJSON.quote(since.canonical)
                decision.events.append(ChangeEvent(kind: .discrepancy, changes: [
                    FieldChange(field: stuckProcessing, before: nil, after: .time(since)),
                ]))
                decision.isChange = true
            }
        }
        if decision.order.status.isTerminal, let stuck = decision.order.disputes.removeValue(forKey: stuckProcessing) {
            decision.events.append(ChangeEvent(kind: .discrepancyResolved, changes: [
                FieldChange(field: stuckProcessing, before: .json(stuck), after: nil),
            ]))
            decision.isChange = true
        }
        return decision
    }
}
