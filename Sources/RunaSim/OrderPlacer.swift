import RunaClient
import RunaModels
import Synchronization

/// Places a mix of orders as a company's integration would: concurrently, through the gateway, which retries with
/// the same idempotency key (waiting after 429s and while a key is in progress).
///
/// The demo and the tests that compare a ledger with the simulator place their orders with it.
public struct OrderPlacer: Sendable {
    /// What placing the orders came to.
    public struct Outcome: Sendable, Equatable {
        public var placed = 0, sync = 0, calls = 0, retries = 0, failed = 0
        /// Answered the same error again for their key: Runa replays a key's first answer, so the order's fate is
        /// unknown until the list shows it (the reconciler's discovery).
        public var replayed = 0
    }

    let gateway: RunaGateway
    let seed: UInt64
    let keyPrefix: String
    let includeSync: Bool
    let concurrency: Int

    /// - Parameters:
    ///   - keyPrefix: idempotency keys are `keyPrefix-index`.
    ///   - includeSync: whether one order in twenty is placed in `sync` mode.
    public init(gateway: RunaGateway, seed: UInt64, keyPrefix: String, includeSync: Bool = true, concurrency: Int = 8) {
        self.gateway = gateway
        self.seed = seed
        self.keyPrefix = keyPrefix
        self.includeSync = includeSync
        self.concurrency = concurrency
    }

    /// Places `count` orders of the mix (the same orders for the same seed).
    public func place(_ count: Int) async -> Outcome {
        var random = SeededRandom(seed: seed &* 31 &+ 7)
        let plans = (0..<count).map { Self.recipe($0, includeSync: includeSync, random: &random) }
        let next = TicketDispenser(limit: plans.count)
        let (gateway, keyPrefix) = (self.gateway, self.keyPrefix)
        var total = await withTaskGroup(of: Outcome.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var outcome = Outcome()
                    while let index = next.take() {
                        let (order, mode) = plans[index]
                        do {
                            _ = try await gateway.createOrder(order, idempotencyKey: "\(keyPrefix)-\(index)", mode: mode)
                            outcome.placed += 1
                            if mode == .sync { outcome.sync += 1 }
                        } catch {
                            if case .replayedError? = error as? RunaAPIError { outcome.replayed += 1 } else { outcome.failed += 1 }
                        }
                    }
                    return outcome
                }
            }
            return await group.reduce(into: Outcome()) { total, part in
                total.placed += part.placed
                total.sync += part.sync
                total.failed += part.failed
                total.replayed += part.replayed
            }
        }
        total.calls = gateway.counters.calls
        total.retries = gateway.counters.retries
        return total
    }

    /// One order of the mix: currencies, one to four items, every distribution and product variant, some FX.
    static func recipe(_ index: Int, includeSync: Bool, random: inout SeededRandom) -> (NewOrder, ExecutionMode) {
        let currencies = [("USD", "US"), ("USD", "US"), ("GBP", "GB"), ("EUR", "DE")]
        let (currency, country) = currencies[Int(random.next() % 4)]
        let mode: ExecutionMode = includeSync && index % 20 == 7 ? .sync : .async
        let itemCount = mode == .sync ? 1 : 1 + Int(random.next() % 4)
        var items: [NewOrder.Item] = []
        for _ in 0..<itemCount {
            let distribution: DistributionMethod
            switch random.next() % 10 {
            case 0..<5: distribution = .payoutLink(templateId: nil)
            case 5..<9: distribution = .email(emailAddress: "person\(index)@example.com", templateId: nil)
            default: distribution = .recipient(recipientReference: "ref-\(index)", emailAddress: "r\(index)@example.com", templateId: nil)
            }
            let products: ProductSelection
            var whole = true
            switch random.next() % 10 {
            case 0..<4:
                let foreign = random.chance(0.2) ? (country == "US" ? "GB" : "US") : country
                products = .single(value: "AMZ-\(foreign)", usageConfig: nil)
                whole = false
            case 4..<7: products = .multiple(values: ["AMZ-\(country)", "IKEA-\(country)"])
            default: products = .template(templateId: "PT-01HQ12PV4B8XMBRTK281JM54KK", values: nil)
            }
            let units = [5, 10, 20, 25, 50, 100][Int(random.next() % 6)]
            let cents = whole ? 0 : Int(random.next() % 100)
            items.append(.init(faceValue: Money(micros: Int64(units) * 1_000_000 + Int64(cents) * 10_000, scale: 2),
                               distributionMethod: distribution, products: products))
        }
        return (NewOrder(currency: currency, items: items, description: "order \(index)",
                         metadata: ["source": "runa-ledger", "index": String(index)]), mode)
    }
}

/// Hands out 0, 1, 2, … below a limit to concurrent workers.
final class TicketDispenser: Sendable {
    private let next = Mutex(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func take() -> Int? {
        next.withLock { value in
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
