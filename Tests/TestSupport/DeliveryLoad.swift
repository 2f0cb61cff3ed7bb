import Foundation
import GRDB
import Ledger
import RunaModels
import Synchronization
import Webhooks

/// Signed deliveries of numbered orders sent to a running `serve` by concurrent senders, remembering which ones
/// the service acknowledged (2xx): what every durability, backup and replication test checks against.
public final class DeliveryLoad: Sendable {
    public let secret: WebhookSecret
    /// Distinguishes the message and order ids of one test's deliveries.
    public let tag: String
    private let acknowledged = Mutex<[Int]>([])
    private let stopped = Atomic<Bool>(false)

    public init(secret: WebhookSecret, tag: String) {
        self.secret = secret
        self.tag = tag
    }

    public func messageId(_ index: Int) -> String { "msg_\(tag)_\(index)" }

    public func delivery(_ index: Int) -> SignedDelivery {
        let order = RunaOrder(id: "O-\(tag.uppercased())-\(index)", status: .completed,
                              createdAt: Timestamp(secondsSinceEpoch: 1_790_000_000),
                              description: .value("\(tag) \(index)"), paymentMethod: .object(["type": .string("ACCOUNT_BALANCE")]),
                              currency: "USD", totalPrice: Money(micros: Int64(index) * 1_000_000 + 1, scale: 6),
                              totalDiscount: Money(micros: 0, scale: 0))
        let body = RunaJSON.encode(order)
        let timestamp = LedgerClock.now().secondsSinceEpoch
        let id = messageId(index)
        return SignedDelivery(id: id, timestamp: String(timestamp),
                              signature: SignatureVerifier.sign(id: id, timestamp: timestamp, body: body, secret: secret),
                              body: body)
    }

    /// Sends the deliveries of `range` with `connections` in flight; returns when the range is done, ``stop()`` was
    /// called, or the service is gone. Returns the indexes acknowledged during this run.
    @discardableResult
    public func run(against service: ServiceProcess, range: Range<Int>, connections: Int) async -> [Int] {
        let next = NextIndex(range.lowerBound)
        return await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var mine: [Int] = []
                    while !self.stopped.load(ordering: .relaxed), let index = next.take(below: range.upperBound) {
                        switch await service.post(self.delivery(index)) {
                        case 200:
                            mine.append(index)
                            self.acknowledged.withLock { $0.append(index) }
                        case nil: return mine  // the process is gone
                        default: continue
                        }
                    }
                    return mine
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    /// Records `index` as acknowledged, for deliveries sent one by one rather than by ``run(against:range:connections:)``.
    public func record(_ index: Int) { acknowledged.withLock { $0.append(index) } }

    /// Every index acknowledged so far, by any run.
    public var acknowledgedIndexes: [Int] { acknowledged.withLock { $0 } }

    /// The acknowledged deliveries missing from the ledger file at `path` (empty when none is lost).
    public func missing(_ indexes: [Int], from path: String) throws -> [Int] {
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? database.close() }
        let stored = try database.read { Set(try String.fetchAll($0, sql: "SELECT msg_id FROM webhook_deliveries")) }
        return indexes.filter { !stored.contains(messageId($0)) }
    }
}

/// Hands out increasing indexes to concurrent senders.
public final class NextIndex: Sendable {
    private let value: Mutex<Int>

    public init(_ start: Int) { value = Mutex(start) }

    public func take(below limit: Int) -> Int? {
        value.withLock { value in
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
