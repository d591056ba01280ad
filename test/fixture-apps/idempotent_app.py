"""A correct receiver in Python's standard library: verifies the raw body before anything else,
answers at once, processes each delivery id once (a lock makes check-and-record atomic across
the server's threads, so two copies at the same moment are one), and writes how many it has
processed to COUNT_FILE. Usage: python3 idempotent_app.py SECRET COUNT_FILE  (prints its port)"""
import hashlib
import hmac
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

secret, count_file = sys.argv[1].encode('utf-8'), sys.argv[2]
seen = set()
lock = threading.Lock()
open(count_file, 'w').write('0\n')


def valid(body, signature):
    expected = 'sha256=' + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return signature is not None and hmac.compare_digest(expected, signature)


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, text):
        body = text.encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        if not valid(body, self.headers.get('X-Webhook-Signature')):
            return self.answer(401, 'Invalid signature')
        try:
            event = json.loads(body)
        except ValueError:
            return self.answer(400, 'Not JSON')
        delivery = self.headers.get('X-Webhook-Delivery')
        with lock:
            if delivery not in seen:
                seen.add(delivery)
                # The work: here, just counting it.
                open(count_file, 'w').write(f"{len(seen)}\n")
        self.answer(200, 'OK')

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
