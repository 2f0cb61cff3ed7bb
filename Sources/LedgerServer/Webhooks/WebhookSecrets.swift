import Synchronization
import Webhooks

/// The webhook signing secrets in use, replaceable while the service runs: a secret rotation is a
/// `systemctl reload` (SIGHUP), with no connection dropped.
public final class LiveVerifier: Sendable {
    private let current: Mutex<SignatureVerifier>

    public init(_ verifier: SignatureVerifier) { current = Mutex(verifier) }

    /// The verifier for the delivery at hand.
    public var verifier: SignatureVerifier { current.withLock { $0 } }

    /// Verify with `verifier` from now on.
    public func replace(with verifier: SignatureVerifier) { current.withLock { $0 = verifier } }
}
