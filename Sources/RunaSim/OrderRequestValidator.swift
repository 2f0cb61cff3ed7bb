import Foundation
import RunaModels

/// A `POST /order` body that passed validation.
struct NewOrderRequest: Sendable, Equatable {
    struct Item: Sendable, Equatable {
        var faceValue: Money
        var distribution: DistributionMethod
        var products: ProductSelection
    }

    var paymentCurrency: String
    var items: [Item]
    var description: String?
    var metadata: [String: String]?
}

/// Validates `POST /order` bodies the way Runa's API does (the seed OpenAPI's `NewOrderDetails`), reporting every
/// problem as a pydantic-style `details[]` entry with its `location` path of strings.
enum OrderRequestValidator {
    typealias Problem = RunaErrorBody.ValidationErrorItem

    /// Every problem found in a request body.
    struct Failure: Error {
        var problems: [Problem]
    }

    static func validate(_ document: JSONValue) -> Result<NewOrderRequest, Failure> {
        var problems: [Problem] = []
        func problem(_ location: [String], _ type: String, _ message: String) {
            problems.append(Problem(type: type, message: message, location: location))
        }
        guard case .object(let body) = document else {
            problem(["body"], "type_error.dict", "value is not a valid dict")
            return .failure(Failure(problems: problems))
        }

        // payment_method
        var currency = ""
        switch body["payment_method"] {
        case nil, .null?:
            problem(["payment_method"], "value_error.missing", "field required")
        case .object(let method)?:
            switch method["type"] {
            case nil: problem(["payment_method", "type"], "value_error.missing", "field required")
            case .string("ACCOUNT_BALANCE")?: break
            default:
                problem(["payment_method", "type"], "type_error.enum",
                        "value is not a valid enumeration member; permitted: 'ACCOUNT_BALANCE'")
            }
            switch method["currency"] {
            case nil: problem(["payment_method", "currency"], "value_error.missing", "field required")
            case .string(let code)? where isCurrencyCode(code): currency = code
            case .string?: problem(["payment_method", "currency"], "value_error.str.regex", "string does not match regex \"^[A-Z]{3}$\"")
            default: problem(["payment_method", "currency"], "type_error.str", "str type expected")
            }
        default:
            problem(["payment_method"], "type_error.dict", "value is not a valid dict")
        }

        // items
        var items: [NewOrderRequest.Item] = []
        switch body["items"] {
        case nil, .null?:
            problem(["items"], "value_error.missing", "field required")
        case .array(let list)?:
            if list.isEmpty { problem(["items"], "value_error.list.min_items", "ensure this value has at least 1 items") }
            if list.count > 200 { problem(["items"], "value_error.list.max_items", "ensure this value has at most 200 items") }
            for (index, element) in list.enumerated() {
                if let item = validateItem(element, at: ["items", String(index)], report: problem) { items.append(item) }
            }
        default:
            problem(["items"], "type_error.list", "value is not a valid list")
        }

        // description
        var description: String?
        switch body["description"] {
        case nil, .null?: break
        case .string(let text)?:
            if text.count > 128 {
                problem(["description"], "value_error.any_str.max_length", "ensure this value has at most 128 characters")
            }
            description = text
        default: problem(["description"], "type_error.str", "str type expected")
        }

        // metadata
        var metadata: [String: String]?
        switch body["metadata"] {
        case nil, .null?: break
        case .object(let pairs)?:
            if pairs.count > 20 {
                problem(["metadata"], "value_error.dict.max_items", "ensure this value has at most 20 items")
            }
            var strings: [String: String] = [:]
            for (key, value) in pairs.sorted(by: { $0.key < $1.key }) {
                if key.count > 40 {
                    problem(["metadata", key], "value_error.any_str.max_length", "ensure this key has at most 40 characters")
                }
                guard case .string(let text) = value else {
                    problem(["metadata", key], "type_error.str", "str type expected")
                    continue
                }
                if text.count > 200 {
                    problem(["metadata", key], "value_error.any_str.max_length", "ensure this value has at most 200 characters")
                }
                strings[key] = text
            }
            metadata = strings
        default: problem(["metadata"], "type_error.dict", "value is not a valid dict")
        }

        guard problems.isEmpty else { return .failure(Failure(problems: problems)) }
        return .success(NewOrderRequest(paymentCurrency: currency, items: items, description: description, metadata: metadata))
    }

    private static func validateItem(
        _ element: JSONValue, at path: [String], report problem: ([String], String, String) -> Void
    ) -> NewOrderRequest.Item? {
        guard case .object(let item) = element else {
            problem(path, "type_error.dict", "value is not a valid dict")
            return nil
        }
        var valid = true
        func fail(_ location: [String], _ type: String, _ message: String) {
            valid = false
            problem(path + location, type, message)
        }

        var faceValue: Money?
        switch item["face_value"] {
        case nil, .null?: fail(["face_value"], "value_error.missing", "field required")
        case .number(let number)?: faceValue = amount(number.description, fail)
        case .string(let text)?: faceValue = amount(text, fail)  // pydantic coerces numeric strings
        default: fail(["face_value"], "type_error.float", "value is not a valid float")
        }

        var distribution: DistributionMethod?
        switch item["distribution_method"] {
        case nil, .null?: fail(["distribution_method"], "value_error.missing", "field required")
        case .object(let method)?:
            let templateId = method["template_id"]?.stringValue
            switch method["type"]?.stringValue {
            case "EMAIL":
                if let email = emailAddress(method["email_address"], at: ["distribution_method", "email_address"], fail) {
                    distribution = .email(emailAddress: email, templateId: templateId)
                }
            case "PAYOUT_LINK":
                distribution = .payoutLink(templateId: templateId)
            case "RECIPIENT":
                let email = emailAddress(method["email_address"], at: ["distribution_method", "email_address"], fail)
                var reference: String?
                switch method["recipient_reference"] {
                case nil, .null?: fail(["distribution_method", "recipient_reference"], "value_error.missing", "field required")
                case .string(let text)? where text.count <= 255 && !text.isEmpty
                    && text.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_@.".unicodeScalars.contains($0)) }):
                    reference = text
                case .string(let text)? where text.count > 255:
                    fail(["distribution_method", "recipient_reference"], "value_error.any_str.max_length", "ensure this value has at most 255 characters")
                default:
                    fail(["distribution_method", "recipient_reference"], "value_error.str.regex", "string does not match regex \"^[A-Za-z0-9-_@.]+$\"")
                }
                if let email, let reference {
                    distribution = .recipient(recipientReference: reference, emailAddress: email, templateId: templateId)
                }
            case nil:
                fail(["distribution_method", "type"], "value_error.missing", "field required")
            case let other?:
                fail(["distribution_method", "type"], "value_error.discriminated_union.invalid_discriminator",
                     "No match for discriminator 'type' and value '\(other)' (allowed values: 'EMAIL', 'PAYOUT_LINK', 'RECIPIENT')")
            }
        default: fail(["distribution_method"], "type_error.dict", "value is not a valid dict")
        }

        var products: ProductSelection?
        switch item["products"] {
        case nil, .null?: fail(["products"], "value_error.missing", "field required")
        case .object(let selection)?:
            switch selection["type"]?.stringValue {
            case "SINGLE":
                switch selection["value"] {
                case .string(let code)? where !code.isEmpty:
                    var usage: UsageConfig?
                    if case .object(let config)? = selection["usage_config"] {
                        let rule = config["spend_rules_template_id"]?.stringValue
                        if let rule, !isSpendRulesId(rule) {
                            fail(["products", "usage_config", "spend_rules_template_id"], "value_error.str.regex",
                                 "string does not match regex \"^PSR-[0-9A-HJKMNP-TV-Z]{26}$\"")
                        }
                        usage = UsageConfig(spendRulesTemplateId: rule)
                    }
                    products = .single(value: code, usageConfig: usage)
                case .string?: fail(["products", "value"], "value_error.any_str.min_length", "ensure this value has at least 1 characters")
                case nil, .null?: fail(["products", "value"], "value_error.missing", "field required")
                default: fail(["products", "value"], "type_error.str", "str type expected")
                }
            case "MULTIPLE":
                guard case .array(let values)? = selection["values"] else {
                    fail(["products", "values"], selection["values"] == nil ? "value_error.missing" : "type_error.list",
                         selection["values"] == nil ? "field required" : "value is not a valid list")
                    break
                }
                let codes = values.compactMap(\.stringValue)
                if codes.count != values.count {
                    fail(["products", "values"], "type_error.str", "str type expected")
                } else if codes.count < 2 {
                    fail(["products", "values"], "value_error.list.min_items", "ensure this value has at least 2 items")
                } else if Set(codes).count != codes.count {
                    fail(["products", "values"], "value_error.list.unique_items", "the list has duplicated items")
                } else if Set(codes.map { Catalog.currency(of: $0, default: "") }).count > 1 {
                    fail(["products", "values"], "value_error.products.currency", "all products must use the same currency")
                } else {
                    products = .multiple(values: codes)
                }
            case "TEMPLATE":
                if let template = selection["template_id"]?.stringValue, !template.isEmpty {
                    products = .template(templateId: template, values: nil)
                } else {
                    fail(["products", "template_id"], "value_error.missing", "field required")
                }
            case nil:
                fail(["products", "type"], "value_error.missing", "field required")
            case let other?:
                fail(["products", "type"], "value_error.discriminated_union.invalid_discriminator",
                     "No match for discriminator 'type' and value '\(other)' (allowed values: 'SINGLE', 'MULTIPLE', 'TEMPLATE')")
            }
        default: fail(["products"], "type_error.dict", "value is not a valid dict")
        }

        // MULTIPLE and TEMPLATE take whole face values only.
        if let faceValue, let products, products.type != "SINGLE", faceValue.micros % 1_000_000 != 0 {
            fail(["face_value"], "value_error.number.not_whole", "face value must be a whole number for MULTIPLE and TEMPLATE products")
        }
        guard valid, let faceValue, let distribution, let products else { return nil }
        return NewOrderRequest.Item(faceValue: faceValue, distribution: distribution, products: products)
    }

    private static func amount(_ text: String, _ fail: ([String], String, String) -> Void) -> Money? {
        guard let money = try? Money(parsing: text) else {
            fail(["face_value"], "type_error.float", "value is not a valid float")
            return nil
        }
        guard money.micros >= 10_000 else {
            fail(["face_value"], "value_error.number.not_ge", "ensure this value is greater than or equal to 0.01")
            return nil
        }
        return money
    }

    private static func emailAddress(
        _ value: JSONValue?, at location: [String], _ fail: ([String], String, String) -> Void
    ) -> String? {
        switch value {
        case nil, .null?:
            fail(location, "value_error.missing", "field required")
        case .string(let text)? where isEmail(text):
            return text
        case .string?:
            fail(location, "value_error.email", "value is not a valid email address")
        default:
            fail(location, "type_error.str", "str type expected")
        }
        return nil
    }

    /// A practical e-mail check: one `@`, a non-empty local part without spaces, a dotted domain.
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, text.count <= 254 else { return false }
        let allowedLocal = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+/=?^_`{|}~.-"))
        guard parts[0].unicodeScalars.allSatisfy({ allowedLocal.contains($0) }),
              !parts[0].hasPrefix("."), !parts[0].hasSuffix("."), !parts[0].contains("..")
        else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last, tld.count >= 2, tld.allSatisfy(\.isLetter) else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" }
        }
    }

    static func isCurrencyCode(_ text: String) -> Bool {
        text.utf8.count == 3 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    static func isSpendRulesId(_ text: String) -> Bool {
        let allowed = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        return text.hasPrefix("PSR-") && text.count == 30 && text.dropFirst(4).allSatisfy { allowed.contains($0) }
    }
}
