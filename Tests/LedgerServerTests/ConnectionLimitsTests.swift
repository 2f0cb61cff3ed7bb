import AsyncHTTPClient
import Foundation
import Testing
import TestSupport
import Webhooks

/// A client socket held open on purpose: it sends what it is told and never finishes a request.
final class HeldConnection: @unchecked Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { close(descriptor); throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(descriptor) }

    /// Sends `bytes`; false once the server has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Whether the server has closed its end (end of file or a reset), without waiting.
    var isClosedByServer: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count == 0 { return true }
            if count < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
            // An answer (a 408 or 400) may come before the close: keep reading.
        }
    }
}

/// Slow and stuck clients cannot hold the service: header, body and idle deadlines close their connections, and
/// meanwhile valid deliveries and API reads are answered, in bounded memory.
@Suite("Connection deadlines and limits", .serialized)
struct ConnectionLimitsTests {
    let secret = WebhookSecret(key: Array(repeating: 11, count: 32))
    static let token = "dashboard:grafana:slowloris-test-token"

    /// Opens `count` connections off the cooperative pool, each sent `prefix`.
    static func hold(_ count: Int, port: Int, sending prefix: [UInt8]) async throws -> [HeldConnection] {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let connections = try (0..<count).map { _ in try HeldConnection(port: port) }
                    for connection in connections where !prefix.isEmpty { connection.send(prefix) }
                    continuation.resume(returning: connections)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func apiRead(port: Int) async -> Int? {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/orders?limit=5")
        request.headers.add(name: "Authorization", value: "Bearer slowloris-test-token")
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)) else { return nil }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    @Test("260 slow connections (partial headers trickling, silent, bodies of a megabyte that never end): deliveries and API reads are served meanwhile, RSS stays under 150 MB, and every slow connection is closed at its deadline")
    func slowloris() async throws {
        let folder = try TemporaryFolder()
        let service = try ServiceProcess(database: folder.path("ledger.sqlite"), secret: secret, extraEnvironment: [
            "LEDGER_HEADER_TIMEOUT": "3s", "LEDGER_BODY_TIMEOUT": "4s", "LEDGER_IDLE_TIMEOUT": "5s",
            "LEDGER_API_TOKENS": Self.token,
        ])
        defer { service.kill(SIGKILL); _ = service.waitForExit() }
        let rssBefore = service.residentBytes

        let partialHeaders = try await Self.hold(200, port: service.port, sending: Array("POST /webhooks/runa HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8))
        let silent = try await Self.hold(20, port: service.port, sending: [])
        let head = "POST /webhooks/runa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048000\r\n\r\n"
        let endlessBodies = try await Self.hold(40, port: service.port, sending: Array(head.utf8))
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                for connection in endlessBodies { connection.send(body) }
                done.resume()
            }
        }

        // While all of them are held: a valid delivery and an API read are answered at once.
        let load = DeliveryLoad(secret: secret, tag: "slow")
        for index in 0..<5 { #expect(await service.post(load.delivery(index)) == 200) }
        #expect(await apiRead(port: service.port) == 200)
        let rssHeld = service.residentBytes
        print("slowloris: service RSS \(rssBefore >> 20) MB before, \(rssHeld >> 20) MB with 260 slow connections held")
        #expect(rssHeld < 150 << 20, "RSS \(rssHeld >> 20) MB with 260 slow connections (\(rssBefore >> 20) MB before)")

        // Trickling a byte a second does not extend the header deadline.
        for _ in 0..<2 {
            try await Task.sleep(for: .seconds(1))
            for connection in partialHeaders { connection.send(Array("a".utf8)) }
        }
        try await Task.sleep(for: .seconds(4))
        let stillOpen = (partialHeaders + silent + endlessBodies).filter { !$0.isClosedByServer }.count
        #expect(stillOpen == 0, "\(stillOpen) of 260 slow connections still open past their deadlines")

        let (_, metrics) = try await RawHTTP.get(port: service.port, target: "/metrics", headers: [])
        func timedOut(_ phase: String) -> Int {
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("runa_ledger_http_connections_timed_out_total{phase=\"\(phase)\"}") }
            return Int(line?.split(separator: " ").last ?? "") ?? 0
        }
        // A body past the shared budget (32 MiB beyond each body's first 64 KiB: about 34 of these) is refused at
        // once instead of waiting for its deadline.
        let shed = metrics.split(separator: "\n")
            .first { $0.hasPrefix(#"runa_ledger_webhook_deliveries_total{outcome="shed"}"#) }
            .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        #expect(timedOut("header") >= 220 && timedOut("body") + shed >= 40,
                "header \(timedOut("header")), body \(timedOut("body")), shed \(shed)")
        // Deliveries still land after the storm, and nothing about it was logged line by line.
        #expect(await service.post(load.delivery(5)) == 200)
        #expect(service.log.split(separator: "\n").count < 40, "the slow connections were logged one by one")
    }

    @Test("120 clients each holding a body near the limit: those past the body budget are refused at once (503), RSS stays under 150 MB, and small deliveries are still taken")
    func bodyBudget() async throws {
        let folder = try TemporaryFolder()
        let service = try ServiceProcess(database: folder.path("ledger.sqlite"), secret: secret, extraEnvironment: [
            "LEDGER_BODY_TIMEOUT": "5s", "LEDGER_BODY_BUDGET_BYTES": "\(32 << 20)",
        ])
        defer { service.kill(SIGKILL); _ = service.waitForExit() }
        let head = "POST /webhooks/runa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048000\r\n\r\n"
        let large = try await Self.hold(120, port: service.port, sending: Array(head.utf8))
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [large] in
                for connection in large { connection.send(body) }
                done.resume()
            }
        }
        let load = DeliveryLoad(secret: secret, tag: "budget")
        for index in 0..<5 { #expect(await service.post(load.delivery(index)) == 200) }
        let rss = service.residentBytes
        print("body budget: service RSS \(rss >> 20) MB with 120 bodies of ~1 MB held")
        #expect(rss < 150 << 20, "RSS \(rss >> 20) MB")
        let (_, metrics) = try await RawHTTP.get(port: service.port, target: "/metrics", headers: [])
        let shed = metrics.split(separator: "\n")
            .first { $0.hasPrefix(#"runa_ledger_webhook_deliveries_total{outcome="shed"}"#) }
            .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        // 32 MiB beyond the first 64 KiB of each: 34 bodies of 1,048,000 bytes fit, the other 86 are refused.
        #expect(shed >= 80 && shed <= 90, "shed \(shed)")
        _ = large
    }

    @Test("with the connection cap reached by stuck clients, a new request waits for a slot and is served once the header deadline frees one")
    func connectionCap() async throws {
        let folder = try TemporaryFolder()
        let service = try ServiceProcess(database: folder.path("ledger.sqlite"), secret: secret, extraEnvironment: [
            "LEDGER_HEADER_TIMEOUT": "2s", "LEDGER_MAX_CONNECTIONS": "16",
        ])
        defer { service.kill(SIGKILL); _ = service.waitForExit() }
        let stuck = try await Self.hold(16, port: service.port, sending: Array("GET /healthz HTTP/1.1\r\n".utf8))
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        let (status, _) = try await RawHTTP.get(port: service.port, target: "/healthz", headers: [])
        let waited = ContinuousClock.now - started
        #expect(status == 200)
        #expect(waited > .milliseconds(800), "answered in \(waited): the cap did not hold the 17th connection back")
        // The 17th was let in by the first of the stuck connections to reach its deadline; the others reach theirs
        // within moments of it (a loaded machine may run their timers a little late).
        let deadline = ContinuousClock.now + .seconds(5)
        var open = stuck.filter { !$0.isClosedByServer }.count
        while open > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            open = stuck.filter { !$0.isClosedByServer }.count
        }
        #expect(open == 0, "\(open) of 16 stuck connections still open 5 s after the first was closed")
    }
}
