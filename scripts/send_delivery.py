#!/usr/bin/env python3
"""Send one Svix-signed order.completion delivery to a running runa-ledger (for trying it out by hand).

Usage: scripts/send_delivery.py [URL] [ORDER_ID] [STATUS]
Env: RUNA_WEBHOOK_SECRETS (the first secret signs). Defaults: http://127.0.0.1:8080/webhooks/runa, a new id, COMPLETED.
"""
import base64, hashlib, hmac, json, os, sys, time, urllib.error, urllib.request, uuid

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/webhooks/runa"
order_id = sys.argv[2] if len(sys.argv) > 2 else "O-" + uuid.uuid4().hex[:26].upper()
status = sys.argv[3] if len(sys.argv) > 3 else "COMPLETED"
secret = os.environ["RUNA_WEBHOOK_SECRETS"].split(",")[0].strip()
body = {"id": order_id, "status": status}
if status == "COMPLETED":
    body.update({"created_at": "2026-11-23T10:00:00+00:00", "completed_at": "2026-11-23T10:00:02+00:00",
                 "description": "tried by hand", "payment_method": {"type": "ACCOUNT_BALANCE", "currency": "USD"},
                 "currency": "USD", "total_price": "10.00", "total_discount": "0.00"})
raw = json.dumps(body).encode()
msg_id, now = "msg_" + uuid.uuid4().hex, str(int(time.time()))
key = base64.b64decode(secret[len("whsec_"):])
signature = base64.b64encode(hmac.new(key, f"{msg_id}.{now}.".encode() + raw, hashlib.sha256).digest()).decode()
request = urllib.request.Request(url, data=raw, headers={
    "svix-id": msg_id, "svix-timestamp": now, "svix-signature": "v1," + signature, "content-type": "application/json"})
try:
    with urllib.request.urlopen(request) as response:
        print(response.status, response.read().decode(), order_id)
except urllib.error.HTTPError as error:
    print(error.code, error.read().decode(), order_id)
