import Foundation

/// The body of `POST /order` (the seed OpenAPI's `NewOrderDetails`).
public struct NewOrder: Sendable, Hashable, Encodable {
    /// One payout link to order.
    public struct Item: Sendable, Hashable, Encodable {
        public var faceValue: Money
        public var distributionMethod: DistributionMethod
        public var products: ProductSelection

        public init(faceValue: Money, distributionMethod: DistributionMethod, products: ProductSelection) {
            self.faceValue = faceValue
            self.distributionMethod = distributionMethod
            self.products = products
        }

        enum CodingKeys: String, CodingKey {
            case faceValue = "face_value", distributionMethod = "distribution_method", products
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            // The schema types face_value as a number; Decimal keeps it exact on the wire.
            try c.encode(Decimal(string: faceValue.description, locale: Locale(identifier: "en_US_POSIX")), forKey: .faceValue)
            try c.encode(distributionMethod, forKey: .distributionMethod)
            try c.encode(products, forKey: .products)
        }
    }

    public var currency: String
    public var items: [Item]
    public var description: String?
    public var metadata: [String: String]?

    public init(currency: String, items: [Item], description: String? = nil, metadata: [String: String]? = nil) {
        self.currency = currency
        self.items = items
        self.description = description
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey { case paymentMethod = "payment_method", items, description, metadata }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(["type": "ACCOUNT_BALANCE", "currency": currency], forKey: .paymentMethod)
        try c.encode(items, forKey: .items)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(metadata, forKey: .metadata)
    }
}
