import RunaModels
import Testing
import TestSupport
@testable import Ledger

/// The rules only Runa's own answer (`GET /order/{id}`) triggers, on plain values: no database.
@Suite("Merge rules for Runa's answers")
struct AnswerRulesTests {
    static let day: Int64 = 86_400
    static let now = Sample.created.adding(seconds: 2 * day)

    static func facts(announced: Bool = true, firstSeenAt: Timestamp? = nil, stuckAfter: Int64? = day) -> OrderFacts {
        OrderFacts(now: now, announcedByWebhook: announced, firstSeenAt: firstSeenAt, stuckAfterSeconds: stuckAfter)
    }

    static func discrepancies(_ decision: MergeDecision, _ field: String) -> Int {
        decision.events.filter { $0.kind == .discrepancy && $0.changes.contains { $0.field == field } }.count
    }

    @Test("an order Runa's answer creates that no webhook named is recorded with a 'webhook never received' discrepancy")
    func webhookNeverCame() {
        let answer = Sample.api(Sample.completed(items: [Sample.item()]))
        let unannounced = MergeRules.merge(nil, with: answer, facts: Self.facts(announced: false))
        #expect(Self.discrepancies(unannounced, "webhook") == 1)
        #expect(unannounced.events.last?.changes == [FieldChange(field: "webhook", before: nil, after: .text("never received"))])
        #expect(Self.discrepancies(MergeRules.merge(nil, with: answer, facts: Self.facts(announced: true)), "webhook") == 0)
    }

    @Test("a webhook, or an answer about an order the ledger holds, never says the webhook did not come")
    func neverCameOnlyOnCreation() {
        let webhook = MergeRules.merge(nil, with: Sample.webhook(Sample.completed()), facts: Self.facts(announced: false))
        #expect(Self.discrepancies(webhook, "webhook") == 0)
        let held = MergeRules.merge(nil, with: Sample.webhook(Sample.completed())).order
        let answer = MergeRules.merge(held, with: Sample.api(Sample.completed(items: [Sample.item()])),
                                      facts: Self.facts(announced: false))
        #expect(Self.discrepancies(answer, "webhook") == 0)
    }

    @Test("PROCESSING longer than the limit since created_at is disputed as stuck, once")
    func stuckOnce() {
        let held = MergeRules.merge(nil, with: Sample.webhook(Sample.processing())).order
        let first = MergeRules.merge(held, with: Sample.api(Sample.processing()), facts: Self.facts())
        #expect(first.isChange)
        #expect(Self.discrepancies(first, "stuck_processing") == 1)
        #expect(first.order.disputes["stuck_processing"] == CanonicalJSON.quote(Sample.created.canonical))
        let again = MergeRules.merge(first.order, with: Sample.api(Sample.processing()), facts: Self.facts())
        #expect(Self.discrepancies(again, "stuck_processing") == 0)
        #expect(!again.isChange)
    }

    @Test("within the limit, without a limit, or from a webhook, a PROCESSING order is not stuck")
    func notStuck() {
        let held = MergeRules.merge(nil, with: Sample.webhook(Sample.processing())).order
        let young = MergeRules.merge(held, with: Sample.api(Sample.processing()), facts: Self.facts(stuckAfter: 3 * Self.day))
        let unlimited = MergeRules.merge(held, with: Sample.api(Sample.processing()), facts: Self.facts(stuckAfter: nil))
        let webhook = MergeRules.merge(held, with: Sample.webhook(Sample.processing()), facts: Self.facts())
        for decision in [young, unlimited, webhook] {
            #expect(Self.discrepancies(decision, "stuck_processing") == 0)
            #expect(decision.order.disputes["stuck_processing"] == nil)
        }
    }

    @Test("an answer without created_at (IncompleteOrder) counts the age from when the ledger first saw the order")
    func stuckFromFirstSeen() {
        let incomplete = RunaOrder(id: "O-1", status: .processing)
        let held = MergeRules.merge(nil, with: Sample.webhook(incomplete)).order
        let recent = MergeRules.merge(held, with: Sample.api(incomplete),
                                      facts: Self.facts(firstSeenAt: Self.now.adding(seconds: -60)))
        #expect(Self.discrepancies(recent, "stuck_processing") == 0)
        let old = Self.now.adding(seconds: -Self.day - 1)
        let stuck = MergeRules.merge(held, with: Sample.api(incomplete), facts: Self.facts(firstSeenAt: old))
        #expect(stuck.events.last?.changes == [FieldChange(field: "stuck_processing", before: nil, after: .time(old))])
        // Neither a creation time nor a first sighting: it began now, so it is not stuck.
        #expect(Self.discrepancies(MergeRules.merge(held, with: Sample.api(incomplete), facts: Self.facts()),
                                   "stuck_processing") == 0)
    }

    @Test("a stuck order that finishes has its dispute resolved, with the time it was stuck since")
    func stuckResolved() {
        let held = MergeRules.merge(nil, with: Sample.webhook(Sample.processing())).order
        let stuck = MergeRules.merge(held, with: Sample.api(Sample.processing()), facts: Self.facts()).order
        let finished = MergeRules.merge(stuck, with: Sample.api(Sample.completed(items: [Sample.item()])),
                                        facts: Self.facts())
        #expect(finished.order.disputes.isEmpty)
        let resolved = finished.events.filter { $0.kind == .discrepancyResolved }
        #expect(resolved.count == 1)
        #expect(resolved.first?.changes == [FieldChange(field: "stuck_processing",
                                                        before: .json(CanonicalJSON.quote(Sample.created.canonical)), after: nil)])
    }
}
