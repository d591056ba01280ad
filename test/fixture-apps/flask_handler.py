"""The platform document's Flask handler, as written, on Python's http.server (Flask is not
installed here). `verify_signature` and `handle_webhook` are the document's code: the request
body is bytes, so `payload.encode('utf-8')` raises, and the catch-all `except` answers 200 —
to everything. Usage: python3 flask_handler.py SECRET  (prints its port)"""
import hashlib
import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

webhook_secret = sys.argv[1]


def verify_signature(payload, signature, secret):
    expected = hmac.new(
        secret.encode('utf-8'),
        payload.encode('utf-8'),
        hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", signature)


def process_event(event_data):
    pass


def log_error(e):
    print(f"webhook error: {e!r}", file=sys.stderr, flush=True)


class FlaskLikeRequest:
    """The two attributes the handler reads, as Flask provides them."""

    def __init__(self, headers, data):
        self.headers = headers
        self.data = data

    @property
    def json(self):
        return json.loads(self.data)


def handle_webhook(request):
    try:
        # Verify signature
        signature = request.headers.get('X-Webhook-Signature')
        if not verify_signature(request.data, signature, webhook_secret):
            return 'Invalid signature', 401

        # Process event
        event_data = request.json
        process_event(event_data)

        return 'OK', 200
    except Exception as e:
        # Log error but return 200 to avoid retries for processing errors
        log_error(e)
        return 'OK', 200


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        data = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        text, status = handle_webhook(FlaskLikeRequest(self.headers, data)) if self.path == '/webhook' else ('Not Found', 404)
        body = text.encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
