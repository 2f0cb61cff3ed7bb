#!/usr/bin/env python3
"""Write N unique, signed order.completion deliveries for wrk to replay (one per line, tab-separated:
msg_id, timestamp, svix-signature, body). Signed now, so replay them within 5 minutes.

Usage: make_deliveries.py SECRET COUNT OUTPUT
"""
import base64
import hashlib
import hmac
import json
import sys
import time

secret, count, output = sys.argv[1], int(sys.argv[2]), sys.argv[3]
key = base64.b64decode(secret[len("whsec_"):])
now = str(int(time.time()))
run = hex(int(time.time() * 1000))[2:]
with open(output, "w") as out:
    for index in range(count):
        order_id = f"O-BENCH{run}{index:09d}"
        body = json.dumps({
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
        }, separators=(",", ":"))
        msg_id = f"msg_bench_{run}_{index}"
        signed = f"{msg_id}.{now}.{body}".encode()
        signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        out.write(f"{msg_id}\t{now}\tv1,{signature}\t{body}\n")
