import Digest
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB

/// What `runa-ledger backup` wrote: the file, its digest and the check of the copy.
public struct LedgerBackupReport: Sendable {
    public var path: String
    public var bytes: Int
    /// SHA-256 of the backup file, hex: record it beside the copy to prove later that it is unchanged.
    public var sha256: String
    /// The checks run on the copy after writing it.
    public var check: LedgerCheckReport
}

extension LedgerDatabase {
    /// Writes a consistent copy of the ledger to `destination` while the service keeps running, then verifies it.
    ///
    /// `VACUUM INTO` reads one snapshot (a WAL read transaction: writers are never blocked) into a compact
    /// single file. The copy is written beside `destination`, flushed to disk, checked read-only (integrity,
    /// hash chain, schema), and only then renamed into place, so `destination` is either a verified backup or
    /// absent. An existing `destination` is never overwritten.
    public func backup(to destination: String, migrations: [Migration]) throws -> LedgerBackupReport {
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: destination) else {
            throw LedgerError.configuration("\(destination) already exists; a backup never overwrites a file")
        }
        let partial = destination + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? fileManager.removeItem(atPath: partial)
        do {
            try pool.unsafeReentrantRead { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [partial])
            }
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: partial))
            try handle.synchronize()
            try handle.close()
            let check = try Self.checkReadOnly(path: partial, migrations: migrations)
            guard check.isHealthy else {
                throw LedgerError.unavailable("the backup copy failed its check: \(check.summary.joined(separator: "; "))")
            }
            let data = try Data(contentsOf: URL(fileURLWithPath: partial), options: .alwaysMapped)
            let digest = Digest.hex(Digest.sha256(data))
            try fileManager.moveItem(atPath: partial, toPath: destination)
            try Self.synchronizeFolder(of: destination)
            return LedgerBackupReport(path: destination, bytes: data.count, sha256: digest, check: check)
        } catch {
            try? fileManager.removeItem(atPath: partial)
            throw error
        }
    }

    /// Flushes a folder's entries, so a rename into it survives a power cut.
    static func synchronizeFolder(of path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let descriptor = Glibc.open(folder, O_RDONLY)
        guard descriptor >= 0 else { return }
        defer { Glibc.close(descriptor) }
        fsync(descriptor)
    }
}
