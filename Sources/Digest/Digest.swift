import COpenSSL

/// SHA-256 and HMAC-SHA256 from the system's libcrypto, plus a constant-time comparison.
///
/// These are the only cryptographic primitives runa-ledger needs: HMAC for Svix signatures,
/// SHA-256 for body fingerprints and the audit hash chain.
public enum Digest {
    /// The SHA-256 of `bytes` (32 bytes).
    public static func sha256<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        withBytePointer(bytes) { input, count in
            _ = SHA256(input.assumingMemoryBound(to: UInt8.self), count, &out)
        }
        return out
    }

    /// HMAC-SHA256 of `message` under `key` (32 bytes).
    public static func hmacSHA256<Key: Collection, Message: Collection>(
        key: Key, message: Message
    ) -> [UInt8] where Key.Element == UInt8, Message.Element == UInt8 {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        withBytePointer(key) { keyPointer, keyCount in
            withBytePointer(message) { messagePointer, messageCount in
                _ = HMAC(
                    EVP_sha256(), keyPointer, Int32(keyCount),
                    messagePointer.assumingMemoryBound(to: UInt8.self), messageCount,
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
        return withBytePointer(lhs) { l, count in
            withBytePointer(rhs) { r, _ in CRYPTO_memcmp(l, r, count) == 0 }
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

    /// Calls `body` with a non-NULL pointer to `bytes` and their count. OpenSSL rejects NULL even for zero
    /// bytes, so empty input gets the address of a real one-byte buffer.
    private static func withBytePointer<Bytes: Collection, R>(
        _ bytes: Bytes, _ body: (UnsafeRawPointer, Int) -> R
    ) -> R where Bytes.Element == UInt8 {
        let direct = bytes.withContiguousStorageIfAvailable { buffer -> R? in
            guard let base = buffer.baseAddress else { return nil }
            return body(UnsafeRawPointer(base), buffer.count)
        }
        if let result = direct ?? nil { return result }
        let copy = bytes.isEmpty ? [UInt8(0)] : Array(bytes)
        return copy.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { preconditionFailure("a non-empty array has storage") }
            return body(base, bytes.count)
        }
    }
}

/// SHA-256 over data that arrives in pieces (a file being written), without holding it all.
public final class SHA256Stream {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            preconditionFailure("libcrypto cannot start a SHA-256")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `bytes` to the digest.
    public func update(_ bytes: some Collection<UInt8>) {
        let copy = Array(bytes)
        copy.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            _ = EVP_DigestUpdate(context, base, buffer.count)
        }
    }

    /// The digest of everything added (32 bytes); the stream is spent afterwards.
    public func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(context, &out, &length)
        return out
    }
}
