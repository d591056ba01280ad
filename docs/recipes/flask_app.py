"""Flask: verify the signature over request.get_data() (the raw bytes) before touching the JSON.
request.json parses the body; a signature computed over json.dumps(request.json) fails for real
deliveries, and request.data passed to .encode() raises (the platform document's example).

    pip install flask
    WEBHOOK_SECRET=s3cret PORT=3000 python3 flask_app.py
"""
import hashlib
import hmac
import json
import os

from flask import Flask, request

SECRET = os.environ["WEBHOOK_SECRET"].encode("utf-8")
app = Flask(__name__)


def valid_signature(body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


@app.post("/webhook")
def webhook():
    body = request.get_data()
    if not valid_signature(body, request.headers.get("X-Webhook-Signature", "")):
        return "", 401
    try:
        event = json.loads(body)
    except ValueError:
        return "", 400
    # Answer first; do the work afterwards (a queue), deduplicating on X-Webhook-Delivery.
    app.logger.info("%s %s", request.headers.get("X-Webhook-Delivery"), event.get("event"))
    return "", 200


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "3000")))
