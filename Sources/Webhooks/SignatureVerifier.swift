import Digest

/// Verifies Standard Webhooks signatures as Svix produces them: pure, no I/O, no clock (the caller passes `now`).
///
/// Signed content is the exact bytes `"{id}.{timestamp}.{body}"`; the signature header is a space-separated
/// list of `v1,<base64 HMAC-SHA256>` entries, and the delivery is authentic when any entry matches any
/// configured secret (several during rotation). Stricter than the reference library where it is lenient by
/// accident: the timestamp is plain decimal digits, base64 must be canonical, a malformed list entry is skipped
/// instead of aborting the check, and a body that is not UTF-8 is rejected.
public struct SignatureVerifier: Sendable {
    /// The secrets any of which may have signed a delivery.
    public let secrets: [WebhookSecret]
    /// Allowed distance between the signed timestamp and now, either way, in seconds (inclusive).
    public let toleranceSeconds: Int64

    public init(secrets: [WebhookSecret], toleranceSeconds: Int64 = 300) {
        self.secrets = secrets
        self.toleranceSeconds = toleranceSeconds
    }

    /// Checks one delivery. `now` is Unix seconds.
    public func verify(
        headers: WebhookHeaders, body: some Collection<UInt8>, now: Int64
    ) -> Result<VerifiedDelivery, SignatureError> {
        guard let id = headers.id, !id.isEmpty,
              let timestampText = headers.timestamp, !timestampText.isEmpty,
              let signatureList = headers.signature, !signatureList.isEmpty
        else { return .failure(.missingHeaders) }
        guard let timestamp = Self.parseTimestamp(timestampText) else { return .failure(.malformedTimestamp) }
        if timestamp < now - toleranceSeconds { return .failure(.timestampTooOld) }
        if timestamp > now + toleranceSeconds { return .failure(.timestampTooNew) }
        let bodyBytes = Array(body)
        guard String(validating: bodyBytes, as: UTF8.self) != nil else { return .failure(.bodyNotUTF8) }

        let candidates = Self.signatures(in: signatureList)
        guard !candidates.isEmpty else { return .failure(.noValidSignature) }
        var signedContent = [UInt8]()
        signedContent.reserveCapacity(id.utf8.count + timestampText.utf8.count + bodyBytes.count + 2)
        signedContent.append(contentsOf: id.utf8)
        signedContent.append(UInt8(ascii: "."))
        signedContent.append(contentsOf: timestampText.utf8)
        signedContent.append(UInt8(ascii: "."))
        signedContent.append(contentsOf: bodyBytes)

        var matched = false
        for secret in secrets {
            let expected = Digest.hmacSHA256(key: secret.key, message: signedContent)
            for candidate in candidates where Digest.constantTimeEquals(expected, candidate) {
                matched = true  // keep going: the time taken must not reveal which entry matched
            }
        }
        return matched ? .success(VerifiedDelivery(messageId: id, signedAt: timestamp)) : .failure(.noValidSignature)
    }

    /// Signs content the way Svix does; used by the simulator, tests and benchmarks.
    public static func sign(id: String, timestamp: Int64, body: some Collection<UInt8>, secret: WebhookSecret) -> String {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        return "v1," + CanonicalBase64.encode(Digest.hmacSHA256(key: secret.key, message: content))
    }

    /// Unix seconds from a header of 1…15 plain ASCII digits without a leading zero.
    static func parseTimestamp(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard (1...15).contains(bytes.count), bytes.count == 1 || bytes[0] != UInt8(ascii: "0") else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Entries of a signature list that are looked at: a deliberate cap, stricter than the official svix library
    /// (which reads any number). Svix sends one entry per active endpoint secret — two during a rotation — so 64 is
    /// far above anything real, and it bounds the HMAC work one request can ask for (entries × secrets). A valid
    /// entry after the 64th is not seen: the delivery is refused (401) and Svix retries it.
    public static let maxSignatureEntries = 64

    /// The 32-byte signatures of the well-formed `v1` entries among the first ``maxSignatureEntries``; anything else
    /// in the list is skipped.
    static func signatures(in list: String) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for entry in list.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            .prefix(maxSignatureEntries) {
            let parts = entry.split(separator: UInt8(ascii: ","), maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].elementsEqual("v1".utf8),
                  let bytes = CanonicalBase64.decode(parts[1]), bytes.count == 32
            else { continue }
            result.append(bytes)
        }
        return result
    }
}

/// The `id`, `timestamp` and `signature` headers of a delivery, under either naming scheme.
public struct WebhookHeaders: Sendable, Equatable {
    public var id: String?
    public var timestamp: String?
    public var signature: String?

    public init(id: String?, timestamp: String?, signature: String?) {
        self.id = id
        self.timestamp = timestamp
        self.signature = signature
    }

    /// Reads `svix-*` headers, falling back to `webhook-*` (Standard Webhooks); `value(name)` must match names
    /// case-insensitively, as HTTP header lookups do.
    public init(lookup value: (String) -> String?) {
        id = value("svix-id") ?? value("webhook-id")
        timestamp = value("svix-timestamp") ?? value("webhook-timestamp")
        signature = value("svix-signature") ?? value("webhook-signature")
    }
}

/// A delivery whose signature checked out.
public struct VerifiedDelivery: Sendable, Equatable {
    /// Svix's message id: the same on every retry of one message.
    public let messageId: String
    /// The signed timestamp, Unix seconds.
    public let signedAt: Int64
}

/// Why a delivery is not authentic. Deliberately coarse towards the sender; precise for logs and metrics.
public enum SignatureError: String, Error, Sendable, Equatable {
    case missingHeaders = "missing_headers"
    case malformedTimestamp = "malformed_timestamp"
    case timestampTooOld = "timestamp_too_old"
    case timestampTooNew = "timestamp_too_new"
    case bodyNotUTF8 = "body_not_utf8"
    case noValidSignature = "no_valid_signature"
}
