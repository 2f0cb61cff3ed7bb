#!/usr/bin/env python3
"""Fill an empty, migrated ledger with N synthetic orders (items and payouts included) for query benchmarks.

Usage: make_ledger.py LEDGER.sqlite N
Rows go in directly with SQL (the ingest path is benchmarked separately); the audit trail is left empty.
"""
import random
import sqlite3
import sys

path, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=OFF")
start = 1_767_225_600  # 2026-01-01T00:00:00Z


def ts(seconds):
    import datetime
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


orders, items, payouts = [], [], []
for index in range(count):
    created = start + index * 31  # about a year for a million orders
    currency = rng.choice(["USD", "USD", "USD", "GBP", "EUR", "CAD"])
    roll = rng.random()
    status = "COMPLETED" if roll < 0.93 else ("FAILED" if roll < 0.98 else "PROCESSING")
    order_id = f"O-BENCH{index:019d}"
    total = 0
    for position in range(rng.choice([1, 1, 1, 2, 3])):
        cents = rng.choice([500, 1000, 2000, 2500, 5000, 10000]) + rng.randrange(0, 100)
        total += cents
        item_id = f"E-BENCH{index:016d}{position:03d}"
        money = f"{cents // 100}.{cents % 100:02d}"
        items.append((item_id, order_id, position, money, cents * 10_000, money, cents * 10_000, currency, "PAYOUT_LINK",
                      '{"type":"PAYOUT_LINK"}', "SINGLE", '{"type":"SINGLE","value":"AMZ-US"}', '["AMZ-US"]', None))
        if status == "COMPLETED":
            payout_status = rng.choice(["ACTIVE", "ACTIVE", "CLAIMED", "CLAIMED", "CLAIMED", "CANCELLED", "EXPIRED"])
            payouts.append((item_id, order_id, payout_status, ts(created + 3600), f"https://spend/{item_id}", ts(created + 86400 * 30), None))
    price = f"{total // 100}.{total % 100:02d}"
    completed = status != "PROCESSING"
    orders.append((order_id, status, currency, price if completed else None, total * 10_000 if completed else None,
                   "0.00" if completed else None, 0 if completed else None, ts(created), ts(created + 2) if completed else None,
                   f"bench order {index}", '{"type":"ACCOUNT_BALANCE"}', None, None, None, ts(created), ts(created + 5),
                   "reconciler", ts(created + 5) if completed else None, None, 1))
    if len(orders) >= 50_000 or index == count - 1:
        db.executemany("INSERT INTO orders VALUES (" + ",".join("?" * 20) + ")", orders)
        db.executemany("INSERT INTO order_items VALUES (" + ",".join("?" * 14) + ")", items)
        db.executemany("INSERT INTO payouts VALUES (" + ",".join("?" * 7) + ")", payouts)
        db.commit()
        orders, items, payouts = [], [], []
db.execute("ANALYZE")
db.commit()
print(f"{count} orders written to {path}")
