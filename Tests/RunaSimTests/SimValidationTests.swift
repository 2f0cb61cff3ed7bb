import Foundation
import RunaModels
@testable import RunaSim
import Testing
import TestSupport

/// One validation rule of the seed OpenAPI: a change to a valid body, and the 422 `details[]` entry it must cause.
struct Rule: Sendable, CustomTestStringConvertible {
    var name: String
    var change: @Sendable (inout [String: Any]) -> Void
    var location: [String]
    var type: String

    var testDescription: String { name }
}

@Suite("POST /order validation: Runa's 422 shape with the right location")
struct SimValidationTests {
    static func item(_ changes: (inout [String: Any]) -> Void = { _ in }) -> [String: Any] {
        var item: [String: Any] = [
            "face_value": 10,
            "distribution_method": ["type": "EMAIL", "email_address": "fred@example.com"],
            "products": ["type": "SINGLE", "value": "AMZ-US"],
        ]
        changes(&item)
        return item
    }

    static let rules: [Rule] = [
        Rule(name: "payment_method missing", change: { $0["payment_method"] = nil }, location: ["payment_method"], type: "value_error.missing"),
        Rule(name: "payment_method type other than ACCOUNT_BALANCE", change: { $0["payment_method"] = ["type": "CARD", "currency": "USD"] },
             location: ["payment_method", "type"], type: "type_error.enum"),
        Rule(name: "currency not three capitals", change: { $0["payment_method"] = ["type": "ACCOUNT_BALANCE", "currency": "usd"] },
             location: ["payment_method", "currency"], type: "value_error.str.regex"),
        Rule(name: "currency missing", change: { $0["payment_method"] = ["type": "ACCOUNT_BALANCE"] },
             location: ["payment_method", "currency"], type: "value_error.missing"),
        Rule(name: "items missing", change: { $0["items"] = nil }, location: ["items"], type: "value_error.missing"),
        Rule(name: "no items", change: { $0["items"] = [Any]() }, location: ["items"], type: "value_error.list.min_items"),
        Rule(name: "201 items", change: { $0["items"] = Array(repeating: item(), count: 201) }, location: ["items"], type: "value_error.list.max_items"),
        Rule(name: "face_value below 0.01", change: { $0["items"] = [item { $0["face_value"] = 0.009 }] },
             location: ["items", "0", "face_value"], type: "value_error.number.not_ge"),
        Rule(name: "face_value negative", change: { $0["items"] = [item(), item { $0["face_value"] = -5 }] },
             location: ["items", "1", "face_value"], type: "value_error.number.not_ge"),
        Rule(name: "face_value not a number", change: { $0["items"] = [item { $0["face_value"] = "ten" }] },
             location: ["items", "0", "face_value"], type: "type_error.float"),
        Rule(name: "face_value missing", change: { $0["items"] = [item { $0["face_value"] = nil }] },
             location: ["items", "0", "face_value"], type: "value_error.missing"),
        Rule(name: "face_value fractional for MULTIPLE", change: {
            $0["items"] = [item { $0["face_value"] = 10.5; $0["products"] = ["type": "MULTIPLE", "values": ["AMZ-US", "AIRBNB-US"]] }]
        }, location: ["items", "0", "face_value"], type: "value_error.number.not_whole"),
        Rule(name: "description over 128", change: { $0["description"] = String(repeating: "d", count: 129) },
             location: ["description"], type: "value_error.any_str.max_length"),
        Rule(name: "metadata over 20 pairs", change: { $0["metadata"] = Dictionary(uniqueKeysWithValues: (0..<21).map { ("k\($0)", "v") }) },
             location: ["metadata"], type: "value_error.dict.max_items"),
        Rule(name: "metadata key over 40", change: { $0["metadata"] = [String(repeating: "k", count: 41): "v"] },
             location: ["metadata", String(repeating: "k", count: 41)], type: "value_error.any_str.max_length"),
        Rule(name: "metadata value over 200", change: { $0["metadata"] = ["k": String(repeating: "v", count: 201)] },
             location: ["metadata", "k"], type: "value_error.any_str.max_length"),
        Rule(name: "metadata value not a string", change: { $0["metadata"] = ["k": 5] }, location: ["metadata", "k"], type: "type_error.str"),
        Rule(name: "e-mail malformed", change: {
            $0["items"] = [item { $0["distribution_method"] = ["type": "EMAIL", "email_address": "fred@"] }]
        }, location: ["items", "0", "distribution_method", "email_address"], type: "value_error.email"),
        Rule(name: "e-mail missing for EMAIL", change: { $0["items"] = [item { $0["distribution_method"] = ["type": "EMAIL"] }] },
             location: ["items", "0", "distribution_method", "email_address"], type: "value_error.missing"),
        Rule(name: "unknown distribution type", change: { $0["items"] = [item { $0["distribution_method"] = ["type": "SMS"] }] },
             location: ["items", "0", "distribution_method", "type"], type: "value_error.discriminated_union.invalid_discriminator"),
        Rule(name: "RECIPIENT without reference", change: {
            $0["items"] = [item { $0["distribution_method"] = ["type": "RECIPIENT", "email_address": "a@b.co"] }]
        }, location: ["items", "0", "distribution_method", "recipient_reference"], type: "value_error.missing"),
        Rule(name: "RECIPIENT reference with a space", change: {
            $0["items"] = [item { $0["distribution_method"] = ["type": "RECIPIENT", "email_address": "a@b.co", "recipient_reference": "a b"] }]
        }, location: ["items", "0", "distribution_method", "recipient_reference"], type: "value_error.str.regex"),
        Rule(name: "SINGLE with an empty code", change: { $0["items"] = [item { $0["products"] = ["type": "SINGLE", "value": ""] }] },
             location: ["items", "0", "products", "value"], type: "value_error.any_str.min_length"),
        Rule(name: "MULTIPLE with one product", change: { $0["items"] = [item { $0["products"] = ["type": "MULTIPLE", "values": ["AMZ-US"]] }] },
             location: ["items", "0", "products", "values"], type: "value_error.list.min_items"),
        Rule(name: "MULTIPLE with a repeated product", change: {
            $0["items"] = [item { $0["products"] = ["type": "MULTIPLE", "values": ["AMZ-US", "AMZ-US"]] }]
        }, location: ["items", "0", "products", "values"], type: "value_error.list.unique_items"),
        Rule(name: "MULTIPLE across currencies", change: {
            $0["items"] = [item { $0["products"] = ["type": "MULTIPLE", "values": ["AMZ-US", "AMZ-GB"]] }]
        }, location: ["items", "0", "products", "values"], type: "value_error.products.currency"),
        Rule(name: "TEMPLATE without template_id", change: { $0["items"] = [item { $0["products"] = ["type": "TEMPLATE"] }] },
             location: ["items", "0", "products", "template_id"], type: "value_error.missing"),
        Rule(name: "unknown product type", change: { $0["items"] = [item { $0["products"] = ["type": "BUNDLE"] }] },
             location: ["items", "0", "products", "type"], type: "value_error.discriminated_union.invalid_discriminator"),
        Rule(name: "spend rules id malformed", change: {
            $0["items"] = [item { $0["products"] = ["type": "SINGLE", "value": "VISA-US", "usage_config": ["spend_rules_template_id": "PSR-1"]] }]
        }, location: ["items", "0", "products", "usage_config", "spend_rules_template_id"], type: "value_error.str.regex"),
    ]

    static func validBody() -> [String: Any] {
        ["payment_method": ["type": "ACCOUNT_BALANCE", "currency": "USD"], "items": [item()]]
    }

    func validate(_ body: [String: Any]) throws -> Result<NewOrderRequest, OrderRequestValidator.Failure> {
        let data = try JSONSerialization.data(withJSONObject: body)
        return OrderRequestValidator.validate(try JSONDecoder().decode(JSONValue.self, from: data))
    }

    @Test("the valid base body passes, with exact amounts")
    func validBodyPasses() throws {
        let request = try validate(Self.validBody()).get()
        #expect(request.items.first?.faceValue == (try Money(parsing: "10")))
        var withDetails = Self.validBody()
        withDetails["description"] = String(repeating: "d", count: 128)
        withDetails["metadata"] = Dictionary(uniqueKeysWithValues: (0..<20).map { (String(repeating: "k", count: 38) + "\($0)", String(repeating: "v", count: 200)) })
        withDetails["items"] = Array(repeating: Self.item { $0["face_value"] = 0.01 }, count: 200)
        #expect(throws: Never.self) { try validate(withDetails).get() }
    }

    @Test("each rule rejects with its location and type", arguments: rules)
    func rule(_ rule: Rule) throws {
        var body = Self.validBody()
        rule.change(&body)
        switch try validate(body) {
        case .success: Issue.record("accepted")
        case .failure(let failure):
            #expect(failure.problems.map(\.location) == [rule.location])
            #expect(failure.problems.first?.type == rule.type)
        }
    }

    @Test("over HTTP: 422 in Runa's shape with locations; a bad mode is invalid_execution_mode, bad JSON bad_request")
    func overHTTP() async throws {
        let sim = try await SimHarness.start()
        let bad = try await sim.placeOrder(#"{"payment_method":{"type":"ACCOUNT_BALANCE","currency":"USD"},"items":[]}"#)
        #expect(bad.status == 422)
        let body = try bad.decode(RunaErrorBody.self)
        #expect(body.type == "validation_error" && body.details?.first?.location == ["items"])
        let noKey = try await sim.placeOrder(SeedRequests.openAPI, key: nil)
        #expect(noKey.status == 422)
        #expect(try noKey.decode(RunaErrorBody.self).details?.first?.location == ["header", "X-Idempotency-Key"])
        let badMode = try await sim.placeOrder(SeedRequests.openAPI, mode: "later")
        #expect(badMode.status == 400)
        #expect(try badMode.decode(RunaErrorBody.self).type == "invalid_execution_mode")
        let notJSON = try await sim.placeOrder("{nope")
        #expect(notJSON.status == 400)
        #expect(try notJSON.decode(RunaErrorBody.self).type == "bad_request")
        let noAPIKey = try await sim.placeOrder(SeedRequests.openAPI, apiKey: nil)
        #expect(noAPIKey.status == 401)
        #expect(try noAPIKey.decode(RunaErrorBody.self).type == "unauthorized")
        #expect(sim.simulator.statistics.ordersCreated == 0)
        try await sim.stop()
    }
}
