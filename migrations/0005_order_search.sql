-- Substring search over order descriptions (`q` on GET /v1/orders) through an FTS5 trigram index.
--
-- Each row's rowid is the order's listing key: its listing time (coalesce(created_at, first_seen_at)) in
-- microseconds times 1000, plus a tiebreak for orders of the same microsecond. Times before 1677 or after 2262 (which
-- a payload may carry) are held at those ends, so the key never overflows. So the index hands out matches
-- newest first (ORDER BY rowid DESC) and a page stops after its last row, however the matches are spread over
-- time. `orders` is WITHOUT ROWID: `order_search_rows` maps each order to its index row. Triggers keep both exact in
-- the same transaction as every change, moving the row when the description or the listing time changes.
CREATE VIRTUAL TABLE order_search USING fts5(description, order_id UNINDEXED, tokenize = 'trigram');

CREATE TABLE order_search_rows (
    order_id      TEXT PRIMARY KEY,
    search_rowid  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Existing orders: within one microsecond, by id (as the listing orders them).
INSERT INTO order_search (rowid, description, order_id)
SELECT min(max(coalesce(unixepoch(substr(listed, 1, 19)) * 1000000 + CAST(substr(listed, 21, 6) AS INTEGER), 0), -9223372036854774), 9223372036854774) * 1000
           + row_number() OVER (PARTITION BY listed ORDER BY id) - 1,
       description, id
FROM (SELECT id, description, coalesce(created_at, first_seen_at) AS listed FROM orders WHERE description IS NOT NULL);
INSERT INTO order_search_rows (order_id, search_rowid) SELECT order_id, rowid FROM order_search;

-- A new order: the next free key of its microsecond (later arrivals list after earlier ones). Past a thousand orders
-- listed at the same microsecond (timestamps given to the second can do that), the key is NULL and FTS5 gives the
-- next rowid above all others: the order is found and pages stay exact; only its place among search results is off.
CREATE TRIGGER order_search_insert AFTER INSERT ON orders WHEN NEW.description IS NOT NULL
BEGIN
    INSERT INTO order_search (rowid, description, order_id)
    SELECT (SELECT CASE WHEN max(rowid) IS NULL THEN base WHEN max(rowid) < base + 999 THEN max(rowid) + 1 END
            FROM order_search WHERE rowid BETWEEN base AND base + 999),
           NEW.description, NEW.id
    FROM (SELECT min(max(coalesce(unixepoch(substr(listed, 1, 19)) * 1000000 + CAST(substr(listed, 21, 6) AS INTEGER), 0), -9223372036854774), 9223372036854774) * 1000 AS base
          FROM (SELECT coalesce(NEW.created_at, NEW.first_seen_at) AS listed));
    INSERT INTO order_search_rows (order_id, search_rowid) VALUES (NEW.id, last_insert_rowid());
END;

CREATE TRIGGER order_search_update AFTER UPDATE OF description, created_at, first_seen_at ON orders
WHEN OLD.description IS NOT NEW.description
  OR coalesce(OLD.created_at, OLD.first_seen_at) IS NOT coalesce(NEW.created_at, NEW.first_seen_at)
BEGIN
    DELETE FROM order_search WHERE rowid = (SELECT search_rowid FROM order_search_rows WHERE order_id = OLD.id);
    DELETE FROM order_search_rows WHERE order_id = OLD.id;
    INSERT INTO order_search (rowid, description, order_id)
    SELECT (SELECT CASE WHEN max(rowid) IS NULL THEN base WHEN max(rowid) < base + 999 THEN max(rowid) + 1 END
            FROM order_search WHERE rowid BETWEEN base AND base + 999),
           NEW.description, NEW.id
    FROM (SELECT min(max(coalesce(unixepoch(substr(listed, 1, 19)) * 1000000 + CAST(substr(listed, 21, 6) AS INTEGER), 0), -9223372036854774), 9223372036854774) * 1000 AS base
          FROM (SELECT coalesce(NEW.created_at, NEW.first_seen_at) AS listed))
    WHERE NEW.description IS NOT NULL;
    INSERT INTO order_search_rows (order_id, search_rowid)
    SELECT NEW.id, last_insert_rowid() WHERE NEW.description IS NOT NULL;
END;

CREATE TRIGGER order_search_delete AFTER DELETE ON orders
BEGIN
    DELETE FROM order_search WHERE rowid = (SELECT search_rowid FROM order_search_rows WHERE order_id = OLD.id);
    DELETE FROM order_search_rows WHERE order_id = OLD.id;
END;
