import GRDB

/// How a group-committed batch is written: webhook deliveries (``LedgerWriter``) and Runa's answers
/// (``AnswerWriter``) alike.
///
/// A batch is first written straight through, one job after the other with no savepoint: a savepoint copies every
/// page it touches to a statement journal first, and failures are rare (bench/README.md, "Ingest, stage by stage").
/// The first failure throws ``JobFailed``, the transaction rolls back, and the batch is written again with each job
/// in its own SAVEPOINT, so the failing one is rolled back alone and answered with its error while its neighbours
/// commit. Either way the staged search rows are applied just before the commit, which writes the log without
/// syncing it: the caller syncs (``WALFlusher``) before it tells anyone.
enum BatchWrite {
    /// A job failed in a batch written without savepoints; the batch must be written again, isolated.
    struct JobFailed: Error {}

    /// Writes a batch on the writer: `batch(false, db)` first, and `batch(true, db)` in a new transaction when that
    /// threw ``JobFailed``. Each runs in ``inUnsyncedTransaction(_:_:)``.
    static func commit<Output: Sendable>(
        _ pool: DatabasePool, _ batch: @escaping @Sendable (_ isolated: Bool, Database) throws -> [Result<Output, any Error>]
    ) async throws -> [Result<Output, any Error>] {
        do {
            return try await pool.writeWithoutTransaction { db in try inUnsyncedTransaction(db) { try batch(false, db) } }
        } catch is JobFailed {
            return try await pool.writeWithoutTransaction { db in try inUnsyncedTransaction(db) { try batch(true, db) } }
        }
    }

    /// Writes `jobs` in the caller's transaction, each through `write` with the audit trail's head, then applies the
    /// staged search rows. Not `isolated`: the first failure throws ``JobFailed``. `isolated`: a job that fails is
    /// rolled back alone and its result is `failedAlone`'s error.
    static func apply<Job, Output>(
        _ jobs: [Job], isolated: Bool, db: Database,
        failedAlone: (Job, any Error) -> any Error = { $1 },
        _ write: (Job, inout AuditTrail.Head) throws -> Output
    ) throws -> [Result<Output, any Error>] {
        var head = try AuditTrail.head(db)
        var results: [Result<Output, any Error>] = []
        results.reserveCapacity(jobs.count)
        for job in jobs {
            guard isolated else {
                do {
                    results.append(.success(try write(job, &head)))
                } catch {
                    throw JobFailed()
                }
                continue
            }
            let saved = head
            do {
                var output: Output?
                try db.inSavepoint {
                    output = try write(job, &head)
                    return .commit
                }
                results.append(output.map { .success($0) } ?? .failure(LedgerError.unavailable("the job was not written")))
            } catch {
                head = saved
                results.append(.failure(failedAlone(job, error)))
            }
        }
        try OrderSearchIndex.applyStaged(db)
        return results
    }

    /// Runs `body` in a transaction whose commit writes the log without syncing it (`synchronous=NORMAL`), then puts
    /// the connection back to `synchronous=FULL` for every other writer. The caller syncs before it tells anyone.
    static func inUnsyncedTransaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        var result: Result<T, any Error> = .failure(LedgerError.unavailable("the transaction did not run"))
        do {
            try db.inTransaction(.immediate) {
                result = .success(try body())
                return .commit
            }
        } catch {
            result = .failure(error)
        }
        try db.execute(sql: "PRAGMA synchronous = FULL")
        return try result.get()
    }
}
