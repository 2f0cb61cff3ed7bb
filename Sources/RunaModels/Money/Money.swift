/// An exact decimal amount of money as Runa sends it (`"10"`, `"10.00"`, `"1.0"`, `"0.03"`).
///
/// The value is held as integer micro-units (value × 10⁶), so sums are exact integer additions, and the number
/// of fraction digits as written, so an amount renders back to the very string it was parsed from.
/// Binary floating point is never involved.
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The amount in millionths of the currency unit.
    public let micros: Int64
    /// How many fraction digits the amount was written with (0…6).
    public let scale: Int
    /// The amount written with exactly ``scale`` fraction digits: the string it was parsed from.
    public let description: String

    /// The largest number of fraction digits accepted: micro-units are exact to six places.
    public static let maximumScale = 6
    static let microsPerUnit: Int64 = 1_000_000

    /// Creates an amount from micro-units, rendered with `scale` fraction digits.
    ///
    /// A `scale` that would hide non-zero digits is widened to the smallest one that shows them all.
    public init(micros: Int64, scale: Int = 6) {
        self.micros = micros
        self.scale = max(min(max(scale, 0), Self.maximumScale), Self.minimumScale(of: micros))
        self.description = Self.render(micros: micros, fractionDigits: self.scale)
    }

    /// Parses a plain decimal string: an optional `-`, digits without leading zeros, and up to six fraction digits.
    ///
    /// Exponents, `+`, surrounding spaces, `NaN`/`Infinity`, negative zero, more than six fraction digits and
    /// amounts beyond ±9,223,372,036,854.775807 are rejected with a ``MoneyError`` that says which.
    public init(parsing text: some StringProtocol) throws(MoneyError) {
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let integerStart = index
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        let integerDigits = bytes[integerStart..<index]
        var fractionDigits: ArraySlice<UInt8> = []
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
            fractionDigits = bytes[fractionStart..<index]
            if fractionDigits.isEmpty { throw MoneyError(.malformed, text) }
        }
        guard index == bytes.count else {
            let rest = bytes[index...]
            if rest.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }), !integerDigits.isEmpty {
                throw MoneyError(.exponent, text)
            }
            let lowered = String(decoding: bytes, as: UTF8.self).lowercased()
            if lowered.contains("nan") || lowered.contains("inf") { throw MoneyError(.notFinite, text) }
            throw MoneyError(.malformed, text)
        }
        guard !integerDigits.isEmpty else { throw MoneyError(.malformed, text) }
        if integerDigits.count > 1, integerDigits.first == UInt8(ascii: "0") { throw MoneyError(.leadingZero, text) }
        guard fractionDigits.count <= Self.maximumScale else { throw MoneyError(.tooManyFractionDigits, text) }

        var magnitude: Int64 = 0
        for digit in integerDigits {
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = shifted.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw MoneyError(.overflow, text) }
            magnitude = added
        }
        var fraction: Int64 = 0
        for position in 0..<Self.maximumScale {
            let digit = position < fractionDigits.count
                ? Int64(fractionDigits[fractionDigits.startIndex + position] - UInt8(ascii: "0")) : 0
            fraction = fraction * 10 + digit
        }
        let (scaled, overflow3) = magnitude.multipliedReportingOverflow(by: Self.microsPerUnit)
        let (total, overflow4) = scaled.addingReportingOverflow(fraction)
        guard !overflow3, !overflow4 else { throw MoneyError(.overflow, text) }
        if negative, total == 0 { throw MoneyError(.negativeZero, text) }
        self.micros = negative ? -total : total
        self.scale = fractionDigits.count
        self.description = String(text)
    }

    /// The amount with trailing fraction zeros removed (`"10.50"` → `"10.5"`, `"10.00"` → `"10"`).
    public var plainString: String { Self.render(micros: micros, fractionDigits: Self.minimumScale(of: micros)) }

    /// Renders a sum of micro-units as a plain decimal string without trailing fraction zeros.
    public static func plainString(micros: Int64) -> String {
        render(micros: micros, fractionDigits: minimumScale(of: micros))
    }

    public static func == (lhs: Money, rhs: Money) -> Bool { lhs.micros == rhs.micros }
    public func hash(into hasher: inout Hasher) { hasher.combine(micros) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.micros < rhs.micros }

    /// Adds two amounts exactly, or reports overflow.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        let (sum, overflow) = micros.addingReportingOverflow(other.micros)
        guard !overflow else { throw MoneyError(.overflow, "\(self) + \(other)") }
        return Money(micros: sum, scale: max(scale, other.scale))
    }

    static func minimumScale(of micros: Int64) -> Int {
        var remainder = (micros % microsPerUnit).magnitude
        guard remainder != 0 else { return 0 }
        var digits = maximumScale
        while remainder % 10 == 0 {
            remainder /= 10
            digits -= 1
        }
        return digits
    }

    static func render(micros: Int64, fractionDigits: Int) -> String {
        let magnitude = micros.magnitude
        let whole = magnitude / UInt64(microsPerUnit)
        var text = micros < 0 ? "-" : ""
        text += String(whole)
        if fractionDigits > 0 {
            let fraction = String(magnitude % UInt64(microsPerUnit))
            let padded = String(repeating: "0", count: maximumScale - fraction.count) + fraction
            text += "." + padded.prefix(fractionDigits)
        }
        return text
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

/// Why a string is not an exact amount of money.
public struct MoneyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of malformed amounts.
    public enum Reason: String, Sendable {
        case malformed = "not a plain decimal number"
        case exponent = "exponents are not accepted"
        case notFinite = "NaN and Infinity are not amounts"
        case leadingZero = "leading zeros are not accepted"
        case tooManyFractionDigits = "more than 6 fraction digits"
        case negativeZero = "negative zero"
        case overflow = "too large"
    }

    public let reason: Reason
    /// The rejected input, shortened to 40 characters.
    public let input: String

    init(_ reason: Reason, _ input: some StringProtocol) {
        self.reason = reason
        self.input = String(input.prefix(40))
    }

    public var description: String { "invalid amount \"\(input)\": \(reason.rawValue)" }
}
