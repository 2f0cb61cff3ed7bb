import Foundation
import GRDB
@testable import Ledger
import Logging
import Reconciler
import RunaClient
import RunaModels
import RunaSim
import Testing
import TestSupport
import Webhooks

/// Faults the service must live through: a full disk and Runa down or answering garbage for a long while (a
/// database locked by another process is in WebhookEndpointTests). Where it cannot commit it answers 503, it
/// recovers by itself, and it never acknowledges what it did not store.
@Suite("Faults", .serialized)
struct FaultTests {
    let secret = WebhookSecret(key: Array(repeating: 5, count: 32))

    /// Whether a private mount namespace with a small tmpfs can be made here (`unshare`, as root or with user
    /// namespaces).
    static let canMountTmpfs: Bool = {
        guard let unshare = Tool.path("unshare") else { return false }
        let probe = try? runProgramBlocking(URL(fileURLWithPath: unshare), [
            "--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp && echo mounted"],
            environment: [:])
        return probe?.1.contains("mounted") == true
    }()

    @Test("disk full: 503 and not ready while nothing fits, every 200 is in the ledger, and it recovers by itself when space returns",
          .enabled(if: ExternalTools.required || canMountTmpfs, "needs root and unshare to mount a 16 MiB tmpfs in a private mount namespace"))
    func diskFull() async throws {
        let unshare = try #require(Tool.path("unshare"))
        let folder = try TemporaryFolder()
        let mount = folder.path("disk"), out = folder.path("out"), freeSpace = folder.path("free-space")
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // A 16 MiB file system holding the ledger, filled up but for 2 MiB (a single-delivery commit adds ~25 pages to the WAL); touching `freeSpace` frees it. On
        // SIGTERM the service stops and the ledger is copied out (the mount ends with the namespace).
        let script = """
            set -e
            mount -t tmpfs -o size=16m tmpfs "$MNT"
            "$BIN" migrate --db "$MNT/ledger.sqlite" --migrations "$MIGRATIONS" >/dev/null
            dd if=/dev/zero of="$MNT/reserve" bs=1k count=2048 2>/dev/null
            dd if=/dev/zero of="$MNT/filler" bs=64k 2>/dev/null || true
            rm "$MNT/reserve"
            ( while [ ! -e "$FREE" ]; do sleep 0.05; done; rm -f "$MNT/filler" ) &
            "$BIN" serve --db "$MNT/ledger.sqlite" --port 0 --migrations "$MIGRATIONS" &
            SERVE=$!
            trap 'kill -TERM $SERVE' TERM
            set +e
            wait $SERVE
            wait $SERVE
            STATUS=$?
            cp "$MNT"/ledger.sqlite* "$OUT"/
            exit $STATUS
            """
        let service = try ServiceProcess(
            launching: URL(fileURLWithPath: unshare), arguments: ["--user", "--map-root-user", "--mount", "sh", "-c", script],
            secret: secret, extraEnvironment: ["MNT": mount, "OUT": out, "FREE": freeSpace, "BIN": ServiceProcess.executable.path,
                                               "MIGRATIONS": Repository.migrations.path])
        let load = DeliveryLoad(secret: secret, tag: "full")

        // Fill the disk: every answer is 200 or 503, until 503 is all there is.
        var statuses: [Int: Int] = [:]
        var index = 0, refusedInARow = 0
        while refusedInARow < 20, index < 5_000 {
            let status = await service.post(load.delivery(index)) ?? 0
            statuses[status, default: 0] += 1
            if status == 200 { refusedInARow = 0; load.record(index) } else { refusedInARow += 1 }
            index += 1
        }
        #expect(Set(statuses.keys).isSubset(of: [200, 503]), "\(statuses)")
        #expect(statuses[200, default: 0] > 10 && refusedInARow == 20, "\(statuses)")
        // Not ready while nothing can commit: a load balancer stops sending, and the probe says why.
        let (readyWhileFull, fullAnswer) = try await RawHTTP.get(port: service.port, target: "/readyz", headers: [])
        #expect(readyWhileFull == 503, "\(fullAnswer.suffix(200))")

        // Space comes back: the same service takes deliveries again, with no restart.
        FileManager.default.createFile(atPath: freeSpace, contents: nil)
        var recovered = false
        for _ in 0..<100 where !recovered {
            if await service.post(load.delivery(index)) == 200 { load.record(index); recovered = true } else {
                try await Task.sleep(for: .milliseconds(50))
            }
            index += 1
        }
        #expect(recovered, "no delivery accepted after the disk had room again")
        let (readyAgain, _) = try await RawHTTP.get(port: service.port, target: "/readyz", headers: [])
        #expect(readyAgain == 200, "still not ready once the disk had room again")
        for next in index..<(index + 20) where await service.post(load.delivery(next)) == 200 { load.record(next) }

        service.kill(SIGTERM)
        #expect(service.waitForExit() == 0)
        let ledger = out + "/ledger.sqlite"
        #expect(try load.missing(load.acknowledgedIndexes, from: ledger).isEmpty, "acknowledged while the disk was full, but lost")
        let report = try LedgerDatabase.checkReadOnly(path: ledger, migrations: try Migration.load(from: Repository.migrations))
        #expect(report.isHealthy, "\(report.summary)")
    }

    @Test("Runa down, then answering garbage, pass after pass: nothing wrong is written, webhooks still land, the breaker opens, and the ledger converges once Runa is back")
    func runaDownThenGarbage() async throws {
        let ledger = try await ServiceHarness.start()
        var configuration = SimConfiguration(apiKey: "k", webhookURL: ledger.baseURL + "/webhooks/runa",
                                             webhookSecret: ledger.secret.exposedValue)
        configuration.seed = 66
        configuration.completeAfterSeconds = 0.1
        configuration.dropRate = 0.5
        configuration.claimRate = 0
        configuration.cancelRate = 0
        configuration.linkExpirySeconds = nil
        let sim = try await RunningSimulator(configuration)
        try await placeOrders(60, through: testGateway(sim.baseURL), prefix: "outage")
        try await sim.settle()

        let breaker = CircuitBreaker(threshold: 5, cooldown: .milliseconds(100))
        var policy = RetryPolicy()
        policy.baseBackoff = .milliseconds(10)
        policy.maxAttempts = 2
        let gateway = RunaGateway(client: RunaAPIClient(baseURL: sim.baseURL, apiKey: "k"), requestsPerSecond: 400,
                                  maxConcurrency: 8, breaker: breaker, policy: policy)
        let reconciler = Reconciler(database: ledger.service.database, gateway: gateway,
                                    configuration: ReconcilerConfiguration(), logger: Logger(label: "reconciler"))
        func snapshot() async throws -> [String] {
            try await ledger.service.database.pool.read { db in
                try String.fetchAll(db, sql: """
                    SELECT id || status || coalesce(total_price, '') || coalesce(details_fetched_at, '') || version
                    FROM orders ORDER BY id
                    """)
            }
        }
        let before = try await snapshot()

        for (errorRate, truncateRate) in [(1.0, 0.0), (0.0, 1.0)] {
            sim.simulator.setFaults(errorRate: errorRate, truncateRate: truncateRate, rateLimit: nil)
            // Counted, not sampled: whether the breaker is open at the end of a pass depends on timing.
            let openedBefore = breaker.openings
            for _ in 0..<4 {
                let summary = await reconciler.pass()
                #expect(summary.backlog?.isInStep != true)
            }
            #expect(breaker.openings > openedBefore, "errors \(errorRate), garbage \(truncateRate): the breaker never opened")
            #expect(try await snapshot() == before, "a failed or garbled answer changed the ledger")
            // Webhooks do not depend on Runa's API.
            let order = RunaOrder(id: "O-OUTAGE-\(errorRate)", status: .completed, createdAt: Timestamp(secondsSinceEpoch: 1_790_000_000),
                                  currency: "USD", totalPrice: Money(micros: 1_000_000, scale: 2), totalDiscount: Money(micros: 0, scale: 2))
            #expect(try await ledger.post(ledger.signed(order)).0 == 200)
        }
        #expect(sim.simulator.statistics.injectedErrors > 0 && sim.simulator.statistics.truncated > 0)

        // Runa is back: the reconciler converges on its own.
        sim.simulator.setFaults(errorRate: 0, truncateRate: 0, rateLimit: nil)
        var summary = await reconciler.pass()
        for _ in 0..<10 where summary.backlog?.isInStep != true {
            try await Task.sleep(for: .milliseconds(350))
            summary = await reconciler.pass()
        }
        let problems = try await differences(ledger: ledger.service.database, truth: sim.simulator.truth())
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(try ledger.service.database.check(migrations: ledger.service.migrations).isHealthy)
        try await sim.stop()
        try await ledger.stop()
    }
}
