/// A webhook signing secret, `whsec_<base64>` as Runa's webhook portal shows it.
///
/// Its description never shows the key, so a secret cannot leak through logging or string interpolation.
public struct WebhookSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The HMAC key: the base64-decoded part after `whsec_`.
    let key: [UInt8]

    /// Parses `whsec_<base64>`. The prefix is required; the base64 must be canonical and non-empty.
    public init(_ text: String) throws(WebhookSecretError) {
        guard text.hasPrefix("whsec_") else { throw .missingPrefix }
        guard let key = CanonicalBase64.decode(text.utf8.dropFirst(6)) else { throw .notBase64 }
        guard !key.isEmpty else { throw .empty }
        self.key = key
    }

    /// A secret with the given raw key bytes (tests and the simulator generate secrets this way).
    public init(key: [UInt8]) {
        self.key = key
    }

    /// The secret in the `whsec_` form, for handing to a sender. Do not log it.
    public var exposedValue: String { "whsec_" + CanonicalBase64.encode(key) }

    public var description: String { "whsec_<redacted>" }
    public var debugDescription: String { description }
}

/// Why a configured webhook secret is unusable. Never carries the secret itself.
public enum WebhookSecretError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingPrefix
    case notBase64
    case empty

    public var description: String {
        switch self {
        case .missingPrefix: return "a webhook secret must start with \"whsec_\""
        case .notBase64: return "the part after \"whsec_\" is not canonical base64"
        case .empty: return "the webhook secret is empty"
        }
    }
}
