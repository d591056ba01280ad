"""A Flask webhook receiver, as Flask's documentation shows a view: /webhook verifies the raw
bytes (request.get_data()), the right way; /webhook-json-dumps verifies json.dumps(request.json),
the commonest Python mistake; /webhook-flask-json verifies flask.json.dumps(request.get_json()),
which sorts the keys. Usage: python3 flask_receiver.py SECRET  (prints its port)"""
import hashlib
import logging
import hmac
import json
import sys

import flask
from flask import Flask, abort, request
from werkzeug.serving import make_server

WEBHOOK_SECRET = sys.argv[1]
app = Flask(__name__)


def signature_matches(payload: bytes) -> bool:
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode("utf-8"), payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("X-Webhook-Signature", ""))


@app.post("/webhook")
def webhook():
    if not signature_matches(request.get_data()):
        abort(401)
    event = request.get_json()
    return {"received": event["event"]}


@app.post("/webhook-json-dumps")
def webhook_json_dumps():
    if not signature_matches(json.dumps(request.json).encode("utf-8")):
        abort(401)
    return {"received": request.json["event"]}


@app.post("/webhook-flask-json")
def webhook_flask_json():
    if not signature_matches(flask.json.dumps(request.get_json()).encode("utf-8")):
        abort(401)
    return {"received": request.get_json()["event"]}


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.port, flush=True)
    server.serve_forever()
