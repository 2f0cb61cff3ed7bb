import RunaModels

/// The simulator's stand-in for Runa's product catalogue: product currencies, template contents and FX rates.
enum Catalog {
    /// A product's currency from its country suffix (`AMZ-US` → USD), or `fallback` when unknown.
    static func currency(of code: String, default fallback: String) -> String {
        guard let suffix = code.split(separator: "-").last else { return fallback }
        switch suffix {
        case "US": return "USD"
        case "GB", "UK": return "GBP"
        case "DE", "FR", "ES", "IT", "NL", "IE", "EU": return "EUR"
        case "CA": return "CAD"
        case "AU": return "AUD"
        default: return fallback
        }
    }

    /// The products a payout selection template resolves to, in its currency.
    static func templateProducts(currency: String) -> [String] {
        switch currency {
        case "GBP": return ["AMZ-GB", "ASOS-GB", "TESCO-GB"]
        case "EUR": return ["AMZ-DE", "ZALANDO-DE", "IKEA-DE"]
        default: return ["AMZ-US", "AIRBNB-US", "TARGET-US"]
        }
    }

    /// Micro-units of `to` per unit of `from` (the rate's decimal string is `rateText`).
    static func rate(from: String, to: String) -> (micros: Int64, text: String)? {
        let usdPer: [String: Int64] = ["USD": 1_000_000, "GBP": 1_250_000, "EUR": 1_080_000, "CAD": 730_000, "AUD": 650_000]
        guard from != to, let fromUSD = usdPer[from], let toUSD = usdPer[to] else { return nil }
        let micros = (fromUSD * 1_000_000 + toUSD / 2) / toUSD
        return (micros, Money(micros: micros, scale: 6).plainString)
    }

    /// `amount` (in `from`) converted at `rateMicros`, rounded half-up to cents.
    static func convert(_ amount: Money, rateMicros: Int64) -> Money {
        let exact = (Int128(amount.micros) * Int128(rateMicros)) / 1_000_000
        let cents = (exact + 5_000) / 10_000
        return Money(micros: Int64(cents * 10_000), scale: 2)
    }
}
