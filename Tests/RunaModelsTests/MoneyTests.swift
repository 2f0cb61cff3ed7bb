import Foundation
import Testing
import TestSupport
import RunaModels

@Suite("Exact money")
struct MoneyTests {
    @Test("Runa's amounts parse exactly and render back to the same string", arguments: [
        ("10", Int64(10_000_000)), ("10.00", 10_000_000), ("1.0", 1_000_000), ("0.03", 30_000), ("0", 0),
        ("0.000001", 1), ("1999.99", 1_999_990_000), ("-5.5", -5_500_000), ("9223372036854.775807", Int64.max),
        ("-9223372036854.775807", -Int64.max),
    ])
    func roundTrip(text: String, micros: Int64) throws {
        let money = try Money(parsing: text)
        #expect(money.micros == micros)
        #expect(money.description == text)
    }

    @Test("malformed amounts are rejected with the reason", arguments: [
        ("", MoneyError.Reason.malformed), ("abc", .malformed), ("1e3", .exponent), ("1.5E-2", .exponent),
        ("NaN", .notFinite), ("Infinity", .notFinite), ("-inf", .notFinite), ("0.0000001", .tooManyFractionDigits),
        ("-0", .negativeZero), ("-0.00", .negativeZero), ("9223372036855", .overflow),
        ("9223372036854.775808", .overflow), ("010", .leadingZero), ("+1", .malformed), (" 1", .malformed),
        ("1 ", .malformed), ("1.", .malformed), (".5", .malformed), ("1,00", .malformed), ("0x10", .malformed),
        ("١٠", .malformed),
    ])
    func rejects(text: String, reason: MoneyError.Reason) {
        #expect(throws: MoneyError.self) { try Money(parsing: text) }
        do {
            _ = try Money(parsing: text)
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test("equal amounts compare equal whatever their spelling; sums are exact")
    func arithmetic() throws {
        #expect(try Money(parsing: "10") == Money(parsing: "10.00"))
        var total = Money(micros: 0, scale: 2)
        for _ in 0..<10 { total = try total.adding(Money(parsing: "0.10")) }
        #expect(total == (try Money(parsing: "1")))
        #expect(total.description == "1.00")
        #expect(Money.plainString(micros: 10_500_000) == "10.5")
        #expect(Money.plainString(micros: -1) == "-0.000001")
        #expect(Money.plainString(micros: 0) == "0")
        #expect(throws: MoneyError.self) { try Money(micros: .max).adding(Money(micros: 1)) }
    }

    @Test("JSON strings and, where examples show them, JSON numbers decode exactly", arguments: [
        (#"{"v":"0.03"}"#, "0.03"), (#"{"v":10}"#, "10"), (#"{"v":0.03}"#, "0.03"), (#"{"v":1999.99}"#, "1999.99"),
    ])
    func decodes(json: String, text: String) throws {
        struct Box: Decodable { let v: Money }
        #expect(try JSONDecoder().decode(Box.self, from: Data(json.utf8)).v.description == text)
    }

    @Test("JSON values that are not amounts fail to decode", arguments: [
        #"{"v":"1e3"}"#, #"{"v":true}"#, #"{"v":null}"#, #"{"v":0.0000001}"#, #"{"v":"NaN"}"#,
    ])
    func decodeFailures(json: String) {
        struct Box: Decodable { let v: Money }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Box.self, from: Data(json.utf8)) }
    }
}

@Suite("Timestamps")
struct TimestampTests {
    @Test("every RFC 3339 spelling Runa uses reads as the same instant", arguments: [
        ("2023-11-14T14:37:54.093824+00:00", "2023-11-14T14:37:54.093824Z"),
        ("2023-11-07T05:31:56Z", "2023-11-07T05:31:56.000000Z"),
        ("2025-01-01T12:00:00+00:00", "2025-01-01T12:00:00.000000Z"),
        ("2025-01-01T13:30:00+01:30", "2025-01-01T12:00:00.000000Z"),
        ("2024-02-29T23:59:59.5-01:00", "2024-03-01T00:59:59.500000Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000Z"),
        ("1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z"),
        ("2023-11-14T14:37:54.0938249999Z", "2023-11-14T14:37:54.093824Z"),
    ])
    func parses(text: String, canonical: String) throws {
        let time = try #require(Timestamp(rfc3339: text))
        #expect(time.canonical == canonical)
        #expect(Timestamp(rfc3339: canonical) == time)
    }

    @Test("malformed timestamps are rejected", arguments: [
        "", "2023-11-14", "2023-11-14T14:37:54", "2023-02-30T00:00:00Z", "2023-13-01T00:00:00Z",
        "2023-11-14T24:00:00Z", "2023-11-14T14:37:54.Z", "2023-11-14 14:37:54Z", "2023-11-14T14:37:54+0000",
        "2023-11-14T14:37:54Zjunk",
    ])
    func rejects(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test("canonical text sorts like the instants")
    func sortsAsText() throws {
        let times = ["2023-11-07T05:31:56Z", "2023-11-07T05:31:56.5Z", "2023-11-07T05:31:57Z", "2024-01-01T00:00:00+05:00"]
            .compactMap { Timestamp(rfc3339: $0) }
        #expect(times.sorted() == times.sorted { $0.canonical < $1.canonical })
    }
}

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test("the fast string quoting writes exactly what JSONEncoder writes", arguments: [
        "", "plain", "quote \" and backslash \\", "line\nbreak\r\ttab", "\u{08}\u{0C}\u{01}\u{1F}", "slash / ok",
        "Zoë ✓ 🎉", "\u{7F}\u{2028}",
    ])
    func quoteMatchesEncoder(text: String) {
        #expect(CanonicalJSON.quote(text) == CanonicalJSON.string(text))
    }
}

@Suite("Canonical JSON written directly")
struct DirectCanonicalJSONTests {
    /// A small deterministic generator (SplitMix64), so a failure names a reproducible case.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// Keys and strings whose order or escaping differ between naive rules: case, digits, accents, emoji, controls.
    static let texts = ["", "a", "B", "b", "_", "10", "9", "é", "e\u{301}", "Ä", "z", "🎉", "ß", "a b", "A",
                        "quote\"", "back\\slash", "line\nbreak", "\u{01}", "\u{7F}", "\u{2028}", "slash/", "type", "fx"]

    static func value(_ generator: inout Generator, depth: Int) -> JSONValue {
        switch generator.next(depth > 2 ? 4 : 7) {
        case 0: return .null
        case 1: return .bool(generator.next(2) == 0)
        case 2, 3: return .string(texts[generator.next(texts.count)] + texts[generator.next(texts.count)])
        case 4: return .number(Decimal(string: ["0", "1.5", "-2", "100000000000000000001", "0.000001"][generator.next(5)])!)
        case 5: return .array((0..<generator.next(4)).map { _ in value(&generator, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<generator.next(6) { members[texts[generator.next(texts.count)]] = value(&generator, depth: depth + 1) }
            return .object(members)
        }
    }

    /// Through `JSONEncoder`: in a generic context the concrete overloads do not apply.
    static func viaEncoder<Value: Encodable>(_ value: Value) -> String { CanonicalJSON.string(value) }

    @Test("a JSON value, a string map and a transaction detail are written exactly as JSONEncoder writes them")
    func matchesEncoder() {
        var generator = Generator(state: 2026_11_29)
        for _ in 0..<3_000 {
            let json = Self.value(&generator, depth: 0)
            #expect(CanonicalJSON.string(json) == Self.viaEncoder(json), "\(json)")
            var map: [String: String] = [:]
            for _ in 0..<generator.next(6) { map[Self.texts[generator.next(Self.texts.count)]] = Self.texts[generator.next(Self.texts.count)] }
            #expect(CanonicalJSON.string(map) == Self.viaEncoder(map), "\(map)")
            var detail: [String: TransactionDetailEntry] = [:]
            for _ in 0..<generator.next(4) {
                detail[["USD", "EUR", "GBP", "usd", "É"][generator.next(5)]] =
                    TransactionDetailEntry(value: try! Money(parsing: ["1", "10.50", "0.001", "-3.2"][generator.next(4)]))
            }
            #expect(CanonicalJSON.string(detail) == Self.viaEncoder(detail), "\(detail)")
        }
    }
}
