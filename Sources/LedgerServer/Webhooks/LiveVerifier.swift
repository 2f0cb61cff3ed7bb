import Synchronization
import Webhooks

/// The webhook signing secrets in use, replaceable while the service runs: a secret rotation is a
/// `systemctl reload` (SIGHUP), with no connection dropped.
public final class LiveVerifier: Sendable {
    private let current: Mutex<SignatureVerifier>

    public init(_ verifier: SignatureVerifier) { current = Mutex(verifier) }

    /// Verifies a delivery with the secrets in use now (``SignatureVerifier/verify(headers:body:now:)``).
    public func verify(headers: WebhookHeaders, body: some Collection<UInt8>, now: Int64) -> Result<VerifiedDelivery, SignatureError> {
        current.withLock { $0 }.verify(headers: headers, body: body, now: now)
    }

    /// Verify with `verifier` from now on.
    public func replace(with verifier: SignatureVerifier) { current.withLock { $0 = verifier } }
}
