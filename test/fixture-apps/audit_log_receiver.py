"""A webhook receiver as a user might write it, with a latent bug: it verifies the signature
over the raw body, then appends every event to an audit log kept in Latin-1 (an old system
reads it). Any text beyond Latin-1 raises UnicodeEncodeError, and http.server drops the
connection without an answer (it does the same with a body that is not JSON). `--fixed` is the
same receiver with both fixed: a UTF-8 log, and 400 for a body that is not JSON.

Usage: audit_log_receiver.py SECRET LOGFILE [--fixed]; prints the port it listens on.
"""
import hashlib
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = sys.argv[1].encode("utf-8")
LOG = open(sys.argv[2], "ab")
FIXED = "--fixed" in sys.argv
ENCODING = "utf-8" if FIXED else "latin-1"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Webhook-Signature", "")):
            self.send_response(401)
            self.end_headers()
            return
        try:
            event = json.loads(body)
        except ValueError:
            if not FIXED:
                raise
            self.send_response(400)
            self.end_headers()
            return
        line = f"{event['event']} {json.dumps(event['data'], ensure_ascii=False)}\n"
        LOG.write(line.encode(ENCODING))
        LOG.flush()
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_port, flush=True)
server.serve_forever()
