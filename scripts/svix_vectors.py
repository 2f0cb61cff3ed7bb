#!/usr/bin/env python3
"""Generate signature test vectors with the official `svix` Python library (pip install svix).

Every case is a delivery (secrets, headers, body) and the verdict of `svix.webhooks.Webhook.verify` at a fixed
"now". The Swift test `SvixReferenceTests` checks that runa-ledger's verifier agrees on every case, except for
the documented strict choices (see `category`). Output is deterministic: CI regenerates the file and fails if it
differs from the committed copy.

Usage: python3 scripts/svix_vectors.py [OUTPUT]   (default Tests/WebhooksTests/Vectors/svix.json)
"""
import base64
import hashlib
import hmac
import json
import random
import sys
from datetime import datetime, timezone

import standardwebhooks.webhooks as standard
import svix
from svix.webhooks import Webhook

NOW = 1_800_000_000  # a fixed "now" (2027-01-15T08:00:00Z) so the file is reproducible


class FrozenDatetime(datetime):
    """The library reads the clock through `datetime.now`; freeze it at NOW."""

    @classmethod
    def now(cls, tz=None):
        return datetime.fromtimestamp(NOW, tz=tz or timezone.utc)


standard.datetime = FrozenDatetime
rng = random.Random(20261123)


def new_secret():
    return "whsec_" + base64.b64encode(rng.randbytes(rng.choice([24, 32]))).decode()


def key_of(secret):
    return base64.b64decode(secret[len("whsec_"):])


def sign(secret, msg_id, timestamp_text, body: bytes):
    content = msg_id.encode() + b"." + timestamp_text.encode() + b"." + body
    return base64.b64encode(hmac.new(key_of(secret), content, hashlib.sha256).digest()).decode()


def new_body():
    order_id = "O-01" + "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(24))
    order = {
        "id": order_id,
        "status": rng.choice(["COMPLETED", "FAILED"]),
        "created_at": "2026-11-23T10:00:00.123456+00:00",
        "currency": rng.choice(["USD", "GBP", "EUR"]),
        "total_price": rng.choice(["10", "10.00", "0.03", "1999.99"]),
        "total_discount": "0",
        "description": rng.choice([None, "Summer bonus", "Prämie für Zoë ✓", "line\nbreak \"quoted\""]),
        "payment_method": {"type": "ACCOUNT_BALANCE", "currency": "USD"},
    }
    return json.dumps(order, ensure_ascii=rng.random() < 0.5, separators=rng.choice([(",", ":"), (", ", ": ")])).encode()


def new_id():
    return "msg_" + "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(27))


def svix_verdict(secrets, headers, body):
    for secret in secrets:
        try:
            Webhook(secret).verify(body, dict(headers))
            return "valid"
        except Exception:  # the library raises more than WebhookVerificationError on malformed input
            continue
    return "invalid"


cases = []


def add(category, name, secrets, headers, body):
    cases.append({
        "category": category,
        "name": name,
        "secrets": secrets,
        "headers": headers,
        "body_base64": base64.b64encode(body).decode(),
        "svix": svix_verdict(secrets, headers, body),
    })


def svix_headers(msg_id, ts, signature, style="svix"):
    if style == "svix":
        return {"svix-id": msg_id, "svix-timestamp": ts, "svix-signature": signature}
    if style == "webhook":
        return {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": signature}
    return {"Svix-Id": msg_id, "SVIX-TIMESTAMP": ts, "Svix-Signature": signature}


def non_canonical(sig):
    """Same bytes, other spelling: flip the unused low bits of the last base64 digit before the padding."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    assert sig.endswith("=") and not sig.endswith("==")
    last = alphabet.index(sig[-2])
    return sig[:-2] + alphabet[last | 0b01] + "=" if last & 0b11 == 0 else sig[:-2] + alphabet[last & ~0b11] + "="


for i in range(60):
    secret, msg_id, body, ts = new_secret(), new_id(), new_body(), str(NOW - rng.randint(-299, 299))
    add("valid", f"valid #{i}", [secret], svix_headers(msg_id, ts, "v1," + sign(secret, msg_id, ts, body),
                                                        rng.choice(["svix", "webhook", "mixed"])), body)

for i in range(40):
    old, new, msg_id, body, ts = new_secret(), new_secret(), new_id(), new_body(), str(NOW)
    both = f"v1,{sign(old, msg_id, ts, body)} v1,{sign(new, msg_id, ts, body)}"
    signer = rng.choice([old, new])
    add("rotation", f"rotation, both signatures #{i}", [old, new], svix_headers(msg_id, ts, both), body)
    add("rotation", f"rotation, one signature #{i}", [old, new],
        svix_headers(msg_id, ts, "v1," + sign(signer, msg_id, ts, body)), body)

for i in range(50):
    secret, msg_id, body, ts = new_secret(), new_id(), new_body(), str(NOW)
    sig = "v1," + sign(secret, msg_id, ts, body)
    flipped = bytearray(body)
    flipped[rng.randrange(len(flipped))] ^= 0x01
    add("tampered", f"tampered body #{i}", [secret], svix_headers(msg_id, ts, sig), bytes(flipped))
    add("tampered", f"tampered id #{i}", [secret], svix_headers(msg_id + "x", ts, sig), body)
    add("tampered", f"tampered timestamp #{i}", [secret], svix_headers(msg_id, str(NOW - 1), sig), body)
    add("wrong_secret", f"wrong secret #{i}", [new_secret()], svix_headers(msg_id, ts, sig), body)

for offset in [300, 301, 302, 600, 3600, 86400 * 365, -300, -301, -302, -600, -3600]:
    for i in range(4):
        secret, msg_id, body = new_secret(), new_id(), new_body()
        ts = str(NOW - offset)
        add("timestamp_window", f"signed {offset}s ago #{i}", [secret],
            svix_headers(msg_id, ts, "v1," + sign(secret, msg_id, ts, body)), body)

for i in range(10):
    secret, msg_id, body, ts = new_secret(), new_id(), new_body(), str(NOW)
    sig = "v1," + sign(secret, msg_id, ts, body)
    for missing in ["svix-id", "svix-timestamp", "svix-signature"]:
        headers = svix_headers(msg_id, ts, sig)
        del headers[missing]
        add("missing_header", f"missing {missing} #{i}", [secret], headers, body)
        headers = svix_headers(msg_id, ts, sig)
        headers[missing] = ""
        add("missing_header", f"empty {missing} #{i}", [secret], headers, body)

for i in range(8):
    secret, msg_id, body, ts = new_secret(), new_id(), new_body(), str(NOW)
    raw = sign(secret, msg_id, ts, body)
    add("bad_signature", f"other version only #{i}", [secret], svix_headers(msg_id, ts, "v2," + raw), body)
    add("bad_signature", f"not base64 #{i}", [secret], svix_headers(msg_id, ts, "v1,!!!" + raw[3:]), body)
    add("bad_signature", f"truncated signature #{i}", [secret], svix_headers(msg_id, ts, "v1," + raw[:20]), body)
    add("bad_signature", f"empty list entries only #{i}", [secret], svix_headers(msg_id, ts, "   "), body)
    add("bad_signature", f"valid after an unknown version #{i}", [secret],
        svix_headers(msg_id, ts, f"v1a,{raw} v1,{raw}"), body)
    add("bad_signature", f"valid second of two #{i}", [secret],
        svix_headers(msg_id, ts, f"v1,{sign(new_secret(), msg_id, ts, body)} v1,{raw}"), body)

# Strict choices: where runa-ledger deliberately differs from the library.
for i in range(12):
    secret, msg_id, body = new_secret(), new_id(), new_body()
    for spelling in [f"{NOW}.0", f" {NOW}", f"{NOW} ", f"{NOW // 10}_{NOW % 10}", f"+{NOW}", f"0{NOW}",
                     f"{NOW / 1e9}e9", f"{NOW}.9"]:
        # The library signs floor(float(header)), so a signature over the plain number matches its reading.
        canonical = str(int(float(spelling.replace("_", ""))))
        add("strict_timestamp", f"timestamp spelled {spelling!r} #{i}", [secret],
            svix_headers(msg_id, spelling, "v1," + sign(secret, msg_id, canonical, body)), body)
        add("strict_timestamp", f"timestamp spelled {spelling!r}, signed as written #{i}", [secret],
            svix_headers(msg_id, spelling, "v1," + sign(secret, msg_id, spelling, body)), body)

for i in range(20):
    secret, msg_id, body, ts = new_secret(), new_id(), new_body(), str(NOW)
    raw = sign(secret, msg_id, ts, body)
    add("strict_base64", f"non-canonical trailing bits #{i}", [secret], svix_headers(msg_id, ts, "v1," + non_canonical(raw)), body)
    add("strict_base64", f"missing padding #{i}", [secret], svix_headers(msg_id, ts, "v1," + raw.rstrip("=")), body)
    add("strict_base64", f"extra padding #{i}", [secret], svix_headers(msg_id, ts, "v1," + raw + "=="), body)

for i in range(20):
    secret, msg_id, body, ts = new_secret(), new_id(), new_body(), str(NOW)
    raw = sign(secret, msg_id, ts, body)
    for bad in ["v1", "garbage", "v1,abc,def", ""]:
        joined = f"{bad} v1,{raw}" if bad else f"v1,{raw}  v1,{raw}"
        add("strict_malformed_entry", f"malformed entry {bad!r} before a valid one #{i}", [secret],
            svix_headers(msg_id, ts, joined), body)

for i in range(10):
    secret, msg_id, ts = new_secret(), new_id(), str(NOW)
    body = new_body() + bytes([0xC3, 0x28]) + b'"}'
    add("non_utf8", f"body not UTF-8 #{i}", [secret], svix_headers(msg_id, ts, "v1," + sign(secret, msg_id, ts, body)), body)

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/WebhooksTests/Vectors/svix.json"
document = {
    "generator": f"svix {svix.__version__ if hasattr(svix, '__version__') else 'unknown'} via scripts/svix_vectors.py",
    "now": NOW,
    "cases": cases,
}
with open(out, "w") as handle:
    json.dump(document, handle, indent=1, sort_keys=True)
    handle.write("\n")
print(f"wrote {len(cases)} cases to {out}")
