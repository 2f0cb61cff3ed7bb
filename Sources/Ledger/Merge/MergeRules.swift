import RunaModels

/// One payload about one order, and how much it can be trusted.
///
/// The payload's fields are put into ledger form when the observation is made, so that this work (JSON
/// encoding of structured fields) happens on the caller's task, not inside the single writer.
public struct Observation: Sendable {
    public let order: RunaOrder
    public let source: ChangeSource
    /// A full `GET /order/{id}` answer: Runa's current truth, which settles conflicts and disputes.
    public let isAuthoritative: Bool
    /// What the payload says about each order-level field.
    let reportedFields: [OrderField: Reported<FieldValue>]
    /// The payload's items with their fields in ledger form.
    let reportedItems: [(item: OrderItem, fields: [String: FieldValue])]?
    /// The columns `order_items` derives from each reported item (by id), so the writer decodes nothing.
    let itemColumns: [String: ItemColumns]

    public init(order: RunaOrder, source: ChangeSource, isAuthoritative: Bool) {
        self.order = order
        self.source = source
        self.isAuthoritative = isAuthoritative
        self.reportedFields = order.reportedFields()
        // Runa may answer `GET /order/{id}` of a FAILED order as an `IncompleteOrder` ({id, status, message}):
        // its own word that there is nothing more to learn, so it completes the details with no items.
        let items = order.items ?? (isAuthoritative && order.status == .failed ? [] : nil)
        self.reportedItems = items?.map { ($0, $0.ledgerFields()) }
        self.itemColumns = Dictionary((items ?? []).map { ($0.id, ItemColumns($0)) }) { first, _ in first }
    }

    /// A signed `order.completion` body: what Runa said when it sent it, never authoritative (deliveries come late
    /// and out of order).
    public init(webhook order: RunaOrder) {
        self.init(order: order, source: .webhook, isAuthoritative: false)
    }
}

/// One field's value before and after a change (`nil`: unknown or null).
public struct FieldChange: Sendable, Equatable {
    public var field: String
    public var before: FieldValue?
    public var after: FieldValue?

    public init(field: String, before: FieldValue?, after: FieldValue?) {
        self.field = field
        self.before = before
        self.after = after
    }
}

/// One entry for the audit trail: what changed on an order, item or payout.
public struct ChangeEvent: Sendable, Equatable {
    /// What kind of change the event records.
    public enum Kind: String, Sendable {
        case orderCreated = "order.created"
        case orderUpdated = "order.updated"
        case itemAdded = "item.added"
        case itemUpdated = "item.updated"
        case payoutUpdated = "payout.updated"
        /// A source reported something the ledger did not take (or a conflict an authoritative answer settled).
        case discrepancy = "discrepancy"
        /// An authoritative answer agreed with the ledger on a disputed field.
        case discrepancyResolved = "discrepancy.resolved"
        /// Not about an order: a month was closed (`runa-ledger close`); its event has an empty order id.
        case periodClosed = "period.closed"
    }

    public var kind: Kind
    public var itemId: String?
    public var changes: [FieldChange]

    public init(kind: Kind, itemId: String? = nil, changes: [FieldChange]) {
        self.kind = kind
        self.itemId = itemId
        self.changes = changes
    }
}

/// Why the reconciler should fetch `GET /order/{id}` for an order. The raw values are `reconcile_tasks.reason`'s.
public enum TaskReason: String, Sendable, Hashable, CaseIterable, Comparable {
    /// A list page showed an order the ledger does not know.
    case discover
    /// The order is PROCESSING (or a list page showed it in another status): see whether it has finished.
    case stale
    /// The order is terminal but its items and payouts are unknown.
    case enrich
    /// Sources disagree, or Runa's answer left the order unsettled: ask again to settle it.
    case conflict
    /// An ACTIVE payout reached a check point: claims, cancellations and expiries come with no webhook.
    case payoutRefresh = "payout_refresh"

    public static func < (lhs: TaskReason, rhs: TaskReason) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The outcome of merging one observation into the ledger's state of an order.
public struct MergeDecision: Sendable, Equatable {
    /// The order as it should be stored.
    public var order: LedgerOrder
    /// The audit events to append, in order. Empty when nothing changed.
    public var events: [ChangeEvent]
    /// Reconciler work to enqueue.
    public var followUps: Set<TaskReason>
    /// Whether the stored order must be written (events were produced or bookkeeping changed).
    public var isChange: Bool

    /// Whether the observation created the order.
    public var createsOrder: Bool { events.first?.kind == .orderCreated }
}

/// The merge rules: the one place that decides how a payload changes the ledger. Pure.
///
/// - An order's status moves `PROCESSING → COMPLETED | FAILED` and never back.
/// - `COMPLETED` against `FAILED` is settled only by an authoritative answer; any other source's claim is kept
///   as a dispute, recorded once as a discrepancy, and sent to the reconciler.
/// - A field a payload leaves out never erases what the ledger knows. A payload of a lower status (a late
///   `PROCESSING`) only fills unknown fields. Once a full answer has been applied, other sources can fill gaps
///   but not overwrite; a difference they report becomes a dispute.
/// - A payout changes only when its `status_updated_at` is newer than the one held.
/// - Applying the same observation twice changes nothing and produces no event.
public enum MergeRules {
    /// How far a payload may change the fields the ledger already holds.
    enum Authority {
        /// Present fields overwrite.
        case overwrite
        /// Present fields fill unknown ones; differences are disputes.
        case protected
        /// Present fields fill unknown ones; differences are ignored as stale.
        case fillOnly
    }

    /// Fields whose disagreement between sources is always recorded as a discrepancy.
    static let moneyFields: Set<OrderField> = [.currency, .totalPrice, .totalDiscount]

    public static func merge(_ current: LedgerOrder?, with observation: Observation) -> MergeDecision {
        guard let current else { return create(from: observation) }
        let incoming = observation.order
        var order = current
        var events: [ChangeEvent] = []
        var followUps: Set<TaskReason> = []
        var orderChanges: [FieldChange] = []
        var resolved: [FieldChange] = []
        var disputed: [FieldChange] = []
        var corrected: [FieldChange] = []

        func dispute(_ key: String, ledger: FieldValue?, reported: FieldValue?) {
            let reportedText = reported?.jsonFragment ?? "null"
            guard order.disputes[key] != reportedText else { return }
            order.disputes[key] = reportedText
            disputed.append(FieldChange(field: key, before: ledger, after: reported))
            followUps.insert(.conflict)
        }
        func settle(_ key: String, ledger: FieldValue?) {
            guard observation.isAuthoritative, let old = order.disputes.removeValue(forKey: key) else { return }
            resolved.append(FieldChange(field: key, before: .json(old), after: ledger))
        }

        // 1. Status.
        var authority: Authority
        switch (current.status, incoming.status) {
        case let (held, reported) where held == reported:
            authority = current.detailsKnown && !observation.isAuthoritative ? .protected : .overwrite
            settle("status", ledger: .text(held.rawValue))
        case (.processing, _):
            order.status = incoming.status
            orderChanges.append(FieldChange(field: "status", before: .text(current.status.rawValue),
                                            after: .text(incoming.status.rawValue)))
            authority = .overwrite
        case (_, .processing):
            authority = .fillOnly
        default:  // COMPLETED against FAILED
            if observation.isAuthoritative {
                order.status = incoming.status
                order.disputes.removeValue(forKey: "status")
                events.append(ChangeEvent(kind: .discrepancy, changes: [
                    FieldChange(field: "status", before: .text(current.status.rawValue),
                                after: .text(incoming.status.rawValue)),
                ]))
                authority = .overwrite
            } else {
                dispute("status", ledger: .text(current.status.rawValue), reported: .text(incoming.status.rawValue))
                authority = .fillOnly
            }
        }

        // 2. Order-level fields.
        let reported = observation.reportedFields
        for field in OrderField.allCases {
            let held = order.fields[field]
            let after: FieldValue?
            switch reported[field] ?? .absent {
            case .absent: continue
            case .null: after = nil
            case .value(let value): after = value
            }
            if held == after {
                settle(field.rawValue, ledger: held)
                continue
            }
            if held == nil || authority == .overwrite {
                order.fields[field] = after
                order.disputes.removeValue(forKey: field.rawValue)
                orderChanges.append(FieldChange(field: field.rawValue, before: held, after: after))
                // Runa's answer disagrees with what a webhook said about money: worth an auditor's attention.
                if held != nil, observation.isAuthoritative, Self.moneyFields.contains(field) {
                    corrected.append(FieldChange(field: field.rawValue, before: held, after: after))
                }
            } else if authority == .protected {
                dispute(field.rawValue, ledger: held, reported: after)
            }
        }
        // 3. Items and payouts.
        var itemEvents: [ChangeEvent] = []
        if let items = observation.reportedItems {
            for (position, reportedItem) in items.enumerated() {
                mergeItem(reportedItem.item, fields: reportedItem.fields, position: position, into: &order,
                          authority: authority, events: &itemEvents, dispute: dispute)
            }
            // Items of the status the ledger holds complete the order's details: a fact the trail records, so an
            // order rebuilt from its events (`as_of`) knows it too.
            if order.status.isTerminal, incoming.status == order.status, !order.detailsKnown {
                order.detailsKnown = true
                orderChanges.append(Self.detailsKnownChange(before: false))
            }
        }
        if !orderChanges.isEmpty { events.append(ChangeEvent(kind: .orderUpdated, changes: orderChanges)) }
        events += itemEvents

        if !disputed.isEmpty { events.append(ChangeEvent(kind: .discrepancy, changes: disputed)) }
        if !corrected.isEmpty { events.append(ChangeEvent(kind: .discrepancy, changes: corrected)) }
        if !resolved.isEmpty { events.append(ChangeEvent(kind: .discrepancyResolved, changes: resolved)) }
        if order.status.isTerminal, !order.detailsKnown { followUps.insert(.enrich) }
        return MergeDecision(order: order, events: events, followUps: followUps, isChange: order != current)
    }

    private static func create(from observation: Observation) -> MergeDecision {
        let incoming = observation.order
        var order = LedgerOrder(id: incoming.id, status: incoming.status)
        var changes = [FieldChange(field: "status", before: nil, after: .text(incoming.status.rawValue))]
        for (field, reported) in observation.reportedFields.sorted(by: { $0.key < $1.key }) {
            guard case .value(let value) = reported else { continue }
            order.fields[field] = value
            changes.append(FieldChange(field: field.rawValue, before: nil, after: value))
        }
        var events = [ChangeEvent(kind: .orderCreated, changes: changes)]
        if let items = observation.reportedItems {
            for (position, reportedItem) in items.enumerated() {
                mergeItem(reportedItem.item, fields: reportedItem.fields, position: position, into: &order,
                          authority: .overwrite, events: &events, dispute: { _, _, _ in })
            }
            order.detailsKnown = incoming.status.isTerminal
            if order.detailsKnown { events[0].changes.append(Self.detailsKnownChange(before: nil)) }
        }
        var followUps: Set<TaskReason> = []
        if order.status.isTerminal, !order.detailsKnown { followUps.insert(.enrich) }
        return MergeDecision(order: order, events: events, followUps: followUps, isChange: true)
    }

    /// `details_known` becoming true: the ledger now holds the order's items and payouts as Runa answered them.
    static func detailsKnownChange(before: Bool?) -> FieldChange {
        FieldChange(field: "details_known", before: before.map { .json($0 ? "true" : "false") }, after: .json("true"))
    }

    private static func mergeItem(
        _ item: OrderItem, fields reported: [String: FieldValue], position: Int, into order: inout LedgerOrder,
        authority: Authority, events: inout [ChangeEvent], dispute: (String, FieldValue?, FieldValue?) -> Void
    ) {
        guard let index = order.items.firstIndex(where: { $0.id == item.id }) else {
            order.items.append(LedgerItem(id: item.id, position: position, fields: reported, payout: item.payout))
            var changes = reported.sorted { $0.key < $1.key }.map {
                FieldChange(field: $0.key, before: nil, after: $0.value)
            }
            if let payout = item.payout {
                changes += payout.ledgerFields().sorted { $0.key < $1.key }.map {
                    FieldChange(field: "payout.\($0.key)", before: nil, after: $0.value)
                }
            }
            events.append(ChangeEvent(kind: .itemAdded, itemId: item.id, changes: changes))
            return
        }
        var held = order.items[index]
        var itemChanges: [FieldChange] = []
        for (name, after) in reported.sorted(by: { $0.key < $1.key }) {
            let before = held.fields[name]
            guard before != after else { continue }
            if before == nil || authority == .overwrite {
                held.fields[name] = after
                itemChanges.append(FieldChange(field: name, before: before, after: after))
            } else if authority == .protected {
                dispute("items.\(item.id).\(name)", before, after)
            }
        }
        if !itemChanges.isEmpty { events.append(ChangeEvent(kind: .itemUpdated, itemId: item.id, changes: itemChanges)) }

        // Payouts change without webhooks and reports arrive out of order: only a newer state counts.
        if let payout = item.payout, held.payout.map({ payout.statusUpdatedAt > $0.statusUpdatedAt }) ?? true {
            let before = held.payout?.ledgerFields() ?? [:]
            let after = payout.ledgerFields()
            let changes = Set(before.keys).union(after.keys).sorted().compactMap { name -> FieldChange? in
                before[name] == after[name] ? nil
                    : FieldChange(field: name, before: before[name], after: after[name])
            }
            held.payout = payout
            if !changes.isEmpty { events.append(ChangeEvent(kind: .payoutUpdated, itemId: item.id, changes: changes)) }
        }
        order.items[index] = held
    }
}
