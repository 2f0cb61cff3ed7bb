-- The access log joins the tamper evidence, and readiness proves a real commit.

-- Each access-log entry is chained like order_events: hash = SHA-256 over prev_hash and the entry's fields, each
-- length-prefixed (Ledger's AccessLogChain). Entries written before this migration keep NULL here: they may only
-- precede the first chained entry, whose prev_hash is the genesis hash (64 zeros).
ALTER TABLE access_log ADD COLUMN prev_hash TEXT;
ALTER TABLE access_log ADD COLUMN hash TEXT;

-- One row, rewritten by every /readyz: a commit of about one delivery's size, so "ready" means a delivery would
-- fit on the disk now, not merely that the write lock is free.
CREATE TABLE readiness_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at  TEXT NOT NULL,
    headroom   BLOB NOT NULL
) STRICT;
