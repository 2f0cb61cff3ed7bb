import Foundation
import GRDB
import Ledger
import RunaModels
import Synchronization
import Testing
import TestSupport
import Webhooks

/// What the real executable does when it is killed or stopped while deliveries are arriving.
@Suite("Durability of acknowledged deliveries", .serialized)
struct DurabilityTests {
    let secret = WebhookSecret(key: Array(repeating: 42, count: 32))

    func delivery(_ index: Int) -> SignedDelivery {
        let order = RunaOrder(id: "O-DUR-\(index)", status: .completed, createdAt: Timestamp(secondsSinceEpoch: 1_790_000_000),
                              description: .value("durability \(index)"), paymentMethod: .object(["type": .string("ACCOUNT_BALANCE")]),
                              currency: "USD", totalPrice: Money(micros: Int64(index) * 1_000_000 + 1, scale: 6),
                              totalDiscount: Money(micros: 0, scale: 0))
        let body = RunaJSON.encode(order)
        let timestamp = LedgerClock.now().secondsSinceEpoch
        let id = "msg_dur_\(index)"
        return SignedDelivery(id: id, timestamp: String(timestamp),
                              signature: SignatureVerifier.sign(id: id, timestamp: timestamp, body: body, secret: secret),
                              body: body)
    }

    /// Sends deliveries from `range` with `connections` in flight until `stop` says so; returns the acknowledged ids.
    func load(_ service: ServiceProcess, range: Range<Int>, connections: Int) async -> [Int] {
        let next = NextIndex(range.lowerBound)
        return await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var acknowledged: [Int] = []
                    while true {
                        let index = next.take(below: range.upperBound)
                        guard let index else { return acknowledged }
                        switch await service.post(delivery(index)) {
                        case 200: acknowledged.append(index)
                        case nil: return acknowledged  // the process is gone
                        default: continue
                        }
                    }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
    }

    func storedIds(_ path: String) throws -> Set<String> {
        let database = try DatabaseQueue(path: path)
        defer { try? database.close() }
        return try database.read { Set(try String.fetchAll($0, sql: "SELECT msg_id FROM webhook_deliveries")) }
    }

    @Test("SIGKILL under load, then restart: every acknowledged delivery is in the ledger and the chain verifies")
    func killAndRestart() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("ledger.sqlite")
        var acknowledged: [Int] = []
        var start = 0
        for round in 0..<3 {
            let service = try ServiceProcess(database: path, secret: secret)
            async let sent = load(service, range: start..<(start + 100_000), connections: 16)
            try await Task.sleep(for: .milliseconds(300 + 150 * round))
            service.kill(SIGKILL)
            acknowledged += await sent
            _ = service.waitForExit()
            start += 100_000
        }
        #expect(acknowledged.count > 100, "too few deliveries acknowledged to prove anything")
        let restarted = try ServiceProcess(database: path, secret: secret)
        restarted.kill(SIGTERM)
        #expect(restarted.waitForExit() == 0)

        let stored = try storedIds(path)
        let lost = acknowledged.filter { !stored.contains("msg_dur_\($0)") }
        #expect(lost.isEmpty, "acknowledged but lost: \(lost.prefix(10))")
        let database = try LedgerDatabase(path: path)
        let report = try database.check(migrations: try Migration.load(from: Repository.migrations))
        #expect(report.isHealthy, "\(report.summary)")
        try database.close()
    }

    @Test("SIGTERM under load: in-flight deliveries finish, every acknowledged one is stored, exit status 0")
    func gracefulStop() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("ledger.sqlite")
        let service = try ServiceProcess(database: path, secret: secret)
        async let sent = load(service, range: 0..<100_000, connections: 16)
        try await Task.sleep(for: .milliseconds(400))
        service.kill(SIGTERM)
        let acknowledged = await sent
        #expect(service.waitForExit() == 0)
        #expect(!acknowledged.isEmpty)
        let stored = try storedIds(path)
        #expect(acknowledged.allSatisfy { stored.contains("msg_dur_\($0)") })
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

/// Hands out increasing indexes to concurrent senders.
final class NextIndex: Sendable {
    private let value: Mutex<Int>

    init(_ start: Int) { value = Mutex(start) }

    func take(below limit: Int) -> Int? {
        value.withLock { value in
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
