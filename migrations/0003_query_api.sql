-- The query API: a stable newest-first order over every order (Runa's created_at, or when the ledger first saw the
-- order until Runa tells), and the key that signs pagination cursors.
CREATE INDEX orders_by_listing ON orders (coalesce(created_at, first_seen_at) DESC, id DESC);
DROP INDEX orders_by_created;
CREATE INDEX orders_by_currency_listing ON orders (currency, coalesce(created_at, first_seen_at) DESC, id DESC);
CREATE INDEX payouts_by_updated ON payouts (status_updated_at DESC, item_id DESC);
CREATE INDEX order_items_by_currency ON order_items (currency);

-- Keys the service generates for itself (never Runa's API key or webhook secrets).
CREATE TABLE ledger_keys (
    name        TEXT PRIMARY KEY NOT NULL,
    key         BLOB NOT NULL,
    created_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
