import Digest
import Foundation
import Testing
@testable import Webhooks

@Suite("Signature verification")
struct SignatureVerifierTests {
    let secret = WebhookSecret(key: Array(repeating: 7, count: 32))
    let now: Int64 = 1_800_000_000
    let body = Data(#"{"id":"O-01H5WQGHKCBB85MQFM68S9KJ5Q","status":"FAILED"}"#.utf8)

    func headers(id: String = "msg_1", timestamp: Int64? = nil, signature: String? = nil, body: Data? = nil)
        -> WebhookHeaders
    {
        let ts = timestamp ?? now
        let signature = signature ?? SignatureVerifier.sign(id: id, timestamp: ts, body: body ?? self.body, secret: secret)
        return WebhookHeaders(id: id, timestamp: String(ts), signature: signature)
    }

    func verify(_ headers: WebhookHeaders, body: Data? = nil, secrets: [WebhookSecret]? = nil)
        -> Result<VerifiedDelivery, SignatureError>
    {
        SignatureVerifier(secrets: secrets ?? [secret]).verify(headers: headers, body: body ?? self.body, now: now)
    }

    @Test("only the first 64 entries of a signature list are read: a valid 64th verifies, a valid 65th does not",
          arguments: [(64, true), (65, false), (1, true)])
    func signatureListCap(position: Int, verifies: Bool) {
        let valid = SignatureVerifier.sign(id: "msg_1", timestamp: now, body: body, secret: secret)
        let decoy = SignatureVerifier.sign(id: "msg_1", timestamp: now, body: body,
                                           secret: WebhookSecret(key: Array(repeating: 9, count: 32)))
        var entries = Array(repeating: decoy, count: 80)
        entries[position - 1] = valid
        let result = verify(headers(signature: entries.joined(separator: " ")))
        #expect(SignatureVerifier.maxSignatureEntries == 64)
        #expect(verifies ? result == .success(VerifiedDelivery(messageId: "msg_1", signedAt: now))
                         : result == .failure(.noValidSignature))
    }

    @Test("a correctly signed delivery verifies and reports its id and timestamp")
    func valid() {
        #expect(verify(headers()) == .success(VerifiedDelivery(messageId: "msg_1", signedAt: now)))
    }

    @Test("exactly 300 seconds either way passes; 301 fails", arguments: [
        (Int64(-300), nil), (300, nil), (-301, SignatureError.timestampTooOld), (301, .timestampTooNew),
    ] as [(Int64, SignatureError?)])
    func toleranceBoundary(offset: Int64, expected: SignatureError?) {
        let result = verify(headers(timestamp: now + offset))
        if let expected { #expect(result == .failure(expected)) } else { #expect(throws: Never.self) { try result.get() } }
    }

    @Test("header names are read case-insensitively, svix-* before webhook-*")
    func headerNames() {
        let signed = headers()
        let fields = ["SVIX-ID": signed.id!, "Webhook-Timestamp": signed.timestamp!, "svix-Signature": signed.signature!]
        let lowered = Dictionary(uniqueKeysWithValues: fields.map { ($0.key.lowercased(), $0.value) })
        let read = WebhookHeaders { lowered[$0.lowercased()] }
        #expect(read == signed)
        #expect(verify(read) == .success(VerifiedDelivery(messageId: "msg_1", signedAt: now)))
    }

    @Test("any of several secrets verifies (rotation)")
    func rotation() throws {
        let old = WebhookSecret(key: Array(repeating: 1, count: 24))
        let signedWithOld = headers(signature: SignatureVerifier.sign(id: "msg_1", timestamp: now, body: body, secret: old))
        #expect(throws: Never.self) { try verify(signedWithOld, secrets: [secret, old]).get() }
        #expect(verify(signedWithOld, secrets: [secret]) == .failure(.noValidSignature))
    }

    @Test("a malformed entry in the list is skipped, not fatal")
    func malformedEntrySkipped() {
        let good = SignatureVerifier.sign(id: "msg_1", timestamp: now, body: body, secret: secret)
        for list in ["v1 \(good)", "v1,a,b \(good)", "garbage  \(good)", "v2,xyz \(good)"] {
            #expect(throws: Never.self) { try verify(headers(signature: list)).get() }
        }
    }

    @Test("rejections say why", arguments: [
        (WebhookHeaders(id: nil, timestamp: "1800000000", signature: "v1,x"), SignatureError.missingHeaders),
        (WebhookHeaders(id: "m", timestamp: "", signature: "v1,x"), .missingHeaders),
        (WebhookHeaders(id: "m", timestamp: "1.8e9", signature: "v1,x"), .malformedTimestamp),
        (WebhookHeaders(id: "m", timestamp: "-5", signature: "v1,x"), .malformedTimestamp),
        (WebhookHeaders(id: "m", timestamp: "01800000000", signature: "v1,x"), .malformedTimestamp),
        (WebhookHeaders(id: "m", timestamp: "1800000000", signature: "v1,x"), .noValidSignature),
    ])
    func rejections(headers: WebhookHeaders, expected: SignatureError) {
        #expect(verify(headers) == .failure(expected))
    }

    @Test("a body that is not UTF-8 is rejected even when the signature matches")
    func nonUTF8() {
        let bad = Data([0x7B, 0xC3, 0x28, 0x7D])
        #expect(verify(headers(body: bad), body: bad) == .failure(.bodyNotUTF8))
    }

    @Test("the signature covers the raw bytes: re-serialised JSON does not verify")
    func rawBytes() {
        let reformatted = Data(#"{"id": "O-01H5WQGHKCBB85MQFM68S9KJ5Q", "status": "FAILED"}"#.utf8)
        #expect(verify(headers(), body: reformatted) == .failure(.noValidSignature))
    }

    @Test("secrets parse only from whsec_ and canonical base64, and never print their key")
    func secrets() throws {
        #expect(throws: WebhookSecretError.missingPrefix) { try WebhookSecret("c2VjcmV0") }
        #expect(throws: WebhookSecretError.notBase64) { try WebhookSecret("whsec_not base64") }
        #expect(throws: WebhookSecretError.empty) { try WebhookSecret("whsec_") }
        let parsed = try WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect("\(parsed)" == "whsec_<redacted>")
        #expect(String(reflecting: parsed) == "whsec_<redacted>")
        #expect(parsed.exposedValue == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    }

    @Test("canonical base64 round-trips and rejects other spellings")
    func base64() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            let text = CanonicalBase64.encode(bytes)
            #expect(text == Data(bytes).base64EncodedString())
            #expect(CanonicalBase64.decode(text.utf8) == bytes)
        }
        #expect(CanonicalBase64.decode("QQ".utf8) == nil)  // missing padding
        #expect(CanonicalBase64.decode("QR==".utf8) == nil)  // non-zero trailing bits
        #expect(CanonicalBase64.decode("QQ====".utf8) == nil)
        #expect(CanonicalBase64.decode("Q=Q=".utf8) == nil)
    }

    @Test("HMAC-SHA256 and SHA-256 match published test vectors (RFC 4231, FIPS 180-2)")
    func digests() {
        let key = [UInt8](repeating: 0x0B, count: 20)
        #expect(Digest.hex(Digest.hmacSHA256(key: key, message: Array("Hi There".utf8)))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Digest.hex(Digest.sha256(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.hex(Digest.sha256([UInt8]()))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Digest.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Digest.constantTimeEquals([1, 2, 3], [1, 2]))
    }
}
