"""The service a user would write instead of runa-ledger, for `bench/ingest.sh` with PEER=1.

FastAPI on uvicorn (uvloop, httptools), the official svix library to verify each delivery, and Python's sqlite3 in
WAL mode with `synchronous=FULL`: the delivery is deduplicated on its message id, the order upserted, and the
transaction committed before the 200, as runa-ledger does. It keeps no audit trail, no hash chain, no search index
and no running totals: it does less than runa-ledger, which is what a user writing their own would start with.

Env: PEER_DB (the SQLite file), PEER_SECRET (the whsec_… secret).
Run: python3 -m uvicorn app:app --app-dir bench/peer --port 18124 --no-access-log --log-level warning
"""
import json
import os
import sqlite3
import threading
from datetime import datetime, timezone

from fastapi import FastAPI, Request, Response
from svix.webhooks import Webhook, WebhookVerificationError

verifier = Webhook(os.environ["PEER_SECRET"])
connection = sqlite3.connect(os.environ["PEER_DB"], check_same_thread=False, isolation_level=None)
connection.execute("PRAGMA journal_mode=WAL")
connection.execute("PRAGMA synchronous=FULL")
connection.executescript("""
    CREATE TABLE IF NOT EXISTS deliveries (msg_id TEXT PRIMARY KEY, received_at TEXT NOT NULL, body BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS orders (
        id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at TEXT, completed_at TEXT, description TEXT,
        currency TEXT, total_price TEXT, total_discount TEXT, payment_method TEXT, updated_at TEXT NOT NULL);
""")
writer = threading.Lock()
app = FastAPI()

UPSERT = """
    INSERT INTO orders (id, status, created_at, completed_at, description, currency, total_price, total_discount,
                        payment_method, updated_at)
    VALUES (:id, :status, :created_at, :completed_at, :description, :currency, :total_price, :total_discount,
            :payment_method, :now)
    ON CONFLICT (id) DO UPDATE SET
        status = CASE WHEN orders.status = 'PROCESSING' THEN excluded.status ELSE orders.status END,
        created_at = coalesce(excluded.created_at, orders.created_at),
        completed_at = coalesce(excluded.completed_at, orders.completed_at),
        description = coalesce(excluded.description, orders.description),
        currency = coalesce(excluded.currency, orders.currency),
        total_price = coalesce(excluded.total_price, orders.total_price),
        total_discount = coalesce(excluded.total_discount, orders.total_discount),
        payment_method = coalesce(excluded.payment_method, orders.payment_method),
        updated_at = excluded.updated_at
"""


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/webhooks/runa")
async def receive(request: Request):
    # The route is async to read the raw body; its sqlite3 calls block the event loop: one commit at a time.
    body = await request.body()
    try:
        verifier.verify(body, dict(request.headers))  # svix 2.9.1 returns nothing; the body is parsed below
    except WebhookVerificationError:
        return Response(status_code=401)
    try:
        order = json.loads(body)
    except ValueError:
        return Response(status_code=400)
    if not isinstance(order, dict) or "id" not in order or "status" not in order:
        return Response(status_code=400)
    now = datetime.now(timezone.utc).isoformat()
    row = {name: order.get(name) for name in ("id", "status", "created_at", "completed_at", "description", "currency",
                                              "total_price", "total_discount")}
    row["payment_method"] = json.dumps(order["payment_method"]) if "payment_method" in order else None
    row["now"] = now
    with writer:
        try:
            connection.execute("BEGIN IMMEDIATE")
            inserted = connection.execute("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?)",
                                          (request.headers["svix-id"], now, body)).rowcount
            if inserted:
                connection.execute(UPSERT, row)
            connection.execute("COMMIT")
        except sqlite3.Error:
            connection.execute("ROLLBACK")
            return Response(status_code=503)
    return Response(status_code=200)
