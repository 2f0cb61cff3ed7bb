-- Counts that GET /v1/deliveries, GET /v1/reconciliation, `reconcile --once` and /metrics read on every call, served
-- without scanning a million rows (each scan took 0.3-1.9 s at a million orders or deliveries).

-- Orders the reconciler still has to settle: small sets, so these partial indexes cost a write only for the orders
-- in them. Queries must repeat each index's condition exactly for SQLite to use it.
CREATE INDEX orders_disputed ON orders (id) WHERE disputes IS NOT NULL;
CREATE INDEX orders_without_details ON orders (id) WHERE status != 'PROCESSING' AND details_fetched_at IS NULL;

-- Stored deliveries by outcome, kept by triggers in the same transaction as each delivery.
CREATE TABLE delivery_totals (
    outcome     TEXT PRIMARY KEY,
    deliveries  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO delivery_totals (outcome, deliveries) SELECT outcome, count(*) FROM webhook_deliveries GROUP BY outcome;

CREATE TRIGGER delivery_totals_insert AFTER INSERT ON webhook_deliveries
BEGIN
    INSERT INTO delivery_totals (outcome, deliveries) VALUES (NEW.outcome, 1)
    ON CONFLICT (outcome) DO UPDATE SET deliveries = deliveries + 1;
END;

-- Deliveries are evidence and never change; should one ever be changed or removed, the totals follow.
CREATE TRIGGER delivery_totals_update AFTER UPDATE OF outcome ON webhook_deliveries
BEGIN
    UPDATE delivery_totals SET deliveries = deliveries - 1 WHERE outcome = OLD.outcome;
    INSERT INTO delivery_totals (outcome, deliveries) VALUES (NEW.outcome, 1)
    ON CONFLICT (outcome) DO UPDATE SET deliveries = deliveries + 1;
END;

CREATE TRIGGER delivery_totals_delete AFTER DELETE ON webhook_deliveries
BEGIN
    UPDATE delivery_totals SET deliveries = deliveries - 1 WHERE outcome = OLD.outcome;
END;
