// Writes a ledger whose audit trail is real: every order goes through the ledger's own write path for Runa's
// answers (`applyAuthoritative`: merge rules, audit hash chain, running totals, search index), at simulated times
// spread over a year, so `as_of`, completeness, `check` and `close` can be measured at scale (bench/finance-scale.sh).
//
//   swift build -c release --product make-trail && .build/release/make-trail LEDGER ORDERS
//
// The year ends two days before now. Each order is seen up to three times, in time order across all orders:
//   1. listed while PROCESSING (no items yet), a second after its creation;
//   2. COMPLETED (or, one in seven, FAILED) with one or two items and their payouts, a minute later;
//   3. for one completed order in two, a payout CLAIMED a day later.
// One order in a thousand stops after step 1, so it is still PROCESSING here while Runa's list (recorded at the end,
// as a finished walk of the whole list would) says COMPLETED: the completeness report's open gaps.
// Order ids increase with creation time, as Runa's ULIDs do. Progress goes to standard error.
import Foundation
import Ledger
import RunaModels

let arguments = CommandLine.arguments
guard arguments.count == 3, let orderCount = Int(arguments[2]), orderCount > 0 else {
    FileHandle.standardError.write(Data("usage: make-trail LEDGER ORDERS\n".utf8))
    exit(2)
}
let migrationsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("migrations")
let database = try LedgerDatabase(path: arguments[1])
try database.migrate(try Migration.load(from: migrationsFolder))

let now = LedgerClock.now()
let start = Timestamp(microsecondsSinceEpoch: (now.microsecondsSinceEpoch / 86_400_000_000 - 367) * 86_400_000_000)
let spacing = Int64(31_536_000 / orderCount)  // a year of orders
let currencies = ["USD", "GBP", "EUR", "AUD"]

/// What Runa answers about order `index` at `step`.
func answer(_ index: Int, step: Int) -> (order: RunaOrder, at: Timestamp) {
    let created = start.adding(seconds: Int64(index) * max(spacing, 1))
    let id = "O-TRAIL\(String(format: "%019d", index))"
    let currency = currencies[index % currencies.count]
    let description: Reported<String> = .value("trail order \(index) \(["bonus", "reward", "Prämie", "refund"][index % 4])")
    if step == 1 {
        return (RunaOrder(id: id, status: .processing, createdAt: created, description: description, currency: currency),
                created.adding(seconds: 1))
    }
    let failed = index % 7 == 3
    let face = try! Money(parsing: "\(5 + index % 95).\(String(format: "%02d", index % 100))")
    let claimed = step == 3
    let items = (0..<(1 + index % 2)).map { position in
        OrderItem(id: "\(id)-\(position)", distributionMethod: .payoutLink(templateId: nil),
                  products: .single(value: "AMZ-US", usageConfig: nil), faceValue: face, price: face, currency: currency,
                  payout: failed ? nil : Payout(status: claimed && position == 0 ? .claimed : .active,
                                                statusUpdatedAt: created.adding(seconds: claimed ? 86_400 : 60),
                                                url: "https://spend.example/\(index)/\(position)"))
    }
    let total = Money(micros: face.micros * Int64(items.count), scale: 2)
    let order = RunaOrder(id: id, status: failed ? .failed : .completed, createdAt: created,
                          completedAt: failed ? nil : created.adding(seconds: 2), description: description,
                          paymentMethod: .object(["type": .string("ACCOUNT_BALANCE")]), currency: currency,
                          totalPrice: total, totalDiscount: Money(micros: 0, scale: 2), items: items)
    return (order, created.adding(seconds: claimed ? 86_400 : 60))
}

/// Every (index, step) in the order of its simulated time.
var timeline: [(at: Int64, index: Int, step: Int)] = []
timeline.reserveCapacity(orderCount * 3)
for index in 0..<orderCount {
    let created = Int64(index) * max(spacing, 1)
    timeline.append((created + 1, index, 1))
    if index % 1000 == 999 { continue }
    timeline.append((created + 60, index, 2))
    if index % 7 != 3 && index % 2 == 0 { timeline.append((created + 86_400, index, 3)) }
}
timeline.sort { ($0.at, $0.index, $0.step) < ($1.at, $1.index, $1.step) }

let began = Date()
let lanes = 64
var written = 0
for chunk in stride(from: 0, to: timeline.count, by: lanes * 64) {
    let slice = timeline[chunk..<min(chunk + lanes * 64, timeline.count)]
    // Steps of one order stay in order: an order appears at most once per slice's lane.
    try await withThrowingTaskGroup(of: Void.self) { group in
        let byLane = Dictionary(grouping: slice, by: { $0.index % lanes })
        for (_, steps) in byLane {
            group.addTask {
                for step in steps {
                    let (order, at) = answer(step.index, step: step.step)
                    _ = try await database.applyAuthoritative(order, cause: "GET /order/\(order.id) (trail)", now: at)
                }
            }
        }
        try await group.waitForAll()
    }
    written += slice.count
    if (chunk / (lanes * 64)) % 25 == 0 || written == timeline.count {
        let rate = Double(written) / Date().timeIntervalSince(began)
        FileHandle.standardError.write(Data("answers \(written)/\(timeline.count) (\(Int(rate))/s)\n".utf8))
    }
}
// Runa's list, as a finished walk of all of it recorded it: every order in its final state.
for first in stride(from: 0, to: orderCount, by: 1_000) {
    let page = (first..<min(first + 1_000, orderCount)).map { answer($0, step: 2).order }
    try await database.recordListing(page, listedAt: now)
}
try await database.setListingCoverage(ListingCoverage(from: nil, through: now))
try await database.settleCompleteListings()
try database.close()
print("\(orderCount) orders, \(timeline.count) answers written to \(arguments[1]) in \(Int(Date().timeIntervalSince(began))) s")
