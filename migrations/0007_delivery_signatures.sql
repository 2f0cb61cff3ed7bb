-- The signature header of each delivery as received (HMAC outputs, not secrets), so `runa-ledger verify-archive`
-- can re-check years later that every stored body is the one Runa signed. NULL for deliveries stored before 0007.
ALTER TABLE webhook_deliveries ADD COLUMN signatures TEXT;
