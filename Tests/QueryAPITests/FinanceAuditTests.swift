import Digest
import Foundation
import GRDB
@testable import Ledger
import RunaModels
import Testing
import TestSupport

/// What finance and auditors rely on: month-end closes that can never silently change, value at risk, and an
/// access log only an auditor reads.
@Suite("Finance and audit", .serialized)
struct FinanceAuditTests {
    static let auditorToken = "auditor-token-0123456789abcdef"
    static let dashboardToken = "dashboard-token-0123456789abcdef"
    static let tokens = ["auditor:finance-team:\(auditorToken)", "dashboard:wallboard:\(dashboardToken)"]

    func get(_ service: ServiceHarness, _ path: String, token: String = FinanceAuditTests.auditorToken,
             accept: String? = nil) async throws -> (Int, String) {
        var headers = [("Authorization", "Bearer \(token)")]
        if let accept { headers.append(("Accept", accept)) }
        return try await service.send(path: path, method: .GET, headers: headers, body: nil)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    func decimal(_ text: String?) -> Decimal { Decimal(string: text ?? "", locale: Locale(identifier: "en_US_POSIX")) ?? .nan }

    /// An amount as an exact Decimal, from its integer micro-units.
    func decimal(_ money: Money?) -> Decimal { Decimal(money?.micros ?? 0) / 1_000_000 }

    /// Runa's list shows every order of the ledger as it is: the ledger is complete through now.
    func listEverything(_ database: LedgerDatabase, _ orders: [RunaOrder]) async throws {
        let now = LedgerClock.now()
        try await database.recordListing(orders, listedAt: now)
        try await database.setListingCoverage(ListingCoverage(from: nil, through: now))
        try await database.settleCompleteListings()
    }

    /// Runs `runa-ledger close` against the service's ledger file, as an operator would while it serves.
    func close(_ service: ServiceHarness, _ arguments: [String]) async throws -> (Int32, String) {
        try await runLedger(["close", "--db", service.databasePath, "--migrations", Repository.migrations.path] + arguments)
    }

    @Test("a close refuses an incomplete month, records a forced one, verifies with sha256sum, totals exactly, and later changes become adjustments")
    func monthEndClose() async throws {
        let service = try await ServiceHarness.start(apiTokens: Self.tokens)
        let database = service.service.database
        let october = try await seedLedger(database, count: 40)            // 2026-10-01 … 2026-10-02
        let november = try await seedLedger(database, count: 3, offset: 800) // 2026-11-03
        let folder = try TemporaryFolder()

        // Before the reconciler has read Runa's list, nothing is known to be complete.
        let refused = try await close(service, ["--period", "2026-10", "--out", folder.path("2026-10")])
        #expect(refused.0 == 2, "\(refused.1)")
        #expect(refused.1.contains("the period is not complete") && refused.1.contains("has not read Runa's order list"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("2026-10")))
        let noReason = try await close(service, ["--period", "2026-11", "--out", folder.path("2026-11"), "--force"])
        #expect(noReason.0 == 2 && noReason.1.contains("needs --reason"), "\(noReason.1)")

        // A forced close is recorded with its reason and what was missing.
        let forced = try await close(service, ["--period", "2026-11", "--out", folder.path("2026-11"), "--force",
                                         "--reason", "CFO sign-off: Runa list outage"])
        #expect(forced.0 == 0, "\(forced.1)")
        #expect(forced.1.contains("FORCED: CFO sign-off"))

        // Once Runa's list has been read and every October order is complete, October closes.
        try await listEverything(database, october + november)
        #expect(try await database.closeProblems(ClosePeriod("2026-10")!) == [])
        let closed = try await close(service, ["--period", "2026-10", "--out", folder.path("2026-10")])
        #expect(closed.0 == 0, "\(closed.1)")
        let package = folder.path("2026-10")

        // The package verifies with the standard tool, and its files cannot be written.
        let verified = try await runProgram(URL(fileURLWithPath: "/bin/sh"), ["-c", "cd '\(package)' && sha256sum -c SHA256SUMS"])
        #expect(verified.0 == 0, "\(verified.1)")
        for file in ["orders.csv", "items.csv", "payouts.csv", "totals.csv", "manifest.json"] {
            #expect(verified.1.contains("\(file): OK"))
            let mode = try FileManager.default.attributesOfItem(atPath: package + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o444, "\(file) is read-only")
        }

        // The manifest is bound into the ledger and its hash chain.
        let manifestData = try Data(contentsOf: URL(fileURLWithPath: package + "/manifest.json"))
        let manifestSHA = Digest.hex(Digest.sha256(Array(manifestData)))
        #expect(try await service.value("SELECT manifest_sha256 FROM closes WHERE period = '2026-10'", as: String.self) == manifestSHA)
        let closeEvent = try #require(try await service.value(
            "SELECT changes FROM order_events WHERE kind = 'period.closed' AND cause = 'close:2026-10'", as: String.self))
        #expect(closeEvent.contains(manifestSHA))
        let check = try await runLedger(["check", "--db", service.databasePath, "--migrations", Repository.migrations.path])
        #expect(check.0 == 0 && check.1.hasPrefix("ledger OK"), "\(check.1)")

        // Row counts and exact totals equal a Decimal computation over the orders Runa gave us.
        let manifest = try json(String(decoding: manifestData, as: UTF8.self))
        let files = try #require(manifest["files"] as? [[String: Any]])
        let rows = Dictionary(uniqueKeysWithValues: files.map { ($0["name"] as? String ?? "", $0["rows"] as? Int ?? -1) })
        #expect(rows["orders.csv"] == october.count)
        #expect(rows["items.csv"] == october.reduce(0) { $0 + ($1.items?.count ?? 0) })
        #expect(manifest["forced"] as? Bool == false)
        struct Expected: Equatable { var orders = 0, items = 0, price = Decimal(0), face = Decimal(0) }
        var expected: [String: Expected] = [:]
        for order in october {
            let key = "\(order.currency ?? "") \(order.status.rawValue)"
            expected[key, default: Expected()].orders += 1
            expected[key, default: Expected()].price += decimal(order.totalPrice)
            for item in order.items ?? [] {
                expected[key, default: Expected()].items += 1
                expected[key, default: Expected()].face += decimal(item.faceValue)
            }
        }
        var actual: [String: Expected] = [:]
        for total in try #require(manifest["totals"] as? [[String: Any]]) {
            let key = "\(total["currency"] as? String ?? "") \(total["status"] as? String ?? "")"
            actual[key] = Expected(orders: total["orders"] as? Int ?? -1, items: total["items"] as? Int ?? -1,
                                   price: decimal(total["total_price"] as? String), face: decimal(total["face_value"] as? String))
        }
        #expect(actual == expected)
        let totalsCSV = try String(contentsOfFile: package + "/totals.csv", encoding: .utf8)
        #expect(totalsCSV.split(whereSeparator: \.isNewline).count == expected.count + 1)

        // A change to a closed order after the close is an adjustment against that close — and only that one.
        var changed = october[8]
        changed.items = changed.items?.map { item in
            var item = item
            item.payout?.status = .claimed
            item.payout?.statusUpdatedAt = LedgerClock.now()
            return item
        }
        _ = try await database.applyAuthoritative(changed, cause: "after-close", now: LedgerClock.now())
        let (status, body) = try await get(service, "/v1/closes/2026-10")
        #expect(status == 200, "\(body)")
        let view = try json(body)
        #expect(view["adjustments"] as? Int == 1)
        let adjustments = try #require(view["adjustment_events"] as? [[String: Any]])
        #expect(adjustments.map { $0["order_id"] as? String } == [changed.id])
        #expect(adjustments.first?["cause"] as? String == "after-close")
        #expect((view["manifest"] as? [String: Any])?["period"] as? String == "2026-10")
        #expect(view["manifest_sha256"] as? String == manifestSHA)

        // Both closes are listed; the forced one says so. A close is never redone.
        let list = try json(try await get(service, "/v1/closes").1)
        let items = try #require(list["items"] as? [[String: Any]])
        #expect(items.map { $0["period"] as? String } == ["2026-11", "2026-10"])
        #expect(items.first?["forced"] as? Bool == true)
        #expect(items.first?["force_reason"] as? String == "CFO sign-off: Runa list outage")
        #expect(items.first?["adjustments"] as? Int == 0)
        let again = try await close(service, ["--period", "2026-10", "--out", folder.path("again")])
        #expect(again.0 == 2 && again.1.contains("already closed"), "\(again.1)")
        await #expect(throws: (any Error).self) {
            try await database.pool.write { try $0.execute(sql: "UPDATE closes SET forced = 0") }
        }
        #expect(try await get(service, "/v1/closes/2026-09").0 == 404)

        // Past the triggers (a raw edit of the file), a changed manifest no longer matches the chain: check says so.
        try await database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER closes_no_update")
            try db.execute(sql: "UPDATE closes SET manifest = replace(manifest, '\"forced\":false', '\"forced\":true') WHERE period = '2026-10'")
        }
        let report = try database.check(migrations: service.service.migrations)
        #expect(!report.isHealthy)
        #expect(report.derivedProblems == ["close 2026-10: the stored manifest does not hash to its recorded SHA-256"])

        // History before the close rewritten past the triggers and the whole chain rehashed from there: the chain
        // alone verifies, but the head the close recorded is no longer the live chain's.
        try await database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER order_events_no_update")
            let first = try Int64.fetchOne(db, sql: "SELECT min(seq) FROM order_events WHERE changes LIKE '%total_price%'") ?? 1
            try db.execute(sql: "UPDATE order_events SET changes = replace(changes, '.', ',') WHERE seq = ?", arguments: [first])
            try Tampering.rehashEvents(from: first, db)
        }
        let rewritten = try database.check(migrations: service.service.migrations)
        #expect(rewritten.chain.firstProblem == nil, "the rehashed chain verifies on its own")
        #expect(rewritten.derivedProblems.contains { $0.hasPrefix("close 2026-10: the chain head it recorded") },
                "\(rewritten.derivedProblems)")
        #expect(!rewritten.isHealthy)
        try await service.stop()
    }

    @Test("value at risk equals a Decimal computation over the ACTIVE payouts the API lists")
    func valueAtRisk() async throws {
        let service = try await ServiceHarness.start(apiTokens: Self.tokens)
        let database = service.service.database
        _ = try await seedLedger(database, count: 30)
        // Payouts activated and expiring at every distance from now, in two currencies.
        let now = LedgerClock.now()
        for (index, days) in [-200, -40, -10, -2, 0, 3, 12, 45, 120].enumerated() {
            let activated = now.adding(seconds: Int64(days - 30) * 86_400)
            let currency = index % 2 == 0 ? "USD" : "EUR"
            let face = try Money(parsing: "\(7 + index).3\(index)")
            let item = OrderItem(id: "E-VAR\(index)", distributionMethod: .payoutLink(templateId: nil),
                                 products: .single(value: "AMZ-US", usageConfig: nil), faceValue: face, price: face,
                                 currency: currency,
                                 payout: Payout(status: .active, statusUpdatedAt: activated, url: "https://spend/v\(index)",
                                                expiryDate: now.adding(seconds: Int64(days) * 86_400 + 3_600)))
            let order = RunaOrder(id: "O-VAR\(index)", status: .completed, createdAt: activated, completedAt: activated,
                                  description: .value("risk"), currency: currency, totalPrice: face,
                                  totalDiscount: Money(micros: 0, scale: 2), items: [item])
            _ = try await database.applyAuthoritative(order, cause: "test", now: now)
        }

        let (status, body) = try await get(service, "/v1/value-at-risk", token: Self.dashboardToken)
        #expect(status == 200, "\(body)")
        let report = try json(body)
        let at = try #require(Timestamp(rfc3339: report["at"] as? String ?? ""))
        let payouts = try #require(try json(try await get(service, "/v1/payouts?status=ACTIVE&limit=500").1)["items"] as? [[String: Any]])
        #expect(payouts.count > 9)

        func days(_ from: Timestamp, _ to: Timestamp) -> Double {
            Double(to.microsecondsSinceEpoch - from.microsecondsSinceEpoch) / 86_400_000_000
        }
        func bucket(_ span: Double) -> String { span < 7 ? "0-7d" : span < 30 ? "7-30d" : span < 90 ? "30-90d" : "90d+" }
        var expected: [String: [String: (Int, Decimal)]] = [:]  // currency → bucket → (payouts, face value)
        for payout in payouts {
            let currency = payout["currency"] as? String ?? ""
            let face = decimal(payout["face_value"] as? String)
            let activated = try #require(Timestamp(rfc3339: payout["status_updated_at"] as? String ?? ""))
            var buckets = ["total", "age " + bucket(max(0, days(activated, at)))]
            if let expiry = (payout["expiry_date"] as? String).flatMap({ Timestamp(rfc3339: $0) }) {
                buckets.append("expiry " + (expiry <= at ? "expired" : bucket(days(at, expiry))))
            } else {
                buckets.append("expiry none")
            }
            for name in buckets {
                let (count, sum) = expected[currency, default: [:]][name] ?? (0, 0)
                expected[currency, default: [:]][name] = (count + 1, sum + face)
            }
        }
        var actual: [String: [String: (Int, Decimal)]] = [:]
        for entry in try #require(report["currencies"] as? [[String: Any]]) {
            let currency = entry["currency"] as? String ?? ""
            actual[currency, default: [:]]["total"] = (entry["active_payouts"] as? Int ?? -1, decimal(entry["face_value"] as? String))
            for (prefix, key) in [("age ", "by_age"), ("expiry ", "by_expiry")] {
                for bucket in entry[key] as? [[String: Any]] ?? [] where (bucket["payouts"] as? Int ?? 0) > 0 {
                    actual[currency, default: [:]][prefix + (bucket["bucket"] as? String ?? "")] =
                        (bucket["payouts"] as? Int ?? -1, decimal(bucket["face_value"] as? String))
                }
            }
        }
        #expect(Set(actual.keys) == Set(expected.keys))
        for (currency, buckets) in expected {
            #expect(Set(actual[currency]?.keys ?? [:].keys) == Set(buckets.keys), "\(currency)")
            for (name, value) in buckets {
                #expect(actual[currency]?[name]?.0 == value.0 && actual[currency]?[name]?.1 == value.1, "\(currency) \(name)")
            }
        }
        #expect(expected["USD"]?["expiry expired"] != nil && expected["EUR"]?["expiry 0-7d"] != nil,
                "the data reaches the buckets it should")
        try await service.stop()
    }

    @Test("every /v1 request is in the access log with its token id, never the token; only an auditor reads it")
    func accessLog() async throws {
        let service = try await ServiceHarness.start(apiTokens: Self.tokens)
        _ = try await seedLedger(service.service.database, count: 25)

        // The auditor-only route is refused to a dashboard token, in the JSON error shape.
        let (refused, refusal) = try await get(service, "/v1/access-log", token: Self.dashboardToken)
        #expect(refused == 403, "\(refusal)")
        #expect(refusal.contains(#""type":"forbidden""#))

        #expect(try await get(service, "/v1/orders?status=COMPLETED&limit=5", token: Self.dashboardToken).0 == 200)
        #expect(try await get(service, "/v1/orders?limit=500", token: Self.dashboardToken, accept: "text/csv").0 == 200)
        #expect(try await get(service, "/v1/orders/O-Q00001", token: Self.dashboardToken).0 == 200)
        #expect(try await get(service, "/v1/orders?status=NOPE", token: Self.dashboardToken).0 == 400)

        let (status, body) = try await get(service, "/v1/access-log?limit=100")
        #expect(status == 200, "\(body)")
        #expect(!body.contains(Self.dashboardToken) && !body.contains(Self.auditorToken))
        let entries = try #require(try json(body)["items"] as? [[String: Any]])
        func entry(_ path: String, _ query: String) -> [String: Any]? {
            entries.first { $0["path"] as? String == path && $0["query"] as? String == query }
        }
        let forbidden = try #require(entry("/v1/access-log", ""))
        #expect(forbidden["token_id"] as? String == "wallboard" && forbidden["status"] as? Int == 403)
        let filtered = try #require(entry("/v1/orders", "status=COMPLETED&limit=5"))
        #expect(filtered["token_id"] as? String == "wallboard" && filtered["role"] as? String == "dashboard")
        #expect(filtered["rows"] as? Int == 5 && filtered["method"] as? String == "GET")
        #expect(entry("/v1/orders", "limit=500")?["rows"] as? Int == 25, "a CSV export counts the rows it streamed")
        #expect(entry("/v1/orders/O-Q00001", "")?["rows"] as? Int == 1)
        #expect(entry("/v1/orders", "status=NOPE")?["status"] as? Int == 400)

        // The auditor's own reads are logged too, and the log filters by token.
        let own = try json(try await get(service, "/v1/access-log?token_id=finance-team").1)["items"] as? [[String: Any]] ?? []
        #expect(!own.isEmpty && own.allSatisfy { $0["token_id"] as? String == "finance-team" && $0["role"] as? String == "auditor" })

        // Append-only.
        await #expect(throws: (any Error).self) {
            try await service.service.database.pool.write { try $0.execute(sql: "UPDATE access_log SET token_id = 'x'") }
        }
        await #expect(throws: (any Error).self) {
            try await service.service.database.pool.write { try $0.execute(sql: "DELETE FROM access_log") }
        }
        try await service.stop()
    }

    @Test("GET /v1/completeness shows the watermark, its gaps with their reasons, and how orders arrived")
    func completenessRoute() async throws {
        let service = try await ServiceHarness.start(apiTokens: Self.tokens)
        let database = service.service.database
        let orders = try await seedLedger(database, count: 10)
        let unknown = RunaOrder(id: "O-NEVER-SEEN", status: .completed, createdAt: orders[4].createdAt?.adding(seconds: 60),
                                completedAt: orders[4].createdAt, currency: "USD")
        try await listEverything(database, orders + [unknown])
        let (status, body) = try await get(service, "/v1/completeness?created_from=2026-09-01T00:00:00Z&created_to=2026-11-01T00:00:00Z",
                                           token: Self.dashboardToken)
        #expect(status == 200, "\(body)")
        let report = try json(body)
        #expect(report["watermark"] as? String == unknown.createdAt?.canonical)
        #expect(report["open_gaps"] as? Int == 1 && report["listed_orders"] as? Int == 11)
        let gap = try #require((report["gaps"] as? [[String: Any]])?.first)
        #expect(gap["order_id"] as? String == "O-NEVER-SEEN" && gap["reason"] as? String == "not_in_ledger")
        let arrivals = try #require(report["arrivals"] as? [String: Any])
        #expect(arrivals["orders"] as? Int == 10 && arrivals["reconciler_only"] as? Int == 10)
        #expect(arrivals["webhook_never_came"] as? Int == orders.filter { $0.status != .processing }.count)

        // Per order: fetched from Runa only, then announced by a (very late) webhook as well.
        func arrival(_ id: String) async throws -> [String: Any] {
            try #require(try json(try await get(service, "/v1/orders/\(id)").1)["arrival"] as? [String: Any])
        }
        var fetched = try await arrival(orders[1].id)
        #expect(fetched["via"] as? String == "reconciler" && fetched["webhooks"] as? Int == 0)
        #expect(fetched["webhook_never_came"] as? Bool == true && fetched["webhook_lag_seconds"] is NSNull)
        #expect(try await service.post(service.signed(orders[1])).0 == 200)
        fetched = try await arrival(orders[1].id)
        #expect(fetched["via"] as? String == "both" && fetched["webhooks"] as? Int == 1)
        #expect(fetched["webhook_never_came"] as? Bool == false)
        let lag = try #require(fetched["webhook_lag_seconds"] as? Double)
        let expectedLag = Double(LedgerClock.now().microsecondsSinceEpoch - orders[1].completedAt!.microsecondsSinceEpoch) / 1e6
        #expect(abs(lag - expectedLag) < 60)
        try await service.stop()
    }
}
