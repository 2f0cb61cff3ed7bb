-- Substring search over order descriptions (`q` on GET /v1/orders) through an FTS5 trigram index, so a search at a
-- million orders reads the index instead of scanning every description. `orders` is WITHOUT ROWID, so the index
-- keeps its own rows and `order_search_rows` maps each order to its row; triggers keep both exact in the same
-- transaction as every change.
CREATE VIRTUAL TABLE order_search USING fts5(description, order_id UNINDEXED, tokenize = 'trigram');

CREATE TABLE order_search_rows (
    order_id      TEXT PRIMARY KEY,
    search_rowid  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO order_search (description, order_id) SELECT description, id FROM orders WHERE description IS NOT NULL;
INSERT INTO order_search_rows (order_id, search_rowid) SELECT order_id, rowid FROM order_search;

CREATE TRIGGER order_search_insert AFTER INSERT ON orders WHEN NEW.description IS NOT NULL
BEGIN
    INSERT INTO order_search (description, order_id) VALUES (NEW.description, NEW.id);
    INSERT INTO order_search_rows (order_id, search_rowid) VALUES (NEW.id, last_insert_rowid());
END;

CREATE TRIGGER order_search_update AFTER UPDATE OF description ON orders
WHEN OLD.description IS NOT NEW.description
BEGIN
    DELETE FROM order_search WHERE rowid = (SELECT search_rowid FROM order_search_rows WHERE order_id = OLD.id);
    DELETE FROM order_search_rows WHERE order_id = OLD.id;
    INSERT INTO order_search (description, order_id) SELECT NEW.description, NEW.id WHERE NEW.description IS NOT NULL;
    INSERT INTO order_search_rows (order_id, search_rowid)
    SELECT NEW.id, last_insert_rowid() WHERE NEW.description IS NOT NULL;
END;

CREATE TRIGGER order_search_delete AFTER DELETE ON orders
BEGIN
    DELETE FROM order_search WHERE rowid = (SELECT search_rowid FROM order_search_rows WHERE order_id = OLD.id);
    DELETE FROM order_search_rows WHERE order_id = OLD.id;
END;
