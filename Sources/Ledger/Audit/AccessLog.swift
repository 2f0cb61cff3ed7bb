import GRDB
import RunaModels

/// One authenticated `/v1` request, as the append-only `access_log` keeps it.
public struct AccessEntry: Sendable, Equatable {
    public var at: Timestamp
    /// The token's configured id — never the token.
    public var tokenId: String
    public var role: String
    public var method: String
    public var path: String
    /// The query string as sent (filters and cursor).
    public var query: String
    public var status: Int
    /// Rows returned, when the answer is a list or a report.
    public var rows: Int?

    public init(at: Timestamp, tokenId: String, role: String, method: String, path: String, query: String, status: Int,
                rows: Int?) {
        self.at = at
        self.tokenId = tokenId
        self.role = role
        self.method = method
        self.path = path
        self.query = query
        self.status = status
        self.rows = rows
    }
}

/// Writes access-log entries durably and chained (``AccessLogChain``), many concurrent requests sharing one commit
/// (as deliveries do).
public final class AccessLogWriter: Sendable {
    private let committer: GroupCommitter<AccessEntry, Void>

    public init(database: LedgerDatabase) {
        let pool = database.pool
        committer = GroupCommitter(maximumBatch: 256) { entries in
            do {
                try await pool.write { db in
                    let statement = try db.cachedStatement(sql: """
                        INSERT INTO access_log (id, at, token_id, role, method, path, query, status, rows, prev_hash, hash)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                    var head = try AccessLogChain.head(db)
                    for entry in entries {
                        let id = head.seq + 1
                        let hash = AccessLogChain.hash(id: id, entry: entry, prevHash: head.hash)
                        try statement.execute(arguments: [
                            id, entry.at.canonical, entry.tokenId, entry.role, entry.method, entry.path, entry.query,
                            entry.status, entry.rows, head.hash, hash,
                        ])
                        head = AuditTrail.Head(seq: id, hash: hash)
                    }
                }
                return Array(repeating: .success(()), count: entries.count)
            } catch {
                return Array(repeating: .failure(LedgerError.unavailable(error)), count: entries.count)
            }
        }
    }

    /// Returns once `entry` is committed.
    public func record(_ entry: AccessEntry) async throws {
        try await committer.submit(entry)
    }
}

/// The `access_log` hash chain (migration 0010): each entry's hash covers the previous entry's hash and its own
/// fields, as ``AuditTrail`` does for events, so a deleted, edited or inserted entry breaks it.
///
/// Entries written before the chain existed have no hash; they may only come before the first chained one.
public enum AccessLogChain {
    /// The last entry's id and hash (the genesis hash while no entry is chained).
    public static func head(_ db: Database) throws -> AuditTrail.Head {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1"))
        else { return .genesis }
        return AuditTrail.Head(seq: row["id"], hash: row["hash"] ?? AuditTrail.genesisHash)
    }

    /// The stored hash of entry `id` (the genesis hash for 0 or an entry from before the chain), `nil` when absent.
    public static func hash(at id: Int64, _ db: Database) throws -> String? {
        if id == 0 { return AuditTrail.genesisHash }
        guard let row = try Row.fetchOne(db, sql: "SELECT hash FROM access_log WHERE id = ?", arguments: [id]) else {
            return nil
        }
        return row["hash"] ?? AuditTrail.genesisHash
    }

    static func hash(id: Int64, entry: AccessEntry, prevHash: String) -> String {
        AuditTrail.chainHash(prevHash: prevHash, [
            String(id), entry.at.canonical, entry.tokenId, entry.role, entry.method, entry.path, entry.query,
            String(entry.status), entry.rows.map(String.init) ?? "",
        ])
    }

    /// What ``verify(_:)`` found.
    public struct Verification: Sendable, Equatable {
        public var entries = 0
        /// Entries from before the chain (migration 0010), which nothing protects.
        public var unchained = 0
        public var firstProblem: String?

        public var isIntact: Bool { firstProblem == nil }
    }

    /// Recomputes every chained entry's hash and checks each link.
    public static func verify(_ db: Database) throws -> Verification {
        var result = Verification()
        guard try db.columns(in: "access_log").contains(where: { $0.name == "hash" }) else { return result }
        var expectedPrev: String?
        var lastId: Int64 = 0
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT id, at, token_id, role, method, path, query, status, rows, prev_hash, hash FROM access_log ORDER BY id
            """)
        while let row = try cursor.next() {
            result.entries += 1
            let id: Int64 = row["id"]
            defer { lastId = id }
            guard let stored: String = row["hash"] else {
                if expectedPrev != nil {
                    result.firstProblem = "entry \(id) has no hash after chained entries: the chain was cut"
                    return result
                }
                result.unchained += 1
                continue
            }
            let prev: String = row["prev_hash"] ?? ""
            if let expected = expectedPrev {
                if id != lastId + 1 {
                    result.firstProblem = "entry \(id): entries after \(lastId) are missing"
                    return result
                }
                if prev != expected {
                    result.firstProblem = "entry \(id): prev_hash does not match the previous entry"
                    return result
                }
            } else if prev != AuditTrail.genesisHash {
                result.firstProblem = "entry \(id): the first chained entry does not start the chain: entries before it were removed"
                return result
            }
            guard let at = Timestamp(rfc3339: row["at"] as String) else {
                result.firstProblem = "entry \(id): unreadable time"
                return result
            }
            let entry = AccessEntry(at: at, tokenId: row["token_id"], role: row["role"], method: row["method"],
                                    path: row["path"], query: row["query"], status: row["status"], rows: row["rows"])
            if hash(id: id, entry: entry, prevHash: prev) != stored {
                result.firstProblem = "entry \(id): hash does not match the entry's content"
                return result
            }
            expectedPrev = stored
        }
        return result
    }
}
