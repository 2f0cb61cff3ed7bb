// Times each stage of the webhook ingest path alone, in process, on the release build: where does a delivery's
// CPU go? From the repository root (it migrates a temporary ledger with `migrations/`):
//   swift build -c release --product ingest-stages && .build/release/ingest-stages [COUNT]
// Env: LANES (concurrent callers of the writer, default 64); BENCH_SQL (SQL run on the ledger before the writer
// starts, e.g. `DROP TRIGGER …` to measure what a trigger costs). Figures: bench/README.md, "Ingest, stage by stage".
import Digest
import Foundation
@_spi(Benchmark) import Ledger
import Logging
import RunaModels
import Webhooks

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20_000 : 20_000
let secret = WebhookSecret(key: Array(repeating: 7, count: 32))
let verifier = SignatureVerifier(secrets: [secret])
let signedAt = Int64(Date().timeIntervalSince1970)
let run = String(Int(Date().timeIntervalSince1970 * 1000), radix: 16)

/// The delivery shape of `make_deliveries.py` with `SHAPE=ideal` (the best case; its default is now Runa-shaped).
func body(_ index: Int) -> Data {
    let price = "\(index % 500 + 1).\(String(format: "%02d", index % 100))"
    return Data("""
        {"id":"O-STAGE\(run)\(index)","status":"\(index % 10 == 0 ? "FAILED" : "COMPLETED")",\
        "created_at":"2026-11-23T10:00:00.123456+00:00","completed_at":"2026-11-23T10:00:01.654321+00:00",\
        "description":"bench order \(index)","payment_method":{"type":"ACCOUNT_BALANCE","currency":"USD"},\
        "currency":"USD","total_price":"\(price)","total_discount":"0.00",\
        "transaction_detail":{"USD":{"value":"\(price)","fx":null}},"metadata":{"campaign":"bench","batch":"\(index / 1000)"}}
        """.utf8)
}

struct Delivery { var id: String; var body: Data; var headers: WebhookHeaders }
let deliveries: [Delivery] = (0..<count).map { index in
    let id = "msg_stage_\(run)_\(index)"
    let data = body(index)
    let signature = SignatureVerifier.sign(id: id, timestamp: signedAt, body: data, secret: secret)
    return Delivery(id: id, body: data, headers: WebhookHeaders(id: id, timestamp: String(signedAt), signature: signature))
}

/// Runs `work` over every delivery (by index) and prints CPU microseconds per delivery (process CPU: user + system).
@discardableResult
func stage<T>(_ name: String, _ work: (Int) throws -> T) rethrows -> [T] {
    let cpu0 = clock_gettime_nsec_np(CLOCK_PROCESS_CPUTIME_ID)
    let wall0 = ContinuousClock.now
    let out = try deliveries.indices.map(work)
    report(name, cpuNanos: clock_gettime_nsec_np(CLOCK_PROCESS_CPUTIME_ID) - cpu0, wall: ContinuousClock.now - wall0)
    return out
}

func report(_ name: String, cpuNanos: UInt64, wall: Duration) {
    let cpu = Double(cpuNanos) / 1000 / Double(count)
    let wallMicros = Double(wall.components.seconds) * 1e6 + Double(wall.components.attoseconds) / 1e12
    print(name.padding(toLength: 48, withPad: " ", startingAt: 0)
          + String(format: "%8.1f µs CPU  %8.1f µs wall  per delivery", cpu, wallMicros / Double(count)))
}

func clock_gettime_nsec_np(_ clock: clockid_t) -> UInt64 {
    var spec = timespec()
    clock_gettime(clock, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

print("ingest stages, \(count) deliveries of \(deliveries[0].body.count) bytes, \(ProcessInfo.processInfo.activeProcessorCount) cores")
stage("verify signature (HMAC-SHA256)") { verifier.verify(headers: deliveries[$0].headers, body: deliveries[$0].body, now: signedAt) }
let classified = stage("decode and classify (JSONDecoder)") { DeliveryClassifier.classify(deliveries[$0].body) }
stage("body SHA-256") { Digest.hex(Digest.sha256(deliveries[$0].body)) }
let records = stage("prepare merge input (WebhookRecord)") { index -> WebhookRecord in
    guard case .order(let order) = classified[index] else { fatalError("bench delivery did not decode as an order") }
    return WebhookRecord(messageId: deliveries[index].id, receivedAt: LedgerClock.now(),
                         signedAt: Timestamp(secondsSinceEpoch: signedAt), body: deliveries[index].body, bodySHA256: "",
                         content: .order(order))
}

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-stages-\(run)")
let database = try LedgerDatabase(path: folder.appendingPathComponent("ledger.sqlite").path)
try database.migrate(Migration.load(from: URL(fileURLWithPath: "migrations")))
if let sql = ProcessInfo.processInfo.environment["BENCH_SQL"] {
    try await database.executeForBenchmark(sql)
}
let writer = LedgerWriter(database: database, logger: Logger(label: "bench"))

// The writer through its public door, LANES callers at once (64 connections keep about 32 waiting per batch):
// batching, merge, SQL, commit.
let cpu0 = clock_gettime_nsec_np(CLOCK_PROCESS_CPUTIME_ID)
let wall0 = ContinuousClock.now
let lanes = Int(ProcessInfo.processInfo.environment["LANES"] ?? "") ?? 64
let outcomes = await recordConcurrently(records, writer: writer, lanes: lanes)
report("record, \(lanes) concurrent callers (commit FULL)", cpuNanos: clock_gettime_nsec_np(CLOCK_PROCESS_CPUTIME_ID) - cpu0,
       wall: ContinuousClock.now - wall0)
precondition(outcomes == count, "only \(outcomes) of \(count) applied")
try? database.close()
try? FileManager.default.removeItem(at: folder)

func recordConcurrently(_ records: [WebhookRecord], writer: LedgerWriter, lanes: Int) async -> Int {
    await withTaskGroup(of: Int.self) { group in
        for lane in 0..<lanes {
            group.addTask {
                var applied = 0
                for index in stride(from: lane, to: records.count, by: lanes) {
                    if (try? await writer.record(records[index])) == .applied { applied += 1 }
                }
                return applied
            }
        }
        return await group.reduce(0, +)
    }
}
