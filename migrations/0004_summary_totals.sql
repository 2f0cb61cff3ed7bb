-- Running totals per day, currency and status, kept exact by triggers in the same transaction as every change, so
-- GET /v1/summary reads a few hundred rows instead of scanning a million orders. The day is the order's listing
-- day: substr(coalesce(created_at, first_seen_at), 1, 10). An unknown currency is ''.
CREATE TABLE order_totals (
    day              TEXT NOT NULL,
    currency         TEXT NOT NULL,
    status           TEXT NOT NULL,
    orders           INTEGER NOT NULL,
    price_micros     INTEGER NOT NULL,
    discount_micros  INTEGER NOT NULL,
    PRIMARY KEY (day, currency, status)
) STRICT, WITHOUT ROWID;

-- Items by their own currency, bucketed by their order's day and status.
CREATE TABLE item_totals (
    day          TEXT NOT NULL,
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL,
    items        INTEGER NOT NULL,
    face_micros  INTEGER NOT NULL,
    PRIMARY KEY (day, currency, status)
) STRICT, WITHOUT ROWID;

INSERT INTO order_totals (day, currency, status, orders, price_micros, discount_micros)
SELECT substr(coalesce(created_at, first_seen_at), 1, 10), coalesce(currency, ''), status, count(*),
       coalesce(sum(total_price_micros), 0), coalesce(sum(total_discount_micros), 0)
FROM orders GROUP BY 1, 2, 3;

INSERT INTO item_totals (day, currency, status, items, face_micros)
SELECT substr(coalesce(o.created_at, o.first_seen_at), 1, 10), coalesce(i.currency, ''), o.status, count(*),
       sum(i.face_value_micros)
FROM order_items i JOIN orders o ON o.id = i.order_id GROUP BY 1, 2, 3;

CREATE TRIGGER order_totals_insert AFTER INSERT ON orders
BEGIN
    INSERT INTO order_totals (day, currency, status, orders, price_micros, discount_micros)
    VALUES (substr(coalesce(NEW.created_at, NEW.first_seen_at), 1, 10), coalesce(NEW.currency, ''), NEW.status, 1,
            coalesce(NEW.total_price_micros, 0), coalesce(NEW.total_discount_micros, 0))
    ON CONFLICT (day, currency, status) DO UPDATE SET orders = orders + 1,
        price_micros = price_micros + excluded.price_micros, discount_micros = discount_micros + excluded.discount_micros;
END;

CREATE TRIGGER order_totals_update
AFTER UPDATE OF status, currency, created_at, first_seen_at, total_price_micros, total_discount_micros ON orders
BEGIN
    UPDATE order_totals SET orders = orders - 1, price_micros = price_micros - coalesce(OLD.total_price_micros, 0),
        discount_micros = discount_micros - coalesce(OLD.total_discount_micros, 0)
    WHERE day = substr(coalesce(OLD.created_at, OLD.first_seen_at), 1, 10) AND currency = coalesce(OLD.currency, '')
      AND status = OLD.status;
    INSERT INTO order_totals (day, currency, status, orders, price_micros, discount_micros)
    VALUES (substr(coalesce(NEW.created_at, NEW.first_seen_at), 1, 10), coalesce(NEW.currency, ''), NEW.status, 1,
            coalesce(NEW.total_price_micros, 0), coalesce(NEW.total_discount_micros, 0))
    ON CONFLICT (day, currency, status) DO UPDATE SET orders = orders + 1,
        price_micros = price_micros + excluded.price_micros, discount_micros = discount_micros + excluded.discount_micros;
END;

-- When an order changes day or status, its items move bucket with it.
CREATE TRIGGER item_totals_follow_order AFTER UPDATE OF status, created_at, first_seen_at ON orders
WHEN OLD.status IS NOT NEW.status
  OR substr(coalesce(OLD.created_at, OLD.first_seen_at), 1, 10) IS NOT substr(coalesce(NEW.created_at, NEW.first_seen_at), 1, 10)
BEGIN
    UPDATE item_totals SET items = items - moved.n, face_micros = face_micros - moved.f
    FROM (SELECT coalesce(currency, '') AS c, count(*) AS n, sum(face_value_micros) AS f
          FROM order_items WHERE order_id = OLD.id GROUP BY 1) AS moved
    WHERE item_totals.day = substr(coalesce(OLD.created_at, OLD.first_seen_at), 1, 10)
      AND item_totals.status = OLD.status AND item_totals.currency = moved.c;
    INSERT INTO item_totals (day, currency, status, items, face_micros)
    SELECT substr(coalesce(NEW.created_at, NEW.first_seen_at), 1, 10), coalesce(currency, ''), NEW.status, count(*),
           sum(face_value_micros)
    FROM order_items WHERE order_id = NEW.id GROUP BY 2
    ON CONFLICT (day, currency, status) DO UPDATE SET items = items + excluded.items,
        face_micros = face_micros + excluded.face_micros;
END;

CREATE TRIGGER item_totals_insert AFTER INSERT ON order_items
BEGIN
    INSERT INTO item_totals (day, currency, status, items, face_micros)
    SELECT substr(coalesce(o.created_at, o.first_seen_at), 1, 10), coalesce(NEW.currency, ''), o.status, 1,
           NEW.face_value_micros
    FROM orders o WHERE o.id = NEW.order_id
    ON CONFLICT (day, currency, status) DO UPDATE SET items = items + 1,
        face_micros = face_micros + excluded.face_micros;
END;

CREATE TRIGGER item_totals_update AFTER UPDATE OF currency, face_value_micros ON order_items
BEGIN
    UPDATE item_totals SET items = items - 1, face_micros = face_micros - OLD.face_value_micros
    WHERE (day, currency, status) = (SELECT substr(coalesce(o.created_at, o.first_seen_at), 1, 10),
                                            coalesce(OLD.currency, ''), o.status FROM orders o WHERE o.id = OLD.order_id);
    INSERT INTO item_totals (day, currency, status, items, face_micros)
    SELECT substr(coalesce(o.created_at, o.first_seen_at), 1, 10), coalesce(NEW.currency, ''), o.status, 1,
           NEW.face_value_micros
    FROM orders o WHERE o.id = NEW.order_id
    ON CONFLICT (day, currency, status) DO UPDATE SET items = items + 1,
        face_micros = face_micros + excluded.face_micros;
END;
