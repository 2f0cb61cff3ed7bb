import AsyncHTTPClient
import Foundation
import NIOCore
import Ledger
import RunaModels
import Testing
import TestSupport
import Webhooks

/// What a sender puts in a request never reaches the log as sent: not an e-mail address (as a payload value, a
/// payload key, an svix-id or an X-Forwarded-For), not body text, not the secret; and requests cut short are
/// counted, not logged one by one.
@Suite("Logs carry no payload data", .serialized)
struct LogHygieneTests {
    let secret = WebhookSecret(key: Array(repeating: 23, count: 32))
    static let email = "bob.secret@example.com"
    static let bodyText = "body-text-canary-41c"

    func signed(_ json: String, id: String) -> SignedDelivery {
        let body = Data(json.utf8)
        let timestamp = LedgerClock.now().secondsSinceEpoch
        return SignedDelivery(id: id, timestamp: String(timestamp),
                              signature: SignatureVerifier.sign(id: id, timestamp: timestamp, body: body, secret: secret),
                              body: body)
    }

    @Test("hostile and broken requests: the log holds no e-mail address, body text or secret, and aborted bodies are a metric")
    func hostileRequests() async throws {
        let folder = try TemporaryFolder()
        let service = try ServiceProcess(database: folder.path("ledger.sqlite"), secret: secret,
                                         extraEnvironment: ["LOG_LEVEL": "debug"])
        defer { service.kill(SIGKILL); _ = service.waitForExit() }
        let email = Self.email, text = Self.bodyText

        // Verified but not understood, with the address as a payload key, a bad date and a bad amount: quarantined.
        for (index, json) in [
            #"{"id":"O-LOG1","status":"FAILED","metadata":{"\#(email)":{"nested":"\#(text)"}}}"#,
            #"{"id":"O-LOG2","status":"FAILED","created_at":"\#(email)","description":"\#(text)"}"#,
            #"{"id":"O-LOG3","status":"FAILED","total_price":"\#(email)"}"#,
        ].enumerated() {
            #expect(await service.post(signed(json, id: "msg_log_q\(index)")) == 200)
        }
        // Unauthenticated: the address as svix-id and as X-Forwarded-For, the body full of it.
        let forged = #"{"id":"O-LOG4","status":"COMPLETED","description":"\#(text) \#(email)"}"#
        for _ in 0..<3 {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(service.port)/webhooks/runa")
            request.method = .POST
            request.headers.add(name: "svix-id", value: email)
            request.headers.add(name: "svix-timestamp", value: String(LedgerClock.now().secondsSinceEpoch))
            request.headers.add(name: "svix-signature", value: "v1,AAAA")
            request.headers.add(name: "X-Forwarded-For", value: "\(email), 203.0.113.9")
            request.body = .bytes(ByteBuffer(string: forged))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            #expect(response.status.code == 401)
        }
        // Bodies cut short, over and over.
        let cut = try await ConnectionLimitsTests.hold(50, port: service.port, sending: Array(
            "POST /webhooks/runa HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"id\":\"\(email)".utf8))
        try await Task.sleep(for: .milliseconds(200))
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [cut] in
                for connection in cut { shutdown(connection.descriptor, Int32(SHUT_RDWR)) }
                done.resume()
            }
        }
        try await Task.sleep(for: .milliseconds(500))

        let (_, metrics) = try await RawHTTP.get(port: service.port, target: "/metrics", headers: [])
        let aborted = metrics.split(separator: "\n")
            .first { $0.hasPrefix(#"runa_ledger_webhook_deliveries_total{outcome="aborted"}"#) }
            .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        #expect(aborted == 50, "aborted bodies counted: \(aborted)")

        let log = service.log
        #expect(log.contains("quarantined"), "the quarantines were not logged at all")
        #expect(log.contains("metadata.*"), "the quarantine reason lost its structural path")
        for leak in [email, "example.com", text, secret.exposedValue, String(secret.exposedValue.dropFirst(6))] {
            let lines = log.split(separator: "\n").filter { $0.contains(leak) }
            #expect(lines.isEmpty, "logged \(leak): \(lines.prefix(2))")
        }
        #expect(!log.contains("unexpected error"), "an aborted body was logged as an error")
    }
}
