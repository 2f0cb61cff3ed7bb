-- Finance-grade audit: the completeness watermark, month-end closes and their adjustments, and the access log.

-- Every order Runa's `GET /order` list showed the reconciler: the population "complete through T" is measured
-- against. `complete` is 1 once the ledger held the order as fully as the listing asks (seen; terminal with item
-- details, or PROCESSING as listed); the reconciler sets it, so only the few open rows are looked at again.
CREATE TABLE runa_listings (
    order_id    TEXT PRIMARY KEY NOT NULL,
    created_at  TEXT NOT NULL,
    status      TEXT NOT NULL,
    listed_at   TEXT NOT NULL,
    complete    INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1))
) STRICT, WITHOUT ROWID;
CREATE INDEX runa_listings_open ON runa_listings (created_at) WHERE complete = 0;

-- One row per closed month (UTC, by the order's listing time). Immutable: the package's manifest and its
-- SHA-256 are kept here and bound into the event hash chain by a `period.closed` event (order_id '').
CREATE TABLE closes (
    period           TEXT PRIMARY KEY NOT NULL,  -- 2026-10
    closed_at        TEXT NOT NULL,
    forced           INTEGER NOT NULL CHECK (forced IN (0, 1)),
    force_reason     TEXT,                       -- why it was closed while incomplete, and what was missing
    manifest         TEXT NOT NULL,              -- manifest.json, byte for byte
    manifest_sha256  TEXT NOT NULL,
    event_seq        INTEGER NOT NULL,           -- the period.closed event
    directory        TEXT NOT NULL               -- where the package was written
) STRICT, WITHOUT ROWID;
CREATE TRIGGER closes_no_update BEFORE UPDATE ON closes
BEGIN
    SELECT RAISE(ABORT, 'closes are immutable');
END;
CREATE TRIGGER closes_no_delete BEFORE DELETE ON closes
BEGIN
    SELECT RAISE(ABORT, 'closes are immutable');
END;

-- Every event, after a close, about an order listed in the closed month: an adjustment against that close.
CREATE TABLE close_adjustments (
    period     TEXT NOT NULL REFERENCES closes (period),
    event_seq  INTEGER NOT NULL,
    order_id   TEXT NOT NULL,
    PRIMARY KEY (period, event_seq)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER close_adjustments_record AFTER INSERT ON order_events
WHEN NEW.order_id <> '' AND EXISTS (SELECT 1 FROM closes)
BEGIN
    INSERT INTO close_adjustments (period, event_seq, order_id)
    SELECT c.period, NEW.seq, NEW.order_id FROM closes c
    WHERE c.period = (SELECT substr(coalesce(o.created_at, o.first_seen_at), 1, 7) FROM orders o WHERE o.id = NEW.order_id);
END;
CREATE TRIGGER close_adjustments_no_update BEFORE UPDATE ON close_adjustments
BEGIN
    SELECT RAISE(ABORT, 'close_adjustments is append-only');
END;
CREATE TRIGGER close_adjustments_no_delete BEFORE DELETE ON close_adjustments
BEGIN
    SELECT RAISE(ABORT, 'close_adjustments is append-only');
END;

-- Every authenticated /v1 request: who (the token's configured id, never the token), what, and how much it read.
CREATE TABLE access_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    token_id  TEXT NOT NULL,
    role      TEXT NOT NULL,
    method    TEXT NOT NULL,
    path      TEXT NOT NULL,
    query     TEXT NOT NULL,   -- the query string as sent (filters, cursor)
    status    INTEGER NOT NULL,
    rows      INTEGER          -- rows returned, when the answer is a list or a report
) STRICT;
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;
