import Foundation
import Ledger
import Metrics
import RunaClient
import RunaModels

/// Gauges of stored state, read when Prometheus scrapes, so alerts see what the ledger holds (not a count kept
/// since the process started): quarantined deliveries, the last delivery's time, the file's size, the disk's size
/// and free space, whether calls to Runa are paused by the circuit breaker, and the completeness watermark's age
/// and open gaps (exported once the reconciler has read Runa's list). deploy/observability/alerts.yml alerts on them.
struct StateGauges: Sendable {
    let database: LedgerDatabase
    let breaker: CircuitBreaker?

    private let quarantined = Gauge(label: "runa_ledger_quarantined_deliveries")
    private let lastDelivery = Gauge(label: "runa_ledger_last_delivery_timestamp_seconds")
    private let databaseBytes = Gauge(label: "runa_ledger_database_bytes")
    private let diskFree = Gauge(label: "runa_ledger_disk_free_bytes")
    private let diskSize = Gauge(label: "runa_ledger_disk_size_bytes")
    private let circuitOpen = Gauge(label: "runa_ledger_runa_circuit_open")

    init(database: LedgerDatabase, breaker: CircuitBreaker?) {
        self.database = database
        self.breaker = breaker
    }

    /// Reads every gauge; a failed read leaves the previous value (the scrape itself must not fail).
    func refresh() async {
        if let (count, last) = try? await database.deliveryGauges() {
            quarantined.record(count)
            if let last, let time = Timestamp(rfc3339: last) {
                lastDelivery.record(Double(time.microsecondsSinceEpoch) / 1_000_000)
            }
        }
        let files = [database.path, database.path + "-wal"]
        let bytes = files.compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }.reduce(0, +)
        databaseBytes.record(bytes)
        var stats = statvfs()
        let folder = URL(fileURLWithPath: database.path).deletingLastPathComponent().path
        if statvfs(folder, &stats) == 0 {
            diskFree.record(Double(stats.f_bavail) * Double(stats.f_frsize))
            diskSize.record(Double(stats.f_blocks) * Double(stats.f_frsize))
        }
        if let breaker { circuitOpen.record(breaker.isOpen ? 1 : 0) }
        // Absent until there is a watermark: a webhook-only ledger (no reconciler) has none, and 0 would read as fresh.
        if let report = try? await database.completeness(gapLimit: 1), let watermark = report.watermark {
            let age = LedgerClock.now().microsecondsSinceEpoch - watermark.microsecondsSinceEpoch
            Gauge(label: "runa_ledger_completeness_watermark_age_seconds").record(Double(age) / 1_000_000)
            Gauge(label: "runa_ledger_completeness_open_gaps").record(report.openGaps)
        }
    }
}
