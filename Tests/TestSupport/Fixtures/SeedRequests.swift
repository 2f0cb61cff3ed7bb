import Foundation

/// Request bodies from Runa's documentation (`shared/seeds/`).
public enum SeedRequests {
    /// The OpenAPI example of `POST /order`.
    public static let openAPI = #"""
    {"payment_method": {"type": "ACCOUNT_BALANCE", "currency": "USD"},
     "items": [{"face_value": 10,
                "distribution_method": {"type": "EMAIL", "email_address": "fred@example.com", "template_id": "DT-01HPSF51G0ZWHJ3JTNWRH0WDYK"},
                "products": {"type": "SINGLE", "value": "AMZ-US"}}],
     "description": "Your own reference text",
     "metadata": {"internal_id": "12345", "department": "marketing", "campaign": "summer_2024"}}
    """#

    /// The async guide's request: two payout links from the playground template.
    public static let asyncGuide = #"""
    {"payment_method": {"type": "ACCOUNT_BALANCE", "currency": "USD"},
     "items": [{"face_value": 10, "distribution_method": {"type": "PAYOUT_LINK"},
                "products": {"type": "TEMPLATE", "template_id": "PT-01HQ12PV4B8XMBRTK281JM54KK"}},
               {"face_value": 20, "distribution_method": {"type": "PAYOUT_LINK"},
                "products": {"type": "TEMPLATE", "template_id": "PT-01HQ12PV4B8XMBRTK281JM54KK"}}]}
    """#

    /// The sync guide's request, with its scraped (and so invalid) e-mail address.
    public static let syncGuideAsScraped = #"""
    {"payment_method": {"type": "ACCOUNT_BALANCE", "currency": "GBP"},
     "items": [{"face_value": 1, "distribution_method": {"type": "EMAIL", "email_address": "[email protected]"},
                "products": {"type": "SINGLE", "value": "AMZ-GB"}}]}
    """#

    public static var syncGuide: String {
        syncGuideAsScraped.replacingOccurrences(of: "[email protected]", with: "recipient@example.com")
    }
}
