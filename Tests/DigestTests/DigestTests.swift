import Digest
import Testing

/// SHA-256 and HMAC-SHA256 through the system libcrypto, checked against published test vectors.
@Suite("Digests through OpenSSL")
struct DigestTests {
    @Test("SHA-256 of FIPS 180-2's examples", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(input: String, expected: String) {
        #expect(Digest.hex(Digest.sha256(Array(input.utf8))) == expected)
    }

    @Test("a streamed SHA-256 over pieces equals the one-shot digest")
    func stream() {
        let text = Array(String(repeating: "runa-ledger ", count: 1_000).utf8)
        let stream = SHA256Stream()
        for start in stride(from: 0, to: text.count, by: 997) { stream.update(text[start..<min(start + 997, text.count)]) }
        #expect(stream.finish() == Digest.sha256(text))
    }

    @Test("HMAC-SHA256 of RFC 4231's test cases 1, 2 and 6 (a key longer than the block)", arguments: [
        ([UInt8](repeating: 0x0b, count: 20), "Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ])
    func hmac(key: [UInt8], message: String, expected: String) {
        #expect(Digest.hex(Digest.hmacSHA256(key: key, message: Array(message.utf8))) == expected)
    }

    @Test("constant-time comparison: equal only for the same bytes of the same length")
    func constantTime() {
        let a: [UInt8] = [1, 2, 3, 4]
        #expect(Digest.constantTimeEquals(a, [1, 2, 3, 4]))
        #expect(!Digest.constantTimeEquals(a, [1, 2, 3, 5]))
        #expect(!Digest.constantTimeEquals(a, [1, 2, 3]))
        #expect(!Digest.constantTimeEquals(a, [1, 2, 3, 4, 0]))
        #expect(Digest.constantTimeEquals([], []))
    }
}
