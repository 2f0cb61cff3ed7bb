import Foundation
import Ledger
import RunaModels
import Testing
import TestSupport
import Webhooks

@Suite("POST /webhooks/runa over real HTTP", .serialized)
struct WebhookEndpointTests {
    @Test("a valid delivery is answered 200 after its order is in the ledger")
    func validDelivery() async throws {
        let service = try await ServiceHarness.start()
        let order = Orders.completed()
        let (status, body) = try await service.post(service.signed(order, id: "msg_valid"))
        #expect(status == 200)
        #expect(body == #"{"outcome":"applied"}"#)
        #expect(try await service.value("SELECT status FROM orders WHERE id = '\(order.id)'", as: String.self) == "COMPLETED")
        #expect(try await service.value("SELECT total_price FROM orders", as: String.self) == "25.00")
        #expect(try await service.value("SELECT outcome FROM webhook_deliveries WHERE msg_id = 'msg_valid'", as: String.self) == "applied")
        try await service.stop()
    }

    @Test("the same msg_id again is answered 200 and writes nothing")
    func duplicateMessage() async throws {
        let service = try await ServiceHarness.start()
        let delivery = service.signed(Orders.completed(), id: "msg_dup")
        #expect(try await service.post(delivery).0 == 200)
        let before = try await service.writtenRows()
        let (status, body) = try await service.post(delivery)
        #expect(status == 200 && body == #"{"outcome":"duplicate"}"#)
        #expect(try await service.writtenRows() == before)
        try await service.stop()
    }

    enum Forgery: String, CaseIterable {
        case tamperedBody, wrongSecret, staleTimestamp, futureTimestamp, missingId, missingTimestamp,
             missingSignature, malformedTimestamp, malformedSignature, signatureForAnotherId
    }

    @Test("a delivery that is not authentic is answered 401 and nothing is written", arguments: Forgery.allCases)
    func forgeries(_ forgery: Forgery) async throws {
        let service = try await ServiceHarness.start()
        let body = RunaJSON.encode(Orders.completed())
        var delivery = service.signed(body)
        var headers: [(String, String)]?
        switch forgery {
        case .tamperedBody:
            delivery.body = Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "25.00", with: "95.00").utf8)
        case .wrongSecret:
            delivery = service.signed(body, secret: WebhookSecret(key: Array(repeating: 1, count: 32)))
        case .staleTimestamp:
            delivery = service.signed(body, offset: -301)
        case .futureTimestamp:
            delivery = service.signed(body, offset: 400)  // well past the 300 s tolerance, however slow the machine
        case .missingId:
            headers = delivery.headers.filter { $0.0 != "svix-id" }
        case .missingTimestamp:
            headers = delivery.headers.filter { $0.0 != "svix-timestamp" }
        case .missingSignature:
            headers = delivery.headers.filter { $0.0 != "svix-signature" }
        case .malformedTimestamp:
            delivery.timestamp = delivery.timestamp + ".0"
        case .malformedSignature:
            delivery.signature = "v1,not-base64!"
        case .signatureForAnotherId:
            delivery.id = "msg_other"
        }
        let (status, response) = try await service.post(delivery, headers: headers)
        #expect(status == 401)
        #expect(response.contains(#""type":"invalid_signature""#))
        #expect(try await service.writtenRows() == [0, 0, 0, 0])
        try await service.stop()
    }

    @Test("webhook-* header names and mixed case are accepted")
    func headerSpellings() async throws {
        let service = try await ServiceHarness.start()
        let delivery = service.signed(Orders.completed())
        let spelled = [("Webhook-Id", delivery.id), ("WEBHOOK-TIMESTAMP", delivery.timestamp), ("webhook-signature", delivery.signature)]
        #expect(try await service.post(delivery, headers: spelled).0 == 200)
        try await service.stop()
    }

    @Test("during a secret rotation a delivery signed with the old secret or the new one is taken; any other secret is refused")
    func rotation() async throws {
        let old = WebhookSecret(key: Array(repeating: 1, count: 32))
        let unknown = WebhookSecret(key: Array(repeating: 2, count: 32))
        let service = try await ServiceHarness.start(olderSecrets: [old])
        let body = { RunaJSON.encode(Orders.completed()) }
        #expect(try await service.post(service.signed(body(), secret: old)).0 == 200)
        #expect(try await service.post(service.signed(body())).0 == 200)
        let refused = try await service.post(service.signed(body(), secret: unknown))
        #expect(refused.0 == 401 && refused.1.contains(#""type":"invalid_signature""#))
        #expect(try await service.value("SELECT count(*) FROM orders", as: Int.self) == 2)
        try await service.stop()
    }

    @Test("exactly the limit is accepted; one byte more is 413 and nothing is written")
    func bodyLimit() async throws {
        let service = try await ServiceHarness.start()
        func padded(to size: Int) -> Data {
            var body = RunaJSON.encode(Orders.completed())
            body.append(Data(repeating: UInt8(ascii: " "), count: size - body.count))
            return body
        }
        let exact = try await service.post(service.signed(padded(to: 1_048_576)))
        #expect(exact.0 == 200)
        let over = try await service.post(service.signed(padded(to: 1_048_577)))
        #expect(over.0 == 413)
        #expect(over.1.contains(#""type":"payload_too_large""#))
        #expect(try await service.value("SELECT count(*) FROM webhook_deliveries", as: Int.self) == 1)
        try await service.stop()
    }

    @Test("a FAILED delivery after a COMPLETED one keeps the completed fields")
    func failedAfterCompleted() async throws {
        let service = try await ServiceHarness.start()
        let order = Orders.completed("O-01KEEP")
        #expect(try await service.post(service.signed(order)).0 == 200)
        #expect(try await service.post(service.signed(Orders.failed(order.id))).0 == 200)
        #expect(try await service.value("SELECT status FROM orders", as: String.self) == "COMPLETED")
        #expect(try await service.value("SELECT total_price FROM orders", as: String.self) == "25.00")
        #expect(try await service.value("SELECT description FROM orders", as: String.self) == "November bonus")
        #expect(try await service.value("SELECT count(*) FROM order_events WHERE kind = 'discrepancy'", as: Int.self) == 1)
        #expect(try await service.value("SELECT count(*) FROM reconcile_tasks WHERE reason = 'conflict'", as: Int.self) == 1)
        try await service.stop()
    }

    @Test("PROCESSING never overwrites a terminal status")
    func processingAfterTerminal() async throws {
        let service = try await ServiceHarness.start()
        #expect(try await service.post(service.signed(Orders.failed("O-01TERMINAL"))).0 == 200)
        #expect(try await service.post(service.signed(Orders.processing("O-01TERMINAL"))).0 == 200)
        #expect(try await service.value("SELECT status FROM orders", as: String.self) == "FAILED")
        try await service.stop()
    }

    @Test("100 concurrent deliveries all land, in one intact hash chain")
    func concurrentDeliveries() async throws {
        let service = try await ServiceHarness.start()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                let delivery = service.signed(Orders.completed("O-CONC-\(index)"), id: "msg_conc_\(index)")
                group.addTask { try await service.post(delivery).0 }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.count == 100 && statuses.allSatisfy { $0 == 200 })
        #expect(try await service.value("SELECT count(*) FROM orders", as: Int.self) == 100)
        let report = try service.service.database.check(migrations: service.service.migrations)
        #expect(report.isHealthy && report.chain.events == 100)
        try await service.stop()
    }

    @Test("a delivery answered 503 is not remembered as seen: Svix's retry is applied normally")
    func unavailableIsNotRemembered() async throws {
        let service = try await ServiceHarness.start()
        let delivery = service.signed(Orders.completed(), id: "msg_retry")
        let lock = try ExternalLock(path: service.databasePath)
        let (status, body) = try await service.post(delivery)
        #expect(status == 503)
        #expect(body.contains(#""type":"unavailable""#))
        let (readyStatus, _) = try await service.get("/readyz")
        #expect(readyStatus == 503)
        lock.release()
        #expect(try await service.value("SELECT count(*) FROM webhook_deliveries", as: Int.self) == 0)
        let retry = try await service.post(delivery)
        #expect(retry.0 == 200 && retry.1 == #"{"outcome":"applied"}"#)
        #expect(try await service.get("/readyz").0 == 200)
        try await service.stop()
    }

    @Test("a verified body that cannot be understood is quarantined with its raw bytes and answered 200")
    func quarantine() async throws {
        let service = try await ServiceHarness.start()
        let body = Data(#"{"id":"O-01BROKEN","status":"COMPLETED","total_price":"lots"}"#.utf8)
        let (status, response) = try await service.post(service.signed(body, id: "msg_q"))
        #expect(status == 200 && response == #"{"outcome":"quarantined"}"#)
        #expect(try await service.value("SELECT body FROM webhook_deliveries WHERE msg_id = 'msg_q'", as: Data.self) == body)
        #expect(try await service.value("SELECT count(*) FROM orders", as: Int.self) == 0)
        try await service.stop()
    }

    @Test("a body with a NUL character in a string is quarantined, not stored cut short (found by scripts/fuzz_http.sh)")
    func nulCharacterIsQuarantined() async throws {
        let service = try await ServiceHarness.start()
        let body = Data(#"""
            {"id":"O-NUL","status":"COMPLETED","created_at":"2026-11-23T10:00:00Z","currency":"USD","total_price":"10.00",
             "total_discount":"0.00","payment_method":{"type":"ACCOUNT_BALANCE"},
             "items":[{"id":"\u0000","distribution_method":{"type":"PAYOUT_LINK"},"products":{"type":"SINGLE","value":"AMZ-US"},
                       "face_value":"10.00","price":"10.00","payout":{"status":"ACTIVE","status_updated_at":"2026-11-23T10:00:00Z",
                       "url":"https://spend.example/x"}}]}
            """#.utf8)
        let (status, response) = try await service.post(service.signed(body, id: "msg_nul"))
        #expect(status == 200 && response == #"{"outcome":"quarantined"}"#)
        #expect(try await service.value("SELECT count(*) FROM order_items", as: Int.self) == 0)
        #expect(try await service.value("SELECT count(*) FROM order_events", as: Int.self) == 0)
        #expect(try service.service.database.check(migrations: service.service.migrations).isHealthy)
        try await service.stop()
    }

    @Test("product.update and other events are recorded as ignored and answered 200")
    func otherEvents() async throws {
        let service = try await ServiceHarness.start()
        let body = Data(#"{"type":"product.update","data":{"code":"AMZ-US","state":"LIVE"}}"#.utf8)
        let (status, response) = try await service.post(service.signed(body, id: "msg_product"))
        #expect(status == 200 && response == #"{"outcome":"ignored"}"#)
        #expect(try await service.value("SELECT outcome FROM webhook_deliveries", as: String.self) == "ignored")
        try await service.stop()
    }

    @Test("health, readiness and unknown routes answer in JSON")
    func healthAndErrors() async throws {
        let service = try await ServiceHarness.start()
        #expect(try await service.get("/healthz") == (200, #"{"status":"ok"}"#))
        #expect(try await service.get("/readyz") == (200, #"{"status":"ready"}"#))
        let missing = try await service.get("/nope")
        #expect(missing.0 == 404 && missing.1.contains(#""type":"not_found""#))
        let wrongMethod = try await service.get("/webhooks/runa")
        #expect(wrongMethod.0 == 405 || wrongMethod.0 == 404)
        #expect(wrongMethod.1.contains(#""type":"#))
        try await service.stop()
    }

    @Test("logs never contain the secret, the signature or an e-mail address from a payload")
    func logsStayClean() async throws {
        let service = try await ServiceHarness.start()
        let email = "private.person@example.com"
        let withItem = #"{"id":"O-01PII","status":"COMPLETED","created_at":"2026-11-01T10:00:00Z","payment_method":{"type":"ACCOUNT_BALANCE"},"currency":"EUR","total_price":"5","total_discount":"0","items":[{"id":"E-1","distribution_method":{"type":"EMAIL","email_address":"\#(email)"},"products":{"type":"SINGLE","value":"AMZ-DE"},"face_value":"5","price":"5","payout":{"status":"ACTIVE","status_updated_at":"2026-11-01T10:00:01Z","url":"https://spend/1"}}]}"#
        let broken = #"{"id":"O-01PII2","status":"COMPLETED","total_price":"\#(email)"}"#
        let good = service.signed(Data(withItem.utf8))
        #expect(try await service.post(good).0 == 200)
        #expect(try await service.post(service.signed(Data(broken.utf8))).0 == 200)
        var forged = service.signed(Data(withItem.utf8))
        forged.body = Data(withItem.replacingOccurrences(of: "\"5\"", with: "\"6\"").utf8)
        #expect(try await service.post(forged).0 == 401)
        let logs = service.logs.all.joined(separator: "\n")
        #expect(!logs.isEmpty)
        #expect(!logs.contains(email))
        #expect(!logs.contains(service.secret.exposedValue))
        #expect(!logs.contains(String(service.secret.exposedValue.dropFirst(6))))
        #expect(!logs.contains(good.signature.dropFirst(3)))
        try await service.stop()
    }
}
