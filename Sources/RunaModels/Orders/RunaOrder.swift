import Foundation

/// A Runa order as one payload described it: a webhook body, a `GET /order/{id}` answer or a list summary.
///
/// Fields a payload may leave out are optional (or ``Reported`` where `null` and absence differ), so that a
/// partial payload — a `FAILED` webhook, a list summary — is told apart from one that clears a field.
/// Unknown fields are ignored; a `COMPLETED` order must carry the basic details Runa guarantees.
public struct RunaOrder: Sendable, Hashable, Codable {
    public var id: String
    public var status: OrderStatus
    public var createdAt: Timestamp?
    public var completedAt: Timestamp?
    public var description: Reported<String>
    /// `{type, currency?}` and whatever else Runa puts there (older payloads: `card_payment_fee`).
    public var paymentMethod: JSONValue?
    public var currency: String?
    public var totalPrice: Money?
    public var totalDiscount: Money?
    /// `nil` when the payload carried no item details (webhooks, list summaries, processing orders).
    public var items: [OrderItem]?
    public var transactionDetail: [String: TransactionDetailEntry]?
    public var metadata: Reported<[String: String]>
    public var executionMode: String?

    public init(
        id: String, status: OrderStatus, createdAt: Timestamp? = nil, completedAt: Timestamp? = nil,
        description: Reported<String> = .absent, paymentMethod: JSONValue? = nil, currency: String? = nil,
        totalPrice: Money? = nil, totalDiscount: Money? = nil, items: [OrderItem]? = nil,
        transactionDetail: [String: TransactionDetailEntry]? = nil, metadata: Reported<[String: String]> = .absent,
        executionMode: String? = nil
    ) {
        self.id = id
        self.status = status
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.description = description
        self.paymentMethod = paymentMethod
        self.currency = currency
        self.totalPrice = totalPrice
        self.totalDiscount = totalDiscount
        self.items = items
        self.transactionDetail = transactionDetail
        self.metadata = metadata
        self.executionMode = executionMode
    }

    enum CodingKeys: String, CodingKey {
        case id, status, createdAt = "created_at", completedAt = "completed_at", description
        case paymentMethod = "payment_method", currency, totalPrice = "total_price"
        case totalDiscount = "total_discount", items, transactionDetail = "transaction_detail", metadata
        case executionMode = "execution_mode"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeRequired(String.self, forKey: .id)
        guard !id.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .id, in: c, debugDescription: "empty order id")
        }
        status = try c.decodeRequired(OrderStatus.self, forKey: .status)
        let basicDetailsRequired = status == .completed
        func field<T: Decodable>(_ type: T.Type, _ key: CodingKeys, required: Bool) throws -> T? {
            if required { return try c.decodeRequired(type, forKey: key) }
            return try c.decodeIfPresent(type, forKey: key)
        }
        createdAt = try field(Timestamp.self, .createdAt, required: basicDetailsRequired)
        completedAt = try c.decodeIfPresent(Timestamp.self, forKey: .completedAt)
        description = try c.decodeReported(String.self, forKey: .description)
        paymentMethod = try field(JSONValue.self, .paymentMethod, required: basicDetailsRequired)
        if let paymentMethod, paymentMethod.objectValue?["type"]?.stringValue == nil {
            throw DecodingError.dataCorruptedError(
                forKey: .paymentMethod, in: c, debugDescription: "expected an object with a string \"type\"")
        }
        currency = try field(String.self, .currency, required: basicDetailsRequired)
        totalPrice = try field(Money.self, .totalPrice, required: basicDetailsRequired)
        totalDiscount = try field(Money.self, .totalDiscount, required: basicDetailsRequired)
        if c.contains(.items), try !c.decodeNil(forKey: .items) {
            var list = try c.nestedUnkeyedContainer(forKey: .items)
            var items: [OrderItem] = []
            while !list.isAtEnd {
                let item = try list.decode(OrderItem.self)
                if status == .completed, item.payout == nil {
                    throw DecodingError.keyNotFound(
                        OrderItem.CodingKeys.payout,
                        .init(codingPath: list.codingPath + [IndexKey(items.count)],
                              debugDescription: "a completed order's item has a payout"))
                }
                items.append(item)
            }
            self.items = items
        } else {
            items = nil
        }
        transactionDetail = try c.decodeIfPresent([String: TransactionDetailEntry].self, forKey: .transactionDetail)
        metadata = try c.decodeReported([String: String].self, forKey: .metadata)
        executionMode = try c.decodeIfPresent(String.self, forKey: .executionMode)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(createdAt, forKey: .createdAt)
        try c.encodeIfPresent(completedAt, forKey: .completedAt)
        try c.encodeReported(description, forKey: .description)
        try c.encodeIfPresent(paymentMethod, forKey: .paymentMethod)
        try c.encodeIfPresent(currency, forKey: .currency)
        try c.encodeIfPresent(totalPrice, forKey: .totalPrice)
        try c.encodeIfPresent(totalDiscount, forKey: .totalDiscount)
        try c.encodeIfPresent(items, forKey: .items)
        try c.encodeIfPresent(transactionDetail, forKey: .transactionDetail)
        try c.encodeReported(metadata, forKey: .metadata)
        try c.encodeIfPresent(executionMode, forKey: .executionMode)
    }

    /// Decodes one order from JSON bytes, or says where and why it cannot.
    public static func decode(from data: Data) throws(PayloadError) -> RunaOrder {
        try RunaJSON.decode(RunaOrder.self, from: data)
    }
}

/// One payout link within an order.
public struct OrderItem: Sendable, Hashable, Codable {
    public var id: String
    public var distributionMethod: DistributionMethod
    public var products: ProductSelection
    public var faceValue: Money
    public var price: Money
    public var currency: String?
    public var redemptionURL: String?
    /// Required on completed orders; a failed order's item may have none.
    public var payout: Payout?

    public init(
        id: String, distributionMethod: DistributionMethod, products: ProductSelection, faceValue: Money,
        price: Money, currency: String?, redemptionURL: String? = nil, payout: Payout?
    ) {
        self.id = id
        self.distributionMethod = distributionMethod
        self.products = products
        self.faceValue = faceValue
        self.price = price
        self.currency = currency
        self.redemptionURL = redemptionURL
        self.payout = payout
    }

    enum CodingKeys: String, CodingKey {
        case id, distributionMethod = "distribution_method", products, faceValue = "face_value", price
        case currency, redemptionURL = "redemption_url", payout
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeRequired(String.self, forKey: .id)
        distributionMethod = try c.decodeRequired(DistributionMethod.self, forKey: .distributionMethod)
        products = try c.decodeRequired(ProductSelection.self, forKey: .products)
        faceValue = try c.decodeRequired(Money.self, forKey: .faceValue)
        price = try c.decodeRequired(Money.self, forKey: .price)
        currency = try c.decodeIfPresent(String.self, forKey: .currency)
        redemptionURL = try c.decodeIfPresent(String.self, forKey: .redemptionURL)
        payout = try c.decodeIfPresent(Payout.self, forKey: .payout)
    }
}

/// The payout link of one item and its state.
public struct Payout: Sendable, Hashable, Codable {
    public var status: PayoutStatus
    public var statusUpdatedAt: Timestamp
    public var url: String
    /// `nil` when links do not expire on the account.
    public var expiryDate: Timestamp?

    public init(status: PayoutStatus, statusUpdatedAt: Timestamp, url: String, expiryDate: Timestamp? = nil) {
        self.status = status
        self.statusUpdatedAt = statusUpdatedAt
        self.url = url
        self.expiryDate = expiryDate
    }

    enum CodingKeys: String, CodingKey {
        case status, statusUpdatedAt = "status_updated_at", url, expiryDate = "expiry_date"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decodeRequired(PayoutStatus.self, forKey: .status)
        statusUpdatedAt = try c.decodeRequired(Timestamp.self, forKey: .statusUpdatedAt)
        url = try c.decodeRequired(String.self, forKey: .url)
        expiryDate = try c.decodeIfPresent(Timestamp.self, forKey: .expiryDate)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(statusUpdatedAt, forKey: .statusUpdatedAt)
        try c.encode(url, forKey: .url)
        try c.encode(expiryDate, forKey: .expiryDate)
    }
}

/// The subtotal paid in one payout currency, with the FX conversion when the payment currency differs.
public struct TransactionDetailEntry: Sendable, Hashable, Codable {
    public var value: Money
    public var fx: FXDetails?

    public init(value: Money, fx: FXDetails? = nil) {
        self.value = value
        self.fx = fx
    }

    enum CodingKeys: String, CodingKey { case value, fx }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = try c.decodeRequired(Money.self, forKey: .value)
        fx = try c.decodeIfPresent(FXDetails.self, forKey: .fx)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(value, forKey: .value)
        try c.encode(fx, forKey: .fx)
    }
}

/// FX details of a transaction subtotal. The rate is kept as Runa's decimal string: it is not money.
public struct FXDetails: Sendable, Hashable, Codable {
    public var rate: String
    public var rateSymbol: String
    public var fee: Fee

    /// The fee charged for the conversion.
    public struct Fee: Sendable, Hashable, Codable {
        public var value: Money
        public var currency: String

        public init(value: Money, currency: String) {
            self.value = value
            self.currency = currency
        }

        enum CodingKeys: String, CodingKey { case value, currency }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            value = try c.decodeRequired(Money.self, forKey: .value)
            currency = try c.decodeRequired(String.self, forKey: .currency)
        }
    }

    public init(rate: String, rateSymbol: String, fee: Fee) {
        self.rate = rate
        self.rateSymbol = rateSymbol
        self.fee = fee
    }

    enum CodingKeys: String, CodingKey { case rate, rateSymbol = "rate_symbol", fee }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Accept the rate as a string (documented) or a number; keep its digits either way.
        if let text = try? c.decode(String.self, forKey: .rate) {
            rate = text
        } else {
            rate = try c.decodeRequired(Decimal.self, forKey: .rate).description
        }
        rateSymbol = try c.decodeRequired(String.self, forKey: .rateSymbol)
        fee = try c.decodeRequired(Fee.self, forKey: .fee)
    }
}

/// A coding key for an array position, used to build error paths.
struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) {
        intValue = index
        stringValue = String(index)
    }
    init?(intValue: Int) { self.init(intValue) }
    init?(stringValue: String) { nil }
}
