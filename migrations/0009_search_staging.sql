-- The description index is written once per transaction instead of once per order (issue 6, ingest speed).
--
-- FTS5 writes its pending rows out as a new index segment at every statement savepoint, and the webhook writer ran
-- each delivery in its own savepoint: one segment, plus the merging of segments, per order. On the benchmark that
-- was ~100 µs of the single writer's ~375 µs per delivery. Now the triggers allocate the order's listing key from
-- `order_search_rows` (through the index below, instead of reading the FTS table) and stage the row; every
-- transaction that changes orders applies the staged rows to `order_search` in one statement just before it
-- commits (`OrderSearchIndex.applyStaged`), so the index is exact at every commit, as before. The keys are the ones
-- 0005 gave: the next free key of the order's microsecond, or past a thousand ties the next above all others.
-- `runa-ledger check` reports staged rows left behind by a writer that did not apply them.
CREATE UNIQUE INDEX order_search_rows_by_key ON order_search_rows (search_rowid);

CREATE TABLE order_search_staged (
    search_rowid  INTEGER PRIMARY KEY,
    description   TEXT NOT NULL,
    order_id      TEXT NOT NULL
) STRICT;

-- Inserting (order id, description, listing time) here gives the order its key and stages its row: the one place
-- keys are allocated, used by the insert and update triggers below.
CREATE VIEW order_search_requests (order_id, description, listed) AS SELECT NULL, NULL, NULL WHERE 0;
CREATE TRIGGER order_search_request INSTEAD OF INSERT ON order_search_requests
BEGIN
    INSERT INTO order_search_rows (order_id, search_rowid)
    SELECT NEW.order_id,
           coalesce((SELECT CASE WHEN max(search_rowid) IS NULL THEN base
                                 WHEN max(search_rowid) < base + 999 THEN max(search_rowid) + 1 END
                     FROM order_search_rows WHERE search_rowid BETWEEN base AND base + 999),
                    (SELECT max(search_rowid) + 1 FROM order_search_rows))
    FROM (SELECT min(max(coalesce(unixepoch(substr(NEW.listed, 1, 19)) * 1000000 + CAST(substr(NEW.listed, 21, 6) AS INTEGER), 0), -9223372036854774), 9223372036854774) * 1000 AS base);
    INSERT INTO order_search_staged (search_rowid, description, order_id)
    SELECT search_rowid, NEW.description, NEW.order_id FROM order_search_rows WHERE order_id = NEW.order_id;
END;

DROP TRIGGER order_search_insert;
DROP TRIGGER order_search_update;
DROP TRIGGER order_search_delete;

CREATE TRIGGER order_search_insert AFTER INSERT ON orders WHEN NEW.description IS NOT NULL
BEGIN
    INSERT INTO order_search_requests VALUES (NEW.id, NEW.description, coalesce(NEW.created_at, NEW.first_seen_at));
END;

CREATE TRIGGER order_search_update AFTER UPDATE OF description, created_at, first_seen_at ON orders
WHEN OLD.description IS NOT NEW.description
  OR coalesce(OLD.created_at, OLD.first_seen_at) IS NOT coalesce(NEW.created_at, NEW.first_seen_at)
BEGIN
    DELETE FROM order_search WHERE rowid = (SELECT search_rowid FROM order_search_rows WHERE order_id = OLD.id);
    DELETE FROM order_search_staged WHERE search_rowid = (SELECT search_rowid FROM order_search_rows WHERE order_id = OLD.id);
    DELETE FROM order_search_rows WHERE order_id = OLD.id;
    INSERT INTO order_search_requests
    SELECT NEW.id, NEW.description, coalesce(NEW.created_at, NEW.first_seen_at) WHERE NEW.description IS NOT NULL;
END;

CREATE TRIGGER order_search_delete AFTER DELETE ON orders
BEGIN
    DELETE FROM order_search WHERE rowid = (SELECT search_rowid FROM order_search_rows WHERE order_id = OLD.id);
    DELETE FROM order_search_staged WHERE search_rowid = (SELECT search_rowid FROM order_search_rows WHERE order_id = OLD.id);
    DELETE FROM order_search_rows WHERE order_id = OLD.id;
END;
