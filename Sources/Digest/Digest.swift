import COpenSSL

/// SHA-256 and HMAC-SHA256 from the system's libcrypto, plus a constant-time comparison.
///
/// These are the only cryptographic primitives runa-ledger needs: HMAC for Svix signatures,
/// SHA-256 for body fingerprints and the audit hash chain.
public enum Digest {
    /// The SHA-256 of `bytes` (32 bytes).
    public static func sha256<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        withContiguousBytes(bytes) { input in
            _ = SHA256(input.baseAddress!, input.count, &out)
        }
        return out
    }

    /// HMAC-SHA256 of `message` under `key` (32 bytes).
    public static func hmacSHA256<Key: Collection, Message: Collection>(
        key: Key, message: Message
    ) -> [UInt8] where Key.Element == UInt8, Message.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        withContiguousBytes(key) { keyBytes in
            withContiguousBytes(message) { messageBytes in
                _ = HMAC(
                    EVP_sha256(),
                    keyBytes.baseAddress!, Int32(keyBytes.count),
                    messageBytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    messageBytes.count,
                    &out, &length
                )
            }
        }
        return Array(out.prefix(Int(length)))
    }

    /// Compares two byte strings in time that depends only on their length (OpenSSL's `CRYPTO_memcmp`).
    ///
    /// Different lengths compare unequal at once: lengths are not secret here (a SHA-256 MAC is always 32 bytes).
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.isEmpty { return true }
        return lhs.withUnsafeBytes { l in
            rhs.withUnsafeBytes { r in
                CRYPTO_memcmp(l.baseAddress!, r.baseAddress!, l.count) == 0
            }
        }
    }

    /// Lowercase hexadecimal rendering of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func withContiguousBytes<Bytes: Collection, R>(
        _ bytes: Bytes, _ body: (UnsafeRawBufferPointer) -> R
    ) -> R where Bytes.Element == UInt8 {
        // OpenSSL rejects a NULL pointer even for zero bytes, so empty input gets a real one-byte buffer.
        if bytes.isEmpty {
            return [UInt8(0)].withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0.prefix(0))) }
        }
        if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(bytes).withUnsafeBytes(body)
    }
}
