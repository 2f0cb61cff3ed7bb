-- runa-ledger schema, version 1. Applied once, inside a transaction; never edit after release:
-- add a new numbered file instead (a changed applied file stops the service at start-up).

-- One row per Runa order. Money is kept twice: the exact string Runa sent, and integer micro-units
-- (value × 10^6) for exact sums in SQL. Timestamps are fixed-width UTC text (2024-01-01T00:00:00.000000Z),
-- so they sort as text.
CREATE TABLE orders (
    id                    TEXT PRIMARY KEY NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('PROCESSING', 'COMPLETED', 'FAILED')),
    currency              TEXT,
    total_price           TEXT,
    total_price_micros    INTEGER,
    total_discount        TEXT,
    total_discount_micros INTEGER,
    created_at            TEXT,
    completed_at          TEXT,
    description           TEXT,
    payment_method        TEXT,  -- JSON, as Runa sent it
    metadata              TEXT,  -- JSON object of strings
    transaction_detail    TEXT,  -- JSON: currency -> {value, fx}
    execution_mode        TEXT,
    first_seen_at         TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    last_source           TEXT NOT NULL CHECK (last_source IN ('webhook', 'reconciler', 'api')),
    details_fetched_at    TEXT,  -- null until items and payouts are known
    disputes              TEXT,  -- JSON: field -> value another source reported and the ledger did not take
    version               INTEGER NOT NULL CHECK (version >= 1),
    CHECK ((total_price IS NULL) = (total_price_micros IS NULL)),
    CHECK ((total_discount IS NULL) = (total_discount_micros IS NULL))
) STRICT, WITHOUT ROWID;
-- Newest first listing (with any filter applied while walking it) and "changed since" polling.
CREATE INDEX orders_by_created ON orders (created_at DESC, id DESC);
CREATE INDEX orders_by_updated ON orders (updated_at);

-- One row per order item (one payout link each). E-mail addresses live inside `distribution`
-- (finance needs them); they are never logged.
CREATE TABLE order_items (
    id                 TEXT PRIMARY KEY NOT NULL,
    order_id           TEXT NOT NULL REFERENCES orders (id),
    position           INTEGER NOT NULL,
    face_value         TEXT NOT NULL,
    face_value_micros  INTEGER NOT NULL,
    price              TEXT NOT NULL,
    price_micros       INTEGER NOT NULL,
    currency           TEXT,
    distribution_type  TEXT NOT NULL,
    distribution       TEXT NOT NULL,  -- JSON distribution_method
    product_type       TEXT NOT NULL,
    products           TEXT NOT NULL,  -- JSON products
    product_codes      TEXT NOT NULL,  -- JSON array of product codes
    redemption_url     TEXT
) STRICT;
CREATE INDEX order_items_by_order ON order_items (order_id, position);

-- The payout link of each item and its latest known state.
CREATE TABLE payouts (
    item_id            TEXT PRIMARY KEY NOT NULL REFERENCES order_items (id),
    order_id           TEXT NOT NULL REFERENCES orders (id),
    status             TEXT NOT NULL,
    status_updated_at  TEXT NOT NULL,
    url                TEXT NOT NULL,
    expiry_date        TEXT,
    last_checked_at    TEXT
) STRICT;
CREATE INDEX payouts_by_order ON payouts (order_id);
CREATE INDEX payouts_by_status ON payouts (status, status_updated_at);

-- One row per accepted Svix message id: the deduplication key and the raw evidence.
CREATE TABLE webhook_deliveries (
    msg_id       TEXT PRIMARY KEY NOT NULL,
    received_at  TEXT NOT NULL,
    signed_at    TEXT NOT NULL,
    body_sha256  TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    order_id     TEXT,
    outcome      TEXT NOT NULL CHECK (outcome IN ('applied', 'no_change', 'ignored', 'quarantined')),
    error        TEXT,           -- why a quarantined body could not be understood
    body         BLOB            -- the exact bytes that were signed
) STRICT;
CREATE INDEX webhook_deliveries_by_order ON webhook_deliveries (order_id);
-- Only the deliveries someone must look at; applied ones are the bulk and are found by order.
CREATE INDEX webhook_deliveries_needing_attention ON webhook_deliveries (outcome, received_at)
    WHERE outcome IN ('quarantined', 'ignored');

-- The append-only audit trail. Each row's hash is SHA-256 over the previous row's hash and this row's
-- fields, so any edit or removal breaks the chain (`runa-ledger check` verifies it).
CREATE TABLE order_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    item_id    TEXT,
    kind       TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('webhook', 'reconciler', 'api')),
    cause      TEXT NOT NULL,  -- the delivery msg_id or the API request that caused the change
    changes    TEXT NOT NULL,  -- JSON: field -> {"before": ..., "after": ...}
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
) STRICT;
CREATE INDEX order_events_by_order ON order_events (order_id, seq);
CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
BEGIN
    SELECT RAISE(ABORT, 'order_events is append-only');
END;
CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
BEGIN
    SELECT RAISE(ABORT, 'order_events is append-only');
END;

-- Durable work for the reconciler: survives restarts, one row per order and reason.
CREATE TABLE reconcile_tasks (
    order_id    TEXT NOT NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('enrich', 'stale', 'conflict', 'discover', 'payout_refresh')),
    not_before  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (order_id, reason)
) STRICT, WITHOUT ROWID;
CREATE INDEX reconcile_tasks_by_due ON reconcile_tasks (not_before);

-- One row per reconciler pass.
CREATE TABLE reconcile_runs (
    id             INTEGER PRIMARY KEY,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    checked        INTEGER NOT NULL DEFAULT 0,
    changed        INTEGER NOT NULL DEFAULT 0,
    discrepancies  INTEGER NOT NULL DEFAULT 0,
    errors         INTEGER NOT NULL DEFAULT 0,
    error_summary  TEXT
) STRICT;
