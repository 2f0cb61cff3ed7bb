import Foundation
import RunaModels
@testable import RunaSim
import Synchronization
import Testing
import TestSupport

/// Every answer the simulator gives, on every endpoint and in every error case, and every webhook body it sends,
/// validated against Runa's published OpenAPI and error table (`docs/runa-2024-02-05/`, a copy of
/// `shared/runa/`) by `scripts/validate_runa_contract.py`: no property a schema does not define, no error type or
/// status Runa's table does not give. Altered copies (an added property, a wrong error type) must be refused, so the
/// check is shown to be able to fail.
@Suite("The simulator answers exactly as Runa's published contract says", .serialized)
struct SimSpecConformanceTests {
    static let secret = "whsec_c2ltdWxhdG9yLXRlc3Qtc2VjcmV0LTMyLWJ5dGVzIQ=="

    /// Answers and webhook bodies collected for the validator, each kept as its JSON entry.
    final class Capture: Sendable {
        private let entries = Mutex<(answers: [Data], webhooks: [Data])>(([], []))

        @discardableResult
        func answer(_ name: String, _ method: String, _ path: String?, _ answer: SimHarness.Answer,
                    expect: String = "valid") throws -> SimHarness.Answer {
            let body = try JSONSerialization.jsonObject(with: answer.body, options: [.fragmentsAllowed])
            try add(name, method, path, answer.status, body, expect: expect)
            return answer
        }

        func add(_ name: String, _ method: String, _ path: String?, _ status: Int, _ body: Any, expect: String = "valid") throws {
            let entry = try JSONSerialization.data(withJSONObject: [
                "name": name, "method": method, "path": path ?? NSNull(), "status": status, "body": body, "expect": expect,
            ] as [String: Any])
            entries.withLock { $0.answers.append(entry) }
        }

        func webhook(_ name: String, event: String, _ body: Data, expect: String = "valid") throws {
            let entry = try JSONSerialization.data(withJSONObject: [
                "name": name, "event": event, "body": try JSONSerialization.jsonObject(with: body), "expect": expect,
            ] as [String: Any])
            entries.withLock { $0.webhooks.append(entry) }
        }

        /// `{"answers": [...], "webhooks": [...]}`, the validator's input.
        var document: Data {
            let (answers, webhooks) = entries.withLock { ($0.answers, $0.webhooks) }
            func list(_ items: [Data]) -> Data { Data("[".utf8) + Data(items.joined(separator: Data(",".utf8))) + Data("]".utf8) }
            return Data(#"{"answers":"#.utf8) + list(answers) + Data(#","webhooks":"#.utf8) + list(webhooks) + Data("}".utf8)
        }

        var counts: (answers: Int, webhooks: Int) { entries.withLock { ($0.answers.count, $0.webhooks.count) } }
    }

    /// Bodies that cover every distribution method and product variant, with and without description and metadata,
    /// and one paid in another currency (FX details).
    static let orderBodies: [String] = [
        SeedRequests.openAPI,
        SeedRequests.asyncGuide,
        #"{"payment_method":{"type":"ACCOUNT_BALANCE","currency":"USD"},"items":[{"face_value":"25.00","distribution_method":{"type":"RECIPIENT","recipient_reference":"ref-1","email_address":"r@example.com"},"products":{"type":"MULTIPLE","values":["AMZ-US","AIRBNB-US"]}}]}"#,
        #"{"payment_method":{"type":"ACCOUNT_BALANCE","currency":"USD"},"items":[{"face_value":12.5,"distribution_method":{"type":"PAYOUT_LINK","template_id":"DT-01HPSF51G0ZWHJ3JTNWRH0WDYK"},"products":{"type":"SINGLE","value":"AMZ-GB"}}],"description":"paid in USD for a GBP product"}"#,
        #"{"payment_method":{"type":"ACCOUNT_BALANCE","currency":"USD"},"items":[{"face_value":"40","distribution_method":{"type":"PAYOUT_LINK"},"products":{"type":"SINGLE","value":"VISA-US","usage_config":{"spend_rules_template_id":"PSR-01HQ12PV4B8XMBRTK281JM54KK"}}}]}"#,
        #"{"payment_method":{"type":"ACCOUNT_BALANCE","currency":"EUR"},"items":[{"face_value":5,"distribution_method":{"type":"PAYOUT_LINK"},"products":{"type":"SINGLE","value":"AMZ-DE"}},{"face_value":7,"distribution_method":{"type":"EMAIL","email_address":"e@example.com"},"products":{"type":"SINGLE","value":"AMZ-DE"}}],"metadata":{"k":"v"}}"#,
    ]

    @Test("every endpoint and webhook, in every state, validates against openapi.json and errors.mdx",
          .enabled(if: ExternalTools.required || ExternalTools.pythonHas("jsonschema"),
                   "needs python3 with jsonschema (pip install jsonschema)"))
    func everyAnswerValidates() async throws {
        let capture = Capture()
        try await ordersInEveryState(capture)
        try await failedOrdersAnsweredIncomplete(capture)
        try await linksThatNeverExpire(capture)
        try await oldestFirstList(capture)
        try await everyError(capture)
        try alteredCopies(capture)

        let (status, output) = try await ExternalTools.runPython(
            Repository.root.appendingPathComponent("scripts/validate_runa_contract.py"), input: capture.document)
        #expect(status == 0, "\(output)")
        #expect(output.contains("; 0 problems"), "\(output)")
        #expect(capture.counts.answers > 60 && capture.counts.webhooks >= 8, "too little was captured to prove anything")
    }

    @Test("the vendored contract is Runa's published one, unchanged")
    func vendoredContractIsShared() throws {
        let shared = Repository.root.deletingLastPathComponent().appendingPathComponent("shared/runa")
        for name in ["openapi.json", "errors.mdx"] {
            let vendored = try Data(contentsOf: Repository.root.appendingPathComponent("docs/runa-2024-02-05/\(name)"))
            guard let published = try? Data(contentsOf: shared.appendingPathComponent(name)) else {
                continue  // a clone without the project's shared/ folder beside it: nothing to compare with
            }
            #expect(vendored == published, "docs/runa-2024-02-05/\(name) differs from shared/runa/\(name)")
        }
    }

    // MARK: Scenarios

    /// Async and sync orders of every variant: processing (`IncompleteOrder` from `GET /order/{id}` and in the
    /// list), finished (`CompletedOrderWithFullDetails`, `CompletedOrderWithBasicDetails`), failed ones, cursor
    /// pages both ways, idempotent replays, and the webhooks of all of them plus a `product.update`.
    func ordersInEveryState(_ capture: Capture) async throws {
        let receiver = try await WebhookReceiver()
        let sim = try await SimHarness.start {
            $0.webhookURL = receiver.url
            $0.webhookSecret = Self.secret
            $0.completeAfterSeconds = 6  // every order is still processing when first read, however loaded the machine
            $0.failRate = 0.3
            $0.seed = 11
        }
        var ids: [String] = []
        for (index, body) in Self.orderBodies.enumerated() {
            let key = "variant-\(index)"
            let answer = try capture.answer("async order \(index)", "POST", "/order", try await sim.placeOrder(body, key: key))
            #expect(answer.status == 202)
            ids.append(try answer.decode(AcceptedOrder.self).id)
            let replay = try await sim.placeOrder(body, key: key)
            #expect(replay.status == 202 && replay.body == answer.body, "the original answer is replayed byte for byte")
        }
        let sync = try capture.answer("sync order", "POST", "/order",
                                      try await sim.placeOrder(SeedRequests.syncGuide, key: "sync-1", mode: "sync"))
        #expect([200, 500].contains(sync.status))
        let processing = try capture.answer("processing order", "GET", "/order/{id}", try await sim.get("/order/\(ids[0])"))
        #expect(processing.text.contains(#""message""#) && !processing.text.contains("created_at"))
        try await listEveryPage(sim, capture, name: "list while processing")

        #expect(try await sim.eventually(timeout: .seconds(30)) {
            sim.simulator.truth().allSatisfy { $0.status != .processing }
        })
        for id in ids { try capture.answer("finished order", "GET", "/order/{id}", try await sim.get("/order/\(id)")) }
        try await listEveryPage(sim, capture, name: "list when finished")
        sim.simulator.sendProductUpdate(productCode: "AMZ-US")
        #expect(try await sim.eventually(timeout: .seconds(20)) { receiver.deliveries.count >= ids.count + 2 })
        let bodies = receiver.deliveries.map(\.body)
        for body in bodies {
            let event = String(decoding: body, as: UTF8.self).contains("product_code") ? "product.update" : "order.completion"
            try capture.webhook("delivered", event: event, body)
        }
        #expect(bodies.contains { String(decoding: $0, as: UTF8.self).contains(#""status":"FAILED""#) },
                "a failed order's webhook is among them")
        try await sim.stop()
        try await receiver.stop()
    }

    /// Every page of the list, forwards with `after` and backwards with `before`, three orders a page.
    func listEveryPage(_ sim: SimHarness, _ capture: Capture, name: String) async throws {
        var cursor: String?
        var last: SimHarness.Answer?
        for _ in 0..<10 {
            let answer = try capture.answer(name, "GET", "/order",
                                            try await sim.get("/order?limit=3" + (cursor.map { "&after=\($0)" } ?? "")))
            let page = try answer.decode(OrderListPage.self)
            if page.items.isEmpty { break }
            last = answer
            cursor = page.pagination.cursors.after
        }
        if let last, let before = try last.decode(OrderListPage.self).pagination.cursors.before {
            try capture.answer(name + " (before)", "GET", "/order", try await sim.get("/order?limit=2&before=\(before)"))
        }
    }

    /// A failed order answered as an `IncompleteOrder` (the other shape Runa's documents allow), and a failing sync
    /// order answered `internal_server_error`.
    func failedOrdersAnsweredIncomplete(_ capture: Capture) async throws {
        let sim = try await SimHarness.start {
            $0.failRate = 1
            $0.completeAfterSeconds = 0
            $0.failedOrderShape = .incomplete
        }
        let id = try await sim.placeOrder(SeedRequests.openAPI).decode(AcceptedOrder.self).id
        _ = try await sim.eventually { sim.simulator.truth().allSatisfy { $0.status == .failed } }
        let failed = try capture.answer("failed, incomplete shape", "GET", "/order/{id}", try await sim.get("/order/\(id)"))
        #expect(failed.text.contains(#""status":"FAILED""#) && failed.text.contains(#""message""#))
        try capture.answer("failed in the list", "GET", "/order", try await sim.get("/order"))
        let sync = try capture.answer("failing sync order", "POST", "/order",
                                      try await sim.placeOrder(SeedRequests.syncGuide, mode: "sync"))
        #expect(sync.status == 500)
        #expect(try sync.decode(RunaErrorBody.self).type == "internal_server_error")
        try await sim.stop()
    }

    /// Links that never expire: `expiry_date` is left out (the schema has it as a date-time, never null).
    func linksThatNeverExpire(_ capture: Capture) async throws {
        let sim = try await SimHarness.start { $0.linkExpirySeconds = nil; $0.completeAfterSeconds = 0 }
        let answer = try capture.answer("sync, links never expire", "POST", "/order",
                                        try await sim.placeOrder(SeedRequests.syncGuide, mode: "sync"))
        #expect(answer.status == 200 && !answer.text.contains("expiry_date"))
        try await sim.stop()
    }

    func oldestFirstList(_ capture: Capture) async throws {
        let sim = try await SimHarness.start { $0.listOrder = .oldestFirst; $0.completeAfterSeconds = 0 }
        for _ in 0..<5 { _ = try await sim.placeOrder(SeedRequests.openAPI) }
        _ = try await sim.eventually { sim.simulator.truth().allSatisfy { $0.status != .processing } }
        try await listEveryPage(sim, capture, name: "oldest-first list")
        try await sim.stop()
    }

    /// Each error the simulator can produce, with the `type` and status of `errors.mdx`.
    func everyError(_ capture: Capture) async throws {
        let sim = try await SimHarness.start { $0.ordersPerMinute = 12; $0.syncProcessingSeconds = 1; $0.completeAfterSeconds = 0 }
        func expectError(_ name: String, _ method: String, _ path: String?, _ answer: SimHarness.Answer,
                         _ status: Int, _ type: String) throws {
            try capture.answer(name, method, path, answer)
            #expect(answer.status == status, "\(name): \(answer.text)")
            if status != 429 { #expect((try? answer.decode(RunaErrorBody.self).type) == type, "\(name): \(answer.text)") }
        }
        try expectError("no API key", "GET", "/order", try await sim.get("/order", apiKey: nil), 401, "unauthorized")
        try expectError("wrong API key", "GET", "/order/{id}", try await sim.get("/order/O-1", apiKey: "nope"), 401, "invalid_api_key")
        try expectError("unknown order", "GET", "/order/{id}", try await sim.get("/order/O-01NOTANORDER"), 404, "not_found")
        try expectError("unknown path", "GET", nil, try await sim.get("/orders"), 404, "not_found")
        try expectError("bad limit", "GET", "/order", try await sim.get("/order?limit=0"), 400, "pagination_error")
        try expectError("limit not a number", "GET", "/order", try await sim.get("/order?limit=ten"), 400, "pagination_error")
        try expectError("unknown cursor", "GET", "/order", try await sim.get("/order?after=A-789"), 400, "pagination_error")
        try expectError("both cursors", "GET", "/order", try await sim.get("/order?after=a&before=b"), 400, "pagination_error")
        let version = [("X-Api-Key", SimHarness.apiKey), ("X-Api-Version", "2099-01-01")]
        try expectError("invalid version", "GET", "/order",
                        try await sim.send(.GET, "/order", headers: version, body: nil), 400, "invalid_version")
        let removed = [("X-Api-Key", SimHarness.apiKey), ("X-Api-Version", "2023-07-27")]
        try expectError("removed version", "GET", "/order/{id}",
                        try await sim.send(.GET, "/order/O-1", headers: removed, body: nil), 410, "version_removed")

        try expectError("execution mode", "POST", "/order",
                        try await sim.placeOrder(SeedRequests.openAPI, mode: "later"), 400, "invalid_execution_mode")
        try expectError("no idempotency key", "POST", "/order",
                        try await sim.placeOrder(SeedRequests.openAPI, key: nil), 422, "validation_error")
        let invalid = try await sim.placeOrder(#"{"payment_method":{"type":"ACCOUNT_BALANCE","currency":"usd"},"items":[]}"#, key: "bad-1")
        try expectError("invalid body", "POST", "/order", invalid, 422, "validation_error")
        let replayedInvalid = try await sim.placeOrder(#"{"payment_method":{"type":"ACCOUNT_BALANCE","currency":"usd"},"items":[]}"#, key: "bad-1")
        #expect(replayedInvalid.status == 422 && replayedInvalid.body == invalid.body, "an error is replayed too")
        try expectError("not JSON", "POST", "/order", try await sim.placeOrder("{", key: "bad-2"), 400, "bad_request")
        _ = try await sim.placeOrder(SeedRequests.openAPI, key: "used-once")
        try expectError("key reused with another body", "POST", "/order",
                        try await sim.placeOrder(SeedRequests.asyncGuide, key: "used-once"), 400, "idempotency_validation_error")

        // A sync order takes a second here: the same key meanwhile is still in progress.
        async let first = sim.placeOrder(SeedRequests.syncGuide, key: "slow-sync", mode: "sync")
        try await Task.sleep(for: .milliseconds(300))
        try expectError("key in progress", "POST", "/order",
                        try await sim.placeOrder(SeedRequests.syncGuide, key: "slow-sync", mode: "sync"), 400, "idempotency_in_progress")
        let original = try capture.answer("slow sync order", "POST", "/order", try await first)
        let replay = try await sim.placeOrder(SeedRequests.syncGuide, key: "slow-sync", mode: "sync")
        #expect(replay.status == original.status && replay.body == original.body)

        // Order creation's own limit (12 a minute here; Runa's is 300): the requests above used it up.
        var limited: SimHarness.Answer?
        for index in 0..<10 where limited == nil {
            let answer = try await sim.placeOrder(SeedRequests.openAPI, key: "limit-\(index)")
            if answer.status == 429 { limited = answer }
        }
        let rateExceeded = try #require(limited)
        try expectError("order rate limit", "POST", "/order", rateExceeded, 429, "")
        #expect(rateExceeded.text == #"{"error":"rate exceeded"}"#)
        #expect(rateExceeded.headers.first(name: "Retry-After") == nil, "Runa promises no Retry-After")

        sim.simulator.setFaults(errorRate: 0, truncateRate: 0, rateLimit: 0.001)
        _ = try await sim.get("/order")
        try expectError("read rate limit", "GET", "/order", try await sim.get("/order"), 429, "")
        sim.simulator.setFaults(errorRate: 1, truncateRate: 0, rateLimit: nil)
        var seen: Set<Int> = []
        for _ in 0..<12 {
            let answer = try capture.answer("injected fault", "GET", "/order/{id}", try await sim.get("/order/O-1"))
            seen.insert(answer.status)
        }
        #expect(seen == [500, 504], "injected faults are internal_server_error and timeout")
        try await sim.stop()
    }

    /// Copies altered as the simulator used to answer: each must be refused, or the validator proves nothing.
    func alteredCopies(_ capture: Capture) throws {
        let listItem: [String: Any] = [
            "id": "O-01J0000000000000000000000", "status": "COMPLETED", "created_at": "2026-11-30T10:00:00Z",
            "payment_method": ["type": "ACCOUNT_BALANCE", "currency": "USD"], "currency": "USD",
            "total_price": "10.00", "total_discount": "0.00", "description": NSNull(),
        ]
        func page(_ item: [String: Any]) -> [String: Any] {
            ["items": [item], "pagination": ["cursors": ["after": "x", "before": "x"], "page": ["limit": 100]]]
        }
        try capture.add("a list item, as documented", "GET", "/order", 200, page(listItem))
        try capture.add("a list item with metadata", "GET", "/order", 200,
                    page(listItem.merging(["metadata": NSNull()]) { $1 }), expect: "invalid")
        try capture.add("a list item with execution_mode", "GET", "/order", 200,
                    page(listItem.merging(["execution_mode": "async"]) { $1 }), expect: "invalid")
        try capture.add("a processing order with order fields", "GET", "/order/{id}", 200,
                    ["id": "O-1", "status": "PROCESSING", "message": "m", "currency": "USD"], expect: "invalid")
        try capture.add("a kebab-case error type", "GET", "/order/{id}", 404,
                    ["type": "not-found", "message": "The requested resource was not found"], expect: "invalid")
        try capture.add("an error type at another status", "POST", "/order", 422,
                    ["type": "invalid_execution_mode", "message": "m", "details": [] as [Any]], expect: "invalid")
        try capture.add("a sync order that failed", "POST", "/order", 200,
                    listItem.merging(["status": "FAILED", "items": [] as [Any], "metadata": NSNull()]) { $1 }, expect: "invalid")
        try capture.webhook("a completion webhook with metadata", event: "order.completion",
                            try JSONSerialization.data(withJSONObject: listItem.merging(["metadata": ["a": "b"]]) { $1 }),
                            expect: "invalid")
    }
}

