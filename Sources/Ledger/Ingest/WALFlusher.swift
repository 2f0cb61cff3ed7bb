import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes committed transactions durable: one `fdatasync` of the write-ahead log, shared by every caller that asked
/// before it began.
///
/// The webhook writer commits a batch with `synchronous=NORMAL`, so SQLite writes the batch's frames to the log
/// without syncing it, and answers the batch only after ``flush()`` returns. That is the same sync of the same file
/// that `synchronous=FULL` runs inside the commit, moved off the writer: the next batch is written while this one's
/// frames reach the disk. A flush covers everything written to the log before it began, so a batch whose flush
/// returned is on disk together with every batch committed before it.
final class WALFlusher: Sendable {
    private let log: LogFile
    private let committer: GroupCommitter<Void, Void>

    /// - Parameter databasePath: the database file; its log is the file beside it with `-wal` appended.
    init(databasePath: String) {
        let log = LogFile(path: databasePath + "-wal")
        self.log = log
        committer = GroupCommitter(maximumBatch: .max) { requests in
            let outcome = await log.sync()
            return Array(repeating: outcome, count: requests.count)
        }
    }

    /// Returns once everything committed before the call is on disk; throws ``LedgerError/unavailable(_:)`` when the
    /// sync failed.
    func flush() async throws {
        try await committer.submit(())
    }

    /// The log's file descriptor, used only on its own serial queue (`fdatasync` blocks; it must not hold a thread
    /// of Swift's cooperative pool).
    private final class LogFile: @unchecked Sendable {
        private let path: String
        private let queue = DispatchQueue(label: "ledger.wal-flush")
        private var descriptor: Int32 = -1
        private var inode: ino_t = 0

        init(path: String) { self.path = path }

        deinit { if descriptor >= 0 { close(descriptor) } }

        func sync() async -> Result<Void, any Error> {
            await withCheckedContinuation { continuation in
                queue.async { continuation.resume(returning: self.syncNow()) }
            }
        }

        private func syncNow() -> Result<Void, any Error> {
            var current = stat()
            guard stat(path, &current) == 0 else { return .failure(LedgerError.unavailable("the WAL is missing (errno \(errno))")) }
            // SQLite deletes the log when its last connection closes and makes a new one on the next open: always
            // sync the file that is there now.
            if descriptor < 0 || current.st_ino != inode {
                if descriptor >= 0 { close(descriptor) }
                descriptor = open(path, O_RDWR | O_CLOEXEC)
                guard descriptor >= 0 else { return .failure(LedgerError.unavailable("cannot open the WAL (errno \(errno))")) }
                inode = current.st_ino
                // The log's directory entry must be on disk too, once.
                let folder = open((path as NSString).deletingLastPathComponent.isEmpty
                    ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
                if folder >= 0 {
                    _ = fsync(folder)
                    close(folder)
                }
            }
            guard fdatasync(descriptor) == 0 else {
                return .failure(LedgerError.unavailable("fdatasync of the WAL failed (errno \(errno))"))
            }
            return .success(())
        }
    }
}
