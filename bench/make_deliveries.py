#!/usr/bin/env python3
"""Write N unique, signed order.completion deliveries for wrk to replay (one per line, tab-separated:
msg_id, timestamp, svix-signature, body). Signed now, so replay them within 5 minutes.

Usage: make_deliveries.py SECRET COUNT OUTPUT
Env:   SHAPE=realistic (default) or ideal.

realistic: bodies exactly as Runa's webhooks are specified (shared/runa/openapi.json): a COMPLETED one is a
  `CompletedOrderWebhook` (id, status, created_at, completed_at, description, payment_method, currency,
  total_price, total_discount; no metadata, no transaction details), a FAILED one (1 in 10) a `FailedOrderWebhook`
  (id and status only). Order ids are ULIDs whose time part is scattered over a 1,000 s window, so they arrive in no
  order; created_at is spread over the last hour; four currencies; descriptions of 6 to 128 characters (Runa's
  limit).
ideal: the labelled best case: ids that only increase, one created_at, one currency, short descriptions, and the
  fields of a full order on every body (FAILED ones too).
"""
import base64
import hashlib
import hmac
import json
import os
import random
import sys
import time
from datetime import datetime, timezone

secret, count, output = sys.argv[1], int(sys.argv[2]), sys.argv[3]
shape = os.environ.get("SHAPE", "realistic")
if shape not in ("realistic", "ideal"):
    sys.exit(f"SHAPE must be realistic or ideal, not {shape!r}")
key = base64.b64decode(secret[len("whsec_"):])
started = time.time()
now = str(int(started))
run = hex(int(started * 1000))[2:]
rng = random.Random(int(started))
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
WORDS = ("bonus", "referral", "reward", "November", "team", "survey", "thank you", "gift", "Q4", "payout",
         "campaign", "loyalty", "Prämie", "für", "Zoë", "✓", "incentive", "winner", "research panel", "2026")


def ulid(milliseconds):
    digits = []
    for _ in range(10):
        digits.append(CROCKFORD[milliseconds % 32])
        milliseconds //= 32
    return "".join(reversed(digits)) + "".join(rng.choice(CROCKFORD) for _ in range(16))


def iso(seconds):
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec="microseconds")


def description():
    length = rng.randint(6, 128)
    text = ""
    while len(text) < length:
        text += rng.choice(WORDS) + " "
    return text[:length].rstrip() or "gift"


def realistic(index):
    order_id = "O-" + ulid(int((started - rng.uniform(0, 1000)) * 1000))
    if index % 10 == 0:
        return order_id, {"id": order_id, "status": "FAILED"}
    created = started - rng.uniform(0, 3600)
    currency = rng.choice(("USD", "GBP", "EUR", "AUD"))
    return order_id, {
        "id": order_id,
        "status": "COMPLETED",
        "created_at": iso(created),
        "completed_at": iso(created + rng.uniform(1, 120)),
        "description": description(),
        "payment_method": {"type": "ACCOUNT_BALANCE", "currency": currency},
        "currency": currency,
        "total_price": f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}",
        "total_discount": "0",
    }


def ideal(index):
    order_id = f"O-BENCH{run}{index:09d}"
    return order_id, {
        "id": order_id,
        "status": "COMPLETED" if index % 10 else "FAILED",
        "created_at": "2026-11-23T10:00:00.123456+00:00",
        "completed_at": "2026-11-23T10:00:01.654321+00:00",
        "description": f"bench order {index}",
        "payment_method": {"type": "ACCOUNT_BALANCE", "currency": "USD"},
        "currency": "USD",
        "total_price": f"{index % 500 + 1}.{index % 100:02d}",
        "total_discount": "0.00",
        "transaction_detail": {"USD": {"value": f"{index % 500 + 1}.{index % 100:02d}", "fx": None}},
        "metadata": {"campaign": "bench", "batch": str(index // 1000)},
    }


make = realistic if shape == "realistic" else ideal
with open(output, "w", encoding="utf-8") as out:
    for index in range(count):
        order_id, document = make(index)
        body = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        msg_id = f"msg_bench_{run}_{index}"
        signed = f"{msg_id}.{now}.{body}".encode()
        signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        out.write(f"{msg_id}\t{now}\tv1,{signature}\t{body}\n")
