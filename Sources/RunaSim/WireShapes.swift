import Foundation
import RunaModels

/// The bodies the simulator sends, one type per schema of Runa's OpenAPI for 2024-02-05
/// (`shared/runa/openapi.json`). Each writes exactly the properties its schema defines — nothing the ledger might
/// like to have and Runa does not send — so a test that passes against the simulator says something about Runa.
///
/// `RunaSimContractTests` validates every answer and webhook body against the published schemas, refusing any
/// property a schema does not define.
enum Wire {
    /// `CompletedOrderWithBasicDetails`: a finished order in a `GET /order` page, and (with `status: COMPLETED`)
    /// the `CompletedOrderWebhook` body. No items, no metadata, no transaction details.
    struct BasicOrder: Encodable {
        var id: String
        var status: OrderStatus
        var createdAt: Timestamp
        var completedAt: Timestamp?
        /// Nullable: `null` when the order was placed without one.
        var description: String?
        var paymentCurrency: String
        var currency: String
        var totalPrice: Money
        var totalDiscount: Money

        enum Keys: String, CodingKey {
            case id, status, createdAt = "created_at", completedAt = "completed_at", description
            case paymentMethod = "payment_method", currency, totalPrice = "total_price", totalDiscount = "total_discount"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(id, forKey: .id)
            try c.encode(status, forKey: .status)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encodeIfPresent(completedAt, forKey: .completedAt)
            try c.encode(description, forKey: .description)
            try c.encode(AccountPayment(currency: paymentCurrency), forKey: .paymentMethod)
            try c.encode(currency, forKey: .currency)
            try c.encode(totalPrice, forKey: .totalPrice)
            try c.encode(totalDiscount, forKey: .totalDiscount)
        }
    }

    /// `AccountPayment`: `{type: ACCOUNT_BALANCE, currency}`.
    struct AccountPayment: Encodable {
        let type = "ACCOUNT_BALANCE"
        var currency: String
    }

    /// `CompletedOrderWithFullDetails`: `GET /order/{id}` of a finished order, and the sync `200` answer
    /// (`SyncCompletedOrder`). The basic fields plus `items`, `transaction_detail` and `metadata`.
    struct FullOrder: Encodable {
        var basic: BasicOrder
        var items: [Item]
        /// Left out when the order has none (a failed order).
        var transactionDetail: [String: TransactionDetailEntry]?
        /// Nullable: `null` when the order was placed without it.
        var metadata: [String: String]?

        enum Keys: String, CodingKey { case items, transactionDetail = "transaction_detail", metadata }

        func encode(to encoder: any Encoder) throws {
            try basic.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(items, forKey: .items)
            try c.encodeIfPresent(transactionDetail, forKey: .transactionDetail)
            try c.encode(metadata, forKey: .metadata)
        }
    }

    /// `CompletedOrderItem`: one payout link. Its `payout` is required by the schema.
    struct Item: Encodable {
        var id: String
        var distributionMethod: DistributionMethod
        var products: ProductSelection
        var faceValue: Money
        var price: Money
        var currency: String
        var payout: PayoutDetails

        enum CodingKeys: String, CodingKey {
            case id, distributionMethod = "distribution_method", products, faceValue = "face_value", price, currency, payout
        }
    }

    /// `PayoutDetails`. `expiry_date` is a date-time in the schema; when links do not expire the simulator leaves
    /// it out rather than send the `null` the prose mentions (the ledger takes either).
    struct PayoutDetails: Encodable {
        var status: PayoutStatus
        var statusUpdatedAt: Timestamp
        var url: String
        var expiryDate: Timestamp?

        enum CodingKeys: String, CodingKey {
            case status, statusUpdatedAt = "status_updated_at", url, expiryDate = "expiry_date"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(status, forKey: .status)
            try c.encode(statusUpdatedAt, forKey: .statusUpdatedAt)
            try c.encode(url, forKey: .url)
            try c.encodeIfPresent(expiryDate, forKey: .expiryDate)
        }
    }

    /// `TransactionDetailEntry`: `fx` is present only when the payout currency differs from the payment currency.
    struct TransactionDetailEntry: Encodable {
        var value: Money
        var fx: FXDetails?

        enum CodingKeys: String, CodingKey { case value, fx }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(value, forKey: .value)
            try c.encodeIfPresent(fx, forKey: .fx)
        }
    }

    /// `TransactionDetailFXDetails`.
    struct FXDetails: Encodable {
        var rate: String
        var rateSymbol: String
        var fee: Fee

        struct Fee: Encodable {
            var value: Money
            var currency: String
        }

        enum CodingKeys: String, CodingKey { case rate, rateSymbol = "rate_symbol", fee }
    }

    /// `IncompleteOrder`: an order accepted but not finished — only `{id, status, message}`.
    struct IncompleteOrder: Encodable {
        var id: String
        var status: OrderStatus
        var message: String
    }

    /// `FailedOrderWebhook`: `{id, status: FAILED}` and nothing else.
    struct FailedOrderWebhook: Encodable {
        var id: String
        let status = OrderStatus.failed
    }

    /// `AsyncAcceptedOrder`: the `202` answer, `{id, status}`.
    struct AcceptedOrder: Encodable {
        var id: String
        var status: OrderStatus
    }

    /// A `GET /order` answer: `{items, pagination: {cursors: {after?, before?}, page: {limit}}}`.
    struct ListPage: Encodable {
        var items: [ListItem]
        var pagination: Pagination

        struct Pagination: Encodable {
            var cursors: Cursors
            var page: Page
        }

        /// `PageCursors`: each is left out when the page is empty.
        struct Cursors: Encodable {
            var after: String?
            var before: String?
        }

        struct Page: Encodable {
            var limit: Int
        }
    }

    /// One `GET /order` item: `CompletedOrderWithBasicDetails` or `IncompleteOrder`.
    enum ListItem: Encodable {
        case finished(BasicOrder)
        case incomplete(IncompleteOrder)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .finished(let order): try order.encode(to: encoder)
            case .incomplete(let order): try order.encode(to: encoder)
            }
        }
    }

    /// One answer of `GET /order/{id}`: `CompletedOrderWithFullDetails` or `IncompleteOrder`.
    enum OrderDetail: Encodable {
        case full(FullOrder)
        case incomplete(IncompleteOrder)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .full(let order): try order.encode(to: encoder)
            case .incomplete(let order): try order.encode(to: encoder)
            }
        }
    }

    /// The `order.completion` body: `CompletedOrderWebhook` or `FailedOrderWebhook`.
    enum CompletionWebhook: Encodable {
        case completed(BasicOrder)
        case failed(FailedOrderWebhook)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .completed(let order): try order.encode(to: encoder)
            case .failed(let order): try order.encode(to: encoder)
            }
        }
    }

    /// `ProductUpdateWebhook`: the `product.update` body, for an endpoint subscribed to that event type.
    struct ProductUpdateWebhook: Encodable {
        var productCode: String
        var oldState: ProductState
        var newState: ProductState
        var timestamp: Timestamp

        /// `ProductUpdateState`: `price_multiplier` and `is_orderable` are required, `denominations` optional.
        struct ProductState: Encodable {
            var priceMultiplier: String
            var isOrderable: Bool

            enum CodingKeys: String, CodingKey { case priceMultiplier = "price_multiplier", isOrderable = "is_orderable" }
        }

        enum CodingKeys: String, CodingKey {
            case productCode = "product_code", oldState = "old_state", newState = "new_state", timestamp
        }
    }
}
