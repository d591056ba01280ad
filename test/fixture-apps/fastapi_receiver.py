"""A FastAPI webhook receiver, served by uvicorn: /webhook verifies await request.body(), the
right way; /webhook-compact takes the parsed body (payload: dict = Body(...)) and verifies
json.dumps(payload, separators=(",", ":")), which looks compact but escapes non-ASCII text.
Usage: python3 fastapi_receiver.py SECRET  (prints its port)"""
import hashlib
import hmac
import json
import socket
import sys

import uvicorn
from fastapi import Body, FastAPI, Header, HTTPException, Request

WEBHOOK_SECRET = sys.argv[1]
app = FastAPI()


def check_signature(payload: bytes, signature: str) -> None:
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature or ""):
        raise HTTPException(status_code=401, detail="invalid signature")


@app.post("/webhook")
async def webhook(request: Request, x_webhook_signature: str = Header(None)):
    check_signature(await request.body(), x_webhook_signature)
    event = await request.json()
    return {"received": event["event"]}


@app.post("/webhook-compact")
async def webhook_compact(payload: dict = Body(...), x_webhook_signature: str = Header(None)):
    check_signature(json.dumps(payload, separators=(",", ":")).encode(), x_webhook_signature)
    return {"received": payload["event"]}


if __name__ == "__main__":
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
