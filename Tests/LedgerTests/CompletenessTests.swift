import Foundation
import RunaModels
import Testing
import TestSupport
@testable import Ledger

/// "Complete through T": every order Runa lists up to T is in the ledger, finished with its item details or known
/// to be PROCESSING. The watermark stops at the first listed order that is not.
@Suite("The completeness watermark")
struct CompletenessTests {
    static func at(_ minute: Int) -> Timestamp { Timestamp(rfc3339: "2026-10-01T00:00:00Z")!.adding(seconds: Int64(minute) * 60) }

    /// An order as `GET /order` lists it (no items), created at minute `minute`.
    static func listed(_ id: String, _ status: OrderStatus, minute: Int) -> RunaOrder {
        RunaOrder(id: id, status: status, createdAt: at(minute), completedAt: status == .processing ? nil : at(minute),
                  description: .value("gift"), currency: "USD", totalPrice: Sample.money("10.00"),
                  totalDiscount: Sample.money("0"))
    }

    /// The same order as `GET /order/{id}` answers it, with its item and payout.
    static func detailed(_ id: String, _ status: OrderStatus, minute: Int) -> RunaOrder {
        var order = listed(id, status, minute: minute)
        order.items = status == .processing ? nil : [Sample.item("E-\(id)")]
        return order
    }

    func apply(_ ledger: TemporaryLedger, _ order: RunaOrder) async throws {
        _ = try await ledger.database.applyAuthoritative(order, cause: "test", now: LedgerClock.now())
    }

    @Test("the watermark advances only as listed orders become complete, stops at the first gap and says why")
    func advancesAndStopsAtTheFirstGap() async throws {
        let ledger = try TemporaryLedger()
        let database = ledger.database
        #expect(try await database.completeness().watermark == nil, "nothing is known before Runa's list is read")

        let list = [Self.listed("O-A", .completed, minute: 10), Self.listed("O-B", .completed, minute: 20),
                    Self.listed("O-C", .processing, minute: 30), Self.listed("O-D", .failed, minute: 40)]
        try await database.recordListing(list, listedAt: Self.at(60))
        try await database.setListingCoverage(ListingCoverage(from: nil, through: Self.at(60)))

        var report = try await database.completeness()
        #expect(report.listedOrders == 4 && report.openGaps == 4)
        #expect(report.watermark == Self.at(10))
        #expect(report.gaps.map(\.reason) == [.notInLedger, .notInLedger, .notInLedger, .notInLedger])

        try await apply(ledger, Self.detailed("O-A", .completed, minute: 10))
        report = try await database.completeness()
        #expect(report.watermark == Self.at(20), "A is complete; B is the first gap")

        // B arrives by webhook: seen and finished, but without its items the watermark cannot pass it.
        #expect(try await ledger.writer().record(.sample(id: "msg_B", order: Self.listed("O-B", .completed, minute: 20))) == .applied)
        report = try await database.completeness()
        #expect(report.watermark == Self.at(20))
        #expect(report.gaps.first?.orderId == "O-B" && report.gaps.first?.reason == .noItemDetails)

        // D is complete before C is known: the watermark still stops at C.
        try await apply(ledger, Self.detailed("O-B", .completed, minute: 20))
        try await apply(ledger, Self.detailed("O-D", .failed, minute: 40))
        report = try await database.completeness()
        #expect(report.watermark == Self.at(30))
        #expect(report.gaps.map(\.orderId) == ["O-C"])

        // A PROCESSING order the ledger knows as PROCESSING is complete: the watermark reaches the list's coverage.
        try await apply(ledger, Self.detailed("O-C", .processing, minute: 30))
        report = try await database.completeness()
        #expect(report.watermark == Self.at(60) && report.openGaps == 0)
        #expect(try await database.settleCompleteListings() == 4)

        // Runa now lists C as finished: until the ledger has it so, the watermark falls back to C.
        try await database.recordListing([Self.listed("O-C", .completed, minute: 30)], listedAt: Self.at(90))
        try await database.setListingCoverage(ListingCoverage(from: nil, through: Self.at(90)))
        report = try await database.completeness()
        #expect(report.watermark == Self.at(30))
        #expect(report.gaps.first?.reason == .statusBehindRuna && report.gaps.first?.ledgerStatus == "PROCESSING")

        try await apply(ledger, Self.detailed("O-C", .completed, minute: 30))
        report = try await database.completeness()
        #expect(report.watermark == Self.at(90) && report.gaps.isEmpty)
    }

    @Test("the watermark never claims time before the list was read back to")
    func notBeforeCoverage() async throws {
        let ledger = try TemporaryLedger()
        try await ledger.database.recordListing([Self.listed("O-A", .completed, minute: 10)], listedAt: Self.at(60))
        try await ledger.database.setListingCoverage(ListingCoverage(from: Self.at(30), through: Self.at(60)))
        let report = try await ledger.database.completeness()
        #expect(report.coverage?.from == Self.at(30))
        #expect(report.watermark == Self.at(30), "an open gap older than the coverage does not drag it below")
    }
}
