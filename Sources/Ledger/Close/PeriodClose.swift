import Digest
import Foundation
import GRDB
import RunaModels

/// A calendar month in UTC — the unit of a month-end close — written `2026-10`. An order belongs to the month of
/// its listing time (Runa's `created_at`, or when the ledger first saw it until Runa says).
public struct ClosePeriod: Sendable, Hashable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    /// Parses `YYYY-MM`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), (1970...9998).contains(year), (1...12).contains(month)
        else { return nil }
        self.year = year
        self.month = month
    }

    public var description: String { String(format: "%04d-%02d", year, month) }
    /// The first instant of the month.
    public var start: Timestamp { Self.firstInstant(year: year, month: month) }
    /// The first instant of the next month (excluded).
    public var end: Timestamp { month == 12 ? Self.firstInstant(year: year + 1, month: 1) : Self.firstInstant(year: year, month: month + 1) }

    private static func firstInstant(year: Int, month: Int) -> Timestamp {
        guard let instant = Timestamp(rfc3339: String(format: "%04d-%02d-01T00:00:00Z", year, month)) else {
            preconditionFailure("a valid month is a valid instant")
        }
        return instant
    }
}

/// Why a close did not happen.
public enum PeriodCloseError: Error, Equatable, CustomStringConvertible {
    case alreadyClosed(String)
    /// The period is not complete; each line says what is missing. `--force` with a reason closes it anyway.
    case incomplete([String])
    case forceNeedsReason
    case directoryExists(String)

    public var description: String {
        switch self {
        case .alreadyClosed(let period): return "\(period) is already closed; a close is never redone"
        case .incomplete(let missing): return "the period is not complete:\n  - " + missing.joined(separator: "\n  - ")
        case .forceNeedsReason: return "a forced close needs --reason, which is recorded with it"
        case .directoryExists(let path): return "\(path) already exists; a close package is never overwritten"
        }
    }
}

/// The manifest of a close package (`manifest.json`): what was closed, on what evidence, and every file's digest.
public struct CloseManifest: Codable, Sendable, Equatable {
    public struct ChainHead: Codable, Sendable, Equatable {
        public var seq: Int64
        public var hash: String
    }

    public struct File: Codable, Sendable, Equatable {
        public var name: String
        /// Data rows (the header line not counted).
        public var rows: Int
        public var bytes: Int
        public var sha256: String
    }

    /// Exact totals of one currency and status: amounts as decimal strings, from integer micro-units.
    public struct Total: Codable, Sendable, Equatable {
        public var currency: String
        public var status: String
        public var orders: Int
        public var totalPrice: String
        public var totalDiscount: String
        public var items: Int
        public var faceValue: String

        enum CodingKeys: String, CodingKey {
            case currency, status, orders, totalPrice = "total_price", totalDiscount = "total_discount", items
            case faceValue = "face_value"
        }
    }

    public var period: String
    public var periodStart: String
    public var periodEnd: String
    public var closedAt: String
    public var forced: Bool
    public var forceReason: String?
    /// What was missing when the close was forced (empty for a complete period).
    public var missing: [String]
    /// The completeness watermark when the package was written.
    public var watermark: String?
    /// The last audit event the package includes: every later event about its orders is an adjustment.
    public var chainHead: ChainHead
    public var files: [File]
    public var totals: [Total]

    enum CodingKeys: String, CodingKey {
        case period, periodStart = "period_start", periodEnd = "period_end", closedAt = "closed_at", forced
        case forceReason = "force_reason", missing, watermark, chainHead = "chain_head", files, totals
    }
}

/// A written close.
public struct CloseResult: Sendable {
    public var directory: String
    public var manifest: CloseManifest
    public var manifestSHA256: String
    /// The `period.closed` event in the hash chain.
    public var eventSeq: Int64
    /// Events written between the package's snapshot and the close, recorded as its first adjustments.
    public var adjustmentsAtClose: Int
}

extension LedgerDatabase {
    /// What keeps `period` from being closed: listing coverage, the watermark, and the period's own orders
    /// (still PROCESSING, without item details, or disputed). Empty when it can be closed.
    public func closeProblems(_ period: ClosePeriod) async throws -> [String] {
        try await pool.read { db in try Self.closeProblems(period, db: db) }
    }

    static func closeProblems(_ period: ClosePeriod, db: Database) throws -> [String] {
        var problems: [String] = []
        if LedgerClock.now() < period.end {
            problems.append("\(period) has not ended: it ends at \(period.end.canonical)")
        }
        let completeness = try Self.completeness(db, gapLimit: 10)
        if let coverage = completeness.coverage {
            if let from = coverage.from, period.start < from {
                problems.append("Runa's order list has been read only back to \(from.canonical): run `runa-ledger backfill`")
            }
            if let watermark = completeness.watermark, watermark < period.end {
                let gaps = completeness.gaps.prefix(5).map { "\($0.orderId) (\($0.reason.rawValue))" }
                problems.append("the ledger is complete only through \(watermark.canonical)"
                    + (gaps.isEmpty ? " (the reconciler has not read Runa's list past the period's end yet)"
                                    : "; first gaps: " + gaps.joined(separator: ", ")))
            }
        } else {
            problems.append("the reconciler has not read Runa's order list yet: no completeness watermark")
        }
        let listed = ListingTime.sql(nil)
        let counts = try Row.fetchOne(db, sql: """
            SELECT count(*) FILTER (WHERE status = 'PROCESSING') AS processing,
                   count(*) FILTER (WHERE status <> 'PROCESSING' AND details_fetched_at IS NULL) AS without_details,
                   count(*) FILTER (WHERE disputes IS NOT NULL) AS disputed
            FROM orders WHERE \(listed) >= ? AND \(listed) < ?
            """, arguments: [period.start.canonical, period.end.canonical])
        func sample(_ condition: String) throws -> String {
            try String.fetchAll(db, sql: """
                SELECT id FROM orders WHERE \(listed) >= ? AND \(listed) < ? AND \(condition) ORDER BY id LIMIT 5
                """, arguments: [period.start.canonical, period.end.canonical]).joined(separator: ", ")
        }
        if let count = counts?["processing"] as Int?, count > 0 {
            problems.append("\(count) order(s) still PROCESSING: \(try sample("status = 'PROCESSING'"))")
        }
        if let count = counts?["without_details"] as Int?, count > 0 {
            problems.append("\(count) finished order(s) without item details: "
                + (try sample("status <> 'PROCESSING' AND details_fetched_at IS NULL")))
        }
        if let count = counts?["disputed"] as Int?, count > 0 {
            problems.append("\(count) order(s) with an unresolved dispute: \(try sample("disputes IS NOT NULL"))")
        }
        return problems
    }

    /// Closes `period`: writes its package (orders, items, payouts and totals per currency as CSV, `manifest.json`,
    /// `SHA256SUMS`) into `directory`, then records the close and binds the manifest's SHA-256 into the event hash
    /// chain. Refuses an incomplete period unless `force` (with a `reason`, both recorded).
    ///
    /// The package is read from one snapshot; any event about the period's orders after that snapshot — even one
    /// written while the package was being written — is an adjustment against the close.
    public func closePeriod(
        _ period: ClosePeriod, into directory: String, force: Bool = false, reason: String? = nil,
        now: Timestamp = LedgerClock.now()
    ) async throws -> CloseResult {
        if force, (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty { throw PeriodCloseError.forceNeedsReason }
        let name = period.description
        if try await pool.read({ try Bool.fetchOne($0, sql: "SELECT 1 FROM closes WHERE period = ?", arguments: [name]) }) != nil {
            throw PeriodCloseError.alreadyClosed(name)
        }
        let missing = try await closeProblems(period)
        if !missing.isEmpty, !force { throw PeriodCloseError.incomplete(missing) }
        guard !FileManager.default.fileExists(atPath: directory) else { throw PeriodCloseError.directoryExists(directory) }

        let partial = directory + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        let manifest: CloseManifest
        do {
            manifest = try await pool.read { db in
                try Self.writePackage(period, into: partial, db: db, now: now, forced: force,
                                      reason: force ? reason : nil, missing: missing)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        let manifestText = CanonicalJSON.string(manifest) + "\n"
        let manifestSHA256 = Digest.hex(Digest.sha256(Array(manifestText.utf8)))
        let sums = (manifest.files.map { "\($0.sha256)  \($0.name)\n" } + ["\(manifestSHA256)  manifest.json\n"]).joined()
        for (file, text) in [("manifest.json", manifestText), ("SHA256SUMS", sums)] {
            try Self.writeDurably(Data(text.utf8), to: partial + "/" + file)
        }
        for file in manifest.files.map(\.name) + ["manifest.json", "SHA256SUMS"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: partial + "/" + file)
        }
        try FileManager.default.moveItem(atPath: partial, toPath: directory)
        try Self.synchronizeFolder(of: directory)

        let snapshotSeq = manifest.chainHead.seq
        let (eventSeq, adjustments) = try await pool.write { db -> (Int64, Int) in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM closes WHERE period = ?", arguments: [name]) != nil {
                throw PeriodCloseError.alreadyClosed(name)
            }
            var head = try AuditTrail.head(db)
            var changes = [
                FieldChange(field: "manifest_sha256", before: nil, after: .text(manifestSHA256)),
                FieldChange(field: "forced", before: nil, after: .json(force ? "true" : "false")),
                FieldChange(field: "snapshot_seq", before: nil, after: .json(String(snapshotSeq))),
            ]
            if let watermark = manifest.watermark { changes.append(FieldChange(field: "watermark", before: nil, after: .text(watermark))) }
            try AuditTrail.append([ChangeEvent(kind: .periodClosed, changes: changes)], orderId: "", source: .api,
                                  cause: "close:\(name)", at: now.canonical, head: &head, db: db)
            try db.execute(sql: """
                INSERT INTO closes (period, closed_at, forced, force_reason, manifest, manifest_sha256, event_seq, directory)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [name, now.canonical, force, manifest.forceReason, manifestText, manifestSHA256, head.seq,
                                 directory])
            try db.execute(sql: """
                INSERT INTO close_adjustments (period, event_seq, order_id)
                SELECT ?, e.seq, e.order_id FROM order_events e JOIN orders o ON o.id = e.order_id
                WHERE e.seq > ? AND e.seq < ? AND \(ListingTime.sql()) >= ?
                  AND \(ListingTime.sql()) < ?
                """, arguments: [name, snapshotSeq, head.seq, period.start.canonical, period.end.canonical])
            return (head.seq, db.changesCount)
        }
        return CloseResult(directory: directory, manifest: manifest, manifestSHA256: manifestSHA256, eventSeq: eventSeq,
                           adjustmentsAtClose: adjustments)
    }

    /// The CSV files of the package, from one read snapshot; returns the manifest (without its own digest).
    static func writePackage(
        _ period: ClosePeriod, into folder: String, db: Database, now: Timestamp, forced: Bool, reason: String?,
        missing: [String]
    ) throws -> CloseManifest {
        let head = try AuditTrail.head(db)
        let watermark = try Self.completeness(db, gapLimit: 1).watermark
        let range: [DatabaseValueConvertible] = [period.start.canonical, period.end.canonical]
        let listed = ListingTime.sql()
        let inPeriod = "\(listed) >= ? AND \(listed) < ?"

        // Totalled from the very rows written to the files, by the aggregator the summary uses.
        var sums = LedgerTotals()
        var files: [CloseManifest.File] = []

        var orders = try PackageFile(folder + "/orders.csv", header: [
            "id", "status", "currency", "total_price", "total_discount", "created_at", "completed_at", "description",
            "first_seen_at", "updated_at", "last_source", "details_known", "version"])
        let orderRows = try Row.fetchCursor(db, sql: "SELECT o.* FROM orders o WHERE \(inPeriod) ORDER BY \(listed), o.id",
                                            arguments: StatementArguments(range))
        while let row = try orderRows.next() {
            sums.addOrders(TotalsKey(day: nil, currency: row["currency"], status: row["status"]),
                           price: row["total_price_micros"], discount: row["total_discount_micros"])
            try orders.append([
                row["id"], row["status"], row["currency"], row["total_price"], row["total_discount"], row["created_at"],
                row["completed_at"], row["description"], row["first_seen_at"], row["updated_at"], row["last_source"],
                (row["details_fetched_at"] as String?) != nil ? "true" : "false", String(row["version"] as Int),
            ])
        }
        files.append(try orders.finish())

        // Items and payouts leave out recipients' addresses and payout links (a link is as good as the money):
        // the package is for the books; the ledger keeps the rest.
        var items = try PackageFile(folder + "/items.csv", header: [
            "id", "order_id", "position", "currency", "face_value", "price", "distribution_type", "product_type",
            "product_codes", "order_status"])
        let itemRows = try Row.fetchCursor(db, sql: """
            SELECT i.*, o.status AS order_status FROM orders o JOIN order_items i ON i.order_id = o.id
            WHERE \(inPeriod) ORDER BY \(listed), o.id, i.position
            """, arguments: StatementArguments(range))
        while let row = try itemRows.next() {
            sums.addItems(TotalsKey(day: nil, currency: row["currency"], status: row["order_status"]),
                          face: row["face_value_micros"])
            try items.append([
                row["id"], row["order_id"], String(row["position"] as Int), row["currency"], row["face_value"],
                row["price"], row["distribution_type"], row["product_type"], row["product_codes"], row["order_status"],
            ])
        }
        files.append(try items.finish())

        var payouts = try PackageFile(folder + "/payouts.csv", header: [
            "item_id", "order_id", "status", "status_updated_at", "expiry_date", "currency", "face_value"])
        let payoutRows = try Row.fetchCursor(db, sql: """
            SELECT p.*, i.currency, i.face_value FROM orders o JOIN order_items i ON i.order_id = o.id
            JOIN payouts p ON p.item_id = i.id WHERE \(inPeriod) ORDER BY \(listed), o.id, i.position
            """, arguments: StatementArguments(range))
        while let row = try payoutRows.next() {
            try payouts.append([row["item_id"], row["order_id"], row["status"], row["status_updated_at"],
                                row["expiry_date"], row["currency"], row["face_value"]])
        }
        files.append(try payouts.finish())

        var totals: [CloseManifest.Total] = []
        var totalsFile = try PackageFile(folder + "/totals.csv", header: [
            "currency", "status", "orders", "total_price", "total_discount", "items", "face_value"])
        for (key, sum) in sums.lines {
            let total = CloseManifest.Total(
                currency: key.currency ?? "", status: key.status, orders: sum.orders, totalPrice: Money.plainString(micros: sum.price),
                totalDiscount: Money.plainString(micros: sum.discount), items: sum.items,
                faceValue: Money.plainString(micros: sum.face))
            totals.append(total)
            try totalsFile.append([total.currency, total.status, String(total.orders), total.totalPrice,
                                   total.totalDiscount, String(total.items), total.faceValue])
        }
        files.append(try totalsFile.finish())

        return CloseManifest(
            period: period.description, periodStart: period.start.canonical, periodEnd: period.end.canonical,
            closedAt: now.canonical, forced: forced, forceReason: reason, missing: missing,
            watermark: watermark?.canonical, chainHead: .init(seq: head.seq, hash: head.hash), files: files,
            totals: totals)
    }

    static func writeDurably(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw LedgerError.unavailable("cannot write \(path)")
        }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.synchronize()
        try handle.close()
    }
}

/// One CSV file of a close package, written as it is read: rows counted, bytes hashed, flushed to disk at the end.
struct PackageFile {
    let path: String
    private let handle: FileHandle
    private let digest = SHA256Stream()
    private var buffer = ""
    private var rows = 0
    private var bytes = 0

    init(_ path: String, header: [String]) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw LedgerError.unavailable("cannot create \(path)")
        }
        self.path = path
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        CSVWriter.append(header, to: &buffer)
    }

    mutating func append(_ fields: [String?]) throws {
        CSVWriter.append(fields, to: &buffer)
        rows += 1
        if buffer.utf8.count >= 1 << 20 { try flush() }
    }

    private mutating func flush() throws {
        let data = Data(buffer.utf8)
        digest.update(data)
        bytes += data.count
        try handle.write(contentsOf: data)
        buffer = ""
    }

    mutating func finish() throws -> CloseManifest.File {
        try flush()
        try handle.synchronize()
        try handle.close()
        return CloseManifest.File(name: URL(fileURLWithPath: path).lastPathComponent, rows: rows, bytes: bytes,
                                  sha256: Digest.hex(digest.finish()))
    }
}
