import Foundation
import GRDB
@testable import Ledger
@testable import QueryAPI
import RunaModels
import Testing
import TestSupport

@Suite("The /v1 query API", .serialized)
struct QueryAPITests {
    static let token = "test-token-0123456789abcdef"

    func start() async throws -> ServiceHarness { try await ServiceHarness.start(apiTokens: [Self.token]) }

    func get(_ service: ServiceHarness, _ path: String, token: String? = QueryAPITests.token, accept: String? = nil)
        async throws -> (Int, String)
    {
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if let accept { headers.append(("Accept", accept)) }
        return try await service.send(path: path, method: .GET, headers: headers, body: nil)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static let routes = ["/v1/orders", "/v1/orders/O-Q00001", "/v1/orders/O-Q00001/events", "/v1/payouts", "/v1/summary",
                         "/v1/reconciliation", "/v1/deliveries", "/v1/completeness", "/v1/closes", "/v1/closes/2026-10",
                         "/v1/value-at-risk", "/v1/access-log"]

    @Test("every /v1 route answers 401 without a token or with a wrong one, in the JSON error shape", arguments: routes)
    func unauthorized(path: String) async throws {
        let service = try await start()
        for token in [nil, "wrong-token-0123456789", Self.token + "x"] as [String?] {
            let (status, body) = try await get(service, path, token: token)
            #expect(status == 401)
            #expect(body.contains(#""type":"unauthorized""#))
        }
        try await service.stop()
    }

    @Test("filters select exactly the matching orders")
    func filters() async throws {
        let service = try await start()
        let orders = try await seedLedger(service.service.database, count: 60)
        func ids(_ query: String) async throws -> Set<String> {
            let (status, body) = try await get(service, "/v1/orders?limit=500&" + query)
            #expect(status == 200, "\(body)")
            let items = try json(body)["items"] as? [[String: Any]] ?? []
            return Set(items.compactMap { $0["id"] as? String })
        }
        #expect(try await ids("status=FAILED") == Set(orders.filter { $0.status == .failed }.map(\.id)))
        #expect(try await ids("currency=GBP") == Set(orders.filter { $0.currency == "GBP" }.map(\.id)))
        #expect(try await ids("status=COMPLETED,FAILED&currency=EUR") == Set(orders.filter { $0.currency == "EUR" }.map(\.id)))
        let from = Timestamp(rfc3339: "2026-10-01T10:00:00Z")!, to = Timestamp(rfc3339: "2026-10-02T00:00:00Z")!
        #expect(try await ids("created_from=2026-10-01T10:00:00Z&created_to=2026-10-02")
            == Set(orders.filter { $0.createdAt! >= from && $0.createdAt! < to }.map(\.id)))
        #expect(try await ids("payout_status=CLAIMED")
            == Set(orders.filter { $0.items?.contains { $0.payout?.status == .claimed } == true }.map(\.id)))
        #expect(try await ids("q=O-Q0001") == Set((10...19).map { String(format: "O-Q%05d", $0) }))
        #expect(try await ids("q=bonus%201") == Set(orders.filter { ($0.description.value ?? "").hasPrefix("bonus 1") }.map(\.id)))
        #expect(try await ids("source=reconciler").count == 60)
        #expect(try await ids("source=webhook").isEmpty)
        try await service.stop()
    }

    @Test("q finds description text anywhere, ignoring case, literally, and follows a changed description")
    func descriptionSearch() async throws {
        let service = try await start()
        let database = service.service.database
        let orders = try await seedLedger(database, count: 30)
        func ids(_ text: String) async throws -> Set<String> {
            let query = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let (status, body) = try await get(service, "/v1/orders?limit=500&q=" + query)
            #expect(status == 200, "\(body)")
            return Set((try json(body)["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        }
        func expected(_ text: String) -> Set<String> {
            Set(orders.filter { ($0.description.value ?? "").lowercased().contains(text.lowercased()) }.map(\.id))
        }
        for text in ["NUS 2", "hyperlink(\"evil\")", "\"quoted\"\nline 1", "us 1", "=HYP", "line 25"] {
            #expect(try await ids(text) == expected(text), "q=\(text)")
            #expect(!expected(text).isEmpty)
        }
        for text in ["bonus%", "bon_s", "OR bonus", "s\"\"q", "no such text"] {
            #expect(try await ids(text).isEmpty, "q=\(text)")
        }
        // Runa's answer replaces a description: the old text no longer finds the order, the new text does.
        var changed = orders[7]
        changed.description = .value("Spring Campaign 2026")
        _ = try await database.applyAuthoritative(changed, cause: "test", now: LedgerClock.now())
        #expect(try await ids("campaign") == [changed.id])
        #expect(try await ids("bonus 7") == [])
        // Pages of a search follow the listing order (newest first) and meet every match once.
        let (_, listing) = try await get(service, "/v1/orders?limit=500")
        let newestFirst = (try json(listing)["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        var paged: [String] = []
        var cursor = ""
        repeat {
            let (status, body) = try await get(service, "/v1/orders?limit=4&q=bonus&after=" + cursor)
            #expect(status == 200, "\(body)")
            let page = try json(body)
            paged += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            cursor = (page["next"] as? String)?.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        } while !cursor.isEmpty
        #expect(paged == newestFirst.filter { expected("bonus").contains($0) && $0 != changed.id })
        // With other filters that let few matches through, the orders those filters select are searched instead
        // of the index (here forced by a window of one match): the same rows, in the same order, with working cursors.
        for query in [[("q", "bonus"), ("currency", "GBP")], [("q", "bonus"), ("status", "FAILED")],
                      [("q", "BONUS 1"), ("created_to", "2026-10-01T12:00:00Z")], [("q", "line"), ("payout_status", "CLAIMED")]] {
            let allowed = Set(query.map(\.0))
            var walked: [String] = [], after: [String]? = nil
            repeat {
                let parameters = try QueryParameters(query, allowed: allowed)
                let filter = try QueryAPI.orderFilter(parameters)
                let page = try await database.orders(filter, after: after, limit: 3, searchPlanWindow: 1).page(after: after, limit: 3)
                walked += page.records.map(\.id)
                after = page.next
            } while after != nil
            let path = "/v1/orders?limit=500&" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                .joined(separator: "&")
            let (_, body) = try await get(service, path)
            let served = (try json(body)["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(walked == served && !served.isEmpty, "\(query)")
        }
        // Times far outside the usual range neither overflow the listing key (schemathesis found this) nor hide
        // an order: one created in the year 1 is stored, found, and bounded like any other.
        var ancient = orders[3]
        ancient.id = "O-QANCIENT"
        ancient.createdAt = Timestamp(rfc3339: "0001-01-01T00:00:00Z")
        ancient.description = .value("ancient bonus")
        _ = try await database.applyAuthoritative(ancient, cause: "test", now: LedgerClock.now())
        #expect(try await ids("ancient") == ["O-QANCIENT"])
        for bounds in ["created_from=0272-12-21T07:24:17.42516-08:44", "created_to=9999-12-31T23:59:59Z",
                       "created_from=0001-01-01&created_to=0002-01-01"] {
            let (status, body) = try await get(service, "/v1/orders?q=ancient&currency=\(ancient.currency!)&" + bounds)
            #expect(status == 200, "\(bounds): \(body)")
        }
        let (_, bounded) = try await get(service, "/v1/orders?q=bonus&created_to=0002-01-01")
        #expect((try json(bounded)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["O-QANCIENT"])
        // Two characters cannot use the trigram index: a 400 naming q, unless it is an order id prefix.
        let (status, body) = try await get(service, "/v1/orders?q=bo")
        #expect(status == 400 && body.contains("q"))
        #expect(try await ids("O-") == Set(orders.map(\.id) + [ancient.id]))
        try await service.stop()
    }

    @Test("more than a thousand orders listed at the same instant are all stored, found and paged exactly once (found by fuzzing)")
    func sameInstant() async throws {
        let service = try await start()
        let database = service.service.database
        let instant = Timestamp(rfc3339: "2025-01-01T12:00:00+00:00")!  // Runa's own examples give whole seconds
        let count = 1_010
        try await database.pool.write { db in
            for index in 0..<count {
                try db.execute(sql: """
                    INSERT INTO orders (id, status, created_at, description, first_seen_at, updated_at, last_source, version)
                    VALUES (?, 'PROCESSING', ?, ?, ?, ?, 'webhook', 1)
                    """, arguments: [String(format: "O-SAME%05d", index), instant.canonical, "same second \(index)",
                                     instant.canonical, instant.canonical])
            }
            // Rows written with plain SQL wait for the search index until the transaction applies them.
            try OrderSearchIndex.applyStaged(db)
        }
        // And one more the normal way, through a signed delivery, into the crowded instant.
        let late = RunaOrder(id: "O-SAMELATE", status: .processing, createdAt: instant, description: .value("same second, late"))
        #expect(try await service.post(service.signed(late)).0 == 200)
        var seen: [String] = []
        var cursor = ""
        repeat {
            let (status, body) = try await get(service, "/v1/orders?limit=500&q=same%20second&after=" + cursor)
            #expect(status == 200, "\(body)")
            let page = try json(body)
            seen += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            cursor = (page["next"] as? String)?.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        } while !cursor.isEmpty
        #expect(seen.count == count + 1 && Set(seen).count == count + 1)
        try await service.stop()
    }

    @Test("a bad parameter is a 400 naming it", arguments: [
        ("status=DONE", "status"), ("currency=usd", "currency"), ("created_from=yesterday", "created_from"),
        ("limit=0", "limit"), ("limit=501", "limit"), ("payout_status=GONE", "payout_status"), ("source=api2", "source"),
        ("colour=red", "colour"), ("after=not-a-cursor", "after"), ("limit=5&limit=6", "limit"), ("format=xml", "format"),
        ("q=%00ab", "q"), ("q=ab%00c", "q"), ("q=abc%1F", "q"), ("currency=US%00", "currency"), ("q=abc%7F", "q"),
    ])
    func badParameters(query: String, parameter: String) async throws {
        let service = try await start()
        let (status, body) = try await get(service, "/v1/orders?" + query)
        #expect(status == 400)
        #expect(body.contains(#""type":"invalid_parameter""#))
        #expect(body.contains(#""message":"\#(parameter):"#), "\(body)")
        try await service.stop()
    }

    @Test("paging to the end sees every order once, even while new orders arrive between pages")
    func pagination() async throws {
        let service = try await start()
        let first = try await seedLedger(service.service.database, count: 45)
        var seen: [String] = []
        var next: String? = nil
        var pages = 0
        repeat {
            let path = "/v1/orders?limit=10" + (next.map { "&after=\($0)" } ?? "")
            let page = try json(try await get(service, path).1)
            seen += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            next = page["next"] as? String
            pages += 1
            if pages == 2 { _ = try await seedLedger(service.service.database, count: 5, offset: 1_000) }  // newer orders
        } while next != nil
        #expect(seen == first.map(\.id).reversed(), "newest first, no gaps, no repeats")
        #expect(pages == 5)
        try await service.stop()
    }

    @Test("a cursor is tamper-evident and bound to its filters")
    func cursors() async throws {
        let service = try await start()
        _ = try await seedLedger(service.service.database, count: 30)
        let page = try json(try await get(service, "/v1/orders?limit=5&currency=USD").1)
        let cursor = try #require(page["next"] as? String)
        #expect(try await get(service, "/v1/orders?limit=5&currency=USD&after=\(cursor)").0 == 200)
        #expect(try await get(service, "/v1/orders?limit=5&currency=GBP&after=\(cursor)").0 == 400)
        var tampered = Array(cursor)
        tampered[3] = tampered[3] == "A" ? "B" : "A"
        #expect(try await get(service, "/v1/orders?limit=5&currency=USD&after=\(String(tampered))").0 == 400)
        try await service.stop()
    }

    @Test("summary totals per currency and status equal a Decimal computation over the same orders")
    func totals() async throws {
        let service = try await start()
        let orders = try await seedLedger(service.service.database, count: 90)
        let summary = try json(try await get(service, "/v1/summary").1)
        let lines = try #require(summary["lines"] as? [[String: Any]])
        for currency in ["USD", "GBP", "EUR"] {
            for status in [OrderStatus.completed, .failed] {
                let matching = orders.filter { $0.currency == currency && $0.status == status }
                let expected = matching.reduce(Decimal(0)) { $0 + Decimal(string: $1.totalPrice!.description)! }
                let faces = matching.flatMap { $0.items ?? [] }.reduce(Decimal(0)) { $0 + Decimal(string: $1.faceValue.description)! }
                let line = try #require(lines.first { $0["currency"] as? String == currency && $0["status"] as? String == status.rawValue })
                #expect(Decimal(string: line["total_price"] as? String ?? "x") == expected)
                #expect(Decimal(string: line["face_value"] as? String ?? "x") == faces)
                #expect(line["orders"] as? Int == matching.count)
                #expect((line["total_price"] as? String)?.contains("e") == false)
            }
        }
        let byDay = try json(try await get(service, "/v1/summary?group=day&created_from=2026-10-02&created_to=2026-10-03").1)
        let dayLines = try #require(byDay["lines"] as? [[String: Any]])
        #expect(Set(dayLines.compactMap { $0["day"] as? String }) == ["2026-10-02"])
        #expect(dayLines.reduce(0) { $0 + ($1["orders"] as? Int ?? 0) } == 24)
        try await service.stop()
    }

    @Test("CSV exports every matching row with a header, RFC 4180 quoting and formulas neutralised")
    func csv() async throws {
        let service = try await start()
        let orders = try await seedLedger(service.service.database, count: 25)
        let (status, text) = try await get(service, "/v1/orders?format=csv")
        #expect(status == 200)
        let (_, viaAccept) = try await get(service, "/v1/orders", accept: "text/csv")
        #expect(viaAccept == text)
        let records = parseCSV(text)
        #expect(records.first?.first == "id")
        #expect(records.count == orders.count + 1)
        let evil = try #require(records.first { $0.first == "O-Q00005" })
        #expect(evil[7] == "'=HYPERLINK(\"evil\"), \"quoted\"\nline 5")
        #expect(text.contains("\"'=HYPERLINK(\"\"evil\"\"), \"\"quoted\"\"\nline 5\""))
        #expect(text.hasSuffix("\r\n"))
        let (payoutStatus, payouts) = try await get(service, "/v1/payouts?format=csv&status=CLAIMED")
        #expect(payoutStatus == 200)
        #expect(parseCSV(payouts).dropFirst().allSatisfy { $0[2] == "CLAIMED" })
        try await service.stop()
    }

    @Test("one order with items, payouts and its audit trail; 404 in the error shape when unknown")
    func oneOrder() async throws {
        let service = try await start()
        _ = try await seedLedger(service.service.database, count: 3)
        let order = try json(try await get(service, "/v1/orders/O-Q00001").1)
        #expect(order["total_price"] as? String == "22.02")
        let items = try #require(order["items"] as? [[String: Any]])
        #expect(items.count == 2 && (items.first?["payout"] as? [String: Any])?["status"] as? String == "ACTIVE")
        let events = try #require(order["events"] as? [[String: Any]])
        #expect(events.first?["kind"] as? String == "order.created")
        let trail = try json(try await get(service, "/v1/orders/O-Q00001/events").1)
        #expect((trail["items"] as? [[String: Any]])?.count == events.count)
        // The list's hand-written JSON says exactly what the detail's encoder says.
        _ = try await seedLedger(service.service.database, count: 3, offset: 5)
        var detail = try json(try await get(service, "/v1/orders/O-Q00005").1)
        detail["items"] = nil
        detail["events"] = nil
        detail["arrival"] = nil
        let listed = try #require((try json(try await get(service, "/v1/orders?q=O-Q00005").1)["items"] as? [[String: Any]])?.first)
        func canonical(_ object: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(try canonical(listed) == canonical(detail))
        #expect((listed["description"] as? String)?.contains("\n") == true)
        let (missing, body) = try await get(service, "/v1/orders/O-NOPE")
        #expect(missing == 404 && body.contains(#""type":"not_found""#))
        try await service.stop()
    }

    @Test("reconciliation and deliveries answer with their counts")
    func operations() async throws {
        let service = try await start()
        let body = Data(#"{"id":"O-01BROKEN","status":"COMPLETED","total_price":"lots"}"#.utf8)
        #expect(try await service.post(service.signed(body)).0 == 200)
        let duplicate = service.signed(Orders.completed())
        #expect(try await service.post(duplicate).0 == 200)
        #expect(try await service.post(duplicate).0 == 200)
        var forged = service.signed(Orders.completed())
        forged.id = "msg_forged"
        #expect(try await service.post(forged).0 == 401)
        let deliveries = try json(try await get(service, "/v1/deliveries").1)
        #expect((deliveries["counts"] as? [String: Int])?["quarantined"] == 1)
        #expect((deliveries["counts"] as? [String: Int])?["applied"] == 1)
        // The counts are running totals (0006); they equal a count of the stored deliveries.
        let counted = try await service.service.database.pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT outcome, count(*) AS n FROM webhook_deliveries GROUP BY outcome")
                .map { ($0["outcome"] as String, $0["n"] as Int) })
        }
        #expect((deliveries["counts"] as? [String: Int]) == counted)
        #expect((deliveries["since_start"] as? [String: Int]) == ["duplicate": 1, "rejected": 1])
        #expect((deliveries["items"] as? [[String: Any]])?.first?["error"] as? String != nil)
        let reconciliation = try json(try await get(service, "/v1/reconciliation").1)
        let backlog = try #require(reconciliation["backlog"] as? [String: Any])
        #expect(backlog["in_step"] as? Bool == false, "the webhook's order still needs its items")
        #expect(backlog["without_details"] as? Int == 1 && backlog["due"] as? Int == 1)
        #expect((reconciliation["list_order"] as? [String: Any])?["direction"] as? String == "unknown",
                "no list read yet: the direction is not assumed")
        var listing = ListingState()
        listing.direction = .oldestFirst
        listing.tailCursor = "O-01TAIL"
        try await service.service.database.setListingState(listing)
        let seen = try json(try await get(service, "/v1/reconciliation").1)["list_order"] as? [String: Any]
        #expect(seen?["direction"] as? String == "oldest_first" && seen?["tail_cursor_held"] as? Bool == true)
        try await service.stop()
    }
}

@Suite("GET /v1/openapi.json is true to the API")
struct OpenAPIDocumentTests {
    func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    }

    /// Resolves `{"$ref": "#/components/parameters/x"}` to the parameter's name.
    func parameterNames(_ operation: [String: Any], _ document: [String: Any]) -> Set<String> {
        let components = (document["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]] ?? [:]
        let parameters = operation["parameters"] as? [[String: Any]] ?? []
        return Set(parameters.compactMap { parameter -> [String: Any]? in
            if let ref = parameter["$ref"] as? String { return components[String(ref.split(separator: "/").last ?? "")] }
            return parameter
        }.filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String })
    }

    @Test("it is OpenAPI 3.1, documents exactly the routes and query parameters the code serves, and is served unauthenticated")
    func documentMatchesRoutes() async throws {
        let document = try document()
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        #expect(Set(paths.keys) == Set(QueryAPI.parameters.keys).union(["/v1/openapi.json"]))
        for (path, expected) in QueryAPI.parameters {
            let operation = try #require(paths[path]?["get"] as? [String: Any], "\(path)")
            let documented = parameterNames(operation, document)
            let lists = expected.contains("after")
            #expect(documented == (lists ? expected.union(["format"]) : expected), "\(path)")
        }
        let service = try await ServiceHarness.start(apiTokens: ["test-token-0123456789abcdef"])
        let (status, body) = try await service.get("/v1/openapi.json")
        #expect(status == 200 && body == OpenAPIDocument.json)
        for path in QueryAPI.paths where !path.contains("openapi") {
            let concrete = path.replacingOccurrences(of: ":id", with: "O-NOPE")
            let (code, _) = try await service.send(path: concrete, method: .DELETE, headers: [], body: nil)
            #expect(code == 405, "\(concrete) should refuse DELETE with 405")
        }
        try await service.stop()
    }
}

@Suite("Running totals stay exact")
struct RunningTotalsTests {
    @Test("after creations, status changes, conflicts and enrichment, the summary from running totals equals one computed from the orders")
    func totalsFollowEveryChange() async throws {
        let service = try await ServiceHarness.start(apiTokens: [QueryAPITests.token])
        let database = service.service.database
        _ = try await seedLedger(database, count: 30)
        // Webhooks: new orders without items, a FAILED claim against a COMPLETED order, a late PROCESSING.
        for index in 0..<5 {
            let order = RunaOrder(id: "O-W\(index)", status: .completed, createdAt: Timestamp(rfc3339: "2026-10-05T12:00:00Z")!,
                                  paymentMethod: .object(["type": .string("ACCOUNT_BALANCE")]), currency: "USD",
                                  totalPrice: Money(micros: 7_000_000, scale: 2), totalDiscount: Money(micros: 0, scale: 0))
            #expect(try await service.post(service.signed(order)).0 == 200)
        }
        #expect(try await service.post(service.signed(RunaOrder(id: "O-Q00002", status: .failed))).0 == 200)
        // Runa's answer: an order that was COMPLETED is FAILED, with new money and an item in another currency.
        let corrected = RunaOrder(id: "O-Q00004", status: .failed, createdAt: Timestamp(rfc3339: "2026-10-03T00:00:00Z")!,
                                  paymentMethod: .object(["type": .string("ACCOUNT_BALANCE")]), currency: "EUR",
                                  totalPrice: Money(micros: 1_230_000, scale: 2), totalDiscount: Money(micros: 0, scale: 0),
                                  items: [OrderItem(id: "E-NEW", distributionMethod: .payoutLink(templateId: nil),
                                                    products: .unknown, faceValue: Money(micros: 1_230_000, scale: 2),
                                                    price: Money(micros: 1_230_000, scale: 2), currency: "CAD", payout: nil)])
        _ = try await database.applyAuthoritative(corrected, cause: "test", now: LedgerClock.now())

        func lines(_ query: String) async throws -> [String] {
            let (_, body) = try await service.send(path: "/v1/summary?" + query, method: .GET,
                                                   headers: [("Authorization", "Bearer \(QueryAPITests.token)")], body: nil)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            // Each line as sorted "key=value" pairs, the lines sorted: comparable whatever the JSON order.
            return (object["lines"] as? [[String: Any]] ?? []).map { line in
                line.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "&")
            }.sorted()
        }
        // Whole-day bounds (and none) use the running totals; a bound one second past midnight computes from orders.
        #expect(try await lines("created_from=2000-01-01") == lines("created_from=1999-12-31T23:59:59Z"))
        #expect(try await lines("group=day&created_to=2030-01-01") == lines("group=day&created_to=2029-12-31T23:59:59Z"))
        #expect(try await lines("") == lines("created_from=2000-01-01"))
        #expect(try await lines("").contains { $0.contains("currency=CAD") && $0.contains("face_value=1.23") && $0.contains("status=FAILED") })
        try await service.stop()
    }
}
