/// The OpenAPI 3.1 description of `/v1`, written by hand and kept true by tests and by schemathesis in CI.
public enum OpenAPIDocument {
    public static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "runa-ledger query API",
    "version": "1.0.0",
    "description": "Read-only access to the ledger of Runa orders: filters, cursor pagination, exact totals per currency, CSV export and the audit trail. Money is always a decimal string exactly as Runa sent it; computed totals are plain decimal strings."
  },
  "servers": [{"url": "/"}],
  "security": [{"bearer": []}],
  "paths": {
    "/v1/orders": {
      "get": {
        "operationId": "listOrders",
        "summary": "Orders, newest first",
        "parameters": [
          {"$ref": "#/components/parameters/orderStatus"},
          {"$ref": "#/components/parameters/currency"},
          {"$ref": "#/components/parameters/createdFrom"},
          {"$ref": "#/components/parameters/createdTo"},
          {"$ref": "#/components/parameters/updatedSince"},
          {"name": "payout_status", "in": "query", "description": "Orders with a payout in one of these states (comma-separated).", "schema": {"type": "string", "pattern": "^(ACTIVE|CLAIMED|CANCELLED|EXPIRED)(,(ACTIVE|CLAIMED|CANCELLED|EXPIRED))*$"}},
          {"name": "source", "in": "query", "description": "What last changed the order.", "schema": {"type": "string", "enum": ["webhook", "reconciler", "api"]}},
          {"name": "q", "in": "query", "description": "An order id prefix (starting O-), or else at least 3 characters found anywhere in the description (ASCII letters in any case).", "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
          {"$ref": "#/components/parameters/limit"},
          {"$ref": "#/components/parameters/after"},
          {"$ref": "#/components/parameters/format"}
        ],
        "responses": {
          "200": {"description": "A page of orders, or every matching order as CSV.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/OrderPage"}},
            "text/csv": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/v1/orders/{id}": {
      "get": {
        "operationId": "getOrder",
        "summary": "One order with its items, payouts and audit events",
        "parameters": [{"$ref": "#/components/parameters/orderId"}, {"$ref": "#/components/parameters/asOf"}],
        "responses": {
          "200": {"description": "The order (with `as_of`: as the ledger held it then, rebuilt from its events; `last_checked_at` is null).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderDetail"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/orders/{id}/events": {
      "get": {
        "operationId": "listOrderEvents",
        "summary": "The audit trail of one order, oldest first",
        "parameters": [{"$ref": "#/components/parameters/orderId"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/after"}, {"$ref": "#/components/parameters/format"}],
        "responses": {
          "200": {"description": "A page of events, or all of them as CSV.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/EventPage"}},
            "text/csv": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/payouts": {
      "get": {
        "operationId": "listPayouts",
        "summary": "Payout links, most recently changed first",
        "parameters": [
          {"name": "status", "in": "query", "description": "Comma-separated payout states.", "schema": {"type": "string", "pattern": "^(ACTIVE|CLAIMED|CANCELLED|EXPIRED)(,(ACTIVE|CLAIMED|CANCELLED|EXPIRED))*$"}},
          {"$ref": "#/components/parameters/currency"},
          {"name": "order_id", "in": "query", "schema": {"type": "string"}},
          {"$ref": "#/components/parameters/updatedSince"},
          {"$ref": "#/components/parameters/limit"},
          {"$ref": "#/components/parameters/after"},
          {"$ref": "#/components/parameters/format"}
        ],
        "responses": {
          "200": {"description": "A page of payouts, or all matching as CSV.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PayoutPage"}},
            "text/csv": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/v1/summary": {
      "get": {
        "operationId": "getSummary",
        "summary": "Counts and exact totals per currency and status (and day)",
        "parameters": [
          {"$ref": "#/components/parameters/createdFrom"},
          {"$ref": "#/components/parameters/createdTo"},
          {"name": "group", "in": "query", "schema": {"type": "string", "enum": ["day"]}},
          {"$ref": "#/components/parameters/asOf"}
        ],
        "responses": {
          "200": {"description": "The totals.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Summary"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/v1/reconciliation": {
      "get": {
        "operationId": "getReconciliation",
        "summary": "Recent reconciler passes, the backlog, discrepancies and webhook lag",
        "responses": {
          "200": {"description": "The reconciler's state.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reconciliation"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/v1/deliveries": {
      "get": {
        "operationId": "listDeliveries",
        "summary": "Counts of webhook deliveries by outcome, and those needing attention",
        "parameters": [
          {"name": "outcome", "in": "query", "schema": {"type": "string", "enum": ["quarantined", "ignored"]}},
          {"$ref": "#/components/parameters/limit"},
          {"$ref": "#/components/parameters/after"},
          {"$ref": "#/components/parameters/format"}
        ],
        "responses": {
          "200": {"description": "Counts and a page of deliveries, or all of them as CSV.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Deliveries"}},
            "text/csv": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/v1/completeness": {
      "get": {
        "operationId": "getCompleteness",
        "summary": "The completeness watermark, its gaps, and how the orders of a stretch of time arrived",
        "parameters": [
          {"$ref": "#/components/parameters/createdFrom"},
          {"$ref": "#/components/parameters/createdTo"},
          {"$ref": "#/components/parameters/limit"}
        ],
        "responses": {
          "200": {"description": "Every order Runa lists created before `watermark` is complete in the ledger. Arrivals cover `created_from` (default: 7 days before `created_to`) to `created_to` (default: now).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Completeness"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/v1/closes": {
      "get": {
        "operationId": "listCloses",
        "summary": "Closed months, newest first",
        "responses": {
          "200": {"description": "The closes.", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Close"}}}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/v1/closes/{period}": {
      "get": {
        "operationId": "getClose",
        "summary": "One close: its manifest and the adjustments recorded against it since",
        "parameters": [
          {"name": "period", "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}, "description": "A month, 2026-10."},
          {"name": "limit", "in": "query", "description": "The most adjustment events returned (the count is always total).", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}
        ],
        "responses": {
          "200": {"description": "The close.", "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Close"}, {"type": "object", "required": ["manifest", "adjustment_events"], "properties": {"manifest": {"type": "object"}, "adjustment_events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}]}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/value-at-risk": {
      "get": {
        "operationId": "getValueAtRisk",
        "summary": "Face value of payouts still ACTIVE per currency, by age since activation and by time left to expiry",
        "parameters": [{"$ref": "#/components/parameters/currency"}],
        "responses": {
          "200": {"description": "The figures, exact.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValueAtRisk"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/v1/access-log": {
      "get": {
        "operationId": "listAccess",
        "summary": "Every authenticated /v1 request, newest first (auditor tokens only)",
        "parameters": [
          {"name": "token_id", "in": "query", "schema": {"type": "string"}},
          {"name": "since", "in": "query", "description": "A date (UTC) or an RFC 3339 time.", "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}},
          {"$ref": "#/components/parameters/limit"},
          {"$ref": "#/components/parameters/after"},
          {"$ref": "#/components/parameters/format"}
        ],
        "responses": {
          "200": {"description": "A page of entries, or all matching as CSV.", "content": {
            "application/json": {"schema": {"type": "object", "required": ["items", "next"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Access"}}, "next": {"type": ["string", "null"]}}}},
            "text/csv": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      }
    },
    "/v1/openapi.json": {
      "get": {
        "operationId": "getOpenAPI",
        "summary": "This document",
        "security": [],
        "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    }
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "parameters": {
      "orderId": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}},
      "orderStatus": {"name": "status", "in": "query", "description": "Comma-separated order statuses.", "schema": {"type": "string", "pattern": "^(PROCESSING|COMPLETED|FAILED)(,(PROCESSING|COMPLETED|FAILED))*$"}},
      "currency": {"name": "currency", "in": "query", "schema": {"type": "string", "pattern": "^[A-Z]{3}$"}},
      "createdFrom": {"name": "created_from", "in": "query", "description": "Inclusive: a date (UTC) or an RFC 3339 time.", "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}},
      "createdTo": {"name": "created_to", "in": "query", "description": "Exclusive: a date (UTC) or an RFC 3339 time.", "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}},
      "updatedSince": {"name": "updated_since", "in": "query", "description": "A date (UTC) or an RFC 3339 time.", "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}},
      "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
      "after": {"name": "after", "in": "query", "description": "The `next` cursor of the previous page, with the same filters (empty means the first page). Any other value is a 400.", "schema": {"type": "string"}},
      "asOf": {"name": "as_of", "in": "query", "description": "Rebuild the answer from the audit trail as it stood at this instant (a date (UTC) or an RFC 3339 time).", "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}},
      "format": {"name": "format", "in": "query", "description": "`csv` streams every matching row (as does `Accept: text/csv`).", "schema": {"type": "string", "enum": ["json", "csv"]}}
    },
    "responses": {
      "BadRequest": {"description": "A parameter is wrong; the message names it.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "No valid bearer token.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "The token's role may not read this route.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "No such order (or close) in the ledger.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {"type": "object", "required": ["type", "message"], "properties": {"type": {"type": "string"}, "message": {"type": "string"}}},
      "Money": {"type": "string", "pattern": "^-?(0|[1-9][0-9]*)(\\.[0-9]{1,6})?$"},
      "NullableMoney": {"type": ["string", "null"], "pattern": "^-?(0|[1-9][0-9]*)(\\.[0-9]{1,6})?$"},
      "Time": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"},
      "NullableTime": {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"},
      "Order": {
        "type": "object",
        "required": ["id", "status", "currency", "total_price", "total_discount", "created_at", "completed_at", "description", "payment_method", "metadata", "transaction_detail", "first_seen_at", "updated_at", "last_source", "details_known", "disputes", "version"],
        "properties": {
          "id": {"type": "string"},
          "status": {"type": "string", "enum": ["PROCESSING", "COMPLETED", "FAILED"]},
          "currency": {"type": ["string", "null"]},
          "total_price": {"$ref": "#/components/schemas/NullableMoney"},
          "total_discount": {"$ref": "#/components/schemas/NullableMoney"},
          "created_at": {"$ref": "#/components/schemas/NullableTime"},
          "completed_at": {"$ref": "#/components/schemas/NullableTime"},
          "description": {"type": ["string", "null"]},
          "payment_method": {"type": ["object", "null"]},
          "metadata": {"type": ["object", "null"]},
          "transaction_detail": {"type": ["object", "null"]},
          "first_seen_at": {"$ref": "#/components/schemas/Time"},
          "updated_at": {"$ref": "#/components/schemas/Time"},
          "last_source": {"type": "string", "enum": ["webhook", "reconciler", "api"]},
          "details_known": {"type": "boolean"},
          "disputes": {"type": ["object", "null"], "description": "Values another source reported that the ledger did not take."},
          "version": {"type": "integer", "minimum": 1}
        }
      },
      "OrderDetail": {
        "allOf": [{"$ref": "#/components/schemas/Order"}, {
          "type": "object", "required": ["items", "events", "arrival"],
          "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
            "arrival": {
              "type": "object", "description": "How the order reached the ledger (as of the answer's moment).",
              "required": ["via", "webhooks", "first_webhook_at", "webhook_lag_seconds", "webhook_never_came"],
              "properties": {
                "via": {"type": "string", "enum": ["webhook", "reconciler", "both"], "description": "reconciler: Runa's API (reconciler or backfill)."},
                "webhooks": {"type": "integer", "minimum": 0},
                "first_webhook_at": {"type": ["string", "null"], "format": "date-time"},
                "webhook_lag_seconds": {"type": ["number", "null"], "description": "From Runa's completed_at to the first delivery."},
                "webhook_never_came": {"type": "boolean", "description": "Finished over an hour ago and no webhook came."}
              }
            }
          }}]
      },
      "Item": {
        "type": "object",
        "required": ["id", "order_id", "position", "face_value", "price"],
        "properties": {
          "id": {"type": "string"}, "order_id": {"type": "string"}, "position": {"type": "integer"},
          "face_value": {"$ref": "#/components/schemas/Money"}, "price": {"$ref": "#/components/schemas/Money"},
          "currency": {"type": ["string", "null"]}, "distribution": {"type": "object"}, "products": {"type": "object"},
          "redemption_url": {"type": ["string", "null"]},
          "payout": {"$ref": "#/components/schemas/Payout"}
        }
      },
      "Payout": {
        "type": "object",
        "required": ["item_id", "order_id", "status", "status_updated_at", "url"],
        "properties": {
          "item_id": {"type": "string"}, "order_id": {"type": "string"}, "status": {"type": "string"},
          "status_updated_at": {"$ref": "#/components/schemas/Time"}, "url": {"type": "string"},
          "expiry_date": {"$ref": "#/components/schemas/NullableTime"}, "last_checked_at": {"$ref": "#/components/schemas/NullableTime"},
          "currency": {"type": ["string", "null"]}, "face_value": {"$ref": "#/components/schemas/NullableMoney"}
        }
      },
      "Event": {
        "type": "object",
        "required": ["seq", "at", "order_id", "kind", "source", "cause", "prev_hash", "hash"],
        "properties": {
          "seq": {"type": "integer", "minimum": 1}, "at": {"$ref": "#/components/schemas/Time"}, "order_id": {"type": "string"},
          "item_id": {"type": ["string", "null"]}, "kind": {"type": "string"}, "source": {"type": "string"}, "cause": {"type": "string"},
          "changes": {"type": "object"}, "prev_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}
        }
      },
      "OrderPage": {"type": "object", "required": ["items", "next"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}}, "next": {"type": ["string", "null"]}}},
      "EventPage": {"type": "object", "required": ["items", "next"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}, "next": {"type": ["string", "null"]}}},
      "PayoutPage": {"type": "object", "required": ["items", "next"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Payout"}}, "next": {"type": ["string", "null"]}}},
      "Summary": {
        "type": "object", "required": ["created_from", "created_to", "lines"],
        "properties": {
          "created_from": {"$ref": "#/components/schemas/NullableTime"}, "created_to": {"$ref": "#/components/schemas/NullableTime"},
          "as_of": {"$ref": "#/components/schemas/Time"},
          "lines": {"type": "array", "items": {
            "type": "object", "required": ["status", "orders", "total_price", "total_discount", "items", "face_value"],
            "properties": {
              "day": {"type": ["string", "null"]}, "currency": {"type": ["string", "null"]}, "status": {"type": "string"},
              "orders": {"type": "integer"}, "total_price": {"$ref": "#/components/schemas/Money"},
              "total_discount": {"$ref": "#/components/schemas/Money"}, "items": {"type": "integer"},
              "face_value": {"$ref": "#/components/schemas/Money"}
            }}}
        }
      },
      "Reconciliation": {
        "type": "object", "required": ["runs", "backlog", "discrepancy_events", "list_order"],
        "properties": {
          "list_order": {"type": "object", "required": ["direction"], "description": "Which end Runa's GET /order starts from, as its pages' created_at showed it (Runa does not document it), and how it is walked.",
            "properties": {"direction": {"type": "string", "enum": ["unknown", "newest_first", "oldest_first", "unsorted"]},
                           "tail_cursor_held": {"type": "boolean"}, "whole_walk_in_progress_since": {"$ref": "#/components/schemas/NullableTime"},
                           "whole_walk_finished_started_at": {"$ref": "#/components/schemas/NullableTime"}}},
          "runs": {"type": "array", "items": {"type": "object", "required": ["id", "started_at", "checked", "changed", "discrepancies", "errors"]}},
          "backlog": {"type": "object", "required": ["due", "waiting", "disputed", "processing", "without_details", "in_step"]},
          "discrepancy_events": {"type": "integer"},
          "oldest_task": {"type": ["object", "null"]},
          "webhook_lag_seconds": {"type": ["object", "null"]}
        }
      },
      "Completeness": {
        "type": "object", "required": ["watermark", "watermark_age_seconds", "coverage", "listed_orders", "open_gaps", "gaps", "arrivals"],
        "properties": {
          "watermark": {"$ref": "#/components/schemas/NullableTime"},
          "watermark_age_seconds": {"type": ["number", "null"]},
          "coverage": {"type": ["object", "null"], "description": "The stretch of Runa's order list the reconciler has read; `from` null means from the beginning."},
          "listed_orders": {"type": "integer"}, "open_gaps": {"type": "integer"},
          "gaps": {"type": "array", "items": {"type": "object", "required": ["order_id", "created_at", "listed_status", "reason"], "properties": {"reason": {"type": "string", "enum": ["not_in_ledger", "status_behind_runa", "no_item_details"]}}}},
          "arrivals": {"type": "object", "required": ["orders", "webhook_only", "reconciler_only", "both", "webhook_lag_seconds", "webhook_never_came", "webhook_never_came_orders"]}
        }
      },
      "Close": {
        "type": "object", "required": ["period", "closed_at", "forced", "force_reason", "manifest_sha256", "event_seq", "directory", "adjustments"],
        "properties": {
          "period": {"type": "string"}, "closed_at": {"$ref": "#/components/schemas/Time"}, "forced": {"type": "boolean"},
          "force_reason": {"type": ["string", "null"]}, "manifest_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
          "event_seq": {"type": "integer"}, "directory": {"type": "string"}, "adjustments": {"type": "integer"}
        }
      },
      "ValueAtRisk": {
        "type": "object", "required": ["at", "currencies"],
        "properties": {
          "at": {"$ref": "#/components/schemas/Time"},
          "currencies": {"type": "array", "items": {"type": "object", "required": ["currency", "active_payouts", "face_value", "by_age", "by_expiry"], "properties": {
            "currency": {"type": ["string", "null"]}, "active_payouts": {"type": "integer"}, "face_value": {"$ref": "#/components/schemas/Money"},
            "by_age": {"type": "array", "items": {"$ref": "#/components/schemas/Bucket"}},
            "by_expiry": {"type": "array", "items": {"$ref": "#/components/schemas/Bucket"}}}}}
        }
      },
      "Bucket": {"type": "object", "required": ["bucket", "payouts", "face_value"], "properties": {"bucket": {"type": "string"}, "payouts": {"type": "integer"}, "face_value": {"$ref": "#/components/schemas/Money"}}},
      "Access": {
        "type": "object", "required": ["id", "at", "token_id", "role", "method", "path", "query", "status", "rows"],
        "properties": {
          "id": {"type": "integer"}, "at": {"$ref": "#/components/schemas/Time"}, "token_id": {"type": "string"},
          "role": {"type": "string", "enum": ["dashboard", "auditor"]}, "method": {"type": "string"}, "path": {"type": "string"},
          "query": {"type": "string"}, "status": {"type": "integer"}, "rows": {"type": ["integer", "null"]}
        }
      },
      "Deliveries": {
        "type": "object", "required": ["counts", "since_start", "items", "next"],
        "properties": {
          "counts": {"type": "object", "description": "Stored deliveries by outcome.", "additionalProperties": {"type": "integer"}},
          "ignored_by_event_type": {"type": "object", "description": "Ignored deliveries by the event type their body showed (product.update, unrecognised).", "additionalProperties": {"type": "integer"}},
          "since_start": {"type": "object", "description": "Duplicates and rejected signatures since the process started; they store nothing.", "additionalProperties": {"type": "integer"}},
          "items": {"type": "array", "items": {"type": "object", "required": ["msg_id", "received_at", "outcome"]}},
          "next": {"type": ["string", "null"]}
        }
      }
    }
  }
}
"""#
}
