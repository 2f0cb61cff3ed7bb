/// Strict, canonical standard base64 (RFC 4648 §4, padded).
///
/// Foundation's and Python's decoders accept several spellings of the same bytes (missing padding, non-zero
/// trailing bits, stray characters). Signatures and secrets are compared as bytes, so only the one canonical
/// spelling is accepted here.
enum CanonicalBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Decodes canonical base64, or returns `nil` for anything else.
    static func decode<S: Collection>(_ text: S) -> [UInt8]? where S.Element == UInt8 {
        let chars = Array(text)
        guard chars.count % 4 == 0 else { return nil }
        if chars.isEmpty { return [] }
        var padding = 0
        if chars[chars.count - 1] == UInt8(ascii: "=") { padding += 1 }
        if chars[chars.count - 2] == UInt8(ascii: "=") {
            guard padding == 1 else { return nil }
            padding += 1
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 4 * 3)
        var index = 0
        while index < chars.count {
            let isLast = index + 4 == chars.count
            var values = [UInt8](repeating: 0, count: 4)
            for offset in 0..<4 {
                let char = chars[index + offset]
                if isLast, offset >= 4 - padding {
                    values[offset] = 0
                    continue
                }
                let value = decodeTable[Int(char)]
                guard value != 0xFF else { return nil }
                values[offset] = value
            }
            let triple = UInt32(values[0]) << 18 | UInt32(values[1]) << 12 | UInt32(values[2]) << 6 | UInt32(values[3])
            out.append(UInt8(triple >> 16 & 0xFF))
            if isLast, padding == 2 {
                guard triple & 0xFFFF == 0 else { return nil }  // non-zero unused bits: not canonical
            } else {
                out.append(UInt8(triple >> 8 & 0xFF))
                if isLast, padding == 1 {
                    guard triple & 0xFF == 0 else { return nil }
                } else {
                    out.append(UInt8(triple & 0xFF))
                }
            }
            index += 4
        }
        return out
    }

    /// Encodes bytes as padded standard base64.
    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 63)])
            out.append(alphabet[Int(triple >> 12 & 63)])
            out.append(remaining > 1 ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(remaining > 2 ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
