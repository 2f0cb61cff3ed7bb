/// How a payout link reaches its end user (`distribution_method`).
public enum DistributionMethod: Sendable, Hashable, Codable {
    /// Runa e-mails the link.
    case email(emailAddress: String, templateId: String?)
    /// The company hands the link out itself.
    case payoutLink(templateId: String?)
    /// Payment-type products to a known recipient.
    case recipient(recipientReference: String, emailAddress: String, templateId: String?)
    /// A distribution type Runa added after this code was written, kept by name.
    case other(type: String)

    /// Runa's name for the variant (`EMAIL`, `PAYOUT_LINK`, `RECIPIENT`, …).
    public var type: String {
        switch self {
        case .email: return "EMAIL"
        case .payoutLink: return "PAYOUT_LINK"
        case .recipient: return "RECIPIENT"
        case .other(let type): return type
        }
    }

    /// The end user's e-mail address, when the variant has one. Never log it.
    public var emailAddress: String? {
        switch self {
        case .email(let address, _), .recipient(_, let address, _): return address
        case .payoutLink, .other: return nil
        }
    }

    private enum CodingKeys: String, CodingKey {
        case type, emailAddress = "email_address", templateId = "template_id", recipientReference = "recipient_reference"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeRequired(String.self, forKey: .type)
        let templateId = try c.decodeIfPresent(String.self, forKey: .templateId)
        switch type {
        case "EMAIL":
            self = .email(emailAddress: try c.decodeRequired(String.self, forKey: .emailAddress), templateId: templateId)
        case "PAYOUT_LINK":
            self = .payoutLink(templateId: templateId)
        case "RECIPIENT":
            self = .recipient(
                recipientReference: try c.decodeRequired(String.self, forKey: .recipientReference),
                emailAddress: try c.decodeRequired(String.self, forKey: .emailAddress),
                templateId: templateId)
        default:
            self = .other(type: type)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .email(let address, let templateId):
            try c.encode(address, forKey: .emailAddress)
            try c.encodeIfPresent(templateId, forKey: .templateId)
        case .payoutLink(let templateId):
            try c.encodeIfPresent(templateId, forKey: .templateId)
        case .recipient(let reference, let address, let templateId):
            try c.encode(reference, forKey: .recipientReference)
            try c.encode(address, forKey: .emailAddress)
            try c.encodeIfPresent(templateId, forKey: .templateId)
        case .other:
            break
        }
    }
}

/// Which products a payout link can be redeemed on (`products`).
public enum ProductSelection: Sendable, Hashable, Codable {
    /// One product code, optionally with prepaid-card usage rules.
    case single(value: String, usageConfig: UsageConfig?)
    /// The end user splits the value between these products.
    case multiple(values: [String])
    /// A payout selection template, with the products it resolved to when Runa reports them.
    case template(templateId: String, values: [String]?)
    /// Runa could not tell which products were ordered.
    case unknown
    /// A product type Runa added after this code was written, kept by name.
    case other(type: String)

    /// Runa's name for the variant (`SINGLE`, `MULTIPLE`, `TEMPLATE`, `UNKNOWN`, …).
    public var type: String {
        switch self {
        case .single: return "SINGLE"
        case .multiple: return "MULTIPLE"
        case .template: return "TEMPLATE"
        case .unknown: return "UNKNOWN"
        case .other(let type): return type
        }
    }

    /// The product codes named by the selection, in Runa's order.
    public var productCodes: [String] {
        switch self {
        case .single(let value, _): return [value]
        case .multiple(let values): return values
        case .template(_, let values): return values ?? []
        case .unknown, .other: return []
        }
    }

    private enum CodingKeys: String, CodingKey {
        case type, value, values, templateId = "template_id", usageConfig = "usage_config"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decodeRequired(String.self, forKey: .type)
        switch type {
        case "SINGLE":
            self = .single(
                value: try c.decodeRequired(String.self, forKey: .value),
                usageConfig: try c.decodeIfPresent(UsageConfig.self, forKey: .usageConfig))
        case "MULTIPLE":
            self = .multiple(values: try c.decodeRequired([String].self, forKey: .values))
        case "TEMPLATE":
            self = .template(
                templateId: try c.decodeRequired(String.self, forKey: .templateId),
                values: try c.decodeIfPresent([String].self, forKey: .values))
        case "UNKNOWN":
            self = .unknown
        default:
            self = .other(type: type)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .single(let value, let usageConfig):
            try c.encode(value, forKey: .value)
            try c.encodeIfPresent(usageConfig, forKey: .usageConfig)
        case .multiple(let values):
            try c.encode(values, forKey: .values)
        case .template(let templateId, let values):
            try c.encode(templateId, forKey: .templateId)
            try c.encodeIfPresent(values, forKey: .values)
        case .unknown, .other:
            break
        }
    }
}

/// Prepaid Visa card spend rules attached to a `SINGLE` product.
public struct UsageConfig: Sendable, Hashable, Codable {
    public var spendRulesTemplateId: String?

    public init(spendRulesTemplateId: String?) { self.spendRulesTemplateId = spendRulesTemplateId }

    private enum CodingKeys: String, CodingKey { case spendRulesTemplateId = "spend_rules_template_id" }
}
