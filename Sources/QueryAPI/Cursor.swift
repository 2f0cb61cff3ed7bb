import Digest
import Foundation

/// An opaque, tamper-evident pagination cursor: the last row's sort key and a fingerprint of the filters, signed
/// with the ledger's own key. A cursor edited by hand, or used with other filters, is refused.
struct Cursor: Sendable, Equatable {
    /// The sort key of the last row returned (e.g. `[created_at, id]`).
    var after: [String]
    /// Which query the cursor belongs to.
    var filters: String

    private struct Payload: Codable {
        var a: [String]
        var f: String
    }

    /// `base64url(payload).base64url(hmac)`.
    func encode(key: [UInt8]) -> String {
        let payload = (try? JSONEncoder().encode(Payload(a: after, f: filters))) ?? Data()
        let mac = Digest.hmacSHA256(key: key, message: payload).prefix(16)
        return Self.base64url(payload) + "." + Self.base64url(Data(mac))
    }

    /// Reads a cursor made by ``encode(key:)`` for the same `filters`; `nil` for anything else.
    static func decode(_ text: String, key: [UInt8], filters: String) -> Cursor? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = unbase64url(parts[0]), let mac = unbase64url(parts[1]) else { return nil }
        let expected = Array(Digest.hmacSHA256(key: key, message: payload).prefix(16))
        guard Digest.constantTimeEquals(expected, Array(mac)),
              let decoded = try? JSONDecoder().decode(Payload.self, from: payload), decoded.f == filters
        else { return nil }
        return Cursor(after: decoded.a, filters: decoded.f)
    }

    private static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func unbase64url(_ text: Substring) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard)
    }
}
