/// A small, fast, seedable generator (SplitMix64), so a simulator run can be replayed exactly from its seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `true` with probability `p` (0…1).
    public mutating func chance(_ p: Double) -> Bool {
        p > 0 && Double(next() >> 11) / Double(1 << 53) < p
    }

    /// A uniform value in `range`.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + Double(next() >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
    }
}

/// Runa-style identifiers: a prefix and a ULID (`O-01H5WQGHKCBB85MQFM68S9KJ5Q`), which sorts by creation time.
struct ULIDFactory: Sendable {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private var lastMilliseconds: UInt64 = 0
    private var lastRandom: (UInt16, UInt64) = (0, 0)

    /// A new identifier; within one millisecond the random part increases, so ids stay strictly ordered.
    mutating func make(prefix: String, milliseconds: UInt64, random: inout SeededRandom) -> String {
        var high: UInt16
        var low: UInt64
        if milliseconds <= lastMilliseconds {
            (high, low) = lastRandom
            low &+= 1
            if low == 0 { high &+= 1 }
        } else {
            lastMilliseconds = milliseconds
            high = UInt16(truncatingIfNeeded: random.next())
            low = random.next()
        }
        lastRandom = (high, low)
        let time = max(milliseconds, lastMilliseconds)
        var chars = [UInt8](repeating: 0, count: 26)
        var value = time
        for index in stride(from: 9, through: 0, by: -1) {
            chars[index] = Self.alphabet[Int(value & 31)]
            value >>= 5
        }
        // 80 random bits: 16 high, 64 low, as 16 base-32 digits.
        var bits = (UInt128(high) << 64) | UInt128(low)
        for index in stride(from: 25, through: 10, by: -1) {
            chars[index] = Self.alphabet[Int(bits & 31)]
            bits >>= 5
        }
        return prefix + String(decoding: chars, as: UTF8.self)
    }
}
