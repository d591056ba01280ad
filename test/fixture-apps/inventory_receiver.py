"""A receiver as many are written: counts stock per product from catalog.product.created.

Run with --dedupe to remember delivery ids (what the platform document asks for); without it,
every request is processed, so a duplicate counts twice. GET /state answers what it processed.
Prints its port on stdout once it listens.
"""
import hashlib
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock

SECRET = sys.argv[1].encode()
DEDUPE = "--dedupe" in sys.argv
lock = Lock()
state = {"processed": 0, "duplicates_seen": 0, "stock": {}, "ids": []}
seen = set()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(state).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        expected = "sha256=" + hmac.new(SECRET, raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Webhook-Signature", "")):
            self.answer(401, b"bad signature")
            return
        delivery = self.headers.get("X-Webhook-Delivery", "")
        with lock:
            state["ids"].append(delivery)
            if delivery in seen:
                state["duplicates_seen"] += 1
                if DEDUPE:
                    self.answer(200, b"already processed")
                    return
            seen.add(delivery)
            envelope = json.loads(raw)
            if envelope["event"] == "catalog.product.created":
                product = envelope["data"]["product_id"]
                state["stock"][product] = state["stock"].get(product, 0) + 1
            state["processed"] += 1
        self.answer(200, b"ok")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
