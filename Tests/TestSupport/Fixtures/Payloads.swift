import Foundation

/// Payloads copied from Runa's documentation (`shared/seeds/`) and the shapes RUNA-API.md describes.
public enum Payloads {
    public static let syncCompleted = #"""
    {
      "id": "O-01234567890ABCDEFGHIJK", "status": "COMPLETED",
      "created_at": "2023-11-14T14:37:54.093824+00:00", "completed_at": "2023-11-14T15:25:07.728788+00:00",
      "description": "My first order.", "payment_method": {"type": "ACCOUNT_BALANCE"}, "currency": "GBP",
      "total_discount": "0.0", "total_price": "1.0",
      "items": [{
        "id": "E-0123456789ABCDEFG",
        "distribution_method": {"type": "EMAIL", "email_address": "someone@example.com"},
        "products": {"type": "SINGLE", "value": "AMZ-GB"},
        "face_value": "1.0", "price": "1.0", "redemption_url": "https://payout.runa.io/ej99mjdmf958324d2f38",
        "payout": {"status": "ACTIVE", "status_updated_at": "2024-02-28T17:21:03.543262+00:00",
                   "url": "https://example-test.spend.runa.io/055306f2-466b-4fc4-8b59-9538eaf1be92", "expiry_date": null}
      }]
    }
    """#

    public static let openAPIExample = #"""
    {
      "id": "O-01H5WQGHKCBB85MQFM68S9KJ5Q", "status": "COMPLETED", "created_at": "2023-11-07T05:31:56Z",
      "completed_at": "2023-11-07T05:31:56Z", "description": "Your own reference text",
      "payment_method": {"type": "ACCOUNT_BALANCE", "currency": "USD"}, "currency": "USD",
      "total_price": "10", "total_discount": "1",
      "items": [{
        "id": "E-NWPEKW4VL",
        "distribution_method": {"type": "EMAIL", "email_address": "fred@example.com", "template_id": "DT-01HPSF51G0ZWHJ3JTNWRH0WDYK"},
        "products": {"type": "MULTIPLE", "values": ["AMZ-US", "AIRBNB-US"]},
        "face_value": "10", "price": "10",
        "payout": {"status": "ACTIVE", "status_updated_at": "2023-11-07T05:31:56Z", "url": "<string>",
                   "expiry_date": "2023-11-07T05:31:56Z"},
        "currency": "USD"
      }],
      "transaction_detail": {"USD": {"value": "10.00", "fx": null}},
      "metadata": {"internal_id": "12345", "department": "marketing", "campaign": "summer_2024"}
    }
    """#

    public static let everyVariant = #"""
    {
      "id": "O-01HVARIANTS0000000000000", "status": "COMPLETED", "created_at": "2025-01-01T12:00:00+00:00",
      "payment_method": {"type": "CARD", "card_payment_fee": 1.5}, "currency": "EUR",
      "total_price": 30, "total_discount": "0.03", "execution_mode": "async", "a_future_field": {"x": [1, 2]},
      "items": [
        {"id": "E-1", "distribution_method": {"type": "PAYOUT_LINK"},
         "products": {"type": "TEMPLATE", "template_id": "PT-01HQ12PV4B8XMBRTK281JM54KK", "values": ["A", "B"]},
         "face_value": "10.00", "price": "10.00", "currency": "EUR",
         "payout": {"status": "ACTIVE", "status_updated_at": "2025-01-01T12:00:01+00:00", "url": "https://x/1"}},
        {"id": "E-2", "distribution_method": {"type": "RECIPIENT", "recipient_reference": "abc123", "email_address": "r@example.com"},
         "products": {"type": "SINGLE", "value": "VISA-EU", "usage_config": {"spend_rules_template_id": "PSR-01"}},
         "face_value": "10", "price": "9.97",
         "payout": {"status": "CLAIMED", "status_updated_at": "2025-01-02T00:00:00Z", "url": "https://x/2"}},
        {"id": "E-3", "distribution_method": {"type": "SMS", "phone": "+44"}, "products": {"type": "UNKNOWN"},
         "face_value": "10", "price": "10",
         "payout": {"status": "PENDING_REVIEW", "status_updated_at": "2025-01-02T00:00:00Z", "url": "https://x/3"}}
      ],
      "transaction_detail": {"EUR": {"value": "30.00", "fx": {"rate": "1.234", "rate_symbol": "GBPEUR",
                                                               "fee": {"value": "0.00", "currency": "GBP"}}}},
      "metadata": null
    }
    """#

    public static let failedWebhook = #"{"id": "O-01HFAILED000000000000000", "status": "FAILED"}"#
    public static let processing = #"{"id": "O-01234567890ABCDEFGHIJK", "status": "PROCESSING"}"#
}
