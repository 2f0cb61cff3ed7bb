import Foundation
import Testing
import TestSupport
import RunaModels

@Suite("Decoding Runa's payloads")
struct OrderDecodingTests {
    @Test("the sync-mode example decodes with exact money and its e-mail item")
    func syncExample() throws {
        let order = try RunaOrder.decode(from: Data(Payloads.syncCompleted.utf8))
        #expect(order.status == .completed)
        #expect(order.totalPrice?.description == "1.0")
        #expect(order.description == .value("My first order."))
        let item = try #require(order.items?.first)
        #expect(item.distributionMethod == .email(emailAddress: "someone@example.com", templateId: nil))
        #expect(item.products == .single(value: "AMZ-GB", usageConfig: nil))
        #expect(item.payout?.status == .active)
        #expect(item.payout?.expiryDate == nil)
        #expect(item.currency == nil)
    }

    @Test("the OpenAPI example decodes with metadata and transaction detail")
    func openAPIExample() throws {
        let order = try RunaOrder.decode(from: Data(Payloads.openAPIExample.utf8))
        #expect(order.metadata == .value(["internal_id": "12345", "department": "marketing", "campaign": "summer_2024"]))
        #expect(order.transactionDetail?["USD"] == TransactionDetailEntry(value: try Money(parsing: "10.00"), fx: nil))
        #expect(order.items?.first?.products.productCodes == ["AMZ-US", "AIRBNB-US"])
    }

    @Test("every distribution and product variant decodes, unknown fields and future variants are kept by name")
    func variants() throws {
        let order = try RunaOrder.decode(from: Data(Payloads.everyVariant.utf8))
        #expect(order.totalPrice?.description == "30")
        #expect(order.metadata == .null)
        #expect(order.executionMode == "async")
        #expect(order.paymentMethod?.objectValue?["type"] == .string("CARD"))
        let items = try #require(order.items)
        #expect(items[0].products == .template(templateId: "PT-01HQ12PV4B8XMBRTK281JM54KK", values: ["A", "B"]))
        #expect(items[0].distributionMethod == .payoutLink(templateId: nil))
        #expect(items[1].distributionMethod == .recipient(recipientReference: "abc123", emailAddress: "r@example.com", templateId: nil))
        #expect(items[1].products == .single(value: "VISA-EU", usageConfig: UsageConfig(spendRulesTemplateId: "PSR-01")))
        #expect(items[2].distributionMethod == .other(type: "SMS"))
        #expect(items[2].products == .unknown)
        #expect(items[2].payout?.status == PayoutStatus(rawValue: "PENDING_REVIEW"))
        let fx = try #require(order.transactionDetail?["EUR"]?.fx)
        #expect(fx.rate == "1.234")
        #expect(fx.rateSymbol == "GBPEUR")
    }

    @Test("a NUL character anywhere in a string is refused (SQLite would store the text cut short); an escaped backslash before u0000 is not one")
    func nulCharacters() throws {
        for body in [#"{"id":"O-1\u0000","status":"FAILED"}"#, #"{"id":"O-1","status":"FAILED","description":"a\u0000b"}"#,
                     Payloads.syncCompleted.replacingOccurrences(of: "E-0123456789ABCDEFG", with: #"\u0000"#),
                     "{\"id\":\"O-1\u{0}\",\"status\":\"FAILED\"}"] {
            #expect(throws: PayloadError(path: "", problem: "a string holds U+0000 (NUL), which no Runa field has")) {
                try RunaOrder.decode(from: Data(body.utf8))
            }
        }
        let literal = try RunaOrder.decode(from: Data(#"{"id":"O-1","status":"FAILED","description":"C:\\u0000"}"#.utf8))
        #expect(literal.description == .value(#"C:\u0000"#))
    }

    @Test("failed and processing bodies need only id and status")
    func partialBodies() throws {
        let failed = try RunaOrder.decode(from: Data(Payloads.failedWebhook.utf8))
        #expect(failed.status == .failed)
        #expect(failed.items == nil && failed.totalPrice == nil && failed.description == .absent)
        #expect(try RunaOrder.decode(from: Data(Payloads.processing.utf8)).status == .processing)
    }

    @Test("missing or wrong required fields are reported with their JSON path", arguments: [
        (#"{"status":"FAILED"}"#, "id", "required field is missing"),
        (#"{"id":"O-1"}"#, "status", "required field is missing"),
        (#"{"id":"O-1","status":"COMPLETED","created_at":"2025-01-01T00:00:00Z","payment_method":{"type":"ACCOUNT_BALANCE"},"currency":"USD","total_price":"1"}"#,
         "total_discount", "required field is missing"),
        (#"{"id":"O-1","status":"FAILED","items":[{"id":"E-1","distribution_method":{"type":"EMAIL"},"products":{"type":"UNKNOWN"},"face_value":"1","price":"1"}]}"#,
         "items[0].distribution_method.email_address", "required field is missing"),
        (#"{"id":"O-1","status":"FAILED","items":[{"id":"E-1","distribution_method":{"type":"PAYOUT_LINK"},"products":{"type":"UNKNOWN"},"face_value":"1","price":"1","payout":{"status":"ACTIVE","url":"u"}}]}"#,
         "items[0].payout.status_updated_at", "required field is missing"),
        (#"{"id":"O-1","status":"FAILED","total_price":"10.0000001"}"#, "total_price", "more than 6 fraction digits"),
        (#"{"id":"O-1","status":"FAILED","created_at":"yesterday"}"#, "created_at", "RFC 3339"),
        (#"{"id":"O-1","status":"FAILED","metadata":{"a":1}}"#, "metadata.*", "expected a string"),
        (#"{"id":"O-1","status":"FAILED","payment_method":"card"}"#, "payment_method", "type"),
    ])
    func missingFields(json: String, path: String, problem: String) {
        do {
            _ = try RunaOrder.decode(from: Data(json.utf8))
            Issue.record("decoded although \(path) is wrong")
        } catch {
            #expect(error.path == path)
            #expect(error.problem.contains(problem), "\(error.problem)")
        }
    }

    @Test("a problem's path and wording carry no payload data: keys from the payload are *, values never quoted",
          arguments: [
            #"{"id":"O-1","status":"FAILED","metadata":{"bob.secret@example.com":{"x":1}}}"#,
            #"{"id":"O-1","status":"FAILED","created_at":"bob.secret@example.com"}"#,
            #"{"id":"O-1","status":"FAILED","total_price":"bob.secret@example.com"}"#,
            #"{"id":"O-1","status":"FAILED","total_price":"1e99bob.secret@example.com"}"#,
          ])
    func problemsCarryNoPayload(json: String) {
        do {
            _ = try RunaOrder.decode(from: Data(json.utf8))
            Issue.record("decoded a wrong payload")
        } catch {
            #expect(!error.description.contains("example.com") && !error.description.contains("bob"), "\(error.description)")
            #expect(!error.path.isEmpty || error.problem == "not valid JSON")
        }
    }

    @Test("a completed order's items must carry payouts")
    func completedItemsNeedPayouts() {
        let json = Payloads.syncCompleted.replacingOccurrences(of: #""payout": {"#, with: #""payout_": {"#)
        #expect(throws: PayloadError(path: "items[0].payout", problem: "required field is missing")) {
            try RunaOrder.decode(from: Data(json.utf8))
        }
    }

    @Test("a list page decodes summaries and cursors")
    func listPage() throws {
        let json = #"""
        {"items": [{"id": "O-2", "status": "PROCESSING", "created_at": "2025-01-01T00:00:01Z"},
                   {"id": "O-1", "status": "COMPLETED", "created_at": "2025-01-01T00:00:00Z",
                    "payment_method": {"type": "ACCOUNT_BALANCE"}, "currency": "USD",
                    "total_price": "5", "total_discount": "0"}],
         "pagination": {"cursors": {"after": "O-1", "before": "O-2"}, "page": {"limit": 100}}}
        """#
        let page = try OrderListPage.decode(from: Data(json.utf8))
        #expect(page.items.map(\.id) == ["O-2", "O-1"])
        #expect(page.items.allSatisfy { $0.items == nil })
        #expect(page.pagination.cursors.after == "O-1")
        #expect(page.pagination.page?.limit == 100)
    }

    @Test("an order encodes back to Runa's shape and decodes to itself")
    func roundTrip() throws {
        for json in [Payloads.syncCompleted, Payloads.openAPIExample, Payloads.everyVariant, Payloads.failedWebhook] {
            let order = try RunaOrder.decode(from: Data(json.utf8))
            #expect(try RunaOrder.decode(from: RunaJSON.encode(order)) == order)
        }
    }

    @Test("error bodies decode: validation details carry string locations; 429 has its own shape")
    func errors() throws {
        let validation = #"{"type":"validation_error","message":"bad","details":[{"type":"value_error.number.not_ge","message":"ensure this value is greater than or equal to 0.01","location":["items","0","face_value"]}]}"#
        let body = try RunaJSON.decode(RunaErrorBody.self, from: Data(validation.utf8))
        #expect(body.details?.first?.location == ["items", "0", "face_value"])
        #expect(try RunaJSON.decode(RateExceededBody.self, from: Data(#"{"error":"rate exceeded"}"#.utf8)).error == "rate exceeded")
    }
}
