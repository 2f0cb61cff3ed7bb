import Digest
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import RunaModels

/// What `runa-ledger backup` wrote: the file, its digest and the check of the copy.
public struct LedgerBackupReport: Sendable {
    public var path: String
    public var bytes: Int
    /// SHA-256 of the backup file, hex: record it beside the copy to prove later that it is unchanged.
    public var sha256: String
    /// The checks run on the copy after writing it.
    public var check: LedgerCheckReport
}

/// What `runa-ledger restore` did: where the replaced files went and the check of the restored ledger.
public struct LedgerRestoreReport: Sendable {
    /// The files of the replaced ledger, moved aside (empty when there was none).
    public var movedAside: [String]
    public var restored: LedgerBackupReport
}

extension LedgerDatabase {
    /// Writes a consistent copy of the ledger at `source` to `destination`, then verifies it; safe while the
    /// service writes to `source`.
    ///
    /// `VACUUM INTO` on a read-only connection reads one snapshot (a WAL read transaction: writers are never
    /// blocked, and the source is never changed) into a compact single file, WAL content included. The copy is
    /// written beside `destination`, flushed to disk, checked read-only (integrity, hash chain, schema), and only
    /// then renamed into place, so `destination` is either a verified copy or absent. An existing `destination` is
    /// never overwritten.
    public static func backup(from source: String, to destination: String, migrations: [Migration]) throws -> LedgerBackupReport {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: source) else { throw LedgerError.configuration("no ledger at \(source)") }
        guard !fileManager.fileExists(atPath: destination) else {
            throw LedgerError.configuration("\(destination) already exists; a backup never overwrites a file")
        }
        let partial = destination + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        for leftover in [partial, partial + "-wal", partial + "-shm"] { try? fileManager.removeItem(atPath: leftover) }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(10)
            let reader = try DatabaseQueue(path: source, configuration: configuration)
            try reader.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [partial]) }
            try reader.close()
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: partial))
            try handle.synchronize()
            try handle.close()
            let check = try checkReadOnly(path: partial, migrations: migrations)
            guard check.isHealthy else {
                throw LedgerError.unavailable("the copy failed its check: \(check.summary.joined(separator: "; "))")
            }
            let data = try Data(contentsOf: URL(fileURLWithPath: partial), options: .alwaysMapped)
            let digest = Digest.hex(Digest.sha256(data))
            try fileManager.moveItem(atPath: partial, toPath: destination)
            for leftover in [partial + "-wal", partial + "-shm"] { try? fileManager.removeItem(atPath: leftover) }
            try synchronizeFolder(of: destination)
            return LedgerBackupReport(path: destination, bytes: data.count, sha256: digest, check: check)
        } catch {
            for leftover in [partial, partial + "-wal", partial + "-shm"] { try? fileManager.removeItem(atPath: leftover) }
            throw error
        }
    }

    /// Puts a verified copy of `source` (a backup, a Litestream restore, a rebuilt ledger) in place of the ledger at
    /// `ledger`, which must not be in use: its file and any `-wal` and `-shm` beside it are first moved aside
    /// together (named `….before-restore-<time>`), so no old write-ahead log is ever read with the new file.
    /// Nothing is moved when `source` fails its check.
    public static func restore(from source: String, to ledger: String, migrations: [Migration],
                               now: Timestamp = LedgerClock.now()) throws -> LedgerRestoreReport {
        let check = try checkReadOnly(path: source, migrations: migrations)
        guard check.isHealthy else {
            throw LedgerError.configuration("\(source) failed its check: \(check.summary.joined(separator: "; "))")
        }
        let stamp = now.canonical.filter { $0.isNumber }.prefix(14)
        var moved: [String] = []
        for file in [ledger, ledger + "-wal", ledger + "-shm"] where FileManager.default.fileExists(atPath: file) {
            let aside = "\(file).before-restore-\(stamp)"
            try FileManager.default.moveItem(atPath: file, toPath: aside)
            moved.append(aside)
        }
        return LedgerRestoreReport(movedAside: moved, restored: try backup(from: source, to: ledger, migrations: migrations))
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
