import Foundation
import RunaModels
import Testing
import TestSupport
@testable import Ledger

/// Applies observations in turn, as the ledger would.
func replay(_ observations: [Observation], from start: LedgerOrder? = nil) -> (LedgerOrder?, [ChangeEvent]) {
    var order = start
    var events: [ChangeEvent] = []
    for observation in observations {
        let decision = MergeRules.merge(order, with: observation)
        if decision.isChange { order = decision.order }
        events += decision.events
    }
    return (order, events)
}

@Suite("Merge rules")
struct MergeRulesTests {
    @Test("a first webhook creates the order, records every field it carried and asks for enrichment")
    func create() {
        let decision = MergeRules.merge(nil, with: Sample.webhook(Sample.completed()))
        #expect(decision.createsOrder)
        #expect(decision.order.status == .completed)
        #expect(decision.order.fields[.totalPrice] == .money(Sample.money("10.00")))
        #expect(!decision.order.detailsKnown)
        #expect(decision.followUps == [.enrich])
        let fields = decision.events[0].changes.map(\.field)
        #expect(fields.contains("status") && fields.contains("total_price") && fields.contains("description"))
    }

    /// Every pair of held and reported status, from a webhook and from an authoritative answer.
    @Test("status transitions: terminal never regresses; COMPLETED against FAILED only settles authoritatively",
          arguments: [
            // held, reported, authoritative, resulting status, discrepancy recorded
            (nil, OrderStatus.processing, false, OrderStatus.processing, false),
            (nil, .completed, false, .completed, false),
            (nil, .failed, false, .failed, false),
            (.processing, .processing, false, .processing, false),
            (.processing, .completed, false, .completed, false),
            (.processing, .failed, false, .failed, false),
            (.completed, .processing, false, .completed, false),
            (.completed, .completed, false, .completed, false),
            (.completed, .failed, false, .completed, true),
            (.failed, .processing, false, .failed, false),
            (.failed, .completed, false, .failed, true),
            (.failed, .failed, false, .failed, false),
            (.processing, .completed, true, .completed, false),
            (.completed, .processing, true, .completed, false),
            (.completed, .failed, true, .failed, true),
            (.failed, .completed, true, .completed, true),
            (.failed, .processing, true, .failed, false),
          ] as [(OrderStatus?, OrderStatus, Bool, OrderStatus, Bool)])
    func statusTransitions(held: OrderStatus?, reported: OrderStatus, authoritative: Bool, result: OrderStatus,
                           discrepancy: Bool) {
        func order(_ status: OrderStatus) -> RunaOrder {
            switch status {
            case .processing: return Sample.processing()
            case .completed: return Sample.completed(items: authoritative ? [Sample.item()] : nil)
            case .failed: return Sample.failed()
            }
        }
        let current = held.map { MergeRules.merge(nil, with: Sample.webhook(order($0))).order }
        let observation = Observation(order: order(reported), source: authoritative ? .reconciler : .webhook,
                                      isAuthoritative: authoritative)
        let decision = MergeRules.merge(current, with: observation)
        #expect(decision.order.status == result)
        #expect(decision.events.contains { $0.kind == .discrepancy } == discrepancy)
        if discrepancy, !authoritative { #expect(decision.followUps.contains(.conflict)) }
    }

    @Test("a FAILED webhook after a COMPLETED one keeps every completed field, and says so once")
    func failedAfterCompleted() {
        let (order, events) = replay([Sample.webhook(Sample.completed()), Sample.webhook(Sample.failed())])
        #expect(order?.status == .completed)
        #expect(order?.fields[.totalPrice] == .money(Sample.money("10.00")))
        #expect(order?.fields[.description] == .text("bonus"))
        #expect(events.filter { $0.kind == .discrepancy }.count == 1)
        let again = MergeRules.merge(order, with: Sample.webhook(Sample.failed()))
        #expect(again.events.isEmpty && !again.isChange)
    }

    @Test("an authoritative answer settles a dispute and clears it")
    func authoritativeSettles() {
        let (order, _) = replay([Sample.webhook(Sample.completed()), Sample.webhook(Sample.failed())])
        #expect(order?.disputes["status"] != nil)
        let settled = MergeRules.merge(order, with: Sample.api(Sample.completed(items: [Sample.item()])))
        #expect(settled.order.disputes.isEmpty)
        #expect(settled.events.contains { $0.kind == .discrepancyResolved })
        #expect(settled.order.detailsKnown)
    }

    @Test("PROCESSING never overwrites a terminal order; it only fills what is unknown")
    func processingAfterTerminal() {
        let failed = MergeRules.merge(nil, with: Sample.webhook(Sample.failed())).order
        let decision = MergeRules.merge(failed, with: Sample.webhook(Sample.processing()))
        #expect(decision.order.status == .failed)
        #expect(decision.order.fields[.currency] == .text("USD"))  // unknown before: filled
        let completed = MergeRules.merge(nil, with: Sample.webhook(Sample.completed(description: .value("kept")))).order
        let late = MergeRules.merge(completed, with: Sample.webhook(Sample.processing()))
        #expect(late.order.fields[.description] == .text("kept"))  // PROCESSING said null: not taken
        #expect(late.events.isEmpty)
    }

    @Test("a partial payload never erases: absent fields and absent items keep what the ledger knows")
    func partialNeverErases() {
        let full = MergeRules.merge(nil, with: Sample.api(Sample.completed(items: [Sample.item()]))).order
        var summary = Sample.completed()
        summary.description = .absent
        summary.paymentMethod = nil
        let decision = MergeRules.merge(full, with: Sample.summary(summary))
        #expect(!decision.isChange)
        #expect(decision.order.items.count == 1)
        #expect(decision.order.fields[.description] == .text("bonus"))
    }

    @Test("an explicit null from a full answer clears a field; absence does not")
    func explicitNull() {
        let held = MergeRules.merge(nil, with: Sample.webhook(Sample.completed(description: .value("typo")))).order
        let cleared = MergeRules.merge(held, with: Sample.api(Sample.completed(items: [], description: .null)))
        #expect(cleared.order.fields[.description] == nil)
        #expect(cleared.events.first?.changes.contains { $0.field == "description" && $0.after == nil } == true)
    }

    @Test("payout changes apply only when status_updated_at is newer", arguments: [
        ("2025-01-02T00:00:00Z", PayoutStatus.claimed, PayoutStatus.claimed, true),
        ("2025-01-01T12:00:01Z", .claimed, .active, false),  // same instant: not newer
        ("2025-01-01T00:00:00Z", .expired, .active, false),  // older
    ])
    func payoutRecency(at time: String, reported: PayoutStatus, result: PayoutStatus, changed: Bool) {
        let held = MergeRules.merge(nil, with: Sample.api(Sample.completed(items: [Sample.item()]))).order
        let update = Sample.completed(items: [Sample.item(payout: Sample.payout(reported, at: time))])
        let decision = MergeRules.merge(held, with: Sample.api(update))
        #expect(decision.order.items[0].payout?.status == result)
        #expect(decision.events.contains { $0.kind == .payoutUpdated } == changed)
    }

    @Test("money that differs after a full answer is a dispute, recorded once, not an overwrite")
    func moneyDispute() {
        let (order, events) = replay([
            Sample.api(Sample.completed(items: [Sample.item()])),
            Sample.webhook(Sample.completed(price: "11.00")),
            Sample.webhook(Sample.completed(price: "11.00")),
        ])
        #expect(order?.fields[.totalPrice] == .money(Sample.money("10.00")))
        #expect(events.filter { $0.kind == .discrepancy }.count == 1)
        #expect(order?.disputes["total_price"] == "\"11.00\"")
    }

    @Test("a webhook's values are overwritten by the first full answer")
    func fullAnswerOverwritesWebhook() {
        let (order, events) = replay([
            Sample.webhook(Sample.completed(price: "11.00")),
            Sample.api(Sample.completed(price: "10.00", items: [Sample.item()])),
        ])
        #expect(order?.fields[.totalPrice] == .money(Sample.money("10.00")))
        #expect(events.contains { $0.kind == .orderUpdated && $0.changes.contains { $0.field == "total_price" } })
        #expect(events.contains { $0.kind == .itemAdded && $0.itemId == "E-1" })
        #expect(events.contains { $0.kind == .discrepancy && $0.changes.map(\.field) == ["total_price"] },
                "money that differs between webhook and API is a discrepancy")
    }

    @Test("amounts compare by value: \"10\" after \"10.00\" is no change")
    func moneySpelling() {
        let held = MergeRules.merge(nil, with: Sample.webhook(Sample.completed(price: "10.00"))).order
        #expect(!MergeRules.merge(held, with: Sample.webhook(Sample.completed(price: "10"))).isChange)
    }

    /// Every order of a set of observations, each then applied a second time.
    @Test("applying any observation twice changes nothing, in every delivery order")
    func idempotentInEveryOrder() {
        let observations = [
            Sample.webhook(Sample.completed()),
            Sample.webhook(Sample.failed()),
            Sample.webhook(Sample.processing()),
            Sample.summary(Sample.completed(price: "10")),
            Sample.api(Sample.completed(items: [Sample.item()])),
            Sample.api(Sample.completed(items: [Sample.item(payout: Sample.payout(.claimed, at: "2025-01-03T00:00:00Z"))])),
        ]
        let orders = permutations(of: Array(observations.indices))
        for indices in orders {
            var order: LedgerOrder?
            var seenTerminal = false
            for observation in indices.map({ observations[$0] }) {
                order = MergeRules.merge(order, with: observation).order
                let second = MergeRules.merge(order, with: observation)
                #expect(!second.isChange && second.events.isEmpty, "re-applying changed the order")
                if seenTerminal { #expect(order?.status.isTerminal == true, "a terminal status regressed") }
                seenTerminal = seenTerminal || order?.status.isTerminal == true
            }
        }
        #expect(orders.count == 720)
    }

    @Test("whatever the order of arrival, the newest payout state wins once a full answer is in")
    func payoutOrderIndependence() {
        let active = Sample.api(Sample.completed(items: [Sample.item()]))
        let claimed = Sample.api(Sample.completed(items: [Sample.item(payout: Sample.payout(.claimed, at: "2025-01-03T00:00:00Z"))]))
        for sequence in [[active, claimed], [claimed, active]] {
            #expect(replay(sequence).0?.items[0].payout?.status == .claimed)
        }
    }
}

/// Every ordering of `items` (Heap's algorithm, iterative).
func permutations<T>(of items: [T]) -> [[T]] {
    var items = items
    var result = [items]
    var counters = [Int](repeating: 0, count: items.count)
    var index = 1
    while index < items.count {
        if counters[index] < index {
            items.swapAt(index % 2 == 0 ? 0 : counters[index], index)
            result.append(items)
            counters[index] += 1
            index = 1
        } else {
            counters[index] = 0
            index += 1
        }
    }
    return result
}
