import Foundation
import GRDB
import Ledger
import RunaModels
import RunaSim
import Synchronization
import Testing
import TestSupport
import Webhooks

/// What the real executable does when it is killed or stopped while deliveries are arriving.
@Suite("Durability of acknowledged deliveries", .serialized)
struct DurabilityTests {
    let secret = WebhookSecret(key: Array(repeating: 42, count: 32))
    var load: DeliveryLoad { DeliveryLoad(secret: secret, tag: "dur") }

    /// Rounds of the crash test: 20 in the test suite, more with `CRASH_ROUNDS` (e.g. 200 for a long run).
    static let crashRounds = ProcessInfo.processInfo.environment["CRASH_ROUNDS"].flatMap(Int.init) ?? 20

    @Test("SIGKILL at random moments under load, again and again: every acknowledged delivery survives, the chain and integrity check hold")
    func killAndRestart() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("ledger.sqlite")
        let load = self.load
        var random = SeededRandom(seed: 20_261_123)
        var acknowledged: [Int] = []
        var start = 0
        for _ in 0..<Self.crashRounds {
            let service = try ServiceProcess(database: path, secret: secret)
            async let sent = load.run(against: service, range: start..<(start + 100_000), connections: 8)
            try await Task.sleep(for: .milliseconds(50 + Int(random.next() % 400)))
            service.kill(SIGKILL)
            acknowledged += await sent
            _ = service.waitForExit()
            start += 100_000
        }
        #expect(acknowledged.count > 10 * Self.crashRounds, "too few deliveries acknowledged to prove anything")
        let restarted = try ServiceProcess(database: path, secret: secret)
        restarted.kill(SIGTERM)
        #expect(restarted.waitForExit() == 0)

        let lost = try load.missing(acknowledged, from: path)
        #expect(lost.isEmpty, "acknowledged but lost: \(lost.prefix(10))")
        let report = try LedgerDatabase.checkReadOnly(path: path, migrations: try Migration.load(from: Repository.migrations))
        #expect(report.integrity == ["ok"] && report.chain.isIntact && report.isHealthy, "\(report.summary)")
    }

    @Test("SIGTERM under load: in-flight deliveries finish, every acknowledged one is stored, exit status 0")
    func gracefulStop() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("ledger.sqlite")
        let service = try ServiceProcess(database: path, secret: secret)
        let load = self.load
        async let sent = load.run(against: service, range: 0..<100_000, connections: 16)
        try await Task.sleep(for: .milliseconds(400))
        service.kill(SIGTERM)
        let acknowledged = await sent
        #expect(service.waitForExit() == 0)
        #expect(!acknowledged.isEmpty)
        #expect(try load.missing(acknowledged, from: path).isEmpty)
    }

    @Test("SIGHUP (systemctl reload) takes new webhook secrets and API tokens from their files without a restart")
    func reloadOnHangup() async throws {
        let folder = try TemporaryFolder()
        let old = secret, new = WebhookSecret(key: Array(repeating: 99, count: 32))
        let secrets = folder.path("webhook-secrets"), tokens = folder.path("api-tokens")
        try old.exposedValue.write(toFile: secrets, atomically: true, encoding: .utf8)
        try "old-token-0123456789abcdef".write(toFile: tokens, atomically: true, encoding: .utf8)
        let service = try ServiceProcess(database: folder.path("ledger.sqlite"), secret: old, extraEnvironment: [
            "RUNA_WEBHOOK_SECRETS": "", "RUNA_WEBHOOK_SECRETS_FILE": secrets, "LEDGER_API_TOKENS_FILE": tokens])
        let signedWithOld = DeliveryLoad(secret: old, tag: "old"), signedWithNew = DeliveryLoad(secret: new, tag: "new")
        func status(_ path: String, token: String) async throws -> String {
            try await runProgram(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-o", "/dev/null", "-w", "%{http_code}",
                "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(service.port)\(path)"]).1
        }
        /// Sends SIGHUP and waits until `condition` holds (the reload is asynchronous to the signal).
        func reload(until condition: () async throws -> Bool) async throws {
            service.kill(SIGHUP)
            for _ in 0..<50 where !(try await condition()) { try await Task.sleep(for: .milliseconds(50)) }
        }

        #expect(await service.post(signedWithOld.delivery(1)) == 200)
        #expect(await service.post(signedWithNew.delivery(1)) == 401)
        // Rotation: both secrets and both tokens at once.
        try "\(new.exposedValue),\(old.exposedValue)".write(toFile: secrets, atomically: true, encoding: .utf8)
        try "old-token-0123456789abcdef,new-token-0123456789abcdef".write(toFile: tokens, atomically: true, encoding: .utf8)
        try await reload { await service.post(signedWithNew.delivery(2)) == 200 }
        #expect(await service.post(signedWithNew.delivery(3)) == 200)
        #expect(await service.post(signedWithOld.delivery(3)) == 200)
        #expect(try await status("/v1/summary", token: "new-token-0123456789abcdef") == "200")
        #expect(try await status("/v1/summary", token: "old-token-0123456789abcdef") == "200")
        // The old ones dropped.
        try new.exposedValue.write(toFile: secrets, atomically: true, encoding: .utf8)
        try "new-token-0123456789abcdef".write(toFile: tokens, atomically: true, encoding: .utf8)
        try await reload { await service.post(signedWithOld.delivery(4)) == 401 }
        #expect(await service.post(signedWithOld.delivery(5)) == 401)
        #expect(await service.post(signedWithNew.delivery(5)) == 200)
        #expect(try await status("/v1/summary", token: "old-token-0123456789abcdef") == "401")
        // A broken file keeps what works.
        try "".write(toFile: secrets, atomically: true, encoding: .utf8)
        service.kill(SIGHUP)
        try await Task.sleep(for: .milliseconds(300))
        #expect(await service.post(signedWithNew.delivery(6)) == 200)
        service.kill(SIGTERM)
        #expect(service.waitForExit() == 0)
    }

    @Test("a bad setting stops start-up with one clear line per problem and no secret echoed")
    func badConfiguration() throws {
        let process = Process()
        process.executableURL = ServiceProcess.executable
        process.arguments = ["serve", "--port", "99999"]
        var environment = ProcessInfo.processInfo.environment
        environment["RUNA_WEBHOOK_SECRETS"] = "whsec_!!notbase64, sk_live_should_not_echo"
        environment["RECONCILE_INTERVAL"] = "soon"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 2)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 4, "\(output)")
        #expect(lines.allSatisfy { $0.hasPrefix("configuration: ") })
        #expect(output.contains("LEDGER_PORT (--port)"))
        #expect(output.contains("RECONCILE_INTERVAL"))
        #expect(!output.contains("notbase64") && !output.contains("sk_live_should_not_echo"))
    }
}
