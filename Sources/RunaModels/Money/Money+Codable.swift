import Foundation

extension Money: Codable {
    /// Decodes a decimal string, or a JSON number where an older Runa example shows one (`"face_value": 10`).
    ///
    /// Numbers are read through `Decimal`, never `Double`, so `0.03` stays exactly three hundredths.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let string = try? container.decode(String.self) {
            text = string
        } else if let number = try? container.decode(Decimal.self) {
            guard number.isFinite else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "amount is not finite")
            }
            text = number.description
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected an amount as a decimal string or number")
        }
        do {
            self = try Money(parsing: text)
        } catch {
            // The reason only: the rejected text is payload data and this message reaches logs.
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid amount: \(error.reason.rawValue)")
        }
    }

    /// Encodes the amount as the decimal string it was written as.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
