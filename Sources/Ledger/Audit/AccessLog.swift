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

/// Writes access-log entries durably, many concurrent requests sharing one commit (as deliveries do).
public final class AccessLogWriter: Sendable {
    private let committer: GroupCommitter<AccessEntry, Void>

    public init(database: LedgerDatabase) {
        let pool = database.pool
        committer = GroupCommitter(maximumBatch: 256) { entries in
            do {
                try await pool.write { db in
                    let statement = try db.cachedStatement(sql: """
                        INSERT INTO access_log (at, token_id, role, method, path, query, status, rows)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                    for entry in entries {
                        try statement.execute(arguments: [
                            entry.at.canonical, entry.tokenId, entry.role, entry.method, entry.path, entry.query,
                            entry.status, entry.rows,
                        ])
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
