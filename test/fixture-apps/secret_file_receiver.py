"""A stdlib receiver that reads its secret from a file, as deployments often provide it (a
mounted secret, a .secret file) — and keeps the file's trailing newline. Verifies the raw bytes,
with the wrong key. Usage: python3 secret_file_receiver.py SECRET_FILE  (prints its port)"""
import hashlib
import hmac
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

with open(sys.argv[1], encoding="utf-8") as f:
    WEBHOOK_SECRET = f.read()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        good = hmac.compare_digest(expected, self.headers.get("X-Webhook-Signature", ""))
        self.send_response(200 if good else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
print(server.server_address[1], flush=True)
server.serve_forever()
