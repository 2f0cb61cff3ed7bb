#!/usr/bin/env python3
"""Mutated and random requests against every route of a running runa-ledger, checking what must always hold.

Usage: scripts/fuzz_http.py BASE_URL DB_PATH [REQUESTS] [SEED]
Env:   RUNA_WEBHOOK_SECRETS (the first signs), LEDGER_API_TOKENS (the first is used).

Sends REQUESTS (default 100,000) requests: signed webhooks with mutated bodies (types, missing fields, huge and deep
JSON, invalid UTF-8, NUL bytes), unsigned or badly signed ones (mutated headers, bodies changed after signing,
stale or future timestamps), /v1 queries with mutated query strings, unknown routes and methods, huge headers,
and requests cut short on the wire. Fails (exit 1) on any 5xx other than 503, on a server that stops answering,
or when the ledger holds a delivery that no validly signed request carried. Prints a summary line.
"""
import base64, copy, hashlib, hmac, http.client, json, os, random, socket, sqlite3, sys, time, urllib.parse

base = urllib.parse.urlparse(sys.argv[1])
db_path = sys.argv[2]
total = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
secret = os.environ["RUNA_WEBHOOK_SECRETS"].split(",")[0].strip()
key = base64.b64decode(secret[len("whsec_"):])
token = os.environ["LEDGER_API_TOKENS"].split(",")[0].strip()
if token.count(":") >= 2 and token.split(":")[0] in ("auditor", "dashboard"):
    token = token.split(":", 2)[2]  # role:id:token

# Canaries that must never reach the service's log: an e-mail address (as a value, a key and a header) and body text.
EMAIL = "canary.person@example.com"
BODY_CANARY = "body-canary-7f3a9"

signed_ids = set()          # message ids that went out with a valid signature
statuses = {}
failures = []
connection = None


def connect():
    global connection
    connection = http.client.HTTPConnection(base.hostname, base.port, timeout=10)


def request(method, path, body=None, headers=None):
    """Sends one request on the kept-alive connection; returns the status, or None when the server hung up."""
    for attempt in range(2):
        try:
            if connection is None:
                connect()
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            response.read()
            if response.getheader("connection", "").lower() == "close":
                connection.close(); connect()
            return response.status
        except (http.client.HTTPException, ConnectionError, socket.timeout, OSError):
            connection.close(); connect()
            if attempt == 1:
                return None


def sign(msg_id, timestamp, body):
    signature = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    return "v1," + signature.decode()


def order():
    items = [{"id": f"E-{rng.randrange(10**9)}", "distribution_method": {"type": "PAYOUT_LINK"},
              "products": {"type": "SINGLE", "value": "AMZ-US"}, "face_value": "10.00", "price": "10.00",
              "currency": "USD", "payout": {"status": "ACTIVE", "status_updated_at": "2026-11-23T10:00:00Z",
                                            "url": "https://spend.example/x"}}]
    return {"id": f"O-FUZZ{rng.randrange(10**12)}", "status": rng.choice(["COMPLETED", "FAILED", "PROCESSING"]),
            "created_at": "2026-11-23T10:00:00+00:00", "completed_at": "2026-11-23T10:00:02Z",
            "description": BODY_CANARY, "payment_method": {"type": "ACCOUNT_BALANCE", "currency": "USD"},
            "currency": "USD", "total_price": "10.00", "total_discount": "0.00", "items": items,
            "metadata": {"k": "v", EMAIL: EMAIL}}


WEIRD = [None, True, False, 0, -1, 1e308, -0.0, 10**40, "", "x" * 10_000, "10.00", "1e3", "NaN", "-0", "9" * 400,
         "\u0000", "\ud7ff\ue000", "=cmd|' /C calc'!A0", "é" * 100, "2026-13-45T99:99:99Z", [], {}, [1, [2, [3]]],
         {"nested": {"deeper": [None]}}, EMAIL, {EMAIL: {EMAIL: 1}}]


def weird():
    """One of WEIRD, copied: mutate_json changes values in place, and a shared one could end up inside itself."""
    return copy.deepcopy(rng.choice(WEIRD))


def mutate_json(value, depth=0):
    """A random change somewhere in a JSON value."""
    if isinstance(value, dict) and value and depth < 6:
        key_ = rng.choice(list(value))
        choice = rng.random()
        if choice < 0.2:
            del value[key_]
        elif choice < 0.6:
            value[key_] = weird() if rng.random() < 0.7 else mutate_json(value[key_], depth + 1)
        elif choice < 0.8:
            name = EMAIL if rng.random() < 0.3 else "".join(rng.choice("abcxyz_\u00e9\u0000") for _ in range(rng.randrange(1, 12)))
            value[name] = weird()
        else:
            value[key_] = mutate_json(value[key_], depth + 1)
        return value
    if isinstance(value, list) and value and depth < 6:
        value[rng.randrange(len(value))] = mutate_json(value[rng.randrange(len(value))], depth + 1)
        return value
    return weird()


def weird_body():
    choice = rng.random()
    if choice < 0.5:
        return json.dumps(mutate_json(order()), ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    if choice < 0.6:
        depth = rng.choice([100, 600, 5_000, 100_000])
        return (b"[" * depth) + (b"]" * depth) if rng.random() < 0.5 else (b'{"a":' * depth) + b"1" + (b"}" * depth)
    if choice < 0.7:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 400)))
    if choice < 0.8:
        text = json.dumps(order()).encode()
        return text[: rng.randrange(len(text))]
    if choice < 0.85:
        return b'{"id":"O-X","status":"COMPLETED","description":"' + b"\xff\xfe\xc3\x28" + b'"}'
    if choice < 0.9:
        return json.dumps(order()).encode() + b" " * rng.choice([0, 1_048_576])
    return json.dumps(mutate_json(mutate_json(order()))).encode()


def webhook_signed():
    body = weird_body()
    msg_id = rng.choice([f"msg_{rng.randrange(10**15)}", f"msg_{rng.randrange(20)}"])
    timestamp = str(int(time.time()))
    headers = {"svix-id": msg_id, "svix-timestamp": timestamp, "svix-signature": sign(msg_id, timestamp, body),
               "content-type": "application/json"}
    try:
        body.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False  # signatures are over UTF-8 text (Standard Webhooks): such a body is refused, 401
    status = request("POST", "/webhooks/runa", body, headers)
    if status == 200 and utf8:
        signed_ids.add(msg_id)
    elif status not in ((413, 503, None) if utf8 else (401, 413, 503, None)):
        failures.append(f"a validly signed {'UTF-8' if utf8 else 'non-UTF-8'} delivery was answered {status}")
    return status


def webhook_forged():
    body = json.dumps(order()).encode()
    msg_id = f"msg_forged_{rng.randrange(10**15)}"
    timestamp = str(int(time.time()))
    signature = sign(msg_id, timestamp, body)
    headers = {"svix-id": msg_id, "svix-timestamp": timestamp, "svix-signature": signature}
    choice = rng.randrange(12)
    if choice == 0: body = body[:-1] + b" "
    elif choice == 1: headers["svix-signature"] = "v1," + base64.b64encode(os.urandom(32)).decode()
    elif choice == 2: headers["svix-timestamp"] = str(int(time.time()) - 400)
    elif choice == 3: headers["svix-timestamp"] = str(int(time.time()) + 400)
    elif choice == 4: del headers["svix-id"]
    elif choice == 5: headers["svix-timestamp"] = rng.choice(["", "abc", "1e9", "-1", "99999999999999999999", " 1"])
    elif choice == 6: headers["svix-signature"] = rng.choice(["", "v1", "v1,", "v2," + signature[3:], "v1,!!!", "v1," + "A" * 5000])
    elif choice == 7: headers["svix-id"] = rng.choice(["other_" + msg_id, EMAIL])
    elif choice == 8: headers = {}
    elif choice == 9: headers["svix-signature"] = " ".join(["v1,AAAA"] * 500)
    elif choice == 10: headers["svix-id"] = "x" * 8000
    else: body = bytes(rng.randrange(256) for _ in range(50))
    if rng.random() < 0.3:
        headers["x-forwarded-for"] = EMAIL + ", 203.0.113.9"
    status = request("POST", "/webhooks/runa", body, headers)
    if status is not None and (status < 400 or (status >= 500 and status != 503)):
        failures.append(f"a forged delivery ({choice}) was answered {status}")
    return status


PARAMETERS = ["status", "currency", "created_from", "created_to", "updated_since", "payout_status", "source", "q",
              "limit", "after", "format", "order_id", "group", "outcome", "as_of", "colour", "token_id", "since"]
VALUES = ["", "COMPLETED", "FAILED,PROCESSING", "USD", "usd", "2026-11-23", "2026-11-23T10:00:00Z", "0001-01-01",
          "9999-12-31T23:59:59Z", "-1", "0", "1", "500", "501", "99999999999999999999", "csv", "json", "O-", "O-FUZZ",
          "bonus", "ab", "%", "_", "\"", "'; DROP TABLE orders; --", "x" * 300, "é", "\u0000", "day", "currency",
          "quarantined", "ACTIVE,CLAIMED", "webhook"]


def query():
    path = rng.choice(["/v1/orders", "/v1/payouts", "/v1/summary", "/v1/reconciliation", "/v1/deliveries",
                       "/v1/orders/O-FUZZ1", "/v1/orders/%00", "/v1/orders/O-FUZZ1/events", "/v1/openapi.json",
                       "/v1/completeness", "/v1/closes", "/v1/closes/2026-10", "/v1/closes/%ff", "/v1/value-at-risk",
                       "/v1/access-log"])
    pairs = [(rng.choice(PARAMETERS), rng.choice(VALUES)) for _ in range(rng.randrange(0, 5))]
    text = urllib.parse.urlencode(pairs)
    if rng.random() < 0.1:
        text += rng.choice(["&%zz=1", "&a=%ff%fe", "&&&", "&after=" + base64.b64encode(os.urandom(40)).decode(), "&=",
                            "&limit=1&limit=2"])
    headers = {"authorization": "Bearer " + token}
    if rng.random() < 0.1:
        headers = rng.choice([{}, {"authorization": "Bearer " + token + "x"}, {"authorization": "Basic Zm9vOmJhcg=="},
                              {"authorization": "Bearer " + token, "accept": "text/csv"}])
    status = request(rng.choice(["GET"] * 9 + ["HEAD"]), path + ("?" + text if text else ""), None, headers)
    if status is not None and status >= 500 and status != 503:
        failures.append(f"GET {path}?{text} was answered {status}")
    return status


def junk():
    method = rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FUZZ"])
    path = rng.choice(["/", "/webhooks/runa", "/healthz", "/readyz", "/metrics", "/v1", "/v1/", "/../etc/passwd",
                       "/" + "a" * 5000, "/webhooks/runa?x=1", "/%2e%2e/", "/v1/orders/" + "O-" * 1000])
    headers = {}
    if rng.random() < 0.2:
        headers["x-big"] = "b" * rng.choice([100, 8_000, 60_000])
    if rng.random() < 0.2:
        headers["content-type"] = rng.choice(["application/json", "text/plain", "multipart/form-data; boundary=x"])
    body = None if method in ("GET", "HEAD") else bytes(rng.randrange(256) for _ in range(rng.randrange(0, 100)))
    status = request(method, path, body, headers)
    if status is not None and status >= 500 and status != 503:
        failures.append(f"{method} {path[:60]} was answered {status}")
    return status


def cut_short():
    """A request whose body never fully arrives, or that is not HTTP at all."""
    with socket.create_connection((base.hostname, base.port), timeout=5) as raw:
        choice = rng.randrange(3)
        if choice == 0:
            raw.sendall(b"POST /webhooks/runa HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"id\":")
        elif choice == 1:
            raw.sendall(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))))
        else:
            raw.sendall(b"GET /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode())
    return "cut"


kinds = [(webhook_signed, 30), (webhook_forged, 25), (query, 30), (junk, 14), (cut_short, 1)]
population = [kind for kind, weight in kinds for _ in range(weight)]
started = time.time()
for number in range(total):
    kind = rng.choice(population)
    status = kind()
    statuses[status] = statuses.get(status, 0) + 1
    if status is None and request("GET", "/healthz") is None:
        failures.append(f"the server stopped answering after request {number} ({kind.__name__})")
        break
    if len(failures) > 20:
        break

alive = request("GET", "/healthz") == 200
if not alive:
    failures.append("the server does not answer /healthz at the end")
with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
    stored = {row[0] for row in db.execute("SELECT msg_id FROM webhook_deliveries")}
unsigned = stored - signed_ids
if unsigned:
    failures.append(f"{len(unsigned)} deliveries stored that no validly signed request carried, e.g. {sorted(unsigned)[:3]}")
elapsed = time.time() - started
print(f"fuzz: {sum(statuses.values())} requests in {elapsed:.0f} s, answers {dict(sorted((str(k), v) for k, v in statuses.items()))}, "
      f"{len(stored)} deliveries stored, all validly signed: {not unsigned}, server alive: {alive}")
for failure in failures[:20]:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)
