"""FastAPI: take the Request and read await request.body() (the raw bytes); a pydantic model as
the parameter would parse the JSON first, and a signature over its re-serialisation fails.

    pip install fastapi uvicorn
    WEBHOOK_SECRET=s3cret PORT=3000 python3 fastapi_app.py
"""
import hashlib
import hmac
import json
import os

from fastapi import FastAPI, Request, Response

SECRET = os.environ["WEBHOOK_SECRET"].encode("utf-8")
app = FastAPI()


def valid_signature(body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


@app.post("/webhook")
async def webhook(request: Request) -> Response:
    body = await request.body()
    if not valid_signature(body, request.headers.get("x-webhook-signature", "")):
        return Response(status_code=401)
    try:
        event = json.loads(body)
    except ValueError:
        return Response(status_code=400)
    # Answer first; do the work afterwards (a queue), deduplicating on X-Webhook-Delivery.
    print(request.headers.get("x-webhook-delivery"), event.get("event"), flush=True)
    return Response(status_code=200)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "3000")), log_level="warning")
