-- Small durable state of the reconciler: the backfill cursor, so an interrupted backfill resumes where it stopped.
CREATE TABLE reconcile_state (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Stale detection walks PROCESSING orders oldest first.
CREATE INDEX orders_processing_by_created ON orders (created_at) WHERE status = 'PROCESSING';
