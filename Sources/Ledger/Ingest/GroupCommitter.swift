import Synchronization

/// Collects concurrent jobs and runs them together, so many callers share one durable commit.
///
/// The first job starts a drain loop; jobs submitted while a batch is being committed wait and form the next
/// batch. Under light load a job commits alone at once; under heavy load batches grow by themselves, and the
/// cost of one `fsync` is spread over all of them. Every caller is resumed only after its batch has finished and,
/// when a `durable` stage is given, after that stage has returned for it; the next batch does not wait for it.
final class GroupCommitter<Job: Sendable, Output: Sendable>: Sendable {
    typealias Process = @Sendable ([Job]) async -> [Result<Output, any Error>]

    private struct Waiting: Sendable {
        var job: Job
        var continuation: CheckedContinuation<Output, any Error>
    }

    private struct State: ~Copyable {
        var waiting: [Waiting] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let maximumBatch: Int
    private let process: Process
    private let durable: (@Sendable () async throws -> Void)?

    /// - Parameters:
    ///   - maximumBatch: the most jobs in one batch.
    ///   - process: runs one batch and returns one result per job, in order.
    ///   - durable: when given, called after each batch; its callers are resumed only once it returns, and the next
    ///     batch starts at once instead of waiting for it (a batch's flush overlaps the next batch's work).
    init(maximumBatch: Int, durable: (@Sendable () async throws -> Void)? = nil, process: @escaping Process) {
        self.maximumBatch = max(1, maximumBatch)
        self.process = process
        self.durable = durable
    }

    /// Runs `job` in the next batch and returns its result once that batch has finished.
    func submit(_ job: Job) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let startDraining = state.withLock { state -> Bool in
                state.waiting.append(Waiting(job: job, continuation: continuation))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startDraining {
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                guard !state.waiting.isEmpty else {
                    state.draining = false
                    return []
                }
                let count = min(maximumBatch, state.waiting.count)
                let batch = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            let results = await process(batch.map(\.job))
            guard let durable else {
                Self.resume(batch, with: results)
                continue
            }
            Task {
                do {
                    try await durable()
                    Self.resume(batch, with: results)
                } catch {
                    Self.resume(batch, with: Array(repeating: .failure(LedgerError.unavailable(error)), count: batch.count))
                }
            }
        }
    }
}

extension GroupCommitter {
    private static func resume(_ batch: [Waiting], with results: [Result<Output, any Error>]) {
        for (index, waiting) in batch.enumerated() {
            waiting.continuation.resume(with: index < results.count
                ? results[index] : .failure(LedgerError.unavailable("batch returned too few results")))
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds (for swift-metrics timers).
    public var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
