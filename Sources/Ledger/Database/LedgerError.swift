import GRDB

/// Errors of the ledger that a caller acts on.
public enum LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting or file the ledger needs is wrong or missing.
    case configuration(String)
    /// The schema on disk does not match the migration files.
    case migration(String)
    /// The database could not commit (busy, locked, full, I/O): nothing was stored; the caller should retry.
    case unavailable(String)

    public var description: String {
        switch self {
        case .configuration(let message), .migration(let message), .unavailable(let message): return message
        }
    }

    /// Classifies any error thrown by a write as `unavailable`, keeping SQLite's own words.
    static func unavailable(_ error: any Error) -> LedgerError {
        if let ledger = error as? LedgerError { return ledger }
        if let database = error as? DatabaseError {
            return .unavailable("database error \(database.resultCode.rawValue): \(database.message ?? "unknown")")
        }
        return .unavailable(String(describing: error))
    }
}
