import Foundation
import Testing
@testable import Webhooks

/// Vectors produced by the official `svix` Python library (`scripts/svix_vectors.py`, regenerated in CI).
struct SvixVectors: Decodable {
    struct Case: Decodable, CustomTestStringConvertible {
        let category: String
        let name: String
        let secrets: [String]
        let headers: [String: String]
        let body_base64: String
        let svix: String

        var testDescription: String { "\(category): \(name)" }
    }

    let generator: String
    let now: Int64
    let cases: [Case]

    static let shared: SvixVectors = {
        guard let url = Bundle.module.url(forResource: "svix", withExtension: "json", subdirectory: "Vectors"),
              let data = try? Data(contentsOf: url),
              let vectors = try? JSONDecoder().decode(SvixVectors.self, from: data)
        else { fatalError("Vectors/svix.json is missing: run scripts/svix_vectors.py") }
        return vectors
    }()
}

@Suite("Agreement with the official svix library")
struct SvixReferenceTests {
    /// Where runa-ledger is deliberately stricter (or, for malformed entries, more forgiving) than the library,
    /// and the verdict it gives instead. Every other category must agree with svix exactly.
    static let strictChoices: [String: String] = [
        // svix reads the timestamp with float(): it takes "1800000000.0", " 1800000000", "1_800_000_000",
        // "+1800000000", "01800000000" and "1.8e9". runa-ledger takes plain decimal digits only.
        "strict_timestamp": "invalid",
        // svix's base64 decoder takes non-canonical spellings (non-zero trailing bits, extra padding).
        "strict_base64": "invalid",
        // svix aborts the whole check when any entry lacks exactly one comma; runa-ledger skips that entry.
        "strict_malformed_entry": "valid",
    ]

    func verdict(_ vector: SvixVectors.Case, now: Int64) throws -> String {
        let secrets = try vector.secrets.map { try WebhookSecret($0) }
        let lowercased = Dictionary(uniqueKeysWithValues: vector.headers.map { ($0.key.lowercased(), $0.value) })
        let headers = WebhookHeaders { lowercased[$0.lowercased()] }
        let body = try #require(Data(base64Encoded: vector.body_base64))
        switch SignatureVerifier(secrets: secrets).verify(headers: headers, body: body, now: now) {
        case .success: return "valid"
        case .failure: return "invalid"
        }
    }

    @Test("the vector file is large and covers every category")
    func coverage() {
        let vectors = SvixVectors.shared
        #expect(vectors.cases.count >= 500)
        let categories = Set(vectors.cases.map(\.category))
        for required in ["valid", "rotation", "tampered", "wrong_secret", "timestamp_window", "missing_header",
                         "bad_signature", "non_utf8"] {
            #expect(categories.contains(required), "no \(required) vectors")
        }
        #expect(vectors.generator.hasPrefix("svix "))
    }

    @Test("the verifier agrees with svix on every vector but the listed strict choices",
          arguments: SvixVectors.shared.cases)
    func agreesWithReference(_ vector: SvixVectors.Case) throws {
        let ours = try verdict(vector, now: SvixVectors.shared.now)
        if let strict = Self.strictChoices[vector.category] {
            #expect(ours == strict, "strict choice \(vector.category) not applied")
        } else {
            #expect(ours == vector.svix, "disagrees with svix (svix says \(vector.svix))")
        }
    }

    @Test("each strict choice really differs from svix somewhere, so the list holds nothing stale")
    func strictChoicesAreReal() throws {
        for (category, strict) in Self.strictChoices {
            let differing = SvixVectors.shared.cases.filter { $0.category == category && $0.svix != strict }
            #expect(!differing.isEmpty, "\(category) never differs from svix")
        }
    }
}
