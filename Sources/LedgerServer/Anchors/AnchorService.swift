import Foundation
import Ledger
import Logging
import Metrics
import ServiceLifecycle

/// Signs both hash chains' heads on a schedule (``ChainAnchor``) and writes them outside the database: as a file
/// in the anchor folder when one is set, and always as a `chain anchored` log line an external notary can keep.
///
/// A head that has not moved since the last anchor is not anchored again. A last anchor is written on shutdown.
struct AnchorService: Service {
    let database: LedgerDatabase
    let keyring: AnchorKeyring
    let directory: AnchorDirectory?
    let interval: Duration
    let logger: Logger

    private let written = Counter(label: "runa_ledger_chain_anchors_total", dimensions: [("outcome", "written")])
    private let failed = Counter(label: "runa_ledger_chain_anchors_total", dimensions: [("outcome", "failed")])

    func run() async throws {
        let last = await cancelWhenGracefulShutdown {
            var last: ChainAnchor?
            while !Task.isCancelled {
                last = await anchor(after: last)
                try? await Task.sleep(for: interval)
            }
            return last
        }
        _ = await anchor(after: last)
    }

    /// Writes an anchor unless the heads are where `previous` left them; returns the latest anchor.
    func anchor(after previous: ChainAnchor?) async -> ChainAnchor? {
        do {
            let anchor = try await database.anchor(keyring: keyring)
            if let previous, previous.eventSeq == anchor.eventSeq, previous.accessLogId == anchor.accessLogId {
                return previous
            }
            let file = try directory?.write(anchor)
            written.increment()
            logger.notice("chain anchored", metadata: ["anchor": "\(anchor.jsonLine)", "file": "\(file ?? "-")"])
            return anchor
        } catch {
            failed.increment()
            logger.error("chain anchor not written", metadata: ["error": "\(error)"])
            return previous
        }
    }
}
