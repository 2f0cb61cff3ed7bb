/// Parses the durations of the configuration: `90s`, `10m`, `1h`, `1d` or plain seconds.
enum DurationText {
    /// Seconds in `text`, or `nil` when it is not a duration.
    static func seconds(_ text: String) -> Int64? {
        guard let last = text.last else { return nil }
        let multiplier: Int64
        var digits = Substring(text)
        switch last {
        case "s": multiplier = 1; digits = digits.dropLast()
        case "m": multiplier = 60; digits = digits.dropLast()
        case "h": multiplier = 3_600; digits = digits.dropLast()
        case "d": multiplier = 86_400; digits = digits.dropLast()
        default: multiplier = 1
        }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              let value = Int64(digits)
        else { return nil }
        return value * multiplier
    }
}
