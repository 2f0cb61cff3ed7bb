#!/usr/bin/env python3
"""Verify captured webhook deliveries with the official svix library (pip install svix).

Reads JSON from stdin: {"secret": "whsec_…", "deliveries": [{"headers": {...}, "body_base64": "..."}]}
Prints one line: "verified N of M", and exits 1 unless all verify. Used by the simulator's tests.
"""
import base64
import json
import sys

from svix.webhooks import Webhook

document = json.load(sys.stdin)
hook = Webhook(document["secret"])
verified = 0
for delivery in document["deliveries"]:
    try:
        hook.verify(base64.b64decode(delivery["body_base64"]), delivery["headers"])
        verified += 1
    except Exception as error:  # report, keep counting
        print(f"rejected {delivery['headers'].get('svix-id')}: {error}", file=sys.stderr)
total = len(document["deliveries"])
print(f"verified {verified} of {total}")
sys.exit(0 if verified == total and total > 0 else 1)
