"""An order service's webhook endpoint as a Python user writes one with the standard library:
verifies the signature over the raw body, then processes the event — here, appends its delivery
id to LOG_FILE — and answers 200. On SIGTERM (a restart by the developer's tooling) it finishes
the request it is handling and stops; a new start takes the same port.
Usage: python3 order_events_app.py SECRET LOG_FILE PORT  (prints its port once listening)"""
import hashlib
import hmac
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

secret, log_file, port = sys.argv[1].encode('utf-8'), sys.argv[2], int(sys.argv[3])


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        expected = 'sha256=' + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get('X-Webhook-Signature', '')):
            self.send_response(401)
            self.end_headers()
            return
        with open(log_file, 'a') as log:
            log.write(self.headers.get('X-Webhook-Delivery', '-') + '\n')
        self.send_response(200)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'OK')

    def log_message(self, *args):
        pass


server = HTTPServer(('127.0.0.1', port), Handler)
signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
print(server.server_address[1], flush=True)
server.serve_forever()
server.server_close()
